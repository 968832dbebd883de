/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: `kubearmor [VERB] ...`. Only verb dispatch, --help and --version live here; everything
 * else is in libagent so that tests link it.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon/verbs.h"

static void help(void)
{
	printf("Usage: kubearmor [VERB] [OPTIONS...]\n"
	       "\n"
	       "Runtime security agent for Linux hosts, speaking KubeArmor's policy language.\n"
	       "\n"
	       "Verbs:\n"
	       "  run                       Run the agent (the default when no verb is given)\n"
	       "  validate [--json] PATH... Check policy files or directories; exit 0 only if all "
	       "are valid\n"
	       "  explain ...               Show the decision policies give for one operation\n"
	       "  status [--json]           Show the running agent's enforcer, policies and "
	       "counters\n"
	       "  profile --policies DIR    Print the AppArmor profiles the host would get\n"
	       "\n"
	       "Options:\n"
	       "  -h --help                 Show this help\n"
	       "     --version              Show the version\n"
	       "\n"
	       "Run 'kubearmor VERB --help' for a verb's options. See kubearmor(8), "
	       "kubearmor-policy(5).\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2) {
		const char *v = argv[1];

		if (strcmp(v, "-h") == 0 || strcmp(v, "--help") == 0 || strcmp(v, "help") == 0) {
			help();
			return 0;
		}
		if (strcmp(v, "--version") == 0 || strcmp(v, "version") == 0) {
			printf("kubearmor %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (strcmp(v, "validate") == 0)
			return verb_validate(argc - 1, argv + 1);
		if (strcmp(v, "explain") == 0)
			return verb_explain(argc - 1, argv + 1);
		if (strcmp(v, "status") == 0)
			return verb_status(argc - 1, argv + 1);
		if (strcmp(v, "profile") == 0)
			return verb_profile(argc - 1, argv + 1);
		if (strcmp(v, "run") == 0)
			return verb_run(argc - 1, argv + 1);
		if (v[0] != '-') {
			fprintf(stderr, "kubearmor: unknown verb '%s'; see 'kubearmor --help'\n",
				v);
			return 2;
		}
	}
	/* No verb, or only options: run the agent, as systemd's ExecStart does. */
	argv[0] = (char *)"run";
	return verb_run(argc, argv);
}
