/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yaml-node.h: internal to agent/policy. A small, bounded tree of YAML nodes built from libyaml
 * events by yaml-parse.c (the only file that includes <yaml.h>) and read by validate.c.
 *
 * Contract:
 * - Every node and string lives in the Arena passed to yaml_parse(); freeing the arena frees the
 * tree.
 * - Aliases and anchors never reach the tree: they are errors. Nesting, scalar length and the
 * number of documents are bounded by the limits of policy.h.
 * - Plain scalars are resolved as Kubernetes tooling resolves them (YAML 1.1 core schema: null,
 * bool, int, float, else string); quoted and block scalars are always strings.
 * - Mapping keys are kept in order, duplicates included: the validator reports duplicates with the
 *   field path it knows.
 * - A node whose `bad` flag is set has already been reported (alias, over-long scalar, bad tag);
 * the validator skips it silently.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

typedef struct Arena Arena;

Arena *arena_new(void);
Arena *arena_free(Arena *a);
static inline void arena_freep(Arena **a)
{
	arena_free(*a);
}
/* Zeroed memory from the arena, 8-byte aligned; NULL on OOM. */
void *arena_alloc(Arena *a, size_t size);
char *arena_strndup(Arena *a, const char *s, size_t n);

typedef enum YNodeType {
	YNODE_SCALAR,
	YNODE_MAP,
	YNODE_SEQ,
} YNodeType;

typedef enum YScalarKind {
	YSCALAR_STR,
	YSCALAR_NULL,
	YSCALAR_BOOL,
	YSCALAR_INT,
	YSCALAR_FLOAT,
} YScalarKind;

typedef struct YNode YNode;

typedef struct YPair {
	YNode *key; /* always a scalar */
	YNode *value;
} YPair;

struct YNode {
	YNodeType type;
	bool bad;
	SrcPos pos;

	/* YNODE_SCALAR */
	YScalarKind kind;
	bool quoted; /* written quoted or as a block scalar */
	const char *str;
	size_t len;
	bool bval;
	int64_t ival;

	/* YNODE_MAP */
	YPair *pairs;
	size_t n_pairs;

	/* YNODE_SEQ */
	YNode **items;
	size_t n_items;
};

/* An error found while building the tree: where, the field path, message, hint. */
typedef struct YError {
	SrcPos pos;
	char *field;   /* arena */
	char *message; /* arena */
	char *hint;    /* arena, or NULL */
} YError;

typedef struct YDoc {
	unsigned index; /* 0-based index in the stream, counting empty documents */
	SrcPos pos;
	YNode *root; /* NULL for an empty document */
	YError *errors;
	size_t n_errors;
} YDoc;

typedef struct YStream {
	YDoc *docs;
	size_t n_docs;
	/* A fatal, file-level error (YAML syntax, a limit): parsing stopped there. */
	bool failed;
	SrcPos error_pos;
	char *error;	  /* arena */
	char *error_hint; /* arena, or NULL */
} YStream;

/* Parses `buf` into `ret` (allocated in `a`). Returns 0 (errors are in *ret) or -ENOMEM. */
int yaml_parse(Arena *a, const char *buf, size_t len, YStream *ret);

/* Scalar helpers shared with the validator. */
bool ynode_is_null(const YNode *n);
const char *yscalar_kind_to_string(YScalarKind k);
