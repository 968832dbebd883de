/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-alert-json.c: alert_to_json() against golden strings (one per operation), the
 * omit-when-empty rules, EventData built from hostile Data strings, UTF-8 repair and truncation,
 * and the fixed vocabulary (Type/Operation/Action strings, MESSAGE_IDs, PRIORITY).
 */
#include <string.h>
#include <syslog.h>

#include "check-helpers.h"
#include "feeder/feeder.h"

/* 2024-06-01T16:39:49.360067Z, the timestamp of the reference's example alert. */
#define TS UINT64_C(1717259989360067)

static char *to_json(const Alert *a)
{
	char *s = NULL;

	ck_assert_int_eq(alert_to_json(a, &s), 0);
	ck_assert_ptr_nonnull(s);
	return s;
}

#define ck_assert_json(alert, expected)                   \
	do {                                              \
		_cleanup_free_ char *_j = to_json(alert); \
		ck_assert_str_eq(_j, expected);           \
	} while (0)

/* The reference's example host alert (§7.2), field for field. */
START_TEST(test_process_block_reference_example)
{
	Alert a = {
		.timestamp_usec = TS,
		.host_name = "kubearmor-dev",
		.host_ppid = 1582,
		.host_pid = 2420,
		.ppid = 1582,
		.pid = 2420,
		.uid = 1000,
		.parent_process_name = "/usr/bin/bash",
		.process_name = "/usr/bin/sleep",
		.policy_name = "hsp-kubearmor-dev-proc-path-block",
		.severity = 1,
		.type = ALERT_TYPE_MATCHED_HOST_POLICY,
		.source = "/usr/bin/bash",
		.operation = ALERT_OP_PROCESS,
		.resource = "/usr/bin/sleep",
		.data = "lsm=SECURITY_BPRM_CHECK",
		.enforcer = "BPFLSM",
		.action = ALERT_ACTION_BLOCK,
		.result = "Permission denied",
		.cwd = "/",
	};

	ck_assert_json(&a,
		       "{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		       "\"HostName\":\"kubearmor-dev\",\"HostPPID\":1582,\"HostPID\":2420,"
		       "\"PPID\":1582,\"PID\":2420,\"UID\":1000,"
		       "\"ParentProcessName\":\"/usr/bin/bash\",\"ProcessName\":\"/usr/bin/sleep\","
		       "\"PolicyName\":\"hsp-kubearmor-dev-proc-path-block\",\"Severity\":\"1\","
		       "\"Type\":\"MatchedHostPolicy\",\"Source\":\"/usr/bin/bash\","
		       "\"Operation\":\"Process\",\"Resource\":\"/usr/bin/sleep\","
		       "\"Data\":\"lsm=SECURITY_BPRM_CHECK\","
		       "\"EventData\":{\"Lsm\":\"SECURITY_BPRM_CHECK\"},\"Enforcer\":\"BPFLSM\","
		       "\"Action\":\"Block\",\"Result\":\"Permission denied\",\"Cwd\":\"/\"}");
}
END_TEST

/* Every field a host agent fills, in §7.1's order, on a container File alert. */
START_TEST(test_file_audit_all_fields)
{
	char *tags[] = {"NIST", "MITRE", NULL};
	Alert a = {
		.timestamp_usec = UINT64_C(1700000000000001),
		.cluster_name = "default",
		.host_name = "node1",
		.node_id = "3d1219c7c4c5404aaa1f6d2a48adfda4",
		.namespace_name = "container_namespace",
		.pod_name = "web",
		.labels = "app=web,tier=front",
		.container_id = "0123456789abcdef",
		.container_name = "web",
		.container_image = "nginx:1.25",
		.host_ppid = 100,
		.host_pid = 101,
		.ppid = 1,
		.pid = 7,
		.uid = 33,
		.parent_process_name = "/bin/sh",
		.process_name = "/bin/cat",
		.policy_name = "audit-passwd",
		.severity = 5,
		.tags = tags,
		.message = "passwd read",
		.type = ALERT_TYPE_MATCHED_POLICY,
		.source = "/bin/cat /etc/passwd",
		.operation = ALERT_OP_FILE,
		.resource = "/etc/passwd",
		.data = "syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC",
		.enforcer = "eBPF Monitor",
		.action = ALERT_ACTION_AUDIT,
		.result = "Passed",
		.cwd = "/",
		.tty = "pts0",
		.exec_id = "4242",
		.executable_name = "cat",
		.user_name = "www-data",
	};

	ck_assert_json(
		&a,
		"{\"Timestamp\":1700000000,\"UpdatedTime\":\"2023-11-14T22:13:20.000001Z\","
		"\"ClusterName\":\"default\",\"HostName\":\"node1\","
		"\"NodeID\":\"3d1219c7c4c5404aaa1f6d2a48adfda4\","
		"\"NamespaceName\":\"container_namespace\",\"PodName\":\"web\","
		"\"Labels\":\"app=web,tier=front\",\"ContainerID\":\"0123456789abcdef\","
		"\"ContainerName\":\"web\",\"ContainerImage\":\"nginx:1.25\","
		"\"HostPPID\":100,\"HostPID\":101,\"PPID\":1,\"PID\":7,\"UID\":33,"
		"\"ParentProcessName\":\"/bin/sh\",\"ProcessName\":\"/bin/cat\","
		"\"PolicyName\":\"audit-passwd\",\"Severity\":\"5\",\"Tags\":\"NIST,MITRE\","
		"\"ATags\":[\"NIST\",\"MITRE\"],\"Message\":\"passwd "
		"read\",\"Type\":\"MatchedPolicy\","
		"\"Source\":\"/bin/cat "
		"/etc/passwd\",\"Operation\":\"File\",\"Resource\":\"/etc/passwd\","
		"\"Data\":\"syscall=SYS_OPENAT fd=-100 flags=O_RDONLY|O_CLOEXEC\","
		"\"EventData\":{\"Syscall\":\"SYS_OPENAT\",\"Fd\":\"-100\",\"Flags\":\"O_RDONLY|O_"
		"CLOEXEC\"},"
		"\"Enforcer\":\"eBPF "
		"Monitor\",\"Action\":\"Audit\",\"Result\":\"Passed\",\"Cwd\":\"/\","
		"\"TTY\":\"pts0\",\"ExecEvent\":{\"ExecID\":\"4242\",\"ExecutableName\":\"cat\"},"
		"\"UserName\":\"www-data\"}");
}
END_TEST

/* Network: EventData takes Data's pairs and then Resource's. */
START_TEST(test_network_event_data_from_resource)
{
	Alert a = {
		.timestamp_usec = TS,
		.host_name = "h",
		.ppid = 1,
		.pid = 50,
		.uid = 0,
		.process_name = "/usr/bin/curl",
		.policy_name = "audit-connect",
		.severity = 3,
		.type = ALERT_TYPE_MATCHED_HOST_POLICY,
		.source = "/usr/bin/curl",
		.operation = ALERT_OP_NETWORK,
		.resource = "sa_family=AF_INET sin_port=53 sin_addr=10.0.0.10",
		.data = "syscall=SYS_CONNECT fd=10",
		.enforcer = "eBPF Monitor",
		.action = ALERT_ACTION_AUDIT,
		.result = "Passed",
	};

	ck_assert_json(
		&a,
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"HostName\":\"h\",\"PPID\":1,\"PID\":50,\"UID\":0,"
		"\"ProcessName\":\"/usr/bin/curl\",\"PolicyName\":\"audit-connect\","
		"\"Severity\":\"3\",\"Type\":\"MatchedHostPolicy\",\"Source\":\"/usr/bin/curl\","
		"\"Operation\":\"Network\","
		"\"Resource\":\"sa_family=AF_INET sin_port=53 sin_addr=10.0.0.10\","
		"\"Data\":\"syscall=SYS_CONNECT fd=10\","
		"\"EventData\":{\"Syscall\":\"SYS_CONNECT\",\"Fd\":\"10\","
		"\"Sa_family\":\"AF_INET\",\"Sin_port\":\"53\",\"Sin_addr\":\"10.0.0.10\"},"
		"\"Enforcer\":\"eBPF Monitor\",\"Action\":\"Audit\",\"Result\":\"Passed\"}");
}
END_TEST

/* Capabilities: the bare capability token in Data is not a pair. */
START_TEST(test_capabilities_block)
{
	Alert a = {
		.timestamp_usec = TS,
		.ppid = 10,
		.pid = 11,
		.uid = 1000,
		.process_name = "/usr/bin/ping",
		.policy_name = "block-raw",
		.severity = 8,
		.type = ALERT_TYPE_MATCHED_HOST_POLICY,
		.source = "/usr/bin/ping",
		.operation = ALERT_OP_CAPABILITIES,
		.resource = "CAP_NET_RAW",
		.data = "lsm=CAPABLE CAP_NET_RAW",
		.enforcer = "BPFLSM",
		.action = ALERT_ACTION_BLOCK,
		.result = "Operation not permitted",
	};

	ck_assert_json(&a,
		       "{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		       "\"PPID\":10,\"PID\":11,\"UID\":1000,\"ProcessName\":\"/usr/bin/ping\","
		       "\"PolicyName\":\"block-raw\",\"Severity\":\"8\","
		       "\"Type\":\"MatchedHostPolicy\",\"Source\":\"/usr/bin/ping\","
		       "\"Operation\":\"Capabilities\",\"Resource\":\"CAP_NET_RAW\","
		       "\"Data\":\"lsm=CAPABLE CAP_NET_RAW\",\"EventData\":{\"Lsm\":\"CAPABLE\"},"
		       "\"Enforcer\":\"BPFLSM\",\"Action\":\"Block\","
		       "\"Result\":\"Operation not permitted\"}");
	ck_assert_int_eq(alert_priority(&a), LOG_ERR);
}
END_TEST

/* Syscall: Resource empty (omitted), Data with mount arguments. */
START_TEST(test_syscall_audit)
{
	Alert a = {
		.timestamp_usec = TS,
		.ppid = 1,
		.pid = 2,
		.uid = 0,
		.process_name = "/usr/bin/mount",
		.policy_name = "audit-mount",
		.type = ALERT_TYPE_MATCHED_HOST_POLICY,
		.operation = ALERT_OP_SYSCALL,
		.data = "syscall=SYS_MOUNT source=/dev/sda1 target=/mnt filesystem=ext4 "
			"mountflag=0 data=",
		.enforcer = "eBPF Monitor",
		.action = ALERT_ACTION_AUDIT,
		.result = "Passed",
	};

	ck_assert_json(
		&a,
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"PPID\":1,\"PID\":2,\"UID\":0,\"ProcessName\":\"/usr/bin/mount\","
		"\"PolicyName\":\"audit-mount\",\"Type\":\"MatchedHostPolicy\","
		"\"Operation\":\"Syscall\","
		"\"Data\":\"syscall=SYS_MOUNT source=/dev/sda1 target=/mnt filesystem=ext4 "
		"mountflag=0 data=\","
		"\"EventData\":{\"Syscall\":\"SYS_MOUNT\",\"Source\":\"/dev/sda1\","
		"\"Target\":\"/mnt\",\"Filesystem\":\"ext4\",\"Mountflag\":\"0\",\"Data\":\"\"},"
		"\"Enforcer\":\"eBPF Monitor\",\"Action\":\"Audit\",\"Result\":\"Passed\"}");
	ck_assert_int_eq(alert_priority(&a), LOG_NOTICE);
}
END_TEST

/* The throttling notice: Type SystemEvent, Operation AlertThreshold, the two parameters. */
START_TEST(test_alert_threshold)
{
	Alert a = {
		.timestamp_usec = TS,
		.host_name = "h",
		.policy_name = "p",
		.message = "Alert threshold reached",
		.type = ALERT_TYPE_SYSTEM_EVENT,
		.operation = ALERT_OP_ALERT_THRESHOLD,
		.max_alerts_per_sec = 10,
		.dropping_alerts_interval = 30,
	};

	ck_assert_json(&a,
		       "{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		       "\"HostName\":\"h\",\"PPID\":0,\"UID\":0,\"PolicyName\":\"p\","
		       "\"Message\":\"Alert threshold reached\",\"Type\":\"SystemEvent\","
		       "\"Operation\":\"AlertThreshold\",\"MaxAlertsPerSec\":10,"
		       "\"DroppingAlertsInterval\":30}");
	ck_assert_int_eq(alert_priority(&a), LOG_WARNING);
}
END_TEST

/* Telemetry (HostLog) without policy: no PolicyName, Severity, Action. */
START_TEST(test_host_log)
{
	Alert a = {
		.timestamp_usec = TS,
		.ppid = 1,
		.pid = 3,
		.uid = 0,
		.process_name = "/usr/bin/ls",
		.type = ALERT_TYPE_HOST_LOG,
		.source = "/usr/bin/bash",
		.operation = ALERT_OP_PROCESS,
		.resource = "/usr/bin/ls -la",
		.data = "syscall=SYS_EXECVE",
		.result = "Passed",
	};

	ck_assert_json(
		&a, "{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		    "\"PPID\":1,\"PID\":3,\"UID\":0,\"ProcessName\":\"/usr/bin/ls\","
		    "\"Type\":\"HostLog\",\"Source\":\"/usr/bin/bash\",\"Operation\":\"Process\","
		    "\"Resource\":\"/usr/bin/ls -la\",\"Data\":\"syscall=SYS_EXECVE\","
		    "\"EventData\":{\"Syscall\":\"SYS_EXECVE\"},\"Result\":\"Passed\"}");
	ck_assert_int_eq(alert_priority(&a), LOG_INFO);
}
END_TEST

/* Only Type, PPID and UID survive an otherwise empty record; "" counts as empty; negative PIDs and
 * uids above INT32_MAX keep their values. */
START_TEST(test_omit_empty)
{
	char *no_tags[] = {NULL};
	char *empty_tags[] = {"", NULL};
	Alert a = {.type = ALERT_TYPE_CONTAINER_LOG};

	ck_assert_json(&a, "{\"PPID\":0,\"UID\":0,\"Type\":\"ContainerLog\"}");

	a = (Alert){
		.type = ALERT_TYPE_CONTAINER_LOG,
		.cluster_name = "",
		.host_name = "",
		.container_id = "",
		.tags = no_tags,
		.message = "",
		.data = "",
		.exec_id = "",
		.executable_name = "",
		.action = ALERT_ACTION_NONE,
		.operation = ALERT_OP_NONE,
		.severity = 0,
		.uid = 4294967294U,
		.ppid = -1,
	};
	ck_assert_json(&a, "{\"PPID\":-1,\"UID\":4294967294,\"Type\":\"ContainerLog\"}");

	/* Only Network resources are parsed for EventData: a file name with '=' is not a pair. */
	{
		Alert f = {.type = ALERT_TYPE_HOST_LOG,
			   .operation = ALERT_OP_FILE,
			   .resource = "/tmp/x k=v"};
		ck_assert_json(&f,
			       "{\"PPID\":0,\"UID\":0,\"Type\":\"HostLog\",\"Operation\":\"File\","
			       "\"Resource\":\"/tmp/x k=v\"}");
	}

	a.tags = empty_tags;
	a.data = "no pairs here";
	a.executable_name = "sh";
	ck_assert_json(&a, "{\"PPID\":-1,\"UID\":4294967294,\"Type\":\"ContainerLog\","
			   "\"Data\":\"no pairs here\",\"ExecEvent\":{\"ExecutableName\":\"sh\"}}");
}
END_TEST

START_TEST(test_invalid_type)
{
	Alert a = {.type = ALERT_TYPE_NONE};
	char *s = NULL;

	ck_assert_int_eq(alert_to_json(&a, &s), -EINVAL);
	ck_assert_ptr_null(s);
	a.type = _ALERT_TYPE_MAX;
	ck_assert_int_eq(alert_to_json(&a, &s), -EINVAL);
	a.type = (AlertType)-3;
	ck_assert_int_eq(alert_to_json(&a, &s), -EINVAL);
}
END_TEST

/* Hostile Data: the prefix of each expected string is fixed, only EventData varies. */
static const struct {
	const char *data;
	const char *event_data; /* NULL = no EventData */
} hostile[] = {
	{"", NULL},
	{" ", NULL},
	{"   ", NULL},
	{"=", NULL},
	{"=value", NULL},
	{"noequals", NULL},
	{"a=", "{\"A\":\"\"}"},
	{"a=b=c", "{\"A\":\"b=c\"}"},
	{"a==", "{\"A\":\"=\"}"},
	{"  a=1  b=2  ", "{\"A\":\"1\",\"B\":\"2\"}"},
	/* the first occurrence wins: a later, smuggled key cannot override */
	{"syscall=SYS_OPEN process=/tmp/x syscall=SYS_FAKE",
	 "{\"Syscall\":\"SYS_OPEN\",\"Process\":\"/tmp/x\"}"},
	/* key case: capitalised once, distinct keys stay distinct */
	{"Fd=1 fd=2", "{\"Fd\":\"1\"}"},
	{"_x=1 9=2", "{\"_x\":\"1\",\"9\":\"2\"}"},
	/* keys outside [A-Za-z0-9_] are skipped, values are free */
	{"a-b=1 a.b=2 \"q\"=3 k=\"v\\\"", "{\"K\":\"\\\"v\\\\\\\"\"}"},
	{"é=1 ok=é", "{\"Ok\":\"é\"}"},
	{"k=\x01\x1f\x7f", "{\"K\":\"\\u0001\\u001F\x7f\"}"},
	/* tabs and newlines are not separators; they stay in values (escaped) */
	{"a=1\tb=2\nc=3", "{\"A\":\"1\\tb=2\\nc=3\"}"},
	/* invalid UTF-8 in a value becomes U+FFFD per byte */
	{"p=/tmp/\xff\xfe", "{\"P\":\"/tmp/\xef\xbf\xbd\xef\xbf\xbd\"}"},
	{"p=\xc3", "{\"P\":\"\xef\xbf\xbd\"}"},
	{"p=\xed\xa0\x80", "{\"P\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}"},
	{"p=\xc0\xaf", "{\"P\":\"\xef\xbf\xbd\xef\xbf\xbd\"}"},
	{"p=\xf4\x90\x80\x80", "{\"P\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}"},
	/* overlong 4-byte and 3-byte forms */
	{"p=\xf0\x8f\xbf\xbf", "{\"P\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}"},
	{"p=\xe0\x9f\xbf", "{\"P\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}"},
};

static char *json_escape_for_test(const char *s)
{
	/* The Data field as alert_to_json() writes it, built independently for the cases above:
	 * only
	 * '"', '\\', control characters and invalid UTF-8 need care, and the table's Data strings
	 * use each of them in a way this simple mapping covers. */
	size_t n = strlen(s);
	char *o = malloc(n * 6 + 1), *p = o;

	ck_assert_ptr_nonnull(o);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c == '\t')
			p = stpcpy(p, "\\t");
		else if (c == '\n')
			p = stpcpy(p, "\\n");
		else if (c < 0x20)
			p += sprintf(p, "\\u%04X", c);
		else
			*p++ = (char)c;
	}
	*p = 0;
	return o;
}

START_TEST(test_event_data_hostile)
{
	const char *data = hostile[_i].data;
	const char *ed = hostile[_i].event_data;
	Alert a = {.type = ALERT_TYPE_HOST_LOG, .data = data};
	_cleanup_free_ char *j = to_json(&a);
	_cleanup_free_ char *expected = NULL;
	const char *p;

	ck_assert_ptr_nonnull(j);
	/* Check EventData exactly; Data is checked by the other tests and only located here. */
	p = strstr(j, ",\"EventData\":");
	if (!ed) {
		ck_assert_msg(p == NULL, "case %d: unexpected EventData in %s", _i, j);
		return;
	}
	ck_assert_msg(p != NULL, "case %d: no EventData in %s", _i, j);
	ck_assert_int_ge(asprintf(&expected, ",\"EventData\":%s}", ed), 0);
	ck_assert_str_eq(p, expected);

	/* Data with only valid UTF-8 is copied verbatim (escaped). */
	if (!strpbrk(data, "\xff\xc3\xed\xc0\xf4\xf0\xe0")) {
		_cleanup_free_ char *esc = json_escape_for_test(data);
		_cleanup_free_ char *frag = NULL;
		ck_assert_int_ge(asprintf(&frag, "\"Data\":\"%s\"", esc), 0);
		ck_assert_msg(strstr(j, frag), "case %d: %s not in %s", _i, frag, j);
	}
}
END_TEST

/* More pairs than ALERT_EVENT_DATA_MAX and an over-long key. */
START_TEST(test_event_data_limits)
{
	char data[4096] = "", key[ALERT_EVENT_KEY_MAX + 2];
	_cleanup_free_ char *j = NULL;
	char *p = data;
	Alert a = {.type = ALERT_TYPE_HOST_LOG, .data = data};

	for (unsigned i = 0; i < ALERT_EVENT_DATA_MAX + 10; i++)
		p += sprintf(p, "k%u=%u ", i, i);
	j = to_json(&a);
	ck_assert_ptr_nonnull(strstr(j, "\"K31\":\"31\"}"));
	ck_assert_ptr_null(strstr(j, "\"K32\""));

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = 0; /* ALERT_EVENT_KEY_MAX + 1 characters */
	snprintf(data, sizeof(data), "%s=1 %.*s=2", key, (int)ALERT_EVENT_KEY_MAX, key);
	free(j);
	j = to_json(&a);
	{
		_cleanup_free_ char *expected = NULL;
		ck_assert_int_ge(asprintf(&expected, "\"EventData\":{\"K%.*s\":\"2\"}",
					  (int)ALERT_EVENT_KEY_MAX - 1, key),
				 0);
		ck_assert_ptr_nonnull(strstr(j, expected));
	}
}
END_TEST

/* Invalid UTF-8 in ordinary string fields is repaired, not fatal. */
START_TEST(test_invalid_utf8_fields)
{
	char *tags[] = {"ok",
			"b\xe9"
			"d",
			NULL};
	Alert a = {
		.type = ALERT_TYPE_MATCHED_HOST_POLICY,
		.resource = "/tmp/caf\xe9",
		.process_name = "/tmp/\xf0\x9f\x98\x80", /* valid 4-byte sequence stays */
		.tags = tags,
	};

	ck_assert_json(
		&a, "{\"PPID\":0,\"UID\":0,\"ProcessName\":\"/tmp/\xf0\x9f\x98\x80\","
		    "\"Tags\":\"ok,b\xef\xbf\xbd"
		    "d\",\"ATags\":[\"ok\",\"b\xef\xbf\xbd"
		    "d\"],\"Type\":\"MatchedHostPolicy\",\"Resource\":\"/tmp/caf\xef\xbf\xbd\"}");
}
END_TEST

/* Strings over ALERT_STRING_MAX are cut, never inside a UTF-8 sequence. */
START_TEST(test_truncation)
{
	size_t n = ALERT_STRING_MAX + 100;
	_cleanup_free_ char *big = malloc(n + 1), *j = NULL;
	Alert a = {.type = ALERT_TYPE_HOST_LOG, .resource = big};
	const char *start, *end;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n);
	big[n] = 0;
	/* A 3-byte character straddling the limit: bytes MAX-1, MAX, MAX+1. */
	memcpy(big + ALERT_STRING_MAX - 1, "\xe2\x82\xac", 3);

	j = to_json(&a);
	start = strstr(j, "\"Resource\":\"");
	ck_assert_ptr_nonnull(start);
	start += strlen("\"Resource\":\"");
	end = strchr(start, '"');
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_eq((size_t)(end - start), ALERT_STRING_MAX - 1);
	ck_assert_int_eq(start[ALERT_STRING_MAX - 2], 'a');
}
END_TEST

START_TEST(test_vocabulary)
{
	ck_assert_str_eq(alert_type_to_string(ALERT_TYPE_MATCHED_HOST_POLICY), "MatchedHostPolicy");
	ck_assert_str_eq(alert_type_to_string(ALERT_TYPE_MATCHED_POLICY), "MatchedPolicy");
	ck_assert_str_eq(alert_type_to_string(ALERT_TYPE_HOST_LOG), "HostLog");
	ck_assert_str_eq(alert_type_to_string(ALERT_TYPE_CONTAINER_LOG), "ContainerLog");
	ck_assert_str_eq(alert_type_to_string(ALERT_TYPE_SYSTEM_EVENT), "SystemEvent");
	ck_assert_ptr_null(alert_type_to_string(ALERT_TYPE_NONE));
	ck_assert_ptr_null(alert_type_to_string(_ALERT_TYPE_MAX));

	for (int op = 1; op < _ALERT_OP_MAX; op++)
		ck_assert_int_eq(alert_operation_from_string(alert_operation_to_string(op)), op);
	for (int t = 1; t < _ALERT_TYPE_MAX; t++)
		ck_assert_int_eq(alert_type_from_string(alert_type_to_string(t)), t);
	for (int ac = 1; ac < _ALERT_ACTION_MAX; ac++)
		ck_assert_int_eq(alert_action_from_string(alert_action_to_string(ac)), ac);
	ck_assert_str_eq(alert_action_to_string(ALERT_ACTION_AUDIT_BLOCK), "Audit (Block)");
	ck_assert_str_eq(alert_operation_to_string(ALERT_OP_NETWORK_FIREWALL), "NetworkFirewall");
	ck_assert_int_eq(alert_action_from_string("block"), -EINVAL);
	ck_assert_int_eq(alert_action_from_string(NULL), -EINVAL);
	ck_assert_int_eq(alert_operation_from_string(""), -EINVAL);

	/* MESSAGE_IDs: one per type, 32 lowercase hex digits, all distinct. */
	for (int t = 1; t < _ALERT_TYPE_MAX; t++) {
		const char *id = alert_type_message_id(t);
		ck_assert_ptr_nonnull(id);
		ck_assert_uint_eq(strlen(id), 32);
		ck_assert_uint_eq(strspn(id, "0123456789abcdef"), 32);
		for (int u = 1; u < t; u++)
			ck_assert_str_ne(id, alert_type_message_id(u));
	}
	ck_assert_ptr_null(alert_type_message_id(ALERT_TYPE_NONE));
}
END_TEST

START_TEST(test_priority)
{
	Alert a = {.type = ALERT_TYPE_MATCHED_POLICY, .action = ALERT_ACTION_BLOCK, .severity = 6};

	ck_assert_int_eq(alert_priority(&a), LOG_WARNING);
	a.severity = 7;
	ck_assert_int_eq(alert_priority(&a), LOG_ERR);
	a.severity = 10;
	ck_assert_int_eq(alert_priority(&a), LOG_ERR);
	a.action = ALERT_ACTION_AUDIT_BLOCK;
	ck_assert_int_eq(alert_priority(&a), LOG_NOTICE);
	a.action = ALERT_ACTION_AUDIT;
	ck_assert_int_eq(alert_priority(&a), LOG_NOTICE);
	a.type = ALERT_TYPE_CONTAINER_LOG;
	ck_assert_int_eq(alert_priority(&a), LOG_INFO);
	a.type = ALERT_TYPE_SYSTEM_EVENT;
	ck_assert_int_eq(alert_priority(&a), LOG_WARNING);
	a.type = ALERT_TYPE_MATCHED_HOST_POLICY;
	a.action = ALERT_ACTION_BLOCK;
	a.severity = 0;
	ck_assert_int_eq(alert_priority(&a), LOG_WARNING);
}
END_TEST

static Suite *alert_json_suite(void)
{
	Suite *s = suite_create("feeder/alert-json");
	TCase *tc = tcase_create("golden");

	tcase_add_test(tc, test_process_block_reference_example);
	tcase_add_test(tc, test_file_audit_all_fields);
	tcase_add_test(tc, test_network_event_data_from_resource);
	tcase_add_test(tc, test_capabilities_block);
	tcase_add_test(tc, test_syscall_audit);
	tcase_add_test(tc, test_alert_threshold);
	tcase_add_test(tc, test_host_log);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_omit_empty);
	tcase_add_test(tc, test_invalid_type);
	tcase_add_loop_test(tc, test_event_data_hostile, 0, (int)ELEMENTSOF(hostile));
	tcase_add_test(tc, test_event_data_limits);
	tcase_add_test(tc, test_invalid_utf8_fields);
	tcase_add_test(tc, test_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("vocabulary");
	tcase_add_test(tc, test_vocabulary);
	tcase_add_test(tc, test_priority);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(alert_json_suite)
