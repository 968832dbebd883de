/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-aa-parser.c: what apparmor_parser makes of the rendered profiles.
 * - Every golden profile compiles (apparmor_parser -Q -T -K).
 * - The hostile suite (hostile/NN-*.yaml, written by hostile/generate.py, plus policies whose
 * strings are set after parsing so that they bypass the policy parser): each policy is rejected by
 * the policy parser, or rejected rule by rule by the renderer, or rendered harmless: the profile
 *   compiles, its profile names (-N) are exactly those the renderer reports, its preprocessed text
 *   (-p) holds exactly that many profiles, and no rule expression (-D rule-exprs) names a path of
 *   /kubearmor-injected.
 * Skipped (77) without apparmor_parser.
 */
#include <glob.h>

#include "aa-test-util.h"

#define ARGV(...) ((char *const[]){__VA_ARGS__, NULL})

static unsigned n_parser_rejected, n_rule_rejected, n_rendered;

/* Profile names printed by -N, without the parser's notices. */
static char **names_of(const char *out)
{
	char **l = NULL;
	_cleanup_free_ char *copy = strdup(out);
	char *save = NULL;

	ck_assert_ptr_nonnull(copy);
	for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (strneq(t, "Cache read/write disabled", 25) || !*t)
			continue;
		ck_assert_int_eq(strv_extend(&l, t), 0);
	}
	return l;
}

static void check_compiles(const char *what, const char *text, const AaRender *render)
{
	_cleanup_free_ char *out = NULL, *names_out = NULL, *pre = NULL;
	_cleanup_strv_free_ char **names = NULL;
	char *path = aa_write_tmp(text);
	unsigned n_profile_lines = 0;
	int r;

	r = aa_run_parser(ARGV("-Q", "-T", "-K", "-D", "rule-exprs"), path, &out);
	ck_assert_msg(r == 0, "%s: apparmor_parser rejected the rendering (rc %d):\n%s\n%s", what,
		      r, out, text);
	/* No rule expression starts with the injection marker. */
	ck_assert_msg(!strstr(out, "aare: /kubearmor-injected"), "%s: injected rule:\n%s", what,
		      text);
	ck_assert_msg(!strstr(out, "aare: /kubearmor\\-injected"), "%s: injected rule", what);

	if (render) {
		r = aa_run_parser(ARGV("-N"), path, &names_out);
		ck_assert_int_eq(r, 0);
		names = names_of(names_out);
		ck_assert_msg(strv_length(names) == render->n_profiles,
			      "%s: %zu profiles parsed, %zu rendered:\n%s", what,
			      strv_length(names), render->n_profiles, names_out);
		for (size_t i = 0; i < render->n_profiles; i++)
			ck_assert_msg(strv_contains(names, render->profiles[i].name),
				      "%s: profile %s missing", what, render->profiles[i].name);
		STRV_FOREACH(n, names)
		ck_assert_msg(!strstr(*n, "injected"), "%s: injected profile %s", what, *n);

		r = aa_run_parser(ARGV("-p"), path, &pre);
		ck_assert_int_eq(r, 0);
		for (const char *p = pre; p; p = strchr(p, '\n')) {
			if (*p == '\n')
				p++;
			if (strneq(p, "profile ", 8))
				n_profile_lines++;
		}
		ck_assert_msg(n_profile_lines == render->n_profiles, "%s: %u profile headers in -p",
			      what, n_profile_lines);
	}
	unlink(path);
	free(path);
}

START_TEST(test_goldens_compile)
{
	glob_t g;

	ck_assert_int_eq(glob(AA_TEST_DIR "/golden/*.yaml", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		AaCase c;

		ck_assert(aa_case_from_file(&c, g.gl_pathv[i]));
		check_compiles(g.gl_pathv[i], c.text, c.render);
		aa_case_done(&c);
	}
	globfree(&g);
}
END_TEST

/* Every rule is enforced, or not enforced with a reason. */
static bool check_statuses(const AaCase *c)
{
	bool rejected = false;

	for (int k = 0; k < _RULE_CLASS_MAX; k++)
		for (size_t i = 0; i < c->rs->classes[k].n_rules; i++) {
			const char *reason = NULL;
			RuleEnforcement s = aa_render_rule_status(
				c->render, &c->rs->classes[k].rules[i], &reason);

			if (s == RULE_MONITOR_ONLY) {
				ck_assert_ptr_nonnull(reason);
				rejected = rejected || strstr(reason, "rejected");
			}
		}
	return rejected;
}

static void hostile_case(AaCase *c, const char *what)
{
	if (check_statuses(c))
		n_rule_rejected++;
	else
		n_rendered++;
	check_compiles(what, c->text, c->render);
}

START_TEST(test_hostile_files)
{
	glob_t g;

	ck_assert_int_eq(glob(AA_TEST_DIR "/hostile/*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 50);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		AaCase c;
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;

		if (!aa_case_from_file(&c, g.gl_pathv[i])) {
			printf("  %-40s rejected by the policy parser\n", base);
			n_parser_rejected++;
		} else {
			unsigned before = n_rule_rejected;

			hostile_case(&c, base);
			printf("  %-40s %s\n", base,
			       n_rule_rejected > before ? "rule rejected by the renderer"
							: "rendered harmless");
		}
		aa_case_done(&c);
	}
	globfree(&g);
}
END_TEST

/* Policies that passed the parser, with strings replaced afterwards: the renderer alone must hold.
 */
static void set_str(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
	ck_assert_ptr_nonnull(*field);
}

static const char base_yaml[] = "apiVersion: security.kubearmor.com/v1\n"
				"kind: KubeArmorHostPolicy\n"
				"metadata:\n  name: base\n"
				"spec:\n  nodeSelector:\n    matchLabels:\n"
				"      kubearmor.io/hostname: \"*\"\n"
				"  file:\n    matchPaths:\n    - path: /etc/shadow\n"
				"      fromSource:\n      - path: /usr/bin/cat\n"
				"  process:\n    matchPaths:\n    - execname: sleep\n"
				"    matchPatterns:\n    - pattern: /tmp/*\n"
				"  action: Block\n";

enum { F_NAME, F_FILE, F_PATH, F_SOURCE, F_EXECNAME, F_PATTERN };

static void mutated(int field, const char *value)
{
	PolicyFile *pf = NULL;
	Policy *p;
	_cleanup_(workload_freep) Workload *w = NULL;
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	AaCase c = {};
	FILE *f;
	size_t tl = 0;

	ck_assert_int_eq(policy_file_parse_buffer("base.yaml", base_yaml, strlen(base_yaml), &pf),
			 0);
	ck_assert(policy_file_ok(pf));
	p = pf->docs[0].policy;
	switch (field) {
	case F_NAME:
		set_str(&p->name, value);
		break;
	case F_FILE:
		set_str(&p->file, value);
		break;
	case F_PATH:
		set_str(&p->file_rules[0].value, value);
		break;
	case F_SOURCE:
		set_str(&p->file_rules[0].sources[0].path, value);
		break;
	case F_EXECNAME:
		set_str(&p->process[0].value, value);
		break;
	case F_PATTERN:
		set_str(&p->process[1].value, value);
		break;
	}
	c.pf = pf;
	ck_assert_int_eq(workload_new_host("testhost", NULL, &c.w), 0);
	c.policies = calloc(1, sizeof(Policy *));
	c.policies[0] = p;
	c.n_policies = 1;
	ck_assert_int_eq(rule_set_compile(c.policies, 1, c.w, NULL, &c.rs), 0);
	ck_assert_int_eq(aa_render_host(c.rs, NULL, &c.render), 0);
	f = open_memstream(&c.text, &tl);
	fputs(c.render->text, f);
	ck_assert_int_eq(aa_render_report(c.render, c.rs, f), 0);
	fclose(f);
	hostile_case(&c, value);
	aa_case_done(&c);
}

START_TEST(test_hostile_bypassing_parser)
{
	static const char inj[] = "/kubearmor-injected/** rwlkix,";
	char buf[512];

	mutated(F_NAME, "x\n}\nprofile kubearmor-injected /** {\n  /kubearmor-injected/** rw,\n#");
	mutated(F_NAME, "x\r/kubearmor-injected/** rw,");
	mutated(F_FILE, "/etc/x.yaml\n/kubearmor-injected/** rw,\n");
	snprintf(buf, sizeof buf, "/etc/shadow\n  %s\n", inj);
	mutated(F_PATH, buf);
	mutated(F_PATH, "etc/relative");
	mutated(F_PATH, "/etc/sh\x01"
			"adow");
	mutated(F_PATH, "");
	snprintf(buf, sizeof buf, "/usr/bin/cat\n  %s", inj);
	mutated(F_SOURCE, buf);
	mutated(F_SOURCE, "relative/cat");
	mutated(F_SOURCE, "/usr/bin/c\"a{t,}");
	mutated(F_EXECNAME, "a/b");
	snprintf(buf, sizeof buf, "sleep\n  %s", inj);
	mutated(F_EXECNAME, buf);
	mutated(F_PATTERN, "/tmp/*\n  /kubearmor-injected/** rw,");
	mutated(F_PATTERN, "/tmp/[\x01]");
	printf("hostile: %u rejected by the policy parser, %u with rules rejected by the renderer, "
	       "%u rendered harmless\n",
	       n_parser_rejected, n_rule_rejected, n_rendered);
}
END_TEST

static Suite *aa_parser_suite(void)
{
	Suite *s = suite_create("apparmor-parser");
	TCase *tc = tcase_create("parser");

	tcase_add_test(tc, test_goldens_compile);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_hostile_bypassing_parser);
	tcase_set_timeout(tc, 280);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!aa_have_parser()) {
		printf("SKIP: apparmor_parser is not installed (package apparmor)\n");
		return 77;
	}
	sr = srunner_create(aa_parser_suite());
	/* One process: the summary counts span the tests. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
