/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "config.h"
#include "core/log.h"
#include "core/strv.h"
#include "daemon/manager.h"
#include "daemon/status.h"

struct Manager {
	sd_event *event;
	ManagerArgs args;
	char *config_path;
	bool config_explicit;
	Config *config;
	HostIdentity *host;
	PolicyStore *store;
	StatusServer *status;

	char *enforcer;	       /* NULL: none */
	char *enforcer_reason; /* why none */
	bool monitor_active;
	char *monitor_reason;

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

static void read_active_lsms(char *buf, size_t n)
{
	_cleanup_close_ int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	ssize_t k;

	buf[0] = '\0';
	if (fd < 0)
		return;
	k = read(fd, buf, n - 1);
	buf[k > 0 ? k : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int choose_enforcer(Manager *m)
{
	_cleanup_free_ char *order = strv_join(m->config->lsm, ",");
	char lsms[256];

	free(m->enforcer);
	free(m->enforcer_reason);
	m->enforcer = m->enforcer_reason = NULL;
	if (!order)
		return -ENOMEM;
	if (m->config->lsm && streq(m->config->lsm[0], "none")) {
		m->enforcer_reason =
			strdup("enforcement disabled by the configuration (lsm: none)");
	} else {
		read_active_lsms(lsms, sizeof(lsms));
		if (asprintf(&m->enforcer_reason,
			     "no enforcer backend for '%s' is available in this build (kernel "
			     "LSMs: %s)",
			     order, lsms[0] ? lsms : "unknown") < 0)
			m->enforcer_reason = NULL;
	}
	if (!m->enforcer_reason)
		return -ENOMEM;
	log_warning("enforcer: NONE ACTIVE: %s", m->enforcer_reason);
	log_warning("enforcer: nothing is blocked on this host; Block rules are reported as alerts "
		    "(Enforcer 'eBPF Monitor') but NOT enforced");
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

static int recompile(Manager *m)
{
	m->counters.rule_compiles++;
	log_info("rules: %zu policies in force (generation %llu)",
		 policy_store_n_policies(m->store),
		 (unsigned long long)policy_store_generation(m->store));
	return 0;
}

static void on_policies_changed(PolicyStore *s, void *userdata)
{
	Manager *m = userdata;

	(void)recompile(m);
	notify_status(m);
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;

	log_info("manager: received %s, stopping", strsignal((int)si->ssi_signo));
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
		r = policy_store_set_dir(m->store, m->config->policy_dir);
		if (r < 0)
			log_error_errno(r, "policy: cannot switch to '%s': %m",
					m->config->policy_dir);
	}

	r = policy_store_rescan(m->store, true);
	if (r < 0)
		log_error_errno(r, "policy: rescan failed: %m");
	(void)recompile(m);

	(void)sd_notify(0, "READY=1");
	notify_status(m);
	return 0;
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
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "manager: cannot enable the watchdog, ignoring: %m");

	r = choose_enforcer(m);
	if (r < 0)
		return log_error_errno(r, "enforcer: %m");

	r = policy_store_new(m->config->policy_dir, &m->store);
	if (r < 0)
		return log_error_errno(r, "policy: cannot use '%s': %m", m->config->policy_dir);
	r = policy_store_attach_event(m->store, m->event, on_policies_changed, m);
	if (r < 0)
		return log_error_errno(r, "policy: cannot watch '%s': %m", m->config->policy_dir);
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
	}

	if (!m->args.status_socket || m->args.status_socket[0]) {
		r = status_server_new(m, m->args.status_socket ?: STATUS_SOCKET_PATH, &m->status);
		if (r < 0)
			return r;
	}

	m->ready = true;
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
