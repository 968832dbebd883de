/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "config.h"
#include "core/log.h"
#include "core/strv.h"
#include "daemon/manager.h"
#include "daemon/match.h"
#include "daemon/status.h"
#include "enforcer/enforcer.h"
#include "monitor/monitor.h"
#include "feeder/feeder.h"
#include "rules/rules.h"

#define FEEDER_FLUSH_USEC (5 * 1000000ULL) /* suppression summaries */
#define DROP_REPORT_USEC  (5 * 1000000ULL) /* how often dropped events are logged */
#define UNIDENTIFIED_LOG_USEC                                              \
	(10 * 1000000ULL) /* rate limit of the "exited before lookup" line \
			   */

struct Manager {
	sd_event *event;
	ManagerArgs args;
	char *config_path;
	bool config_explicit;
	Config *config;
	HostIdentity *host;
	PolicyStore *store;
	StatusServer *status;
	Workload *workload; /* the host */
	RuleSet *rules;	    /* host policies compiled for the host; borrows the store's policies */
	Feeder *feeder;
	FeederStats feeder_base; /* counters of feeders replaced by reloads */
	bool journal_up;
	sd_event_source *flush_timer;

	EnforcerSelection sel; /* the enforcer in use (sel.ops NULL: none) */
	sd_event_source *enforcer_io;
	bool stopping;	       /* SIGTERM: a clean stop removes kernel enforcement */
	char *enforcer;	       /* NULL: none */
	char *enforcer_reason; /* why none */
	bool monitor_active;
	char *monitor_reason;
	Monitor *monitor;
	sd_event_source *monitor_io;
	sd_event_source *monitor_timer;
	uint64_t host_pidns;
	uint64_t last_drop_report_usec;
	uint64_t drops_reported;
	uint64_t drops_by_reason[_AGENT_STAT_MAX];
	uint64_t last_unidentified_log_usec;
	uint64_t unidentified_since_log;
	MatchContext match;
	MatchRecord records[MATCH_RECORDS_MAX];

	ManagerCounters counters;
	uint64_t start_realtime_usec;
	bool ready;
};

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	(void)clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

Manager *manager_free(Manager *m)
{
	if (!m)
		return NULL;
	status_server_free(m->status);
	sd_event_source_disable_unref(m->enforcer_io);
	enforcer_selection_done(&m->sel, m->stopping);
	sd_event_source_disable_unref(m->monitor_io);
	sd_event_source_disable_unref(m->monitor_timer);
	monitor_free(m->monitor);
	sd_event_source_disable_unref(m->flush_timer);
	feeder_free(m->feeder);
	rule_set_free(m->rules);
	workload_free(m->workload);
	policy_store_free(m->store);
	host_identity_free(m->host);
	config_free(m->config);
	free(m->config_path);
	strv_free(m->args.overrides);
	free(m->enforcer);
	free(m->enforcer_reason);
	free(m->monitor_reason);
	sd_event_unref(m->event);
	free(m);
	return NULL;
}

int manager_new(const ManagerArgs *args, Manager **ret)
{
	_cleanup_(manager_freep) Manager *m = new0(Manager, 1);
	int r;

	if (!m)
		return -ENOMEM;
	m->args = *args;
	m->args.overrides = NULL;
	if (args->overrides && !(m->args.overrides = strv_copy(args->overrides)))
		return -ENOMEM;
	m->config_explicit = !!args->config_path;
	m->config_path = strdup(args->config_path ?: CONFIG_FILE);
	if (!m->config_path)
		return -ENOMEM;
	r = sd_event_default(&m->event);
	if (r < 0)
		return r;
	m->start_realtime_usec = now_usec(CLOCK_REALTIME);
	m->journal_up = true;
	*ret = TAKE_PTR(m);
	return 0;
}

sd_event *manager_event(Manager *m)
{
	return m->event;
}

const Config *manager_config(const Manager *m)
{
	return m->config;
}

const char *manager_config_path(const Manager *m)
{
	return m->config_path;
}

const HostIdentity *manager_host(const Manager *m)
{
	return m->host;
}

const PolicyStore *manager_store(const Manager *m)
{
	return m->store;
}

const ManagerCounters *manager_counters(const Manager *m)
{
	return &m->counters;
}

uint64_t manager_start_realtime_usec(const Manager *m)
{
	return m->start_realtime_usec;
}

const char *manager_enforcer(const Manager *m)
{
	return m->enforcer;
}

const char *manager_enforcer_reason(const Manager *m)
{
	return m->enforcer_reason;
}

bool manager_monitor_active(const Manager *m)
{
	return m->monitor_active;
}

const char *manager_monitor_reason(const Manager *m)
{
	return m->monitor_reason;
}

/* Builds a complete configuration (defaults, file, environment, command line). Logs every error;
 * returns -EINVAL when any. */
static int load_config(Manager *m, Config **ret)
{
	static char *const not_keys[] = {"KUBEARMOR_LOG_LEVEL", "KUBEARMOR_CONFIG", NULL};
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_strv_free_ char **errors = NULL;
	int r, ret_r = 0;

	r = config_new(&c);
	if (r < 0)
		return r;
	r = config_load_file(c, m->config_path, m->config_explicit, &errors);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		ret_r = r;
	r = config_apply_env(c, NULL, not_keys, &errors);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		ret_r = r;
	STRV_FOREACH(o, m->args.overrides)
	{
		_cleanup_free_ char *key = strndup(*o, strcspn(*o, "="));
		const char *eq = strchr(*o, '=');

		if (!key)
			return -ENOMEM;
		r = config_set(c, key, eq ? eq + 1 : "", "command line", &errors);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ret_r = r;
	}
	STRV_FOREACH(e, errors)
	log_error("config: %s", *e);
	if (ret_r < 0)
		return ret_r;
	*ret = TAKE_PTR(c);
	return 0;
}

static int build_identity(const Config *c, HostIdentity **ret)
{
	int r = host_identity_new(c->host, c->host_labels, NULL, ret);

	if (r == -EINVAL)
		return log_error_errno(r, "config: invalid host name or host labels");
	if (r < 0)
		return log_error_errno(r, "identity: cannot determine the host identity: %m");
	return 0;
}

static const char *monitor_op_name(RuleClass c)
{
	switch (c) {
	case RULE_CLASS_PROCESS:
		return "Process";
	case RULE_CLASS_FILE:
		return "File";
	case RULE_CLASS_NETWORK:
	case RULE_CLASS_DNS:
		return "Network";
	case RULE_CLASS_CAPABILITY:
		return "Capabilities";
	default:
		return "Syscall";
	}
}

/* A denial (or in-kernel audit) reported by the enforcer: an alert with the enforcer's name. */
static void on_enforcer_event(const EnforcerEvent *ev, void *userdata)
{
	Manager *m = userdata;
	MatchRecord *rec = &m->records[0];
	Alert *a = &rec->alert;
	RuleDecision d = {};
	RuleOp op = {
		.class = ev->class,
		.subject = ev->subject,
		.path = ev->resource,
		.access = ev->access,
		.domain = ev->domain,
		.type = ev->type,
		.protocol = ev->protocol,
		.capability = ev->capability,
		.domain_name = ev->resource,
	};
	int opi;

	*a = (Alert){0};
	a->type = ALERT_TYPE_MATCHED_HOST_POLICY;
	a->host_pid = a->pid = (int32_t)ev->pid;
	a->host_ppid = a->ppid = (int32_t)ev->ppid;
	a->uid = (uint32_t)ev->uid;
	a->process_name = ev->subject;
	a->parent_process_name = ev->parent;
	a->source = ev->class == RULE_CLASS_PROCESS ? ev->parent : ev->subject;
	opi = alert_operation_from_string(monitor_op_name(ev->class));
	a->operation = opi > 0 ? (AlertOperation)opi : ALERT_OP_NONE;
	a->resource = ev->resource;
	a->data = ev->data;
	a->enforcer = m->sel.ops ? m->sel.ops->display : NULL;
	a->action = ev->action == ACTION_BLOCK ? ALERT_ACTION_BLOCK : ALERT_ACTION_AUDIT;
	a->result = ev->error ? strerror(ev->error) : "Passed";
	a->policy_name = ev->policy_name;
	if (m->rules && rule_set_decide(m->rules, &op, &d) == 0 && d.decider == RULE_DECIDER_RULE) {
		if (!a->policy_name)
			a->policy_name = d.rule->policy->name;
		a->severity = d.rule->meta->severity;
		a->tags = d.rule->meta->tags;
		a->message = d.rule->meta->message;
	}
	if (!a->policy_name)
		a->policy_name = "DefaultPosture";
	m->counters.alerts++;
	m->counters.enforcer_events++;
	(void)manager_send(m, a);
}

static int on_enforcer_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Manager *m = userdata;
	int r = m->sel.ops->process(m->sel.enforcer);

	if (r < 0)
		log_warning_errno(r, "enforcer: reading its events failed: %m");
	return 0;
}

/* Whether the active enforcer decides `r` in the kernel (its events then report the matches). */
static bool rule_enforced(const Rule *r, void *userdata)
{
	Manager *m = userdata;
	const char *why = NULL;

	return m->sel.ops && m->sel.enforcer && m->sel.ops->rule_status &&
	       m->sel.ops->rule_status(m->sel.enforcer, r, &why) == RULE_ENFORCED;
}

RuleEnforcement manager_rule_status(const Manager *m, const Rule *r, const char **reason)
{
	*reason = NULL;
	if (!m->sel.ops || !m->sel.enforcer || !m->sel.ops->rule_status)
		return r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY;
	return m->sel.ops->rule_status(m->sel.enforcer, r, reason);
}

/* Hands the host RuleSet to the enforcer, if one is in use. */
static void apply_enforcer(Manager *m)
{
	int r;

	if (!m->sel.ops || !m->sel.enforcer || !m->rules || !m->workload)
		return;
	r = m->sel.ops->apply_host(m->sel.enforcer, m->workload, m->rules);
	if (r < 0)
		log_error_errno(
			r,
			"enforcer: %s could not apply the host rules: %m; what it enforced before "
			"stays in the kernel",
			m->sel.ops->display);
}

static int choose_enforcer(Manager *m)
{
	EnforcerOptions o = {
		.state_dir = "/run/kubearmor",
		.self_pid = getpid(),
		.on_event = on_enforcer_event,
		.userdata = m,
	};
	int r, fd;

	free(m->enforcer);
	free(m->enforcer_reason);
	m->enforcer = m->enforcer_reason = NULL;

	r = enforcer_select(m->config->lsm, &o, &m->sel);
	if (r < 0)
		return r;
	if (m->sel.ops) {
		m->enforcer = strdup(m->sel.ops->display);
		if (!m->enforcer)
			return -ENOMEM;
		fd = m->sel.ops->get_fd ? m->sel.ops->get_fd(m->sel.enforcer) : -1;
		if (fd >= 0) {
			r = sd_event_add_io(m->event, &m->enforcer_io, fd, EPOLLIN, on_enforcer_io,
					    m);
			if (r < 0)
				return log_error_errno(r, "enforcer: cannot watch its events: %m");
		}
		return 0;
	}
	m->enforcer_reason = strdup(m->sel.summary ?: "no enforcer could be loaded");
	if (!m->enforcer_reason)
		return -ENOMEM;
	log_warning(
		"enforcer: nothing is blocked on this host: matches of Block rules are reported as "
		"alerts with Action 'Audit (Block)' (Enforcer 'eBPF Monitor') but NOT enforced");
	return 0;
}

static void notify_status(Manager *m)
{
	if (!m->ready)
		return;
	(void)sd_notifyf(
		0, "STATUS=%zu policies in force from %zu files (generation %llu); enforcer: %s",
		policy_store_n_policies(m->store), policy_store_n_files(m->store),
		(unsigned long long)policy_store_generation(m->store),
		m->enforcer ?: "none, alerts only");
}

static RuleAction posture_action(Posture p)
{
	return p == POSTURE_BLOCK ? ACTION_BLOCK : ACTION_AUDIT;
}

/* Compiles the host policies in force for the host. The store has just replaced or freed policies
 * the old RuleSet borrowed, so the old one is dropped in every case. */
static int recompile(Manager *m)
{
	_cleanup_free_ const Policy **pols = NULL;
	_cleanup_(workload_freep) Workload *w = NULL;
	RulePostures postures = {
		.file = posture_action(m->config->host_posture[POSTURE_CLASS_FILE]),
		.network = posture_action(m->config->host_posture[POSTURE_CLASS_NETWORK]),
		.capabilities = posture_action(m->config->host_posture[POSTURE_CLASS_CAPABILITIES]),
	};
	size_t n = 0, n_rules = 0;
	int r;

	m->rules = rule_set_free(m->rules);
	m->counters.rule_compiles++;

	r = workload_new_host(m->host->hostname, m->host->labels + 1, &w);
	if (r >= 0)
		r = policy_store_policies(m->store, POLICY_KIND_HSP, &pols, &n);
	if (r >= 0)
		r = rule_set_compile(pols, n, w, &postures, &m->rules);
	if (r < 0) {
		m->counters.rule_compile_failures++;
		return log_error_errno(r,
				       "rules: cannot compile the host policies: %m; NO RULES ARE "
				       "ACTIVE until the next change");
	}
	workload_free(m->workload);
	m->workload = TAKE_PTR(w);
	apply_enforcer(m);

	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		n_rules += m->rules->classes[c].n_rules;
	log_info("rules: %zu of %zu host policies select this host; %zu rules active (generation "
		 "%llu)",
		 m->rules->n_policies, n, n_rules,
		 (unsigned long long)policy_store_generation(m->store));
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;

		if (!workload_selects(m->workload, pols[i], &why))
			log_notice("rules: host policy '%s' does not select this host: %s",
				   pols[i]->name, why ?: "selector does not match");
	}
	return 0;
}

static void stats_add(FeederStats *to, const FeederStats *a)
{
	to->records += a->records;
	to->sent_journal += a->sent_journal;
	to->sent_fallback += a->sent_fallback;
	to->sent_callback += a->sent_callback;
	to->journal_failures += a->journal_failures;
	to->lost += a->lost;
	to->suppressed += a->suppressed;
	to->suppressed_reported += a->suppressed_reported;
	to->threshold_events += a->threshold_events;
	to->summaries += a->summaries;
}

void manager_feeder_stats(const Manager *m, FeederStats *ret)
{
	FeederStats cur = {};

	*ret = m->feeder_base;
	if (m->feeder) {
		feeder_get_stats(m->feeder, &cur);
		stats_add(ret, &cur);
		ret->last_error = cur.last_error;
		ret->journal_up = cur.journal_up;
	}
}

/* (Re)creates the feeder from the configuration; counters carry over. */
static int setup_feeder(Manager *m)
{
	_cleanup_(feeder_freep) Feeder *f = NULL;
	FeederOptions o;
	int r;

	feeder_options_init(&o);
	o.sink =
		FEEDER_SINK_JOURNAL; /* falls back to JSON lines on stdout while journald is down */
	o.fallback_fd = STDOUT_FILENO;
	o.throttling = m->config->alert_throttling;
	o.max_alerts_per_sec = m->config->max_alert_per_sec;
	o.throttle_sec = m->config->throttle_sec;
	o.cluster_name = m->config->cluster;
	o.host_name = m->host->hostname;
	o.node_id = m->host->machine_id;
	r = feeder_new(&o, &f);
	if (r < 0)
		return log_error_errno(r, "feeder: cannot set up: %m");
	if (m->feeder) {
		FeederStats cur;

		(void)feeder_flush(m->feeder, feeder_now_monotonic());
		feeder_get_stats(m->feeder, &cur);
		stats_add(&m->feeder_base, &cur);
		feeder_free(m->feeder);
	}
	m->feeder = TAKE_PTR(f);
	return 0;
}

int manager_send(Manager *m, const Alert *a)
{
	FeederStats st;
	int r;

	if (!m->feeder)
		return -ENOTCONN;
	r = feeder_send(m->feeder, a);
	feeder_get_stats(m->feeder, &st);
	if (st.journal_up != m->journal_up) {
		if (st.journal_up)
			log_notice("feeder: the journal is back; alerts go to the journal again");
		else
			log_warning_errno(st.last_error,
					  "feeder: the journal is unavailable (%m); alerts go "
					  "to standard output as JSON lines until it is back");
		m->journal_up = st.journal_up;
	}
	return r;
}

static int on_flush_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;
	int r;

	if (m->feeder) {
		r = feeder_flush(m->feeder, feeder_now_monotonic());
		if (r < 0)
			log_debug_errno(r, "feeder: flushing suppression summaries failed, "
					   "retrying later: %m");
	}
	(void)sd_event_source_set_time_relative(s, FEEDER_FLUSH_USEC);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

/* ---- the monitor ---- */

static unsigned monitor_visibility(const Manager *m)
{
	unsigned v = 0, cfg = m->config->host_visibility;
	const RuleSet *rs = m->rules;

	/* Telemetry classes, plus every class some rule needs events of: alerts never depend on
	 * visibility. */
	if (cfg & VISIBILITY_PROCESS)
		v |= MONITOR_VIS_BIT(MONITOR_VIS_PROCESS);
	if (cfg & VISIBILITY_FILE)
		v |= MONITOR_VIS_BIT(MONITOR_VIS_FILE);
	if (cfg & VISIBILITY_NETWORK)
		v |= MONITOR_VIS_BIT(MONITOR_VIS_NETWORK);
	if (cfg & VISIBILITY_CAPABILITIES)
		v |= MONITOR_VIS_BIT(MONITOR_VIS_CAPS);
	if (rs) {
		if (rs->classes[RULE_CLASS_PROCESS].n_rules)
			v |= MONITOR_VIS_BIT(MONITOR_VIS_PROCESS);
		if (rs->classes[RULE_CLASS_FILE].n_rules)
			v |= MONITOR_VIS_BIT(MONITOR_VIS_FILE);
		if (rs->classes[RULE_CLASS_NETWORK].n_rules)
			v |= MONITOR_VIS_BIT(MONITOR_VIS_NETWORK);
		if (rs->classes[RULE_CLASS_SYSCALL].n_rules)
			v |= MONITOR_VIS_BIT(MONITOR_VIS_FILE) | MONITOR_VIS_BIT(MONITOR_VIS_CAPS);
	}
	return v;
}

/* After a recompile or reload: the matcher's view and the monitor's classes. */
static void refresh_matching(Manager *m)
{
	match_context_init(&m->match, m->rules, m->config->host_visibility, m->enforcer);
	m->match.rule_enforced = rule_enforced;
	m->match.userdata = m;
	if (m->monitor) {
		int r = monitor_set_visibility(m->monitor, monitor_visibility(m));

		if (r < 0)
			log_warning_errno(r, "monitor: cannot set the observed classes: %m");
	}
}

static void note_unidentified(Manager *m, const MonitorEvent *ev)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);

	m->counters.events_unidentified++;
	m->unidentified_since_log++;
	if (now - m->last_unidentified_log_usec < UNIDENTIFIED_LOG_USEC &&
	    m->last_unidentified_log_usec)
		return;
	log_notice(
		"monitor: process %u ('%s') exited before its executable could be looked up; its "
		"records carry no ProcessName (%llu such events since the last notice)",
		ev->proc.pid, ev->proc.comm, (unsigned long long)m->unidentified_since_log);
	m->last_unidentified_log_usec = now;
	m->unidentified_since_log = 0;
}

static int on_monitor_event(const MonitorEvent *ev, void *userdata)
{
	Manager *m = userdata;
	int n;

	m->counters.events++;
	if (ev->proc.pidns != m->host_pidns) {
		m->counters.events_ignored++;
		return 0;
	}
	m->counters.events_host++;
	if (ev->type != AGENT_EVT_FORK && ev->type != AGENT_EVT_EXIT && isempty(ev->proc.exe))
		note_unidentified(m, ev);

	n = match_event(&m->match, ev, m->records);
	if (n < 0) {
		log_warning_errno(n, "monitor: cannot match an event, skipping it: %m");
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const Alert *a = &m->records[i].alert;

		if (a->type == ALERT_TYPE_MATCHED_HOST_POLICY)
			m->counters.alerts++;
		else
			m->counters.logs++;
		(void)manager_send(m, a);
	}
	return 0;
}

static void report_drops(Manager *m)
{
	static const char *const reasons[_AGENT_STAT_MAX] = {
		[AGENT_STAT_DROP_RINGBUF] = "ring buffer full",
		[AGENT_STAT_DROP_PENDING] = "pending-syscall map full",
		[AGENT_STAT_DROP_SCRATCH] = "no scratch buffer",
		[AGENT_STAT_DROP_TOO_BIG] = "record too big",
		[AGENT_STAT_EXIT_NO_ENTER] = "syscall exit without entry",
	};
	MonitorStats st;
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	char detail[512] = "";
	size_t len = 0;

	if (now - m->last_drop_report_usec < DROP_REPORT_USEC)
		return;
	m->last_drop_report_usec = now;
	if (monitor_read_stats(m->monitor, &st) < 0 || st.kernel_dropped <= m->drops_reported)
		return;
	for (int i = 0; i < _AGENT_STAT_MAX; i++) {
		uint64_t d = st.kernel_drop[i] - m->drops_by_reason[i];

		if (!reasons[i] || d == 0)
			continue;
		len += (size_t)snprintf(detail + len, sizeof(detail) - MIN(len, sizeof(detail)),
					"%s%s: %llu", len ? ", " : "", reasons[i],
					(unsigned long long)d);
		m->drops_by_reason[i] = st.kernel_drop[i];
	}
	log_warning(
		"monitor: %llu events lost in the kernel since the last report (%s; %llu in all); "
		"see 'kubearmor status'",
		(unsigned long long)(st.kernel_dropped - m->drops_reported), detail,
		(unsigned long long)st.kernel_dropped);
	m->drops_reported = st.kernel_dropped;
}

static void consume(Manager *m)
{
	int r = monitor_consume(m->monitor);

	if (r < 0)
		log_warning_errno(r, "monitor: consuming events failed: %m");
	report_drops(m);
}

static int on_monitor_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	consume(userdata);
	return 0;
}

static int on_monitor_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	Manager *m = userdata;

	consume(m);
	(void)sd_event_source_set_time_relative(s, monitor_poll_interval_usec(m->monitor));
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int start_monitor(Manager *m)
{
	MonitorOptions o = {
		.callback = on_monitor_event,
		.userdata = m,
		.visibility = monitor_visibility(m),
		.ring_bytes = m->args.monitor_ring_bytes,
	};
	struct stat st;
	int r;

	if (stat("/proc/self/ns/pid", &st) < 0)
		return log_error_errno(errno, "monitor: cannot read the host's pid namespace: %m");
	m->host_pidns = st.st_ino;
	if (o.visibility == 0)
		o.visibility = MONITOR_VIS_BIT(MONITOR_VIS_PROCESS); /* 0 would mean all */

	r = monitor_new(&m->monitor, &o);
	if (r < 0) {
		free(m->monitor_reason);
		if (asprintf(&m->monitor_reason, "the eBPF monitor could not start: %s",
			     strerror(-r)) < 0)
			m->monitor_reason = NULL;
		return log_error_errno(
			r, "monitor: cannot start the eBPF monitor: %m; NOTHING IS OBSERVED: "
			   "no alerts will be written");
	}
	if (monitor_visibility(m) == 0)
		(void)monitor_set_visibility(m->monitor, 0);
	r = sd_event_add_io(m->event, &m->monitor_io, monitor_get_fd(m->monitor), EPOLLIN,
			    on_monitor_io, m);
	if (r >= 0)
		r = sd_event_add_time_relative(m->event, &m->monitor_timer, CLOCK_MONOTONIC,
					       monitor_poll_interval_usec(m->monitor), 10000,
					       on_monitor_timer, m);
	if (r < 0)
		return log_error_errno(r, "monitor: cannot watch the ring buffer: %m");
	(void)sd_event_source_set_description(m->monitor_io, "monitor-ring");
	m->monitor_active = true;
	log_info("monitor: eBPF monitor running");
	return 0;
}

int manager_monitor_stats(Manager *m, MonitorStats *ret)
{
	if (!m->monitor)
		return -ENODEV;
	return monitor_read_stats(m->monitor, ret);
}

static void on_policies_changed(PolicyStore *s, void *userdata)
{
	Manager *m = userdata;

	(void)recompile(m);
	refresh_matching(m);
	notify_status(m);
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;

	log_info("manager: received %s, stopping", strsignal((int)si->ssi_signo));
	m->stopping = true;
	(void)sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;

	(void)manager_reload(m);
	return 0;
}

int manager_reload(Manager *m)
{
	_cleanup_(config_freep) Config *c = NULL;
	_cleanup_(host_identity_freep) HostIdentity *h = NULL;
	int r;

	m->counters.reloads++;
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading",
			 (unsigned long long)now_usec(CLOCK_MONOTONIC));
	log_info("manager: reloading configuration and policies");

	r = load_config(m, &c);
	if (r >= 0)
		r = build_identity(c, &h);
	if (r < 0) {
		m->counters.reload_failures++;
		log_error(
			"manager: configuration '%s' not reloaded; the running configuration stays",
			m->config_path);
	} else {
		config_free(m->config);
		m->config = TAKE_PTR(c);
		host_identity_free(m->host);
		m->host = TAKE_PTR(h);
		(void)setup_feeder(m);
		r = policy_store_set_dir(m->store, m->config->policy_dir);
		if (r < 0)
			log_error_errno(r, "policy: cannot switch to '%s': %m",
					m->config->policy_dir);
	}

	r = policy_store_rescan(m->store, true);
	if (r < 0)
		log_error_errno(r, "policy: rescan failed: %m");
	(void)recompile(m);
	refresh_matching(m);

	(void)sd_notify(0, "READY=1");
	notify_status(m);
	return 0;
}

/* Loading BPF programs can take a minute under a slow verifier (an emulated CPU, a loaded machine). The
 * event loop, which pings the watchdog, does not run before the agent is ready, so each start step tells
 * systemd how long it may take and widens the watchdog until READY=1 restores it. */
#define STARTUP_STEP_USEC (300ULL * 1000 * 1000)

static void startup_step(const char *what)
{
	(void)sd_notifyf(0, "WATCHDOG=1\nWATCHDOG_USEC=%llu\nEXTEND_TIMEOUT_USEC=%llu\nSTATUS=Starting: %s",
			 STARTUP_STEP_USEC, STARTUP_STEP_USEC, what);
}

static void startup_done(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		(void)sd_notifyf(0, "WATCHDOG=1\nWATCHDOG_USEC=%llu", (unsigned long long)usec);
}

int manager_start(Manager *m)
{
	int r;

	r = load_config(m, &m->config);
	if (r < 0)
		return log_error_errno(r, "manager: cannot load the configuration from '%s'",
				       m->config_path);
	r = build_identity(m->config, &m->host);
	if (r < 0)
		return r;
	log_info("manager: kubearmor %s starting on host '%s' (machine id %s)", PACKAGE_VERSION,
		 m->host->hostname, m->host->machine_id);

	r = sd_event_add_signal(m->event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, on_sigterm, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK,
					on_sigterm, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP | SD_EVENT_SIGNAL_PROCMASK,
					on_sighup, m);
	if (r < 0)
		return log_error_errno(r, "manager: cannot set up signal handling: %m");
	/* A reader of stdout/stderr going away must not kill the agent. */
	(void)signal(SIGPIPE, SIG_IGN);
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "manager: cannot enable the watchdog, ignoring: %m");

	/* First, so that a second agent stops here, before it loads anything into the kernel. */
	if (!m->args.status_socket || m->args.status_socket[0]) {
		r = status_server_new(m, m->args.status_socket ?: STATUS_SOCKET_PATH, &m->status);
		if (r < 0)
			return r;
	}

	startup_step("loading the enforcer");
	r = choose_enforcer(m);
	if (r < 0)
		return log_error_errno(r, "enforcer: %m");

	r = setup_feeder(m);
	if (r < 0)
		return r;
	r = sd_event_add_time_relative(m->event, &m->flush_timer, CLOCK_MONOTONIC,
				       FEEDER_FLUSH_USEC, 0, on_flush_timer, m);
	if (r < 0)
		return log_error_errno(r, "feeder: cannot set up the flush timer: %m");

	r = policy_store_new(m->config->policy_dir, &m->store);
	if (r < 0)
		return log_error_errno(r, "policy: cannot use '%s': %m", m->config->policy_dir);
	r = policy_store_attach_event(m->store, m->event, on_policies_changed, m);
	if (r < 0)
		return log_error_errno(r, "policy: cannot watch '%s': %m", m->config->policy_dir);
	startup_step("reading and applying the policies");
	r = policy_store_rescan(m->store, true);
	if (r < 0)
		return log_error_errno(r, "policy: cannot read '%s': %m", m->config->policy_dir);
	r = recompile(m);
	if (r < 0)
		return r;

	if (m->args.no_monitor) {
		m->monitor_active = false;
		m->monitor_reason = strdup("disabled on the command line (--no-monitor)");
		if (!m->monitor_reason)
			return -ENOMEM;
		log_notice("monitor: disabled (--no-monitor): policies are loaded but nothing is "
			   "observed");
	} else {
		startup_step("loading the monitor");
		(void)start_monitor(m); /* without it the agent still serves policies and status */
	}
	refresh_matching(m);

	m->ready = true;
	startup_done();
	(void)sd_notify(0, "READY=1");
	notify_status(m);
	log_info("manager: ready; %zu policies in force from %zu files in '%s'",
		 policy_store_n_policies(m->store), policy_store_n_files(m->store),
		 policy_store_dir(m->store));
	return 0;
}

int manager_run(Manager *m)
{
	int r = sd_event_loop(m->event);

	if (r < 0)
		return log_error_errno(r, "manager: event loop failed: %m");
	return 0;
}

const RuleSet *manager_rules(const Manager *m)
{
	return m->rules;
}

const Workload *manager_workload(const Manager *m)
{
	return m->workload;
}
