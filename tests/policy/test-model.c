/* SPDX-License-Identifier: Apache-2.0 */
/* test-model.c: enum names and the destructor of the policy model. */
#include "check-helpers.h"
#include <string.h>

#include "policy/model.h"

START_TEST(test_names)
{
	ck_assert_str_eq(policy_kind_to_string(POLICY_KIND_KSP), "KubeArmorPolicy");
	ck_assert_str_eq(policy_kind_to_string(POLICY_KIND_HSP), "KubeArmorHostPolicy");
	ck_assert_str_eq(policy_kind_to_string(POLICY_KIND_CSP), "KubeArmorClusterPolicy");
	ck_assert_ptr_null(policy_kind_to_string(_POLICY_KIND_MAX));
	ck_assert_ptr_null(policy_kind_to_string((PolicyKind)-1));
	ck_assert_ptr_null(rule_action_to_string(ACTION_UNSET));
	ck_assert_str_eq(rule_action_to_string(ACTION_ALLOW), "Allow");
	ck_assert_str_eq(rule_action_to_string(ACTION_AUDIT), "Audit");
	ck_assert_str_eq(rule_action_to_string(ACTION_BLOCK), "Block");
	ck_assert_ptr_null(rule_action_to_string(_ACTION_MAX));
}
END_TEST

START_TEST(test_free)
{
	Policy *p = new0(Policy, 1);

	ck_assert_ptr_null(policy_free(NULL));
	ck_assert_ptr_nonnull(p);
	p->name = strdup("x");
	p->process = new0(PathRule, 1);
	p->n_process = 1;
	p->process[0].value = strdup("/bin/ls");
	p->process[0].sources = new0(FromSource, 1);
	p->process[0].n_sources = 1;
	p->process[0].sources[0].path = strdup("/bin/sh");
	/* half-built: arrays with no strings are fine too */
	p->capabilities = new0(CapRule, 2);
	p->n_capabilities = 2;
	ck_assert_ptr_null(policy_free(p)); /* ASan checks for leaks */
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("policy/model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_free);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(model_suite)
