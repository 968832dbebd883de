/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa-driver: a test driver for the AppArmor enforcer on a machine where AppArmor enforces (the VM
 * tier). It applies the host policies of a directory through enforcer_apparmor_ops, prints each
 * rule's status, then turns the enforcer's events into KubeArmor-style alert JSON (Enforcer
 * "AppArmor"), one per line on stdout and, with --journal, into journald (SYSLOG_IDENTIFIER
 * kubearmor-aa-driver, KUBEARMOR_POLICY=..., MESSAGE = the JSON). SIGHUP reads the directory again
 * and applies it ("APPLIED N" on stdout, N counting applies). It stops on SIGTERM/SIGINT or after
 * --seconds, and removes its profiles unless --keep is given.
 *
 *   aa-driver --policies DIR [--state DIR] [--seconds N] [--journal] [--keep]
 *             [--file-posture P] [--network-posture P] [--capabilities-posture P]
 *
 * Exit: 0 applied (and ran), 1 failure, 77 AppArmor unusable here (reason printed).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strv.h"
#include "enforcer/enforcer.h"
#include "policy/policy.h"
#include "rules/rules.h"

static volatile sig_atomic_t stop, reload;
static const RuleSet *ruleset;
static bool to_journal;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static const char *op_name(RuleClass c)
{
	switch (c) {
	case RULE_CLASS_PROCESS:
		return "Process";
	case RULE_CLASS_FILE:
		return "File";
	case RULE_CLASS_NETWORK:
		return "Network";
	case RULE_CLASS_CAPABILITY:
		return "Capabilities";
	default:
		return "Unknown";
	}
}

static void on_event(const EnforcerEvent *ev, void *userdata)
{
	RuleOp op = {.class = ev->class,
		     .subject = ev->subject,
		     .path = ev->resource,
		     .access = ev->access,
		     .domain = ev->domain,
		     .type = ev->type,
		     .protocol = ev->protocol,
		     .capability = ev->capability};
	RuleDecision d = {};
	const char *policy = NULL, *message = NULL;
	int severity = 0;
	struct stat st;
	json_t *j;
	char *text;

	(void)userdata;
	if ((ev->class == RULE_CLASS_FILE || ev->class == RULE_CLASS_PROCESS) && ev->resource &&
	    stat(ev->resource, &st) == 0)
		op.owner = st.st_uid == ev->uid;
	if (ev->policy_name)
		policy = ev->policy_name;
	else if (rule_set_decide(ruleset, &op, &d) == 0) {
		if (d.decider == RULE_DECIDER_RULE && d.rule) {
			policy = d.rule->policy->name;
			severity = d.rule->meta->severity;
			message = d.rule->meta->message;
		} else if (d.decider == RULE_DECIDER_POSTURE)
			policy = "DefaultPosture";
	}
	j = json_pack("{s:I, s:s, s:i, s:i, s:i, s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:s?, s:s, s:s, "
		      "s:s}",
		      "Timestamp", (json_int_t)time(NULL), "Type", "MatchedHostPolicy", "HostPPID",
		      (int)ev->ppid, "HostPID", (int)ev->pid, "UID", (int)ev->uid,
		      "ParentProcessName", ev->parent, "ProcessName", ev->subject, "PolicyName",
		      policy, "Operation", op_name(ev->class), "Resource", ev->resource ?: "",
		      "Data", ev->data, "Message", message, "Enforcer", "AppArmor", "Action",
		      ev->action == ACTION_BLOCK ? "Block" : "Audit", "Result",
		      ev->error ? strerror(ev->error) : "Passed");
	if (!j)
		return;
	if (severity > 0) {
		char s[16];

		snprintf(s, sizeof s, "%d", severity);
		json_object_set_new(j, "Severity", json_string(s));
	}
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return;
	printf("%s\n", text);
	fflush(stdout);
	if (to_journal)
		sd_journal_send("MESSAGE=%s", text, "SYSLOG_IDENTIFIER=kubearmor-aa-driver",
				"KUBEARMOR_POLICY=%s", policy ?: "", "KUBEARMOR_ENFORCER=AppArmor",
				NULL);
	free(text);
}

static int load_dir(const char *dir, PolicyFile ***files, size_t *n_files, const Policy ***pols,
		    size_t *n_pols)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t l = strlen(name);
		_cleanup_free_ char *path = NULL;
		PolicyFile *pf = NULL;

		if (name[0] != '.' && l > 5 && streq(name + l - 5, ".yaml") &&
		    asprintf(&path, "%s/%s", dir, name) >= 0 && policy_file_load(path, &pf) >= 0) {
			*files = realloc(*files, (*n_files + 1) * sizeof(**files));
			(*files)[(*n_files)++] = pf;
			if (!policy_file_ok(pf))
				fprintf(stderr, "aa-driver: %s has errors, left out\n", path);
			else
				for (size_t d = 0; d < pf->n_docs; d++) {
					*pols = realloc(*pols, (*n_pols + 1) * sizeof(**pols));
					(*pols)[(*n_pols)++] = pf->docs[d].policy;
				}
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"policies", required_argument, NULL, 'p'},
		{"state", required_argument, NULL, 's'},
		{"seconds", required_argument, NULL, 't'},
		{"journal", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"file-posture", required_argument, NULL, 'F'},
		{"network-posture", required_argument, NULL, 'N'},
		{"capabilities-posture", required_argument, NULL, 'C'},
		{},
	};
	const char *dir = NULL, *state = "/run/kubearmor-aa-driver";
	int seconds = 0, c, r, ret = 0;
	bool keep = false;
	RulePostures postures = RULE_POSTURES_DEFAULT;
	PolicyFile **files = NULL;
	const Policy **pols = NULL;
	size_t n_files = 0, n_pols = 0;
	Workload *w = NULL;
	RuleSet *rs = NULL;
	Enforcer *e = NULL;
	char *reason = NULL, host[256] = "localhost";
	const EnforcerOps *ops = &enforcer_apparmor_ops;
	time_t deadline;
	unsigned applies = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (c) {
		case 'p':
			dir = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'j':
			to_journal = true;
			break;
		case 'k':
			keep = true;
			break;
		case 'F':
			postures.file = (RuleAction)rules_posture_from_string(optarg);
			break;
		case 'N':
			postures.network = (RuleAction)rules_posture_from_string(optarg);
			break;
		case 'C':
			postures.capabilities = (RuleAction)rules_posture_from_string(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "aa-driver: --policies DIR is required\n");
		return 2;
	}
	r = ops->probe(&reason);
	if (r < 0) {
		printf("SKIP: AppArmor enforcer unusable: %s\n", reason);
		return 77;
	}
	if (load_dir(dir, &files, &n_files, &pols, &n_pols) < 0) {
		fprintf(stderr, "aa-driver: cannot read %s\n", dir);
		return 1;
	}
	gethostname(host, sizeof host - 1);
	host[strcspn(host, ".")] = 0;
	if (workload_new_host(host, NULL, &w) < 0 ||
	    rule_set_compile(pols, n_pols, w, &postures, &rs) < 0) {
		fprintf(stderr, "aa-driver: cannot compile the policies\n");
		return 1;
	}
	ruleset = rs;
	r = ops->new (
		&(EnforcerOptions){.state_dir = state, .self_pid = getpid(), .on_event = on_event},
		&e);
	if (r < 0) {
		fprintf(stderr, "aa-driver: new: %s\n", strerror(-r));
		return 1;
	}
	r = ops->apply_host(e, w, rs);
	if (r < 0) {
		fprintf(stderr, "aa-driver: apply: %s\n", strerror(-r));
		ret = 1;
		goto finish;
	}
	for (int k = 0; k < _RULE_CLASS_MAX; k++)
		for (size_t i = 0; i < rs->classes[k].n_rules; i++) {
			const Rule *rule = &rs->classes[k].rules[i];
			const char *why = NULL;
			RuleEnforcement s = ops->rule_status(e, rule, &why);

			printf("status: %s %s %s %s: %s%s%s\n", rule->policy->name,
			       rule_class_to_string(rule->class), rule->target ?: "-",
			       rule->source ?: "-",
			       s == RULE_ENFORCED     ? "enforced"
			       : s == RULE_AUDIT_ONLY ? "audit-only"
						      : "monitor-only",
			       why ? ": " : "", why ?: "");
		}
	printf("READY\nAPPLIED 1\n");
	fflush(stdout);

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	deadline = time(NULL) + seconds;
	while (!stop && (seconds == 0 || time(NULL) < deadline)) {
		struct pollfd p = {.fd = ops->get_fd(e), .events = POLLIN};

		if (reload) {
			PolicyFile **nf = NULL;
			const Policy **np = NULL;
			size_t n_nf = 0, n_np = 0;
			RuleSet *nrs = NULL;

			reload = 0;
			if (load_dir(dir, &nf, &n_nf, &np, &n_np) < 0 ||
			    rule_set_compile(np, n_np, w, &postures, &nrs) < 0) {
				fprintf(stderr, "aa-driver: reload failed\n");
				continue;
			}
			r = ops->apply_host(e, w, nrs);
			if (r < 0) {
				fprintf(stderr, "aa-driver: apply: %s\n", strerror(-r));
				rule_set_free(nrs);
				for (size_t i = 0; i < n_nf; i++)
					policy_file_free(nf[i]);
				free(nf);
				free(np);
				continue;
			}
			/* The new state is in force: drop the old policies. */
			ruleset = nrs;
			rule_set_free(rs);
			rs = nrs;
			for (size_t i = 0; i < n_files; i++)
				policy_file_free(files[i]);
			free(files);
			free(pols);
			files = nf;
			n_files = n_nf;
			pols = np;
			n_pols = n_np;
			printf("APPLIED %u\n", ++applies);
			fflush(stdout);
		}
		if (p.fd < 0) {
			usleep(200 * 1000);
			continue;
		}
		if (poll(&p, 1, 200) > 0)
			(void)ops->process(e);
	}
finish:
	e = ops->free(e, !keep);
	rule_set_free(rs);
	workload_free(w);
	for (size_t i = 0; i < n_files; i++)
		policy_file_free(files[i]);
	free(files);
	free(pols);
	return ret;
}
