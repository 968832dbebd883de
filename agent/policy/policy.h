/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h: KubeArmor policy files → validated Policy models (model.h), with every error located.
 *
 * Contract:
 * - policy_file_load() reads one file (multi-document YAML) and returns a PolicyFile in every case
 * but out-of-memory: I/O problems, YAML syntax errors, limit violations and CRD violations are
 * recorded as PolicyError entries, never as a negative return. It never enforces half a file:
 * callers apply a file only when policy_file_ok() is true (all documents valid).
 * - Every error names the file, line, column, the field path
 * ("spec.process.matchDirectories[1].dir"), what was found, what was expected, and a hint where the
 * fix is obvious.
 * - `kubearmor validate` and the daemon both call policy_file_load(): the verdict is the same.
 * - Nothing here logs. Nothing here knows about the kernel.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Limits on input. Each is enforced by the parser and has a test. */
#define POLICY_MAX_FILE_SIZE (1024 * 1024) /* bytes per policy file */
#define POLICY_MAX_DOCUMENTS 256	   /* YAML documents per file */
/* rules per policy, all classes, after comma expansion; a rule counts once per fromSource entry */
#define POLICY_MAX_RULES	4096
#define POLICY_MAX_STRING	4096 /* bytes in any scalar */
#define POLICY_MAX_DEPTH	32   /* nesting of mappings/sequences */
#define POLICY_MAX_ERRORS	1000 /* errors recorded per file before "too many errors" */
#define POLICY_MAX_PATH		200  /* CRD maxLength of paths (file/exec/fromSource) */
#define POLICY_MAX_NAME		253  /* metadata.name (Kubernetes object name) */
#define POLICY_MAX_ALLOWED_ARGS 20   /* CRD maxItems of allowedArgs */
#define POLICY_MAX_TAGS		64   /* tags per list (copied into every rule inheriting them) */
#define POLICY_MAX_WARNINGS	100  /* warnings recorded per document */

typedef struct PolicyError {
	unsigned line;	 /* 1-based, 0 = whole file */
	unsigned column; /* 1-based, 0 = unknown */
	char *field;	 /* "spec.file.matchPaths[0].path", or NULL for file-level errors */
	char *message;	 /* what was found and what was expected */
	char *hint;	 /* a likely fix, or NULL */
} PolicyError;

typedef struct PolicyDoc {
	unsigned index; /* 0-based document index in the file */
	unsigned line;	/* where the document starts */
	char *kind;	/* the `kind` as written, or NULL */
	char *name;	/* metadata.name as written, or NULL */
	Policy *policy; /* the validated policy, NULL when the document has errors */
	PolicyError *errors;
	size_t n_errors;
	/* Findings that do not make the document invalid (e.g. a host policy whose nodeSelector can
	 * never match a host). Same shape as errors. */
	PolicyError *warnings;
	size_t n_warnings;
} PolicyDoc;

typedef struct PolicyFile {
	char *path;
	PolicyDoc *docs;
	size_t n_docs;
	PolicyError
		*errors; /* file-level errors: I/O, not a regular file, size, YAML syntax, limits */
	size_t n_errors;
} PolicyFile;

/* Reads and validates `path`. Returns 0 and *ret (possibly holding errors), or -ENOMEM. */
int policy_file_load(const char *path, PolicyFile **ret);

/* The same for a buffer already in memory; `name` is used in error messages. */
int policy_file_parse_buffer(const char *name, const char *buf, size_t len, PolicyFile **ret);

/* True when the file and every document in it are valid (an empty file is valid and holds nothing).
 */
bool policy_file_ok(const PolicyFile *f);

/* Total errors, file-level plus per document. */
size_t policy_file_error_count(const PolicyFile *f);

/* Total warnings of all documents. */
size_t policy_file_warning_count(const PolicyFile *f);

/* "FILE:LINE:COL: FIELD: MESSAGE (hint: HINT)", leaving out what is unknown. NULL on OOM. */
char *policy_error_to_string(const char *file, const PolicyError *e);

/* The policy files of a directory: the names ending in ".yaml" or ".yml" directly in it (hidden
 * names, starting with '.', are left out), sorted bytewise, as "DIR/NAME". Entries are not filtered
 * by type: policy_file_load() reports one that is not a regular file. Returns 0 and a strv
 * (possibly empty, never NULL), or -errno. */
int policy_dir_list(const char *dir, char ***ret);

PolicyFile *policy_file_free(PolicyFile *f);
static inline void policy_file_freep(PolicyFile **f)
{
	policy_file_free(*f);
}
