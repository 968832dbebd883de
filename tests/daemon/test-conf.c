/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <sys/stat.h>

#include "check-helpers.h"
#include "core/strv.h"
#include "daemon/conf.h"

static char tmpdir[] = "/tmp/test-conf-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)system(cmd);
	strcpy(tmpdir, "/tmp/test-conf-XXXXXX");
}

static char *write_conf(const char *text)
{
	char *p = NULL;
	FILE *f;

	ck_assert_int_ge(asprintf(&p, "%s/kubearmor.yaml", tmpdir), 0);
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static bool errors_contain(char **errors, const char *needle)
{
	STRV_FOREACH(e, errors)
	if (strstr(*e, needle))
		return true;
	return false;
}

START_TEST(test_defaults)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_free_ char *vis = NULL;

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_str_eq(c->policy_dir, "/etc/kubearmor/policies");
	ck_assert_uint_eq(strv_length(c->lsm), 3);
	ck_assert_str_eq(c->lsm[0], "bpf");
	for (int i = 0; i < _POSTURE_CLASS_MAX; i++)
		ck_assert_int_eq(c->host_posture[i], POSTURE_AUDIT);
	vis = visibility_to_string(c->host_visibility);
	ck_assert_str_eq(vis, "process,file,network,capabilities");
	ck_assert(c->alert_throttling);
	ck_assert_uint_eq(c->max_alert_per_sec, 10);
	ck_assert_uint_eq(c->throttle_sec, 30);
	ck_assert_ptr_null(c->host);
	ck_assert_str_eq(c->cluster, "default");
}
END_TEST

START_TEST(test_full_file)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	_cleanup_free_ char *p = write_conf("lsm: [apparmor, BPF]\n"
					    "hostDefaultFilePosture: Block\n"
					    "hostDefaultNetworkPosture: BLOCK\n"
					    "hostDefaultCapabilitiesPosture: audit\n"
					    "hostVisibility: process, file\n"
					    "policyDir: /srv/policies\n"
					    "alertThrottling: false\n"
					    "maxAlertPerSec: 20\n"
					    "throttleSec: 5\n"
					    "host: web-1\n"
					    "hostLabels:\n"
					    "  env: prod\n"
					    "  tier: web\n"
					    "cluster: c1\n");

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_load_file(c, p, true, &errors), 0);
	ck_assert_ptr_null(errors);
	ck_assert_uint_eq(strv_length(c->lsm), 2);
	ck_assert_str_eq(c->lsm[0], "apparmor");
	ck_assert_str_eq(c->lsm[1], "bpf");
	/* Host postures are case-insensitive (reference §10.8). */
	ck_assert_int_eq(c->host_posture[POSTURE_CLASS_FILE], POSTURE_BLOCK);
	ck_assert_int_eq(c->host_posture[POSTURE_CLASS_NETWORK], POSTURE_BLOCK);
	ck_assert_int_eq(c->host_posture[POSTURE_CLASS_CAPABILITIES], POSTURE_AUDIT);
	ck_assert_uint_eq(c->host_visibility, VISIBILITY_PROCESS | VISIBILITY_FILE);
	ck_assert_str_eq(c->policy_dir, "/srv/policies");
	ck_assert(!c->alert_throttling);
	ck_assert_uint_eq(c->max_alert_per_sec, 20);
	ck_assert_uint_eq(c->throttle_sec, 5);
	ck_assert_str_eq(c->host, "web-1");
	ck_assert_uint_eq(strv_length(c->host_labels), 2);
	ck_assert_str_eq(c->host_labels[0], "env=prod");
	ck_assert_str_eq(c->host_labels[1], "tier=web");
	ck_assert_str_eq(c->cluster, "c1");
}
END_TEST

START_TEST(test_unknown_key_is_error_with_position)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	_cleanup_free_ char *p = write_conf("policyDir: /srv/p\n"
					    "hostVisibilty: none\n"
					    "gRPC: \"32767\"\n"
					    "hostvisibility: none\n");

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_load_file(c, p, true, &errors), -EINVAL);
	ck_assert_uint_eq(strv_length(errors), 3);
	ck_assert(errors_contain(errors, "kubearmor.yaml:2:1: unknown key 'hostVisibilty'"));
	ck_assert(errors_contain(errors, ":3:1: unknown key 'gRPC' (a KubeArmor key"));
	ck_assert(errors_contain(
		errors, ":4:1: unknown key 'hostvisibility' (did you mean 'hostVisibility'?)"));
	/* Nothing of a file with errors is applied. */
	ck_assert_str_eq(c->policy_dir, "/etc/kubearmor/policies");
}
END_TEST

START_TEST(test_bad_values)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	_cleanup_free_ char *p = write_conf("hostDefaultFilePosture: allow\n"
					    "hostVisibility: process,dns\n"
					    "maxAlertPerSec: 0\n"
					    "throttleSec: 10s\n"
					    "policyDir: relative/dir\n"
					    "lsm: tomoyo\n"
					    "alertThrottling: maybe\n"
					    "host: 'bad host'\n"
					    "hostLabels: [a, b]\n"
					    "cluster: {a: b}\n"
					    "policyDir: /again\n");

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_load_file(c, p, true, &errors), -EINVAL);
	ck_assert(errors_contain(
		errors, ":1:25: hostDefaultFilePosture: 'allow': expected audit or block"));
	ck_assert(errors_contain(errors, ":2:17: hostVisibility: 'process,dns'"));
	ck_assert(errors_contain(errors, ":3:17: maxAlertPerSec: '0'"));
	ck_assert(errors_contain(errors, ":4:14: throttleSec: '10s'"));
	ck_assert(errors_contain(errors, "policyDir: 'relative/dir': expected an absolute"));
	ck_assert(errors_contain(errors, "lsm: 'tomoyo': unknown LSM"));
	ck_assert(errors_contain(errors, "alertThrottling: 'maybe'"));
	ck_assert(errors_contain(errors, "host: 'bad host'"));
	ck_assert(errors_contain(errors, ":9:13: hostLabels: expected a mapping of labels"));
	ck_assert(errors_contain(errors, ":10:10: cluster: expected a single value"));
	ck_assert(errors_contain(errors, ":11:1: policyDir: duplicate key (first at line 5)"));
	ck_assert_uint_eq(strv_length(errors), 11);
}
END_TEST

START_TEST(test_yaml_errors)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **e1 = NULL, **e2 = NULL, **e3 = NULL, **e4 = NULL;
	_cleanup_free_ char *p = NULL;

	ck_assert_int_eq(config_new(&c), 0);
	free(p);
	p = write_conf("policyDir: [unclosed\n");
	ck_assert_int_eq(config_load_file(c, p, true, &e1), -EINVAL);
	ck_assert(errors_contain(e1, "YAML syntax error"));

	free(p);
	p = write_conf("policyDir: /a\n---\npolicyDir: /b\n");
	ck_assert_int_eq(config_load_file(c, p, true, &e2), -EINVAL);
	ck_assert(errors_contain(e2, ":3:1: more than one YAML document"));

	free(p);
	p = write_conf("- a\n- b\n");
	ck_assert_int_eq(config_load_file(c, p, true, &e3), -EINVAL);
	ck_assert(errors_contain(e3, ":1:1: expected a mapping"));

	/* Missing: fine unless required. */
	ck_assert_int_eq(config_load_file(c, "/nonexistent/kubearmor.yaml", false, &e4), 0);
	ck_assert_ptr_null(e4);
	ck_assert_int_eq(config_load_file(c, "/nonexistent/kubearmor.yaml", true, &e4), -ENOENT);
	ck_assert(errors_contain(e4, "cannot read"));
}
END_TEST

START_TEST(test_empty_and_null)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	_cleanup_free_ char *p = write_conf("# nothing\n");
	_cleanup_free_ char *q = NULL;

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_load_file(c, p, true, &errors), 0);
	q = write_conf("host:\nlsm: []\nhostVisibility: none\n");
	ck_assert_int_eq(config_load_file(c, q, true, &errors), 0);
	ck_assert_ptr_null(errors);
	ck_assert_ptr_null(c->host);
	ck_assert_uint_eq(strv_length(c->lsm), 1);
	ck_assert_str_eq(c->lsm[0], "none");
	ck_assert_uint_eq(c->host_visibility, 0);
}
END_TEST

START_TEST(test_size_limit)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	_cleanup_free_ char *big = malloc(CONF_MAX_FILE_SIZE + 2), *p = NULL;

	memset(big, '#', CONF_MAX_FILE_SIZE + 1);
	big[CONF_MAX_FILE_SIZE + 1] = '\0';
	p = write_conf(big);
	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_load_file(c, p, true, &errors), -EINVAL);
	ck_assert(errors_contain(errors, "larger than 65536 bytes"));
}
END_TEST

START_TEST(test_env_and_set)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL, **e2 = NULL, **e3 = NULL;
	char *env[] = {"PATH=/bin",
		       "KUBEARMOR_HOSTVISIBILITY=file",
		       "KUBEARMOR_MAXALERTPERSEC=7",
		       "KUBEARMOR_HOSTLABELS=a=b,c=d",
		       "KUBEARMOR_LOG_LEVEL=debug",
		       NULL};
	char *bad_env[] = {"KUBEARMOR_NOSUCHKEY=1", "KUBEARMOR_THROTTLESEC=-1", NULL};
	char *ignore[] = {"KUBEARMOR_LOG_LEVEL", NULL};

	ck_assert_int_eq(config_new(&c), 0);
	ck_assert_int_eq(config_apply_env(c, env, ignore, &errors), 0);
	ck_assert_ptr_null(errors);
	ck_assert_uint_eq(c->host_visibility, VISIBILITY_FILE);
	ck_assert_uint_eq(c->max_alert_per_sec, 7);
	ck_assert_str_eq(c->host_labels[1], "c=d");

	ck_assert_int_eq(config_apply_env(c, bad_env, ignore, &e2), -EINVAL);
	ck_assert(errors_contain(e2, "KUBEARMOR_NOSUCHKEY: names no configuration key"));
	ck_assert(errors_contain(e2, "KUBEARMOR_THROTTLESEC: throttleSec: '-1'"));
	ck_assert_uint_eq(c->throttle_sec, 30);

	ck_assert_int_eq(config_set(c, "policyDir", "/x", "command line", &e3), 0);
	ck_assert_str_eq(c->policy_dir, "/x");
	ck_assert_int_eq(
		config_set(c, "hostLabels", "kubearmor.io/hostname=x", "command line", &e3),
		-EINVAL);
	ck_assert_int_eq(config_set(c, "hostLabels", "a=1,a=2", "command line", &e3), -EINVAL);
	ck_assert_int_eq(config_set(c, "hostLabels", "a b=1", "command line", &e3), -EINVAL);
	ck_assert_int_eq(config_set(c, "nope", "1", "command line", &e3), -EINVAL);
	ck_assert_uint_eq(strv_length(e3), 4);
	ck_assert(errors_contain(e3, "command line: unknown configuration key 'nope'"));
}
END_TEST

START_TEST(test_visibility_strings)
{
	unsigned v = 99;
	_cleanup_free_ char *s = NULL;

	ck_assert_int_eq(visibility_from_string("default", &v), 0);
	ck_assert_uint_eq(v, VISIBILITY_ALL);
	ck_assert_int_eq(visibility_from_string("None", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(visibility_from_string("network,capabilities", &v), 0);
	s = visibility_to_string(v);
	ck_assert_str_eq(s, "network,capabilities");
	ck_assert_int_eq(visibility_from_string("", &v), -EINVAL);
	ck_assert_int_eq(visibility_from_string("none,file", &v), -EINVAL);
	ck_assert_int_eq(posture_from_string("BLOCK"), POSTURE_BLOCK);
	ck_assert_int_eq(posture_from_string("deny"), _POSTURE_INVALID);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("daemon/conf");
	TCase *tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_unknown_key_is_error_with_position);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_yaml_errors);
	tcase_add_test(tc, test_empty_and_null);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_env_and_set);
	tcase_add_test(tc, test_visibility_strings);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(conf_suite)
