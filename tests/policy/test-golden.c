/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-golden.c: the project's own fixtures. the files in data/valid load without errors;
 * data/invalid/NAME.yaml give exactly the messages in data/invalid/NAME.err (errors, then warnings
 * as "warning: ..."), one per line. UPDATE_GOLDEN=1 rewrites the .err files; review the diff like
 * code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strv.h"
#include "policy-test-util.h"

#define DATA_DIR TEST_SRCDIR "/tests/policy/data"

static char *render(const PolicyFile *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < f->n_errors; i++) {
		_cleanup_free_ char *s = policy_error_to_string(f->path, &f->errors[i]);
		fprintf(out, "%s\n", s);
	}
	for (size_t d = 0; d < f->n_docs; d++) {
		for (size_t i = 0; i < f->docs[d].n_errors; i++) {
			_cleanup_free_ char *s =
				policy_error_to_string(f->path, &f->docs[d].errors[i]);
			fprintf(out, "%s\n", s);
		}
		for (size_t i = 0; i < f->docs[d].n_warnings; i++) {
			_cleanup_free_ char *s =
				policy_error_to_string(f->path, &f->docs[d].warnings[i]);
			fprintf(out, "warning: %s\n", s);
		}
	}
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

static char *slurp(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	buf[len] = 0;
	return buf;
}

START_TEST(test_valid_fixtures)
{
	_cleanup_strv_free_ char **l = NULL;

	ck_assert_int_eq(chdir(DATA_DIR), 0);
	ck_assert_int_eq(policy_dir_list("valid", &l), 0);
	ck_assert_uint_ge(strv_length(l), 5);
	STRV_FOREACH(p, l)
	{
		_cleanup_(policy_file_freep) PolicyFile *f = NULL;

		ck_assert_int_eq(policy_file_load(*p, &f), 0);
		if (!policy_file_ok(f))
			dump_errors(f);
		ck_assert_msg(policy_file_ok(f), "%s must be valid", *p);
		ck_assert_uint_ge(f->n_docs, 1);
		ck_assert_uint_eq(policy_file_warning_count(f), 0);
	}
}
END_TEST

START_TEST(test_invalid_fixtures)
{
	_cleanup_strv_free_ char **l = NULL;
	bool update = getenv("UPDATE_GOLDEN") && streq(getenv("UPDATE_GOLDEN"), "1");

	ck_assert_int_eq(chdir(DATA_DIR), 0);
	ck_assert_int_eq(policy_dir_list("invalid", &l), 0);
	ck_assert_uint_ge(strv_length(l), 10);
	STRV_FOREACH(p, l)
	{
		_cleanup_(policy_file_freep) PolicyFile *f = NULL;
		_cleanup_free_ char *got = NULL, *want = NULL, *golden = NULL;

		ck_assert_int_eq(policy_file_load(*p, &f), 0);
		ck_assert_msg(!policy_file_ok(f), "%s must be invalid", *p);
		got = render(f);
		ck_assert_int_ge(asprintf(&golden, "%.*s.err", (int)(strlen(*p) - 5), *p), 0);
		if (update) {
			_cleanup_fclose_ FILE *o = fopen(golden, "we");

			ck_assert_ptr_nonnull(o);
			fputs(got, o);
			continue;
		}
		want = slurp(golden);
		ck_assert_msg(want, "%s is missing (run with UPDATE_GOLDEN=1)", golden);
		if (!streq(got, want))
			fprintf(stderr, "--- %s\n%s+++ got\n%s", golden, want, got);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

static Suite *golden_suite(void)
{
	Suite *s = suite_create("policy/golden");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_valid_fixtures);
	tcase_add_test(tc, test_invalid_fixtures);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(golden_suite)
