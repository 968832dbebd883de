/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy-store.h: the policy directory and the policies in force.
 *
 * Contract:
 * - Files are the directory's `*.yaml` and `*.yml` entries not starting with '.'; subdirectories
 * are not scanned. Files are handled in name order (C locale).
 * - Each file applies atomically: all its documents or, when any has an error, none of its new
 *   content. A file that breaks, or is refused, keeps its last good version in force; a removed
 * file takes its policies out.
 * - A file is refused (as sshd's StrictModes does) when it is not a regular file, is not owned by
 * root (or the agent's own uid), is writable by group or others, is a symlink resolving outside the
 *   directory, or when the directory itself is not owned by root or is writable by group or others.
 *   Checks use fstat() on the opened descriptor (openat2 RESOLVE_BENEATH, O_NONBLOCK), never a
 * path.
 * - A file still open for writing (a read lease cannot be taken) is left alone until it is closed.
 * - A policy is identified by (kind, namespace, name). When a file defines a policy another file
 *   already has in force, the later file is in error ("already defined in 'a.yaml'"); at start-up
 *   "later" means later in name order. Such a file is retried whenever the set in force changes.
 * - Changes seen by inotify are debounced (POLICY_STORE_DEBOUNCE_USEC) and applied in one batch;
 * the generation counter goes up once per batch that changed the set in force, and the change
 * callback runs then. A missing directory keeps the set in force and is watched until it comes
 * back.
 * - The store logs its decisions (which file, where, why) with core/log.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>

#include "policy/policy.h"

#define POLICY_STORE_MAX_FILES	    4096
#define POLICY_STORE_DEBOUNCE_USEC  (10 * 1000ULL)
#define POLICY_STORE_DIR_RETRY_USEC (500 * 1000ULL) /* polling for a missing directory */

typedef enum StoreFileState {
	STORE_FILE_OK,	    /* its current content is in force */
	STORE_FILE_ERROR,   /* its current content has errors */
	STORE_FILE_REFUSED, /* not read: ownership, mode, type, symlink, limits */
	_STORE_FILE_STATE_MAX,
} StoreFileState;

typedef struct StoreFile {
	char *name; /* file name inside the directory */
	StoreFileState state;
	char **messages;  /* why it is in error or refused (empty when OK) */
	PolicyFile *good; /* the version in force, or NULL */
	uint64_t good_generation;
	uint64_t good_realtime_usec;	/* when `good` was applied */
	uint64_t checked_realtime_usec; /* when it was last read (or refused) */
	struct stat st;			/* of the last attempt, to notice changes on rescans */
	bool have_st;
	bool conflict; /* in error only because another file has the same policy */
	bool seen;     /* scratch for rescans */
} StoreFile;

typedef struct PolicyStore PolicyStore;
typedef void (*PolicyStoreChanged)(PolicyStore *s, void *userdata);

int policy_store_new(const char *dir, PolicyStore **ret);
PolicyStore *policy_store_free(PolicyStore *s);
static inline void policy_store_freep(PolicyStore **s)
{
	policy_store_free(*s);
}

/* Starts watching the directory with inotify on `e`; `cb` runs after each batch that changed the
 * set in force (not for the initial scan). */
int policy_store_attach_event(PolicyStore *s, sd_event *e, PolicyStoreChanged cb, void *userdata);

/* Scans the directory now. `force` re-reads every file (SIGHUP); otherwise only files whose stat
 * changed. Returns 1 when the set in force changed (the generation went up), 0 if not, -errno only
 * for out-of-memory. Does not run the callback. */
int policy_store_rescan(PolicyStore *s, bool force);

/* Points the store at another directory (configuration reload) and rescans it. */
int policy_store_set_dir(PolicyStore *s, const char *dir);

const char *policy_store_dir(const PolicyStore *s);
bool policy_store_dir_present(const PolicyStore *s);
uint64_t policy_store_generation(const PolicyStore *s);
size_t policy_store_n_files(const PolicyStore *s);
const StoreFile *policy_store_file(const PolicyStore *s, size_t i); /* name order */
const StoreFile *policy_store_find(const PolicyStore *s, const char *name);

/* The policies in force of `kind`, in file then document order. *ret is a malloc'ed array of
 * borrowed pointers valid until the next rescan; free() it. */
int policy_store_policies(const PolicyStore *s, PolicyKind kind, const Policy ***ret,
			  size_t *ret_n);
/* Count of policies in force, all kinds. */
size_t policy_store_n_policies(const PolicyStore *s);

const char *store_file_state_to_string(StoreFileState st); /* "ok", "error", "refused" */
