/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules-internal.h: the lookup index of a sealed RuleSet, shared by rule-set.c (build) and decide.c
 * (lookups). Not for other modules.
 *
 * Every table is an open-addressing hash keyed by (source, target bytes): `source` is the
 * fromSource executable or NULL for global rules, `target` the exact path, directory (with its
 * trailing '/'), execname, protocol name, capability name or domain. The hash of a target is
 * FNV-1a, so the hash of every prefix of a path falls out of one pass over it (the directory walk
 * uses that).
 */
#pragma once

#include <stdint.h>
#include <string.h>

#include "rules/rules.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

static inline uint64_t fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

static inline uint64_t fnv_str(const char *s)
{
	uint64_t h = FNV_OFFSET;

	while (*s)
		h = fnv_step(h, (unsigned char)*s++);
	return h;
}

/* Hash of the source part: 0 for global rules. */
static inline uint64_t source_hash(const char *src)
{
	return src ? fnv_str(src) | 1 : 0;
}

static inline uint64_t key_hash(uint64_t src_hash, uint64_t target_hash)
{
	uint64_t h = target_hash ^ (src_hash * 0x9e3779b97f4a7c15ULL);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

typedef struct RuleSlot {
	uint64_t hash;
	const char *source; /* NULL = global */
	const char *target;
	size_t target_len;
	const Rule **rules;
	unsigned n_rules, cap_rules;
	bool used;
} RuleSlot;

typedef struct RuleTable {
	RuleSlot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two, 0 slots when empty */
	size_t n;
} RuleTable;

enum {
	PATH_TABLE_PROCESS,
	PATH_TABLE_FILE,
	_PATH_TABLE_MAX,
};

struct RuleIndex {
	/* Process and file rules. One table holds exact paths (key: the path), directories (key:
	 * the directory with its '/') and patterns (key: their literal directory prefix, the part
	 * up to the last '/' before the first glob character: with FNM_PATHNAME a pattern only
	 * matches paths that start with it). So one lookup per directory prefix of a path finds
	 * them all. Patterns without such a prefix are scanned. */
	RuleTable path[_PATH_TABLE_MAX];
	RuleTable execname[_PATH_TABLE_MAX];
	const Rule **patterns[_PATH_TABLE_MAX];
	size_t n_patterns[_PATH_TABLE_MAX];
	RuleTable net, cap, dns;
	RuleTable syscall; /* keyed by syscall name, source NULL; sources checked per rule */
	/* Per class, the fromSource executables that have rules (key: the path, source NULL): a
	 * subject without rules of its own skips every source-qualified lookup. */
	RuleTable sources[_RULE_CLASS_MAX];
	char **owned; /* strings the index allocated (lowercased domains, pattern prefixes) */
};

/* Finds the slot for (source, target[0..len)) with an optional extra '/' after target. */
static inline const RuleSlot *rule_table_find(const RuleTable *t, uint64_t h, const char *source,
					      const char *target, size_t len, bool extra_slash)
{
	size_t full = len + (extra_slash ? 1 : 0);

	if (t->n == 0)
		return NULL;
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const RuleSlot *s = &t->slots[i];

		if (!s->used)
			return NULL;
		if (s->hash != h || s->target_len != full)
			continue;
		if ((s->source == NULL) != (source == NULL))
			continue;
		if (source && s->source != source && strcmp(s->source, source) != 0)
			continue;
		if (memcmp(s->target, target, len) != 0)
			continue;
		if (extra_slash && s->target[len] != '/')
			continue;
		return s;
	}
}
