/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-profile.c: `kubearmor profile --policies DIR [--workload host] [--hostname NAME]
 * [--file-posture P] [--network-posture P] [--capabilities-posture P]`: prints the AppArmor
 * profiles the AppArmor enforcer would load for the workload, followed by each rule's status under
 * AppArmor. Files with errors are reported and left out, as the agent leaves them out.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "daemon/verbs.h"
#include "enforcer/apparmor/aa-profile.h"
#include "enforcer/enforcer.h"
#include "policy/policy.h"
#include "rules/rules.h"

static void help(void)
{
	printf("Usage: kubearmor profile --policies DIR|FILE [OPTIONS]\n"
	       "\n"
	       "Print the AppArmor profiles a workload would get from the policies, and the "
	       "status\n"
	       "of each rule under AppArmor.\n"
	       "\n"
	       "  --policies PATH             Policy directory (*.yaml, *.yml) or one policy file\n"
	       "  --workload host             The workload (only the host is supported)\n"
	       "  --hostname NAME             Host name the policies' nodeSelector is matched "
	       "with\n"
	       "                              (default: this machine's short host name)\n"
	       "  --file-posture audit|block  Default postures (default: audit)\n"
	       "  --network-posture audit|block\n"
	       "  --capabilities-posture audit|block\n"
	       "  -h --help                   Show this help\n");
}

static bool policy_file_name(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	return (l > 5 && streq(n + l - 5, ".yaml")) || (l > 4 && streq(n + l - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The policy files of `path` (a directory or one file), in name order. */
static int list_files(const char *path, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (strv_extend(&l, path) < 0)
			return -ENOMEM;
		*ret = TAKE_PTR(l);
		return 0;
	}
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *full = NULL;

		if (!policy_file_name(de->d_name))
			continue;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0 || strv_extend(&l, full) < 0) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	if (l)
		qsort(l, strv_length(l), sizeof(char *), cmp_str);
	*ret = TAKE_PTR(l);
	return 0;
}

static char *canon(const char *path, void *userdata)
{
	char buf[PATH_MAX];

	(void)userdata;
	if (!realpath(path, buf))
		return NULL;
	return strdup(buf);
}

static int parse_posture(const char *opt, const char *v, RuleAction *ret)
{
	int r = rules_posture_from_string(v);

	if (r < 0) {
		fprintf(stderr, "kubearmor profile: %s must be 'audit' or 'block', not '%s'\n", opt,
			v);
		return -EINVAL;
	}
	*ret = (RuleAction)r;
	return 0;
}

int verb_profile(int argc, char **argv)
{
	enum { OPT_POLICIES = 256, OPT_WORKLOAD, OPT_HOSTNAME, OPT_FP, OPT_NP, OPT_CP };
	static const struct option opts[] = {
		{"policies", required_argument, NULL, OPT_POLICIES},
		{"workload", required_argument, NULL, OPT_WORKLOAD},
		{"hostname", required_argument, NULL, OPT_HOSTNAME},
		{"file-posture", required_argument, NULL, OPT_FP},
		{"network-posture", required_argument, NULL, OPT_NP},
		{"capabilities-posture", required_argument, NULL, OPT_CP},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *policies = NULL, *hostname = NULL;
	RulePostures postures = RULE_POSTURES_DEFAULT;
	_cleanup_strv_free_ char **files = NULL;
	PolicyFile **loaded = NULL;
	const Policy **pols = NULL;
	size_t n_loaded = 0, n_pols = 0;
	_cleanup_(workload_freep) Workload *w = NULL;
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	_cleanup_(aa_render_freep) AaRender *render = NULL;
	AaRenderOptions ro = {.canonicalize = canon};
	char host[256];
	int c, r, ret = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_POLICIES:
			policies = optarg;
			break;
		case OPT_WORKLOAD:
			if (!streq(optarg, "host")) {
				fprintf(stderr,
					"kubearmor profile: only --workload host is supported: the "
					"AppArmor enforcer confines the host\n");
				return 2;
			}
			break;
		case OPT_HOSTNAME:
			hostname = optarg;
			break;
		case OPT_FP:
			if (parse_posture("--file-posture", optarg, &postures.file) < 0)
				return 2;
			break;
		case OPT_NP:
			if (parse_posture("--network-posture", optarg, &postures.network) < 0)
				return 2;
			break;
		case OPT_CP:
			if (parse_posture("--capabilities-posture", optarg,
					  &postures.capabilities) < 0)
				return 2;
			break;
		case 'h':
			help();
			return 0;
		default:
			return 2;
		}
	}
	if (!policies || optind < argc) {
		fprintf(stderr, "kubearmor profile: --policies DIR is required; see --help\n");
		return 2;
	}
	if (!hostname) {
		if (gethostname(host, sizeof host - 1) < 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = 0;
		host[strcspn(host, ".")] = 0;
		hostname = host;
	}

	r = list_files(policies, &files);
	if (r < 0) {
		fprintf(stderr, "kubearmor profile: %s: %s\n", policies, strerror(-r));
		return 1;
	}
	loaded = new0(PolicyFile *, strv_length(files) + 1);
	if (!loaded)
		return 1;
	STRV_FOREACH(f, files)
	{
		PolicyFile *pf = NULL;

		if (policy_file_load(*f, &pf) < 0) {
			ret = 1;
			goto finish;
		}
		loaded[n_loaded++] = pf;
		if (!policy_file_ok(pf)) {
			fprintf(stderr,
				"%s: %zu error(s), left out (see 'kubearmor validate %s')\n", *f,
				policy_file_error_count(pf), *f);
			ret = 1;
			continue;
		}
		for (size_t i = 0; i < pf->n_docs; i++) {
			const Policy **np = realloc(pols, (n_pols + 1) * sizeof(*np));

			if (!np) {
				ret = 1;
				goto finish;
			}
			pols = np;
			pols[n_pols++] = pf->docs[i].policy;
		}
	}

	r = workload_new_host(hostname, NULL, &w);
	if (r >= 0)
		r = rule_set_compile(pols, n_pols, w, &postures, &rs);
	if (r >= 0)
		r = aa_render_host(rs, &ro, &render);
	if (r < 0) {
		fprintf(stderr, "kubearmor profile: %s\n", strerror(-r));
		ret = 1;
		goto finish;
	}
	fputs(render->text, stdout);
	(void)aa_render_report(render, rs, stdout);
	{
		_cleanup_free_ char *why = NULL;

		if (enforcer_apparmor_ops.probe(&why) >= 0)
			printf("# This machine: the %s enforcer can load these profiles.\n",
			       enforcer_apparmor_ops.display);
		else
			printf("# This machine: the %s enforcer cannot be used: %s\n",
			       enforcer_apparmor_ops.display, why ?: "unknown");
	}
	if (fflush(stdout) != 0)
		ret = 1;
finish:
	/* The RuleSet borrows the policies: free it first. */
	rs = rule_set_free(rs);
	for (size_t i = 0; i < n_loaded; i++)
		policy_file_free(loaded[i]);
	free(loaded);
	free(pols);
	return ret;
}
