/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yaml-parse.c: libyaml events → a bounded node tree (yaml-node.h). The only file that includes
 * <yaml.h>. libyaml marks are 0-based; SrcPos is 1-based.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/macro.h"
#include "policy/yaml-node.h"

/* ---- arena ---- */

#define ARENA_BLOCK (16 * 1024)

typedef struct ArenaBlock {
	struct ArenaBlock *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
} ArenaBlock;

struct Arena {
	ArenaBlock *head;
};

Arena *arena_new(void)
{
	return new0(Arena, 1);
}

Arena *arena_free(Arena *a)
{
	if (!a)
		return NULL;
	for (ArenaBlock *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
	return NULL;
}

void *arena_alloc(Arena *a, size_t size)
{
	ArenaBlock *b = a->head;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (size == 0)
		size = 8;
	if (!b || b->size - b->used < size) {
		size_t bs = MAX((size_t)ARENA_BLOCK, size);

		b = malloc(sizeof(ArenaBlock) + bs);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = bs;
		/* A block for one large object goes behind the head so the head's free space stays
		 * usable. */
		if (a->head && bs > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static _printf_(2, 0) char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
{
	_cleanup_free_ char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

/* ---- scalar resolution (YAML 1.1 as used by Kubernetes tooling) ---- */

bool ynode_is_null(const YNode *n)
{
	return !n || (n->type == YNODE_SCALAR && n->kind == YSCALAR_NULL);
}

const char *yscalar_kind_to_string(YScalarKind k)
{
	switch (k) {
	case YSCALAR_STR:
		return "a string";
	case YSCALAR_NULL:
		return "null";
	case YSCALAR_BOOL:
		return "a boolean";
	case YSCALAR_INT:
		return "an integer";
	case YSCALAR_FLOAT:
		return "a number";
	}
	return "?";
}

static bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (streq(s, *list))
			return true;
	return false;
}

static bool looks_float(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (str_in(s,
		   (const char *const[]){".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
					 "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL}))
		return true;
	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0;
}

static void resolve_plain(YNode *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", "y",  "Y",	"yes",
					    "Yes",  "YES",  "on",   "On", "ON", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", "n",   "N",   "no",
					     "No",    "NO",    "off",	"Off", "OFF", NULL};
	const char *s = n->str;

	n->kind = YSCALAR_STR;
	if (strlen(s) != n->len)
		return; /* embedded NUL: a string (the validator rejects control characters) */
	/* Every null and boolean spelling starts with one of these (or is empty). */
	if (!*s || strchr("~nNtTfFyYoO", *s)) {
		if (str_in(s, nulls)) {
			n->kind = YSCALAR_NULL;
			return;
		}
		if (str_in(s, trues)) {
			n->kind = YSCALAR_BOOL;
			n->bval = true;
			return;
		}
		if (str_in(s, falses)) {
			n->kind = YSCALAR_BOOL;
			n->bval = false;
			return;
		}
	}

	/* Integers: decimal, 0x hex, 0o and leading-0 octal, with an optional sign. */
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p >= '0' && *p <= '9') {
		const char *digits = p;
		int base = 10;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			digits = p + 2;
		} else if (p[0] == '0' && p[1] == 'o') {
			base = 8;
			digits = p + 2;
		} else if (p[0] == '0' && p[1]) {
			base = 8;
			digits = p + 1;
		}
		if (*digits) {
			bool ok = true;

			for (const char *q = digits; *q; q++) {
				int d = (*q >= '0' && *q <= '9')   ? *q - '0'
					: (*q >= 'a' && *q <= 'f') ? *q - 'a' + 10
					: (*q >= 'A' && *q <= 'F') ? *q - 'A' + 10
								   : 99;
				if (d >= base) {
					ok = false;
					break;
				}
			}
			if (ok) {
				char *end;
				long long v;

				errno = 0;
				v = strtoll(digits, &end, base);
				n->kind = YSCALAR_INT;
				if (errno == ERANGE) {
					n->kind = YSCALAR_FLOAT; /* too large for an integer */
					return;
				}
				n->ival = s[0] == '-' ? -v : v;
				return;
			}
		}
	}
	if (looks_float(s))
		n->kind = YSCALAR_FLOAT;
}

/* ---- tree building ---- */

typedef struct Frame {
	YNode *node;	/* MAP or SEQ under construction */
	void *children; /* YPair[] or YNode*[] (malloc) */
	size_t n, cap;
	YNode *pending_key; /* MAP: the key whose value is being built */
} Frame;

typedef struct Builder {
	Arena *arena;
	YStream *out;
	Frame stack[POLICY_MAX_DEPTH + 1];
	size_t depth;
	YDoc cur;
	bool in_doc;
	YError *errors; /* of the current document (malloc) */
	size_t n_errors, cap_errors;
	YDoc *docs; /* malloc */
	size_t cap_docs;
	unsigned doc_counter;
} Builder;

static void builder_done(Builder *b)
{
	for (size_t i = 0; i < b->depth; i++)
		free(b->stack[i].children);
	free(b->errors);
	free(b->docs);
}

static int grow(void **p, size_t *cap, size_t need, size_t elsize)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = MAX(*cap * 2, (size_t)8);
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elsize);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

/* The field path of the node being built (for errors found here). */
static char *builder_path(Builder *b, const char *extra_key)
{
	char buf[512];
	size_t l = 0;

	buf[0] = 0;
	for (size_t i = 0; i < b->depth; i++) {
		Frame *f = &b->stack[i];

		if (f->node->type == YNODE_MAP) {
			const char *k = extra_key && i + 1 == b->depth ? extra_key
					: f->pending_key	       ? f->pending_key->str
								       : NULL;
			if (!k)
				break;
			l += snprintf(buf + l, sizeof(buf) - l, "%s%.64s", l ? "." : "", k);
		} else
			l += snprintf(buf + l, sizeof(buf) - l, "[%zu]", f->n);
		if (l >= sizeof(buf))
			break;
	}
	return arena_strndup(b->arena, buf, strnlen(buf, sizeof(buf)));
}

static _printf_(4, 5) int builder_error(Builder *b, const yaml_mark_t *m, const char *hint,
					const char *fmt, ...)
{
	YError *e;
	va_list ap;
	int r;

	r = grow((void **)&b->errors, &b->cap_errors, b->n_errors + 1, sizeof(YError));
	if (r < 0)
		return r;
	e = &b->errors[b->n_errors];
	*e = (YError){.pos = {m->line + 1, m->column + 1}};
	e->field = builder_path(b, NULL);
	va_start(ap, fmt);
	e->message = arena_vprintf(b->arena, fmt, ap);
	va_end(ap);
	e->hint = hint ? arena_strndup(b->arena, hint, strlen(hint)) : NULL;
	if (!e->field || !e->message || (hint && !e->hint))
		return -ENOMEM;
	b->n_errors++;
	return 0;
}

static _printf_(4, 5) void stream_fail(Builder *b, const yaml_mark_t *m, const char *hint,
				       const char *fmt, ...)
{
	va_list ap;

	b->out->failed = true;
	b->out->error_pos = m ? (SrcPos){m->line + 1, m->column + 1} : (SrcPos){0, 0};
	va_start(ap, fmt);
	b->out->error = arena_vprintf(b->arena, fmt, ap);
	va_end(ap);
	b->out->error_hint = hint ? arena_strndup(b->arena, hint, strlen(hint)) : NULL;
}

static YNode *new_node(Builder *b, YNodeType t, const yaml_mark_t *m)
{
	YNode *n = arena_alloc(b->arena, sizeof(YNode));

	if (!n)
		return NULL;
	n->type = t;
	n->pos = (SrcPos){m->line + 1, m->column + 1};
	return n;
}

/* Anchors are refused (aliases would be the only use of them); tags other than the core schema's
 * are refused. Returns 0, 1 when the node must be treated as bad, or -ENOMEM. */
static int check_props(Builder *b, const yaml_mark_t *m, const yaml_char_t *anchor,
		       const yaml_char_t *tag, bool *force_str)
{
	int r;

	if (force_str)
		*force_str = false;
	if (anchor) {
		r = builder_error(b, m, "write the value out in full",
				  "YAML anchor '&%.64s' is not allowed in a policy",
				  (const char *)anchor);
		if (r < 0)
			return r;
	}
	if (tag) {
		const char *t = (const char *)tag;

		if (force_str && (streq(t, "!") || streq(t, "tag:yaml.org,2002:str"))) {
			*force_str = true;
			return anchor ? 1 : 0;
		}
		if (!str_in(t,
			    (const char *const[]){"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
						  "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
						  "tag:yaml.org,2002:null",
						  "tag:yaml.org,2002:float", NULL})) {
			r = builder_error(b, m, "remove the tag",
					  "YAML tag '%.64s' is not supported", t);
			return r < 0 ? r : 1;
		}
	}
	return anchor ? 1 : 0;
}

static int attach(Builder *b, YNode *n)
{
	Frame *f;
	int r;

	if (b->depth == 0) {
		b->cur.root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->type == YNODE_SEQ) {
		r = grow(&f->children, &f->cap, f->n + 1, sizeof(YNode *));
		if (r < 0)
			return r;
		((YNode **)f->children)[f->n++] = n;
		return 0;
	}
	if (!f->pending_key) {
		if (n->type != YNODE_SCALAR) {
			yaml_mark_t m = {.line = n->pos.line - 1, .column = n->pos.column - 1};

			r = builder_error(b, &m, NULL, "a mapping key must be a string, not a %s",
					  n->type == YNODE_MAP ? "mapping" : "sequence");
			if (r < 0)
				return r;
			/* Keep the structure: a placeholder key that the validator skips. */
			YNode *k = arena_alloc(b->arena, sizeof(YNode));
			if (!k)
				return -ENOMEM;
			*k = (YNode){.type = YNODE_SCALAR,
				     .bad = true,
				     .pos = n->pos,
				     .str = "?",
				     .len = 1};
			n = k;
		}
		f->pending_key = n;
		return 0;
	}
	r = grow(&f->children, &f->cap, f->n + 1, sizeof(YPair));
	if (r < 0)
		return r;
	((YPair *)f->children)[f->n++] = (YPair){f->pending_key, n};
	f->pending_key = NULL;
	return 0;
}

static int on_scalar(Builder *b, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	bool force_str;
	YNode *n;
	int r;

	n = new_node(b, YNODE_SCALAR, m);
	if (!n)
		return -ENOMEM;
	r = check_props(b, m, ev->data.scalar.anchor, ev->data.scalar.tag, &force_str);
	if (r < 0)
		return r;
	n->bad = r > 0;
	if (ev->data.scalar.length > POLICY_MAX_STRING) {
		r = builder_error(b, m, NULL,
				  "a scalar of %zu bytes is longer than the limit of %d",
				  ev->data.scalar.length, POLICY_MAX_STRING);
		if (r < 0)
			return r;
		n->bad = true;
		n->str = "";
		n->kind = YSCALAR_STR;
		return attach(b, n);
	}
	n->str = arena_strndup(b->arena, (const char *)ev->data.scalar.value,
			       ev->data.scalar.length);
	if (!n->str)
		return -ENOMEM;
	n->len = ev->data.scalar.length;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (force_str || n->quoted)
		n->kind = YSCALAR_STR;
	else
		resolve_plain(n);
	if (!n->quoted && !n->bad && streq(n->str, "<<") && b->depth > 0 &&
	    b->stack[b->depth - 1].node->type == YNODE_MAP && !b->stack[b->depth - 1].pending_key) {
		r = builder_error(b, m, "write the keys out in full",
				  "YAML merge keys ('<<') are not allowed");
		if (r < 0)
			return r;
		n->bad = true;
	}
	return attach(b, n);
}

static int on_start(Builder *b, yaml_event_t *ev, YNodeType t)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor =
		t == YNODE_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	const yaml_char_t *tag =
		t == YNODE_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	YNode *n;
	int r;

	if (b->depth >= POLICY_MAX_DEPTH) {
		stream_fail(b, m, NULL, "nesting deeper than the limit of %d levels",
			    POLICY_MAX_DEPTH);
		return 0;
	}
	n = new_node(b, t, m);
	if (!n)
		return -ENOMEM;
	r = check_props(b, m, anchor, tag, NULL);
	if (r < 0)
		return r;
	n->bad = r > 0;
	b->stack[b->depth++] = (Frame){.node = n};
	return 0;
}

static int on_end(Builder *b)
{
	Frame *f = &b->stack[b->depth - 1];
	YNode *n = f->node;

	if (n->type == YNODE_MAP) {
		n->n_pairs = f->n;
		if (f->n) {
			n->pairs = arena_alloc(b->arena, f->n * sizeof(YPair));
			if (!n->pairs)
				return -ENOMEM;
			memcpy(n->pairs, f->children, f->n * sizeof(YPair));
		}
	} else {
		n->n_items = f->n;
		if (f->n) {
			n->items = arena_alloc(b->arena, f->n * sizeof(YNode *));
			if (!n->items)
				return -ENOMEM;
			memcpy(n->items, f->children, f->n * sizeof(YNode *));
		}
	}
	free(f->children);
	*f = (Frame){};
	b->depth--;
	return attach(b, n);
}

static int on_doc_end(Builder *b)
{
	int r;

	if (b->n_errors) {
		b->cur.errors = arena_alloc(b->arena, b->n_errors * sizeof(YError));
		if (!b->cur.errors)
			return -ENOMEM;
		memcpy(b->cur.errors, b->errors, b->n_errors * sizeof(YError));
		b->cur.n_errors = b->n_errors;
		b->n_errors = 0;
	}
	/* Empty documents (nothing, or only a null) hold no policy and are left out, as kubectl
	 * does. */
	if ((b->cur.root && !ynode_is_null(b->cur.root)) || b->cur.n_errors) {
		r = grow((void **)&b->docs, &b->cap_docs, b->out->n_docs + 1, sizeof(YDoc));
		if (r < 0)
			return r;
		b->docs[b->out->n_docs++] = b->cur;
	}
	b->cur = (YDoc){};
	b->in_doc = false;
	return 0;
}

static const char *syntax_hint(const char *buf, size_t len, const yaml_parser_t *p)
{
	size_t i = p->problem_mark.index;

	if (p->error == YAML_READER_ERROR)
		return "policy files must be UTF-8 text";
	/* libyaml reports the index in characters; for ASCII input that is the byte offset. */
	if (i < len && buf[i] == '\t')
		return "indent with spaces, not tabs";
	for (size_t j = 0; j < len && j < i; j++)
		if (buf[j] == '\t' &&
		    (j == 0 || buf[j - 1] == '\n' || buf[j - 1] == ' ' || buf[j - 1] == '\t'))
			return "indent with spaces, not tabs";
	return NULL;
}

static void syntax_error(Builder *b, const yaml_parser_t *p, const char *buf, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ?: "invalid YAML";

	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset only; count lines up to it. */
		size_t off = p->problem_offset;
		size_t line = 0, col = 0;

		for (size_t i = 0; i < off && i < len; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 0;
			} else
				col++;
		}
		m.line = line;
		m.column = col;
		stream_fail(b, &m, syntax_hint(buf, len, p),
			    "not valid UTF-8 text: %s (byte 0x%02x at offset %zu)", problem,
			    off < len ? (unsigned)(unsigned char)buf[off] : 0u, off);
		return;
	}
	if (p->context && p->context_mark.line != p->problem_mark.line)
		stream_fail(b, &m, syntax_hint(buf, len, p), "YAML syntax error: %s %s (line %zu)",
			    problem, p->context, (size_t)p->context_mark.line + 1);
	else if (p->context)
		stream_fail(b, &m, syntax_hint(buf, len, p), "YAML syntax error: %s %s", problem,
			    p->context);
	else
		stream_fail(b, &m, syntax_hint(buf, len, p), "YAML syntax error: %s", problem);
}

int yaml_parse(Arena *a, const char *buf, size_t len, YStream *ret)
{
	_cleanup_(builder_done) Builder b = {.arena = a, .out = ret};
	yaml_parser_t parser;
	int r = 0;
	bool done = false;

	*ret = (YStream){};
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done && !ret->failed) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				r = -ENOMEM;
				break;
			}
			syntax_error(&b, &parser, buf, len);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (b.doc_counter >= POLICY_MAX_DOCUMENTS) {
				stream_fail(&b, &ev.start_mark, "split the file",
					    "more than %d documents in one file",
					    POLICY_MAX_DOCUMENTS);
				break;
			}
			b.cur = (YDoc){.index = b.doc_counter++,
				       .pos = {ev.start_mark.line + 1, ev.start_mark.column + 1}};
			b.in_doc = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			r = on_doc_end(&b);
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(&b, &ev);
			break;
		case YAML_ALIAS_EVENT: {
			YNode *n = new_node(&b, YNODE_SCALAR, &ev.start_mark);

			if (!n) {
				r = -ENOMEM;
				break;
			}
			n->bad = true;
			n->kind = YSCALAR_NULL;
			n->str = "";
			r = builder_error(&b, &ev.start_mark, "write the value out in full",
					  "YAML alias '*%.64s' is not allowed in a policy",
					  (const char *)ev.data.alias.anchor);
			if (r >= 0)
				r = attach(&b, n);
			break;
		}
		case YAML_MAPPING_START_EVENT:
			r = on_start(&b, &ev, YNODE_MAP);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_start(&b, &ev, YNODE_SEQ);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			r = on_end(&b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (r < 0)
		return r;
	if (!ret->error && ret->failed)
		return -ENOMEM;

	if (b.out->n_docs) {
		ret->docs = arena_alloc(a, b.out->n_docs * sizeof(YDoc));
		if (!ret->docs)
			return -ENOMEM;
		memcpy(ret->docs, b.docs, b.out->n_docs * sizeof(YDoc));
	}
	return 0;
}
