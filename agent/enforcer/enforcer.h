/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enforcer.h: the interface every kernel enforcer (BPF-LSM, AppArmor) implements, and the selection
 * of one by the configured lsm order.
 *
 * Contract:
 * - An enforcer turns a workload's sealed RuleSet (rules/rules.h) into kernel state. apply()
 * replaces the previous state of that workload atomically from the kernel's point of view: an
 * operation is decided either by the old or by the new rules, never by a mix, and a failure leaves
 * the old state in force.
 * - Every rule gets a status (enforced, audit only, not supported and why) so that nothing is
 * silently not enforced; the daemon reports it in `kubearmor status` and warns for unenforced Block
 * rules.
 * - Denials and audits the enforcer observes reach the daemon as EnforcerEvents through
 *   get_fd()/process(); the daemon matches them to rules and builds alerts.
 * - Modules below return errors; selection (enforcer.c) logs its choice and every skipped enforcer
 * with the reason.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rules/rules.h"

typedef struct Enforcer Enforcer;

typedef enum RuleEnforcement {
	RULE_ENFORCED,	   /* the kernel decides this rule */
	RULE_AUDIT_ONLY,   /* Audit rule: observed, never blocks (by design) */
	RULE_MONITOR_ONLY, /* Block/Allow rule the enforcer cannot express: alerts only, NOT blocked
			    */
	_RULE_ENFORCEMENT_MAX,
} RuleEnforcement;

/* One operation the enforcer denied (or audited in the kernel). Strings are borrowed for the
 * duration of the callback. */
typedef struct EnforcerEvent {
	RuleClass class;
	RuleAction action; /* ACTION_BLOCK for denials, ACTION_AUDIT for in-kernel audits */
	int error;	   /* positive errno returned to the task (EACCES, EPERM), 0 if it passed */
	pid_t pid, ppid;   /* host pid namespace */
	uid_t uid;
	uint64_t cgroup_id;
	const char *subject;	 /* executable of the acting task, or NULL */
	const char *parent;	 /* executable of its parent, or NULL */
	const char *resource;	 /* path, or protocol/capability text as in reference §7.2 */
	const char *data;	 /* "lsm=FILE_OPEN" etc. */
	const char *policy_name; /* when the enforcer knows which policy decided (AppArmor profile),
				    else NULL */
	int domain, type, protocol; /* network */
	int capability;		    /* capabilities */
	RuleAccess access;	    /* file */
} EnforcerEvent;

typedef void (*enforcer_event_cb)(const EnforcerEvent *ev, void *userdata);

typedef struct EnforcerOptions {
	const char *bpffs;     /* bpffs root for pinned state, default "/sys/fs/bpf" */
	const char *state_dir; /* e.g. "/run/kubearmor" */
	pid_t self_pid;	       /* the agent's own pid, never mediated */
	enforcer_event_cb on_event;
	void *userdata;
} EnforcerOptions;

typedef struct EnforcerOps {
	const char *name;    /* "bpf", "apparmor": the config's lsm order names */
	const char *display; /* "BPFLSM", "AppArmor": the alerts' Enforcer field */
	/* 0 when usable on this kernel; otherwise -errno and a static or allocated reason in
	 * *reason (allocated: caller frees). */
	int (*probe)(char **reason);
	int (*new)(const EnforcerOptions *opts, Enforcer **ret);
	/* Replace the enforcement for the host workload with `rs`. */
	int (*apply_host)(Enforcer *e, const Workload *w, const RuleSet *rs);
	/* How `r` (a rule of the last applied RuleSet) is enforced; *reason explains MONITOR_ONLY.
	 */
	RuleEnforcement (*rule_status)(Enforcer *e, const Rule *r, const char **reason);
	int (*get_fd)(Enforcer *e);  /* pollable fd for events, or -1 */
	int (*process)(Enforcer *e); /* drain events, calling opts->on_event */
	/* Stop the agent side. remove=true (systemctl stop) also removes kernel enforcement;
	 * remove=false (crash, restart) leaves pinned enforcement in place for the next start to
	 * adopt. */
	Enforcer *(*free)(Enforcer *e, bool remove);
} EnforcerOps;

extern const EnforcerOps enforcer_bpflsm_ops;
extern const EnforcerOps enforcer_apparmor_ops;

const char *
rule_enforcement_to_string(RuleEnforcement s); /* "enforced", "audit-only", "monitor-only" */

/* ---- Selection (enforcer.c)
 * ----------------------------------------------------------------------- */

/* The outcome of enforcer_select(). */
typedef struct EnforcerSelection {
	const EnforcerOps *ops; /* the enforcer in use, or NULL when none could be loaded */
	Enforcer *enforcer;	/* its instance, or NULL */
	char *summary; /* one line per candidate, "bpf: in use" / "apparmor: skipped: <reason>",
			* joined by "; " (for `kubearmor status` and sd_notify STATUS) */
} EnforcerSelection;

/* Tries the enforcers named in `lsm_order` ("bpf", "apparmor", "selinux"; "none" stops) in order:
 * the first whose probe passes and whose new() succeeds is used. Logs the choice and each skipped
 * enforcer with its reason; when none loads it says so loudly and returns 0 with ret->ops == NULL
 * (the agent keeps monitoring). NULL or empty `lsm_order` means {"bpf", "apparmor", "selinux"}.
 * Returns 0 or -ENOMEM. */
int enforcer_select(char *const *lsm_order, const EnforcerOptions *opts, EnforcerSelection *ret);
/* Frees the instance (see EnforcerOps.free for `remove`) and the summary. */
void enforcer_selection_done(EnforcerSelection *s, bool remove);
