/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "check-helpers.h"
#include "core/strv.h"

START_TEST(test_extend_join)
{
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_free_ char *j = NULL, *e = NULL;

	ck_assert_int_eq(strv_extend(&l, "a"), 0);
	ck_assert_int_eq(strv_extend(&l, "bc"), 0);
	ck_assert_uint_eq(strv_length(l), 2);
	ck_assert(strv_contains(l, "bc"));
	ck_assert(!strv_contains(l, "b"));
	j = strv_join(l, ",");
	ck_assert_str_eq(j, "a,bc");
	e = strv_join(NULL, ",");
	ck_assert_str_eq(e, "");
}
END_TEST

START_TEST(test_copy)
{
	_cleanup_strv_free_ char **l = NULL, **c = NULL;

	ck_assert_int_eq(strv_extend(&l, "x"), 0);
	c = strv_copy(l);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c[0], "x");
	ck_assert_ptr_ne(c[0], l[0]);
	ck_assert_ptr_null(c[1]);
}
END_TEST

static Suite *strv_suite(void)
{
	Suite *s = suite_create("core/strv");
	TCase *tc = tcase_create("basic");

	tcase_add_test(tc, test_extend_join);
	tcase_add_test(tc, test_copy);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(strv_suite)
