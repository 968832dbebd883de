/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc-tree.h: the monitor's process tree, keyed by host tgid. Fed by exec/fork/exit records and
 * seeded from /proc, so events can name a process (and its parent) even after it exited. Bounded:
 * at most `max` entries; exited entries stay for `grace_usec` and are evicted after that (or
 * earlier, oldest first, when the tree is full). Not thread-safe; no logging. Internal to
 * agent/monitor.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent-abi.h"

typedef struct ProcTree ProcTree;

typedef struct ProcEntry {
	uint32_t pid;
	uint32_t ppid;
	uint64_t start_ns;    /* CLOCK_MONOTONIC ns; 0 when seeded from /proc */
	uint64_t exited_usec; /* CLOCK_MONOTONIC µs of the exit; 0 while alive */
	char comm[AGENT_COMM_LEN + 1];
	char *exe;  /* never NULL; "" if unknown */
	char *args; /* arguments after argv[0], space-joined; never NULL */

	/* private */
	struct ProcEntry *hnext;
	struct ProcEntry *xprev, *xnext;
} ProcEntry;

int proc_tree_new(ProcTree **ret, size_t max, uint64_t grace_usec);
ProcTree *proc_tree_free(ProcTree *t);
static inline void proc_tree_freep(ProcTree **t)
{
	if (*t)
		proc_tree_free(*t);
}

ProcEntry *proc_tree_get(ProcTree *t, uint32_t pid);

/*
 * Insert or update @pid (an exec, or a process found in /proc). Copies the strings; NULL keeps the
 * old value (or "" for a new entry). A pid seen again after its exit is a new process: it is
 * revived. Returns 0 or -ENOMEM / -ENOSPC (tree full of live processes).
 */
int proc_tree_set(ProcTree *t, uint32_t pid, uint32_t ppid, uint64_t start_ns, const char *comm,
		  const char *exe, const char *args, ProcEntry **ret);

/* @child starts as a copy of @parent (same exe and args until it execs). */
int proc_tree_fork(ProcTree *t, uint32_t parent, uint32_t child, uint64_t child_start_ns);

/* Mark @pid exited at @now_usec; it stays readable for the grace period. */
void proc_tree_exit(ProcTree *t, uint32_t pid, uint64_t now_usec);

/* Evict exited entries older than the grace period. Returns how many. */
size_t proc_tree_gc(ProcTree *t, uint64_t now_usec);

/* Read one process from @proc_root (normally "/proc") into the tree. -ENOENT if it is gone. */
int proc_tree_load_proc(ProcTree *t, const char *proc_root, uint32_t pid, ProcEntry **ret);

/* Add every process in @proc_root. Returns the number added or -errno. */
int proc_tree_seed(ProcTree *t, const char *proc_root);

size_t proc_tree_size(const ProcTree *t);
uint64_t proc_tree_evicted(const ProcTree *t);
uint64_t proc_tree_refused(const ProcTree *t);

/* Join the NUL-separated argument area @area (@len bytes) after argv[0] with spaces. NULL on OOM.
 */
char *proc_tree_join_args(const char *area, size_t len);
