/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "check-helpers.h"
#include "daemon/conf.h"
#include "daemon/match.h"
#include "policy/policy.h"

static const char *policies = "apiVersion: security.kubearmor.com/v1\n"
			      "kind: KubeArmorHostPolicy\n"
			      "metadata:\n"
			      "  name: audit-secret\n"
			      "spec:\n"
			      "  nodeSelector:\n"
			      "    matchLabels:\n"
			      "      kubearmor.io/hostname: \"*\"\n"
			      "  severity: 5\n"
			      "  tags: [\"T1\", \"T2\"]\n"
			      "  message: secret touched\n"
			      "  file:\n"
			      "    matchPaths:\n"
			      "    - path: /srv/secret\n"
			      "  action: Audit\n"
			      "---\n"
			      "apiVersion: security.kubearmor.com/v1\n"
			      "kind: KubeArmorHostPolicy\n"
			      "metadata:\n"
			      "  name: block-forbidden\n"
			      "spec:\n"
			      "  nodeSelector:\n"
			      "    matchLabels:\n"
			      "      kubearmor.io/hostname: \"*\"\n"
			      "  process:\n"
			      "    matchPaths:\n"
			      "    - path: /usr/bin/forbidden\n"
			      "  action: Block\n"
			      "---\n"
			      "apiVersion: security.kubearmor.com/v1\n"
			      "kind: KubeArmorHostPolicy\n"
			      "metadata:\n"
			      "  name: audit-unlink\n"
			      "spec:\n"
			      "  nodeSelector:\n"
			      "    matchLabels:\n"
			      "      kubearmor.io/hostname: \"*\"\n"
			      "  severity: 2\n"
			      "  syscalls:\n"
			      "    matchSyscalls:\n"
			      "    - syscall:\n"
			      "      - unlink\n"
			      "      - unlinkat\n"
			      "---\n"
			      "apiVersion: security.kubearmor.com/v1\n"
			      "kind: KubeArmorHostPolicy\n"
			      "metadata:\n"
			      "  name: audit-raw\n"
			      "spec:\n"
			      "  nodeSelector:\n"
			      "    matchLabels:\n"
			      "      kubearmor.io/hostname: \"*\"\n"
			      "  network:\n"
			      "    matchProtocols:\n"
			      "    - protocol: raw\n"
			      "      fromSource:\n"
			      "      - path: /usr/bin/ping\n"
			      "  action: Audit\n"
			      "---\n"
			      "apiVersion: security.kubearmor.com/v1\n"
			      "kind: KubeArmorHostPolicy\n"
			      "metadata:\n"
			      "  name: other-host\n"
			      "spec:\n"
			      "  nodeSelector:\n"
			      "    matchLabels:\n"
			      "      kubearmor.io/hostname: elsewhere\n"
			      "  file:\n"
			      "    matchPaths:\n"
			      "    - path: /srv/other\n"
			      "  action: Audit\n";

static PolicyFile *pf;
static Workload *host;
static RuleSet *rs;

static void setup(void)
{
	const Policy *list[8];
	size_t n = 0;

	ck_assert_int_eq(policy_file_parse_buffer("test.yaml", policies, strlen(policies), &pf), 0);
	ck_assert(policy_file_ok(pf));
	for (size_t i = 0; i < pf->n_docs; i++)
		list[n++] = pf->docs[i].policy;
	ck_assert_int_eq(workload_new_host("node1", NULL, &host), 0);
	ck_assert_int_eq(rule_set_compile(list, n, host, &RULE_POSTURES_DEFAULT, &rs), 0);
}

static void teardown(void)
{
	rs = rule_set_free(rs);
	host = workload_free(host);
	pf = policy_file_free(pf);
}

static MonitorEvent base_event(uint16_t type, uint16_t op)
{
	MonitorEvent ev = {.type = type, .op = op};

	ev.proc.pid = 4242;
	ev.proc.ppid = 100;
	ev.proc.ns_pid = 4242;
	ev.proc.ns_ppid = 100;
	ev.proc.uid = 1000;
	strcpy(ev.proc.comm, "cat");
	ev.proc.exe = "/usr/bin/cat";
	ev.proc.args = "/srv/secret";
	ev.proc.parent_exe = "/usr/bin/bash";
	return ev;
}

START_TEST(test_file_audit)
{
	MatchContext ctx;
	MatchRecord out[MATCH_RECORDS_MAX];
	MonitorEvent ev = base_event(AGENT_EVT_FILE, AGENT_OP_OPENAT);
	const Alert *a = &out[0].alert;

	ev.syscall = "SYS_OPENAT";
	ev.args[0] = (uint64_t)(int64_t)-100;
	ev.args[2] = O_RDONLY | O_CLOEXEC;
	ev.path = "/srv/secret";
	ev.ret = 3;

	/* Visibility off: the alert still comes (reference §10.1 fixed). */
	match_context_init(&ctx, rs, 0, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(a->type, ALERT_TYPE_MATCHED_HOST_POLICY);
	ck_assert_str_eq(a->policy_name, "audit-secret");
	ck_assert_int_eq(a->severity, 5);
	ck_assert_str_eq(a->tags[0], "T1");
	ck_assert_str_eq(a->message, "secret touched");
	ck_assert_int_eq(a->operation, ALERT_OP_FILE);
	ck_assert_str_eq(a->resource, "/srv/secret");
	ck_assert_str_eq(a->data, "syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC");
	ck_assert_str_eq(a->process_name, "/usr/bin/cat");
	ck_assert_str_eq(a->parent_process_name, "/usr/bin/bash");
	ck_assert_str_eq(a->source, "/usr/bin/cat");
	ck_assert_int_eq(a->host_pid, 4242);
	ck_assert_int_eq(a->host_ppid, 100);
	ck_assert_uint_eq(a->uid, 1000);
	ck_assert_str_eq(a->enforcer, "eBPF Monitor");
	ck_assert_int_eq(a->action, ALERT_ACTION_AUDIT);
	ck_assert_str_eq(a->result, "Passed");

	/* Another file: telemetry only with file visibility. */
	ev.path = "/srv/public";
	ck_assert_int_eq(match_event(&ctx, &ev, out), 0);
	match_context_init(&ctx, rs, VISIBILITY_FILE, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(a->type, ALERT_TYPE_HOST_LOG);
	ck_assert_ptr_null(a->policy_name);

	/* A policy that selects another host gives nothing. */
	ev.path = "/srv/other";
	match_context_init(&ctx, rs, 0, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 0);

	/* Failed with another errno: not matched. */
	ev.path = "/srv/secret";
	ev.ret = -EISDIR;
	ck_assert_int_eq(match_event(&ctx, &ev, out), 0);
}
END_TEST

static bool never_enforced(const Rule *r, void *userdata)
{
	return false;
}

static bool always_enforced(const Rule *r, void *userdata)
{
	return true;
}

START_TEST(test_process_block_without_enforcer)
{
	MatchContext ctx;
	MatchRecord out[MATCH_RECORDS_MAX];
	MonitorEvent ev = base_event(AGENT_EVT_EXEC, AGENT_OP_NONE);
	const Alert *a = &out[0].alert;

	ev.proc.exe = "/usr/bin/forbidden";
	ev.proc.args = "-x 1";
	ev.filename = "/usr/bin/forbidden";
	ev.argv[0] = "forbidden";
	ev.argv[1] = "-x";
	ev.argv[2] = "1";
	ev.argc = 3;

	match_context_init(&ctx, rs, 0, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_str_eq(a->policy_name, "block-forbidden");
	ck_assert_int_eq(a->operation, ALERT_OP_PROCESS);
	ck_assert_str_eq(a->resource, "/usr/bin/forbidden -x 1");
	ck_assert_str_eq(a->data, "syscall=SYS_EXECVE");
	ck_assert_str_eq(a->source, "/usr/bin/bash");
	/* Nothing blocked it: said so. */
	ck_assert_int_eq(a->action, ALERT_ACTION_AUDIT_BLOCK);
	ck_assert_str_eq(a->result, "Passed");
	ck_assert_str_eq(a->enforcer, "eBPF Monitor");

	/* An enforcer that cannot express the rule: the monitor's alert stays, "Audit (Block)"
	 * since the exec passed. */
	match_context_init(&ctx, rs, 0, "BPFLSM");
	ctx.rule_enforced = never_enforced;
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(a->action, ALERT_ACTION_AUDIT_BLOCK);
	/* An enforcer that decides it in the kernel: its own event is the alert; the monitor's copy
	 * is telemetry (when visible) or nothing. */
	ctx.rule_enforced = always_enforced;
	ck_assert_int_eq(match_event(&ctx, &ev, out), 0);
	match_context_init(&ctx, rs, VISIBILITY_PROCESS, "BPFLSM");
	ctx.rule_enforced = always_enforced;
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(a->type, ALERT_TYPE_HOST_LOG);

	/* An unknown process (exited before it could be looked up): no crash, no ProcessName. */
	ev.proc.exe = "";
	ev.proc.parent_exe = "";
	ev.filename = "";
	match_context_init(&ctx, rs, VISIBILITY_PROCESS, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(a->type, ALERT_TYPE_HOST_LOG);
	ck_assert_ptr_null(a->process_name);
	ck_assert_ptr_null(a->parent_process_name);
}
END_TEST

START_TEST(test_unlink_file_and_syscall)
{
	MatchContext ctx;
	MatchRecord out[MATCH_RECORDS_MAX];
	MonitorEvent ev = base_event(AGENT_EVT_SYSCALL, AGENT_OP_UNLINKAT);

	ev.syscall = "SYS_UNLINKAT";
	ev.path = "/srv/secret";
	ev.args[0] = (uint64_t)(int64_t)-100;
	ev.args[2] = 0;
	ev.ret = 0;
	match_context_init(&ctx, rs, 0, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 2);
	ck_assert_str_eq(out[0].alert.policy_name, "audit-secret");
	ck_assert_int_eq(out[0].alert.operation, ALERT_OP_FILE);
	ck_assert_str_eq(out[0].alert.data, "syscall=SYS_UNLINKAT flags=");
	ck_assert_str_eq(out[1].alert.policy_name, "audit-unlink");
	ck_assert_int_eq(out[1].alert.operation, ALERT_OP_SYSCALL);
	ck_assert_int_eq(out[1].alert.severity, 2);
	ck_assert_str_eq(out[1].alert.resource, "/srv/secret");
	ck_assert_str_eq(out[1].alert.data, "syscall=SYS_UNLINKAT flags=");
	ck_assert_int_eq(out[1].alert.action, ALERT_ACTION_AUDIT);

	ev.path = "/srv/elsewhere";
	ev.args[2] = AT_REMOVEDIR;
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_str_eq(out[0].alert.policy_name, "audit-unlink");
	ck_assert_str_eq(out[0].alert.data, "syscall=SYS_UNLINKAT flags=AT_REMOVEDIR");
}
END_TEST

START_TEST(test_network)
{
	MatchContext ctx;
	MatchRecord out[MATCH_RECORDS_MAX];
	MonitorEvent ev = base_event(AGENT_EVT_NET, AGENT_OP_SOCKET);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};

	ev.syscall = "SYS_SOCKET";
	ev.proc.exe = "/usr/bin/ping";
	ev.args[0] = AF_INET;
	ev.args[1] = SOCK_RAW;
	ev.args[2] = IPPROTO_ICMP;
	ev.ret = 3;
	match_context_init(&ctx, rs, 0, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_str_eq(out[0].alert.policy_name, "audit-raw");
	ck_assert_int_eq(out[0].alert.operation, ALERT_OP_NETWORK);
	ck_assert_str_eq(out[0].alert.resource, "domain=AF_INET type=SOCK_RAW protocol=ICMP");
	ck_assert_str_eq(out[0].alert.data, "syscall=SYS_SOCKET");

	/* fromSource: another program does not match. */
	ev.proc.exe = "/usr/bin/other";
	ck_assert_int_eq(match_event(&ctx, &ev, out), 0);

	ev = base_event(AGENT_EVT_NET, AGENT_OP_CONNECT);
	ev.syscall = "SYS_CONNECT";
	inet_pton(AF_INET, "10.0.0.10", &sin.sin_addr);
	ev.addr = &sin;
	ev.addr_len = sizeof(sin);
	ev.args[0] = 7;
	match_context_init(&ctx, rs, VISIBILITY_NETWORK, NULL);
	ck_assert_int_eq(match_event(&ctx, &ev, out), 1);
	ck_assert_int_eq(out[0].alert.type, ALERT_TYPE_HOST_LOG);
	ck_assert_str_eq(out[0].alert.resource, "sa_family=AF_INET sin_port=53 sin_addr=10.0.0.10");
	ck_assert_str_eq(out[0].alert.data, "syscall=SYS_CONNECT fd=7");
}
END_TEST

START_TEST(test_format_helpers)
{
	char buf[256];

	match_format_open_flags(O_RDONLY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "O_RDONLY");
	match_format_open_flags(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, buf, sizeof(buf));
	ck_assert_str_eq(buf, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	match_format_open_flags(O_RDWR | O_SYNC, buf, sizeof(buf));
	ck_assert_str_eq(buf, "O_RDWR|O_SYNC");
	match_format_open_flags(O_RDONLY | O_DSYNC, buf, sizeof(buf));
	ck_assert_str_eq(buf, "O_RDONLY|O_DSYNC");
	ck_assert_str_eq(match_errno_result(0, buf, sizeof(buf)), "Passed");
	ck_assert_str_eq(match_errno_result(-EACCES, buf, sizeof(buf)), "Permission denied");
	ck_assert_str_eq(match_errno_result(-EPERM, buf, sizeof(buf)), "Operation not permitted");
	ck_assert_str_eq(match_errno_result(-99999, buf, sizeof(buf)), "Unknown error");
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("daemon/match");
	TCase *tc = tcase_create("match");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_audit);
	tcase_add_test(tc, test_process_block_without_enforcer);
	tcase_add_test(tc, test_unlink_file_and_syscall);
	tcase_add_test(tc, test_network);
	tcase_add_test(tc, test_format_helpers);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(match_suite)
