/* SPDX-License-Identifier: Apache-2.0 */
/* rule-set.c: policies → one RuleSet per workload, and the lookup index of a sealed RuleSet. */
#include <ctype.h>
#include <string.h>

#include "core/strv.h"
#include "rules/rules-internal.h"
#include "rules/rules.h"

static int rule_table_reserve(RuleTable *t, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap <<= 1;
	t->slots = calloc(cap, sizeof(RuleSlot));
	if (!t->slots)
		return -ENOMEM;
	t->mask = cap - 1;
	t->n = 0;
	return 0;
}

static void rule_table_done(RuleTable *t)
{
	if (t->slots)
		for (size_t i = 0; i <= t->mask; i++)
			free(t->slots[i].rules);
	free(t->slots);
	*t = (RuleTable){};
}

/* Adds `r` under (source, target). The table was reserved for at least as many keys as are added.
 */
static int rule_table_add(RuleTable *t, const char *source, const char *target, const Rule *r)
{
	size_t len = strlen(target);
	uint64_t h = key_hash(source_hash(source), fnv_str(target));
	RuleSlot *s = (RuleSlot *)rule_table_find(t, h, source, target, len, false);

	if (!s) {
		size_t i = h & t->mask;

		while (t->slots[i].used)
			i = (i + 1) & t->mask;
		s = &t->slots[i];
		*s = (RuleSlot){.hash = h,
				.source = source,
				.target = target,
				.target_len = len,
				.used = true};
		t->n++;
	}
	if (s->n_rules == s->cap_rules) {
		unsigned nc = s->cap_rules ? s->cap_rules * 2 : 2;
		const Rule **nr = realloc(s->rules, nc * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		s->rules = nr;
		s->cap_rules = nc;
	}
	s->rules[s->n_rules++] = r;
	return 0;
}

static void rule_index_free(RuleIndex *ix)
{
	if (!ix)
		return;
	for (int i = 0; i < _PATH_TABLE_MAX; i++) {
		rule_table_done(&ix->path[i]);
		rule_table_done(&ix->execname[i]);
		free(ix->patterns[i]);
	}
	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		rule_table_done(&ix->sources[c]);
	rule_table_done(&ix->net);
	rule_table_done(&ix->cap);
	rule_table_done(&ix->dns);
	rule_table_done(&ix->syscall);
	strv_free(ix->owned);
	free(ix);
}

RuleSet *rule_set_free(RuleSet *rs)
{
	if (!rs)
		return NULL;
	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		free(rs->classes[c].rules);
	free(rs->policies);
	rule_index_free(rs->index);
	free(rs);
	return NULL;
}

static bool posture_valid(RuleAction a)
{
	return a == ACTION_AUDIT || a == ACTION_BLOCK;
}

int rule_set_new(const RulePostures *postures, RuleSet **ret)
{
	RulePostures p = postures ? *postures : RULE_POSTURES_DEFAULT;
	RuleSet *rs;

	if (!posture_valid(p.file) || !posture_valid(p.network) || !posture_valid(p.capabilities))
		return -EINVAL;
	rs = new0(RuleSet, 1);
	if (!rs)
		return -ENOMEM;
	rs->postures = p;
	rs->classes[RULE_CLASS_PROCESS].posture = p.file;
	rs->classes[RULE_CLASS_FILE].posture = p.file;
	rs->classes[RULE_CLASS_NETWORK].posture = p.network;
	rs->classes[RULE_CLASS_DNS].posture = p.network;
	rs->classes[RULE_CLASS_CAPABILITY].posture = p.capabilities;
	rs->classes[RULE_CLASS_SYSCALL].posture = ACTION_AUDIT;
	*ret = rs;
	return 0;
}

/* Appends a zeroed rule to class `c`; NULL on OOM. Rule arrays grow geometrically. */
static Rule *class_push(RuleSet *rs, RuleClass c)
{
	RuleClassSet *cs = &rs->classes[c];

	/* Capacity is 8, then doubles: grow at 0 and at every power of two from 8 on. */
	if (cs->n_rules == 0 || (cs->n_rules >= 8 && (cs->n_rules & (cs->n_rules - 1)) == 0)) {
		size_t nc = cs->n_rules ? cs->n_rules * 2 : 8;
		Rule *n = realloc(cs->rules, nc * sizeof(Rule));

		if (!n)
			return NULL;
		cs->rules = n;
	}
	cs->rules[cs->n_rules] = (Rule){.class = c};
	return &cs->rules[cs->n_rules++];
}

static int add_path_rules(RuleSet *rs, const Policy *p, RuleClass c, const PathRule *rules,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const PathRule *pr = &rules[i];
		size_t ns = pr->n_sources ?: 1;

		for (size_t j = 0; j < ns; j++) {
			Rule *r = class_push(rs, c);

			if (!r)
				return -ENOMEM;
			switch (pr->kind) {
			case PATH_MATCH_PATH:
				r->match = RULE_MATCH_PATH;
				break;
			case PATH_MATCH_EXECNAME:
				r->match = RULE_MATCH_EXECNAME;
				break;
			case PATH_MATCH_DIR:
				r->match =
					pr->recursive ? RULE_MATCH_DIR_RECURSIVE : RULE_MATCH_DIR;
				break;
			case PATH_MATCH_PATTERN:
				r->match = RULE_MATCH_PATTERN;
				break;
			}
			r->action = pr->meta.action;
			r->target = pr->value;
			r->source = pr->n_sources ? pr->sources[j].path : NULL;
			r->read_only = c == RULE_CLASS_FILE && pr->read_only;
			r->owner_only = pr->owner_only;
			r->pts = pr->pts;
			r->allowed_args = c == RULE_CLASS_PROCESS ? pr->allowed_args : NULL;
			r->meta = &pr->meta;
			r->policy = p;
			r->pos = pr->pos;
			/* A fromSource entry without a path (not valid for these classes) must not
			 * turn into a global rule: skip it. */
			if (pr->n_sources && !r->source)
				rs->classes[c].n_rules--;
		}
	}
	return 0;
}

int rule_set_add_policy(RuleSet *rs, const Policy *p)
{
	const Policy **np;
	int r;

	if (rs->index)
		return -EBUSY;
	np = realloc(rs->policies, (rs->n_policies + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	rs->policies = np;
	rs->policies[rs->n_policies++] = p;

	r = add_path_rules(rs, p, RULE_CLASS_PROCESS, p->process, p->n_process);
	if (r < 0)
		return r;
	r = add_path_rules(rs, p, RULE_CLASS_FILE, p->file_rules, p->n_file);
	if (r < 0)
		return r;

	for (size_t i = 0; i < p->n_network; i++) {
		const NetRule *nr = &p->network[i];
		NetProto np_;

		if (net_proto_from_name(nr->protocol, &np_) < 0)
			continue; /* the parser rejects unknown names; never guess */
		for (size_t j = 0; j < (nr->n_sources ?: 1); j++) {
			Rule *ru;

			if (nr->n_sources && !nr->sources[j].path)
				continue;
			ru = class_push(rs, RULE_CLASS_NETWORK);
			if (!ru)
				return -ENOMEM;
			ru->match = RULE_MATCH_PROTOCOL;
			ru->action = nr->meta.action;
			ru->net = np_;
			ru->target = net_proto_to_name(&np_);
			ru->source = nr->n_sources ? nr->sources[j].path : NULL;
			ru->pts = nr->pts;
			ru->meta = &nr->meta;
			ru->policy = p;
			ru->pos = nr->pos;
		}
	}

	for (size_t i = 0; i < p->n_capabilities; i++) {
		const CapRule *cr = &p->capabilities[i];
		const char *name = rules_capability_to_name(cr->number);

		if (!name)
			continue;
		for (size_t j = 0; j < (cr->n_sources ?: 1); j++) {
			Rule *ru;

			if (cr->n_sources && !cr->sources[j].path)
				continue;
			ru = class_push(rs, RULE_CLASS_CAPABILITY);
			if (!ru)
				return -ENOMEM;
			ru->match = RULE_MATCH_CAPABILITY;
			ru->action = cr->meta.action;
			ru->capability = cr->number;
			ru->target = name;
			ru->source = cr->n_sources ? cr->sources[j].path : NULL;
			ru->meta = &cr->meta;
			ru->policy = p;
			ru->pos = cr->pos;
		}
	}

	for (size_t i = 0; i < p->n_dns; i++) {
		const DnsRule *dr = &p->dns[i];

		for (size_t j = 0; j < (dr->n_sources ?: 1); j++) {
			Rule *ru;

			if (dr->n_sources && !dr->sources[j].path)
				continue;
			ru = class_push(rs, RULE_CLASS_DNS);
			if (!ru)
				return -ENOMEM;
			ru->match = RULE_MATCH_DOMAIN;
			ru->action = dr->meta.action;
			ru->target = dr->domain;
			ru->source = dr->n_sources ? dr->sources[j].path : NULL;
			ru->meta = &dr->meta;
			ru->policy = p;
			ru->pos = dr->pos;
		}
	}

	for (size_t i = 0; i < p->n_syscalls; i++) {
		const SyscallRule *sr = &p->syscalls[i];

		for (size_t j = 0; j < (sr->n_sources ?: 1); j++) {
			Rule *ru;

			if (sr->n_sources && !sr->sources[j].path && !sr->sources[j].dir)
				continue;
			ru = class_push(rs, RULE_CLASS_SYSCALL);
			if (!ru)
				return -ENOMEM;
			ru->match = RULE_MATCH_SYSCALL;
			ru->action = ACTION_AUDIT;
			ru->syscalls = sr->syscalls;
			ru->target = sr->kind == SYSCALL_MATCH_PATHS ? sr->path : NULL;
			ru->target_recursive = sr->recursive;
			if (sr->n_sources) {
				ru->source = sr->sources[j].path;
				ru->source_dir = sr->sources[j].dir;
				ru->source_recursive = sr->sources[j].recursive;
			}
			ru->meta = &sr->meta;
			ru->policy = p;
			ru->pos = sr->pos;
		}
	}
	return 0;
}

static char *lowercase_dup(const char *s)
{
	char *d = strdup(s);

	if (d)
		for (char *q = d; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return d;
}

/* Length of the literal directory prefix of a glob (through the last '/' before the first glob
 * character), 0 if there is none. */
static size_t pattern_prefix_len(const char *pattern)
{
	size_t first = strcspn(pattern, "*?[\\"), len = 0;

	for (size_t i = 0; i < first; i++)
		if (pattern[i] == '/')
			len = i + 1;
	return len;
}

static int build_path_index(RuleIndex *ix, int t, RuleClassSet *cs)
{
	size_t n_pat = 0;
	int r;

	r = rule_table_reserve(&ix->path[t], cs->n_rules);
	if (r < 0)
		return r;
	r = rule_table_reserve(&ix->execname[t], cs->n_rules);
	if (r < 0)
		return r;
	ix->patterns[t] = new0(const Rule *, cs->n_rules);
	if (!ix->patterns[t])
		return -ENOMEM;

	for (size_t i = 0; i < cs->n_rules; i++) {
		const Rule *ru = &cs->rules[i];

		switch (ru->match) {
		case RULE_MATCH_PATH:
			r = rule_table_add(&ix->path[t], ru->source, ru->target, ru);
			break;
		case RULE_MATCH_EXECNAME:
			r = rule_table_add(&ix->execname[t], ru->source, ru->target, ru);
			break;
		case RULE_MATCH_DIR:
		case RULE_MATCH_DIR_RECURSIVE:
			r = rule_table_add(&ix->path[t], ru->source, ru->target, ru);
			break;
		case RULE_MATCH_PATTERN: {
			size_t pl = pattern_prefix_len(ru->target);
			char *prefix;

			if (pl == 0) {
				ix->patterns[t][n_pat++] = ru;
				r = 0;
				break;
			}
			prefix = strndup(ru->target, pl);
			if (!prefix || strv_consume(&ix->owned, prefix) < 0) {
				free(prefix);
				return -ENOMEM;
			}
			r = rule_table_add(&ix->path[t], ru->source, prefix, ru);
			break;
		}
		default:
			r = -EINVAL;
		}
		if (r < 0)
			return r;
	}
	ix->n_patterns[t] = n_pat;
	return 0;
}

int rule_set_seal(RuleSet *rs)
{
	RuleIndex *ix;
	int r;

	if (rs->index)
		return -EBUSY;
	for (int c = 0; c < _RULE_CLASS_MAX; c++) {
		RuleClassSet *cs = &rs->classes[c];

		cs->allow_list = false;
		for (size_t i = 0; i < cs->n_rules; i++) {
			cs->rules[i].index = (unsigned)i;
			if (cs->rules[i].action == ACTION_ALLOW)
				cs->allow_list = true;
		}
	}

	ix = new0(RuleIndex, 1);
	if (!ix)
		return -ENOMEM;

	for (int c = 0; c < _RULE_CLASS_MAX; c++) {
		const RuleClassSet *cs = &rs->classes[c];

		r = rule_table_reserve(&ix->sources[c], cs->n_rules);
		if (r < 0)
			goto fail;
		for (size_t i = 0; i < cs->n_rules; i++)
			if (cs->rules[i].source) {
				r = rule_table_add(&ix->sources[c], NULL, cs->rules[i].source,
						   &cs->rules[i]);
				if (r < 0)
					goto fail;
			}
	}

	r = build_path_index(ix, PATH_TABLE_PROCESS, &rs->classes[RULE_CLASS_PROCESS]);
	if (r < 0)
		goto fail;
	r = build_path_index(ix, PATH_TABLE_FILE, &rs->classes[RULE_CLASS_FILE]);
	if (r < 0)
		goto fail;

	r = rule_table_reserve(&ix->net, rs->classes[RULE_CLASS_NETWORK].n_rules);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < rs->classes[RULE_CLASS_NETWORK].n_rules; i++) {
		const Rule *ru = &rs->classes[RULE_CLASS_NETWORK].rules[i];

		r = rule_table_add(&ix->net, ru->source, ru->target, ru);
		if (r < 0)
			goto fail;
	}

	r = rule_table_reserve(&ix->cap, rs->classes[RULE_CLASS_CAPABILITY].n_rules);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < rs->classes[RULE_CLASS_CAPABILITY].n_rules; i++) {
		const Rule *ru = &rs->classes[RULE_CLASS_CAPABILITY].rules[i];

		r = rule_table_add(&ix->cap, ru->source, ru->target, ru);
		if (r < 0)
			goto fail;
	}

	r = rule_table_reserve(&ix->dns, rs->classes[RULE_CLASS_DNS].n_rules);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < rs->classes[RULE_CLASS_DNS].n_rules; i++) {
		const Rule *ru = &rs->classes[RULE_CLASS_DNS].rules[i];
		char *low = lowercase_dup(ru->target);

		if (!low || strv_consume(&ix->owned, low) < 0) {
			free(low);
			r = -ENOMEM;
			goto fail;
		}
		r = rule_table_add(&ix->dns, ru->source, low, ru);
		if (r < 0)
			goto fail;
	}

	{
		size_t n_names = 0;

		for (size_t i = 0; i < rs->classes[RULE_CLASS_SYSCALL].n_rules; i++)
			n_names += strv_length(rs->classes[RULE_CLASS_SYSCALL].rules[i].syscalls);
		r = rule_table_reserve(&ix->syscall, n_names);
		if (r < 0)
			goto fail;
		for (size_t i = 0; i < rs->classes[RULE_CLASS_SYSCALL].n_rules; i++) {
			const Rule *ru = &rs->classes[RULE_CLASS_SYSCALL].rules[i];

			STRV_FOREACH(s, ru->syscalls)
			{
				r = rule_table_add(&ix->syscall, NULL, *s, ru);
				if (r < 0)
					goto fail;
			}
		}
	}

	rs->index = ix;
	return 0;
fail:
	rule_index_free(ix);
	return r;
}

int rule_set_compile(const Policy *const *policies, size_t n_policies, const Workload *w,
		     const RulePostures *postures, RuleSet **ret)
{
	_cleanup_(rule_set_freep) RuleSet *rs = NULL;
	int r;

	r = rule_set_new(postures, &rs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_policies; i++) {
		if (!workload_selects(w, policies[i], NULL))
			continue;
		r = rule_set_add_policy(rs, policies[i]);
		if (r < 0)
			return r;
	}
	r = rule_set_seal(rs);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(rs);
	return 0;
}
