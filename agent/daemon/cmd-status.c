/* SPDX-License-Identifier: Apache-2.0 */
/* cmd-status.c: `kubearmor status`: ask the running agent over its status socket. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/macro.h"
#include "daemon/status.h"
#include "daemon/verbs.h"

int verb_status(int argc, char **argv)
{
	enum { ARG_JSON = 0x100, ARG_SOCKET };
	static const struct option options[] = {
		{"json", no_argument, NULL, ARG_JSON},
		{"socket", required_argument, NULL, ARG_SOCKET},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_free_ char *json = NULL;
	const char *path = STATUS_SOCKET_PATH;
	bool as_json = false;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_JSON:
			as_json = true;
			break;
		case ARG_SOCKET:
			path = optarg;
			break;
		case 'h':
			printf("Usage: kubearmor status [--json] [--socket PATH]\n"
			       "\n"
			       "Show the running agent's enforcer, policy files, per-rule status "
			       "and counters.\n"
			       "  --json          Print the status document as JSON\n"
			       "  --socket PATH   Status socket (default %s)\n",
			       STATUS_SOCKET_PATH);
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kubearmor status: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	r = status_query(path, &json);
	if (r < 0) {
		fprintf(stderr, "kubearmor status: cannot reach the agent at '%s': %s\n", path,
			strerror(-r));
		if (r == -ENOENT || r == -ECONNREFUSED)
			fprintf(stderr, "Is the agent running? (systemctl status kubearmor)\n");
		else if (r == -EACCES)
			fprintf(stderr, "The status socket is for root only.\n");
		return 1;
	}
	r = status_print(json, as_json, stdout);
	if (r < 0) {
		fprintf(stderr, "kubearmor status: the agent sent an unreadable reply\n");
		return 1;
	}
	return 0;
}
