/* SPDX-License-Identifier: Apache-2.0 */
/* aa-quote.c: policy strings → AppArmor path expressions that mean exactly what the policy says. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "enforcer/apparmor/aa-profile.h"

/* Characters AppArmor gives a meaning inside a quoted path: globs, alternation and its separator,
 * variables (@{...}), the escape itself and the closing quote. Each is written as "\c". */
static bool aa_special(char c)
{
	return strchr("\\\"*?[]{}^@,$", c) != NULL;
}

_printf_(2, 3) static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, AA_ERROR_MAX, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Checks what every string reaching a profile must satisfy. */
static int check_common(const char *s, const char *what, char *err)
{
	size_t len;

	if (isempty(s))
		return fail(err, "%s is empty", what);
	len = strlen(s);
	if (len > AA_PATH_MAX)
		return fail(err, "%s is longer than %d bytes", what, AA_PATH_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return fail(err, "%s contains a control character (0x%02x) at byte %zu",
				    what, c, i);
	}
	return 0;
}

int aa_quote_literal(const char *path, const char *suffix, char **ret, char *err)
{
	char *out, *o;
	int r;

	r = check_common(path, "path", err);
	if (r < 0)
		return r;
	if (path[0] != '/')
		return fail(err, "path '%s' is not absolute", path);

	out = malloc(strlen(path) * 2 + (suffix ? strlen(suffix) : 0) + 3);
	if (!out)
		return -ENOMEM;
	o = out;
	*o++ = '"';
	for (const char *p = path; *p; p++) {
		if (aa_special(*p))
			*o++ = '\\';
		*o++ = *p;
	}
	if (suffix) {
		strcpy(o, suffix);
		o += strlen(suffix);
	}
	*o++ = '"';
	*o = 0;
	*ret = out;
	return 0;
}

/* Inside a bracket expression only these characters are accepted, and ranges between them. */
static bool bracket_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._+=:~%# -", c);
}

int aa_quote_glob(const char *pattern, char **ret, char *err)
{
	const char *p = pattern;
	char *out, *o;
	int r;

	r = check_common(pattern, "pattern", err);
	if (r < 0)
		return r;
	/* fnmatch with FNM_PATHNAME: only a pattern starting with a literal '/' can match an
	 * absolute path ('*', '?' and brackets never match '/'). */
	if (pattern[0] != '/')
		return fail(err, "pattern '%s' does not start with '/' and can never match a path",
			    pattern);

	out = malloc(strlen(pattern) * 3 + 3);
	if (!out)
		return -ENOMEM;
	o = out;
	*o++ = '"';
	while (*p) {
		char c = *p;

		if (c == '*') {
			/* Under FNM_PATHNAME "**" is "*": AppArmor's "**" would cross '/'. */
			while (*p == '*')
				p++;
			*o++ = '*';
			continue;
		}
		if (c == '?') {
			*o++ = '?';
			p++;
			continue;
		}
		if (c == '\\') {
			/* fnmatch escape: the next character is a literal. A trailing '\' is
			 * literal. */
			p++;
			c = *p ? *p++ : '\\';
			if (aa_special(c))
				*o++ = '\\';
			*o++ = c;
			continue;
		}
		if (c == '[') {
			const char *q = p + 1, *start;
			bool neg = false;

			if (*q == '!' || *q == '^') {
				neg = true;
				q++;
			}
			start = q;
			if (*q == ']')
				q++; /* a leading ']' is a member */
			while (*q && *q != ']')
				q++;
			if (!*q) {
				/* No closing bracket: fnmatch takes '[' literally. */
				*o++ = '\\';
				*o++ = '[';
				p++;
				continue;
			}
			if (q == start) {
				free(out);
				return fail(err, "pattern '%s': empty bracket expression", pattern);
			}
			*o++ = '[';
			if (neg)
				*o++ = '^';
			for (const char *b = start; b < q; b++) {
				if (*b == '[' && b + 1 < q &&
				    (b[1] == ':' || b[1] == '=' || b[1] == '.')) {
					free(out);
					return fail(err,
						    "pattern '%s': character classes ([:name:]) "
						    "are not "
						    "supported by AppArmor",
						    pattern);
				}
				if (*b == ']' && b == start) {
					*o++ = '\\';
					*o++ = ']';
					continue;
				}
				if (*b == '-' && b > start && b + 1 < q) {
					*o++ = '-';
					continue;
				}
				if (*b == '-') {
					*o++ = '\\';
					*o++ = '-';
					continue;
				}
				if (!bracket_char_ok(*b)) {
					free(out);
					return fail(err,
						    "pattern '%s': character '%c' inside a bracket "
						    "expression is not supported",
						    pattern, *b);
				}
				*o++ = *b;
			}
			*o++ = ']';
			p = q + 1;
			continue;
		}
		if (aa_special(c))
			*o++ = '\\';
		*o++ = c;
		p++;
	}
	*o++ = '"';
	*o = 0;
	*ret = out;
	return 0;
}

static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

int aa_profile_name_for_source(const char *source, char **ret)
{
	char slug[49], *name;
	size_t n = 0;
	bool dash = false;

	for (const char *p = source; *p && n < sizeof(slug) - 1; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (dash && n > 0)
				slug[n++] = '-';
			dash = false;
			if (n < sizeof(slug) - 1)
				slug[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		} else
			dash = true;
	}
	slug[n] = 0;
	if (asprintf(&name, "%s-%s%s%08x", AA_PROFILE_PREFIX, slug, n ? "-" : "", fnv1a32(source)) <
	    0)
		return -ENOMEM;
	*ret = name;
	return 0;
}
