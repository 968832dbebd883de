/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decide.c: the reference decision function (kubearmor-policy(5), DECISION SEMANTICS).
 *
 * Every rule that names the operation's target is looked up through the index (exact path, each
 * directory prefix of the path, the path as a directory, the execname, patterns; protocol names;
 * capability; domain suffixes), each with the subject as source and globally. Each hit is turned
 * into an outcome (Allow, Block, or no match) by its flags, and ranked by specificity. The most
 * specific Allow/Block outcome decides, Block winning ties; Audit rules never weaken or strengthen
 * that, they only turn a permitted operation into an audited one.
 */
#include <fnmatch.h>
#include <string.h>
#include <sys/socket.h>

#include "core/strv.h"
#include "rules/rules-internal.h"
#include "rules/rules.h"

#ifndef SOCK_PACKET
#define SOCK_PACKET 10
#endif

/* Rank: source-qualified first, then the kind of target, then (directories, domains) depth. */
#define RANK_SOURCE    (1u << 24)
#define RANK_KIND(k)   ((unsigned)(k) << 20)
#define RANK_DEPTH_MAX ((1u << 20) - 1)
enum {
	KIND_ANY = 0,
	KIND_DIR = 1,
	KIND_PATTERN = 2,
	KIND_EXECNAME = 3,
	KIND_PATH = 4,
	/* network */
	KIND_NET_ALL = 1,
	KIND_NET_TYPE = 2,
	KIND_NET_IP = 3,
};

#define DNS_NAME_MAX 255

typedef enum Outcome {
	OUT_NONE,
	OUT_ALLOW,
	OUT_BLOCK,
} Outcome;

typedef struct Best {
	const Rule *rule;
	unsigned rank;
	Outcome out;
} Best;

typedef struct Decider {
	const RuleOp *op;
	Best enforce; /* best Allow/Block outcome */
	Best audit;   /* best matching Audit rule */
} Decider;

static bool args_allowed(const Rule *r, const RuleOp *op)
{
	if (!op->args_known || !op->args || !op->args[0])
		return false;
	STRV_FOREACH(a, op->args)
	if (!strv_contains(r->allowed_args, *a))
		return false;
	return true;
}

/* What one rule says about the operation, before ranking. Audit rules are evaluated as if they were
 * Block rules: an Audit rule matches exactly the operations the same rule with Block would deny. */
static Outcome rule_outcome(const Rule *r, const RuleOp *op)
{
	bool deny_rule = r->action != ACTION_ALLOW;

	if (r->pts == PTS_FALSE) {
		if (deny_rule && !op->tty)
			return OUT_NONE;
		if (!deny_rule && op->tty)
			return OUT_BLOCK;
	}
	if (r->owner_only && !op->owner)
		return OUT_BLOCK;
	if (r->read_only) {
		if (op->access == RULE_ACCESS_WRITE)
			return OUT_BLOCK;
		if (deny_rule && !r->owner_only)
			return OUT_NONE;
	}
	if (r->allowed_args) {
		if (args_allowed(r, op))
			return OUT_ALLOW;
		return deny_rule || r->owner_only ? OUT_BLOCK : OUT_NONE;
	}
	if (r->owner_only)
		return OUT_ALLOW;
	return deny_rule ? OUT_BLOCK : OUT_ALLOW;
}

static void consider(Decider *d, const Rule *r, unsigned rank)
{
	Outcome o = rule_outcome(r, d->op);
	Best *b;

	if (o == OUT_NONE)
		return;
	if (r->action == ACTION_AUDIT) {
		if (o != OUT_BLOCK)
			return;
		b = &d->audit;
		if (b->rule && (rank < b->rank || (rank == b->rank && r->index > b->rule->index)))
			return;
	} else {
		b = &d->enforce;
		if (b->rule && (rank < b->rank || (rank == b->rank && o < b->out) ||
				(rank == b->rank && o == b->out && r->index > b->rule->index)))
			return;
	}
	*b = (Best){.rule = r, .rank = rank, .out = o};
}

static void consider_slot(Decider *d, const RuleSlot *s, unsigned rank)
{
	if (s)
		for (unsigned i = 0; i < s->n_rules; i++)
			consider(d, s->rules[i], rank);
}

/* Whether `path` is `dir` itself (with or without its trailing '/'), directly inside it, or
 * (recursive) anywhere below it. `dir` ends in '/'. */
static bool dir_covers(const char *dir, const char *path, bool recursive)
{
	size_t dl = strlen(dir);
	const char *rest, *slash;

	if (dl == 0 || dir[dl - 1] != '/')
		return streq(dir, path);
	if (strneq(path, dir, dl - 1) && path[dl - 1] == 0 && dl > 1)
		return true;
	if (!strneq(path, dir, dl))
		return false;
	if (recursive)
		return true;
	rest = path + dl;
	slash = strchr(rest, '/');
	return !slash || slash[1] == 0;
}

static unsigned depth_of(const char *s)
{
	unsigned d = 0;

	for (; *s; s++)
		if (*s == '/')
			d++;
	return MIN(d, RANK_DEPTH_MAX);
}

/* Whether source-qualified rules of class `c` exist for `subject`. */
static bool subject_has_rules(const RuleIndex *ix, RuleClass c, const char *subject)
{
	return subject && rule_table_find(&ix->sources[c], key_hash(0, fnv_str(subject)), NULL,
					  subject, strlen(subject), false);
}

/* Rules of one path-table slot whose key is p[0..klen) (klen == len + 1: the path plus a '/'). */
static void consider_path_slot(Decider *d, const RuleSlot *slot, const char *p, size_t len,
			       size_t klen, unsigned sbit, unsigned depth)
{
	/* The key is a directory prefix: the path is that directory itself, directly inside it, or
	 * deeper. */
	const char *rest = klen <= len ? p + klen : "", *slash = strchr(rest, '/');
	bool is_dir = slot->target[klen - 1] == '/', direct = !slash || slash[1] == 0;

	for (unsigned k = 0; k < slot->n_rules; k++) {
		const Rule *r = slot->rules[k];

		switch (r->match) {
		case RULE_MATCH_PATH:
			if (klen == len)
				consider(d, r, sbit | RANK_KIND(KIND_PATH));
			break;
		case RULE_MATCH_DIR:
		case RULE_MATCH_DIR_RECURSIVE:
			if (is_dir && (direct || r->match == RULE_MATCH_DIR_RECURSIVE))
				consider(d, r, sbit | RANK_KIND(KIND_DIR) | depth);
			break;
		case RULE_MATCH_PATTERN:
			if (fnmatch(r->target, p, FNM_PATHNAME) == 0)
				consider(d, r, sbit | RANK_KIND(KIND_PATTERN));
			break;
		default:
			break;
		}
	}
}

static void decide_path(const RuleIndex *ix, int t, RuleClass c, Decider *d)
{
	const RuleOp *op = d->op;
	const char *p = op->path, *base;
	size_t len = strlen(p);
	bool sourced = subject_has_rules(ix, c, op->subject);

	for (int s = sourced ? 0 : 1; s < 2; s++) {
		const char *src = s == 0 ? op->subject : NULL;
		uint64_t sh = source_hash(src);
		unsigned sbit = src ? RANK_SOURCE : 0, depth = 0;
		uint64_t h = FNV_OFFSET;
		const RuleSlot *slot;

		/* Every directory prefix: directory rules, patterns, and (for a path ending in '/')
		 * the exact path. */
		for (size_t i = 0; i < len; i++) {
			h = fnv_step(h, (unsigned char)p[i]);
			if (p[i] != '/')
				continue;
			depth = MIN(depth + 1, RANK_DEPTH_MAX);
			slot = rule_table_find(&ix->path[t], key_hash(sh, h), src, p, i + 1, false);
			if (slot)
				consider_path_slot(d, slot, p, len, i + 1, sbit, depth);
		}

		if (len > 0 && p[len - 1] != '/') {
			/* The exact path. */
			slot = rule_table_find(&ix->path[t], key_hash(sh, h), src, p, len, false);
			if (slot)
				consider_path_slot(d, slot, p, len, len, sbit, depth);
			/* The path names a directory given as a rule's "dir/". */
			slot = rule_table_find(&ix->path[t], key_hash(sh, fnv_step(h, '/')), src, p,
					       len, true);
			if (slot)
				consider_path_slot(d, slot, p, len, len + 1, sbit,
						   MIN(depth + 1, RANK_DEPTH_MAX));
		}

		/* The execname (last component). */
		base = strrchr(p, '/');
		base = base ? base + 1 : p;
		if (*base && ix->execname[t].n > 0)
			consider_slot(d,
				      rule_table_find(&ix->execname[t], key_hash(sh, fnv_str(base)),
						      src, base, strlen(base), false),
				      sbit | RANK_KIND(KIND_EXECNAME));
	}

	for (size_t i = 0; i < ix->n_patterns[t]; i++) {
		const Rule *r = ix->patterns[t][i];

		if (r->source && (!op->subject || !streq(r->source, op->subject)))
			continue;
		if (fnmatch(r->target, p, FNM_PATHNAME) == 0)
			consider(d, r, (r->source ? RANK_SOURCE : 0) | RANK_KIND(KIND_PATTERN));
	}
}

static void lookup_both(const RuleTable *t, Decider *d, const char *target, unsigned rank,
			bool sourced)
{
	uint64_t th = fnv_str(target);
	size_t len = strlen(target);

	if (t->n == 0)
		return;
	if (sourced)
		consider_slot(d,
			      rule_table_find(t, key_hash(source_hash(d->op->subject), th),
					      d->op->subject, target, len, false),
			      rank | RANK_SOURCE);
	consider_slot(d, rule_table_find(t, key_hash(0, th), NULL, target, len, false), rank);
}

static void decide_network(const RuleIndex *ix, Decider *d)
{
	const RuleOp *op = d->op;
	int t = op->type & 0xf, eff = net_effective_protocol(op->domain, t, op->protocol);
	bool sourced = subject_has_rules(ix, RULE_CLASS_NETWORK, op->subject);
	const char *name;

	if (eff > 0) {
		name = net_proto_to_name(&(NetProto){NET_PROTO_IP, eff});
		if (name)
			lookup_both(&ix->net, d, name, RANK_KIND(KIND_NET_IP), sourced);
	}
	name = net_proto_to_name(&(NetProto){NET_PROTO_TYPE, t});
	if (name)
		lookup_both(&ix->net, d, name, RANK_KIND(KIND_NET_TYPE), sourced);
	if (op->domain == AF_PACKET || t == SOCK_PACKET)
		lookup_both(&ix->net, d, "packet", RANK_KIND(KIND_NET_TYPE), sourced);
	lookup_both(&ix->net, d, "all", RANK_KIND(KIND_NET_ALL), sourced);
}

static int decide_dns(const RuleIndex *ix, Decider *d)
{
	char buf[DNS_NAME_MAX + 1];
	const char *q = d->op->domain_name;
	size_t len;
	unsigned labels = 1;
	bool sourced = subject_has_rules(ix, RULE_CLASS_DNS, d->op->subject);

	while (*q == '.')
		q++;
	len = strlen(q);
	while (len > 0 && q[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		buf[i] = (char)((q[i] >= 'A' && q[i] <= 'Z') ? q[i] - 'A' + 'a' : q[i]);
		if (buf[i] == '.')
			labels++;
	}
	buf[len] = 0;

	/* The name itself, then each parent domain: more labels = more specific. */
	for (const char *s = buf; s; labels--) {
		lookup_both(&ix->dns, d, s, labels, sourced);
		s = strchr(s, '.');
		if (s)
			s++;
	}
	return 0;
}

static void finish(const RuleClassSet *cs, const Decider *d, RuleDecision *ret)
{
	if (d->enforce.rule && d->enforce.out == OUT_BLOCK)
		*ret = (RuleDecision){ACTION_BLOCK, RULE_DECIDER_RULE, d->enforce.rule};
	else if (d->enforce.rule && d->audit.rule)
		*ret = (RuleDecision){ACTION_AUDIT, RULE_DECIDER_RULE, d->audit.rule};
	else if (d->enforce.rule)
		*ret = (RuleDecision){ACTION_ALLOW, RULE_DECIDER_RULE, d->enforce.rule};
	else if (cs->allow_list && cs->posture == ACTION_BLOCK)
		*ret = (RuleDecision){ACTION_BLOCK, RULE_DECIDER_POSTURE, NULL};
	else if (d->audit.rule)
		*ret = (RuleDecision){ACTION_AUDIT, RULE_DECIDER_RULE, d->audit.rule};
	else if (cs->allow_list)
		*ret = (RuleDecision){ACTION_AUDIT, RULE_DECIDER_POSTURE, NULL};
	else
		*ret = (RuleDecision){ACTION_ALLOW, RULE_DECIDER_NONE, NULL};
}

const Rule *rule_set_match_syscall(const RuleSet *rs, const char *syscall, const char *path,
				   const char *subject)
{
	const RuleSlot *s;
	const Rule *best = NULL;
	unsigned best_rank = 0;

	if (!rs || !rs->index || !syscall)
		return NULL;
	s = rule_table_find(&rs->index->syscall, key_hash(0, fnv_str(syscall)), NULL, syscall,
			    strlen(syscall), false);
	if (!s)
		return NULL;
	for (unsigned i = 0; i < s->n_rules; i++) {
		const Rule *r = s->rules[i];
		unsigned rank = 0;

		if (r->source || r->source_dir) {
			if (!subject)
				continue;
			if (!(r->source && streq(r->source, subject)) &&
			    !(r->source_dir &&
			      dir_covers(r->source_dir, subject, r->source_recursive)))
				continue;
			rank |= RANK_SOURCE;
		}
		if (r->target) {
			size_t tl = strlen(r->target);

			if (!path)
				continue;
			if (tl > 0 && r->target[tl - 1] == '/') {
				if (!dir_covers(r->target, path, r->target_recursive))
					continue;
				rank |= RANK_KIND(KIND_DIR) | depth_of(r->target);
			} else {
				if (!streq(r->target, path))
					continue;
				rank |= RANK_KIND(KIND_PATH);
			}
		}
		if (!best || rank > best_rank || (rank == best_rank && r->index < best->index)) {
			best = r;
			best_rank = rank;
		}
	}
	return best;
}

int rule_set_decide(const RuleSet *rs, const RuleOp *op, RuleDecision *ret)
{
	Decider d = {.op = op};
	const RuleIndex *ix;

	if (!rs || !op || !ret || !rs->index || (unsigned)op->class >= _RULE_CLASS_MAX)
		return -EINVAL;
	ix = rs->index;

	switch (op->class) {
	case RULE_CLASS_PROCESS:
	case RULE_CLASS_FILE:
		if (!op->path)
			return -EINVAL;
		decide_path(ix,
			    op->class == RULE_CLASS_PROCESS ? PATH_TABLE_PROCESS : PATH_TABLE_FILE,
			    op->class, &d);
		break;
	case RULE_CLASS_NETWORK:
		decide_network(ix, &d);
		break;
	case RULE_CLASS_CAPABILITY: {
		const char *name = rules_capability_to_name(op->capability);

		if (name)
			lookup_both(&ix->cap, &d, name, 0,
				    subject_has_rules(ix, RULE_CLASS_CAPABILITY, op->subject));
		break;
	}
	case RULE_CLASS_DNS:
		if (!op->domain_name || decide_dns(ix, &d) < 0)
			return -EINVAL;
		break;
	case RULE_CLASS_SYSCALL: {
		const Rule *r;

		if (!op->syscall)
			return -EINVAL;
		r = rule_set_match_syscall(rs, op->syscall, op->path, op->subject);
		*ret = r ? (RuleDecision){ACTION_AUDIT, RULE_DECIDER_RULE, r}
			 : (RuleDecision){ACTION_ALLOW, RULE_DECIDER_NONE, NULL};
		return 0;
	}
	default:
		return -EINVAL;
	}

	finish(&rs->classes[op->class], &d, ret);
	return 0;
}
