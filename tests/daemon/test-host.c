/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "check-helpers.h"
#include "core/strv.h"
#include "identity/host.h"

static char tmpdir[] = "/tmp/test-host-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)system(cmd);
	strcpy(tmpdir, "/tmp/test-host-XXXXXX");
}

static char *write_file(const char *name, const char *text)
{
	char *p = NULL;
	FILE *f;

	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

START_TEST(test_machine_id)
{
	_cleanup_free_ char *bad = write_file("bad", "not-an-id\n");
	_cleanup_free_ char *zero = write_file("zero", "00000000000000000000000000000000\n");
	_cleanup_free_ char *good = write_file("good", "3D1219C7C4C5404AAA1F6D2A48ADFDA4\n");
	_cleanup_free_ char *id = NULL;
	const char *paths[] = {"/nonexistent", bad, zero, good, NULL};
	const char *none[] = {bad, zero, NULL};

	ck_assert_int_eq(host_read_machine_id(paths, &id), 0);
	ck_assert_str_eq(id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
	ck_assert_int_eq(host_read_machine_id(none, &id), -ENOENT);
}
END_TEST

START_TEST(test_identity_labels)
{
	_cleanup_(host_identity_freep) HostIdentity *h = NULL;
	_cleanup_free_ char *good = write_file("id", "0123456789abcdef0123456789abcdef");
	const char *paths[] = {good, NULL};
	char *labels[] = {"env=prod", "example.com/tier=web", NULL};

	ck_assert_int_eq(host_identity_new("web-1", labels, paths, &h), 0);
	ck_assert_str_eq(h->hostname, "web-1");
	ck_assert_str_eq(h->machine_id, "0123456789abcdef0123456789abcdef");
	ck_assert_uint_eq(strv_length(h->labels), 4);
	ck_assert_str_eq(h->labels[0], "kubearmor.io/hostname=web-1");
	ck_assert_str_eq(h->labels[1], "kubernetes.io/hostname=web-1");
	ck_assert(host_identity_has_label(h, "example.com/tier=web"));
	ck_assert(!host_identity_has_label(h, "env=dev"));
}
END_TEST

START_TEST(test_identity_defaults_and_errors)
{
	_cleanup_(host_identity_freep) HostIdentity *h = NULL;
	const char *nopaths[] = {"/nonexistent", NULL};
	char *dup[] = {"a=1", "a=2", NULL};
	char *reserved[] = {"kubernetes.io/hostname=other", NULL};
	char *bad[] = {"novalue", NULL};

	/* The kernel's name up to the first dot; no machine id: the host name stands in. */
	ck_assert_int_eq(host_identity_new(NULL, NULL, nopaths, &h), 0);
	ck_assert(host_name_is_valid(h->hostname));
	ck_assert_ptr_null(strchr(h->hostname, '.'));
	ck_assert_str_eq(h->machine_id, h->hostname);

	ck_assert_int_eq(host_identity_new("a b", NULL, nopaths, &h), -EINVAL);
	ck_assert_int_eq(host_identity_new("ok", dup, nopaths, &h), -EINVAL);
	ck_assert_int_eq(host_identity_new("ok", reserved, nopaths, &h), -EINVAL);
	ck_assert_int_eq(host_identity_new("ok", bad, nopaths, &h), -EINVAL);
}
END_TEST

START_TEST(test_label_check)
{
	const char *why = NULL;
	char longkey[HOST_LABEL_KEY_MAX + 3];

	ck_assert_int_eq(host_label_check("a=b", NULL), 0);
	ck_assert_int_eq(host_label_check("a=", NULL), 0);
	ck_assert_int_eq(host_label_check("=b", &why), -EINVAL);
	ck_assert_str_eq(why, "empty key");
	ck_assert_int_eq(host_label_check("a=b=c", &why), -EINVAL);
	ck_assert_int_eq(host_label_check("a=b,c", &why), -EINVAL);
	ck_assert_int_eq(host_label_check("a=\tb", &why), -EINVAL);
	memset(longkey, 'k', sizeof(longkey) - 2);
	longkey[sizeof(longkey) - 2] = '=';
	longkey[sizeof(longkey) - 1] = '\0';
	ck_assert_int_eq(host_label_check(longkey, &why), -EINVAL);
	ck_assert_str_eq(why, "key too long");
	ck_assert(!host_name_is_valid("-x"));
	ck_assert(!host_name_is_valid(""));
	ck_assert(host_name_is_valid("node-1.example.com"));
}
END_TEST

static Suite *host_suite(void)
{
	Suite *s = suite_create("identity/host");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_machine_id);
	tcase_add_test(tc, test_identity_labels);
	tcase_add_test(tc, test_identity_defaults_and_errors);
	tcase_add_test(tc, test_label_check);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(host_suite)
