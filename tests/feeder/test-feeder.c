/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-feeder.c: the feeder without journald: journal fields of each record (callback sink),
 * defaults, throttling with deterministic time (counts, the AlertThreshold notice, suppression
 * summaries, key separation, idle keys, the key-table limit), the JSON-lines fallback when the sink
 * refuses records, the stdout sink, and lost-record accounting.
 */
#include <fcntl.h>
#include <string.h>
#include <syslog.h>

#include "check-helpers.h"
#include "feeder/feeder.h"

#define SEC	 UINT64_C(1000000)
#define T0	 (UINT64_C(1000) * SEC) /* monotonic start, far from 0 */
#define REALTIME UINT64_C(1717259989360067)

typedef struct Recorded {
	char *json;
	int priority;
	size_t n_fields;
	char *names[FEEDER_FIELDS_MAX];
	char *values[FEEDER_FIELDS_MAX];
} Recorded;

typedef struct Recorder {
	Recorded rec[256];
	size_t n;
	size_t calls;
	int fail_with;	 /* when < 0, refuse records with this error */
	int instance;	 /* returned for accepted records: the sink instance id */
	bool count_only; /* count calls, store nothing */
} Recorder;

static int record_cb(const FeederRecord *rec, void *userdata)
{
	Recorder *r = userdata;
	Recorded *o;

	r->calls++;
	if (r->fail_with < 0)
		return r->fail_with;
	if (r->count_only)
		return r->instance;
	ck_assert_uint_lt(r->n, ELEMENTSOF(r->rec));
	o = &r->rec[r->n++];
	o->json = strdup(rec->json);
	o->priority = rec->priority;
	o->n_fields = rec->n_fields;
	for (size_t i = 0; i < rec->n_fields; i++) {
		o->names[i] = strdup(rec->fields[i].name);
		o->values[i] = strdup(rec->fields[i].value);
	}
	return r->instance;
}

static uint64_t fixed_realtime(void *userdata)
{
	return REALTIME;
}

static void recorder_done(Recorder *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rec[i].json);
		for (size_t k = 0; k < r->rec[i].n_fields; k++) {
			free(r->rec[i].names[k]);
			free(r->rec[i].values[k]);
		}
	}
	r->n = 0;
}

static const char *field(const Recorded *rec, const char *name)
{
	for (size_t i = 0; i < rec->n_fields; i++)
		if (streq(rec->names[i], name))
			return rec->values[i];
	return NULL;
}

static Feeder *new_feeder(Recorder *r, void (*tweak)(FeederOptions *o))
{
	FeederOptions o;
	Feeder *f = NULL;

	feeder_options_init(&o);
	o.sink = FEEDER_SINK_CALLBACK;
	o.callback = record_cb;
	o.userdata = r;
	o.realtime_usec = fixed_realtime;
	o.cluster_name = "default";
	o.host_name = "node1";
	o.node_id = "abcd";
	o.fallback_fd = -1;
	if (tweak)
		tweak(&o);
	ck_assert_int_eq(feeder_new(&o, &f), 0);
	ck_assert_ptr_nonnull(f);
	return f;
}

static const Alert block_alert = {
	.timestamp_usec = REALTIME,
	.container_id = "c0ffee",
	.ppid = 1,
	.pid = 2,
	.uid = 0,
	.process_name = "/bin/cat",
	.policy_name = "block-secrets",
	.severity = 8,
	.type = ALERT_TYPE_MATCHED_POLICY,
	.operation = ALERT_OP_FILE,
	.resource = "/etc/shadow",
	.action = ALERT_ACTION_BLOCK,
	.result = "Permission denied",
};

START_TEST(test_record_fields)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
	static const char *const expected[][2] = {
		{"MESSAGE", NULL}, /* checked below */
		{"PRIORITY", "3"},
		{"SYSLOG_IDENTIFIER", "kubearmor"},
		{"MESSAGE_ID", FEEDER_MESSAGE_ID_MATCHED_POLICY},
		{"KUBEARMOR_TYPE", "MatchedPolicy"},
		{"KUBEARMOR_POLICY", "block-secrets"},
		{"KUBEARMOR_ACTION", "Block"},
		{"KUBEARMOR_OPERATION", "File"},
		{"KUBEARMOR_RESOURCE", "/etc/shadow"},
		{"KUBEARMOR_SEVERITY", "8"},
		{"KUBEARMOR_CONTAINER_ID", "c0ffee"},
		{"KUBEARMOR_SEQ", "1"},
	};
	FeederStats st;

	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.rec[0].n_fields, ELEMENTSOF(expected));
	for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
		ck_assert_str_eq(r.rec[0].names[i], expected[i][0]);
		if (expected[i][1])
			ck_assert_str_eq(r.rec[0].values[i], expected[i][1]);
	}
	ck_assert_int_eq(r.rec[0].priority, LOG_ERR);
	/* MESSAGE is the JSON; defaults filled from the options. */
	ck_assert_str_eq(field(&r.rec[0], "MESSAGE"), r.rec[0].json);
	ck_assert_str_eq(
		r.rec[0].json,
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"ClusterName\":\"default\",\"HostName\":\"node1\",\"NodeID\":\"abcd\","
		"\"ContainerID\":\"c0ffee\",\"PPID\":1,\"PID\":2,\"UID\":0,"
		"\"ProcessName\":\"/bin/cat\",\"PolicyName\":\"block-secrets\",\"Severity\":\"8\","
		"\"Type\":\"MatchedPolicy\",\"Operation\":\"File\",\"Resource\":\"/etc/shadow\","
		"\"Action\":\"Block\",\"Result\":\"Permission denied\"}");

	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.records, 1);
	ck_assert_uint_eq(st.sent_callback, 1);
	ck_assert_uint_eq(st.sent_journal + st.sent_fallback + st.lost + st.suppressed, 0);
	recorder_done(&r);
}
END_TEST

/* Telemetry without policy: only the fields that have values; a timestamp of 0 means "now";
 * explicit host names win over the defaults. */
START_TEST(test_record_fields_telemetry)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
	Alert a = {
		.host_name = "explicit",
		.policy_name = "", /* empty counts as absent */
		.container_id = "",
		.type = ALERT_TYPE_HOST_LOG,
		.operation = ALERT_OP_PROCESS,
		.resource = "/usr/bin/ls",
	};

	ck_assert_int_eq(feeder_send_at(f, &a, T0), 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.rec[0].n_fields, 8);
	ck_assert_str_eq(field(&r.rec[0], "KUBEARMOR_SEQ"), "1");
	ck_assert_str_eq(field(&r.rec[0], "PRIORITY"), "6");
	ck_assert_str_eq(field(&r.rec[0], "MESSAGE_ID"), FEEDER_MESSAGE_ID_HOST_LOG);
	ck_assert_str_eq(field(&r.rec[0], "KUBEARMOR_TYPE"), "HostLog");
	ck_assert_str_eq(field(&r.rec[0], "KUBEARMOR_OPERATION"), "Process");
	ck_assert_str_eq(field(&r.rec[0], "KUBEARMOR_RESOURCE"), "/usr/bin/ls");
	ck_assert_ptr_null(field(&r.rec[0], "KUBEARMOR_POLICY"));
	ck_assert_ptr_null(field(&r.rec[0], "KUBEARMOR_SEVERITY"));
	ck_assert_ptr_null(field(&r.rec[0], "KUBEARMOR_CONTAINER_ID"));
	ck_assert_str_eq(
		r.rec[0].json,
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"ClusterName\":\"default\",\"HostName\":\"explicit\",\"NodeID\":\"abcd\","
		"\"PPID\":0,\"UID\":0,\"Type\":\"HostLog\",\"Operation\":\"Process\","
		"\"Resource\":\"/usr/bin/ls\"}");

	a.type = ALERT_TYPE_NONE;
	ck_assert_int_eq(feeder_send_at(f, &a, T0), -EINVAL);
	ck_assert_uint_eq(r.n, 1);
	recorder_done(&r);
}
END_TEST

/* An over-long resource is bounded in the journal field too. */
START_TEST(test_record_field_bounded)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
	_cleanup_free_ char *big = malloc(ALERT_STRING_MAX * 2 + 1);
	Alert a = block_alert;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', ALERT_STRING_MAX * 2);
	big[ALERT_STRING_MAX * 2] = 0;
	a.resource = big;
	ck_assert_int_eq(feeder_send_at(f, &a, T0), 0);
	ck_assert_uint_eq(strlen(field(&r.rec[0], "KUBEARMOR_RESOURCE")), ALERT_STRING_MAX);
	recorder_done(&r);
}
END_TEST

static size_t count_type(const Recorder *r, const char *type)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (streq(field(&r->rec[i], "KUBEARMOR_TYPE"), type))
			n++;
	return n;
}

START_TEST(test_throttle_counts)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
	FeederStats st;
	const Recorded *t;
	uint64_t now = T0;

	/* 10 in one second pass; the 11th trips the throttle. */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(feeder_send_at(f, &block_alert, now + (uint64_t)i * 1000), 0);
	ck_assert_uint_eq(r.n, 10);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, now + 500000), FEEDER_SUPPRESSED);
	ck_assert_uint_eq(r.n, 11);

	/* The notice: SystemEvent/AlertThreshold naming the key and the parameters. */
	t = &r.rec[10];
	ck_assert_str_eq(
		t->json,
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"ClusterName\":\"default\",\"HostName\":\"node1\",\"NodeID\":\"abcd\","
		"\"ContainerID\":\"c0ffee\",\"PPID\":0,\"UID\":0,\"PolicyName\":\"block-secrets\","
		"\"Message\":\"Alert threshold reached: more than 10 alerts per second, "
		"suppressing for 30 s\",\"Type\":\"SystemEvent\",\"Operation\":\"AlertThreshold\","
		"\"MaxAlertsPerSec\":10,\"DroppingAlertsInterval\":30}");
	ck_assert_int_eq(t->priority, LOG_WARNING);
	ck_assert_str_eq(field(t, "MESSAGE_ID"), FEEDER_MESSAGE_ID_SYSTEM_EVENT);
	ck_assert_str_eq(field(t, "KUBEARMOR_OPERATION"), "AlertThreshold");

	/* Everything else during the next 30 s is suppressed and counted. */
	for (int i = 0; i < 99; i++)
		ck_assert_int_eq(feeder_send_at(f, &block_alert, now + SEC + (uint64_t)i * 250000),
				 FEEDER_SUPPRESSED);
	ck_assert_uint_eq(r.n, 11);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.records, 110);
	ck_assert_uint_eq(st.suppressed, 100);
	ck_assert_uint_eq(st.suppressed_reported, 0);
	ck_assert_uint_eq(st.threshold_events, 1);
	ck_assert_uint_eq(st.sent_callback, 11);

	/* The periodic flush reports them once. */
	ck_assert_int_eq(feeder_flush(f, now + 10 * SEC), 1);
	ck_assert_uint_eq(r.n, 12);
	t = &r.rec[11];
	ck_assert_str_eq(field(t, "KUBEARMOR_SUPPRESSED"), "100");
	ck_assert_str_eq(field(t, "KUBEARMOR_POLICY"), "block-secrets");
	ck_assert_str_eq(field(t, "KUBEARMOR_CONTAINER_ID"), "c0ffee");
	ck_assert_str_eq(field(t, "KUBEARMOR_TYPE"), "SystemEvent");
	ck_assert_ptr_nonnull(
		strstr(t->json, "\"Message\":\"100 alerts suppressed by throttling\""));
	ck_assert_ptr_nonnull(strstr(t->json, "\"Data\":\"suppressed=100\","
					      "\"EventData\":{\"Suppressed\":\"100\"}"));
	ck_assert_int_eq(feeder_flush(f, now + 11 * SEC), 0);
	ck_assert_uint_eq(r.n, 12);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.suppressed_reported, 100);
	ck_assert_uint_eq(st.summaries, 1);

	/* Still inside the 30 s: suppressed. At 30 s after the trip alerts flow again. */
	ck_assert_int_eq(feeder_send_at(f, &block_alert, now + 500000 + 30 * SEC - 1),
			 FEEDER_SUPPRESSED);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, now + 500000 + 30 * SEC), 0);
	ck_assert_uint_eq(r.n, 13);
	ck_assert_int_eq(feeder_flush(f, now + 40 * SEC), 1);
	ck_assert_str_eq(field(&r.rec[13], "KUBEARMOR_SUPPRESSED"), "1");

	/* Accounting: every record is sent or suppressed, every suppressed one reported. */
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.records, 112);
	ck_assert_uint_eq(st.suppressed, 101);
	ck_assert_uint_eq(st.suppressed_reported, 101);
	ck_assert_uint_eq(st.records - st.suppressed, count_type(&r, "MatchedPolicy"));
	ck_assert_uint_eq(st.lost, 0);
	recorder_done(&r);
}
END_TEST

/* A steady 10 per second never trips; the window restarts each second. */
START_TEST(test_throttle_steady_rate)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
	FeederStats st;

	for (int s = 0; s < 20; s++)
		for (int i = 0; i < 10; i++)
			ck_assert_int_eq(
				feeder_send_at(f, &block_alert,
					       T0 + (uint64_t)s * SEC + (uint64_t)i * 90000),
				0);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.suppressed, 0);
	ck_assert_uint_eq(r.n, 200);
	recorder_done(&r);
}
END_TEST

static void tweak_limits(FeederOptions *o)
{
	o->max_alerts_per_sec = 2;
	o->throttle_sec = 5;
}

/* Keys are (policy, container): one noisy key does not silence the others. */
START_TEST(test_throttle_keys_independent)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, tweak_limits);
	Alert other_policy = block_alert, other_container = block_alert, host = block_alert;
	FeederStats st;

	other_policy.policy_name = "other";
	other_container.container_id = "beef";
	host.container_id = NULL;
	host.type = ALERT_TYPE_MATCHED_HOST_POLICY;

	for (int i = 0; i < 5; i++)
		(void)feeder_send_at(f, &block_alert, T0 + (uint64_t)i);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(feeder_send_at(f, &other_policy, T0 + 10), 0);
		ck_assert_int_eq(feeder_send_at(f, &other_container, T0 + 10), 0);
		ck_assert_int_eq(feeder_send_at(f, &host, T0 + 10), 0);
	}
	ck_assert_int_eq(feeder_send_at(f, &host, T0 + 10), FEEDER_SUPPRESSED);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.suppressed, 3 + 1);
	ck_assert_uint_eq(st.threshold_events, 2);

	/* One summary per key with suppressed alerts. */
	ck_assert_int_eq(feeder_flush(f, T0 + SEC), 2);
	ck_assert_str_eq(field(&r.rec[r.n - 1], "KUBEARMOR_TYPE"), "SystemEvent");
	ck_assert_str_eq(field(&r.rec[r.n - 2], "KUBEARMOR_TYPE"), "SystemEvent");
	{
		const char *a = field(&r.rec[r.n - 1], "KUBEARMOR_SUPPRESSED");
		const char *b = field(&r.rec[r.n - 2], "KUBEARMOR_SUPPRESSED");
		ck_assert((streq(a, "3") && streq(b, "1")) || (streq(a, "1") && streq(b, "3")));
	}
	recorder_done(&r);
}
END_TEST

static void tweak_no_throttle(FeederOptions *o)
{
	o->throttling = false;
}

static void tweak_throttle_telemetry(FeederOptions *o)
{
	o->throttle_telemetry = true;
	o->max_alerts_per_sec = 1;
}

START_TEST(test_throttle_scope)
{
	Recorder r = {};
	Alert log = {.type = ALERT_TYPE_HOST_LOG, .operation = ALERT_OP_FILE};
	Alert sys = {.type = ALERT_TYPE_SYSTEM_EVENT, .operation = ALERT_OP_ALERT_THRESHOLD};
	FeederStats st;

	{
		/* throttling off: nothing suppressed */
		_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, tweak_no_throttle);
		for (int i = 0; i < 50; i++)
			ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
		feeder_get_stats(f, &st);
		ck_assert_uint_eq(st.suppressed, 0);
	}
	{
		/* telemetry and SystemEvents are not throttled by default */
		_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, NULL);
		for (int i = 0; i < 50; i++) {
			ck_assert_int_eq(feeder_send_at(f, &log, T0), 0);
			ck_assert_int_eq(feeder_send_at(f, &sys, T0), 0);
		}
	}
	{
		/* unless asked to */
		_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, tweak_throttle_telemetry);
		ck_assert_int_eq(feeder_send_at(f, &log, T0), 0);
		ck_assert_int_eq(feeder_send_at(f, &log, T0), FEEDER_SUPPRESSED);
		ck_assert_int_eq(feeder_send_at(f, &sys, T0), 0);
	}
	recorder_done(&r);
}
END_TEST

/* Idle keys are forgotten at flush; a key with unreported suppressions is kept until reported. */
START_TEST(test_throttle_idle_keys_and_free)
{
	Recorder r = {};
	Feeder *f = new_feeder(&r, tweak_limits);
	size_t before;

	for (int i = 0; i < 4; i++)
		(void)feeder_send_at(f, &block_alert, T0);
	/* Long after the throttle ended, the key restarts clean: the first alert passes. */
	ck_assert_int_eq(feeder_flush(f, T0 + 100 * SEC), 1);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0 + 101 * SEC), 0);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0 + 101 * SEC), 0);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0 + 101 * SEC), FEEDER_SUPPRESSED);

	/* feeder_free() reports what is still pending. */
	before = r.n;
	feeder_free(f);
	ck_assert_uint_eq(r.n, before + 1);
	ck_assert_str_eq(field(&r.rec[r.n - 1], "KUBEARMOR_SUPPRESSED"), "1");
	recorder_done(&r);
}
END_TEST

/* Past FEEDER_THROTTLE_KEYS_MAX, new keys share one overflow key (still throttled and counted). */
START_TEST(test_throttle_key_limit)
{
	FeederOptions o;
	char name[32];
	Alert a = block_alert;
	FeederStats st;
	int suppressed = 0;

	feeder_options_init(&o);
	o.sink = FEEDER_SINK_STDOUT;
	o.fallback_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(o.fallback_fd, 0);
	o.max_alerts_per_sec = 2;
	{
		_cleanup_(feeder_freep) Feeder *g = NULL;
		ck_assert_int_eq(feeder_new(&o, &g), 0);
		a.policy_name = name;
		for (unsigned i = 0; i < FEEDER_THROTTLE_KEYS_MAX; i++) {
			snprintf(name, sizeof(name), "p%u", i);
			ck_assert_int_eq(feeder_send_at(g, &a, T0), 0);
		}
		for (unsigned i = 0; i < 10; i++) {
			snprintf(name, sizeof(name), "new%u", i);
			if (feeder_send_at(g, &a, T0) == FEEDER_SUPPRESSED)
				suppressed++;
		}
		/* 10 distinct new keys, but they share one key: 2 pass, 8 are suppressed. */
		ck_assert_int_eq(suppressed, 8);
		feeder_get_stats(g, &st);
		ck_assert_uint_eq(st.threshold_events, 1);
		ck_assert_int_eq(feeder_flush(g, T0 + SEC), 1);
		feeder_get_stats(g, &st);
		ck_assert_uint_eq(st.suppressed_reported, 8);
		/* Everything idle is forgotten; new names get their own keys again. */
		ck_assert_int_ge(feeder_flush(g, T0 + 100 * SEC), 0);
		for (unsigned i = 0; i < 2; i++)
			ck_assert_int_eq(feeder_send_at(g, &a, T0 + 101 * SEC), 0);
	}
	close(o.fallback_fd);
}
END_TEST

static int make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	return 0;
}

static char *drain(int fd)
{
	static char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void tweak_stdout(FeederOptions *o)
{
	o->sink = FEEDER_SINK_STDOUT;
}

/* The stdout sink: one JSON line per record. */
START_TEST(test_stdout_sink)
{
	int p[2];
	Feeder *f;
	FeederOptions o;
	Alert a = block_alert;
	FeederStats st;

	make_pipe(p);
	feeder_options_init(&o);
	tweak_stdout(&o);
	o.fallback_fd = p[1];
	o.realtime_usec = fixed_realtime;
	ck_assert_int_eq(feeder_new(&o, &f), 0);
	a.resource = "/etc/sha\ndow"; /* a newline in a value cannot break the line format */
	ck_assert_int_eq(feeder_send_at(f, &a, T0), 0);
	a.resource = "/etc/gshadow";
	ck_assert_int_eq(feeder_send_at(f, &a, T0), 0);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.sent_fallback, 2);
	ck_assert_uint_eq(st.journal_failures, 0);
	feeder_free(f);
	ck_assert_str_eq(
		drain(p[0]),
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"ContainerID\":\"c0ffee\",\"PPID\":1,\"PID\":2,\"UID\":0,"
		"\"ProcessName\":\"/bin/cat\",\"PolicyName\":\"block-secrets\",\"Severity\":\"8\","
		"\"Type\":\"MatchedPolicy\",\"Operation\":\"File\",\"Resource\":\"/etc/sha\\ndow\","
		"\"Action\":\"Block\",\"Result\":\"Permission denied\"}\n"
		"{\"Timestamp\":1717259989,\"UpdatedTime\":\"2024-06-01T16:39:49.360067Z\","
		"\"ContainerID\":\"c0ffee\",\"PPID\":1,\"PID\":2,\"UID\":0,"
		"\"ProcessName\":\"/bin/cat\",\"PolicyName\":\"block-secrets\",\"Severity\":\"8\","
		"\"Type\":\"MatchedPolicy\",\"Operation\":\"File\",\"Resource\":\"/etc/gshadow\","
		"\"Action\":\"Block\",\"Result\":\"Permission denied\"}\n");
	close(p[0]);
	close(p[1]);
}
END_TEST

static int fallback_pipe[2];
static void tweak_fallback_pipe(FeederOptions *o)
{
	o->fallback_fd = fallback_pipe[1];
}

/* The sink refuses (journald down): records go to the fallback fd and are counted; the next record
 * tries the sink again. */
START_TEST(test_fallback_and_retry)
{
	Recorder r = {};
	Feeder *f;
	Alert a = block_alert;
	FeederStats st;
	char *out;

	make_pipe(fallback_pipe);
	f = new_feeder(&r, tweak_fallback_pipe);

	ck_assert_int_eq(feeder_send_at(f, &a, T0), 0);
	r.fail_with = -ECONNREFUSED;
	a.resource = "/down/1";
	ck_assert_int_eq(feeder_send_at(f, &a, T0 + 1), 0);
	a.resource = "/down/2";
	ck_assert_int_eq(feeder_send_at(f, &a, T0 + 2), 0);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.journal_failures, 2);
	ck_assert_uint_eq(st.sent_fallback, 2);
	ck_assert_int_eq(st.last_error, -ECONNREFUSED);
	ck_assert_uint_eq(st.lost, 0);

	out = drain(fallback_pipe[0]);
	ck_assert_ptr_nonnull(strstr(out, "\"Resource\":\"/down/1\""));
	ck_assert_ptr_nonnull(strstr(out, "\"Resource\":\"/down/2\""));
	{
		size_t lines = 0;
		for (const char *c = out; *c; c++)
			lines += *c == '\n';
		ck_assert_uint_eq(lines, 2);
		ck_assert_int_eq(out[strlen(out) - 1], '\n');
	}

	/* Back: the very next record goes to the sink again. */
	r.fail_with = 0;
	a.resource = "/up";
	ck_assert_int_eq(feeder_send_at(f, &a, T0 + 3), 0);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(field(&r.rec[1], "KUBEARMOR_RESOURCE"), "/up");
	ck_assert_str_eq(drain(fallback_pipe[0]), "");
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.sent_callback, 2);
	feeder_free(f);
	close(fallback_pipe[0]);
	close(fallback_pipe[1]);
	recorder_done(&r);
}
END_TEST

static void tweak_broken_fallback(FeederOptions *o)
{
	o->fallback_fd = -1;
	o->max_alerts_per_sec = 1;
}

/* Neither sink works: the send fails and the record is counted as lost; a summary that cannot be
 * written stays pending and is retried by the next flush. */
START_TEST(test_lost_and_pending_summary)
{
	Recorder r = {};
	_cleanup_(feeder_freep) Feeder *f = new_feeder(&r, tweak_broken_fallback);
	FeederStats st;

	r.fail_with = -ENOENT;
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), -EBADF);
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0),
			 FEEDER_SUPPRESSED); /* notice lost too */
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), FEEDER_SUPPRESSED);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.lost, 2);
	ck_assert_uint_eq(st.suppressed, 2);
	ck_assert_int_eq(st.last_error, -ENOENT);

	/* Long after the throttle ended (the key is idle), the unreported count keeps the key. */
	ck_assert_int_eq(feeder_flush(f, T0 + 100 * SEC), -EBADF);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.suppressed_reported, 0);
	ck_assert_uint_eq(st.lost, 2);

	r.fail_with = 0;
	ck_assert_int_eq(feeder_flush(f, T0 + 101 * SEC), 1);
	ck_assert_str_eq(field(&r.rec[r.n - 1], "KUBEARMOR_SUPPRESSED"), "2");
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.suppressed_reported, 2);
	recorder_done(&r);
}
END_TEST

START_TEST(test_new_invalid)
{
	FeederOptions o;
	Feeder *f = NULL;

	feeder_options_init(&o);
	ck_assert_int_eq(o.max_alerts_per_sec, 10);
	ck_assert_int_eq(o.throttle_sec, 30);
	ck_assert(o.throttling);
	ck_assert_int_eq(o.fallback_fd, STDOUT_FILENO);

	o.sink = FEEDER_SINK_CALLBACK;
	ck_assert_int_eq(feeder_new(&o, &f), -EINVAL);
	o.sink = _FEEDER_SINK_MAX;
	ck_assert_int_eq(feeder_new(&o, &f), -EINVAL);
	ck_assert_ptr_null(f);
	ck_assert_ptr_null(feeder_free(NULL));
}
END_TEST

static int replay_pipe[2];
static void tweak_replay4(FeederOptions *o)
{
	o->replay_window = 4;
	o->throttling = false;
	o->fallback_fd = replay_pipe[1];
}

static const char *seq_of(const Recorder *r, size_t i)
{
	return field(&r->rec[i], "KUBEARMOR_SEQ");
}

/* A new sink instance (journald restarted) gets the last records of the old one again, marked and
 * with their original sequence numbers; the window is bounded. */
START_TEST(test_replay_on_new_instance)
{
	Recorder r = {.instance = 5};
	Feeder *f;
	FeederStats st;

	make_pipe(replay_pipe);
	f = new_feeder(&r, tweak_replay4);

	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 6);
	ck_assert_ptr_null(field(&r.rec[5], "KUBEARMOR_REPLAYED"));

	/* New instance: the record itself, then the last 4 of instance 5 (seq 3..6), oldest first.
	 */
	r.instance = 6;
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 11);
	ck_assert_str_eq(seq_of(&r, 6), "7");
	for (int i = 0; i < 4; i++) {
		char want[8];
		snprintf(want, sizeof(want), "%d", 3 + i);
		ck_assert_str_eq(seq_of(&r, 7 + (size_t)i), want);
		ck_assert_str_eq(field(&r.rec[7 + i], "KUBEARMOR_REPLAYED"), "1");
		ck_assert_str_eq(r.rec[7 + i].json, r.rec[0].json);
	}
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.replayed, 4);
	ck_assert_uint_eq(st.sent_callback, 7);

	/* Same instance: nothing more is replayed. */
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 12);

	/* Refused (journald down): the fallback takes seq 9. Back as instance 7: the window kept
	 * for instance 6 (seq 5..8: replayed to it or sent to it) is replayed after seq 10. */
	r.fail_with = -ECONNREFUSED;
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 12);
	r.fail_with = 0;
	r.instance = 7;
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	ck_assert_uint_eq(r.n, 17);
	ck_assert_str_eq(seq_of(&r, 12), "10");
	ck_assert_ptr_null(field(&r.rec[12], "KUBEARMOR_REPLAYED"));
	for (int i = 0; i < 4; i++) {
		char want[8];
		snprintf(want, sizeof(want), "%d", 5 + i);
		ck_assert_str_eq(seq_of(&r, 13 + (size_t)i), want);
		ck_assert_str_eq(field(&r.rec[13 + i], "KUBEARMOR_REPLAYED"), "1");
	}
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.replayed, 8);
	ck_assert_uint_eq(st.sent_fallback, 1);
	ck_assert_uint_eq(st.journal_failures, 1);
	{
		const char *out = drain(replay_pipe[0]);
		ck_assert_ptr_nonnull(strstr(out, "\"PolicyName\":\"block-secrets\""));
		ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	}

	feeder_free(f);
	recorder_done(&r);
	close(replay_pipe[0]);
	close(replay_pipe[1]);
}
END_TEST

/* Sink instance 0 (no identity): nothing is kept or replayed. */
START_TEST(test_replay_needs_identity)
{
	Recorder r = {.instance = 0, .count_only = true};
	_cleanup_(feeder_freep) Feeder *f = NULL;
	FeederStats st;

	replay_pipe[1] = -1;
	f = new_feeder(&r, tweak_replay4);

	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	r.instance = 3;
	ck_assert_int_eq(feeder_send_at(f, &block_alert, T0), 0);
	feeder_get_stats(f, &st);
	ck_assert_uint_eq(st.replayed, 0);
	ck_assert_uint_eq(r.calls, 11);
}
END_TEST

static Suite *feeder_suite(void)
{
	Suite *s = suite_create("feeder/feeder");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, test_record_fields);
	tcase_add_test(tc, test_record_fields_telemetry);
	tcase_add_test(tc, test_record_field_bounded);
	tcase_add_test(tc, test_new_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("throttle");
	tcase_add_test(tc, test_throttle_counts);
	tcase_add_test(tc, test_throttle_steady_rate);
	tcase_add_test(tc, test_throttle_keys_independent);
	tcase_add_test(tc, test_throttle_scope);
	tcase_add_test(tc, test_throttle_idle_keys_and_free);
	tcase_add_test(tc, test_throttle_key_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("sinks");
	tcase_add_test(tc, test_stdout_sink);
	tcase_add_test(tc, test_fallback_and_retry);
	tcase_add_test(tc, test_lost_and_pending_summary);
	tcase_add_test(tc, test_replay_on_new_instance);
	tcase_add_test(tc, test_replay_needs_identity);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(feeder_suite)
