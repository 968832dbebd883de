/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-decide.c: the reference decision function, row by row against kubearmor-policy(5) DECISION
 * SEMANTICS. Each row is a set of rules (rule i lives in its own policy "p<i>"), optional postures,
 * and operations with the expected verdict and what decided it ("Block p1", "Audit posture",
 * "Allow none"). Every row is compiled twice, policies forward and reversed: the verdict and the
 * deciding rule must not depend on policy order.
 */
#include <stdio.h>
#include <string.h>

#include "check-helpers.h"
#include "rules-test-util.h"

typedef struct Case {
	const char *op;
	const char *expect;
} Case;

typedef struct Row {
	const char *name;
	const char *rules[6];
	const char *postures; /* "file=block net=block cap=block", or NULL for all audit */
	Case cases[8];
} Row;

static const Row rows[] = {
	/* ---- match kinds x actions (file) ---- */
	{"file path block",
	 {"file path /etc/passwd block"},
	 NULL,
	 {{"file /etc/passwd", "Block p0"},
	  {"file /etc/passwd write", "Block p0"},
	  {"file /etc/passwd2", "Allow none"},
	  {"file /etc/shadow", "Allow none"}}},
	{"file path allow (allow-list, audit posture)",
	 {"file path /etc/passwd allow"},
	 NULL,
	 {{"file /etc/passwd", "Allow p0"},
	  {"file /etc/passwd write", "Allow p0"},
	  {"file /etc/shadow", "Audit posture"}}},
	{"file path allow (allow-list, block posture)",
	 {"file path /etc/passwd allow"},
	 "file=block",
	 {{"file /etc/passwd", "Allow p0"}, {"file /etc/shadow", "Block posture"}}},
	{"file path audit",
	 {"file path /etc/passwd audit"},
	 "file=block",
	 {{"file /etc/passwd", "Audit p0"}, {"file /etc/shadow", "Allow none"}}},
	{"file dir non-recursive block",
	 {"file dir /etc/ block"},
	 NULL,
	 {{"file /etc/passwd", "Block p0"},
	  {"file /etc", "Block p0"},
	  {"file /etc/", "Block p0"},
	  {"file /etc/ssh/", "Block p0"},
	  {"file /etc/ssh/sshd_config", "Allow none"},
	  {"file /etcx", "Allow none"},
	  {"file /", "Allow none"}}},
	{"file dir recursive block",
	 {"file rdir /etc/ block"},
	 NULL,
	 {{"file /etc/passwd", "Block p0"},
	  {"file /etc/ssh/sshd_config", "Block p0"},
	  {"file /etc", "Block p0"},
	  {"file /etcfoo/x", "Allow none"}}},
	{"file root dir recursive allow",
	 {"file rdir / allow"},
	 "file=block",
	 {{"file /etc/passwd", "Allow p0"}, {"file /", "Allow p0"}}},
	{"file pattern block (FNM_PATHNAME)",
	 {"file pattern /etc/*.conf block"},
	 NULL,
	 {{"file /etc/a.conf", "Block p0"},
	  {"file /etc/x/a.conf", "Allow none"},
	  {"file /etc/a.confx", "Allow none"}}},
	{"file pattern allow",
	 {"file pattern /home/*/.ssh/* allow"},
	 "file=block",
	 {{"file /home/u/.ssh/id", "Allow p0"}, {"file /home/u/x", "Block posture"}}},
	{"process path/execname/dir",
	 {"process path /bin/sleep block", "process execname nc block", "process dir /sbin/ block",
	  "process rdir /opt/ block"},
	 NULL,
	 {{"process /bin/sleep", "Block p0"},
	  {"process /usr/bin/nc", "Block p1"},
	  {"process /bin/ncat", "Allow none"},
	  {"process /sbin/reboot", "Block p2"},
	  {"process /sbin/x/y", "Allow none"},
	  {"process /opt/a/b/c", "Block p3"},
	  {"process /bin/ls", "Allow none"}}},
	{"process allow-list uses the file posture",
	 {"process path /bin/ls allow"},
	 "file=block net=audit",
	 {{"process /bin/ls", "Allow p0"},
	  {"process /bin/cat", "Block posture"},
	  /* process Allow rules do not put file accesses into allow-list mode */
	  {"file /etc/passwd", "Allow none"}}},
	{"file allow-list does not govern exec",
	 {"file rdir /etc/ allow"},
	 "file=block",
	 {{"file /etc/passwd", "Allow p0"},
	  {"file /tmp/x", "Block posture"},
	  {"process /bin/ls", "Allow none"}}},

	/* ---- fromSource ---- */
	{"block + fromSource",
	 {"file path /etc/passwd block src=/bin/cat"},
	 NULL,
	 {{"file /etc/passwd src=/bin/cat", "Block p0"},
	  {"file /etc/passwd src=/bin/less", "Allow none"},
	  {"file /etc/passwd", "Allow none"}}},
	{"allow + fromSource, audit posture",
	 {"file path /etc/passwd allow src=/bin/cat"},
	 NULL,
	 {{"file /etc/passwd src=/bin/cat", "Allow p0"},
	  {"file /etc/passwd src=/bin/less", "Audit posture"},
	  {"file /etc/hosts src=/bin/cat", "Audit posture"}}},
	{"allow + fromSource, block posture",
	 {"process path /bin/sleep allow src=/bin/bash"},
	 "file=block",
	 {{"process /bin/sleep src=/bin/bash", "Allow p0"},
	  {"process /bin/sleep src=/bin/sh", "Block posture"},
	  {"process /bin/sleep", "Block posture"}}},
	{"audit + fromSource",
	 {"file dir /tmp/ audit src=/bin/cat"},
	 NULL,
	 {{"file /tmp/x src=/bin/cat", "Audit p0"}, {"file /tmp/x src=/bin/dd", "Allow none"}}},
	{"dir + fromSource",
	 {"file rdir /var/ block src=/bin/rm"},
	 NULL,
	 {{"file /var/lib/x write src=/bin/rm", "Block p0"},
	  {"file /var/lib/x write src=/bin/mv", "Allow none"}}},

	/* ---- readOnly ---- */
	{"block + readOnly: only writes are blocked",
	 {"file path /etc/hosts block ro"},
	 NULL,
	 {{"file /etc/hosts", "Allow none"}, {"file /etc/hosts write", "Block p0"}}},
	{"allow + readOnly: reads allowed, writes (also path operations) blocked",
	 {"file rdir /data/ allow ro"},
	 NULL,
	 {{"file /data/a/b", "Allow p0"},
	  {"file /data/a/b write", "Block p0"},
	  {"file /data write", "Block p0"},
	  {"file /other", "Audit posture"}}},
	{"audit + readOnly: only writes are audited",
	 {"file path /etc/hosts audit ro"},
	 NULL,
	 {{"file /etc/hosts", "Allow none"}, {"file /etc/hosts write", "Audit p0"}}},
	{"block + readOnly under a broad allow",
	 {"file rdir / allow", "file rdir /etc/ block ro"},
	 "file=block",
	 {{"file /etc/passwd", "Allow p0"},
	  {"file /etc/passwd write", "Block p1"},
	  {"file /tmp/x write", "Allow p0"}}},

	/* ---- ownerOnly ---- */
	{"block + ownerOnly: only the owner",
	 {"file path /home/u/key block oo"},
	 NULL,
	 {{"file /home/u/key owner", "Allow p0"},
	  {"file /home/u/key owner write", "Allow p0"},
	  {"file /home/u/key", "Block p0"}}},
	{"allow + ownerOnly: non-owners denied, not posture",
	 {"file path /home/u/key allow oo"},
	 NULL,
	 {{"file /home/u/key owner", "Allow p0"}, {"file /home/u/key", "Block p0"}}},
	{"audit + ownerOnly: non-owners audited",
	 {"process path /usr/bin/su audit oo"},
	 NULL,
	 {{"process /usr/bin/su owner", "Allow none"}, {"process /usr/bin/su", "Audit p0"}}},
	{"ownerOnly + readOnly: owner may only read",
	 {"file rdir /home/u/ allow oo ro"},
	 NULL,
	 {{"file /home/u/a owner", "Allow p0"},
	  {"file /home/u/a owner write", "Block p0"},
	  {"file /home/u/a", "Block p0"}}},
	{"block + ownerOnly + readOnly",
	 {"file path /srv/f block oo ro"},
	 NULL,
	 {{"file /srv/f owner", "Allow p0"},
	  {"file /srv/f owner write", "Block p0"},
	  {"file /srv/f", "Block p0"}}},

	/* ---- posture ---- */
	{"no allow rule: posture irrelevant",
	 {"file path /etc/passwd block"},
	 "file=block net=block cap=block",
	 {{"file /etc/shadow", "Allow none"},
	  {"network tcp", "Allow none"},
	  {"cap net_raw", "Allow none"}}},
	{"audit rule in allow-list mode",
	 {"file path /etc/passwd allow", "file path /etc/shadow audit"},
	 NULL,
	 {{"file /etc/shadow", "Audit p1"}, {"file /etc/group", "Audit posture"}}},
	{"audit rule in allow-list mode, block posture",
	 {"file path /etc/passwd allow", "file path /etc/shadow audit"},
	 "file=block",
	 {{"file /etc/shadow", "Block posture"}, {"file /etc/passwd", "Allow p0"}}},

	/* ---- conflicts ---- */
	{"allow and block on one path: block wins",
	 {"file path /etc/passwd allow", "file path /etc/passwd block"},
	 NULL,
	 {{"file /etc/passwd", "Block p1"}}},
	{"block and allow on one path (other order): block wins",
	 {"file path /etc/passwd block", "file path /etc/passwd allow"},
	 NULL,
	 {{"file /etc/passwd", "Block p0"}}},
	{"allow on a directory, block on a file inside",
	 {"file rdir /etc/ allow", "file path /etc/shadow block"},
	 "file=block",
	 {{"file /etc/shadow", "Block p1"},
	  {"file /etc/passwd", "Allow p0"},
	  {"file /tmp/x", "Block posture"}}},
	{"block on a directory, allow on a file inside: the file rule is more specific",
	 {"file rdir /etc/ block", "file path /etc/hostname allow"},
	 NULL,
	 {{"file /etc/hostname", "Allow p1"},
	  {"file /etc/shadow", "Block p0"},
	  {"file /tmp/x", "Audit posture"}}},
	{"deeper directory wins",
	 {"file rdir /a/ allow", "file rdir /a/b/ block", "file rdir /a/b/c/ allow"},
	 "file=block",
	 {{"file /a/x", "Allow p0"},
	  {"file /a/b/x", "Block p1"},
	  {"file /a/b/c/x", "Allow p2"},
	  {"file /a/b/c/d/e", "Allow p2"}}},
	{"non-recursive deeper dir vs recursive shallower",
	 {"file rdir /a/ block", "file dir /a/b/ allow"},
	 NULL,
	 {{"file /a/b/x", "Allow p1"}, {"file /a/b/c/x", "Block p0"}}},
	{"dir and recursive dir on the same directory: block wins",
	 {"file dir /a/ allow", "file rdir /a/ block"},
	 NULL,
	 {{"file /a/x", "Block p1"}, {"file /a/b/x", "Block p1"}}},
	{"exact beats execname beats pattern beats directory",
	 {"process rdir /usr/ block", "process pattern /usr/bin/py* allow",
	  "process execname python3 block", "process path /usr/bin/python3 allow"},
	 NULL,
	 {{"process /usr/bin/python3", "Allow p3"},
	  {"process /usr/local/bin/python3", "Block p2"},
	  {"process /usr/bin/pydoc", "Allow p1"},
	  {"process /usr/bin/ls", "Block p0"}}},
	{"fromSource-scoped beats global",
	 {"file path /etc/passwd block", "file path /etc/passwd allow src=/bin/cat"},
	 NULL,
	 {{"file /etc/passwd src=/bin/cat", "Allow p1"},
	  {"file /etc/passwd src=/bin/less", "Block p0"}}},
	{"fromSource directory rule beats a global exact rule",
	 {"file path /etc/passwd allow", "file dir /etc/ block src=/bin/cat"},
	 NULL,
	 {{"file /etc/passwd src=/bin/cat", "Block p1"}, {"file /etc/passwd", "Allow p0"}}},
	{"audit beside block: block wins",
	 {"file path /etc/passwd audit", "file path /etc/passwd block"},
	 NULL,
	 {{"file /etc/passwd", "Block p1"}}},
	{"audit beside allow: audited",
	 {"file path /etc/passwd allow", "file path /etc/passwd audit"},
	 "file=block",
	 {{"file /etc/passwd", "Audit p1"}}},
	{"a more specific audit never weakens a block",
	 {"file rdir /etc/ block", "file path /etc/passwd audit"},
	 NULL,
	 {{"file /etc/passwd", "Block p0"}}},
	{"a broad audit reports what a specific allow permits",
	 {"file rdir /etc/ audit", "file path /etc/passwd allow"},
	 NULL,
	 {{"file /etc/passwd", "Audit p0"}, {"file /tmp/x", "Audit posture"}}},
	{"two audits: the more specific reports",
	 {"file rdir /etc/ audit", "file path /etc/passwd audit"},
	 NULL,
	 {{"file /etc/passwd", "Audit p1"}, {"file /etc/group", "Audit p0"}}},
	{"equal rules: the first in order reports",
	 {"file path /x block", "file path /x block"},
	 NULL,
	 {{"file /x", "Block p*"}}},

	/* ---- pts ---- */
	{"block + pts:false blocks only on a terminal",
	 {"process path /bin/su block pts"},
	 NULL,
	 {{"process /bin/su tty", "Block p0"}, {"process /bin/su", "Allow none"}}},
	{"allow + pts:false allows only off a terminal",
	 {"process path /bin/su allow pts"},
	 NULL,
	 {{"process /bin/su tty", "Block p0"}, {"process /bin/su", "Allow p0"}}},

	/* ---- allowedArgs ---- */
	{"allow + allowedArgs",
	 {"process path /usr/bin/python3 allow args=-m|random"},
	 "file=block",
	 {{"process /usr/bin/python3 args=-m|random", "Allow p0"},
	  {"process /usr/bin/python3 args=-m|pydoc", "Block posture"},
	  {"process /usr/bin/python3 noargs", "Block posture"},
	  {"process /usr/bin/python3", "Block posture"}}},
	{"block + allowedArgs",
	 {"process path /usr/bin/python3 block args=-m|random"},
	 NULL,
	 {{"process /usr/bin/python3 args=-m|random", "Allow p0"},
	  {"process /usr/bin/python3 args=-c|x", "Block p0"}}},

	/* ---- network ---- */
	{"network tcp block",
	 {"network proto tcp block"},
	 NULL,
	 {{"network 2,1,0", "Block p0"},
	  {"network 2,1,6", "Block p0"},
	  {"network 10,1,0", "Block p0"},
	  {"network 2,2049,0", "Block p0"},
	  {"network 1,1,0", "Allow none"},
	  {"network 2,2,0", "Allow none"}}},
	{"network udp / icmp / icmpv6 / sctp",
	 {"network proto udp block", "network proto icmp block", "network proto icmpv6 block",
	  "network proto sctp block"},
	 NULL,
	 {{"network 2,2,0", "Block p0"},
	  {"network 2,2,1", "Block p1"},
	  {"network 2,3,1", "Block p1"},
	  {"network 10,2,58", "Block p2"},
	  {"network 2,5,0", "Block p3"},
	  {"network 2,1,132", "Block p3"},
	  {"network 2,1,0", "Allow none"}}},
	{"network socket types",
	 {"network proto stream block", "network proto raw block", "network proto packet block"},
	 NULL,
	 {{"network 1,1,0", "Block p0"},
	  {"network 2,3,255", "Block p1"},
	  {"network 17,2,768", "Block p2"},
	  {"network 2,10,0", "Block p2"},
	  {"network 1,2,0", "Allow none"}}},
	{"network all",
	 {"network proto all block"},
	 NULL,
	 {{"network 1,2,0", "Block p0"}, {"network 2,1,0", "Block p0"}}},
	{"network allow-list",
	 {"network proto tcp allow"},
	 "net=block",
	 {{"network tcp", "Allow p0"}, {"network udp", "Block posture"}}},
	{"network: protocol more specific than type; source beats global",
	 {"network proto stream allow", "network proto tcp block",
	  "network proto raw block src=/bin/ping", "network proto all allow"},
	 NULL,
	 {{"network 2,1,0", "Block p1"},
	  {"network 1,1,0", "Allow p0"},
	  {"network 2,3,1 src=/bin/ping", "Block p2"},
	  {"network 2,3,1 src=/bin/x", "Allow p3"}}},
	{"network pts:false",
	 {"network proto raw block pts"},
	 NULL,
	 {{"network raw tty", "Block p0"}, {"network raw", "Allow none"}}},

	/* ---- capabilities (hosts too) ---- */
	{"capability block",
	 {"cap cap net_raw block"},
	 NULL,
	 {{"cap net_raw", "Block p0"}, {"cap net_admin", "Allow none"}}},
	{"capability allow + fromSource, block posture",
	 {"cap cap net_bind_service allow src=/usr/sbin/nginx"},
	 "cap=block",
	 {{"cap net_bind_service src=/usr/sbin/nginx", "Allow p0"},
	  {"cap net_bind_service src=/bin/x", "Block posture"},
	  {"cap sys_admin", "Block posture"}}},
	{"capability audit beside allow",
	 {"cap cap sys_admin allow", "cap cap sys_admin audit"},
	 "cap=block",
	 {{"cap sys_admin", "Audit p1"}}},

	/* ---- DNS ---- */
	{"dns block: the domain and its subdomains",
	 {"dns domain example.com block", "dns domain safe.example.com allow"},
	 NULL,
	 {{"dns www.example.com", "Block p0"},
	  {"dns example.com.", "Block p0"},
	  {"dns EXAMPLE.COM", "Block p0"},
	  {"dns a.safe.example.com", "Allow p1"},
	  {"dns notexample.com", "Audit posture"}}},

	/* ---- syscalls ---- */
	{"syscall rules",
	 {"syscall sys unlink+rmdir,/tmp/ audit", "syscall rsys unlink,/var/ audit",
	  "syscall sys setuid audit src=/bin/su", "syscall sys mount,/mnt/x audit"},
	 NULL,
	 {{"syscall unlink,/tmp/x", "Audit p0"},
	  {"syscall rmdir,/tmp", "Audit p0"},
	  {"syscall unlink,/tmp/a/b", "Allow none"},
	  {"syscall unlink,/var/a/b", "Audit p1"},
	  {"syscall setuid src=/bin/su", "Audit p2"},
	  {"syscall setuid src=/bin/sh", "Allow none"},
	  {"syscall mount,/mnt/x", "Audit p3"},
	  {"syscall mount,/mnt/y", "Allow none"}}},
};

static RulePostures parse_postures(const char *s)
{
	RulePostures p = RULE_POSTURES_DEFAULT;

	if (s) {
		if (strstr(s, "file=block"))
			p.file = ACTION_BLOCK;
		if (strstr(s, "net=block"))
			p.network = ACTION_BLOCK;
		if (strstr(s, "cap=block"))
			p.capabilities = ACTION_BLOCK;
	}
	return p;
}

static void check_row(const Row *row, bool reversed)
{
	Policy *policies[6] = {};
	size_t n = 0;
	RulePostures post = parse_postures(row->postures);
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;

	while (n < ELEMENTSOF(row->rules) && row->rules[n]) {
		char name[8];

		snprintf(name, sizeof name, "p%zu", n);
		policies[n] = tu_policy(POLICY_KIND_HSP, name);
		tu_rule(policies[n], row->rules[n]);
		n++;
	}
	ck_assert_int_eq(rule_set_new(&post, &rs), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(rule_set_add_policy(rs, policies[reversed ? n - 1 - i : i]), 0);
	ck_assert_int_eq(rule_set_seal(rs), 0);

	for (size_t c = 0; c < ELEMENTSOF(row->cases) && row->cases[c].op; c++) {
		TuStore store = {};
		RuleOp op = tu_op(row->cases[c].op, &store);
		RuleDecision d;
		char got[128];

		ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
		snprintf(got, sizeof got, "%s %s", rule_action_to_string(d.verdict),
			 d.decider == RULE_DECIDER_RULE	     ? d.rule->policy->name
			 : d.decider == RULE_DECIDER_POSTURE ? "posture"
							     : "none");
		if (strstr(row->cases[c].expect, "p*")) /* any policy, same verdict */
			ck_assert_msg(strncmp(got, row->cases[c].expect,
					      strlen(row->cases[c].expect) - 2) == 0,
				      "%s%s: '%s': expected '%s', got '%s'", row->name,
				      reversed ? " (reversed)" : "", row->cases[c].op,
				      row->cases[c].expect, got);
		else
			ck_assert_msg(streq(got, row->cases[c].expect),
				      "%s%s: '%s': expected '%s', got '%s'", row->name,
				      reversed ? " (reversed)" : "", row->cases[c].op,
				      row->cases[c].expect, got);
		/* The deciding rule carries its policy's metadata for alerts. */
		if (d.rule)
			ck_assert_ptr_nonnull(d.rule->meta);
		tu_store_done(&store);
	}
	rs = rule_set_free(rs);
	for (size_t i = 0; i < n; i++)
		policy_free(policies[i]);
}

START_TEST(test_rows)
{
	check_row(&rows[_i], false);
	check_row(&rows[_i], true);
}
END_TEST

START_TEST(test_first_of_equal_rules_reports)
{
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	Policy *a = tu_policy(POLICY_KIND_HSP, "a"), *b = tu_policy(POLICY_KIND_HSP, "b");
	RuleOp op = {.class = RULE_CLASS_FILE, .path = "/x"};
	RuleDecision d;

	tu_rule(a, "file path /x block");
	tu_rule(b, "file path /x block");
	ck_assert_int_eq(rule_set_new(NULL, &rs), 0);
	ck_assert_int_eq(rule_set_add_policy(rs, b), 0);
	ck_assert_int_eq(rule_set_add_policy(rs, a), 0);
	ck_assert_int_eq(rule_set_seal(rs), 0);
	ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
	ck_assert_str_eq(d.rule->policy->name, "b");
	ck_assert_int_eq(d.rule->meta->severity, 1);
	ck_assert_str_eq(d.rule->meta->message, "m0");
	rs = rule_set_free(rs);
	policy_free(a);
	policy_free(b);
}
END_TEST

START_TEST(test_compiled_rules)
{
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	Policy *p = tu_policy(POLICY_KIND_HSP, "p");
	const RuleClassSet *f;

	tu_rule(p, "file rdir /etc/ allow ro oo src=/bin/cat");
	tu_rule(p, "file pattern /tmp/*.sock block");
	tu_rule(p, "process execname nc audit");
	tu_rule(p, "network proto TCP block");
	tu_rule(p, "cap cap net_raw block");
	ck_assert_int_eq(
		rule_set_new(&(RulePostures){ACTION_BLOCK, ACTION_AUDIT, ACTION_BLOCK}, &rs), 0);
	ck_assert_int_eq(rule_set_add_policy(rs, p), 0);
	ck_assert_int_eq(rule_set_seal(rs), 0);
	ck_assert_int_eq(rule_set_add_policy(rs, p), -EBUSY);

	f = &rs->classes[RULE_CLASS_FILE];
	ck_assert_uint_eq(f->n_rules, 2);
	ck_assert(f->allow_list);
	ck_assert_int_eq(f->posture, ACTION_BLOCK);
	ck_assert_int_eq(f->rules[0].match, RULE_MATCH_DIR_RECURSIVE);
	ck_assert_str_eq(f->rules[0].target, "/etc/");
	ck_assert_str_eq(f->rules[0].source, "/bin/cat");
	ck_assert(f->rules[0].read_only && f->rules[0].owner_only);
	ck_assert_ptr_eq(f->rules[0].policy, p);
	ck_assert_int_eq(f->rules[1].match, RULE_MATCH_PATTERN);
	ck_assert_ptr_null(f->rules[1].source);

	ck_assert(!rs->classes[RULE_CLASS_PROCESS].allow_list);
	ck_assert_int_eq(rs->classes[RULE_CLASS_PROCESS].posture, ACTION_BLOCK);
	ck_assert_int_eq(rs->classes[RULE_CLASS_PROCESS].rules[0].match, RULE_MATCH_EXECNAME);

	ck_assert_uint_eq(rs->classes[RULE_CLASS_NETWORK].n_rules, 1);
	ck_assert_int_eq(rs->classes[RULE_CLASS_NETWORK].rules[0].net.kind, NET_PROTO_IP);
	ck_assert_int_eq(rs->classes[RULE_CLASS_NETWORK].rules[0].net.value, 6);
	ck_assert_str_eq(rs->classes[RULE_CLASS_NETWORK].rules[0].target, "tcp");
	ck_assert_int_eq(rs->classes[RULE_CLASS_CAPABILITY].rules[0].capability, 13);
	ck_assert_int_eq(rs->classes[RULE_CLASS_CAPABILITY].posture, ACTION_BLOCK);
	rs = rule_set_free(rs);
	policy_free(p);
}
END_TEST

START_TEST(test_bad_input)
{
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	RuleDecision d;

	ck_assert_int_eq(
		rule_set_new(&(RulePostures){ACTION_ALLOW, ACTION_AUDIT, ACTION_AUDIT}, &rs),
		-EINVAL);
	ck_assert_int_eq(rule_set_new(NULL, &rs), 0);
	/* not sealed yet */
	ck_assert_int_eq(rule_set_decide(rs, &(RuleOp){.class = RULE_CLASS_FILE, .path = "/"}, &d),
			 -EINVAL);
	ck_assert_int_eq(rule_set_seal(rs), 0);
	ck_assert_int_eq(rule_set_decide(rs, &(RuleOp){.class = RULE_CLASS_FILE}, &d), -EINVAL);
	ck_assert_int_eq(rule_set_decide(rs, &(RuleOp){.class = _RULE_CLASS_MAX, .path = "/"}, &d),
			 -EINVAL);
	ck_assert_int_eq(
		rule_set_decide(rs, &(RuleOp){.class = RULE_CLASS_DNS, .domain_name = "..."}, &d),
		-EINVAL);
	ck_assert_int_eq(rule_set_decide(rs, &(RuleOp){.class = RULE_CLASS_FILE, .path = ""}, &d),
			 0);
	ck_assert_int_eq(d.verdict, ACTION_ALLOW);
	/* an empty rule set decides Allow by nothing for every class */
	ck_assert_int_eq(
		rule_set_decide(rs, &(RuleOp){.class = RULE_CLASS_CAPABILITY, .capability = 999},
				&d),
		0);
	ck_assert_int_eq(d.decider, RULE_DECIDER_NONE);
}
END_TEST

START_TEST(test_names)
{
	NetProto np;
	int d, t, p;

	ck_assert_int_eq(net_proto_from_name("TCP", &np), 0);
	ck_assert_int_eq(np.kind, NET_PROTO_IP);
	ck_assert_int_eq(net_proto_from_name("tcp6", &np), -EINVAL);
	ck_assert_int_eq(net_socket_from_name("udp", &d, &t, &p), 0);
	ck_assert(d == 2 && t == 2 && p == 17);
	ck_assert_int_eq(net_socket_from_name("10,1,0", &d, &t, &p), 0);
	ck_assert(d == 10 && t == 1 && p == 0);
	ck_assert_int_eq(net_socket_from_name("10,1", &d, &t, &p), -EINVAL);
	ck_assert_int_eq(net_socket_from_name("10,1,0,", &d, &t, &p), -EINVAL);
	ck_assert_int_eq(rules_capability_from_name("CAP_NET_RAW"), 13);
	ck_assert_int_eq(rules_capability_from_name("net_raw"), 13);
	ck_assert_int_eq(rules_capability_from_name("audit_read"), 37);
	ck_assert_int_eq(rules_capability_from_name("nope"), -EINVAL);
	ck_assert_str_eq(rules_capability_to_name(21), "sys_admin");
	ck_assert_ptr_null(rules_capability_to_name(-1));
	ck_assert_int_eq(rules_posture_from_string("Block"), ACTION_BLOCK);
	ck_assert_int_eq(rules_posture_from_string("AUDIT"), ACTION_AUDIT);
	ck_assert_int_eq(rules_posture_from_string("allow"), -EINVAL);
	ck_assert_str_eq(rule_class_to_string(RULE_CLASS_CAPABILITY), "capabilities");
	ck_assert_str_eq(rule_match_to_string(RULE_MATCH_DIR_RECURSIVE), "dir-recursive");
}
END_TEST

static Suite *decide_suite(void)
{
	Suite *s = suite_create("rules/decide");
	TCase *tc = tcase_create("decide");

	tcase_add_loop_test(tc, test_rows, 0, (int)ELEMENTSOF(rows));
	tcase_add_test(tc, test_first_of_equal_rules_reports);
	tcase_add_test(tc, test_compiled_rules);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(decide_suite)
