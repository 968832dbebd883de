/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-differential.c: random rule sets and operations (fixed seed), decided by rule_set_decide()
 * and by a deliberately naive version written here from the man page: scan every rule of every
 * policy, collect all matches with their specificity, then pick. Verdict, decider and deciding rule
 * must agree.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check-helpers.h"
#include "rules-test-util.h"

#define N_SETS	    2500
#define OPS_PER_SET 48 /* 120,000 cases */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

#define PICK(arr) (arr)[rnd(ELEMENTSOF(arr))]

static const char *const dirs[] = {"/", "/a/", "/a/b/", "/a/b/c/", "/b/", "/a/bb/"};
static const char *const files[] = {"/a/x", "/a/b/x", "/a/b/c/x",   "/b/x", "/a/bb/x", "/a",
				    "/a/b", "/x",     "/a/b/c/d/x", "/bx",  "/a/b/",   "/b"};
static const char *const patterns[] = {"/a/*", "/a/*/x", "/*/x",     "/a/b*",  "/a/b/c/*", "/*",
				       "*x",   "[/]a/*", "/a/\\b/x", "/a/b/?", "/a/b/x"};
static const char *const execnames[] = {"x", "b", "c"};
static const char *const sources[] = {"/bin/s1", "/bin/s2"};
static const char *const subjects[] = {NULL, "/bin/s1", "/bin/s2", "/bin/s3"};
static const char *const protos[] = {"tcp",  "udp",    "icmp",	"icmpv6", "sctp",
				     "raw",  "stream", "dgram", "rdm",	  "seqpacket",
				     "dccp", "packet", "all"};
static const char *const sockets[] = {"2,1,0",	"2,1,6",   "10,1,0",  "1,1,0",	  "2,2,0", "2,2,17",
				      "2,3,1",	"10,3,58", "2,5,0",   "17,3,768", "1,2,0", "2,6,33",
				      "30,4,0", "2,1,132", "10,2,58", "2,10,0"};
static const char *const caps[] = {"net_raw", "net_admin", "sys_admin", "chown"};
static const char *const domains[] = {"example.com", "a.example.com", "com", "b.a.example.com",
				      "other.org"};
static const char *const queries[] = {"example.com",	 "x.example.com", "A.Example.COM.", "com",
				      "b.a.example.com", "other.org",	  "xother.org",	    "org"};
static const char *const args_pool[] = {"-m", "random", "pydoc", "-c"};

static RuleAction rnd_action(void)
{
	static const RuleAction a[] = {ACTION_ALLOW, ACTION_AUDIT, ACTION_BLOCK};
	return PICK(a);
}

static FromSource *rnd_sources(size_t *n)
{
	FromSource *fs;

	*n = rnd(4) == 0 ? 1 + rnd(2) : 0;
	if (*n == 0)
		return NULL;
	fs = calloc(*n, sizeof(FromSource));
	if (!fs)
		abort();
	for (size_t i = 0; i < *n; i++)
		fs[i].path = tu_strdup(i == 0 ? PICK(sources) : sources[1]);
	return fs;
}

static void rnd_path_rule(Policy *p, bool proc)
{
	PathRule **arr = proc ? &p->process : &p->file_rules;
	size_t *n = proc ? &p->n_process : &p->n_file;
	PathRule *r;

	*arr = tu_grow(*arr, *n, sizeof(PathRule));
	r = &(*arr)[(*n)++];
	switch (rnd(proc ? 4 : 3)) {
	case 0:
		r->kind = PATH_MATCH_PATH;
		r->value = tu_strdup(PICK(files));
		break;
	case 1:
		r->kind = rnd(4) == 0 ? PATH_MATCH_PATTERN : PATH_MATCH_DIR;
		r->value = tu_strdup(r->kind == PATH_MATCH_DIR ? PICK(dirs) : PICK(patterns));
		r->recursive = r->kind == PATH_MATCH_DIR && rnd(2);
		break;
	case 2:
		r->kind = PATH_MATCH_DIR;
		r->value = tu_strdup(PICK(dirs));
		r->recursive = true;
		break;
	default:
		r->kind = PATH_MATCH_EXECNAME;
		r->value = tu_strdup(PICK(execnames));
		break;
	}
	r->read_only = !proc && rnd(4) == 0;
	r->owner_only = rnd(5) == 0;
	r->pts = rnd(8) == 0 ? PTS_FALSE : PTS_UNSET;
	if (proc && r->kind == PATH_MATCH_PATH && rnd(4) == 0) {
		if (strv_extend(&r->allowed_args, "-m") < 0 ||
		    strv_extend(&r->allowed_args, rnd(2) ? "random" : "pydoc") < 0)
			abort();
	}
	r->sources = rnd_sources(&r->n_sources);
	tu_meta(&r->meta, rnd_action(), (unsigned)*n);
}

static Policy *rnd_policy(unsigned i)
{
	char name[16];
	Policy *p;
	unsigned n = 1 + rnd(5);

	snprintf(name, sizeof name, "p%u", i);
	p = tu_policy(POLICY_KIND_HSP, name);
	for (unsigned k = 0; k < n; k++) {
		switch (rnd(6)) {
		case 0:
		case 1:
			rnd_path_rule(p, false);
			break;
		case 2:
			rnd_path_rule(p, true);
			break;
		case 3: {
			NetRule *r;

			p->network = tu_grow(p->network, p->n_network, sizeof(NetRule));
			r = &p->network[p->n_network++];
			r->protocol = tu_strdup(PICK(protos));
			r->pts = rnd(8) == 0 ? PTS_FALSE : PTS_UNSET;
			r->sources = rnd_sources(&r->n_sources);
			tu_meta(&r->meta, rnd_action(), k);
			break;
		}
		case 4: {
			CapRule *r;

			p->capabilities =
				tu_grow(p->capabilities, p->n_capabilities, sizeof(CapRule));
			r = &p->capabilities[p->n_capabilities++];
			r->capability = tu_strdup(PICK(caps));
			r->number = rules_capability_from_name(r->capability);
			r->sources = rnd_sources(&r->n_sources);
			tu_meta(&r->meta, rnd_action(), k);
			break;
		}
		default: {
			DnsRule *r;

			p->dns = tu_grow(p->dns, p->n_dns, sizeof(DnsRule));
			r = &p->dns[p->n_dns++];
			r->domain = tu_strdup(PICK(domains));
			r->sources = rnd_sources(&r->n_sources);
			tu_meta(&r->meta, rnd_action(), k);
			break;
		}
		}
	}
	return p;
}

/* ---- the naive reference, from the man page ---- */

typedef enum { N_NONE, N_ALLOW, N_BLOCK } NOut;

typedef struct NMatch {
	const RuleMeta *meta;
	const char *source;
	RuleAction action;
	unsigned long long rank;
	NOut out;
	unsigned order;
} NMatch;

typedef struct NResult {
	RuleAction verdict;
	RuleDecider decider;
	const RuleMeta *meta;
	const char *source;
} NResult;

/* What the rule says, as a table over its flags: see DECISION SEMANTICS. */
static NOut naive_outcome(RuleAction action, bool ro, bool oo, PtsMode pts, char *const *allowed,
			  const RuleOp *op)
{
	bool is_allow = action == ACTION_ALLOW;
	bool write = op->access == RULE_ACCESS_WRITE;
	bool args_ok = false;

	if (pts == PTS_FALSE && !op->tty && !is_allow)
		return N_NONE;
	if (pts == PTS_FALSE && op->tty && is_allow)
		return N_BLOCK;
	if (oo && !op->owner)
		return N_BLOCK;
	if (ro && write)
		return N_BLOCK;
	if (ro && !is_allow && !oo)
		return N_NONE;
	if (allowed) {
		if (op->args_known && op->args && op->args[0]) {
			args_ok = true;
			for (size_t i = 0; op->args[i]; i++)
				if (!strv_contains(allowed, op->args[i]))
					args_ok = false;
		}
		if (args_ok)
			return N_ALLOW;
		return (!is_allow || oo) ? N_BLOCK : N_NONE;
	}
	if (oo)
		return N_ALLOW;
	return is_allow ? N_ALLOW : N_BLOCK;
}

static unsigned count_char(const char *s, char c)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* 0 = no match, otherwise specificity (without the source part). */
static unsigned long long naive_path_rank(const PathRule *r, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t dl;

	switch (r->kind) {
	case PATH_MATCH_PATH:
		return strcmp(r->value, path) == 0 ? 4000000 : 0;
	case PATH_MATCH_EXECNAME:
		base = base ? base + 1 : path;
		return strcmp(r->value, base) == 0 ? 3000000 : 0;
	case PATH_MATCH_PATTERN:
		return fnmatch(r->value, path, FNM_PATHNAME) == 0 ? 2000000 : 0;
	case PATH_MATCH_DIR:
		dl = strlen(r->value);
		if (strcmp(path, r->value) == 0 ||
		    (dl > 1 && strlen(path) == dl - 1 && strncmp(path, r->value, dl - 1) == 0))
			return 1000000 + count_char(r->value, '/');
		if (strncmp(path, r->value, dl) != 0)
			return 0;
		if (!r->recursive) {
			const char *rest = path + dl;
			unsigned slashes = count_char(rest, '/');

			if (slashes > 1 || (slashes == 1 && rest[strlen(rest) - 1] != '/'))
				return 0;
		}
		return 1000000 + count_char(r->value, '/');
	}
	return 0;
}

static unsigned long long naive_net_rank(const char *proto, const RuleOp *op)
{
	NetProto np;

	if (net_proto_from_name(proto, &np) < 0 ||
	    !net_proto_matches(&np, op->domain, op->type, op->protocol))
		return 0;
	return np.kind == NET_PROTO_IP ? 3 : np.kind == NET_PROTO_ALL ? 1 : 2;
}

static unsigned long long naive_dns_rank(const char *domain, const char *query)
{
	char q[300], d[300];
	size_t ql, dl;

	while (*query == '.')
		query++;
	snprintf(q, sizeof q, "%s", query);
	snprintf(d, sizeof d, "%s", domain);
	for (char *c = q; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = d; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	ql = strlen(q);
	while (ql && q[ql - 1] == '.')
		q[--ql] = 0;
	dl = strlen(d);
	if (strcmp(q, d) == 0 || (ql > dl && q[ql - dl - 1] == '.' && strcmp(q + ql - dl, d) == 0))
		return 1 + count_char(d, '.');
	return 0;
}

static void naive_add(NMatch *m, size_t *n, const RuleMeta *meta, const char *src,
		      unsigned long long rank, NOut out, unsigned order)
{
	if (rank == 0 || out == N_NONE)
		return;
	m[(*n)++] = (NMatch){meta, src, meta->action, rank + (src ? 100000000ULL : 0), out, order};
}

static NResult naive_decide(Policy **pols, size_t n_pols, const RulePostures *post,
			    const RuleOp *op)
{
	static NMatch m[4096];
	size_t n = 0;
	unsigned order = 0;
	bool allow_list = false;
	RuleAction posture;
	NResult res = {};

	for (size_t i = 0; i < n_pols; i++) {
		const Policy *p = pols[i];

		if (op->class == RULE_CLASS_PROCESS || op->class == RULE_CLASS_FILE) {
			const PathRule *rules =
				op->class == RULE_CLASS_PROCESS ? p->process : p->file_rules;
			size_t nr = op->class == RULE_CLASS_PROCESS ? p->n_process : p->n_file;

			for (size_t k = 0; k < nr; k++) {
				const PathRule *r = &rules[k];

				if (r->meta.action == ACTION_ALLOW)
					allow_list = true;
				for (size_t s = 0; s < (r->n_sources ?: 1); s++, order++) {
					const char *src = r->n_sources ? r->sources[s].path : NULL;

					if (src && (!op->subject || strcmp(src, op->subject) != 0))
						continue;
					naive_add(m, &n, &r->meta, src,
						  naive_path_rank(r, op->path),
						  naive_outcome(r->meta.action,
								op->class == RULE_CLASS_FILE &&
									r->read_only,
								r->owner_only, r->pts,
								op->class == RULE_CLASS_PROCESS
									? r->allowed_args
									: NULL,
								op),
						  order);
				}
			}
		} else if (op->class == RULE_CLASS_NETWORK) {
			for (size_t k = 0; k < p->n_network; k++) {
				const NetRule *r = &p->network[k];

				if (r->meta.action == ACTION_ALLOW)
					allow_list = true;
				for (size_t s = 0; s < (r->n_sources ?: 1); s++, order++) {
					const char *src = r->n_sources ? r->sources[s].path : NULL;

					if (src && (!op->subject || strcmp(src, op->subject) != 0))
						continue;
					naive_add(m, &n, &r->meta, src,
						  naive_net_rank(r->protocol, op),
						  naive_outcome(r->meta.action, false, false,
								r->pts, NULL, op),
						  order);
				}
			}
		} else if (op->class == RULE_CLASS_CAPABILITY) {
			for (size_t k = 0; k < p->n_capabilities; k++) {
				const CapRule *r = &p->capabilities[k];

				if (r->meta.action == ACTION_ALLOW)
					allow_list = true;
				for (size_t s = 0; s < (r->n_sources ?: 1); s++, order++) {
					const char *src = r->n_sources ? r->sources[s].path : NULL;

					if (src && (!op->subject || strcmp(src, op->subject) != 0))
						continue;
					naive_add(m, &n, &r->meta, src,
						  r->number == op->capability ? 1 : 0,
						  naive_outcome(r->meta.action, false, false,
								PTS_UNSET, NULL, op),
						  order);
				}
			}
		} else {
			for (size_t k = 0; k < p->n_dns; k++) {
				const DnsRule *r = &p->dns[k];

				if (r->meta.action == ACTION_ALLOW)
					allow_list = true;
				for (size_t s = 0; s < (r->n_sources ?: 1); s++, order++) {
					const char *src = r->n_sources ? r->sources[s].path : NULL;

					if (src && (!op->subject || strcmp(src, op->subject) != 0))
						continue;
					naive_add(m, &n, &r->meta, src,
						  naive_dns_rank(r->domain, op->domain_name),
						  naive_outcome(r->meta.action, false, false,
								PTS_UNSET, NULL, op),
						  order);
				}
			}
		}
	}

	posture = op->class == RULE_CLASS_NETWORK || op->class == RULE_CLASS_DNS ? post->network
		  : op->class == RULE_CLASS_CAPABILITY ? post->capabilities
						       : post->file;

	/* Enforcing: highest rank; at that rank Block before Allow; then rule order. */
	const NMatch *enf = NULL, *aud = NULL;

	for (size_t i = 0; i < n; i++) {
		const NMatch *x = &m[i];

		if (x->action == ACTION_AUDIT) {
			if (x->out == N_BLOCK && (!aud || x->rank > aud->rank))
				aud = x;
			continue;
		}
		if (!enf || x->rank > enf->rank || (x->rank == enf->rank && x->out > enf->out))
			enf = x;
	}

	if (enf && enf->out == N_BLOCK)
		res = (NResult){ACTION_BLOCK, RULE_DECIDER_RULE, enf->meta, enf->source};
	else if (enf && aud)
		res = (NResult){ACTION_AUDIT, RULE_DECIDER_RULE, aud->meta, aud->source};
	else if (enf)
		res = (NResult){ACTION_ALLOW, RULE_DECIDER_RULE, enf->meta, enf->source};
	else if (allow_list && posture == ACTION_BLOCK)
		res = (NResult){ACTION_BLOCK, RULE_DECIDER_POSTURE, NULL, NULL};
	else if (aud)
		res = (NResult){ACTION_AUDIT, RULE_DECIDER_RULE, aud->meta, aud->source};
	else if (allow_list)
		res = (NResult){ACTION_AUDIT, RULE_DECIDER_POSTURE, NULL, NULL};
	else
		res = (NResult){ACTION_ALLOW, RULE_DECIDER_NONE, NULL, NULL};
	return res;
}

static RuleOp rnd_op(char ***argv_store)
{
	static const RuleClass classes[] = {
		RULE_CLASS_FILE,    RULE_CLASS_FILE,	   RULE_CLASS_FILE, RULE_CLASS_PROCESS,
		RULE_CLASS_NETWORK, RULE_CLASS_CAPABILITY, RULE_CLASS_DNS};
	RuleOp op = {};

	op.class = PICK(classes);
	op.subject = PICK(subjects);
	op.owner = rnd(2);
	op.tty = rnd(3) == 0;
	switch (op.class) {
	case RULE_CLASS_FILE:
		op.path = rnd(5) == 0 ? PICK(dirs) : PICK(files);
		op.access = rnd(2) ? RULE_ACCESS_WRITE : RULE_ACCESS_READ;
		break;
	case RULE_CLASS_PROCESS:
		op.path = PICK(files);
		op.access = RULE_ACCESS_EXEC;
		op.args_known = rnd(4) != 0;
		if (op.args_known) {
			unsigned na = rnd(3);

			strv_free(*argv_store);
			*argv_store = NULL;
			for (unsigned i = 0; i < na; i++)
				if (strv_extend(argv_store, PICK(args_pool)) < 0)
					abort();
			op.args = *argv_store;
		}
		break;
	case RULE_CLASS_NETWORK:
		if (net_socket_from_name(PICK(sockets), &op.domain, &op.type, &op.protocol) < 0)
			abort();
		break;
	case RULE_CLASS_CAPABILITY:
		op.capability = rules_capability_from_name(PICK(caps));
		break;
	default:
		op.domain_name = PICK(queries);
		break;
	}
	return op;
}

START_TEST(test_differential)
{
	unsigned long cases = 0, disagreements = 0;
	unsigned long verdicts[_ACTION_MAX] = {}, deciders[3] = {};
	char **argv_store = NULL;

	rng_state = 0x5eed2026ULL;
	for (unsigned set = 0; set < N_SETS; set++) {
		Policy *pols[8];
		size_t n_pols = 1 + rnd(8);
		RulePostures post = {rnd(2) ? ACTION_BLOCK : ACTION_AUDIT,
				     rnd(2) ? ACTION_BLOCK : ACTION_AUDIT,
				     rnd(2) ? ACTION_BLOCK : ACTION_AUDIT};
		_cleanup_(rule_set_freep) RuleSet *rs = NULL;

		for (size_t i = 0; i < n_pols; i++)
			pols[i] = rnd_policy((unsigned)i);
		ck_assert_int_eq(rule_set_new(&post, &rs), 0);
		for (size_t i = 0; i < n_pols; i++)
			ck_assert_int_eq(rule_set_add_policy(rs, pols[i]), 0);
		ck_assert_int_eq(rule_set_seal(rs), 0);

		for (unsigned k = 0; k < OPS_PER_SET; k++) {
			RuleOp op = rnd_op(&argv_store);
			RuleDecision d;
			NResult nr = naive_decide(pols, n_pols, &post, &op);

			ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
			cases++;
			verdicts[d.verdict]++;
			deciders[d.decider]++;
			if (d.verdict != nr.verdict || d.decider != nr.decider ||
			    (d.rule && (d.rule->meta != nr.meta || d.rule->source != nr.source))) {
				if (disagreements++ < 5)
					fprintf(stderr,
						"set %u op %u (class %s path %s subject %s): real "
						"%s/%d, "
						"naive %s/%d\n",
						set, k, rule_class_to_string(op.class),
						op.path ?: "-", op.subject ?: "-",
						rule_action_to_string(d.verdict), d.decider,
						rule_action_to_string(nr.verdict), nr.decider);
			}
		}
		rs = rule_set_free(rs);
		for (size_t i = 0; i < n_pols; i++)
			policy_free(pols[i]);
	}
	strv_free(argv_store);
	printf("%lu cases, %lu disagreements; Allow %lu Audit %lu Block %lu; none %lu rule %lu "
	       "posture %lu\n",
	       cases, disagreements, verdicts[ACTION_ALLOW], verdicts[ACTION_AUDIT],
	       verdicts[ACTION_BLOCK], deciders[0], deciders[1], deciders[2]);
	fflush(stdout);
	ck_assert_uint_ge(cases, 100000);
	ck_assert_uint_eq(disagreements, 0);
	/* The generator must exercise every outcome, or the comparison proves little. */
	ck_assert_uint_gt(verdicts[ACTION_ALLOW], 1000);
	ck_assert_uint_gt(verdicts[ACTION_AUDIT], 1000);
	ck_assert_uint_gt(verdicts[ACTION_BLOCK], 1000);
	ck_assert_uint_gt(deciders[RULE_DECIDER_POSTURE], 1000);
	ck_assert_uint_gt(deciders[RULE_DECIDER_RULE], 1000);
}
END_TEST

/* ---- exhaustive: every single rule, then every pair of rules, against every operation ---- */

typedef struct Target {
	const char *kind; /* tu_rule() kind */
	const char *value;
} Target;

static const Target single_targets[] = {
	{"path", "/d/f"}, {"execname", "f"}, {"dir", "/d/"}, {"rdir", "/d/"}, {"pattern", "/d/*"},
};
static const Target pair_targets[] = {
	{"path", "/d/f"}, {"path", "/d/e/f"},  {"execname", "f"},
	{"dir", "/d/"},	  {"dir", "/d/e/"},    {"rdir", "/d/"},
	{"rdir", "/"},	  {"pattern", "/d/*"}, {"pattern", "/d/*/f"},
};
static const char *const ex_paths[] = {"/d/f", "/d/e/f", "/d/e", "/d", "/x/y"};
static const char *const ex_subjects[] = {NULL, "/bin/s1", "/bin/s2"};
static const char *const ex_actions[] = {"allow", "audit", "block"};

/* Decides every operation variant of class `cls` (0 file, 1 process) on `pols` both ways;
 * returns the number of cases. */
static unsigned long compare_all_ops(Policy **pols, size_t n, const RulePostures *post, int cls,
				     bool with_tty, unsigned long *disagreements)
{
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	unsigned long cases = 0;

	ck_assert_int_eq(rule_set_new(post, &rs), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(rule_set_add_policy(rs, pols[i]), 0);
	ck_assert_int_eq(rule_set_seal(rs), 0);

	for (size_t pi = 0; pi < ELEMENTSOF(ex_paths); pi++)
		for (size_t si = 0; si < ELEMENTSOF(ex_subjects); si++)
			for (int bits = 0; bits < (with_tty ? 8 : 4); bits++) {
				RuleOp op = {
					.class = cls ? RULE_CLASS_PROCESS : RULE_CLASS_FILE,
					.path = ex_paths[pi],
					.subject = ex_subjects[si],
					.access = cls	       ? RULE_ACCESS_EXEC
						  : (bits & 1) ? RULE_ACCESS_WRITE
							       : RULE_ACCESS_READ,
					.owner = bits & 2,
					.tty = bits & 4,
				};
				RuleDecision d;
				NResult nr = naive_decide(pols, n, post, &op);

				if (cls && (bits & 1))
					continue; /* exec has no read/write */
				ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
				cases++;
				if (d.verdict != nr.verdict || d.decider != nr.decider ||
				    (d.rule &&
				     (d.rule->meta != nr.meta || d.rule->source != nr.source))) {
					if ((*disagreements)++ < 5)
						fprintf(stderr,
							"%s %s by %s: real %s/%d naive "
							"%s/%d\n",
							cls ? "exec" : "file", op.path,
							op.subject ?: "-",
							rule_action_to_string(d.verdict), d.decider,
							rule_action_to_string(nr.verdict),
							nr.decider);
				}
			}
	return cases;
}

static Policy *spec_policy(const char *name, const char *cls, const Target *t, const char *action,
			   bool src, bool ro, bool oo, bool pts)
{
	char spec[256];
	Policy *p = tu_policy(POLICY_KIND_HSP, name);

	snprintf(spec, sizeof spec, "%s %s %s %s%s%s%s%s", cls, t->kind, t->value, action,
		 src ? " src=/bin/s1" : "", ro ? " ro" : "", oo ? " oo" : "", pts ? " pts" : "");
	tu_rule(p, spec);
	return p;
}

START_TEST(test_exhaustive_single_rule)
{
	unsigned long cases = 0, disagreements = 0;

	/* match kind x action x fromSource x readOnly x ownerOnly x pts x posture x class, against
	 * path x source x read/write x owner x tty */
	for (size_t ti = 0; ti < ELEMENTSOF(single_targets); ti++)
		for (size_t ai = 0; ai < ELEMENTSOF(ex_actions); ai++)
			for (int flags = 0; flags < 32; flags++)
				for (int cls = 0; cls < 2; cls++) {
					bool src = flags & 1, ro = flags & 2, oo = flags & 4,
					     pts = flags & 8, block_posture = flags & 16;
					RulePostures post = {block_posture ? ACTION_BLOCK
									   : ACTION_AUDIT,
							     ACTION_AUDIT, ACTION_AUDIT};
					Policy *p;

					if (cls && ro)
						continue; /* readOnly is a file flag */
					p = spec_policy("p0", cls ? "process" : "file",
							&single_targets[ti], ex_actions[ai], src,
							ro, oo, pts);
					cases += compare_all_ops(&p, 1, &post, cls, true,
								 &disagreements);
					policy_free(p);
				}
	printf("exhaustive single rule: %lu cases, %lu disagreements\n", cases, disagreements);
	fflush(stdout);
	ck_assert_uint_ge(cases, 10000);
	ck_assert_uint_eq(disagreements, 0);
}
END_TEST

START_TEST(test_exhaustive_rule_pairs)
{
	unsigned long cases = 0, disagreements = 0;
	const size_t n_cfg = ELEMENTSOF(pair_targets) * ELEMENTSOF(ex_actions) * 2;

	/* every ordered pair of (target, action, fromSource) file rules, both postures: conflicts
	 * of actions, specificity and sources */
	for (size_t a = 0; a < n_cfg; a++)
		for (size_t b = 0; b < n_cfg; b++)
			for (int bp = 0; bp < 2; bp++) {
				RulePostures post = {bp ? ACTION_BLOCK : ACTION_AUDIT, ACTION_AUDIT,
						     ACTION_AUDIT};
				Policy *p[2];
				size_t cfg[2] = {a, b};

				for (int k = 0; k < 2; k++) {
					size_t c = cfg[k];

					p[k] = spec_policy(
						k ? "p1" : "p0", "file",
						&pair_targets[c / (ELEMENTSOF(ex_actions) * 2)],
						ex_actions[(c / 2) % ELEMENTSOF(ex_actions)], c % 2,
						false, false, false);
				}
				cases += compare_all_ops(p, 2, &post, 0, false, &disagreements);
				policy_free(p[0]);
				policy_free(p[1]);
			}
	printf("exhaustive rule pairs: %lu cases, %lu disagreements\n", cases, disagreements);
	fflush(stdout);
	ck_assert_uint_ge(cases, 100000);
	ck_assert_uint_eq(disagreements, 0);
}
END_TEST

static Suite *differential_suite(void)
{
	Suite *s = suite_create("rules/differential");
	TCase *tc = tcase_create("differential");

	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_exhaustive_single_rule);
	tcase_add_test(tc, test_exhaustive_rule_pairs);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(differential_suite)
