/* SPDX-License-Identifier: Apache-2.0 */
/* test-enforcer-select.c: enforcer selection by lsm order, with the reason for each skipped one. */
#include <string.h>
#include <sys/mount.h>

#include "check-helpers.h"
#include "enforcer/enforcer.h"

START_TEST(test_names)
{
	ck_assert_str_eq(rule_enforcement_to_string(RULE_ENFORCED), "enforced");
	ck_assert_str_eq(rule_enforcement_to_string(RULE_AUDIT_ONLY), "audit-only");
	ck_assert_str_eq(rule_enforcement_to_string(RULE_MONITOR_ONLY), "monitor-only");
	ck_assert_ptr_null(rule_enforcement_to_string(_RULE_ENFORCEMENT_MAX));
}
END_TEST

START_TEST(test_unknown_and_none)
{
	char *order[] = {(char *)"selinux", (char *)"none", (char *)"bpf", NULL};
	EnforcerSelection sel = {};

	ck_assert_int_eq(enforcer_select(order, NULL, &sel), 0);
	ck_assert_ptr_null(sel.ops);
	ck_assert_ptr_null(sel.enforcer);
	ck_assert_str_eq(sel.summary,
			 "selinux: skipped: not available in this build; none: stop (configured)");
	enforcer_selection_done(&sel, true);
	ck_assert_ptr_null(sel.summary);
}
END_TEST

START_TEST(test_bpf_probe)
{
	char *order[] = {(char *)"bpf", NULL};
	char bpffs[] = "/tmp/enforcer-select-XXXXXX";
	EnforcerOptions opts = {};
	EnforcerSelection sel = {};

	ck_assert_ptr_nonnull(mkdtemp(bpffs));
	opts.bpffs = bpffs;
	ck_assert_int_eq(enforcer_select(order, &opts, &sel), 0);
	ck_assert_ptr_nonnull(sel.summary);
	if (sel.ops) {
		/* a kernel with BPF-LSM (the VM tier) */
		ck_assert_ptr_eq(sel.ops, &enforcer_bpflsm_ops);
		ck_assert_str_eq(sel.summary, "bpf: in use");
	} else {
		/* every skip carries a reason */
		ck_assert_msg(strncmp(sel.summary, "bpf: skipped: ", 14) == 0 &&
				      strlen(sel.summary) > 20,
			      "summary '%s'", sel.summary);
	}
	enforcer_selection_done(&sel, true);
	(void)umount(bpffs);
	(void)rmdir(bpffs);
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("enforcer/select");
	TCase *tc = tcase_create("order");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_unknown_and_none);
	if (geteuid() == 0)
		tcase_add_test(tc, test_bpf_probe);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(select_suite)
