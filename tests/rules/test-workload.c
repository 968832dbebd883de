/* SPDX-License-Identifier: Apache-2.0 */
/* test-workload.c: workloads and policy selection (kubearmor-policy(5), SELECTION). */
#include <string.h>

#include "check-helpers.h"
#include "rules-test-util.h"

static Workload *host(const char *name, const char *extra)
{
	Workload *w = NULL;
	char **labels = extra ? tu_split(extra, ",") : NULL;

	ck_assert_int_eq(workload_new_host(name, labels, &w), 0);
	strv_free(labels);
	return w;
}

static Workload *container(const char *spec)
{
	Workload *w = NULL;

	ck_assert_int_eq(workload_parse_container(spec, &w), 0);
	return w;
}

static bool hsp_selects(const char *key, const char *value, const Workload *w)
{
	Policy *p = tu_policy(POLICY_KIND_HSP, "h");
	bool r;

	tu_label(p, key, value);
	r = workload_selects(w, p, NULL);
	policy_free(p);
	return r;
}

START_TEST(test_host_workload)
{
	_cleanup_(workload_freep) Workload *w = host("node1", "env=prod,zone=a");
	Workload *bad = NULL;
	char *bad_labels[] = {(char *)"novalue", NULL};

	ck_assert_int_eq(w->kind, WORKLOAD_HOST);
	ck_assert_str_eq(workload_label(w, "kubearmor.io/hostname"), "node1");
	ck_assert_str_eq(workload_label(w, "env"), "prod");
	ck_assert_ptr_null(workload_label(w, "en"));
	ck_assert_int_eq(workload_new_host("", NULL, &bad), -EINVAL);
	ck_assert_int_eq(workload_new_host("a=b", NULL, &bad), -EINVAL);
	ck_assert_int_eq(workload_new_host("n", bad_labels, &bad), -EINVAL);
	ck_assert_ptr_null(bad);
}
END_TEST

START_TEST(test_host_selection)
{
	_cleanup_(workload_freep) Workload *w = host("node1", "env=prod");
	_cleanup_(workload_freep) Workload *k8s = host("node1", "kubernetes.io/hostname=node1");
	_cleanup_(workload_freep) Workload *c = container("app=web");
	Policy *p;
	const char *reason;

	ck_assert(hsp_selects("kubearmor.io/hostname", "*", w));
	ck_assert(hsp_selects("kubearmor.io/hostname", "node1", w));
	ck_assert(hsp_selects("kubearmor.io/hostname", "NODE1", w));
	ck_assert(hsp_selects("kubearmor.io/hostname", "a, node1 ,b", w));
	ck_assert(!hsp_selects("kubearmor.io/hostname", "a,b", w));
	ck_assert(!hsp_selects("kubearmor.io/hostname", "node", w));
	ck_assert(hsp_selects("kubearmor.io/hostnamereg", "node*", w));
	ck_assert(hsp_selects("kubearmor.io/hostnamereg", "*1", w));
	/* anchored: not a substring search */
	ck_assert(!hsp_selects("kubearmor.io/hostnamereg", "ode", w));
	ck_assert(hsp_selects("env", "prod", w));
	ck_assert(!hsp_selects("env", "dev", w));
	/* kubernetes.io/hostname matches only a host that carries that label */
	ck_assert(!hsp_selects("kubernetes.io/hostname", "node1", w));
	ck_assert(hsp_selects("kubernetes.io/hostname", "node1", k8s));
	ck_assert(hsp_selects("kubernetes.io/hostname", "*", k8s));
	ck_assert(hsp_selects("kubernetes.io/hostnamereg", "no*", k8s));
	ck_assert(!hsp_selects("kubearmor.io/hostname", "*", c));

	/* all labels must match */
	p = tu_policy(POLICY_KIND_HSP, "h");
	tu_label(p, "kubearmor.io/hostname", "node1");
	tu_label(p, "env", "dev");
	ck_assert(!workload_selects(w, p, &reason));
	ck_assert_ptr_nonnull(reason);
	policy_free(p);

	/* empty nodeSelector: nothing, with a reason */
	p = tu_policy(POLICY_KIND_HSP, "h");
	p->selector.present = true;
	ck_assert(!workload_selects(w, p, &reason));
	ck_assert(strstr(reason, "empty nodeSelector"));
	policy_free(p);
}
END_TEST

START_TEST(test_container_selection)
{
	_cleanup_(workload_freep) Workload *web =
		container("app=web,tier=front,kubearmor.io/container.name=web-1");
	_cleanup_(workload_freep) Workload *nsd =
		container("app=db,io.kubernetes.pod.namespace=prod");
	_cleanup_(workload_freep) Workload *h = host("node1", NULL);
	Workload *bad = NULL;
	Policy *p;

	ck_assert_str_eq(web->name, "web-1");
	ck_assert_ptr_null(web->namespace);
	ck_assert_str_eq(nsd->namespace, "prod");
	ck_assert_int_eq(workload_parse_container("", &bad), -EINVAL);
	ck_assert_int_eq(workload_parse_container("=x", &bad), -EINVAL);
	ck_assert_int_eq(workload_parse_container("x", &bad), -EINVAL);

	p = tu_policy(POLICY_KIND_KSP, "k");
	tu_label(p, "app", "web");
	ck_assert(workload_selects(web, p, NULL));
	ck_assert(!workload_selects(nsd, p, NULL));
	ck_assert(!workload_selects(h, p, NULL));
	tu_label(p, "tier", "front");
	ck_assert(workload_selects(web, p, NULL));
	tu_label(p, "tier", "back");
	ck_assert(!workload_selects(web, p, NULL));
	policy_free(p);

	/* kubearmor.io/container.name: exact names, a bracketed list; never a substring */
	p = tu_policy(POLICY_KIND_KSP, "k");
	tu_label(p, "kubearmor.io/container.name", "[web-0, web-1]");
	ck_assert(workload_selects(web, p, NULL));
	policy_free(p);
	p = tu_policy(POLICY_KIND_KSP, "k");
	tu_label(p, "kubearmor.io/container.name", "web");
	ck_assert(!workload_selects(web, p, NULL));
	policy_free(p);
	p = tu_policy(POLICY_KIND_KSP, "k");
	tu_label(p, "kubearmor.io/container.name", "[]");
	ck_assert(workload_selects(web, p, NULL));
	policy_free(p);

	/* namespace */
	p = tu_policy(POLICY_KIND_KSP, "k");
	p->namespace = tu_strdup("dev");
	tu_label(p, "app", "db");
	ck_assert(!workload_selects(nsd, p, NULL));
	free(p->namespace);
	p->namespace = tu_strdup("prod");
	ck_assert(workload_selects(nsd, p, NULL));
	policy_free(p);

	/* no selector: the whole namespace, or nothing without one */
	p = tu_policy(POLICY_KIND_KSP, "k");
	ck_assert(!workload_selects(web, p, NULL));
	p->namespace = tu_strdup("prod");
	ck_assert(workload_selects(nsd, p, NULL));
	policy_free(p);
}
END_TEST

START_TEST(test_match_expressions)
{
	_cleanup_(workload_freep) Workload *web = container("app=web,tier=front");
	_cleanup_(workload_freep) Workload *db = container("app=db,kubearmor.io/namespace=prod");
	Policy *p, *q;

	/* In, then NotIn on the same key: both apply, whatever their order */
	p = tu_policy(POLICY_KIND_KSP, "k");
	tu_expr(p, "label", SELECTOR_OP_IN, "app=web,app=db");
	tu_expr(p, "label", SELECTOR_OP_NOT_IN, "tier=front");
	q = tu_policy(POLICY_KIND_KSP, "k");
	tu_expr(q, "label", SELECTOR_OP_NOT_IN, "tier=front");
	tu_expr(q, "label", SELECTOR_OP_IN, "app=web,app=db");
	ck_assert(!workload_selects(web, p, NULL));
	ck_assert(!workload_selects(web, q, NULL));
	ck_assert(workload_selects(db, p, NULL));
	ck_assert(workload_selects(db, q, NULL));
	policy_free(p);
	policy_free(q);

	/* CSP: namespaces */
	p = tu_policy(POLICY_KIND_CSP, "c");
	tu_expr(p, "namespace", SELECTOR_OP_IN, "prod,staging");
	ck_assert(workload_selects(db, p, NULL));
	ck_assert(!workload_selects(web, p, NULL));
	policy_free(p);
	p = tu_policy(POLICY_KIND_CSP, "c");
	tu_expr(p, "namespace", SELECTOR_OP_NOT_IN, "prod");
	ck_assert(!workload_selects(db, p, NULL));
	ck_assert(workload_selects(web, p, NULL));
	policy_free(p);
	/* CSP without selector: every container */
	p = tu_policy(POLICY_KIND_CSP, "c");
	ck_assert(workload_selects(web, p, NULL));
	policy_free(p);
}
END_TEST

START_TEST(test_compile_selects)
{
	_cleanup_(workload_freep) Workload *h = host("node1", NULL);
	_cleanup_(workload_freep) Workload *c = container("app=web");
	Policy *hsp = tu_policy(POLICY_KIND_HSP, "hsp"), *ksp = tu_policy(POLICY_KIND_KSP, "ksp");
	Policy *other = tu_policy(POLICY_KIND_HSP, "other");
	const Policy *all[] = {hsp, ksp, other};
	_cleanup_(rule_set_freep) RuleSet *rh = NULL, *rc = NULL;
	RuleDecision d;

	tu_label(hsp, "kubearmor.io/hostname", "*");
	tu_rule(hsp, "cap cap net_raw block");
	tu_label(ksp, "app", "web");
	tu_rule(ksp, "file path /etc/passwd block");
	tu_label(other, "kubearmor.io/hostname", "node2");
	tu_rule(other, "file path /etc/shadow block");

	ck_assert_int_eq(rule_set_compile(all, 3, h, NULL, &rh), 0);
	ck_assert_uint_eq(rh->n_policies, 1);
	ck_assert_ptr_eq(rh->policies[0], hsp);
	/* host capability rules are kept and decided */
	ck_assert_int_eq(
		rule_set_decide(rh, &(RuleOp){.class = RULE_CLASS_CAPABILITY, .capability = 13},
				&d),
		0);
	ck_assert_int_eq(d.verdict, ACTION_BLOCK);
	ck_assert_ptr_eq(d.rule->policy, hsp);

	ck_assert_int_eq(rule_set_compile(all, 3, c, NULL, &rc), 0);
	ck_assert_uint_eq(rc->n_policies, 1);
	ck_assert_ptr_eq(rc->policies[0], ksp);
	ck_assert_int_eq(
		rule_set_decide(rc, &(RuleOp){.class = RULE_CLASS_FILE, .path = "/etc/passwd"}, &d),
		0);
	ck_assert_int_eq(d.verdict, ACTION_BLOCK);
	ck_assert_int_eq(
		rule_set_decide(rc, &(RuleOp){.class = RULE_CLASS_FILE, .path = "/etc/shadow"}, &d),
		0);
	ck_assert_int_eq(d.verdict, ACTION_ALLOW);

	rh = rule_set_free(rh);
	rc = rule_set_free(rc);
	policy_free(hsp);
	policy_free(ksp);
	policy_free(other);
}
END_TEST

static Suite *workload_suite(void)
{
	Suite *s = suite_create("rules/workload");
	TCase *tc = tcase_create("workload");

	tcase_add_test(tc, test_host_workload);
	tcase_add_test(tc, test_host_selection);
	tcase_add_test(tc, test_container_selection);
	tcase_add_test(tc, test_match_expressions);
	tcase_add_test(tc, test_compile_selects);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(workload_suite)
