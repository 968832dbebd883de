/* SPDX-License-Identifier: Apache-2.0 */
/* strv.h: NULL-terminated string vectors, owned with _cleanup_strv_free_. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "macro.h"

char **strv_free(char **l);
static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
/* Appends a copy of s. Returns 0 or -ENOMEM (l unchanged on failure). */
int strv_extend(char ***l, const char *s);
/* Appends s itself, taking ownership on success. */
int strv_consume(char ***l, char *s);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);
/* Joins with sep; returns NULL on OOM. An empty or NULL list gives "". */
char *strv_join(char *const *l, const char *sep);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
