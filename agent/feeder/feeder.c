/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feeder.c: throttling, record fields, sink selection and the journal → JSON-lines fallback. The
 * contract is in feeder.h.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "feeder/feeder.h"
#include "feeder/journal.h"

#define USEC_PER_SEC	 UINT64_C(1000000)
#define THROTTLE_BUCKETS 1024U

typedef struct ThrottleKey {
	struct ThrottleKey *next;
	char *policy;		  /* "" for records without a policy */
	char *workload;		  /* container id, "" for the host */
	uint64_t window_start;	  /* start of the current one-second window (monotonic µs) */
	uint64_t count;		  /* alerts in the current window */
	uint64_t throttled_until; /* 0, or monotonic µs until which alerts are suppressed */
	uint64_t suppressed;	  /* suppressed since the last summary */
	uint64_t last_seen;	  /* last alert (monotonic µs), for forgetting idle keys */
	bool overflow;		  /* the shared key used once FEEDER_THROTTLE_KEYS_MAX is reached */
} ThrottleKey;

/* A record sent to the journal, kept for a replay should that journald die before reading it. */
typedef struct KeptRecord {
	uint64_t instance; /* the socket (or callback instance) that took it */
	char *blob;	   /* the field values, NUL-separated; rec.fields[].value point into it */
	size_t bytes;
	FeederRecord rec;
} KeptRecord;

struct Feeder {
	FeederOptions opts;
	FeederSink sink; /* resolved: never AUTO */
	char *cluster_name;
	char *host_name;
	char *node_id;
	ThrottleKey *buckets[THROTTLE_BUCKETS];
	size_t n_keys;
	ThrottleKey *overflow;
	uint64_t seq;			    /* last KUBEARMOR_SEQ */
	KeptRecord kept[FEEDER_REPLAY_MAX]; /* ring, oldest at kept_head */
	size_t kept_head, kept_n, kept_bytes;
	FeederStats stats;
};

uint64_t feeder_now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000U;
}

uint64_t feeder_now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000U;
}

void feeder_options_init(FeederOptions *o)
{
	*o = (FeederOptions){
		.sink = FEEDER_SINK_AUTO,
		.fallback_fd = STDOUT_FILENO,
		.throttling = true,
		.max_alerts_per_sec = 10,
		.throttle_sec = 30,
	};
}

static int strdup_opt(const char *s, char **ret)
{
	if (isempty(s)) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int feeder_new(const FeederOptions *o, Feeder **ret)
{
	_cleanup_(feeder_freep) Feeder *f = NULL;

	if (o->sink < 0 || o->sink >= _FEEDER_SINK_MAX)
		return -EINVAL;
	if (o->sink == FEEDER_SINK_CALLBACK && !o->callback)
		return -EINVAL;

	f = new0(Feeder, 1);
	if (!f)
		return -ENOMEM;
	f->opts = *o;
	f->opts.max_alerts_per_sec = MAX(o->max_alerts_per_sec, 1U);
	f->opts.throttle_sec = MAX(o->throttle_sec, 1U);
	f->opts.cluster_name = f->opts.host_name = f->opts.node_id = NULL;
	if (strdup_opt(o->cluster_name, &f->cluster_name) < 0 ||
	    strdup_opt(o->host_name, &f->host_name) < 0 || strdup_opt(o->node_id, &f->node_id) < 0)
		return -ENOMEM;

	if (o->replay_window > 0)
		f->opts.replay_window = MIN(o->replay_window, FEEDER_REPLAY_MAX);
	else {
		unsigned q = journal_queue_limit();
		f->opts.replay_window = q > 0 && q < FEEDER_REPLAY_MAX - 1 - FEEDER_REPLAY_MARGIN
						? q + 1 + FEEDER_REPLAY_MARGIN
						: FEEDER_REPLAY_MAX;
	}

	f->sink = o->sink;
	if (f->sink == FEEDER_SINK_AUTO)
		f->sink = journal_socket_present() ? FEEDER_SINK_JOURNAL : FEEDER_SINK_STDOUT;
	f->stats.journal_up = f->sink == FEEDER_SINK_JOURNAL;

	*ret = TAKE_PTR(f);
	return 0;
}

static ThrottleKey *throttle_key_free(ThrottleKey *k)
{
	if (!k)
		return NULL;
	free(k->policy);
	free(k->workload);
	free(k);
	return NULL;
}

Feeder *feeder_free(Feeder *f)
{
	if (!f)
		return NULL;
	/* Report what is still pending; an error here has nowhere left to go. */
	(void)feeder_flush(f, feeder_now_monotonic());
	for (size_t i = 0; i < THROTTLE_BUCKETS; i++)
		while (f->buckets[i]) {
			ThrottleKey *k = f->buckets[i];
			f->buckets[i] = k->next;
			throttle_key_free(k);
		}
	throttle_key_free(f->overflow);
	for (size_t i = 0; i < f->kept_n; i++)
		free(f->kept[(f->kept_head + i) % FEEDER_REPLAY_MAX].blob);
	free(f->cluster_name);
	free(f->host_name);
	free(f->node_id);
	free(f);
	return NULL;
}

void feeder_get_stats(const Feeder *f, FeederStats *ret)
{
	*ret = f->stats;
}

static uint64_t realtime_now(Feeder *f)
{
	if (f->opts.realtime_usec)
		return f->opts.realtime_usec(f->opts.userdata);
	return feeder_now_realtime();
}

/* write() all of buf, retrying on EINTR and short writes. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One JSON line on the fallback fd, in a single write() when possible. */
static int write_json_line(int fd, const char *json)
{
	size_t n = strlen(json);
	_cleanup_free_ char *line = malloc(n + 2);

	if (fd < 0)
		return -EBADF;
	if (!line)
		return -ENOMEM;
	memcpy(line, json, n);
	line[n] = '\n';
	line[n + 1] = 0;
	return write_all(fd, line, n + 1);
}

static void add_field(FeederRecord *rec, const char *name, const char *value)
{
	if (isempty(value) || rec->n_fields >= FEEDER_FIELDS_MAX)
		return;
	rec->fields[rec->n_fields++] = (FeederField){.name = name, .value = value};
}

/* A journal value bounded like the JSON strings; *owned is set when a cut copy was needed. */
static const char *bounded(const char *s, char **owned)
{
	if (!s || strnlen(s, ALERT_STRING_MAX + 1) <= ALERT_STRING_MAX)
		return s;
	*owned = strndup(s, ALERT_STRING_MAX);
	return *owned;
}

/* The journal or the callback; *ret_instance is 0 when the sink gives no instance identity. */
static int sink_send(Feeder *f, const FeederRecord *rec, uint64_t *ret_instance)
{
	int r;

	if (f->sink == FEEDER_SINK_JOURNAL)
		return journal_send_record(rec, ret_instance);
	r = f->opts.callback(rec, f->opts.userdata);
	if (r < 0)
		return r;
	*ret_instance = (uint64_t)r;
	return 0;
}

static void kept_drop_oldest(Feeder *f)
{
	KeptRecord *k = &f->kept[f->kept_head];

	f->kept_bytes -= k->bytes;
	free(k->blob);
	k->blob = NULL;
	f->kept_head = (f->kept_head + 1) % FEEDER_REPLAY_MAX;
	f->kept_n--;
}

/* Remember a record the journal took; the oldest make room. Out of memory: not kept. */
static void keep(Feeder *f, const FeederRecord *rec, uint64_t instance)
{
	KeptRecord *k;
	size_t bytes = 0;
	char *blob, *p;

	for (size_t i = 0; i < rec->n_fields; i++)
		bytes += strlen(rec->fields[i].value) + 1;
	if (bytes > FEEDER_REPLAY_BYTES)
		return;
	while (f->kept_n > 0 &&
	       (f->kept_n >= f->opts.replay_window || f->kept_bytes + bytes > FEEDER_REPLAY_BYTES))
		kept_drop_oldest(f);

	blob = malloc(bytes);
	if (!blob)
		return;
	k = &f->kept[(f->kept_head + f->kept_n) % FEEDER_REPLAY_MAX];
	*k = (KeptRecord){.instance = instance, .blob = blob, .bytes = bytes, .rec = *rec};
	p = blob;
	for (size_t i = 0; i < rec->n_fields; i++) {
		k->rec.fields[i].value = p;
		if (rec->fields[i].value == rec->json)
			k->rec.json = p;
		p = stpcpy(p, rec->fields[i].value) + 1;
	}
	f->kept_n++;
	f->kept_bytes += bytes;
}

/* The sink now answers as @instance: send again what an earlier instance took, oldest first. A
 * failure stops the replay; what is left is tried with the next record. */
static void replay(Feeder *f, uint64_t instance)
{
	for (size_t i = 0; i < f->kept_n; i++) {
		KeptRecord *k = &f->kept[(f->kept_head + i) % FEEDER_REPLAY_MAX];
		FeederRecord again;
		uint64_t got = 0;

		if (k->instance == instance)
			continue;
		again = k->rec;
		again.replayed = true;
		add_field(&again, "KUBEARMOR_REPLAYED", "1");
		if (sink_send(f, &again, &got) < 0 || got != instance)
			return;
		k->instance = instance;
		f->stats.replayed++;
	}
}

/* Serialise and write one complete record (defaults already filled). @suppressed > 0 marks a
 * suppression summary. Does not count lost records: callers decide. */
static int deliver(Feeder *f, const Alert *a, uint64_t suppressed)
{
	_cleanup_free_ char *json = NULL, *resource = NULL, *policy = NULL;
	char priority[8], severity[16], supp[24], seq[24];
	FeederRecord rec = {.type = a->type, .priority = alert_priority(a)};
	int r;

	r = alert_to_json(a, &json);
	if (r < 0)
		return r;
	rec.json = json;

	snprintf(priority, sizeof(priority), "%d", rec.priority);
	snprintf(severity, sizeof(severity), "%d", a->severity);
	snprintf(supp, sizeof(supp), "%" PRIu64, suppressed);

	add_field(&rec, "MESSAGE", json);
	add_field(&rec, "PRIORITY", priority);
	add_field(&rec, "SYSLOG_IDENTIFIER", "kubearmor");
	add_field(&rec, "MESSAGE_ID", alert_type_message_id(a->type));
	add_field(&rec, "KUBEARMOR_TYPE", alert_type_to_string(a->type));
	add_field(&rec, "KUBEARMOR_POLICY", bounded(a->policy_name, &policy));
	add_field(&rec, "KUBEARMOR_ACTION", alert_action_to_string(a->action));
	add_field(&rec, "KUBEARMOR_OPERATION", alert_operation_to_string(a->operation));
	add_field(&rec, "KUBEARMOR_RESOURCE", bounded(a->resource, &resource));
	if (a->severity != 0)
		add_field(&rec, "KUBEARMOR_SEVERITY", severity);
	add_field(&rec, "KUBEARMOR_CONTAINER_ID", a->container_id);
	if (suppressed > 0)
		add_field(&rec, "KUBEARMOR_SUPPRESSED", supp);

	rec.seq = ++f->seq;
	snprintf(seq, sizeof(seq), "%" PRIu64, rec.seq);
	add_field(&rec, "KUBEARMOR_SEQ", seq);

	if (f->sink != FEEDER_SINK_STDOUT) {
		uint64_t instance = 0;

		r = sink_send(f, &rec, &instance);
		if (r >= 0) {
			if (f->sink == FEEDER_SINK_JOURNAL)
				f->stats.sent_journal++;
			else
				f->stats.sent_callback++;
			if (!f->stats.journal_up)
				log_debug("feeder: journal is back");
			f->stats.journal_up = true;
			if (instance != 0) {
				replay(f, instance);
				keep(f, &rec, instance);
			}
			return 0;
		}
		if (f->stats.journal_up)
			log_debug_errno(r, "feeder: journal unavailable, writing JSON lines: %m");
		f->stats.journal_up = false;
		f->stats.journal_failures++;
		f->stats.last_error = r;
	}

	r = write_json_line(f->opts.fallback_fd, json);
	if (r < 0)
		return r;
	f->stats.sent_fallback++;
	return 0;
}

/* The record's identity fields and timestamp, defaulted from the options and the clock. */
static void fill_defaults(Feeder *f, Alert *a)
{
	if (!a->cluster_name)
		a->cluster_name = f->cluster_name;
	if (!a->host_name)
		a->host_name = f->host_name;
	if (!a->node_id)
		a->node_id = f->node_id;
	if (a->timestamp_usec == 0)
		a->timestamp_usec = realtime_now(f);
}

static uint64_t key_hash(const char *policy, const char *workload)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (const char *p = policy; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	h = (h ^ 0xFFU) * UINT64_C(1099511628211); /* separator no key byte can equal */
	for (const char *p = workload; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	return h;
}

static ThrottleKey *throttle_key_get(Feeder *f, const char *policy, const char *workload)
{
	uint64_t h = key_hash(policy, workload);
	ThrottleKey **b = &f->buckets[h % THROTTLE_BUCKETS];
	ThrottleKey *k;

	for (k = *b; k; k = k->next)
		if (streq(k->policy, policy) && streq(k->workload, workload))
			return k;

	if (f->n_keys >= FEEDER_THROTTLE_KEYS_MAX) {
		if (!f->overflow) {
			f->overflow = new0(ThrottleKey, 1);
			if (!f->overflow)
				return NULL;
			f->overflow->overflow = true;
			f->overflow->policy = strdup("");
			f->overflow->workload = strdup("");
			if (!f->overflow->policy || !f->overflow->workload)
				f->overflow = throttle_key_free(f->overflow);
		}
		return f->overflow;
	}

	k = new0(ThrottleKey, 1);
	if (!k)
		return NULL;
	k->policy = strdup(policy);
	k->workload = strdup(workload);
	if (!k->policy || !k->workload)
		return throttle_key_free(k);
	k->next = *b;
	*b = k;
	f->n_keys++;
	return k;
}

static bool type_throttled(const Feeder *f, AlertType t)
{
	switch (t) {
	case ALERT_TYPE_MATCHED_HOST_POLICY:
	case ALERT_TYPE_MATCHED_POLICY:
		return true;
	case ALERT_TYPE_HOST_LOG:
	case ALERT_TYPE_CONTAINER_LOG:
		return f->opts.throttle_telemetry;
	default:
		return false;
	}
}

/* The SystemEvent/AlertThreshold notice when throttling of a key starts. */
static void emit_threshold(Feeder *f, const ThrottleKey *k, const Alert *trigger)
{
	char message[128];
	Alert t = {
		.namespace_name = k->overflow ? NULL : trigger->namespace_name,
		.pod_name = k->overflow ? NULL : trigger->pod_name,
		.container_id = k->workload,
		.container_name = k->overflow ? NULL : trigger->container_name,
		.container_image = k->overflow ? NULL : trigger->container_image,
		.policy_name = k->policy,
		.message = message,
		.type = ALERT_TYPE_SYSTEM_EVENT,
		.operation = ALERT_OP_ALERT_THRESHOLD,
		.max_alerts_per_sec = (int32_t)MIN(f->opts.max_alerts_per_sec, (unsigned)INT32_MAX),
		.dropping_alerts_interval = (int32_t)MIN(f->opts.throttle_sec, (unsigned)INT32_MAX),
	};

	snprintf(message, sizeof(message),
		 "Alert threshold reached: more than %u alerts per second, suppressing for %u s%s",
		 f->opts.max_alerts_per_sec, f->opts.throttle_sec,
		 k->overflow ? " (throttling table full)" : "");
	fill_defaults(f, &t);
	if (deliver(f, &t, 0) < 0)
		f->stats.lost++;
	f->stats.threshold_events++;
}

/* Returns true when the alert must be suppressed. */
static bool throttle(Feeder *f, const Alert *a, uint64_t now)
{
	ThrottleKey *k;

	k = throttle_key_get(f, a->policy_name ?: "", a->container_id ?: "");
	if (!k)
		return false; /* out of memory: let the alert through rather than lose it */
	k->last_seen = now;

	if (k->throttled_until != 0) {
		if (now < k->throttled_until) {
			k->suppressed++;
			f->stats.suppressed++;
			return true;
		}
		k->throttled_until = 0;
		k->count = 0;
	}

	if (k->count == 0 || now < k->window_start || now - k->window_start >= USEC_PER_SEC) {
		k->window_start = now;
		k->count = 0;
	}
	k->count++;
	if (k->count <= f->opts.max_alerts_per_sec)
		return false;

	k->throttled_until = now + (uint64_t)f->opts.throttle_sec * USEC_PER_SEC;
	k->suppressed++;
	f->stats.suppressed++;
	emit_threshold(f, k, a);
	return true;
}

int feeder_send_at(Feeder *f, const Alert *a, uint64_t now_usec)
{
	Alert copy;
	int r;

	if (!alert_type_to_string(a->type))
		return -EINVAL;
	f->stats.records++;

	if (f->opts.throttling && type_throttled(f, a->type) && throttle(f, a, now_usec))
		return FEEDER_SUPPRESSED;

	copy = *a;
	fill_defaults(f, &copy);
	r = deliver(f, &copy, 0);
	if (r < 0) {
		f->stats.lost++;
		return r;
	}
	return 0;
}

int feeder_send(Feeder *f, const Alert *a)
{
	return feeder_send_at(f, a, feeder_now_monotonic());
}

/* The summary record of one key; on success its count moves to suppressed_reported. */
static int emit_summary(Feeder *f, ThrottleKey *k)
{
	char message[160], data[48];
	Alert s = {
		.container_id = k->workload,
		.policy_name = k->policy,
		.message = message,
		.type = ALERT_TYPE_SYSTEM_EVENT,
		.operation = ALERT_OP_ALERT_THRESHOLD,
		.data = data,
		.max_alerts_per_sec = (int32_t)MIN(f->opts.max_alerts_per_sec, (unsigned)INT32_MAX),
		.dropping_alerts_interval = (int32_t)MIN(f->opts.throttle_sec, (unsigned)INT32_MAX),
	};
	int r;

	snprintf(message, sizeof(message), "%" PRIu64 " alerts suppressed by throttling%s",
		 k->suppressed, k->overflow ? " (throttling table full)" : "");
	snprintf(data, sizeof(data), "suppressed=%" PRIu64, k->suppressed);
	fill_defaults(f, &s);
	r = deliver(f, &s, k->suppressed);
	if (r < 0)
		return r;
	f->stats.suppressed_reported += k->suppressed;
	f->stats.summaries++;
	k->suppressed = 0;
	return 0;
}

static bool key_idle(const Feeder *f, const ThrottleKey *k, uint64_t now)
{
	uint64_t keep = (uint64_t)f->opts.throttle_sec * USEC_PER_SEC;

	if (k->suppressed > 0)
		return false;
	if (k->throttled_until != 0 && now < k->throttled_until)
		return false;
	return now >= k->last_seen && now - k->last_seen >= keep;
}

int feeder_flush(Feeder *f, uint64_t now_usec)
{
	int n = 0, err = 0;

	for (size_t i = 0; i < THROTTLE_BUCKETS; i++)
		for (ThrottleKey **p = &f->buckets[i]; *p;) {
			ThrottleKey *k = *p;

			if (k->suppressed > 0) {
				int r = emit_summary(f, k);
				if (r < 0)
					err = r;
				else
					n++;
			}
			if (key_idle(f, k, now_usec)) {
				*p = k->next;
				throttle_key_free(k);
				f->n_keys--;
				continue;
			}
			p = &k->next;
		}

	/* A journald restarted while no record was sent: replay now rather than with the next
	 * record. */
	if (f->sink == FEEDER_SINK_JOURNAL && f->kept_n > 0) {
		uint64_t instance;

		if (journal_instance(&instance) >= 0)
			replay(f, instance);
	}

	if (f->overflow) {
		if (f->overflow->suppressed > 0) {
			int r = emit_summary(f, f->overflow);
			if (r < 0)
				err = r;
			else
				n++;
		}
		if (key_idle(f, f->overflow, now_usec))
			f->overflow = throttle_key_free(f->overflow);
	}

	return err < 0 ? err : n;
}
