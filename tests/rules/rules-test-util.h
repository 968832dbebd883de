/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-test-util.h: builds Policy models in memory (calloc/strdup, freed by policy_free) from
 * short rule specs, and operations from short op specs, for the rules tests and benchmarks.
 *
 * Rule spec: CLASS KIND VALUE ACTION [ro] [oo] [pts] [src=PATH] [args=a|b]
 *   CLASS: process file network cap dns syscall
 *   KIND:  path execname dir rdir pattern proto cap domain  (syscall: sys, VALUE = name[,path])
 * Op spec: CLASS TARGET [write] [owner] [tty] [src=PATH] [args=a|b]
 *   network TARGET is "DOMAIN,TYPE,PROTOCOL" or a name ("tcp"); cap TARGET is a name;
 *   syscall TARGET is name[,path].
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "policy/model.h"
#include "rules/rules.h"

static inline void *tu_grow(void *arr, size_t n, size_t sz)
{
	void *p = realloc(arr, (n + 1) * sz);

	if (!p)
		abort();
	memset((char *)p + n * sz, 0, sz);
	return p;
}

static inline char *tu_strdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static inline Policy *tu_policy(PolicyKind kind, const char *name)
{
	Policy *p = calloc(1, sizeof(Policy));

	if (!p)
		abort();
	p->kind = kind;
	p->name = tu_strdup(name);
	p->spec_meta.action = ACTION_BLOCK;
	return p;
}

static inline void tu_label(Policy *p, const char *key, const char *value)
{
	p->selector.present = true;
	p->selector.match_labels =
		tu_grow(p->selector.match_labels, p->selector.n_match_labels, sizeof(LabelPair));
	p->selector.match_labels[p->selector.n_match_labels].key = tu_strdup(key);
	p->selector.match_labels[p->selector.n_match_labels].value = tu_strdup(value);
	p->selector.n_match_labels++;
}

static inline void tu_expr(Policy *p, const char *key, SelectorOp op, const char *values)
{
	SelectorExpr *e;
	char *copy = tu_strdup(values), *save = NULL;

	p->selector.present = true;
	p->selector.match_expressions =
		tu_grow(p->selector.match_expressions, p->selector.n_match_expressions,
			sizeof(SelectorExpr));
	e = &p->selector.match_expressions[p->selector.n_match_expressions++];
	e->key = tu_strdup(key);
	e->op = op;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strv_extend(&e->values, t) < 0)
			abort();
	free(copy);
}

static inline RuleAction tu_action(const char *s)
{
	if (strcmp(s, "allow") == 0)
		return ACTION_ALLOW;
	if (strcmp(s, "audit") == 0)
		return ACTION_AUDIT;
	if (strcmp(s, "block") == 0)
		return ACTION_BLOCK;
	abort();
}

static inline char **tu_split(const char *s, const char *sep)
{
	char **l = NULL, *copy = tu_strdup(s), *save = NULL;

	for (char *t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save))
		if (strv_extend(&l, t) < 0)
			abort();
	free(copy);
	return l;
}

static inline void tu_meta(RuleMeta *m, RuleAction a, unsigned seq)
{
	char buf[32];

	m->action = a;
	m->severity = (int)(seq % 10) + 1;
	snprintf(buf, sizeof buf, "m%u", seq);
	m->message = tu_strdup(buf);
}

/* Appends one rule given by `spec` to `p`. */
static inline void tu_rule(Policy *p, const char *spec)
{
	char **w = tu_split(spec, " ");
	const char *cls = w[0], *kind = w[1], *value = w[2];
	RuleAction a = tu_action(w[3]);
	bool ro = false, oo = false, pts = false;
	const char *src = NULL, *args = NULL;
	FromSource *fs = NULL;
	unsigned seq = (unsigned)(p->n_process + p->n_file + p->n_network + p->n_capabilities +
				  p->n_dns + p->n_syscalls);

	for (size_t i = 4; w[i]; i++) {
		if (strcmp(w[i], "ro") == 0)
			ro = true;
		else if (strcmp(w[i], "oo") == 0)
			oo = true;
		else if (strcmp(w[i], "pts") == 0)
			pts = true;
		else if (strncmp(w[i], "src=", 4) == 0)
			src = w[i] + 4;
		else if (strncmp(w[i], "args=", 5) == 0)
			args = w[i] + 5;
		else
			abort();
	}
	if (src) {
		fs = calloc(1, sizeof(FromSource));
		if (!fs)
			abort();
		fs->path = tu_strdup(src);
	}

	if (strcmp(cls, "process") == 0 || strcmp(cls, "file") == 0) {
		bool proc = cls[0] == 'p';
		PathRule **arr = proc ? &p->process : &p->file_rules;
		size_t *n = proc ? &p->n_process : &p->n_file;
		PathRule *r;

		*arr = tu_grow(*arr, *n, sizeof(PathRule));
		r = &(*arr)[(*n)++];
		if (strcmp(kind, "path") == 0)
			r->kind = PATH_MATCH_PATH;
		else if (strcmp(kind, "execname") == 0)
			r->kind = PATH_MATCH_EXECNAME;
		else if (strcmp(kind, "dir") == 0)
			r->kind = PATH_MATCH_DIR;
		else if (strcmp(kind, "rdir") == 0) {
			r->kind = PATH_MATCH_DIR;
			r->recursive = true;
		} else if (strcmp(kind, "pattern") == 0)
			r->kind = PATH_MATCH_PATTERN;
		else
			abort();
		r->value = tu_strdup(value);
		r->read_only = ro;
		r->owner_only = oo;
		r->pts = pts ? PTS_FALSE : PTS_UNSET;
		if (args)
			r->allowed_args = tu_split(args, "|");
		r->sources = fs;
		r->n_sources = fs ? 1 : 0;
		tu_meta(&r->meta, a, seq);
	} else if (strcmp(cls, "network") == 0) {
		NetRule *r;

		p->network = tu_grow(p->network, p->n_network, sizeof(NetRule));
		r = &p->network[p->n_network++];
		r->protocol = tu_strdup(value);
		r->pts = pts ? PTS_FALSE : PTS_UNSET;
		r->sources = fs;
		r->n_sources = fs ? 1 : 0;
		tu_meta(&r->meta, a, seq);
	} else if (strcmp(cls, "cap") == 0) {
		CapRule *r;

		p->capabilities = tu_grow(p->capabilities, p->n_capabilities, sizeof(CapRule));
		r = &p->capabilities[p->n_capabilities++];
		r->capability = tu_strdup(value);
		r->number = rules_capability_from_name(value);
		if (r->number < 0)
			abort();
		r->sources = fs;
		r->n_sources = fs ? 1 : 0;
		tu_meta(&r->meta, a, seq);
	} else if (strcmp(cls, "dns") == 0) {
		DnsRule *r;

		p->dns = tu_grow(p->dns, p->n_dns, sizeof(DnsRule));
		r = &p->dns[p->n_dns++];
		r->domain = tu_strdup(value);
		r->sources = fs;
		r->n_sources = fs ? 1 : 0;
		tu_meta(&r->meta, a, seq);
	} else if (strcmp(cls, "syscall") == 0) {
		SyscallRule *r;
		char **nv = tu_split(value, ",");

		p->syscalls = tu_grow(p->syscalls, p->n_syscalls, sizeof(SyscallRule));
		r = &p->syscalls[p->n_syscalls++];
		r->syscalls = tu_split(nv[0], "+");
		if (nv[1]) {
			r->kind = SYSCALL_MATCH_PATHS;
			r->path = tu_strdup(nv[1]);
			r->recursive = strcmp(kind, "rsys") == 0;
		}
		strv_free(nv);
		r->sources = fs;
		r->n_sources = fs ? 1 : 0;
		tu_meta(&r->meta, ACTION_AUDIT, seq);
	} else
		abort();
	strv_free(w);
}

/* Keeps the strings an op points into. */
typedef struct TuStore {
	char **vecs[8];
	size_t n;
} TuStore;

static inline void tu_store_keep(TuStore *s, char **v)
{
	if (s->n >= 8)
		abort();
	s->vecs[s->n++] = v;
}

static inline void tu_store_done(TuStore *s)
{
	for (size_t i = 0; i < s->n; i++)
		strv_free(s->vecs[i]);
	s->n = 0;
}

/* The op holds pointers into `store` (tu_store_done() frees them). */
static inline RuleOp tu_op(const char *spec, TuStore *store)
{
	char **w = tu_split(spec, " ");
	RuleOp op = {};

	tu_store_keep(store, w);
	op.access = RULE_ACCESS_READ;
	if (strcmp(w[0], "process") == 0) {
		op.class = RULE_CLASS_PROCESS;
		op.path = w[1];
		op.access = RULE_ACCESS_EXEC;
	} else if (strcmp(w[0], "file") == 0) {
		op.class = RULE_CLASS_FILE;
		op.path = w[1];
	} else if (strcmp(w[0], "network") == 0) {
		op.class = RULE_CLASS_NETWORK;
		if (net_socket_from_name(w[1], &op.domain, &op.type, &op.protocol) < 0)
			abort();
	} else if (strcmp(w[0], "cap") == 0) {
		op.class = RULE_CLASS_CAPABILITY;
		op.capability = rules_capability_from_name(w[1]);
	} else if (strcmp(w[0], "dns") == 0) {
		op.class = RULE_CLASS_DNS;
		op.domain_name = w[1];
	} else if (strcmp(w[0], "syscall") == 0) {
		char *comma = strchr(w[1], ',');

		op.class = RULE_CLASS_SYSCALL;
		op.syscall = w[1];
		if (comma) {
			*comma = 0;
			op.path = comma + 1;
		}
	} else
		abort();
	for (size_t i = 2; w[i]; i++) {
		if (strcmp(w[i], "write") == 0)
			op.access = RULE_ACCESS_WRITE;
		else if (strcmp(w[i], "owner") == 0)
			op.owner = true;
		else if (strcmp(w[i], "tty") == 0)
			op.tty = true;
		else if (strncmp(w[i], "src=", 4) == 0)
			op.subject = w[i] + 4;
		else if (strncmp(w[i], "args=", 5) == 0) {
			char **a = tu_split(w[i] + 5, "|");

			tu_store_keep(store, a);
			op.args = a;
			op.args_known = true;
		} else if (strcmp(w[i], "noargs") == 0)
			op.args_known = true;
		else
			abort();
	}
	return op;
}
