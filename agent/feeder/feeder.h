/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feeder.h: decisions become KubeArmor alerts and telemetry records, written to journald.
 *
 * Contract:
 * - An Alert is a borrowed view filled by the caller (usually on the stack); every pointer in it
 *   stays owned by the caller. The feeder serialises it inside feeder_send() and keeps nothing.
 * - alert_to_json() is pure: the same Alert always gives the same compact JSON, with KubeArmor's
 *   field names, order and types (reference §7.1). Every field is omitted when empty or zero
 *   except PPID and UID, which are always present. Severity is a string ("5"); Timestamp, PIDs and
 *   UID are integers; ATags is an array; EventData is an object built from Data's key=value pairs
 *   (and Resource's, for Network) with capitalised keys. Strings that are not valid UTF-8 have
 *   each bad byte replaced by U+FFFD (as Go's encoder does); strings longer than ALERT_STRING_MAX
 *   bytes are cut on a character boundary. ExecEvent is omitted when both its fields are empty.
 * - One journal entry per record (sd_journal_sendv): MESSAGE is the compact JSON, so
 *   `journalctl -t kubearmor -o cat` prints JSON lines. Other fields:
 *     SYSLOG_IDENTIFIER=kubearmor
 *     MESSAGE_ID        one fixed id per Type (FEEDER_MESSAGE_ID_*)
 *     PRIORITY          see below
 *     KUBEARMOR_TYPE, KUBEARMOR_POLICY, KUBEARMOR_ACTION, KUBEARMOR_OPERATION,
 *     KUBEARMOR_RESOURCE, KUBEARMOR_SEVERITY, KUBEARMOR_CONTAINER_ID
 *                       the record's values, each only when non-empty
 *     KUBEARMOR_SUPPRESSED  on suppression summaries: the number of alerts suppressed
 *     KUBEARMOR_SEQ     the record's sequence number in this feeder (1, 2, ...)
 *     KUBEARMOR_REPLAYED=1  on a record sent again after a journald restart (below)
 * - PRIORITY by Type and Action:
 *     MatchedPolicy, MatchedHostPolicy with Action Block:  LOG_WARNING (4),
 *                                                         LOG_ERR (3) if Severity >= 7
 *     MatchedPolicy, MatchedHostPolicy, any other Action:  LOG_NOTICE (5)
 *     HostLog, ContainerLog (telemetry):                   LOG_INFO (6)
 *     SystemEvent (throttling notices and summaries):      LOG_WARNING (4)
 * - Journal unavailable: journald stopped (-ECONNREFUSED), no socket (-ENOENT; libsystemd itself
 *   would report success, so the socket is checked before each send) or any other send error.
 *   The record is counted in journal_failures and written as one JSON line to the fallback fd
 *   (stdout by default) instead; if that fails too it is counted in lost. The next record tries
 *   the journal again, so output returns to the journal as soon as journald is back.
 * - journald restarts: datagrams journald accepted but had not read when it stopped are dropped by
 *   the kernel, although sd_journal_sendv() reported success. journald's queue holds at most
 *   net.unix.max_dgram_qlen + 1 datagrams (512 + 1 under systemd), so the feeder keeps that many
 *   of the records it last sent to the journal (plus a margin of FEEDER_REPLAY_MARGIN, at most
 *   FEEDER_REPLAY_MAX records and FEEDER_REPLAY_BYTES bytes), with the identity of the socket that
 *   took them. When a later record goes to a different socket (a new journald), or feeder_flush()
 *   finds one, the kept records of the old one are sent again with KUBEARMOR_REPLAYED=1. Delivery
 * is at-least-once: a record may appear twice, with the same KUBEARMOR_SEQ and _PID.
 * - journald drops entries over its per-unit rate limit silently; the unit must disable it
 *   (LogRateLimitIntervalSec=0) and rely on the throttling here.
 * - Throttling (reference §7.3, §8.2 alertThrottling, maxAlertPerSec, throttleSec), per key
 *   (PolicyName, ContainerID); the host is the workload with the empty ContainerID. When more
 *   than max_alerts_per_sec alerts of one key arrive within one second, one
 *   SystemEvent/AlertThreshold record is emitted and further alerts of that key are suppressed for
 *   throttle_sec seconds. Every suppressed alert is counted; feeder_flush() (called periodically by
 *   the daemon) emits, per key, one SystemEvent/AlertThreshold record whose Data is
 *   "suppressed=<n>" for the alerts suppressed since the previous flush. Nothing disappears
 *   uncounted. Only MatchedPolicy and MatchedHostPolicy alerts are throttled unless
 *   throttle_telemetry is set; SystemEvents are never throttled.
 * - Time: throttling uses a monotonic clock in µs passed by the caller (feeder_send_at,
 *   feeder_flush), so tests are deterministic; record timestamps use the realtime clock (or
 *   options.realtime_usec).
 * - Not thread-safe: one Feeder is used from the daemon's event loop. The module logs at debug
 *   level only; callers read feeder_get_stats(). sd_journal_sendv() blocks while journald's queue
 *   is full. Writing to a closed pipe or socket on the fallback fd raises SIGPIPE: the process
 *   must ignore it (systemd's IgnoreSIGPIPE=yes does), then the write fails with -EPIPE and the
 *   record counts as lost.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

/* Longest string (bytes) copied into a record; longer values are cut on a UTF-8 boundary. */
#define ALERT_STRING_MAX 8192U
/* At most this many EventData pairs are taken from Data and Resource; keys are at most 64 bytes. */
#define ALERT_EVENT_DATA_MAX 32U
#define ALERT_EVENT_KEY_MAX  64U
/* Throttling keeps at most this many (policy, workload) keys; more share one overflow key. */
#define FEEDER_THROTTLE_KEYS_MAX 4096U
/* Records kept for a replay after a journald restart: at most this many, and this many bytes. */
#define FEEDER_REPLAY_MAX    1024U
#define FEEDER_REPLAY_BYTES  (2U * 1024U * 1024U)
#define FEEDER_REPLAY_MARGIN 16U

typedef enum AlertType {
	ALERT_TYPE_NONE = 0,
	ALERT_TYPE_MATCHED_HOST_POLICY, /* "MatchedHostPolicy": alert on the host */
	ALERT_TYPE_MATCHED_POLICY,	/* "MatchedPolicy": alert in a container */
	ALERT_TYPE_HOST_LOG,		/* "HostLog": telemetry on the host */
	ALERT_TYPE_CONTAINER_LOG,	/* "ContainerLog": telemetry in a container */
	ALERT_TYPE_SYSTEM_EVENT,	/* "SystemEvent": throttling notices and summaries */
	_ALERT_TYPE_MAX,
} AlertType;

typedef enum AlertOperation {
	ALERT_OP_NONE = 0,
	ALERT_OP_PROCESS,
	ALERT_OP_FILE,
	ALERT_OP_NETWORK,
	ALERT_OP_CAPABILITIES,
	ALERT_OP_SYSCALL,
	ALERT_OP_DEVICE,
	ALERT_OP_NETWORK_FIREWALL,
	ALERT_OP_ALERT_THRESHOLD,
	_ALERT_OP_MAX,
} AlertOperation;

typedef enum AlertAction {
	ALERT_ACTION_NONE = 0,
	ALERT_ACTION_ALLOW,	  /* "Allow" */
	ALERT_ACTION_AUDIT,	  /* "Audit" */
	ALERT_ACTION_BLOCK,	  /* "Block" */
	ALERT_ACTION_AUDIT_ALLOW, /* "Audit (Allow)": audited mode, nothing enforced */
	ALERT_ACTION_AUDIT_BLOCK, /* "Audit (Block)": would have been blocked, was not */
	_ALERT_ACTION_MAX,
} AlertAction;

/* Strings as they appear in records; NULL for NONE or out of range. */
const char *alert_type_to_string(AlertType t);
const char *alert_operation_to_string(AlertOperation op);
const char *alert_action_to_string(AlertAction a);
/* Reverse lookups (exact, case-sensitive); -EINVAL when unknown. */
int alert_type_from_string(const char *s);
int alert_operation_from_string(const char *s);
int alert_action_from_string(const char *s);

/* One record. NULL or "" strings and zero numbers are omitted (except ppid and uid). */
typedef struct Alert {
	uint64_t timestamp_usec;  /* realtime µs: Timestamp (s) and UpdatedTime; 0 = now
				     (feeder_send) */
	const char *cluster_name; /* NULL = the feeder's default */
	const char *host_name;	  /* NULL = the feeder's default */
	const char *node_id;	  /* NULL = the feeder's default */
	const char *namespace_name;
	const char *pod_name;
	const char *labels; /* "k=v,k2=v2" */
	const char *container_id;
	const char *container_name;
	const char *container_image;
	int32_t host_ppid;
	int32_t host_pid;
	int32_t ppid; /* always present */
	int32_t pid;
	uint32_t uid; /* always present */
	const char *parent_process_name;
	const char *process_name;
	const char *policy_name;
	int severity;	   /* 0 = none, else 1..10 */
	char *const *tags; /* strv: Tags (joined by ',') and ATags (array) */
	const char *message;
	AlertType type;
	const char *source;
	AlertOperation operation;
	const char *resource;
	const char *data; /* "syscall=SYS_OPENAT fd=-100 flags=O_RDONLY": also gives EventData */
	const char *enforcer;
	AlertAction action;
	const char *result; /* "Passed", "Permission denied", ... */
	const char *cwd;
	const char *tty;
	const char *exec_id;	     /* ExecEvent.ExecID */
	const char *executable_name; /* ExecEvent.ExecutableName */
	const char *user_name;
	int32_t max_alerts_per_sec;	  /* AlertThreshold records */
	int32_t dropping_alerts_interval; /* AlertThreshold records, seconds */
} Alert;

/**
 * alert_to_json() - serialise one record as compact JSON (no trailing newline).
 * @a: the record; its type must be set.
 * @ret: receives a malloc'ed NUL-terminated string.
 *
 * Return: 0, -EINVAL if @a has no valid type, or -ENOMEM.
 */
int alert_to_json(const Alert *a, char **ret);

/* Fixed MESSAGE_IDs (128-bit, lowercase hex without dashes), one per Type. */
#define FEEDER_MESSAGE_ID_MATCHED_HOST_POLICY "e1e5eb6d3cff4670a2d2f331383cb4e0"
#define FEEDER_MESSAGE_ID_MATCHED_POLICY      "f42f4790b51742b08c17dfe760eb6ec1"
#define FEEDER_MESSAGE_ID_HOST_LOG	      "766a888dfc6c41779dff347a94d9bb0d"
#define FEEDER_MESSAGE_ID_CONTAINER_LOG	      "66aa45595f504ee6b6b128c5c2c56bb7"
#define FEEDER_MESSAGE_ID_SYSTEM_EVENT	      "bf8a76cf99834d448a348b66e5d19473"

const char *alert_type_message_id(AlertType t);
/* The PRIORITY (LOG_*) of a record, from the table in the header comment. */
int alert_priority(const Alert *a);

/* One journal field: "NAME=value" as an iovec would carry it, kept apart for tests. */
typedef struct FeederField {
	const char *name;
	const char *value;
} FeederField;

#define FEEDER_FIELDS_MAX 16U

/* A record ready for a sink: the JSON and every journal field (MESSAGE first). */
typedef struct FeederRecord {
	const char *json;
	uint64_t seq;  /* KUBEARMOR_SEQ */
	bool replayed; /* KUBEARMOR_REPLAYED=1 */
	AlertType type;
	int priority;
	FeederField fields[FEEDER_FIELDS_MAX];
	size_t n_fields;
} FeederRecord;

/* Returns 0 or a positive sink instance id when the record was accepted (a change of id acts like
 * a journald restart: recent records of the old id are sent again), -errno to make the feeder use
 * its fallback fd. */
typedef int (*FeederCallback)(const FeederRecord *rec, void *userdata);

typedef enum FeederSink {
	FEEDER_SINK_AUTO =
		0, /* journal if /run/systemd/journal/socket exists at feeder_new(), else stdout */
	FEEDER_SINK_JOURNAL,
	FEEDER_SINK_STDOUT,   /* JSON lines on fallback_fd */
	FEEDER_SINK_CALLBACK, /* options.callback (tests, other consumers) */
	_FEEDER_SINK_MAX,
} FeederSink;

typedef struct FeederOptions {
	FeederSink sink;
	int fallback_fd; /* JSON lines for the stdout sink and the fallback; default STDOUT_FILENO
			  */
	bool throttling; /* alertThrottling, default true */
	unsigned max_alerts_per_sec; /* maxAlertPerSec, default 10, at least 1 */
	unsigned throttle_sec;	     /* throttleSec, default 30, at least 1 */
	bool throttle_telemetry;     /* also throttle HostLog/ContainerLog; default false */
	/* Records kept for a replay after a journald restart; 0 = net.unix.max_dgram_qlen + 1 +
	 * FEEDER_REPLAY_MARGIN (FEEDER_REPLAY_MAX if unknown). At most FEEDER_REPLAY_MAX. */
	unsigned replay_window;
	const char *cluster_name; /* defaults filled into records that lack them (copied) */
	const char *host_name;
	const char *node_id;
	FeederCallback callback; /* FEEDER_SINK_CALLBACK */
	void *userdata;
	/* Realtime clock in µs for records the feeder creates or that lack a timestamp; NULL = the
	 * real CLOCK_REALTIME. For tests. */
	uint64_t (*realtime_usec)(void *userdata);
} FeederOptions;

/* Counters since feeder_new(). */
typedef struct FeederStats {
	uint64_t records;	      /* records accepted by feeder_send (before throttling) */
	uint64_t sent_journal;	      /* records written to the journal */
	uint64_t sent_fallback;	      /* records written as JSON lines to the fallback fd */
	uint64_t sent_callback;	      /* records accepted by the callback sink */
	uint64_t journal_failures;    /* records the journal (or callback) refused */
	uint64_t lost;		      /* records no sink accepted, or that could not be built */
	uint64_t suppressed;	      /* alerts suppressed by throttling */
	uint64_t suppressed_reported; /* of those, already reported by a summary record */
	uint64_t threshold_events;    /* AlertThreshold notices emitted when throttling started */
	uint64_t summaries;	      /* suppression summary records emitted */
	uint64_t replayed;	      /* records sent again after a journald restart */
	int last_error;		      /* last journal/callback error (negative errno), 0 if none */
	bool journal_up;	      /* the last journal write succeeded */
} FeederStats;

typedef struct Feeder Feeder;

/* Fill @o with the defaults named in FeederOptions. */
void feeder_options_init(FeederOptions *o);

/**
 * feeder_new() - create a feeder.
 * Return: 0, -EINVAL (bad options: callback sink without callback, unknown sink), or -ENOMEM.
 */
int feeder_new(const FeederOptions *o, Feeder **ret);
/* Emits pending suppression summaries (real clock), then frees. Accepts NULL, returns NULL. */
Feeder *feeder_free(Feeder *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(Feeder *, feeder_free);

#define FEEDER_SUPPRESSED 1

/**
 * feeder_send_at() - throttle, serialise and write one record.
 * @now_usec: monotonic time in µs (CLOCK_MONOTONIC).
 *
 * Missing cluster/host/node names and timestamp are filled from the options and the realtime clock.
 * Return: 0 when written (journal, callback or fallback), FEEDER_SUPPRESSED when throttled (and
 * counted), -EINVAL for a record without a type, -errno when no sink took it (counted as lost).
 */
int feeder_send_at(Feeder *f, const Alert *a, uint64_t now_usec);
/* feeder_send_at() with the current CLOCK_MONOTONIC time. */
int feeder_send(Feeder *f, const Alert *a);

/**
 * feeder_flush() - emit one summary record per key with alerts suppressed since the last flush,
 * forget idle keys, and replay kept records if journald was restarted since the last record.
 * @now_usec: monotonic time in µs.
 * Return: the number of summary records emitted, or -errno if one could not be written (it stays
 * pending and is retried by the next flush).
 */
int feeder_flush(Feeder *f, uint64_t now_usec);

void feeder_get_stats(const Feeder *f, FeederStats *ret);

/* Current CLOCK_MONOTONIC / CLOCK_REALTIME in µs. */
uint64_t feeder_now_monotonic(void);
uint64_t feeder_now_realtime(void);
