/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-aa-render.c: quoting of policy strings, the rendered profiles against golden files
 * (golden/NAME.yaml → golden/NAME.profile; AA_GOLDEN_UPDATE=1 rewrites them), rule statuses and the
 * decoding of AppArmor audit records.
 */
#include <errno.h>
#include <glob.h>
#include <sys/socket.h>

#include "aa-test-util.h"

static char *quote(const char *s)
{
	char *out = NULL, err[AA_ERROR_MAX];

	if (aa_quote_literal(s, NULL, &out, err) < 0)
		return NULL;
	return out;
}

static char *glob_q(const char *s)
{
	char *out = NULL, err[AA_ERROR_MAX];

	if (aa_quote_glob(s, &out, err) < 0)
		return NULL;
	return out;
}

START_TEST(test_quote_literal)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{"/etc/passwd", "\"/etc/passwd\""},
		{"/a b", "\"/a b\""},
		{"/a\"b", "\"/a\\\"b\""},
		{"/a\\b", "\"/a\\\\b\""},
		{"/**", "\"/\\*\\*\""},
		{"/a?[b]", "\"/a\\?\\[b\\]\""},
		{"/{a,b}", "\"/\\{a\\,b\\}\""},
		{"/@{HOME}", "\"/\\@\\{HOME\\}\""},
		{"/x^y", "\"/x\\^y\""},
		{"/x,y", "\"/x\\,y\""},
		{"/x -> /y", "\"/x -> /y\""},
		{"/x#y", "\"/x#y\""},
		{"/${x}", "\"/\\$\\{x\\}\""},
		{"/caf\xc3\xa9", "\"/caf\xc3\xa9\""},
	};
	static const char *const bad[] = {"", "relative", "/a\nb", "/a\tb", "/a\rb", "/\x7f"};
	char err[AA_ERROR_MAX];
	char *out;

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *q = quote(ok[i].in);

		ck_assert_msg(q && streq(q, ok[i].out), "%s → %s", ok[i].in, q ?: "(null)");
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		out = NULL;
		ck_assert_int_eq(aa_quote_literal(bad[i], NULL, &out, err), -EINVAL);
		ck_assert_ptr_null(out);
		ck_assert(strlen(err) > 0);
	}
	ck_assert_int_eq(aa_quote_literal(NULL, NULL, &out, err), -EINVAL);
	{
		char *big = malloc(AA_PATH_MAX + 2);

		memset(big, 'a', AA_PATH_MAX + 1);
		big[0] = '/';
		big[AA_PATH_MAX + 1] = 0;
		ck_assert_int_eq(aa_quote_literal(big, NULL, &out, err), -EINVAL);
		ck_assert(strstr(err, "longer"));
		free(big);
	}
	ck_assert_int_eq(aa_quote_literal("/etc/", "{,**}", &out, err), 0);
	ck_assert_str_eq(out, "\"/etc/{,**}\"");
	free(out);
}
END_TEST

START_TEST(test_quote_glob)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{"/etc/*shadow*", "\"/etc/*shadow*\""},
		{"/var/**/x", "\"/var/*/x\""}, /* FNM_PATHNAME: "**" is "*" */
		{"/a?b", "\"/a?b\""},
		{"/id_[!.]*", "\"/id_[^.]*\""},
		{"/x[a-z0-9]", "\"/x[a-z0-9]\""},
		{"/x[]a]", "\"/x[\\]a]\""},
		{"/x[-a]", "\"/x[\\-a]\""},
		{"/x\\*y", "\"/x\\*y\""}, /* fnmatch escape: a literal '*' */
		{"/x[ab", "\"/x\\[ab\""}, /* unclosed: literal '[' */
		{"/a{b,c}", "\"/a\\{b\\,c\\}\""},
		{"/a\"b", "\"/a\\\"b\""},
		{"/@{x}", "\"/\\@\\{x\\}\""},
		{"/x[]", "\"/x\\[\\]\""}, /* no closing bracket after the member ']' */
	};
	static const char *const bad[] = {"etc/*",   "*/x",	"/x[[:alpha:]]",
					  "/x[a\"]", "/x[a,b]", "/a\nb"};
	char err[AA_ERROR_MAX];
	char *out;

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *q = glob_q(ok[i].in);

		ck_assert_msg(q && streq(q, ok[i].out), "%s → %s", ok[i].in, q ?: "(null)");
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		out = NULL;
		ck_assert_msg(aa_quote_glob(bad[i], &out, err) == -EINVAL, "%s accepted", bad[i]);
		ck_assert_ptr_null(out);
	}
}
END_TEST

START_TEST(test_profile_names)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	ck_assert_int_eq(aa_profile_name_for_source("/usr/bin/bash", &a), 0);
	ck_assert(strneq(a, "kubearmor-host-usr-bin-bash-", 28));
	ck_assert_int_eq(strlen(a), 28 + 8);
	/* Different paths with the same slug get different names. */
	ck_assert_int_eq(aa_profile_name_for_source("/usr/bin-bash", &b), 0);
	ck_assert_str_ne(a, b);
	/* Hostile characters never reach the name. */
	ck_assert_int_eq(aa_profile_name_for_source("/x\" { }\n//&profile evil", &c), 0);
	ck_assert_uint_eq(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(c));
	ck_assert_int_eq(aa_profile_name_for_source("/", &d), 0);
	ck_assert(strneq(d, "kubearmor-host-", 15));
}
END_TEST

static void check_golden(const char *yaml)
{
	_cleanup_free_ char *expected_path = NULL, *expected = NULL;
	AaCase c;
	size_t l = strlen(yaml);

	ck_assert(l > 5 && streq(yaml + l - 5, ".yaml"));
	ck_assert(asprintf(&expected_path, "%.*s.profile", (int)(l - 5), yaml) > 0);
	ck_assert_msg(aa_case_from_file(&c, yaml), "%s: rejected by the policy parser", yaml);
	if (getenv("AA_GOLDEN_UPDATE")) {
		FILE *f = fopen(expected_path, "we");

		ck_assert_ptr_nonnull(f);
		fputs(c.text, f);
		fclose(f);
	}
	expected = aa_read_file(expected_path, NULL);
	ck_assert_msg(expected, "missing golden file %s", expected_path);
	ck_assert_msg(streq(expected, c.text), "%s differs from the rendering:\n%s", expected_path,
		      c.text);
	/* Same input, same text. */
	{
		AaRender *again = NULL;

		ck_assert_int_eq(aa_render_host(c.rs, NULL, &again), 0);
		ck_assert_str_eq(again->text, c.render->text);
		aa_render_free(again);
	}
	aa_case_done(&c);
}

START_TEST(test_goldens)
{
	glob_t g;

	ck_assert_int_eq(glob(AA_TEST_DIR "/golden/*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 10);
	for (size_t i = 0; i < g.gl_pathc; i++)
		check_golden(g.gl_pathv[i]);
	globfree(&g);
}
END_TEST

/* Finds the rule of class `cls` whose target is `target` (and source `source`, may be NULL). */
static const Rule *find_rule(const RuleSet *rs, RuleClass cls, const char *target,
			     const char *source)
{
	for (size_t i = 0; i < rs->classes[cls].n_rules; i++) {
		const Rule *r = &rs->classes[cls].rules[i];

		if (streq(r->target ?: "", target) &&
		    ((!source && !r->source) || (source && r->source && streq(source, r->source))))
			return r;
	}
	return NULL;
}

static RuleEnforcement status_of(const AaCase *c, RuleClass cls, const char *target,
				 const char *source, const char **reason)
{
	const Rule *r = find_rule(c->rs, cls, target, source);

	ck_assert_msg(r, "no rule %s", target);
	return aa_render_rule_status(c->render, r, reason);
}

START_TEST(test_statuses)
{
	AaCase c;
	const char *reason;

	ck_assert(aa_case_from_file(&c, AA_TEST_DIR "/golden/unsupported.yaml"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_PROCESS, "/usr/bin/python3", NULL, &reason),
			 RULE_MONITOR_ONLY);
	ck_assert(strstr(reason, "allowedArgs"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_PROCESS, "/usr/bin/top", NULL, &reason),
			 RULE_MONITOR_ONLY);
	ck_assert(strstr(reason, "pts"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_PROCESS, "/usr/bin/ls", NULL, &reason),
			 RULE_AUDIT_ONLY);
	ck_assert_int_eq(status_of(&c, RULE_CLASS_NETWORK, "sctp", "/usr/bin/socat", &reason),
			 RULE_MONITOR_ONLY);
	ck_assert_int_eq(status_of(&c, RULE_CLASS_DNS, "example.com", "/usr/bin/curl", &reason),
			 RULE_MONITOR_ONLY);
	ck_assert(strstr(reason, "DNS"));
	/* Nothing of it reaches the profile. */
	ck_assert_ptr_null(strstr(c.render->text, "python3"));
	ck_assert_ptr_null(strstr(c.render->text, "socat"));
	aa_case_done(&c);

	ck_assert(aa_case_from_file(&c, AA_TEST_DIR "/golden/conflicts.yaml"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_FILE, "/etc/hostname", NULL, &reason),
			 RULE_MONITOR_ONLY);
	ck_assert(strstr(reason, "precedence"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_FILE, "/etc/", NULL, &reason), RULE_ENFORCED);
	/* The source's own Allow overrides the global Block in the source's profile. */
	ck_assert_int_eq(status_of(&c, RULE_CLASS_FILE, "/etc/shadow", "/usr/bin/passwd", &reason),
			 RULE_MONITOR_ONLY);
	aa_case_done(&c);

	ck_assert(aa_case_from_file(&c, AA_TEST_DIR "/golden/from-source.yaml"));
	ck_assert_int_eq(status_of(&c, RULE_CLASS_PROCESS, "/usr/bin/sleep", "/usr/bin/bash", NULL),
			 RULE_ENFORCED);
	ck_assert_uint_eq(c.render->n_profiles, 2);
	ck_assert_str_eq(c.render->profiles[0].name, "kubearmor-host");
	ck_assert_str_eq(c.render->profiles[1].source, "/usr/bin/bash");
	aa_case_done(&c);
}
END_TEST

static char *canon_usr(const char *path, void *userdata)
{
	char *r = NULL;

	if (strneq(path, "/bin/", 5) && asprintf(&r, "/usr%s", path) < 0)
		return NULL;
	return r;
}

START_TEST(test_canonical_paths)
{
	static const char yaml[] = "apiVersion: security.kubearmor.com/v1\n"
				   "kind: KubeArmorHostPolicy\n"
				   "metadata:\n  name: merged-usr\n"
				   "spec:\n  nodeSelector:\n    matchLabels:\n"
				   "      kubearmor.io/hostname: \"*\"\n"
				   "  process:\n    matchPaths:\n    - path: /bin/sleep\n"
				   "      fromSource:\n      - path: /bin/bash\n"
				   "  action: Block\n";
	AaCase c;
	AaRenderOptions o = {.canonicalize = canon_usr};
	AaRender *r = NULL;

	ck_assert(aa_case_from_buffer(&c, "t.yaml", yaml, strlen(yaml)));
	ck_assert_int_eq(aa_render_host(c.rs, &o, &r), 0);
	ck_assert_msg(strstr(r->text, "audit deny \"/bin/sleep\" x,"), "%s", r->text);
	ck_assert(strstr(r->text, "audit deny \"/usr/bin/sleep\" x,"));
	ck_assert(strstr(r->text, "\"/{bin/bash,usr/bin/bash}\""));
	aa_render_free(r);
	aa_case_done(&c);
}
END_TEST

START_TEST(test_audit_parse)
{
	static const char file_rec[] =
		"audit(1700000000.123:456): apparmor=\"DENIED\" operation=\"open\" class=\"file\" "
		"profile=\"kubearmor-host\" name=\"/etc/shadow\" pid=4242 comm=\"cat\" "
		"requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=0";
	/* name hex-encoded by the kernel because of the space: "/tmp/a b" */
	static const char hex_rec[] =
		"audit(1700000000.123:457): apparmor=\"DENIED\" operation=\"mknod\" "
		"profile=\"kubearmor-host-usr-bin-bash-0badcafe\" name=2F746D702F612062 pid=7 "
		"comm=\"touch\" requested_mask=\"c\" denied_mask=\"c\" fsuid=0 ouid=0";
	static const char exec_rec[] = "audit(1700000000.1:9): apparmor=\"DENIED\" "
				       "operation=\"exec\" profile=\"kubearmor-host\" "
				       "name=\"/usr/bin/sleep\" pid=99 comm=\"bash\" "
				       "requested_mask=\"x\" denied_mask=\"x\" "
				       "fsuid=0 ouid=0";
	static const char net_rec[] =
		"audit(1.2:3): apparmor=\"DENIED\" operation=\"create\" profile=\"kubearmor-host\" "
		"pid=5 comm=\"ping\" family=\"inet\" sock_type=\"raw\" protocol=1 "
		"requested_mask=\"create\" denied_mask=\"create\"";
	static const char cap_rec[] = "audit(1.2:4): apparmor=\"DENIED\" operation=\"capable\" "
				      "profile=\"kubearmor-host\" "
				      "pid=6 comm=\"ping\" capability=13  capname=\"net_raw\"";
	static const char other_rec[] =
		"audit(1.2:5): apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/cupsd\" "
		"name=\"/etc/shadow\" pid=8 comm=\"cupsd\" requested_mask=\"r\" denied_mask=\"r\"";
	static const char lookalike_rec[] =
		"audit(1.2:5): apparmor=\"DENIED\" operation=\"open\" "
		"profile=\"kubearmor-hostile\" "
		"name=\"/etc/shadow\" pid=8 comm=\"x\" requested_mask=\"r\" denied_mask=\"r\"";
	AaAuditRecord rec;
	EnforcerEvent ev;
	char scratch[4][4096];

	ck_assert_int_eq(aa_audit_parse(file_rec, strlen(file_rec), &rec), 0);
	ck_assert(aa_audit_is_ours(&rec));
	ck_assert_str_eq(rec.name, "/etc/shadow");
	ck_assert_int_eq(rec.pid, 4242);
	ck_assert_int_eq(aa_audit_to_event(&rec, NULL, &ev, scratch), 0);
	ck_assert_int_eq(ev.class, RULE_CLASS_FILE);
	ck_assert_int_eq(ev.action, ACTION_BLOCK);
	ck_assert_int_eq(ev.error, EACCES);
	ck_assert_int_eq(ev.access, RULE_ACCESS_READ);
	ck_assert_int_eq(ev.uid, 1000);
	ck_assert_str_eq(ev.resource, "/etc/shadow");
	ck_assert(strstr(ev.data, "operation=open"));

	ck_assert_int_eq(aa_audit_parse(hex_rec, strlen(hex_rec), &rec), 0);
	ck_assert_str_eq(rec.name, "/tmp/a b");
	ck_assert(aa_audit_is_ours(&rec));
	ck_assert_int_eq(aa_audit_to_event(&rec, NULL, &ev, scratch), 0);
	ck_assert_int_eq(ev.access, RULE_ACCESS_WRITE);

	ck_assert_int_eq(aa_audit_parse(exec_rec, strlen(exec_rec), &rec), 0);
	ck_assert_int_eq(aa_audit_to_event(&rec, NULL, &ev, scratch), 0);
	ck_assert_int_eq(ev.class, RULE_CLASS_PROCESS);
	ck_assert_str_eq(ev.resource, "/usr/bin/sleep");

	ck_assert_int_eq(aa_audit_parse(net_rec, strlen(net_rec), &rec), 0);
	ck_assert_int_eq(aa_audit_to_event(&rec, NULL, &ev, scratch), 0);
	ck_assert_int_eq(ev.class, RULE_CLASS_NETWORK);
	ck_assert_int_eq(ev.domain, AF_INET);
	ck_assert_int_eq(ev.type, SOCK_RAW);
	ck_assert_int_eq(ev.protocol, 1);
	ck_assert_str_eq(ev.resource, "domain=AF_INET type=SOCK_RAW protocol=ICMP");

	ck_assert_int_eq(aa_audit_parse(cap_rec, strlen(cap_rec), &rec), 0);
	ck_assert_int_eq(aa_audit_to_event(&rec, NULL, &ev, scratch), 0);
	ck_assert_int_eq(ev.class, RULE_CLASS_CAPABILITY);
	ck_assert_int_eq(ev.capability, 13);
	ck_assert_int_eq(ev.error, EPERM);
	ck_assert_str_eq(ev.resource, "CAP_NET_RAW");

	ck_assert_int_eq(aa_audit_parse(other_rec, strlen(other_rec), &rec), 0);
	ck_assert(!aa_audit_is_ours(&rec));
	ck_assert_int_eq(aa_audit_parse(lookalike_rec, strlen(lookalike_rec), &rec), 0);
	ck_assert(!aa_audit_is_ours(&rec));
	ck_assert_int_eq(aa_audit_parse("audit(1.2:3): pid=1", 19, &rec), -EINVAL);
	/* Truncated records never read past their length. */
	for (size_t l = 0; l < strlen(file_rec); l++)
		(void)aa_audit_parse(file_rec, l, &rec);
}
END_TEST

START_TEST(test_loader_guards)
{
	char *reason = NULL;
	FILE *f;
	char buf[8] = "";

	/* Only names we generate are ever removed, and never a path. */
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "docker-default"), -EINVAL);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-hostile"), -EINVAL);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-host\n"), -EINVAL);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-host-../x"), -EINVAL);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-host-A"), -EINVAL);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-host"), -ENOENT);
	ck_assert_int_eq(aa_remove_profile("/nonexistent", "kubearmor-host-usr-bin-0badcafe"),
			 -ENOENT);

	/* probe() agrees with the kernel's switch and always says why not. */
	f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = 0;
		fclose(f);
	}
	if (buf[0] != 'Y') {
		ck_assert_int_lt(enforcer_apparmor_ops.probe(&reason), 0);
		ck_assert_ptr_nonnull(reason);
		ck_assert(strlen(reason) > 10);
		free(reason); /* allocated: enforcer_select() frees it */
	}
	ck_assert_str_eq(enforcer_apparmor_ops.name, "apparmor");
	ck_assert_str_eq(enforcer_apparmor_ops.display, "AppArmor");
}
END_TEST

static Suite *aa_render_suite(void)
{
	Suite *s = suite_create("apparmor-render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_quote_literal);
	tcase_add_test(tc, test_quote_glob);
	tcase_add_test(tc, test_profile_names);
	tcase_add_test(tc, test_goldens);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_canonical_paths);
	tcase_add_test(tc, test_audit_parse);
	tcase_add_test(tc, test_loader_guards);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(aa_render_suite)
