/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core/log.h"
#include "core/strv.h"
#include "daemon/status.h"

/* jansson provides json_decrefp(). */
#define _cleanup_json_ _cleanup_(json_decrefp)

typedef struct StatusClient StatusClient;

struct StatusServer {
	Manager *manager;
	char *path;
	int fd;
	sd_event_source *source;
	StatusClient *clients;
	unsigned n_clients;
};

struct StatusClient {
	StatusServer *server;
	StatusClient *next;
	int fd;
	sd_event_source *source;
	char *buf;
	size_t len, off;
};

/* ---- the document ---- */

static int json_set_new(json_t *o, const char *key, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static json_t *json_strv(char *const *l)
{
	json_t *a = json_array();

	STRV_FOREACH(s, l)
	if (!a || json_array_append_new(a, json_string(*s)) < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *format_time(uint64_t realtime_usec)
{
	time_t t = (time_t)(realtime_usec / 1000000ULL);
	struct tm tm;
	char buf[64];

	char *s = NULL;

	if (!gmtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return strdup("");
	if (asprintf(&s, "%s.%06uZ", buf, (unsigned)(realtime_usec % 1000000ULL)) < 0)
		return NULL;
	return s;
}

static int add_string_time(json_t *o, const char *key, uint64_t usec)
{
	_cleanup_free_ char *s = format_time(usec);

	return s ? json_set_new(o, key, json_string(s)) : -ENOMEM;
}

/* Whether the monitor produces events of class `c` (the only source of alerts without an enforcer).
 */
static bool monitor_observes(RuleClass c)
{
	return c == RULE_CLASS_PROCESS || c == RULE_CLASS_FILE || c == RULE_CLASS_NETWORK ||
	       c == RULE_CLASS_SYSCALL;
}

static const char *rule_status(Manager *m, const Rule *rule, char *buf, size_t n)
{
	const char *enforcer = manager_enforcer(m);
	const char *cls = rule_class_to_string(rule->class);
	bool seen = manager_monitor_active(m) && monitor_observes(rule->class);

	if (rule->action == ACTION_AUDIT) {
		if (seen)
			return "audited (eBPF Monitor)";
		if (!manager_monitor_active(m))
			(void)snprintf(buf, n, "inactive: the monitor is off (%s)",
				       manager_monitor_reason(m) ?: "unknown");
		else
			(void)snprintf(buf, n, "inactive: the monitor does not observe %s events",
				       cls);
		return buf;
	}
	if (enforcer) {
		const char *why = NULL;

		if (manager_rule_status(m, rule, &why) == RULE_ENFORCED) {
			(void)snprintf(buf, n, "enforced (%s)", enforcer);
			return buf;
		}
		(void)snprintf(buf, n, "NOT ENFORCED by %s (%s)%s", enforcer,
			       why ?: "not supported",
			       seen ? "; matches alerted by the eBPF Monitor" : "");
		return buf;
	}
	if (rule->action == ACTION_BLOCK)
		return seen ? "NOT ENFORCED (no enforcer); matches alerted by the eBPF Monitor"
			    : "NOT ENFORCED (no enforcer) and not observed";
	return seen ? "NOT ENFORCED (no enforcer); allow-list posture alerted by the eBPF Monitor"
		    : "NOT ENFORCED (no enforcer)";
}

static int add_rule(Manager *m, json_t *rules, const Rule *rule)
{
	_cleanup_json_ json_t *o = json_object();
	char buf[512];

	if (!o)
		return -ENOMEM;
	if (json_set_new(o, "policy", json_string(rule->policy->name)) < 0 ||
	    json_set_new(o, "file", json_str_or_null(rule->policy->file)) < 0 ||
	    json_set_new(o, "line", json_integer(rule->pos.line)) < 0 ||
	    json_set_new(o, "class", json_string(rule_class_to_string(rule->class))) < 0 ||
	    json_set_new(o, "match", json_string(rule_match_to_string(rule->match))) < 0 ||
	    json_set_new(o, "target", json_str_or_null(rule->target)) < 0 ||
	    json_set_new(o, "fromSource", json_str_or_null(rule->source ?: rule->source_dir)) < 0 ||
	    json_set_new(o, "action", json_str_or_null(rule_action_to_string(rule->action))) < 0 ||
	    json_set_new(o, "status", json_string(rule_status(m, rule, buf, sizeof(buf)))) < 0)
		return -ENOMEM;
	return json_array_append_new(rules, TAKE_PTR(o)) < 0 ? -ENOMEM : 0;
}

static json_t *build_rules(Manager *m)
{
	_cleanup_json_ json_t *a = json_array();
	const RuleSet *rs = manager_rules(m);

	if (!a)
		return NULL;
	for (int c = 0; rs && c < _RULE_CLASS_MAX; c++)
		for (size_t i = 0; i < rs->classes[c].n_rules; i++)
			if (add_rule(m, a, &rs->classes[c].rules[i]) < 0)
				return NULL;
	return TAKE_PTR(a);
}

/* Every policy in force and whether it applies to the host. */
static json_t *build_policies(Manager *m)
{
	_cleanup_json_ json_t *a = json_array();
	const Workload *w = manager_workload(m);

	if (!a)
		return NULL;
	for (int k = 0; k < _POLICY_KIND_MAX; k++) {
		_cleanup_free_ const Policy **pols = NULL;
		size_t n = 0;

		if (policy_store_policies(manager_store(m), (PolicyKind)k, &pols, &n) < 0)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			_cleanup_json_ json_t *o = json_object();
			const char *why = NULL;
			bool sel = false;

			if (!o)
				return NULL;
			if (k != POLICY_KIND_HSP)
				why = "container policies are not applied on this host (no "
				      "container support "
				      "yet)";
			else if (!w)
				why = "the host policies could not be compiled";
			else
				sel = workload_selects(w, pols[i], &why);
			if (json_set_new(o, "name", json_string(pols[i]->name)) < 0 ||
			    json_set_new(o, "kind",
					 json_string(policy_kind_to_string(pols[i]->kind))) < 0 ||
			    json_set_new(o, "file", json_str_or_null(pols[i]->file)) < 0 ||
			    json_set_new(o, "selected", json_boolean(sel)) < 0 ||
			    (!sel &&
			     json_set_new(o, "reason", json_string(why ?: "not selected")) < 0) ||
			    json_array_append_new(a, TAKE_PTR(o)) < 0)
				return NULL;
		}
	}
	return TAKE_PTR(a);
}

static json_t *build_files(const PolicyStore *store)
{
	_cleanup_json_ json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < policy_store_n_files(store); i++) {
		const StoreFile *f = policy_store_file(store, i);
		_cleanup_json_ json_t *o = json_object(), *pols = json_array();

		if (!o || !pols)
			return NULL;
		for (size_t d = 0; f->good && d < f->good->n_docs; d++) {
			const Policy *p = f->good->docs[d].policy;

			if (p && json_array_append_new(pols, json_string(p->name)) < 0)
				return NULL;
		}
		if (add_string_time(o, "checked", f->checked_realtime_usec) < 0 ||
		    json_set_new(o, "name", json_string(f->name)) < 0 ||
		    json_set_new(o, "state", json_string(store_file_state_to_string(f->state))) <
			    0 ||
		    json_set_new(o, "inForce", json_boolean(!!f->good)) < 0 ||
		    json_set_new(o, "policies", TAKE_PTR(pols)) < 0 ||
		    json_set_new(o, "messages", json_strv(f->messages)) < 0)
			return NULL;
		if (f->good) {
			if (json_set_new(o, "generation",
					 json_integer((json_int_t)f->good_generation)) < 0 ||
			    add_string_time(o, "applied", f->good_realtime_usec) < 0)
				return NULL;
		}
		if (json_array_append_new(a, TAKE_PTR(o)) < 0)
			return NULL;
	}
	return TAKE_PTR(a);
}

int status_build_json(Manager *m, char **ret)
{
	_cleanup_json_ json_t *doc = json_object(), *host = json_object(), *cfg = json_object(),
			      *enf = json_object(), *mon = json_object(), *dir = json_object(),
			      *rules = json_array(), *cnt = json_object();
	const Config *c = manager_config(m);
	const PolicyStore *store = manager_store(m);
	const HostIdentity *h = manager_host(m);
	const ManagerCounters *k = manager_counters(m);
	_cleanup_free_ char *vis = NULL;
	FeederStats fs;
	MonitorStats ms;
	char *s;

	if (!doc || !host || !cfg || !enf || !mon || !dir || !cnt)
		return -ENOMEM;
	manager_feeder_stats(m, &fs);
	vis = visibility_to_string(c->host_visibility);
	if (!vis)
		return -ENOMEM;

	if (json_set_new(doc, "version", json_string(PACKAGE_VERSION)) < 0 ||
	    json_set_new(doc, "pid", json_integer(getpid())) < 0 ||
	    add_string_time(doc, "started", manager_start_realtime_usec(m)) < 0)
		return -ENOMEM;

	if (json_set_new(host, "name", json_string(h->hostname)) < 0 ||
	    json_set_new(host, "machineId", json_string(h->machine_id)) < 0 ||
	    json_set_new(host, "labels", json_strv(h->labels)) < 0 ||
	    json_set_new(doc, "host", TAKE_PTR(host)) < 0)
		return -ENOMEM;

	if (json_set_new(cfg, "file", json_string(manager_config_path(m))) < 0 ||
	    json_set_new(cfg, "lsm", json_strv(c->lsm)) < 0 ||
	    json_set_new(cfg, "hostVisibility", json_string(vis)) < 0 ||
	    json_set_new(cfg, "hostDefaultFilePosture",
			 json_string(posture_to_string(c->host_posture[POSTURE_CLASS_FILE]))) < 0 ||
	    json_set_new(cfg, "hostDefaultNetworkPosture",
			 json_string(posture_to_string(c->host_posture[POSTURE_CLASS_NETWORK]))) <
		    0 ||
	    json_set_new(cfg, "hostDefaultCapabilitiesPosture",
			 json_string(posture_to_string(
				 c->host_posture[POSTURE_CLASS_CAPABILITIES]))) < 0 ||
	    json_set_new(cfg, "alertThrottling", json_boolean(c->alert_throttling)) < 0 ||
	    json_set_new(cfg, "maxAlertPerSec", json_integer(c->max_alert_per_sec)) < 0 ||
	    json_set_new(cfg, "throttleSec", json_integer(c->throttle_sec)) < 0 ||
	    json_set_new(cfg, "cluster", json_str_or_null(c->cluster)) < 0 ||
	    json_set_new(doc, "config", TAKE_PTR(cfg)) < 0)
		return -ENOMEM;

	if (json_set_new(enf, "active", json_str_or_null(manager_enforcer(m))) < 0 ||
	    json_set_new(enf, "reason", json_str_or_null(manager_enforcer_reason(m))) < 0 ||
	    json_set_new(doc, "enforcer", TAKE_PTR(enf)) < 0)
		return -ENOMEM;

	if (manager_monitor_stats(m, &ms) == 0) {
		static const char *const drop_names[_AGENT_STAT_MAX] = {
			[AGENT_STAT_DROP_RINGBUF] = "ringBufferFull",
			[AGENT_STAT_DROP_PENDING] = "pendingMapFull",
			[AGENT_STAT_DROP_SCRATCH] = "scratch",
			[AGENT_STAT_DROP_TOO_BIG] = "tooBig",
			[AGENT_STAT_EXIT_NO_ENTER] = "exitWithoutEnter",
		};
		_cleanup_json_ json_t *drops = json_object();

		if (!drops)
			return -ENOMEM;
		for (int i = 0; i < _AGENT_STAT_MAX; i++)
			if (drop_names[i] &&
			    json_set_new(drops, drop_names[i],
					 json_integer((json_int_t)ms.kernel_drop[i])) < 0)
				return -ENOMEM;
		if (json_set_new(mon, "kernelEmitted",
				 json_integer((json_int_t)ms.kernel_emitted)) < 0 ||
		    json_set_new(mon, "kernelDropped",
				 json_integer((json_int_t)ms.kernel_dropped)) < 0 ||
		    json_set_new(mon, "drops", TAKE_PTR(drops)) < 0 ||
		    json_set_new(mon, "readErrors",
				 json_integer((json_int_t)ms.kernel_read_errors)) < 0 ||
		    json_set_new(mon, "received", json_integer((json_int_t)ms.received)) < 0 ||
		    json_set_new(mon, "delivered", json_integer((json_int_t)ms.delivered)) < 0 ||
		    json_set_new(mon, "filtered", json_integer((json_int_t)ms.filtered)) < 0 ||
		    json_set_new(mon, "rejected",
				 json_integer((json_int_t)(ms.rejected_truncated +
							   ms.rejected_version + ms.rejected_type +
							   ms.rejected_malformed))) < 0 ||
		    json_set_new(mon, "processTreeSize", json_integer((json_int_t)ms.tree_size)) <
			    0 ||
		    json_set_new(mon, "processTreeFull", json_integer((json_int_t)ms.tree_full)) <
			    0)
			return -ENOMEM;
	}
	if (json_set_new(mon, "active", json_boolean(manager_monitor_active(m))) < 0 ||
	    json_set_new(mon, "reason", json_str_or_null(manager_monitor_reason(m))) < 0 ||
	    json_set_new(doc, "monitor", TAKE_PTR(mon)) < 0)
		return -ENOMEM;

	if (json_set_new(dir, "path", json_string(policy_store_dir(store))) < 0 ||
	    json_set_new(dir, "present", json_boolean(policy_store_dir_present(store))) < 0 ||
	    json_set_new(dir, "generation",
			 json_integer((json_int_t)policy_store_generation(store))) < 0 ||
	    json_set_new(dir, "policiesInForce",
			 json_integer((json_int_t)policy_store_n_policies(store))) < 0 ||
	    json_set_new(doc, "policyDir", TAKE_PTR(dir)) < 0 ||
	    json_set_new(doc, "files", build_files(store)) < 0)
		return -ENOMEM;

	if (json_set_new(doc, "policies", build_policies(m)) < 0 ||
	    json_set_new(doc, "rules", build_rules(m)) < 0)
		return -ENOMEM;

	if (json_set_new(cnt, "events", json_integer((json_int_t)k->events)) < 0 ||
	    json_set_new(cnt, "eventsHost", json_integer((json_int_t)k->events_host)) < 0 ||
	    json_set_new(cnt, "eventsIgnored", json_integer((json_int_t)k->events_ignored)) < 0 ||
	    json_set_new(cnt, "eventsUnidentified",
			 json_integer((json_int_t)k->events_unidentified)) < 0 ||
	    json_set_new(cnt, "enforcerEvents", json_integer((json_int_t)k->enforcer_events)) < 0 ||
	    json_set_new(cnt, "alerts", json_integer((json_int_t)k->alerts)) < 0 ||
	    json_set_new(cnt, "logs", json_integer((json_int_t)k->logs)) < 0 ||
	    json_set_new(cnt, "reloads", json_integer((json_int_t)k->reloads)) < 0 ||
	    json_set_new(cnt, "reloadFailures", json_integer((json_int_t)k->reload_failures)) < 0 ||
	    json_set_new(cnt, "ruleCompiles", json_integer((json_int_t)k->rule_compiles)) < 0 ||
	    json_set_new(cnt, "ruleCompileFailures",
			 json_integer((json_int_t)k->rule_compile_failures)) < 0 ||
	    json_set_new(cnt, "feederRecords", json_integer((json_int_t)fs.records)) < 0 ||
	    json_set_new(cnt, "sentJournal", json_integer((json_int_t)fs.sent_journal)) < 0 ||
	    json_set_new(cnt, "sentFallback", json_integer((json_int_t)fs.sent_fallback)) < 0 ||
	    json_set_new(cnt, "journalFailures", json_integer((json_int_t)fs.journal_failures)) <
		    0 ||
	    json_set_new(cnt, "lost", json_integer((json_int_t)fs.lost)) < 0 ||
	    json_set_new(cnt, "alertsSuppressed", json_integer((json_int_t)fs.suppressed)) < 0 ||
	    json_set_new(cnt, "thresholdEvents", json_integer((json_int_t)fs.threshold_events)) <
		    0 ||
	    json_set_new(cnt, "throttleSummaries", json_integer((json_int_t)fs.summaries)) < 0 ||
	    json_set_new(cnt, "journalUp", json_boolean(fs.journal_up)) < 0 ||
	    json_set_new(doc, "counters", TAKE_PTR(cnt)) < 0)
		return -ENOMEM;

	s = json_dumps(doc, JSON_COMPACT);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* ---- the server ---- */

static StatusClient *client_free(StatusClient *c)
{
	if (!c)
		return NULL;
	sd_event_source_disable_unref(c->source);
	safe_close(c->fd);
	free(c->buf);
	free(c);
	return NULL;
}

static void client_done(StatusClient *c)
{
	StatusServer *s = c->server;

	for (StatusClient **p = &s->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	s->n_clients--;
	client_free(c);
}

static int on_client_writable(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	StatusClient *c = userdata;

	while (c->off < c->len) {
		ssize_t n = send(fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			log_debug_errno(errno, "status: client went away: %m");
			break;
		}
		c->off += (size_t)n;
	}
	client_done(c);
	return 0;
}

static int on_accept(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	StatusServer *s = userdata;
	_cleanup_close_ int cfd = -EBADF;
	StatusClient *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int r;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warning_errno(errno, "status: accept failed: %m");
		return 0;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_notice("status: refused a client with uid %u", (unsigned)cred.uid);
		return 0;
	}
	if (s->n_clients >= STATUS_MAX_CLIENTS) {
		log_notice("status: too many clients, refusing one");
		return 0;
	}
	c = new0(StatusClient, 1);
	if (!c)
		return 0;
	c->server = s;
	c->fd = TAKE_FD(cfd);
	r = status_build_json(s->manager, &c->buf);
	if (r < 0) {
		log_error_errno(r, "status: cannot build the status document: %m");
		client_free(c);
		return 0;
	}
	c->len = strlen(c->buf);
	r = sd_event_add_io(manager_event(s->manager), &c->source, c->fd, EPOLLOUT,
			    on_client_writable, c);
	if (r < 0) {
		client_free(c);
		return 0;
	}
	c->next = s->clients;
	s->clients = c;
	s->n_clients++;
	return 0;
}

StatusServer *status_server_free(StatusServer *s)
{
	if (!s)
		return NULL;
	while (s->clients)
		client_done(s->clients);
	sd_event_source_disable_unref(s->source);
	if (s->fd >= 0) {
		safe_close(s->fd);
		(void)unlink(s->path);
	}
	free(s->path);
	free(s);
	return NULL;
}

static int make_parent_dir(const char *path)
{
	_cleanup_free_ char *d = strdup(path);
	char *slash;

	if (!d)
		return -ENOMEM;
	slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = '\0';
	if (mkdir(d, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int status_server_new(Manager *m, const char *path, StatusServer **ret)
{
	StatusServer *s;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "status: socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);

	s = new0(StatusServer, 1);
	if (!s)
		return -ENOMEM;
	s->manager = m;
	s->fd = -EBADF;
	s->path = strdup(path);
	if (!s->path) {
		status_server_free(s);
		return -ENOMEM;
	}
	r = make_parent_dir(path);
	if (r < 0) {
		status_server_free(s);
		return log_error_errno(r, "status: cannot create the directory of '%s': %m", path);
	}

	/* A socket someone answers on belongs to another running agent; a dead one is stale. */
	{
		_cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			status_server_free(s);
			return log_error_errno(
				-EADDRINUSE,
				"status: another agent answers on '%s'; not starting a "
				"second one",
				path);
		}
	}
	(void)unlink(path);

	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		r = -errno;
		status_server_free(s);
		return log_error_errno(r, "status: socket() failed: %m");
	}
	old = umask(0077);
	r = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old);
	if (r == 0 && chmod(path, 0600) < 0)
		r = -errno;
	if (r == 0 && listen(s->fd, STATUS_MAX_CLIENTS) < 0)
		r = -errno;
	if (r < 0) {
		s->fd = safe_close(s->fd);
		status_server_free(s);
		return log_error_errno(r, "status: cannot listen on '%s': %m", path);
	}
	r = sd_event_add_io(manager_event(m), &s->source, s->fd, EPOLLIN, on_accept, s);
	if (r < 0) {
		status_server_free(s);
		return log_error_errno(r, "status: cannot watch the socket: %m");
	}
	(void)sd_event_source_set_description(s->source, "status-socket");
	log_info("status: listening on '%s'", path);
	*ret = s;
	return 0;
}

/* ---- the client ---- */

int status_query(const char *path, char **ret_json)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int p;

		p = poll(&pfd, 1, 10000);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return -errno;
		if (p == 0)
			return -ETIMEDOUT;
		if (cap - len < 65536) {
			char *nb;

			if (cap >= STATUS_MAX_REPLY)
				return -EFBIG;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf)
		return -EBADMSG;
	buf[len] = '\0';
	*ret_json = TAKE_PTR(buf);
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ?: "";
}

static long long jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

int status_print(const char *text, bool as_json, FILE *out)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *host, *enf, *mon, *dir, *files, *rules, *cnt, *v;
	json_error_t err;
	const char *key;
	size_t i;

	doc = json_loads(text, 0, &err);
	if (!doc || !json_is_object(doc))
		return -EINVAL;
	if (as_json) {
		if (json_dumpf(doc, out, JSON_INDENT(2)) < 0)
			return -EIO;
		fputc('\n', out);
		return 0;
	}

	host = json_object_get(doc, "host");
	enf = json_object_get(doc, "enforcer");
	mon = json_object_get(doc, "monitor");
	dir = json_object_get(doc, "policyDir");
	files = json_object_get(doc, "files");
	rules = json_object_get(doc, "rules");
	cnt = json_object_get(doc, "counters");

	fprintf(out, "kubearmor %s, pid %lld, started %s\n", jstr(doc, "version"), jint(doc, "pid"),
		jstr(doc, "started"));
	fprintf(out, "Host:     %s (machine id %s)\n", jstr(host, "name"), jstr(host, "machineId"));
	if (json_is_string(json_object_get(enf, "active")))
		fprintf(out, "Enforcer: %s\n", jstr(enf, "active"));
	else {
		fprintf(out, "Enforcer: none: %s\n", jstr(enf, "reason"));
		fprintf(out, "          Block rules are NOT enforced; their matches are reported "
			     "as alerts.\n");
	}
	if (json_is_true(json_object_get(mon, "active")))
		fprintf(out,
			"Monitor:  active; %lld events emitted, %lld dropped (ring buffer full: "
			"%lld)\n",
			jint(mon, "kernelEmitted"), jint(mon, "kernelDropped"),
			jint(json_object_get(mon, "drops"), "ringBufferFull"));
	else
		fprintf(out, "Monitor:  inactive: %s\n", jstr(mon, "reason"));
	fprintf(out, "Policies: %lld in force from %zu files in %s%s (generation %lld)\n",
		jint(dir, "policiesInForce"), json_array_size(files), jstr(dir, "path"),
		json_is_true(json_object_get(dir, "present")) ? "" : " [directory missing]",
		jint(dir, "generation"));
	json_array_foreach(files, i, v)
	{
		json_t *pols = json_object_get(v, "policies"),
		       *msgs = json_object_get(v, "messages"), *p;
		size_t j;

		fprintf(out, "  %-8s %s", jstr(v, "state"), jstr(v, "name"));
		if (json_is_true(json_object_get(v, "inForce"))) {
			fprintf(out, ": %s%zu in force (",
				streq(jstr(v, "state"), "ok") ? "" : "last good version, ",
				json_array_size(pols));
			json_array_foreach(pols, j, p)
				fprintf(out, "%s%s", j ? ", " : "", json_string_value(p) ?: "");
			fprintf(out, ")\n");
		} else
			fprintf(out, ": nothing in force\n");
		json_array_foreach(msgs, j, p)
			fprintf(out, "           %s\n", json_string_value(p) ?: "");
	}
	json_array_foreach(json_object_get(doc, "policies"), i,
			   v) if (!json_is_true(json_object_get(v, "selected")))
		fprintf(out, "  not applied: %s '%s': %s\n", jstr(v, "kind"), jstr(v, "name"),
			jstr(v, "reason"));
	fprintf(out, "Rules:    %zu active on this host\n", json_array_size(rules));
	json_array_foreach(rules, i, v)
	{
		fprintf(out, "  %s: %s %s %s", jstr(v, "policy"), jstr(v, "class"),
			jstr(v, "match"), jstr(v, "target"));
		if (json_is_string(json_object_get(v, "fromSource")))
			fprintf(out, " fromSource %s", jstr(v, "fromSource"));
		fprintf(out, " [%s]: %s\n", jstr(v, "action"), jstr(v, "status"));
	}
	if (jint(cnt, "sentJournal") == 0 && jint(cnt, "journalFailures") == 0)
		fprintf(out, "Journal:  no records written yet\n");
	else if (json_is_true(json_object_get(cnt, "journalUp")))
		fprintf(out, "Journal:  ok\n");
	else
		fprintf(out,
			"Journal:  UNAVAILABLE: records go to standard output as JSON lines\n");
	fprintf(out, "Counters:\n");
	json_object_foreach(cnt, key, v)
	{
		if (json_is_integer(v))
			fprintf(out, "  %-26s %lld\n", key, (long long)json_integer_value(v));
	}
	return 0;
}
