/* SPDX-License-Identifier: Apache-2.0 */
/* aa-render.c: a host RuleSet → AppArmor profiles (see aa-profile.h for the design). */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/macro.h"
#include "core/strv.h"
#include "enforcer/apparmor/aa-abstractions.h"
#include "enforcer/apparmor/aa-profile.h"

#define PERM_ALL   "mrwlk"
#define PERM_READ  "mrk"
#define PERM_WRITE "wl"
#define FLAGS	   "flags=(attach_disconnected,mediate_deleted)"

/* A rule's AppArmor path expressions: as written, and its canonical form if it differs. */
typedef struct Exprs {
	char *e[2];
} Exprs;

typedef struct Ctx {
	const RuleSet *rs;
	const AaRenderOptions *o;
	AaRender *out;
	Exprs *exprs[_RULE_CLASS_MAX]; /* per rule; e[0] == NULL: the rule renders nothing */
	bool allow_block[_RULE_CLASS_MAX];
	char **sources; /* fromSource executables that get a profile, in order of appearance */
	char **source_names;
} Ctx;

static void exprs_done(Exprs *x)
{
	free(x->e[0]);
	free(x->e[1]);
	*x = (Exprs){};
}

AaRender *aa_render_free(AaRender *r)
{
	if (!r)
		return NULL;
	free(r->text);
	for (size_t i = 0; i < r->n_profiles; i++) {
		free(r->profiles[i].name);
		free(r->profiles[i].source);
	}
	free(r->profiles);
	for (int c = 0; c < _RULE_CLASS_MAX; c++) {
		for (size_t i = 0; i < r->n_rules[c]; i++)
			free(r->reason[c][i]);
		free(r->reason[c]);
		free(r->status[c]);
	}
	free(r);
	return NULL;
}

RuleEnforcement aa_render_rule_status(const AaRender *r, const Rule *rule, const char **reason)
{
	if (reason)
		*reason = NULL;
	if (!r || !rule || (unsigned)rule->class >= _RULE_CLASS_MAX ||
	    rule->index >= r->n_rules[rule->class]) {
		if (reason)
			*reason = "not part of the applied rules";
		return RULE_MONITOR_ONLY;
	}
	if (reason)
		*reason = r->reason[rule->class][rule->index];
	return r->status[rule->class][rule->index];
}

_printf_(3, 4) static int set_status(Ctx *c, const Rule *r, const char *fmt, ...)
{
	AaRender *out = c->out;
	char *s = NULL;
	va_list ap;

	if (out->reason[r->class][r->index])
		return 0; /* the first reason stays */
	out->status[r->class][r->index] = RULE_MONITOR_ONLY;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return -ENOMEM;
	out->reason[r->class][r->index] = s;
	return 0;
}

/* Canonical form of a path or directory ("/bin/" → "/usr/bin/"), or NULL if the same/unknown. */
static char *canonical(const Ctx *c, const char *path, bool dir)
{
	char *canon, *d;
	size_t len;

	if (!c->o || !c->o->canonicalize)
		return NULL;
	canon = c->o->canonicalize(path, c->o->userdata);
	if (!canon)
		return NULL;
	len = strlen(canon);
	if (dir && (len == 0 || canon[len - 1] != '/')) {
		if (asprintf(&d, "%s/", canon) < 0)
			d = NULL;
		free(canon);
		canon = d;
	}
	if (canon && streq(canon, path)) {
		free(canon);
		return NULL;
	}
	return canon;
}

static int quote_with_canon(const Ctx *c, const char *path, bool dir, const char *suffix, Exprs *x,
			    char *err)
{
	_cleanup_free_ char *canon = NULL;
	int r;

	r = aa_quote_literal(path, suffix, &x->e[0], err);
	if (r < 0)
		return r;
	canon = canonical(c, path, dir);
	if (canon && aa_quote_literal(canon, suffix, &x->e[1], NULL) < 0)
		x->e[1] = NULL; /* the canonical form is only an addition */
	return 0;
}

/* Whether AppArmor can express a network rule, and how. NULL: it cannot (reason in *why). */
static const char *const *net_lines(const Rule *r, const char **why)
{
	static const char *const all[] = {"", NULL};
	static const char *const tcp[] = {" inet stream", " inet6 stream", NULL};
	static const char *const udp[] = {" inet dgram", " inet6 dgram", NULL};
	static const char *const raw[] = {" raw", NULL};
	static const char *const stream[] = {" stream", NULL};
	static const char *const dgram[] = {" dgram", NULL};
	static const char *const rdm[] = {" rdm", NULL};
	static const char *const seqpacket[] = {" seqpacket", NULL};
	static const char *const packet[] = {" packet", NULL};

	switch (r->net.kind) {
	case NET_PROTO_ALL:
		return all;
	case NET_PROTO_PACKET:
		return packet;
	case NET_PROTO_IP:
		if (r->net.value == 6)
			return tcp;
		if (r->net.value == 17)
			return udp;
		*why = "AppArmor mediates the socket family and type, not the IP protocol: this "
		       "protocol cannot be told apart from others of its socket type";
		return NULL;
	case NET_PROTO_TYPE:
		switch (r->net.value) {
		case SOCK_RAW:
			return raw;
		case SOCK_STREAM:
			return stream;
		case SOCK_DGRAM:
			return dgram;
		case SOCK_RDM:
			return rdm;
		case SOCK_SEQPACKET:
			return seqpacket;
		default:
			*why = "AppArmor has no keyword for this socket type";
			return NULL;
		}
	}
	*why = "unknown protocol";
	return NULL;
}

/* Decides whether a rule is rendered, computes its path expressions and its status. */
static int prepare_rule(Ctx *c, const Rule *r, Exprs *x)
{
	char err[AA_ERROR_MAX] = "";
	const char *why = NULL;
	int q = 0;

	c->out->status[r->class][r->index] = RULE_ENFORCED;

	if (r->action == ACTION_AUDIT || r->class == RULE_CLASS_SYSCALL) {
		c->out->status[r->class][r->index] = RULE_AUDIT_ONLY;
		return 0;
	}
	if (r->action != ACTION_ALLOW && r->action != ACTION_BLOCK)
		return set_status(c, r, "unknown action");
	if (r->class == RULE_CLASS_DNS)
		return set_status(c, r, "AppArmor cannot see DNS queries");
	if (r->pts == PTS_FALSE)
		return set_status(
			c, r, "AppArmor cannot make a rule depend on a controlling terminal (pts)");
	if (r->allowed_args)
		return set_status(c, r, "AppArmor cannot see program arguments (allowedArgs)");
	if (r->source && r->class != RULE_CLASS_SYSCALL) {
		_cleanup_free_ char *tmp = NULL;

		if (aa_quote_literal(r->source, NULL, &tmp, err) < 0)
			return set_status(c, r, "fromSource rejected: %s", err);
	}

	switch (r->class) {
	case RULE_CLASS_PROCESS:
	case RULE_CLASS_FILE:
		switch (r->match) {
		case RULE_MATCH_PATH:
			q = quote_with_canon(c, r->target, false, NULL, x, err);
			break;
		case RULE_MATCH_DIR:
		case RULE_MATCH_DIR_RECURSIVE: {
			size_t len = strlen(r->target ?: "");

			if (len == 0 || r->target[len - 1] != '/') {
				snprintf(err, sizeof err, "directory '%s' does not end in '/'",
					 r->target ?: "");
				q = -EINVAL;
				break;
			}
			q = quote_with_canon(c, r->target, true,
					     r->match == RULE_MATCH_DIR ? "{,*}" : "{,**}", x, err);
			break;
		}
		case RULE_MATCH_EXECNAME: {
			_cleanup_free_ char *p = NULL, *quoted = NULL;

			if (!r->target || strchr(r->target, '/')) {
				snprintf(err, sizeof err, "execname contains '/'");
				q = -EINVAL;
				break;
			}
			if (asprintf(&p, "/%s", r->target) < 0)
				return -ENOMEM;
			q = aa_quote_literal(p, NULL, &quoted, err);
			if (q < 0)
				break;
			/* "\"/name\"" → "\"/{,**\/}name\"" */
			if (asprintf(&x->e[0], "\"/{,**/}%s", quoted + 2) < 0)
				return -ENOMEM;
			break;
		}
		case RULE_MATCH_PATTERN:
			q = aa_quote_glob(r->target, &x->e[0], err);
			break;
		default:
			return set_status(c, r, "unsupported match kind");
		}
		if (q == -ENOMEM)
			return q;
		if (q < 0) {
			exprs_done(x);
			return set_status(c, r, "rejected: %s", err);
		}
		return 0;
	case RULE_CLASS_NETWORK:
		if (!net_lines(r, &why))
			return set_status(c, r, "%s", why);
		x->e[0] = strdup("network");
		return x->e[0] ? 0 : -ENOMEM;
	case RULE_CLASS_CAPABILITY: {
		const char *name = rules_capability_to_name(r->capability);

		if (!name)
			return set_status(c, r, "unknown capability %d", r->capability);
		for (const char *p = name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
				return set_status(c, r, "invalid capability name");
		x->e[0] = strdup(name);
		return x->e[0] ? 0 : -ENOMEM;
	}
	default:
		return set_status(c, r, "not supported by AppArmor");
	}
}

static bool rendered(const Ctx *c, const Rule *r)
{
	return c->exprs[r->class][r->index].e[0] != NULL;
}

/* Only characters that cannot end a comment or start a rule reach a comment line. */
static void put_sanitized(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		char ch = *s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("._/:-", ch))
			fputc(ch, f);
		else
			fputc('_', f);
	}
}

static void put_comment(FILE *f, const Rule *r)
{
	fputs("  # ", f);
	put_sanitized(f, r->policy ? r->policy->name : "?");
	if (r->policy && r->policy->file) {
		const char *base = strrchr(r->policy->file, '/');

		fputs(" (", f);
		put_sanitized(f, base ? base + 1 : r->policy->file);
		fprintf(f, ":%u)", r->pos.line);
	}
	fprintf(f, " %s %s %s%s%s\n", rule_class_to_string(r->class),
		rule_match_to_string(r->match), rule_action_to_string(r->action),
		r->read_only ? " readOnly" : "", r->owner_only ? " ownerOnly" : "");
}

static void put_rule(Ctx *c, FILE *f, const Rule *r)
{
	const Exprs *x = &c->exprs[r->class][r->index];
	bool block = r->action == ACTION_BLOCK;

	put_comment(f, r);
	switch (r->class) {
	case RULE_CLASS_FILE:
		for (int i = 0; i < 2 && x->e[i]; i++) {
			const char *e = x->e[i];

			if (r->owner_only && r->read_only) {
				fprintf(f, "  owner %s " PERM_READ ",\n", e);
				fprintf(f, "  audit deny owner %s " PERM_WRITE ",\n", e);
				fprintf(f, "  audit deny other %s " PERM_ALL ",\n", e);
			} else if (r->owner_only) {
				fprintf(f, "  owner %s " PERM_ALL ",\n", e);
				fprintf(f, "  audit deny other %s " PERM_ALL ",\n", e);
			} else if (r->read_only) {
				if (!block)
					fprintf(f, "  %s " PERM_READ ",\n", e);
				fprintf(f, "  audit deny %s " PERM_WRITE ",\n", e);
			} else if (block)
				fprintf(f, "  audit deny %s " PERM_ALL ",\n", e);
			else
				fprintf(f, "  %s " PERM_ALL ",\n", e);
		}
		break;
	case RULE_CLASS_PROCESS:
		for (int i = 0; i < 2 && x->e[i]; i++) {
			const char *e = x->e[i];

			if (r->owner_only) {
				fprintf(f, "  owner %s pix,\n", e);
				fprintf(f, "  audit deny other %s x,\n", e);
			} else if (block)
				fprintf(f, "  audit deny %s x,\n", e);
			else
				fprintf(f, "  %s pix,\n", e);
		}
		break;
	case RULE_CLASS_NETWORK: {
		const char *why;
		const char *const *lines = net_lines(r, &why);

		for (size_t i = 0; lines && lines[i]; i++)
			fprintf(f, "  %snetwork%s,\n", block ? "audit deny " : "", lines[i]);
		break;
	}
	case RULE_CLASS_CAPABILITY:
		fprintf(f, "  %scapability %s,\n", block ? "audit deny " : "", x->e[0]);
		break;
	default:
		break;
	}
}

static bool is_path_match(RuleMatch m)
{
	return m == RULE_MATCH_PATH || m == RULE_MATCH_DIR || m == RULE_MATCH_DIR_RECURSIVE;
}

/* Whether every operation `g` matches is also matched by `s` (so that in a source profile the
 * source's own rule `s` decides instead of the global rule `g`, as in the reference). */
static bool overrides(const Rule *s, const Rule *g)
{
	if (s->class != g->class)
		return false;
	if (s->match == g->match && streq(s->target ?: "", g->target ?: ""))
		return true;
	if (!is_path_match(s->match) || !is_path_match(g->match))
		return false;
	if (s->match == RULE_MATCH_DIR_RECURSIVE)
		return strneq(g->target, s->target, strlen(s->target));
	if (s->match == RULE_MATCH_DIR && g->match == RULE_MATCH_PATH) {
		size_t l = strlen(s->target);

		return strneq(g->target, s->target, l) && !strchr(g->target + l, '/');
	}
	return false;
}

/* Whether the deny lines of Block rule `b` hit operations for which the reference lets the more
 * specific Allow rule `a` decide (AppArmor gives every deny precedence). */
static bool deny_shadows(const Rule *b, const Rule *a)
{
	if (a->class != b->class || a->action != ACTION_ALLOW || b->action != ACTION_BLOCK)
		return false;
	if (a->class == RULE_CLASS_NETWORK)
		return b->net.kind == NET_PROTO_ALL && a->net.kind != NET_PROTO_ALL;
	if (a->class != RULE_CLASS_FILE && a->class != RULE_CLASS_PROCESS)
		return false;
	if (a->match == b->match && streq(a->target, b->target))
		return (a->source != NULL) != (b->source != NULL);
	switch (b->match) {
	case RULE_MATCH_DIR_RECURSIVE:
		return is_path_match(a->match) && strneq(a->target, b->target, strlen(b->target));
	case RULE_MATCH_DIR: {
		size_t l = strlen(b->target);

		return a->match == RULE_MATCH_PATH && strneq(a->target, b->target, l) &&
		       !strchr(a->target + l, '/');
	}
	case RULE_MATCH_PATTERN:
		return a->match == RULE_MATCH_PATH &&
		       fnmatch(b->target, a->target, FNM_PATHNAME) == 0;
	case RULE_MATCH_EXECNAME: {
		const char *base = a->match == RULE_MATCH_PATH ? strrchr(a->target, '/') : NULL;

		return base && streq(base + 1, b->target);
	}
	default:
		return false;
	}
}

/* The rules rendered into the profile of `source` (NULL: the host profile), in class order. */
static int profile_rules(Ctx *c, const char *source, const Rule ***ret, size_t *ret_n)
{
	const Rule **list = NULL;
	size_t n = 0, total = 0;

	for (int k = 0; k < _RULE_CLASS_MAX; k++)
		total += c->rs->classes[k].n_rules;
	list = new0(const Rule *, total);
	if (!list)
		return -ENOMEM;

	for (int k = 0; k < _RULE_CLASS_MAX; k++) {
		const RuleClassSet *cs = &c->rs->classes[k];

		/* The source's own rules first, then the global rules it does not override. */
		for (size_t i = 0; source && i < cs->n_rules; i++)
			if (rendered(c, &cs->rules[i]) && cs->rules[i].source &&
			    streq(cs->rules[i].source, source))
				list[n++] = &cs->rules[i];
		for (size_t i = 0; i < cs->n_rules; i++) {
			const Rule *g = &cs->rules[i];
			bool skip = false;

			if (!rendered(c, g) || g->source)
				continue;
			for (size_t j = 0; source && j < cs->n_rules && !skip; j++) {
				const Rule *s = &cs->rules[j];

				skip = rendered(c, s) && s->source && streq(s->source, source) &&
				       overrides(s, g);
			}
			if (!skip)
				list[n++] = g;
		}
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

static int check_conflicts(Ctx *c, const Rule **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int r;

			if (i == j || !deny_shadows(list[j], list[i]))
				continue;
			r = set_status(
				c, list[i],
				"AppArmor gives deny rules precedence: Block rule of policy '%s' "
				"denies what this more specific Allow rule allows",
				list[j]->policy ? list[j]->policy->name : "?");
			if (r < 0)
				return r;
		}
	return 0;
}

static int put_profile(Ctx *c, FILE *f, const char *name, const char *source)
{
	_cleanup_free_ const Rule **list = NULL;
	size_t n = 0;
	int r;

	r = profile_rules(c, source, &list, &n);
	if (r < 0)
		return r;
	r = check_conflicts(c, list, n);
	if (r < 0)
		return r;

	if (source) {
		Exprs x = {};
		char err[AA_ERROR_MAX];

		r = quote_with_canon(c, source, false, NULL, &x, err);
		if (r < 0)
			return r;
		if (x.e[1]) {
			/* Both spellings attach: "/{a,b}" with each alternative escaped. */
			size_t l0 = strlen(x.e[0]), l1 = strlen(x.e[1]);

			fprintf(f, "profile %s \"/{%.*s,%.*s}\" " FLAGS " {\n", name, (int)(l0 - 3),
				x.e[0] + 2, (int)(l1 - 3), x.e[1] + 2);
		} else
			fprintf(f, "profile %s %s " FLAGS " {\n", name, x.e[0]);
		exprs_done(&x);
	} else
		fprintf(f, "profile %s /** " FLAGS " {\n", name);

	fputs("  # confined processes may not change AppArmor policy (remove this profile)\n"
	      "  audit deny capability mac_admin,\n",
	      f);
	fputs("  # profiles/abstractions/kubearmor/unmediated\n", f);
	fputs(aa_abstraction_unmediated, f);
	if (c->allow_block[RULE_CLASS_FILE]) {
		fputs("  # file: Allow rules with the block posture: only what is allowed below\n",
		      f);
		fputs("  # profiles/abstractions/kubearmor/base\n", f);
		fputs(aa_abstraction_base, f);
	} else
		fputs("  /{,**} " PERM_ALL ",\n", f);
	if (c->allow_block[RULE_CLASS_PROCESS])
		fputs("  # process: Allow rules with the block posture: only what is allowed "
		      "below\n",
		      f);
	else
		fputs("  /{,**} pix,\n", f);
	if (c->allow_block[RULE_CLASS_NETWORK])
		fputs("  # network: Allow rules with the block posture: only what is allowed "
		      "below\n",
		      f);
	else
		fputs("  network,\n", f);
	if (c->allow_block[RULE_CLASS_CAPABILITY])
		fputs("  # capabilities: Allow rules with the block posture: only what is allowed "
		      "below\n",
		      f);
	else
		fputs("  capability,\n", f);

	for (size_t i = 0; i < n; i++)
		put_rule(c, f, list[i]);
	fputs("}\n", f);
	return 0;
}

static int collect_sources(Ctx *c)
{
	for (int k = 0; k < _RULE_CLASS_MAX; k++) {
		const RuleClassSet *cs = &c->rs->classes[k];

		for (size_t i = 0; i < cs->n_rules; i++) {
			const Rule *r = &cs->rules[i];
			char *name;
			int q;

			if (!rendered(c, r) || !r->source || strv_contains(c->sources, r->source))
				continue;
			q = aa_profile_name_for_source(r->source, &name);
			if (q < 0)
				return q;
			q = strv_consume(&c->source_names, name);
			if (q < 0)
				return q;
			q = strv_extend(&c->sources, r->source);
			if (q < 0)
				return q;
		}
	}
	return 0;
}

static int add_info(AaRender *out, const char *name, const char *source)
{
	AaProfileInfo *n = realloc(out->profiles, (out->n_profiles + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	out->profiles = n;
	n[out->n_profiles] =
		(AaProfileInfo){.name = strdup(name), .source = source ? strdup(source) : NULL};
	out->n_profiles++;
	if (!n[out->n_profiles - 1].name || (source && !n[out->n_profiles - 1].source))
		return -ENOMEM;
	return 0;
}

int aa_render_host(const RuleSet *rs, const AaRenderOptions *o, AaRender **ret)
{
	_cleanup_(aa_render_freep) AaRender *out = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *text = NULL;
	size_t text_len = 0;
	Ctx c = {.rs = rs, .o = o};
	int r = 0;

	if (!rs || !rs->index)
		return -EINVAL;
	out = new0(AaRender, 1);
	if (!out)
		return -ENOMEM;
	c.out = out;

	for (int k = 0; k < _RULE_CLASS_MAX; k++) {
		const RuleClassSet *cs = &rs->classes[k];

		out->n_rules[k] = cs->n_rules;
		out->status[k] = new0(RuleEnforcement, cs->n_rules);
		out->reason[k] = new0(char *, cs->n_rules);
		c.exprs[k] = new0(Exprs, cs->n_rules);
		if (!out->status[k] || !out->reason[k] || !c.exprs[k]) {
			r = -ENOMEM;
			goto finish;
		}
		c.allow_block[k] = cs->allow_list && cs->posture == ACTION_BLOCK;
		for (size_t i = 0; i < cs->n_rules; i++) {
			r = prepare_rule(&c, &cs->rules[i], &c.exprs[k][i]);
			if (r < 0)
				goto finish;
		}
	}
	r = collect_sources(&c);
	if (r < 0)
		goto finish;

	f = open_memstream(&text, &text_len);
	if (!f) {
		r = -ENOMEM;
		goto finish;
	}
	fputs("# Generated by kubearmor from the host policies. Do not edit: it is replaced on "
	      "every\n"
	      "# policy change. See kubearmor(8), ENFORCERS.\n"
	      "abi <abi/3.0>,\n"
	      "include <tunables/global>\n\n",
	      f);
	r = put_profile(&c, f, AA_PROFILE_PREFIX, NULL);
	if (r < 0)
		goto finish;
	r = add_info(out, AA_PROFILE_PREFIX, NULL);
	if (r < 0)
		goto finish;
	for (size_t i = 0; c.sources && c.sources[i]; i++) {
		fputc('\n', f);
		r = put_profile(&c, f, c.source_names[i], c.sources[i]);
		if (r < 0)
			goto finish;
		r = add_info(out, c.source_names[i], c.sources[i]);
		if (r < 0)
			goto finish;
	}
	if (fflush(f) != 0 || ferror(f)) {
		r = -ENOMEM;
		goto finish;
	}
	fclose(TAKE_PTR(f));
	out->text = TAKE_PTR(text);
	*ret = TAKE_PTR(out);
	r = 0;
finish:
	for (int k = 0; k < _RULE_CLASS_MAX; k++) {
		for (size_t i = 0; c.exprs[k] && i < rs->classes[k].n_rules; i++)
			exprs_done(&c.exprs[k][i]);
		free(c.exprs[k]);
	}
	strv_free(c.sources);
	strv_free(c.source_names);
	return r;
}

static const char *status_name(RuleEnforcement s)
{
	switch (s) {
	case RULE_ENFORCED:
		return "enforced";
	case RULE_AUDIT_ONLY:
		return "audit-only";
	case RULE_MONITOR_ONLY:
		return "monitor-only";
	default:
		return "?";
	}
}

int aa_render_report(const AaRender *r, const RuleSet *rs, FILE *f)
{
	fputs("\n# Rule status under AppArmor:\n", f);
	for (int c = 0; c < _RULE_CLASS_MAX; c++)
		for (size_t i = 0; i < rs->classes[c].n_rules; i++) {
			const Rule *rule = &rs->classes[c].rules[i];
			const char *reason = NULL;
			RuleEnforcement s = aa_render_rule_status(r, rule, &reason);

			fputs("# ", f);
			put_sanitized(f, rule->policy ? rule->policy->name : "?");
			fprintf(f, ":%u %s %s %s ", rule->pos.line,
				rule_class_to_string(rule->class),
				rule_match_to_string(rule->match),
				rule_action_to_string(rule->action) ?: "?");
			put_sanitized(f, rule->target ?: "-");
			if (rule->source) {
				fputs(" from ", f);
				put_sanitized(f, rule->source);
			}
			fprintf(f, ": %s", status_name(s));
			if (reason) {
				fputs(": ", f);
				/* Reasons quote policy strings: keep them on this comment line. */
				for (const char *p = reason; *p; p++)
					fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
			}
			fputc('\n', f);
		}
	return ferror(f) ? -EIO : 0;
}
