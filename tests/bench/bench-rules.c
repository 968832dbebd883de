/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-rules.c: the decision engine's speed.
 *   1. compile: 1,000 policies of 10 rules each (mixed classes, match kinds, fromSource) for one
 * host workload, selection included. Target: under 100 ms.
 *   2. decide: reference decisions per second with those 10,000 rules loaded, over a mix of file,
 *      process, network and capability operations that hit exact paths, directories and nothing.
 *      Target: at least 1,000,000 per second.
 * Times are CPU time of the benchmarking thread. Prints the figures and the ratio to each target;
 * exits 1 only if BENCH_STRICT=1 and a target is missed (sanitizer builds are several times slower
 * than release builds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rules-test-util.h"

#define N_POLICIES	 1000
#define RULES_PER_POLICY 10
#define COMPILE_ROUNDS	 5
#define N_OPS		 4096
#define DECIDE_ROUNDS	 200

/* CPU time of this thread: the machine may be shared, and wall time would measure the neighbours.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static Policy *make_policy(unsigned i)
{
	static const char *const acts[] = {"block", "allow", "audit", "block"};
	static const char *const protos[] = {"tcp", "udp", "raw", "icmp"};
	static const char *const caps[] = {"net_raw", "sys_admin", "chown", "setuid"};
	char name[32], spec[256];
	Policy *p;

	snprintf(name, sizeof name, "bench-%u", i);
	p = tu_policy(POLICY_KIND_HSP, name);
	tu_label(p, "kubearmor.io/hostname", "*");
	for (unsigned k = 0; k < RULES_PER_POLICY; k++) {
		const char *a = acts[(i + k) % 4];

		switch (k) {
		case 0:
		case 1:
			snprintf(spec, sizeof spec, "file path /srv/app%u/data/f%u.db %s", i, k, a);
			break;
		case 2:
			snprintf(spec, sizeof spec, "file pattern /srv/app%u/*/f*.log %s", i, a);
			break;
		case 3:
			snprintf(spec, sizeof spec, "file rdir /srv/app%u/ %s ro", i, a);
			break;
		case 4:
			snprintf(spec, sizeof spec,
				 "file dir /var/lib/app%u/ %s src=/usr/bin/app%u", i, a, i);
			break;
		case 5:
			snprintf(spec, sizeof spec, "process path /opt/app%u/bin/run %s", i, a);
			break;
		case 6:
			snprintf(spec, sizeof spec, "process rdir /opt/app%u/libexec/ %s oo", i, a);
			break;
		case 7:
			snprintf(spec, sizeof spec,
				 "file path /etc/app%u.conf %s src=/usr/bin/app%u", i, a, i);
			break;
		case 8:
			snprintf(spec, sizeof spec, "network proto %s %s src=/usr/bin/app%u",
				 protos[i % 4], a, i);
			break;
		default:
			snprintf(spec, sizeof spec, "cap cap %s %s src=/usr/bin/app%u", caps[i % 4],
				 a, i);
			break;
		}
		tu_rule(p, spec);
	}
	return p;
}

int main(void)
{
	static Policy *pols[N_POLICIES];
	static char paths[N_OPS][128], subjects[N_OPS][64];
	static RuleOp ops[N_OPS];
	Workload *w = NULL;
	RuleSet *rs = NULL;
	double best = 1e9, t0, t1, rate;
	size_t n_rules = 0;
	unsigned long long verdicts[_ACTION_MAX] = {};
	bool strict = getenv("BENCH_STRICT") && streq(getenv("BENCH_STRICT"), "1"), ok = true;

	for (unsigned i = 0; i < N_POLICIES; i++)
		pols[i] = make_policy(i);
	if (workload_new_host("bench-host", NULL, &w) < 0)
		return 2;

	for (int round = 0; round < COMPILE_ROUNDS; round++) {
		rs = rule_set_free(rs);
		t0 = now();
		if (rule_set_compile((const Policy *const *)pols, N_POLICIES, w, NULL, &rs) < 0)
			return 2;
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		n_rules += rs->classes[c].n_rules;
	printf("compile: %u policies x %u rules -> %zu rules in %.2f ms (best of %d); target < 100 "
	       "ms, "
	       "%.1fx under\n",
	       N_POLICIES, RULES_PER_POLICY, n_rules, best * 1e3, COMPILE_ROUNDS, 0.1 / best);
	if (best >= 0.1)
		ok = false;

	srand(42);
	for (unsigned k = 0; k < N_OPS; k++) {
		unsigned i = (unsigned)rand() % (N_POLICIES * 2); /* half of them name nothing */
		RuleOp *op = &ops[k];

		snprintf(subjects[k], sizeof subjects[k], "/usr/bin/app%u", i);
		op->subject = rand() % 2 ? subjects[k] : "/usr/bin/bash";
		op->owner = rand() % 2;
		switch (k % 8) {
		case 0:
			snprintf(paths[k], sizeof paths[k], "/srv/app%u/data/f%u.db", i, k % 3);
			break;
		case 1:
			snprintf(paths[k], sizeof paths[k], "/srv/app%u/cache/x/y/z.tmp", i);
			break;
		case 2:
			snprintf(paths[k], sizeof paths[k], "/var/lib/app%u/state", i);
			break;
		case 3:
			snprintf(paths[k], sizeof paths[k], "/usr/share/doc/pkg%u/README.gz", i);
			break;
		case 4:
			snprintf(paths[k], sizeof paths[k], "/opt/app%u/bin/run", i);
			break;
		case 5:
			snprintf(paths[k], sizeof paths[k], "/opt/app%u/libexec/helpers/h", i);
			break;
		}
		op->path = paths[k];
		op->class = k % 8 < 4 ? RULE_CLASS_FILE : RULE_CLASS_PROCESS;
		op->access = k % 8 < 4 ? (rand() % 2 ? RULE_ACCESS_WRITE : RULE_ACCESS_READ)
				       : RULE_ACCESS_EXEC;
		if (k % 8 == 6) {
			op->class = RULE_CLASS_NETWORK;
			op->path = NULL;
			(void)net_socket_from_name(rand() % 2 ? "tcp" : "udp", &op->domain,
						   &op->type, &op->protocol);
		} else if (k % 8 == 7) {
			op->class = RULE_CLASS_CAPABILITY;
			op->path = NULL;
			op->capability = rand() % 2 ? 13 : 21;
		}
	}

	t0 = now();
	for (int round = 0; round < DECIDE_ROUNDS; round++)
		for (unsigned k = 0; k < N_OPS; k++) {
			RuleDecision d;

			if (rule_set_decide(rs, &ops[k], &d) < 0)
				return 2;
			verdicts[d.verdict]++;
		}
	t1 = now();
	rate = (double)DECIDE_ROUNDS * N_OPS / (t1 - t0);
	printf("decide: %zu rules loaded, %d decisions in %.3f s = %.0f decisions/s "
	       "(%.2f us each); target >= 1,000,000/s, %.2fx; Allow %llu Audit %llu Block %llu\n",
	       n_rules, DECIDE_ROUNDS * N_OPS, t1 - t0, rate, 1e6 / rate, rate / 1e6,
	       verdicts[ACTION_ALLOW], verdicts[ACTION_AUDIT], verdicts[ACTION_BLOCK]);
	if (rate < 1e6)
		ok = false;

	rule_set_free(rs);
	workload_free(w);
	for (unsigned i = 0; i < N_POLICIES; i++)
		policy_free(pols[i]);
	if (!ok)
		printf("a target was missed%s\n",
		       strict ? "" : " (not fatal without BENCH_STRICT=1)");
	return !ok && strict ? 1 : 0;
}
