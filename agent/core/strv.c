/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "strv.h"

char **strv_free(char **l)
{
	if (!l)
		return NULL;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
	return NULL;
}

size_t strv_length(char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

int strv_consume(char ***l, char *s)
{
	size_t n = strv_length(*l);
	char **nl;

	nl = realloc(*l, (n + 2) * sizeof(char *));
	if (!nl)
		return -ENOMEM;
	nl[n] = s;
	nl[n + 1] = NULL;
	*l = nl;
	return 0;
}

int strv_extend(char ***l, const char *s)
{
	char *c = strdup(s);
	int r;

	if (!c)
		return -ENOMEM;
	r = strv_consume(l, c);
	if (r < 0)
		free(c);
	return r;
}

bool strv_contains(char *const *l, const char *s)
{
	STRV_FOREACH(p, l)
	if (streq(*p, s))
		return true;
	return false;
}

char **strv_copy(char *const *l)
{
	size_t n = strv_length(l);
	char **c = new0(char *, n + 1);

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(l[i]);
		if (!c[i])
			return strv_free(c);
	}
	return c;
}

char *strv_join(char *const *l, const char *sep)
{
	size_t len = 1, k = strlen(sep), n = strv_length(l);
	char *r, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(l[i]) + (i ? k : 0);
	r = malloc(len);
	if (!r)
		return NULL;
	p = r;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			memcpy(p, sep, k);
			p += k;
		}
		size_t m = strlen(l[i]);
		memcpy(p, l[i], m);
		p += m;
	}
	*p = 0;
	return r;
}
