/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: one YAML document tree → a validated Policy, or located errors.
 *
 * Every mapping is read through a key table (fetch()): unknown keys, keys of another kind and
 * duplicate keys are errors. Scalar types follow the CRD (JSON types after Kubernetes' YAML 1.1
 * resolution), the patterns of reference §1.2 are implemented by hand (see the comments at each
 * check for the equivalence), inheritance (§1.5) and comma expansion (§1.6, applied to every
 * element) are done here. A field path stack ("spec.process.matchDirectories[1].dir") names every
 * error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "policy/policy-internal.h"
#include "policy/syscall-names.h"

#define KIND_KSP (1u << POLICY_KIND_KSP)
#define KIND_HSP (1u << POLICY_KIND_HSP)
#define KIND_CSP (1u << POLICY_KIND_CSP)
#define KIND_ALL (KIND_KSP | KIND_HSP | KIND_CSP)

#define PATH_BUF 1024

typedef struct Ctx {
	const char *file;
	PolicyDoc *doc;
	ErrorBudget *budget;
	Policy *p;
	unsigned kind_bit; /* KIND_* of the document, KIND_ALL when the kind is unknown */
	char path[PATH_BUF];
	size_t path_len;
	size_t n_rules;
	bool rules_exhausted;
	int r; /* -ENOMEM once an allocation failed */
	char vbuf[4][160];
	unsigned vnext;
} Ctx;

/* ---- error list ---- */

int policy_error_list_add(PolicyError **list, size_t *n, unsigned line, unsigned column,
			  const char *field, const char *hint, const char *message)
{
	PolicyError *nl, *e;

	nl = realloc(*list, (*n + 1) * sizeof(PolicyError));
	if (!nl)
		return -ENOMEM;
	*list = nl;
	e = &nl[*n];
	*e = (PolicyError){.line = line, .column = column};
	e->field = field && *field ? strdup(field) : NULL;
	e->message = strdup(message);
	e->hint = hint ? strdup(hint) : NULL;
	if ((field && *field && !e->field) || !e->message || (hint && !e->hint)) {
		free(e->field);
		free(e->message);
		free(e->hint);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

void policy_error_list_free(PolicyError *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].field);
		free(list[i].message);
		free(list[i].hint);
	}
	free(list);
}

static void oom(Ctx *c)
{
	c->r = -ENOMEM;
}

/* True once the file's error budget is spent: further errors are dropped, so skip costly hints. */
static bool quiet(const Ctx *c)
{
	return c->budget->used >= POLICY_MAX_ERRORS;
}

static _printf_(5, 0) void vreport(Ctx *c, bool warning, SrcPos pos, const char *hint,
				   const char *fmt, va_list ap)
{
	char msg[1024];

	if (!warning) {
		if (c->budget->exhausted)
			return;
		if (c->budget->used >= POLICY_MAX_ERRORS) {
			c->budget->exhausted = true;
			return;
		}
		c->budget->used++;
	}
	if (warning && c->doc->n_warnings >= POLICY_MAX_WARNINGS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (warning) {
		if (policy_error_list_add(&c->doc->warnings, &c->doc->n_warnings, pos.line,
					  pos.column, c->path, hint, msg) < 0)
			oom(c);
	} else if (policy_error_list_add(&c->doc->errors, &c->doc->n_errors, pos.line, pos.column,
					 c->path, hint, msg) < 0)
		oom(c);
}

static _printf_(4, 5) void err(Ctx *c, SrcPos pos, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, false, pos, hint, fmt, ap);
	va_end(ap);
}

static _printf_(4, 5) void warn(Ctx *c, SrcPos pos, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, true, pos, hint, fmt, ap);
	va_end(ap);
}

/* ---- field path ---- */

static void path_append(Ctx *c, const char *s, size_t l)
{
	l = MIN(l, sizeof(c->path) - 1 - c->path_len);
	memcpy(c->path + c->path_len, s, l);
	c->path_len += l;
	c->path[c->path_len] = 0;
}

/* Keys longer than 100 bytes are cut in the path (the error shows the key itself anyway). */
static size_t push_key(Ctx *c, const char *key)
{
	size_t old = c->path_len, l = 0;

	while (l < 100 && key[l])
		l++;
	if (old)
		path_append(c, ".", 1);
	path_append(c, key, l);
	return old;
}

static size_t push_index(Ctx *c, size_t i)
{
	size_t old = c->path_len;
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "[%zu]", i);
	path_append(c, buf, (size_t)MAX(n, 0));
	return old;
}

static void pop(Ctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = 0;
}

/* ---- value display: 'text', escaped and shortened ---- */

static const char *show_str(Ctx *c, const char *s, size_t len)
{
	char *b = c->vbuf[c->vnext++ % ELEMENTSOF(c->vbuf)];
	size_t o = 0, max = sizeof(c->vbuf[0]) - 8;

	b[o++] = '\'';
	for (size_t i = 0; i < len && o < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i >= 80) {
			o += snprintf(b + o, sizeof(c->vbuf[0]) - o, "...");
			break;
		}
		if (ch == '\n')
			o += snprintf(b + o, sizeof(c->vbuf[0]) - o, "\\n");
		else if (ch == '\t')
			o += snprintf(b + o, sizeof(c->vbuf[0]) - o, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			o += snprintf(b + o, sizeof(c->vbuf[0]) - o, "\\x%02x", ch);
		else
			b[o++] = (char)ch;
	}
	b[o++] = '\'';
	b[o] = 0;
	return b;
}

static const char *show(Ctx *c, const YNode *n)
{
	if (n->type == YNODE_MAP)
		return "a mapping";
	if (n->type == YNODE_SEQ)
		return "a list";
	return show_str(c, n->str, n->len);
}

static const char *node_type_name(const YNode *n)
{
	if (n->type == YNODE_MAP)
		return "a mapping";
	if (n->type == YNODE_SEQ)
		return "a list";
	return yscalar_kind_to_string(n->kind);
}

/* ---- small string helpers ---- */

static char *xstrdup(Ctx *c, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		oom(c);
	return d;
}

static int grow(Ctx *c, void **p, size_t n, size_t elsize)
{
	void *np;

	/* Arrays grow by one; they are small and built once per load. Growth in powers of two. */
	if (n && (n & (n - 1)))
		return 0;
	np = realloc(*p, (n ? n * 2 : 1) * elsize);
	if (!np) {
		oom(c);
		return -ENOMEM;
	}
	*p = np;
	return 0;
}

#define PUSH(c, arr, n)                                                     \
	({                                                                  \
		__typeof__(arr) _el = NULL;                                 \
		if (grow((c), (void **)&(arr), (n), sizeof(*(arr))) >= 0) { \
			_el = &(arr)[(n)++];                                \
			memset(_el, 0, sizeof(*_el));                       \
		}                                                           \
		_el;                                                        \
	})

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost =
				tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
					? 0
					: 1;

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), prev + cost);
			prev = cur;
		}
	}
	return row[lb];
}

static bool close_enough(const char *given, const char *cand, size_t d)
{
	size_t l = strlen(given);

	return d <= (l <= 3 ? 1 : l <= 6 ? 2 : 3) && d < strlen(cand);
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* ---- key tables ---- */

typedef struct Field {
	const char *name;
	unsigned kinds;	   /* KIND_* where the key exists; 0 = all */
	unsigned where;	   /* caller-defined context bits where the key exists; 0 = all */
	const char *never; /* the key is always refused, with this reason */
	const char *only;  /* where the key belongs, for "not allowed here" */
} Field;

static const char *kinds_text(unsigned kinds)
{
	switch (kinds & KIND_ALL) {
	case KIND_KSP:
		return "KubeArmorPolicy";
	case KIND_HSP:
		return "KubeArmorHostPolicy";
	case KIND_CSP:
		return "KubeArmorClusterPolicy";
	case KIND_KSP | KIND_CSP:
		return "KubeArmorPolicy and KubeArmorClusterPolicy";
	case KIND_KSP | KIND_HSP:
		return "KubeArmorPolicy and KubeArmorHostPolicy";
	case KIND_HSP | KIND_CSP:
		return "KubeArmorHostPolicy and KubeArmorClusterPolicy";
	}
	return "no kind";
}

/* `where` bits come in two groups (low byte, high byte); a field restricted in a group must share a
 * bit with the context in that group. */
static bool where_ok(unsigned fw, unsigned where)
{
	for (unsigned g = 0xff; g; g <<= 8)
		if ((fw & g) && !(fw & where & g))
			return false;
	return true;
}

static bool field_ok(const Ctx *c, const Field *f, unsigned where)
{
	return !f->never && (!f->kinds || (f->kinds & c->kind_bit)) && where_ok(f->where, where);
}

/* Checks the mapping's keys against `fields` (in context `where`) and sets vals[i] to the value of
 * field i, or NULL when absent or YAML null (Kubernetes prunes nulls). Duplicate keys are errors.
 * Returns false (after reporting) when `n` is not a mapping. */
static bool fetch(Ctx *c, const YNode *n, const Field *fields, size_t nf, unsigned where,
		  const YNode **vals)
{
	const YNode *keys[64] = {};

	if (nf > ELEMENTSOF(keys))
		abort();
	for (size_t i = 0; i < nf; i++)
		vals[i] = NULL;
	if (n->bad)
		return false;
	if (n->type != YNODE_MAP) {
		err(c, n->pos, NULL, "expected a mapping, found %s%s%s", node_type_name(n),
		    n->type == YNODE_SCALAR ? " " : "", n->type == YNODE_SCALAR ? show(c, n) : "");
		return false;
	}

	for (size_t i = 0; i < n->n_pairs; i++) {
		const YNode *k = n->pairs[i].key, *v = n->pairs[i].value;
		size_t idx = nf, old;

		if (k->bad)
			continue;
		for (size_t j = 0; j < nf; j++)
			if (streq(fields[j].name, k->str)) {
				idx = j;
				break;
			}
		old = push_key(c, k->str);
		if (idx == nf) {
			const char *best = NULL;
			size_t bd = SIZE_MAX;
			char hint[128];

			for (size_t j = 0; j < nf && !quiet(c); j++) {
				size_t d;

				if (!field_ok(c, &fields[j], where))
					continue;
				d = edit_distance(k->str, fields[j].name);
				if (d < bd) {
					bd = d;
					best = fields[j].name;
				}
			}
			if (best && close_enough(k->str, best, bd)) {
				snprintf(hint, sizeof(hint), "'%s'", best);
				err(c, k->pos, hint, "unknown key");
			} else
				err(c, k->pos, NULL, "unknown key");
		} else if (fields[idx].never)
			err(c, k->pos, NULL, "not allowed: %s", fields[idx].never);
		else if (fields[idx].kinds && !(fields[idx].kinds & c->kind_bit))
			err(c, k->pos, NULL, "not allowed in a %s (only in %s)",
			    kinds_text(c->kind_bit), kinds_text(fields[idx].kinds));
		else if (!where_ok(fields[idx].where, where))
			err(c, k->pos, NULL, "not allowed here%s%s%s",
			    fields[idx].only ? " (only in " : "", fields[idx].only ?: "",
			    fields[idx].only ? ")" : "");
		else if (keys[idx]) {
			char hint[64];

			snprintf(hint, sizeof(hint), "merge it with the one on line %u",
				 keys[idx]->pos.line);
			err(c, k->pos, hint, "duplicate key (first given at %u:%u)",
			    keys[idx]->pos.line, keys[idx]->pos.column);
		} else {
			keys[idx] = k;
			vals[idx] = ynode_is_null(v) && !v->bad ? NULL : v;
		}
		pop(c, old);
	}
	return true;
}

/* Reports a missing required key of the mapping `m`. */
static void missing(Ctx *c, const YNode *m, const char *key)
{
	size_t old = push_key(c, key);

	err(c, m->pos, NULL, "required key is missing");
	pop(c, old);
}

/* ---- typed getters: 1 = present and valid, 0 = absent, -1 = invalid (reported) ---- */

static int get_str(Ctx *c, const char *key, const YNode *n, const char **ret)
{
	size_t old;
	int r = 1;

	*ret = NULL;
	if (!n)
		return 0;
	if (n->bad)
		return -1;
	old = push_key(c, key);
	if (n->type != YNODE_SCALAR || n->kind != YSCALAR_STR) {
		char hint[160];

		if (n->type == YNODE_SCALAR) {
			snprintf(hint, sizeof(hint), "quote it: \"%.100s\"", n->str);
			err(c, n->pos, hint, "expected a string, found %s %s", node_type_name(n),
			    show(c, n));
		} else
			err(c, n->pos, NULL, "expected a string, found %s", node_type_name(n));
		r = -1;
	} else if (strlen(n->str) != n->len) {
		err(c, n->pos, NULL, "%s contains a NUL character", show(c, n));
		r = -1;
	} else
		*ret = n->str;
	pop(c, old);
	return r;
}

static int get_bool(Ctx *c, const char *key, const YNode *n, bool *ret)
{
	size_t old;

	*ret = false;
	if (!n)
		return 0;
	if (n->bad)
		return -1;
	if (n->type == YNODE_SCALAR && n->kind == YSCALAR_BOOL) {
		*ret = n->bval;
		return 1;
	}
	old = push_key(c, key);
	if (n->type == YNODE_SCALAR && n->kind == YSCALAR_STR &&
	    (strcasecmp(n->str, "true") == 0 || strcasecmp(n->str, "false") == 0)) {
		char hint[16];

		snprintf(hint, sizeof(hint), "%s",
			 strcasecmp(n->str, "true") == 0 ? "true" : "false");
		err(c, n->pos, hint, "expected a boolean, found the string %s", show(c, n));
	} else
		err(c, n->pos, NULL, "expected a boolean (true or false), found %s%s%s",
		    node_type_name(n), n->type == YNODE_SCALAR ? " " : "",
		    n->type == YNODE_SCALAR ? show(c, n) : "");
	pop(c, old);
	return -1;
}

static int get_int(Ctx *c, const char *key, const YNode *n, int64_t min, int64_t max, int64_t *ret)
{
	size_t old;
	int r = -1;

	*ret = 0;
	if (!n)
		return 0;
	if (n->bad)
		return -1;
	old = push_key(c, key);
	if (n->type == YNODE_SCALAR && n->kind == YSCALAR_INT) {
		if (n->ival < min || n->ival > max)
			err(c, n->pos, NULL,
			    "%s is out of range: expected an integer from %lld to %lld", show(c, n),
			    (long long)min, (long long)max);
		else {
			*ret = n->ival;
			r = 1;
		}
	} else if (n->type == YNODE_SCALAR && n->kind == YSCALAR_STR) {
		char *end;
		long long v;
		char hint[64];

		errno = 0;
		v = strtoll(n->str, &end, 10);
		if (n->len && !*end && errno == 0 && v >= min && v <= max) {
			snprintf(hint, sizeof(hint), "%lld, without quotes", v);
			err(c, n->pos, hint, "expected an integer, found the string %s",
			    show(c, n));
		} else
			err(c, n->pos, NULL,
			    "expected an integer from %lld to %lld, found the string %s",
			    (long long)min, (long long)max, show(c, n));
	} else
		err(c, n->pos, NULL, "expected an integer from %lld to %lld, found %s%s%s",
		    (long long)min, (long long)max, node_type_name(n),
		    n->type == YNODE_SCALAR ? " " : "", n->type == YNODE_SCALAR ? show(c, n) : "");
	pop(c, old);
	return r;
}

/* A list of strings. `max_items` 0 = unlimited. *ret is a new strv (NULL when empty). */
static int get_strv(Ctx *c, const char *key, const YNode *n, size_t max_items, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t old;
	int r = 1;

	*ret = NULL;
	if (!n)
		return 0;
	if (n->bad)
		return -1;
	old = push_key(c, key);
	if (n->type != YNODE_SEQ) {
		char hint[160];

		if (n->type == YNODE_SCALAR && n->kind == YSCALAR_STR) {
			snprintf(hint, sizeof(hint), "write a list: [%.100s]", n->str);
			err(c, n->pos, hint, "expected a list of strings, found %s %s",
			    node_type_name(n), show(c, n));
		} else
			err(c, n->pos, NULL, "expected a list of strings, found %s",
			    node_type_name(n));
		pop(c, old);
		return -1;
	}
	if (max_items && n->n_items > max_items) {
		err(c, n->pos, NULL, "%zu items, more than the limit of %zu", n->n_items,
		    max_items);
		pop(c, old);
		return -1;
	}
	if (n->n_items > 0) {
		l = new0(char *, n->n_items + 1);
		if (!l) {
			oom(c);
			pop(c, old);
			return -1;
		}
	}
	for (size_t i = 0, k = 0; i < n->n_items; i++) {
		const YNode *it = n->items[i];
		size_t o2 = push_index(c, i);

		if (it->bad)
			r = -1;
		else if (it->type != YNODE_SCALAR || it->kind != YSCALAR_STR) {
			char hint[160];

			if (it->type == YNODE_SCALAR && it->kind != YSCALAR_NULL) {
				snprintf(hint, sizeof(hint), "quote it: \"%.100s\"", it->str);
				err(c, it->pos, hint, "expected a string, found %s %s",
				    node_type_name(it), show(c, it));
			} else
				err(c, it->pos, NULL, "expected a string, found %s",
				    node_type_name(it));
			r = -1;
		} else if (strlen(it->str) != it->len) {
			err(c, it->pos, NULL, "%s contains a NUL character", show(c, it));
			r = -1;
		} else if (r > 0 && !(l[k++] = strdup(it->str)))
			oom(c);
		pop(c, o2);
	}
	pop(c, old);
	if (r > 0)
		*ret = TAKE_PTR(l);
	return r;
}

/* ---- enums ---- */

static int get_action(Ctx *c, const YNode *n, RuleAction *ret)
{
	static const char *const names[] = {
		[ACTION_ALLOW] = "Allow", [ACTION_AUDIT] = "Audit", [ACTION_BLOCK] = "Block"};
	const char *s;
	size_t old;
	int r;

	*ret = ACTION_UNSET;
	r = get_str(c, "action", n, &s);
	if (r <= 0)
		return r;
	for (RuleAction a = ACTION_ALLOW; a < _ACTION_MAX; a++)
		if (streq(s, names[a])) {
			*ret = a;
			return 1;
		}
	old = push_key(c, "action");
	for (RuleAction a = ACTION_ALLOW; a < _ACTION_MAX; a++)
		if (strcasecmp(s, names[a]) == 0) {
			char hint[16];

			snprintf(hint, sizeof(hint), "'%s'", names[a]);
			err(c, n->pos, hint, "%s is not one of Allow, Audit, Block", show(c, n));
			pop(c, old);
			return -1;
		}
	err(c, n->pos, NULL, "%s is not one of Allow, Audit, Block", show(c, n));
	pop(c, old);
	return -1;
}

/* ---- CRD patterns (reference §1.2) ----
 *
 * The CRD patterns are RE2 searches. Equivalences used here:
 *   P-PATH    ^\/+.*[^\/]$        = starts with '/', at least 2 bytes, last byte not '/'; '.' does
 * not match '\n', so a newline is only possible as the last byte, and we reject control characters
 * everywhere anyway (stricter). P-DIR     ^\/$|^\/.*\/$       = "/" or starts and ends with '/'.
 *   P-SYSPATH P-PATH | P-DIR      = starts with '/' (any ending).
 *   P-EXEC    ^[^\/]+$            = non-empty, no '/'.
 *   P-PROTO, P-CAP  (a|b|...)$    = ends with one of the alternatives (unanchored start): checked
 * on the whole string, then every comma-separated element must be a name.
 */

/* Returns true when the absolute path `s` has no empty, "." or ".." component (a trailing '/' is
 * allowed when `dir`). Writes the normalised form to `norm`. */
static bool path_normalised(const char *s, bool dir, char *norm, size_t normsz)
{
	size_t o = 0, len = strlen(s);
	bool ok = true;
	const char *p = s;

	if (normsz < 2)
		return true;
	norm[0] = 0;
	while (*p) {
		const char *q;
		size_t l;

		while (*p == '/')
			p++;
		q = strchrnul(p, '/');
		l = (size_t)(q - p);
		if (l == 0)
			break;
		if (l == 1 && p[0] == '.') {
			ok = false;
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			ok = false;
			while (o > 0 && norm[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			norm[o] = 0;
		} else if (o + l + 2 < normsz) {
			norm[o++] = '/';
			memcpy(norm + o, p, l);
			o += l;
			norm[o] = 0;
		}
		p = q;
	}
	if (o == 0 || dir) {
		if (o + 2 < normsz) {
			norm[o++] = '/';
			norm[o] = 0;
		}
	}
	/* Empty components: "//" anywhere, or a trailing '/' on a file path. */
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '/' && s[i + 1] == '/')
			ok = false;
	return ok;
}

enum { PATHCHK_FILE, PATHCHK_DIR, PATHCHK_SYSCALL_TARGET, PATHCHK_SOURCE };

/* `what`: PATHCHK_FILE (matchPaths path), PATHCHK_SOURCE (fromSource path), PATHCHK_DIR,
 * PATHCHK_SYSCALL_TARGET. Reports with the current path + key. */
static bool check_path(Ctx *c, const char *key, const YNode *n, const char *s, int what)
{
	size_t len = strlen(s), old;
	char hint[POLICY_MAX_STRING + 64], norm[POLICY_MAX_STRING + 2];
	bool dir = what == PATHCHK_DIR ||
		   (what == PATHCHK_SYSCALL_TARGET && len > 0 && s[len - 1] == '/');
	bool ok = false;

	old = push_key(c, key);
	if (has_control(s, len))
		err(c, n->pos, NULL, "%s contains a control character", show(c, n));
	else if (len == 0)
		err(c, n->pos, NULL, "empty: expected an absolute path");
	else if (s[0] != '/') {
		snprintf(hint, sizeof(hint), "'/%s'", s);
		err(c, n->pos, hint, "%s is not an absolute path: it must start with '/'",
		    show(c, n));
	} else if (what == PATHCHK_DIR && s[len - 1] != '/') {
		snprintf(hint, sizeof(hint), "'%s/'", s);
		err(c, n->pos, hint, "%s is not a directory: it must end with '/'", show(c, n));
	} else if (!dir && s[len - 1] == '/') {
		if (len > 1 && what == PATHCHK_FILE)
			snprintf(hint, sizeof(hint),
				 "for a directory use matchDirectories with dir: '%s'", s);
		else if (len > 1)
			snprintf(hint, sizeof(hint), "'%.*s'", (int)len - 1, s);
		err(c, n->pos, len > 1 ? hint : NULL,
		    "%s is a directory: a path must not end with '/'", show(c, n));
	} else if ((what == PATHCHK_FILE || what == PATHCHK_SOURCE) &&
		   utf8_chars(s, len) > POLICY_MAX_PATH)
		err(c, n->pos, NULL, "a path of %zu characters is longer than the limit of %d",
		    utf8_chars(s, len), POLICY_MAX_PATH);
	else if (!path_normalised(s, dir, norm, sizeof(norm))) {
		snprintf(hint, sizeof(hint), "'%s'", norm);
		err(c, n->pos, hint,
		    "%s is not a normalised path (no '//', '.' or '..' components)", show(c, n));
	} else
		ok = true;
	pop(c, old);
	return ok;
}

static const char *const protocol_names[] = {"tcp",  "udp",    "raw",	"icmp", "icmpv6",
					     "sctp", "stream", "dgram", "rdm",	"seqpacket",
					     "dccp", "packet", "all"};

static const struct {
	const char *name;
	int number;
} capability_names[] = {
	{"chown", 0},
	{"dac_override", 1},
	{"dac_read_search", 2},
	{"fowner", 3},
	{"fsetid", 4},
	{"kill", 5},
	{"setgid", 6},
	{"setuid", 7},
	{"setpcap", 8},
	{"linux_immutable", 9},
	{"net_bind_service", 10},
	{"net_broadcast", 11},
	{"net_admin", 12},
	{"net_raw", 13},
	{"ipc_lock", 14},
	{"ipc_owner", 15},
	{"sys_module", 16},
	{"sys_rawio", 17},
	{"sys_chroot", 18},
	{"sys_ptrace", 19},
	{"sys_pacct", 20},
	{"sys_admin", 21},
	{"sys_boot", 22},
	{"sys_nice", 23},
	{"sys_resource", 24},
	{"sys_time", 25},
	{"sys_tty_config", 26},
	{"mknod", 27},
	{"lease", 28},
	{"audit_write", 29},
	{"audit_control", 30},
	{"setfcap", 31},
	{"mac_override", 32},
	{"mac_admin", 33},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

static void upcase(char *d, const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		d[i] = (char)toupper((unsigned char)s[i]);
	d[i] = 0;
}

static bool p_proto_matches(const char *s)
{
	char up[32];

	for (size_t i = 0; i < ELEMENTSOF(protocol_names); i++) {
		upcase(up, protocol_names[i], sizeof(up));
		if (ends_with(s, protocol_names[i]) || ends_with(s, up))
			return true;
	}
	return false;
}

static bool p_cap_matches(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
		if (ends_with(s, capability_names[i].name))
			return true;
	return false;
}

/* Splits a comma list the way upstream does (spaces removed), into a strv; empty elements are kept
 * (as "") so they can be reported. */
static char **split_commas(const char *s)
{
	char **l = NULL;
	const char *p = s;

	for (;;) {
		const char *q = strchrnul(p, ',');
		char *e = malloc((size_t)(q - p) + 1);
		size_t o = 0;

		if (!e)
			return strv_free(l);
		for (const char *x = p; x < q; x++)
			if (*x != ' ')
				e[o++] = *x;
		e[o] = 0;
		if (strv_consume(&l, e) < 0) {
			free(e);
			return strv_free(l);
		}
		if (!*q)
			break;
		p = q + 1;
	}
	return l;
}

static bool is_k8s_label_name(const char *s, size_t max)
{
	/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
	size_t l = strlen(s);

	if (l == 0 || l > max)
		return false;
	for (size_t i = 0; i < l; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return s[0] != '-' && s[l - 1] != '-';
}

static bool is_k8s_object_name(const char *s)
{
	/* RFC 1123 subdomain: labels joined by '.', 253 bytes at most. */
	char buf[POLICY_MAX_NAME + 1];
	size_t l = strlen(s);
	char *save = NULL;

	if (l == 0 || l > POLICY_MAX_NAME || s[0] == '.' || s[l - 1] == '.' || strstr(s, ".."))
		return false;
	memcpy(buf, s, l + 1);
	for (char *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save))
		if (!is_k8s_label_name(t, POLICY_MAX_NAME))
			return false;
	return true;
}

static void k8s_name_hint(const char *s, char *hint, size_t n, bool label)
{
	char buf[POLICY_MAX_NAME + 1];
	size_t o = 0;

	hint[0] = 0;
	for (size_t i = 0; s[i] && o < POLICY_MAX_NAME; i++) {
		char ch = (char)tolower((unsigned char)s[i]);

		if (ch == '_' || ch == ' ' || (label && ch == '.'))
			ch = '-';
		buf[o++] = ch;
	}
	buf[o] = 0;
	if (label ? is_k8s_label_name(buf, 63) : is_k8s_object_name(buf))
		snprintf(hint, n, "'%s'", buf);
}

/* ---- rule counting ---- */

/* A rule counts once per fromSource entry (each becomes one compiled rule), at least once. */
static bool count_rule(Ctx *c, SrcPos pos, size_t n_sources)
{
	size_t w = MAX(n_sources, (size_t)1);

	if (c->n_rules + w > POLICY_MAX_RULES) {
		if (!c->rules_exhausted)
			err(c, pos, "split the policy", "more than %d rules in one policy",
			    POLICY_MAX_RULES);
		c->rules_exhausted = true;
		return false;
	}
	c->n_rules += w;
	return true;
}

/* ---- meta (severity, tags, message, action) and inheritance ---- */

#define META_FIELDS                          \
	{"severity"}, {"tags"}, {"message"}, \
	{                                    \
		"action"                     \
	}
enum { F_SEVERITY, F_TAGS, F_MESSAGE, F_ACTION, _F_META };

static void meta_done(RuleMeta *m)
{
	m->tags = strv_free(m->tags);
	free(m->message);
	m->message = NULL;
}

static int parse_meta(Ctx *c, const YNode **vals, bool with_action, RuleMeta *m)
{
	const char *msg;
	int64_t sev;
	int bad = 0;

	*m = (RuleMeta){};
	if (get_int(c, "severity", vals[F_SEVERITY], 1, 10, &sev) > 0)
		m->severity = (int)sev;
	else if (vals[F_SEVERITY])
		bad = -1;
	if (get_strv(c, "tags", vals[F_TAGS], POLICY_MAX_TAGS, &m->tags) < 0)
		bad = -1;
	if (get_str(c, "message", vals[F_MESSAGE], &msg) > 0)
		m->message = xstrdup(c, msg);
	else if (vals[F_MESSAGE])
		bad = -1;
	if (with_action && get_action(c, vals[F_ACTION], &m->action) < 0)
		bad = -1;
	return bad;
}

/* Rule-level values win, then the section's, then spec's (reference §1.5). */
static void inherit(Ctx *c, RuleMeta *rule, const RuleMeta *section, const RuleMeta *spec)
{
	if (!rule->severity)
		rule->severity = section->severity ?: spec->severity;
	if (strv_length(rule->tags) == 0) {
		char **src = strv_length(section->tags) ? section->tags : spec->tags;

		rule->tags = strv_free(rule->tags);
		if (strv_length(src)) {
			rule->tags = strv_copy(src);
			if (!rule->tags)
				oom(c);
		}
	}
	if (isempty(rule->message)) {
		const char *src = !isempty(section->message) ? section->message : spec->message;

		free(rule->message);
		rule->message = xstrdup(c, isempty(src) ? NULL : src);
	}
	if (rule->action == ACTION_UNSET)
		rule->action = section->action ?: spec->action;
}

/* ---- fromSource ---- */

enum { SRC_PATH_ONLY = 1, SRC_SYSCALL = 2 };

static const Field source_fields[] = {
	{"path"},
	{"dir", 0, SRC_SYSCALL, NULL, "syscall rules"},
	{"recursive", 0, SRC_SYSCALL, NULL, "syscall rules"},
};
enum { FS_PATH, FS_DIR, FS_RECURSIVE, _FS_MAX };

/* Returns false when there were errors. */
static bool parse_sources(Ctx *c, const YNode *n, unsigned where, FromSource **ret, size_t *ret_n)
{
	size_t old;
	bool ok = true;

	*ret = NULL;
	*ret_n = 0;
	if (!n)
		return true;
	if (n->bad)
		return false;
	old = push_key(c, "fromSource");
	if (n->type != YNODE_SEQ) {
		err(c, n->pos, NULL, "expected a list of sources, found %s", node_type_name(n));
		pop(c, old);
		return false;
	}
	for (size_t i = 0; i < n->n_items; i++) {
		const YNode *it = n->items[i], *v[_FS_MAX];
		size_t o2 = push_index(c, i);
		const char *path = NULL, *dir = NULL;
		bool rec = false;
		FromSource *s;

		if (!fetch(c, it, source_fields, _FS_MAX, where, v)) {
			ok = false;
			pop(c, o2);
			continue;
		}
		if (get_str(c, "path", v[FS_PATH], &path) < 0 ||
		    (path && !check_path(c, "path", v[FS_PATH], path, PATHCHK_SOURCE)))
			ok = false;
		if (get_str(c, "dir", v[FS_DIR], &dir) < 0)
			ok = false;
		else if (dir) {
			/* Unvalidated upstream; here an absolute, normalised directory. A missing
			 * trailing
			 * '/' is added (the field names a directory). */
			size_t dl = strlen(dir);

			if (dl == 0 || dir[0] != '/' || has_control(dir, dl)) {
				if (!check_path(c, "dir", v[FS_DIR], dir, PATHCHK_SYSCALL_TARGET))
					ok = false;
			} else {
				char norm[POLICY_MAX_STRING + 2];
				size_t o3;

				if (!path_normalised(dir, true, norm, sizeof(norm))) {
					char hint[POLICY_MAX_STRING + 8];

					o3 = push_key(c, "dir");
					snprintf(hint, sizeof(hint), "'%s'", norm);
					err(c, v[FS_DIR]->pos, hint,
					    "%s is not a normalised path (no '//', '.' or '..' "
					    "components)",
					    show(c, v[FS_DIR]));
					pop(c, o3);
					ok = false;
				}
			}
		}
		if (get_bool(c, "recursive", v[FS_RECURSIVE], &rec) < 0)
			ok = false;
		if (!v[FS_PATH] && !v[FS_DIR]) {
			if (where & SRC_SYSCALL)
				err(c, it->pos, NULL, "a source needs 'path' or 'dir'");
			else
				missing(c, it, "path");
			ok = false;
		}
		if (ok && (s = PUSH(c, *ret, *ret_n))) {
			s->path = xstrdup(c, path);
			if (dir) {
				size_t dl = strlen(dir);

				if (asprintf(&s->dir, "%s%s", dir, dir[dl - 1] == '/' ? "" : "/") <
				    0) {
					s->dir = NULL;
					oom(c);
				}
			}
			s->recursive = rec;
			s->pos = it->pos;
		}
		pop(c, o2);
	}
	pop(c, old);
	return ok;
}

static void sources_free(FromSource *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].path);
		free(s[i].dir);
	}
	free(s);
}

static FromSource *sources_copy(Ctx *c, const FromSource *s, size_t n)
{
	FromSource *d;

	if (n == 0)
		return NULL;
	d = calloc(n, sizeof(FromSource));
	if (!d) {
		oom(c);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		d[i] = s[i];
		d[i].path = xstrdup(c, s[i].path);
		d[i].dir = xstrdup(c, s[i].dir);
	}
	return d;
}

static int copy_meta(Ctx *c, RuleMeta *d, const RuleMeta *s)
{
	*d = *s;
	d->tags = NULL;
	d->message = xstrdup(c, s->message);
	if (s->tags && !(d->tags = strv_copy(s->tags)))
		oom(c);
	return c->r;
}

/* ---- list iteration ---- */

/* Calls fn for each item of the list at `key`; reports a non-list. */
typedef void (*item_fn)(Ctx *c, const YNode *item, const void *ud);

static void for_each_item(Ctx *c, const char *key, const YNode *n, item_fn fn, const void *ud)
{
	size_t old;

	if (!n || n->bad)
		return;
	old = push_key(c, key);
	if (n->type != YNODE_SEQ)
		err(c, n->pos, NULL, "expected a list, found %s", node_type_name(n));
	else
		for (size_t i = 0; i < n->n_items; i++) {
			size_t o2 = push_index(c, i);

			if (ynode_is_null(n->items[i]) && !n->items[i]->bad)
				err(c, n->items[i]->pos, NULL, "expected a mapping, found null");
			else
				fn(c, n->items[i], ud);
			pop(c, o2);
		}
	pop(c, old);
}

/* ---- sections of rule lists ---- */

/* Parses the section at `key` (absent: nothing): a mapping of META_FIELDS, inherited by its rules,
 * then n_lists lists of rules. fields[] is META_FIELDS followed by one entry a list, and items[i]
 * is called for each item of the list fields[_F_META + i], with the section's meta as ud. */
static void parse_list_section(Ctx *c, const char *key, const YNode *n, const Field *fields,
			       const item_fn *items, size_t n_lists)
{
	const YNode *v[_F_META + 4]; /* room for up to 4 lists */
	RuleMeta section = {};
	size_t old;

	if (_F_META + n_lists > ELEMENTSOF(v))
		abort();
	if (!n)
		return;
	old = push_key(c, key);
	if (fetch(c, n, fields, _F_META + n_lists, 0, v)) {
		parse_meta(c, v, true, &section);
		for (size_t i = 0; i < n_lists; i++)
			for_each_item(c, fields[_F_META + i].name, v[_F_META + i], items[i],
				      &section);
	}
	meta_done(&section);
	pop(c, old);
}

/* parse_list_section() over the tables <name>_section_fields and <name>_section_items, which must
 * pair up: META_FIELDS and one field a list, one item parser a list. */
#define PARSE_LIST_SECTION(c, key, n, name)                                                \
	do {                                                                               \
		_Static_assert(ELEMENTSOF(name##_section_fields) ==                        \
				       _F_META + ELEMENTSOF(name##_section_items),         \
			       #name ": one item parser a list");                          \
		parse_list_section(c, key, n, name##_section_fields, name##_section_items, \
				   ELEMENTSOF(name##_section_items));                      \
	} while (0)

/* ---- process and file ---- */

enum { W_PATHS = 1, W_DIRS = 2, W_PATTERNS = 4, W_PROC = 0x100, W_FILE = 0x200 };

static const Field path_rule_fields[] = {
	META_FIELDS,
	{"path", 0, W_PATHS, NULL, "matchPaths"},
	{"execname", 0, W_PATHS | W_PROC, NULL, "process matchPaths"},
	{"allowedArgs", 0, W_PATHS | W_PROC, NULL, "process matchPaths"},
	{"dir", 0, W_DIRS, NULL, "matchDirectories"},
	{"recursive", 0, W_DIRS, NULL, "matchDirectories"},
	{"pattern", 0, W_PATTERNS, NULL, "matchPatterns"},
	{"readOnly", 0, W_FILE, NULL, "file rules"},
	{"ownerOnly"},
	{"pts", 0, W_PATHS | W_DIRS, NULL, "matchPaths and matchDirectories"},
	{"fromSource", 0, W_PATHS | W_DIRS, NULL, "matchPaths and matchDirectories"},
};
enum {
	PR_PATH = _F_META,
	PR_EXECNAME,
	PR_ALLOWED_ARGS,
	PR_DIR,
	PR_RECURSIVE,
	PR_PATTERN,
	PR_READ_ONLY,
	PR_OWNER_ONLY,
	PR_PTS,
	PR_FROM_SOURCE,
	_PR_MAX,
};

typedef struct PathSection {
	unsigned where; /* W_PROC or W_FILE | W_PATHS/W_DIRS/W_PATTERNS */
	const RuleMeta *section;
	PathRule **rules;
	size_t *n_rules;
} PathSection;

static void path_rule_free_fields(PathRule *r)
{
	free(r->value);
	strv_free(r->allowed_args);
	sources_free(r->sources, r->n_sources);
	meta_done(&r->meta);
}

static void parse_path_rule(Ctx *c, const YNode *item, const void *ud)
{
	const PathSection *ps = ud;
	const YNode *v[_PR_MAX];
	PathRule r = {};
	const char *value = NULL;
	bool ok = true;

	if (!fetch(c, item, path_rule_fields, _PR_MAX, ps->where, v))
		return;
	if (parse_meta(c, v, true, &r.meta) < 0)
		ok = false;

	if (ps->where & W_PATHS) {
		const char *path = NULL, *exec = NULL;

		if (get_str(c, "path", v[PR_PATH], &path) < 0 ||
		    (path && !check_path(c, "path", v[PR_PATH], path, PATHCHK_FILE)))
			ok = false;
		if (get_str(c, "execname", v[PR_EXECNAME], &exec) < 0)
			ok = false;
		else if (exec) {
			size_t old = push_key(c, "execname");
			size_t l = strlen(exec);

			if (l == 0) {
				err(c, v[PR_EXECNAME]->pos, NULL,
				    "empty: expected an executable name");
				ok = false;
			} else if (strchr(exec, '/')) {
				char hint[POLICY_MAX_STRING + 64];
				const char *base = strrchr(exec, '/') + 1;

				if (*base && exec[0] == '/')
					snprintf(hint, sizeof(hint), "'%s', or use path: '%s'",
						 base, exec);
				else
					snprintf(hint, sizeof(hint), "use path: for a path");
				err(c, v[PR_EXECNAME]->pos, hint,
				    "%s is not an executable name: it must not contain '/'",
				    show(c, v[PR_EXECNAME]));
				ok = false;
			} else if (has_control(exec, l)) {
				err(c, v[PR_EXECNAME]->pos, NULL, "%s contains a control character",
				    show(c, v[PR_EXECNAME]));
				ok = false;
			}
			pop(c, old);
		}
		if (ps->where & W_FILE) {
			if (!v[PR_PATH] && !v[PR_EXECNAME]) {
				missing(c, item, "path");
				ok = false;
			}
		} else if (!v[PR_PATH] && !v[PR_EXECNAME]) {
			err(c, item->pos, NULL, "one of 'path' or 'execname' is required");
			ok = false;
		} else if (v[PR_PATH] && v[PR_EXECNAME]) {
			size_t old = push_key(c, "execname");

			err(c, v[PR_EXECNAME]->pos, "keep one of them",
			    "'path' and 'execname' cannot be used together in one rule");
			pop(c, old);
			ok = false;
		}
		r.kind = exec ? PATH_MATCH_EXECNAME : PATH_MATCH_PATH;
		value = exec ?: path;
		if (get_strv(c, "allowedArgs", v[PR_ALLOWED_ARGS], POLICY_MAX_ALLOWED_ARGS,
			     &r.allowed_args) < 0)
			ok = false;
	} else if (ps->where & W_DIRS) {
		r.kind = PATH_MATCH_DIR;
		if (!v[PR_DIR]) {
			missing(c, item, "dir");
			ok = false;
		} else if (get_str(c, "dir", v[PR_DIR], &value) < 0 ||
			   (value && !check_path(c, "dir", v[PR_DIR], value, PATHCHK_DIR)))
			ok = false;
		if (get_bool(c, "recursive", v[PR_RECURSIVE], &r.recursive) < 0)
			ok = false;
	} else {
		r.kind = PATH_MATCH_PATTERN;
		if (!v[PR_PATTERN]) {
			missing(c, item, "pattern");
			ok = false;
		} else if (get_str(c, "pattern", v[PR_PATTERN], &value) < 0)
			ok = false;
		else if (value) {
			size_t old = push_key(c, "pattern");

			if (!*value) {
				err(c, v[PR_PATTERN]->pos, NULL, "empty: expected a glob pattern");
				ok = false;
			} else if (has_control(value, strlen(value))) {
				err(c, v[PR_PATTERN]->pos, NULL, "%s contains a control character",
				    show(c, v[PR_PATTERN]));
				ok = false;
			}
			pop(c, old);
		}
	}
	if (get_bool(c, "readOnly", v[PR_READ_ONLY], &r.read_only) < 0)
		ok = false;
	if (get_bool(c, "ownerOnly", v[PR_OWNER_ONLY], &r.owner_only) < 0)
		ok = false;
	if (v[PR_PTS]) {
		bool pts;

		if (get_bool(c, "pts", v[PR_PTS], &pts) < 0)
			ok = false;
		else
			r.pts = pts ? PTS_TRUE : PTS_FALSE;
	}
	if (!parse_sources(c, v[PR_FROM_SOURCE], SRC_PATH_ONLY, &r.sources, &r.n_sources))
		ok = false;

	if (ok && count_rule(c, item->pos, r.n_sources)) {
		PathRule *d;

		r.value = xstrdup(c, value);
		r.pos = item->pos;
		inherit(c, &r.meta, ps->section, &c->p->spec_meta);
		d = PUSH(c, *ps->rules, *ps->n_rules);
		if (d) {
			*d = r;
			return;
		}
	}
	path_rule_free_fields(&r);
}

static const Field path_section_fields[] = {
	META_FIELDS,
	{"matchPaths"},
	{"matchDirectories"},
	{"matchPatterns"},
};
enum { PS_PATHS = _F_META, PS_DIRS, PS_PATTERNS, _PS_MAX };

static void parse_path_section(Ctx *c, const char *key, const YNode *n, unsigned cls,
			       PathRule **rules, size_t *n_rules)
{
	const YNode *v[_PS_MAX];
	RuleMeta section = {};
	size_t old;

	if (!n)
		return;
	old = push_key(c, key);
	if (fetch(c, n, path_section_fields, _PS_MAX, 0, v)) {
		parse_meta(c, v, true, &section);
		for_each_item(c, "matchPaths", v[PS_PATHS], parse_path_rule,
			      &(PathSection){cls | W_PATHS, &section, rules, n_rules});
		for_each_item(c, "matchDirectories", v[PS_DIRS], parse_path_rule,
			      &(PathSection){cls | W_DIRS, &section, rules, n_rules});
		for_each_item(c, "matchPatterns", v[PS_PATTERNS], parse_path_rule,
			      &(PathSection){cls | W_PATTERNS, &section, rules, n_rules});
	}
	meta_done(&section);
	pop(c, old);
}

/* ---- network ---- */

static const Field net_rule_fields[] = {
	META_FIELDS,
	{"protocol", 0, 1, NULL, "matchProtocols"},
	{"domain", 0, 2, NULL, "matchDNSQueries"},
	{"pts", KIND_KSP | KIND_CSP, 1, NULL, "matchProtocols"},
	{"fromSource"},
};
enum { NR_PROTOCOL = _F_META, NR_DOMAIN, NR_PTS, NR_FROM_SOURCE, _NR_MAX };

/* Splits a comma list, checks each element with `check` (which reports and returns the canonical
 * value or NULL), returns the list of canonical values (strv) or NULL on errors. */
typedef char *(*element_fn)(Ctx *c, const YNode *n, const char *el);

static char **expand(Ctx *c, const char *key, const YNode *n, const char *s, element_fn check)
{
	_cleanup_strv_free_ char **parts = split_commas(s), **out = NULL;
	bool ok = true;

	if (!parts) {
		oom(c);
		return NULL;
	}
	STRV_FOREACH(e, parts)
	{
		char *canon;

		if (!**e) {
			size_t old = push_key(c, key);

			err(c, n->pos, NULL, "%s has an empty element in its comma-separated list",
			    show(c, n));
			pop(c, old);
			ok = false;
			continue;
		}
		canon = check(c, n, *e);
		if (!canon) {
			ok = false;
			continue;
		}
		if (strv_consume(&out, canon) < 0) {
			free(canon);
			oom(c);
			return NULL;
		}
	}
	return ok ? TAKE_PTR(out) : NULL;
}

static char *check_protocol(Ctx *c, const YNode *n, const char *el)
{
	char up[32], hint[64], lower[64];
	size_t old;

	for (size_t i = 0; i < ELEMENTSOF(protocol_names); i++) {
		upcase(up, protocol_names[i], sizeof(up));
		if (streq(el, protocol_names[i]) || streq(el, up)) {
			char *d = strdup(protocol_names[i]);

			if (!d)
				oom(c);
			return d;
		}
	}
	old = push_key(c, "protocol");
	snprintf(lower, sizeof(lower), "%.60s", el);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	hint[0] = 0;
	for (size_t i = 0; i < ELEMENTSOF(protocol_names); i++)
		if (streq(lower, protocol_names[i]))
			snprintf(hint, sizeof(hint), "'%s'", protocol_names[i]);
	err(c, n->pos, hint[0] ? hint : NULL,
	    "%s is not a protocol: expected tcp, udp, icmp, icmpv6, raw, sctp, dccp, stream, "
	    "dgram, rdm, "
	    "seqpacket, packet or all (lowercase or uppercase)",
	    show_str(c, el, strlen(el)));
	pop(c, old);
	return NULL;
}

static char *check_domain(Ctx *c, const YNode *n, const char *el)
{
	const char *b = el, *e = el + strlen(el);
	size_t old;

	while (*b == '.')
		b++;
	while (e > b && e[-1] == '.')
		e--;
	old = push_key(c, "domain");
	if (b == e) {
		err(c, n->pos, NULL, "%s is not a domain name", show_str(c, el, strlen(el)));
		pop(c, old);
		return NULL;
	}
	if (e - b > 253) {
		err(c, n->pos, NULL, "a domain name of %zu bytes is longer than 253",
		    (size_t)(e - b));
		pop(c, old);
		return NULL;
	}
	for (const char *p = b; p < e; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' ||
		      *p == '*')) {
			err(c, n->pos, NULL,
			    "%s is not a domain name: only letters, digits, '-', '_', '.' and '*' "
			    "are allowed",
			    show_str(c, el, strlen(el)));
			pop(c, old);
			return NULL;
		}
	pop(c, old);
	char *d = strndup(b, (size_t)(e - b));
	if (!d)
		oom(c);
	return d;
}

static bool require_sources_hsp(Ctx *c, const YNode *item, const YNode *fs, size_t n_sources)
{
	if (c->kind_bit != KIND_HSP || n_sources > 0)
		return true;
	if (!fs)
		missing(c, item, "fromSource");
	else {
		size_t old = push_key(c, "fromSource");

		err(c, fs->pos, NULL,
		    "empty: a host policy's network and capability rules need a source");
		pop(c, old);
	}
	return false;
}

static void parse_net_rule(Ctx *c, const YNode *item, bool dns, const RuleMeta *section)
{
	const YNode *v[_NR_MAX];
	RuleMeta meta;
	FromSource *src = NULL;
	size_t n_src = 0;
	PtsMode pts = PTS_UNSET;
	const char *s = NULL;
	const char *key = dns ? "domain" : "protocol";
	_cleanup_strv_free_ char **values = NULL;
	bool ok = true;

	if (!fetch(c, item, net_rule_fields, _NR_MAX, dns ? 2 : 1, v))
		return;
	if (parse_meta(c, v, true, &meta) < 0)
		ok = false;
	if (!v[dns ? NR_DOMAIN : NR_PROTOCOL]) {
		missing(c, item, key);
		ok = false;
	} else if (get_str(c, key, v[dns ? NR_DOMAIN : NR_PROTOCOL], &s) < 0)
		ok = false;
	else {
		/* Each element first (the more precise message); then the CRD's own pattern, which
		 * also refuses what the split forgives (e.g. a trailing space). */
		values = expand(c, key, v[dns ? NR_DOMAIN : NR_PROTOCOL], s,
				dns ? check_domain : check_protocol);
		if (!values)
			ok = false;
		else if (!dns && !p_proto_matches(s)) {
			size_t old = push_key(c, key);

			err(c, v[NR_PROTOCOL]->pos, NULL,
			    "%s does not match the CRD pattern: it must end with a protocol name",
			    show(c, v[NR_PROTOCOL]));
			pop(c, old);
			ok = false;
		}
	}
	if (v[NR_PTS]) {
		bool b;

		if (get_bool(c, "pts", v[NR_PTS], &b) < 0)
			ok = false;
		else
			pts = b ? PTS_TRUE : PTS_FALSE;
	}
	if (!parse_sources(c, v[NR_FROM_SOURCE], SRC_PATH_ONLY, &src, &n_src))
		ok = false;
	else if (!require_sources_hsp(c, item, v[NR_FROM_SOURCE], n_src))
		ok = false;

	if (ok) {
		inherit(c, &meta, section, &c->p->spec_meta);
		STRV_FOREACH(val, values)
		{
			if (!count_rule(c, item->pos, n_src))
				break;
			if (dns) {
				DnsRule *d = PUSH(c, c->p->dns, c->p->n_dns);

				if (!d)
					break;
				d->domain = xstrdup(c, *val);
				d->sources = sources_copy(c, src, n_src);
				d->n_sources = d->sources ? n_src : 0;
				copy_meta(c, &d->meta, &meta);
				d->pos = item->pos;
			} else {
				NetRule *d = PUSH(c, c->p->network, c->p->n_network);

				if (!d)
					break;
				d->protocol = xstrdup(c, *val);
				d->pts = pts;
				d->sources = sources_copy(c, src, n_src);
				d->n_sources = d->sources ? n_src : 0;
				copy_meta(c, &d->meta, &meta);
				d->pos = item->pos;
			}
		}
	}
	sources_free(src, n_src);
	meta_done(&meta);
}

static void parse_proto_item(Ctx *c, const YNode *item, const void *ud)
{
	parse_net_rule(c, item, false, ud);
}

static void parse_dns_item(Ctx *c, const YNode *item, const void *ud)
{
	parse_net_rule(c, item, true, ud);
}

static const Field network_section_fields[] = {
	META_FIELDS, {"matchProtocols"}, {"matchDNSQueries"}};
static const item_fn network_section_items[] = {parse_proto_item, parse_dns_item};

static void parse_network(Ctx *c, const YNode *n)
{
	PARSE_LIST_SECTION(c, "network", n, network);
}

/* ---- capabilities ---- */

static const Field cap_rule_fields[] = {META_FIELDS, {"capability"}, {"fromSource"}};
enum { CR_CAPABILITY = _F_META, CR_FROM_SOURCE, _CR_MAX };

static char *check_capability(Ctx *c, const YNode *n, const char *el)
{
	char lower[64], hint[80];
	const char *base;
	size_t old;

	for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
		if (streq(el, capability_names[i].name)) {
			char *d = strdup(el);

			if (!d)
				oom(c);
			return d;
		}
	old = push_key(c, "capability");
	snprintf(lower, sizeof(lower), "%.60s", el);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	base = strncmp(lower, "cap_", 4) == 0 ? lower + 4 : lower;
	hint[0] = 0;
	for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
		if (streq(base, capability_names[i].name))
			snprintf(hint, sizeof(hint), "'%s'", base);
	err(c, n->pos, hint[0] ? hint : NULL,
	    "%s is not a capability of the policy language: expected a lowercase name without "
	    "'cap_' "
	    "(chown, dac_override, ..., net_raw, sys_admin, ..., mac_admin)",
	    show_str(c, el, strlen(el)));
	pop(c, old);
	return NULL;
}

static int capability_number(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
		if (streq(name, capability_names[i].name))
			return capability_names[i].number;
	return -1;
}

static void parse_cap_item(Ctx *c, const YNode *item, const void *ud)
{
	const RuleMeta *section = ud;
	const YNode *v[_CR_MAX];
	RuleMeta meta;
	FromSource *src = NULL;
	size_t n_src = 0;
	const char *s = NULL;
	_cleanup_strv_free_ char **values = NULL;
	bool ok = true;

	if (!fetch(c, item, cap_rule_fields, _CR_MAX, 0, v))
		return;
	if (parse_meta(c, v, true, &meta) < 0)
		ok = false;
	if (!v[CR_CAPABILITY]) {
		missing(c, item, "capability");
		ok = false;
	} else if (get_str(c, "capability", v[CR_CAPABILITY], &s) < 0)
		ok = false;
	else {
		values = expand(c, "capability", v[CR_CAPABILITY], s, check_capability);
		if (!values)
			ok = false;
		else if (!p_cap_matches(s)) {
			size_t old = push_key(c, "capability");

			err(c, v[CR_CAPABILITY]->pos, NULL,
			    "%s does not match the CRD pattern: it must end with a lowercase "
			    "capability "
			    "name without 'cap_'",
			    show(c, v[CR_CAPABILITY]));
			pop(c, old);
			ok = false;
		}
	}
	if (!parse_sources(c, v[CR_FROM_SOURCE], SRC_PATH_ONLY, &src, &n_src))
		ok = false;
	else if (!require_sources_hsp(c, item, v[CR_FROM_SOURCE], n_src))
		ok = false;

	if (ok) {
		inherit(c, &meta, section, &c->p->spec_meta);
		STRV_FOREACH(val, values)
		{
			CapRule *d;

			if (!count_rule(c, item->pos, n_src))
				break;
			d = PUSH(c, c->p->capabilities, c->p->n_capabilities);
			if (!d)
				break;
			d->capability = xstrdup(c, *val);
			d->number = capability_number(*val);
			d->sources = sources_copy(c, src, n_src);
			d->n_sources = d->sources ? n_src : 0;
			copy_meta(c, &d->meta, &meta);
			d->pos = item->pos;
		}
	}
	sources_free(src, n_src);
	meta_done(&meta);
}

static const Field capabilities_section_fields[] = {META_FIELDS, {"matchCapabilities"}};
static const item_fn capabilities_section_items[] = {parse_cap_item};

static void parse_capabilities(Ctx *c, const YNode *n)
{
	PARSE_LIST_SECTION(c, "capabilities", n, capabilities);
}

/* ---- syscalls ---- */

#define NO_SYSCALL_ACTION "syscall rules carry no action (they are always Audit)"

static const Field syscall_rule_fields[] = {
	{"severity"},
	{"tags"},
	{"message"},
	{"action", 0, 0, NO_SYSCALL_ACTION},
	{"syscall"},
	{"path", 0, 2, NULL, "syscalls.matchPaths"},
	{"recursive", 0, 2, NULL, "syscalls.matchPaths"},
	{"fromSource"},
};
enum { SR_SYSCALL = _F_META, SR_PATH, SR_RECURSIVE, SR_FROM_SOURCE, _SR_MAX };

static int syscall_index(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(policy_syscall_names); i++)
		if (streq(s, policy_syscall_names[i]))
			return (int)i;
	return -1;
}

typedef struct SyscallSection {
	const RuleMeta *meta;
	bool paths; /* matchPaths, else matchSyscalls */
} SyscallSection;

static void parse_syscall_item(Ctx *c, const YNode *item, const void *ud)
{
	const SyscallSection *sec = ud;
	bool paths = sec->paths;
	const RuleMeta *section = sec->meta;
	const YNode *v[_SR_MAX];
	SyscallRule r = {};
	const char *path = NULL;
	bool ok = true;

	if (!fetch(c, item, syscall_rule_fields, _SR_MAX, paths ? 2 : 1, v))
		return;
	if (parse_meta(c, v, false, &r.meta) < 0)
		ok = false;
	if (!v[SR_SYSCALL]) {
		missing(c, item, "syscall");
		ok = false;
	} else if (get_strv(c, "syscall", v[SR_SYSCALL], 0, &r.syscalls) < 0)
		ok = false;
	else if (!r.syscalls) {
		size_t old = push_key(c, "syscall");

		err(c, v[SR_SYSCALL]->pos, NULL, "empty: expected at least one syscall name");
		pop(c, old);
		ok = false;
	} else {
		size_t old = push_key(c, "syscall");

		for (size_t i = 0; r.syscalls[i]; i++) {
			if (syscall_index(r.syscalls[i]) >= 0)
				continue;
			const char *best = NULL;
			size_t bd = SIZE_MAX;
			char hint[64];
			size_t o2 = push_index(c, i);

			for (size_t j = 0; j < ELEMENTSOF(policy_syscall_names) && !quiet(c); j++) {
				size_t d = edit_distance(r.syscalls[i], policy_syscall_names[j]);

				/* On a tie prefer a name that extends what was written (umount →
				 * umount2). */
				if (d < bd ||
				    (d == bd && best &&
				     !strneq(best, r.syscalls[i], strlen(r.syscalls[i])) &&
				     strneq(policy_syscall_names[j], r.syscalls[i],
					    strlen(r.syscalls[i])))) {
					bd = d;
					best = policy_syscall_names[j];
				}
			}
			snprintf(hint, sizeof(hint), "'%s'", best ?: "");
			err(c, v[SR_SYSCALL]->items[i]->pos, best && bd <= 2 ? hint : NULL,
			    "%s is not a syscall name of the CRD enum (x86-64 names, read ... "
			    "rseq)",
			    show_str(c, r.syscalls[i], strlen(r.syscalls[i])));
			pop(c, o2);
			ok = false;
		}
		pop(c, old);
	}
	if (paths) {
		if (!v[SR_PATH]) {
			missing(c, item, "path");
			ok = false;
		} else if (get_str(c, "path", v[SR_PATH], &path) < 0 ||
			   (path &&
			    !check_path(c, "path", v[SR_PATH], path, PATHCHK_SYSCALL_TARGET)))
			ok = false;
		if (get_bool(c, "recursive", v[SR_RECURSIVE], &r.recursive) < 0)
			ok = false;
	}
	if (!parse_sources(c, v[SR_FROM_SOURCE], SRC_SYSCALL, &r.sources, &r.n_sources))
		ok = false;

	if (ok && count_rule(c, item->pos, r.n_sources)) {
		SyscallRule *d;

		r.kind = paths ? SYSCALL_MATCH_PATHS : SYSCALL_MATCH_SYSCALLS;
		r.path = xstrdup(c, path);
		r.pos = item->pos;
		inherit(c, &r.meta, section, &c->p->spec_meta);
		r.meta.action = ACTION_AUDIT;
		d = PUSH(c, c->p->syscalls, c->p->n_syscalls);
		if (d) {
			*d = r;
			return;
		}
	}
	strv_free(r.syscalls);
	free(r.path);
	sources_free(r.sources, r.n_sources);
	meta_done(&r.meta);
}

static const Field syscall_section_fields[] = {
	{"severity"},	   {"tags"},	   {"message"}, {"action", 0, 0, NO_SYSCALL_ACTION},
	{"matchSyscalls"}, {"matchPaths"},
};
enum { SS_SYSCALLS = _F_META, SS_PATHS, _SS_MAX };

static void parse_syscalls(Ctx *c, const YNode *n)
{
	const YNode *v[_SS_MAX];
	RuleMeta section = {};
	size_t old;

	if (!n)
		return;
	old = push_key(c, "syscalls");
	if (fetch(c, n, syscall_section_fields, _SS_MAX, 0, v)) {
		parse_meta(c, v, false, &section);
		for_each_item(c, "matchSyscalls", v[SS_SYSCALLS], parse_syscall_item,
			      &(SyscallSection){&section, false});
		for_each_item(c, "matchPaths", v[SS_PATHS], parse_syscall_item,
			      &(SyscallSection){&section, true});
	}
	meta_done(&section);
	pop(c, old);
}

/* ---- device (HSP) ---- */

static const Field device_rule_fields[] = {
	META_FIELDS, {"class"}, {"subClass"}, {"protocol"}, {"level"},
};
enum { DR_CLASS = _F_META, DR_SUBCLASS, DR_PROTOCOL, DR_LEVEL, _DR_MAX };

static bool device_class_ok(const char *s)
{
	size_t l = strlen(s);

	if (l == 0 || l > 64)
		return false;
	if (streq(s, "ALL"))
		return true;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (l < 3 || l > 4)
			return false;
		for (size_t i = 2; i < l; i++)
			if (!isxdigit((unsigned char)s[i]))
				return false;
		return true;
	}
	if (isdigit((unsigned char)s[0])) {
		for (size_t i = 0; i < l; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
		return l <= 3 && atoi(s) <= 255;
	}
	if (!isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < l; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static void parse_device_item(Ctx *c, const YNode *item, const void *ud)
{
	const RuleMeta *section = ud;
	const YNode *v[_DR_MAX];
	DeviceRule r = {.sub_class = -1, .protocol = -1, .level = -1};
	const char *cls = NULL;
	int64_t x;
	bool ok = true;

	if (!fetch(c, item, device_rule_fields, _DR_MAX, 0, v))
		return;
	if (parse_meta(c, v, true, &r.meta) < 0)
		ok = false;
	if (!v[DR_CLASS]) {
		missing(c, item, "class");
		ok = false;
	} else if (get_str(c, "class", v[DR_CLASS], &cls) < 0)
		ok = false;
	else if (!device_class_ok(cls)) {
		size_t old = push_key(c, "class");

		err(c, v[DR_CLASS]->pos, NULL,
		    "%s is not a device class: expected ALL, a class name, a decimal number 0-255 "
		    "or 0x00-0xff",
		    show(c, v[DR_CLASS]));
		pop(c, old);
		ok = false;
	}
	/* The CRD says int32 (level >= 1); USB values are bytes, so 0-255 here (stricter). */
	if (get_int(c, "subClass", v[DR_SUBCLASS], 0, 255, &x) > 0)
		r.sub_class = x;
	else if (v[DR_SUBCLASS])
		ok = false;
	if (get_int(c, "protocol", v[DR_PROTOCOL], 0, 255, &x) > 0)
		r.protocol = x;
	else if (v[DR_PROTOCOL])
		ok = false;
	if (get_int(c, "level", v[DR_LEVEL], 1, 255, &x) > 0)
		r.level = x;
	else if (v[DR_LEVEL])
		ok = false;

	if (ok && count_rule(c, item->pos, 0)) {
		DeviceRule *d;

		r.class_name = xstrdup(c, cls);
		r.pos = item->pos;
		inherit(c, &r.meta, section, &c->p->spec_meta);
		d = PUSH(c, c->p->devices, c->p->n_devices);
		if (d) {
			*d = r;
			return;
		}
	}
	free(r.class_name);
	meta_done(&r.meta);
}

static const Field device_section_fields[] = {META_FIELDS, {"matchDevice"}};
static const item_fn device_section_items[] = {parse_device_item};

static void parse_device(Ctx *c, const YNode *n)
{
	PARSE_LIST_SECTION(c, "device", n, device);
}

/* ---- presets ---- */

static const char *const preset_names[] = {"filelessExec", "anonymousMapExec", "protectEnv", "exec",
					   "protectProc"};
static const Field preset_fields[] = {{"name"}, {"action"}};

static void parse_preset_item(Ctx *c, const YNode *item, const void *ud)
{
	const YNode *v[2];
	const char *name = NULL;
	RuleAction a = ACTION_UNSET;
	bool ok = true, known = false;

	if (!fetch(c, item, preset_fields, 2, 0, v))
		return;
	if (!v[0]) {
		missing(c, item, "name");
		ok = false;
	} else if (get_str(c, "name", v[0], &name) < 0)
		ok = false;
	else {
		for (size_t i = 0; i < ELEMENTSOF(preset_names); i++)
			if (streq(name, preset_names[i]))
				known = true;
		if (!known) {
			char hint[64] = "";
			size_t old = push_key(c, "name");

			for (size_t i = 0; i < ELEMENTSOF(preset_names); i++)
				if (strcasecmp(name, preset_names[i]) == 0 ||
				    edit_distance(name, preset_names[i]) <= 2)
					snprintf(hint, sizeof(hint), "'%s'", preset_names[i]);
			err(c, v[0]->pos, hint[0] ? hint : NULL,
			    "%s is not a preset: expected filelessExec, anonymousMapExec, "
			    "protectEnv, exec or "
			    "protectProc",
			    show(c, v[0]));
			pop(c, old);
			ok = false;
		}
	}
	/* get_action() names the field "action" under the current path. */
	if (get_action(c, v[1], &a) < 0)
		ok = false;
	if (ok) {
		Preset *d = PUSH(c, c->p->presets, c->p->n_presets);

		if (d) {
			d->name = xstrdup(c, name);
			d->action = a ?: c->p->spec_meta.action;
			d->pos = item->pos;
		}
	}
}

/* ---- selectors ---- */

enum { SEL_KSP = 1, SEL_CSP = 2, SEL_HSP = 4 };

static const Field selector_fields[] = {
	{"matchLabels", 0, SEL_KSP | SEL_HSP, NULL,
	 "a KubeArmorPolicy selector and a nodeSelector"},
	{"matchExpressions", 0, SEL_KSP | SEL_CSP, NULL,
	 "a selector of a KubeArmorPolicy or KubeArmorClusterPolicy"},
};
static const Field expr_fields[] = {{"key"}, {"operator"}, {"values"}};

static void parse_expr_item(Ctx *c, const YNode *item, const void *ud)
{
	unsigned where = *(const unsigned *)ud;
	const YNode *v[3];
	const char *key = NULL, *op = NULL;
	SelectorExpr e = {};
	bool ok = true;

	if (!fetch(c, item, expr_fields, 3, 0, v))
		return;
	if (!v[0]) {
		missing(c, item, "key");
		ok = false;
	} else if (get_str(c, "key", v[0], &key) < 0)
		ok = false;
	else if (!streq(key, "label") && !(where == SEL_CSP && streq(key, "namespace"))) {
		size_t old = push_key(c, "key");

		err(c, v[0]->pos, strcasecmp(key, "label") == 0 ? "'label'" : NULL,
		    "%s is not one of %s", show(c, v[0]),
		    where == SEL_CSP ? "namespace, label" : "label");
		pop(c, old);
		ok = false;
	}
	if (!v[1]) {
		missing(c, item, "operator");
		ok = false;
	} else if (get_str(c, "operator", v[1], &op) < 0)
		ok = false;
	else if (streq(op, "In"))
		e.op = SELECTOR_OP_IN;
	else if (streq(op, "NotIn"))
		e.op = SELECTOR_OP_NOT_IN;
	else {
		size_t old = push_key(c, "operator");

		err(c, v[1]->pos,
		    strcasecmp(op, "in") == 0	   ? "'In'"
		    : strcasecmp(op, "notin") == 0 ? "'NotIn'"
						   : NULL,
		    "%s is not one of In, NotIn", show(c, v[1]));
		pop(c, old);
		ok = false;
	}
	if (get_strv(c, "values", v[2], 0, &e.values) < 0)
		ok = false;
	if (ok) {
		Selector *s = &c->p->selector;
		SelectorExpr *d = PUSH(c, s->match_expressions, s->n_match_expressions);

		if (d) {
			*d = e;
			d->key = xstrdup(c, key);
			d->pos = item->pos;
			return;
		}
	}
	strv_free(e.values);
}

/* Reports duplicate keys of a free-form mapping (labels, annotations). Sorting keeps this
 * O(n log n) for hostile input. */
static int cmp_key_idx(const void *a, const void *b, void *userdata)
{
	const YNode *const *keys = userdata;
	const YNode *ka = keys[*(const size_t *)a], *kb = keys[*(const size_t *)b];
	int r = strcmp(ka->str, kb->str);

	if (r)
		return r;
	return ka->pos.line != kb->pos.line ? (ka->pos.line < kb->pos.line ? -1 : 1)
					    : (ka->pos.column < kb->pos.column ? -1 : 1);
}

static void check_dup_keys(Ctx *c, const YNode *m)
{
	_cleanup_free_ size_t *idx = NULL;
	_cleanup_free_ YNode **keys = NULL;

	if (m->n_pairs < 2)
		return;
	idx = calloc(m->n_pairs, sizeof(size_t));
	keys = calloc(m->n_pairs, sizeof(YNode *));
	if (!idx || !keys) {
		oom(c);
		return;
	}
	for (size_t i = 0; i < m->n_pairs; i++) {
		idx[i] = i;
		keys[i] = m->pairs[i].key;
	}
	qsort_r(idx, m->n_pairs, sizeof(size_t), cmp_key_idx, keys);
	for (size_t i = 1; i < m->n_pairs; i++) {
		const YNode *a = keys[idx[i - 1]], *b = keys[idx[i]];

		if (!a->bad && !b->bad && streq(a->str, b->str)) {
			size_t old = push_key(c, b->str);

			err(c, b->pos, NULL, "duplicate key (first given at %u:%u)", a->pos.line,
			    a->pos.column);
			pop(c, old);
		}
	}
}

/* A map of string to string. Returns the pairs (owned) or reports. */
static bool parse_string_map(Ctx *c, const char *key, const YNode *n, LabelPair **ret,
			     size_t *ret_n)
{
	size_t old;
	bool ok = true;

	*ret = NULL;
	*ret_n = 0;
	if (!n)
		return true;
	if (n->bad)
		return false;
	old = push_key(c, key);
	if (n->type != YNODE_MAP) {
		err(c, n->pos, NULL, "expected a mapping of strings to strings, found %s",
		    node_type_name(n));
		pop(c, old);
		return false;
	}
	check_dup_keys(c, n);
	for (size_t i = 0; i < n->n_pairs; i++) {
		const YNode *k = n->pairs[i].key, *v = n->pairs[i].value;
		const char *val = NULL;

		if (k->bad) {
			ok = false;
			continue;
		}
		if (k->kind != YSCALAR_STR || !*k->str) {
			char hint[160];

			snprintf(hint, sizeof(hint), "quote it: \"%.100s\"", k->str);
			err(c, k->pos, *k->str ? hint : NULL,
			    "a key must be a non-empty string, found %s %s", node_type_name(k),
			    show(c, k));
			ok = false;
			continue;
		}
		if (v->bad || ynode_is_null(v)) {
			if (!v->bad) {
				size_t o2 = push_key(c, k->str);

				err(c, v->pos, "write \"\" for an empty value",
				    "expected a string, found null");
				pop(c, o2);
			}
			ok = false;
			continue;
		}
		if (get_str(c, k->str, v, &val) < 0) {
			ok = false;
			continue;
		}
		if (ok) {
			LabelPair *d = PUSH(c, *ret, *ret_n);

			if (d) {
				d->key = xstrdup(c, k->str);
				d->value = xstrdup(c, val);
			}
		}
	}
	pop(c, old);
	return ok;
}

static void labels_free(LabelPair *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
}

static void parse_selector(Ctx *c, const char *key, const YNode *n, unsigned where)
{
	const YNode *v[2];
	size_t old;

	if (!n)
		return;
	old = push_key(c, key);
	c->p->selector.present = true;
	if (fetch(c, n, selector_fields, 2, where, v)) {
		parse_string_map(c, "matchLabels", v[0], &c->p->selector.match_labels,
				 &c->p->selector.n_match_labels);
		for_each_item(c, "matchExpressions", v[1], parse_expr_item, &where);
	}
	pop(c, old);
}

/* Warnings for host policies whose selector can never match a host (reference §1.4). */
static void hsp_selector_warnings(Ctx *c, const YNode *ns)
{
	const YNode *labels = NULL;
	size_t old = push_key(c, "nodeSelector");

	for (size_t i = 0; ns->type == YNODE_MAP && i < ns->n_pairs; i++)
		if (streq(ns->pairs[i].key->str, "matchLabels") &&
		    ns->pairs[i].value->type == YNODE_MAP)
			labels = ns->pairs[i].value;
	if (!labels || labels->n_pairs == 0)
		warn(c, labels ? labels->pos : ns->pos,
		     "select this host with kubearmor.io/hostname: \"*\" or its name",
		     "no matchLabels: this policy applies to no host");
	for (size_t i = 0; labels && i < labels->n_pairs; i++) {
		const YNode *k = labels->pairs[i].key;
		size_t o2 = push_key(c, "matchLabels");
		size_t o3 = push_key(c, k->str);

		if (streq(k->str, "kubernetes.io/hostname") ||
		    streq(k->str, "kubernetes.io/hostnamereg"))
			warn(c, k->pos, "'kubearmor.io/hostname'",
			     "'%s' never matches on a host without Kubernetes", k->str);
		else if (!streq(k->str, "kubearmor.io/hostname") &&
			 !streq(k->str, "kubearmor.io/hostnamereg"))
			warn(c, k->pos, NULL,
			     "'%s' never matches outside Kubernetes: a host's only label is "
			     "kubearmor.io/hostname",
			     k->str);
		pop(c, o3);
		pop(c, o2);
	}
	pop(c, old);
}

/* ---- spec ---- */

static const Field spec_fields[] = {
	META_FIELDS,
	{"apparmor"},
	{"process"},
	{"file"},
	{"network"},
	{"capabilities"},
	{"syscalls"},
	{"selector", KIND_KSP | KIND_CSP},
	{"presets", KIND_KSP | KIND_CSP},
	{"nodeSelector", KIND_HSP},
	{"device", KIND_HSP},
};
enum {
	SP_APPARMOR = _F_META,
	SP_PROCESS,
	SP_FILE,
	SP_NETWORK,
	SP_CAPABILITIES,
	SP_SYSCALLS,
	SP_SELECTOR,
	SP_PRESETS,
	SP_NODE_SELECTOR,
	SP_DEVICE,
	_SP_MAX,
};

static void parse_spec(Ctx *c, const YNode *doc_root, const YNode *n)
{
	const YNode *v[_SP_MAX];
	const char *aa = NULL;
	size_t old;

	if (!n) {
		if (c->kind_bit == KIND_HSP) {
			old = push_key(c, "spec");
			missing(c, doc_root, "nodeSelector");
			pop(c, old);
		}
		c->p->spec_meta.action = ACTION_BLOCK;
		return;
	}
	old = push_key(c, "spec");
	if (!fetch(c, n, spec_fields, _SP_MAX, 0, v)) {
		pop(c, old);
		return;
	}
	parse_meta(c, v, true, &c->p->spec_meta);
	if (c->p->spec_meta.action == ACTION_UNSET)
		c->p->spec_meta.action = ACTION_BLOCK;

	if (get_str(c, "apparmor", v[SP_APPARMOR], &aa) > 0)
		c->p->apparmor = xstrdup(c, aa);

	if (c->kind_bit == KIND_HSP) {
		if (!v[SP_NODE_SELECTOR])
			missing(c, n, "nodeSelector");
		else {
			size_t before = c->doc->n_errors;

			parse_selector(c, "nodeSelector", v[SP_NODE_SELECTOR], SEL_HSP);
			if (c->doc->n_errors == before)
				hsp_selector_warnings(c, v[SP_NODE_SELECTOR]);
		}
	} else
		parse_selector(c, "selector", v[SP_SELECTOR],
			       c->kind_bit == KIND_CSP	 ? SEL_CSP
			       : c->kind_bit == KIND_KSP ? SEL_KSP
							 : SEL_KSP | SEL_CSP);

	parse_path_section(c, "process", v[SP_PROCESS], W_PROC, &c->p->process, &c->p->n_process);
	parse_path_section(c, "file", v[SP_FILE], W_FILE, &c->p->file_rules, &c->p->n_file);
	parse_network(c, v[SP_NETWORK]);
	parse_capabilities(c, v[SP_CAPABILITIES]);
	parse_syscalls(c, v[SP_SYSCALLS]);
	parse_device(c, v[SP_DEVICE]);
	for_each_item(c, "presets", v[SP_PRESETS], parse_preset_item, NULL);
	pop(c, old);
}

/* ---- envelope ---- */

static const Field doc_fields[] = {
	{"apiVersion"}, {"kind"}, {"metadata"}, {"spec"}, {"status"},
};
enum { D_API_VERSION, D_KIND, D_METADATA, D_SPEC, D_STATUS, _D_MAX };

static const Field metadata_fields[] = {
	{"name"},
	{"namespace"},
	{"labels"},
	{"annotations"},
};

#define API_VERSION "security.kubearmor.com/v1"

static void parse_metadata(Ctx *c, const YNode *root, const YNode *n)
{
	const YNode *v[4];
	const char *name = NULL, *ns = NULL;
	LabelPair *l = NULL;
	size_t nl = 0;
	size_t old;

	if (!n) {
		missing(c, root, "metadata");
		return;
	}
	old = push_key(c, "metadata");
	if (!fetch(c, n, metadata_fields, 4, 0, v)) {
		pop(c, old);
		return;
	}
	if (!v[0])
		missing(c, n, "name");
	else if (get_str(c, "name", v[0], &name) > 0) {
		free(c->doc->name);
		c->doc->name = xstrdup(c, name);
		if (!is_k8s_object_name(name)) {
			char hint[POLICY_MAX_NAME + 8];
			size_t o2 = push_key(c, "name");

			k8s_name_hint(name, hint, sizeof(hint), false);
			err(c, v[0]->pos, hint[0] ? hint : NULL,
			    "%s is not a Kubernetes object name: lowercase letters, digits, '-' "
			    "and '.', "
			    "starting and ending with a letter or digit, at most %d characters",
			    show(c, v[0]), POLICY_MAX_NAME);
			pop(c, o2);
		} else
			c->p->name = xstrdup(c, name);
	}
	if (get_str(c, "namespace", v[1], &ns) > 0) {
		if (!is_k8s_label_name(ns, 63)) {
			char hint[80];
			size_t o2 = push_key(c, "namespace");

			k8s_name_hint(ns, hint, sizeof(hint), true);
			err(c, v[1]->pos, hint[0] ? hint : NULL,
			    "%s is not a Kubernetes namespace name: lowercase letters, digits and "
			    "'-', at "
			    "most 63 characters",
			    show(c, v[1]));
			pop(c, o2);
		} else
			c->p->namespace = xstrdup(c, ns);
	}
	parse_string_map(c, "labels", v[2], &l, &nl);
	labels_free(l, nl);
	parse_string_map(c, "annotations", v[3], &l, &nl);
	labels_free(l, nl);
	pop(c, old);
}

static void parse_status(Ctx *c, const YNode *n)
{
	static const Field f[] = {{"status"}};
	const YNode *v[1];
	const char *s;
	size_t old;

	if (!n)
		return;
	old = push_key(c, "status");
	if (fetch(c, n, f, 1, 0, v))
		(void)get_str(c, "status", v[0], &s);
	pop(c, old);
}

/* Stable: errors at the same place keep the order in which they were found. */
static void sort_errors(PolicyError *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		PolicyError x = e[i];
		size_t j = i;

		while (j > 0 && (e[j - 1].line > x.line ||
				 (e[j - 1].line == x.line && e[j - 1].column > x.column))) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = x;
	}
}

int policy_validate_document(const char *file, const YDoc *yd, PolicyDoc *doc, ErrorBudget *budget)
{
	_cleanup_(policy_freep) Policy *p = new0(Policy, 1);
	_cleanup_free_ Ctx *c = new0(Ctx, 1);
	const YNode *root = yd->root, *v[_D_MAX];
	const char *kind = NULL, *api = NULL;

	if (!p || !c)
		return -ENOMEM;
	*c = (Ctx){.file = file, .doc = doc, .budget = budget, .p = p, .kind_bit = KIND_ALL};
	doc->index = yd->index;
	doc->line = yd->pos.line;

	for (size_t i = 0; i < yd->n_errors; i++) {
		const YError *e = &yd->errors[i];

		if (budget->used >= POLICY_MAX_ERRORS) {
			budget->exhausted = true;
			break;
		}
		budget->used++;
		if (policy_error_list_add(&doc->errors, &doc->n_errors, e->pos.line, e->pos.column,
					  e->field, e->hint, e->message) < 0)
			return -ENOMEM;
	}

	if (!root) {
		/* Only errors (the root itself was refused). */
	} else if (root->type != YNODE_MAP) {
		if (!root->bad)
			err(c, root->pos, NULL, "a policy document must be a mapping, found %s",
			    node_type_name(root));
	} else if (fetch(c, root, doc_fields, _D_MAX, 0, v)) {
		if (!v[D_KIND])
			missing(c, root, "kind");
		else if (get_str(c, "kind", v[D_KIND], &kind) > 0) {
			doc->kind = xstrdup(c, kind);
			for (PolicyKind k = 0; k < _POLICY_KIND_MAX; k++)
				if (streq(kind, policy_kind_to_string(k))) {
					p->kind = k;
					c->kind_bit = 1u << k;
				}
			if (c->kind_bit == KIND_ALL) {
				char hint[64] = "";
				size_t old = push_key(c, "kind");

				for (PolicyKind k = 0; k < _POLICY_KIND_MAX; k++)
					if (strcasecmp(kind, policy_kind_to_string(k)) == 0 ||
					    edit_distance(kind, policy_kind_to_string(k)) <= 3)
						snprintf(hint, sizeof(hint), "'%s'",
							 policy_kind_to_string(k));
				err(c, v[D_KIND]->pos, hint[0] ? hint : NULL,
				    "%s is not one of KubeArmorPolicy, KubeArmorHostPolicy, "
				    "KubeArmorClusterPolicy",
				    show(c, v[D_KIND]));
				pop(c, old);
			}
		}
		if (!v[D_API_VERSION])
			missing(c, root, "apiVersion");
		else if (get_str(c, "apiVersion", v[D_API_VERSION], &api) > 0 &&
			 !streq(api, API_VERSION)) {
			size_t old = push_key(c, "apiVersion");

			err(c, v[D_API_VERSION]->pos, "'" API_VERSION "'", "%s is not " API_VERSION,
			    show(c, v[D_API_VERSION]));
			pop(c, old);
		}
		parse_metadata(c, root, v[D_METADATA]);
		parse_spec(c, root, v[D_SPEC]);
		parse_status(c, v[D_STATUS]);
	}
	if (c->r < 0)
		return c->r;

	sort_errors(doc->errors, doc->n_errors);
	sort_errors(doc->warnings, doc->n_warnings);
	if (doc->n_errors == 0 && c->kind_bit != KIND_ALL && p->name) {
		p->pos = yd->pos;
		p->doc_index = yd->index;
		if (file) {
			p->file = strdup(file);
			if (!p->file)
				return -ENOMEM;
		}
		doc->policy = TAKE_PTR(p);
	}
	return 0;
}
