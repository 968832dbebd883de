/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-run.c: `kubearmor run`, the agent itself (kubearmor(8)). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/log.h"
#include "core/strv.h"
#include "daemon/manager.h"
#include "daemon/verbs.h"

static void run_help(void)
{
	printf("Usage: kubearmor run [OPTIONS...]\n"
	       "\n"
	       "Run the agent: watch the policy directory, observe the host with eBPF and write "
	       "alerts\n"
	       "to journald.\n"
	       "\n"
	       "  -c --config FILE         Configuration file (default %s)\n"
	       "  -p --policy-dir DIR      Policy directory (overrides policyDir)\n"
	       "     --hostname NAME       Host name in alerts and selectors (overrides host)\n"
	       "     --set KEY=VALUE       Set a configuration key (kubearmor.yaml(5)); "
	       "repeatable\n"
	       "     --log-level LEVEL     debug, info, notice, warning or err (default info)\n"
	       "     --foreground          Log plain lines to stderr even under systemd\n"
	       "     --no-monitor          Load and watch policies only; observe nothing\n"
	       "     --status-socket PATH  Status socket (default %s; \"\" disables it)\n"
	       "     --monitor-ring-bytes N  Ring buffer size of the eBPF monitor (power of two)\n"
	       "  -h --help                Show this help\n",
	       CONFIG_FILE, STATUS_SOCKET_PATH);
}

static int parse_log_level(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{"debug", LOG_DEBUG},	  {"info", LOG_INFO}, {"notice", LOG_NOTICE},
		{"warning", LOG_WARNING}, {"err", LOG_ERR},   {"error", LOG_ERR},
	};

	for (size_t i = 0; s && i < ELEMENTSOF(levels); i++)
		if (strcasecmp(s, levels[i].name) == 0)
			return levels[i].level;
	return -EINVAL;
}

int verb_run(int argc, char **argv)
{
	enum {
		ARG_HOSTNAME = 0x100,
		ARG_SET,
		ARG_LOG_LEVEL,
		ARG_FOREGROUND,
		ARG_NO_MONITOR,
		ARG_STATUS_SOCKET,
		ARG_RING_BYTES,
	};
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"policy-dir", required_argument, NULL, 'p'},
		{"hostname", required_argument, NULL, ARG_HOSTNAME},
		{"set", required_argument, NULL, ARG_SET},
		{"log-level", required_argument, NULL, ARG_LOG_LEVEL},
		{"foreground", no_argument, NULL, ARG_FOREGROUND},
		{"no-monitor", no_argument, NULL, ARG_NO_MONITOR},
		{"status-socket", required_argument, NULL, ARG_STATUS_SOCKET},
		{"monitor-ring-bytes", required_argument, NULL, ARG_RING_BYTES},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_(manager_freep) Manager *m = NULL;
	_cleanup_strv_free_ char **overrides = NULL;
	ManagerArgs args = {};
	const char *env_level = getenv("KUBEARMOR_LOG_LEVEL");
	bool under_systemd;
	int c, r, level = LOG_INFO;

	if (!isempty(env_level)) {
		level = parse_log_level(env_level);
		if (level < 0) {
			fprintf(stderr, "kubearmor: KUBEARMOR_LOG_LEVEL: unknown level '%s'\n",
				env_level);
			return 2;
		}
	}

	optind = 0;
	while ((c = getopt_long(argc, argv, "c:p:h", options, NULL)) >= 0) {
		_cleanup_free_ char *kv = NULL;

		switch (c) {
		case 'c':
			args.config_path = optarg;
			break;
		case 'p':
			if (asprintf(&kv, "policyDir=%s", optarg) < 0 ||
			    strv_consume(&overrides, kv) < 0)
				return 1;
			kv = NULL;
			break;
		case ARG_HOSTNAME:
			if (asprintf(&kv, "host=%s", optarg) < 0 ||
			    strv_consume(&overrides, kv) < 0)
				return 1;
			kv = NULL;
			break;
		case ARG_SET:
			if (!strchr(optarg, '=')) {
				fprintf(stderr,
					"kubearmor run: --set expects KEY=VALUE, got '%s'\n",
					optarg);
				return 2;
			}
			if (strv_extend(&overrides, optarg) < 0)
				return 1;
			break;
		case ARG_LOG_LEVEL:
			level = parse_log_level(optarg);
			if (level < 0) {
				fprintf(stderr, "kubearmor run: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case ARG_FOREGROUND:
			args.foreground = true;
			break;
		case ARG_NO_MONITOR:
			args.no_monitor = true;
			break;
		case ARG_STATUS_SOCKET:
			args.status_socket = optarg;
			break;
		case ARG_RING_BYTES: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno || *end || v < 4096 || v > (1UL << 30) || (v & (v - 1))) {
				fprintf(stderr,
					"kubearmor run: --monitor-ring-bytes wants a power of two "
					"from 4096 to 1073741824, got '%s'\n",
					optarg);
				return 2;
			}
			args.monitor_ring_bytes = (unsigned)v;
			break;
		}
		case 'h':
			run_help();
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kubearmor run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	/* Under systemd, "<N>" prefixes become journal priorities; on a terminal they are noise. */
	under_systemd = getenv("NOTIFY_SOCKET") || getenv("JOURNAL_STREAM");
	log_set_prefix_levels(under_systemd && !args.foreground);
	log_set_max_level(level);
	args.overrides = overrides;
	if (!args.config_path && !isempty(getenv("KUBEARMOR_CONFIG")))
		args.config_path = getenv("KUBEARMOR_CONFIG");

	r = manager_new(&args, &m);
	if (r < 0) {
		log_error_errno(r, "manager: cannot start: %m");
		return 1;
	}
	r = manager_start(m);
	if (r < 0)
		return 1;
	r = manager_run(m);
	return r < 0 ? 1 : 0;
}
