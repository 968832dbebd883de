/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manager.h: the composition root of `kubearmor run`. The Manager owns the sd-event loop, the
 * configuration, the host identity, the policy store, the host rule set, the monitor, the feeder
 * and the status socket, and wires them together. Nothing below daemon/ knows about it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/conf.h"
#include "daemon/policy-store.h"
#include "enforcer/enforcer.h"
#include "feeder/feeder.h"
#include "monitor/monitor.h"
#include "rules/rules.h"
#include "identity/host.h"

#define STATUS_SOCKET_PATH "/run/kubearmor/status.sock"

typedef struct ManagerArgs {
	const char *config_path;   /* NULL: CONFIG_FILE, optional */
	char **overrides;	   /* strv of "key=value" from the command line, applied last */
	const char *status_socket; /* NULL: STATUS_SOCKET_PATH; "" disables it */
	bool no_monitor;
	unsigned monitor_ring_bytes; /* 0: the monitor's default */
	bool foreground;
} ManagerArgs;

/* Counters shown by `kubearmor status`. */
typedef struct ManagerCounters {
	uint64_t events;	      /* monitor events consumed */
	uint64_t events_host;	      /* of which from host processes */
	uint64_t events_ignored;      /* not from the host (containers come later) */
	uint64_t events_unidentified; /* the process was gone before its executable was known */
	uint64_t enforcer_events;     /* denials and audits reported by the enforcer */
	uint64_t alerts;	      /* MatchedHostPolicy alerts handed to the feeder */
	uint64_t logs;		      /* HostLog records handed to the feeder */
	uint64_t reloads;
	uint64_t reload_failures;
	uint64_t rule_compiles;
	uint64_t rule_compile_failures;
} ManagerCounters;

typedef struct Manager Manager;

int manager_new(const ManagerArgs *args, Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m)
{
	manager_free(*m);
}

/* Loads configuration and policies, starts the monitor, the feeder and the status socket, then
 * signals READY=1. */
int manager_start(Manager *m);
/* Runs the event loop until SIGTERM/SIGINT. Returns 0 or a negative errno. */
int manager_run(Manager *m);
/* What SIGHUP does: re-read configuration and every policy file. */
int manager_reload(Manager *m);

/* Accessors for status.c. */
sd_event *manager_event(Manager *m);
const Config *manager_config(const Manager *m);
const char *manager_config_path(const Manager *m);
const HostIdentity *manager_host(const Manager *m);
const PolicyStore *manager_store(const Manager *m);
const ManagerCounters *manager_counters(const Manager *m);
uint64_t manager_start_realtime_usec(const Manager *m);
/* The enforcer in use (NULL: none) and, when none, why. */
const char *manager_enforcer(const Manager *m);
const char *manager_enforcer_reason(const Manager *m);
/* How the active enforcer handles `r` (no enforcer: Audit rules audit-only, others monitor-only).
 */
RuleEnforcement manager_rule_status(const Manager *m, const Rule *r, const char **reason);
const RuleSet *manager_rules(const Manager *m); /* NULL when compilation failed */
const Workload *manager_workload(const Manager *m);
/* Monitor counters; -ENODEV when the monitor is not running. */
int manager_monitor_stats(Manager *m, MonitorStats *ret);
/* Feeder counters since start (across reloads). */
void manager_feeder_stats(const Manager *m, FeederStats *ret);
/* Hands one record to the feeder; logs when the journal goes away or comes back. */
int manager_send(Manager *m, const Alert *a);
bool manager_monitor_active(const Manager *m);
const char *manager_monitor_reason(const Manager *m);
