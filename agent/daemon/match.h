/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match.h: one monitor event of a host process → the records it gives (reference §6.5, §7.2, §7.3).
 *
 * Contract:
 * - Only events whose result is Passed, EPERM or EACCES are matched against rules; others can only
 *   become telemetry.
 * - Process events (exec) use the process rules (subject: the parent's executable, which launched
 *   the program); open events the file rules (read, or write for O_WRONLY/O_RDWR/O_CREAT/O_TRUNC/
 *   O_APPEND); unlink/unlinkat/rmdir/chown/fchownat the file rules as writes and the syscall rules;
 *   setuid/setgid/ptrace/mount/umount2 the syscall rules; socket() the network rules.
 * - A matched Audit rule gives a MatchedHostPolicy alert, Action "Audit". A matched Block rule
 * gives an alert with Action "Block" when an enforcer is active and the kernel denied the
 * operation, and "Audit (Block)" when no enforcer is active (nothing was blocked; KubeArmor's
 * audited mode). The default posture of a class in allow-list mode gives PolicyName
 * "DefaultPosture" alerts the same way. Enforcer is "eBPF Monitor". A matched Allow rule gives no
 * alert.
 * - Alerts do not depend on visibility (KubeArmor's Audit-needs-visibility bug, reference §10.1).
 *   Events without an alert become HostLog telemetry when visibility for their class is on.
 * - Pure but for stat(2) of a target when an ownerOnly rule needs its owner and a read of
 *   /proc/PID/stat when a pts rule needs the terminal. Nothing here logs.
 */
#pragma once

#include <stdbool.h>

#include "feeder/feeder.h"
#include "monitor/monitor.h"
#include "rules/rules.h"

#define MATCH_RECORDS_MAX  2
#define MATCH_RESOURCE_MAX (AGENT_PATH_MAX + AGENT_ARGS_MAX + 2)
#define MATCH_DATA_MAX	   1024

typedef struct MatchContext {
	const RuleSet *rules; /* NULL: no rules */
	unsigned visibility;  /* conf.h Visibility bits: which classes give HostLog telemetry */
	const char *enforcer; /* NULL: none active */
	bool needs_owner[_RULE_CLASS_MAX]; /* some rule of the class is ownerOnly */
	bool needs_tty[_RULE_CLASS_MAX];   /* some rule of the class has a pts condition */
	/* With an enforcer: whether it decides this rule in the kernel. Its own events then report
	 * the rule's Block matches, and the monitor's copy becomes telemetry (reference §6.5).
	 * NULL: none. */
	bool (*rule_enforced)(const Rule *r, void *userdata);
	void *userdata;
} MatchContext;

typedef struct MatchRecord {
	Alert alert; /* its strings point into this record and into the event */
	char resource[MATCH_RESOURCE_MAX];
	char data[MATCH_DATA_MAX];
	char result[64];
} MatchRecord;

/* Fills the per-class flags from `rules`. */
void match_context_init(MatchContext *ctx, const RuleSet *rules, unsigned visibility,
			const char *enforcer);

/* Builds the records for `ev` into out[0..n). Returns n (0..MATCH_RECORDS_MAX). */
int match_event(const MatchContext *ctx, const MonitorEvent *ev,
		MatchRecord out[MATCH_RECORDS_MAX]);

/* Formatting helpers, exposed for tests. */
void match_format_open_flags(unsigned long flags, char *buf, size_t n); /* "O_RDONLY|O_CLOEXEC" */
const char *match_errno_result(int64_t ret, char *buf,
			       size_t n); /* "Passed", "Permission denied" */
