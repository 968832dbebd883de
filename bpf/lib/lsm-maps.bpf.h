/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsm-maps.bpf.h: the maps of the BPF-LSM enforcer, shared by the LSM programs (lsm.bpf.c) and the
 * matcher's test host (lsm-test.bpf.c). Keys and values are described in agent-abi.h. The hash maps
 * are not preallocated: they are sized for 10,000s of rules, and most hosts use a few dozen.
 * BPF-only.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "agent-abi.h"

/* Rules: (workload+generation, class, kind, identity, source) -> the rules on that key. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lsm_rule_key);
	__type(value, struct lsm_rule_val);
} lsm_rules SEC(".maps");

/* NAME and EXECNAME keys -> their rules and component (the component rules out hash collisions). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_NAMES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lsm_rule_key);
	__type(value, struct lsm_name_rule_val);
} lsm_name_rules SEC(".maps");

/* Directories that carry DIR keys or hold NAME keys (LSM_DF_*): user space's record, from which it
 * recomputes lsm_filter; the programs do not read it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_DIRS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lsm_inode_key);
	__type(value, __u32);
} lsm_dirs SEC(".maps");

/* fromSource executables by inode -> source id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LSM_SRCS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lsm_inode_key);
	__type(value, __u32);
} lsm_srcs SEC(".maps");

/* Which identities the maps above hold (agent-abi.h: struct lsm_filter); one element, page-aligned
 * (mmapable arrays are), so that each LSM_FILTER_BLOCK of slots is one page. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lsm_filter);
} lsm_filter SEC(".maps");

/* Per-workload switches and postures; index = workload id (0 = host). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LSM_WL_MAX);
	__type(key, __u32);
	__type(value, struct lsm_wl_cfg);
} lsm_wl SEC(".maps");

/* The agent itself (index 0). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsm_self);
} lsm_self SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LSM_EVENTS_BYTES);
} lsm_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, _LSM_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lsm_stats SEC(".maps");

/* Per-CPU scratch: a component name and the path being rendered (filled from the middle backwards,
 * so that every variable offset the verifier sees stays inside the value). */
#define LSM_SCRATCH_PATH (2 * LSM_EVT_PATH_MAX)
struct lsm_scratch {
	char name[LSM_NAME_MAX];
	char path[LSM_SCRATCH_PATH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsm_scratch);
} lsm_scratch SEC(".maps");

/*
 * Zero at run time, unknown to the verifier. Kernels before 6.7 verify a bpf_loop() callback once,
 * with the caller's initial values, and then prune the branches those constants rule out (distance
 * 0 makes "distance == 1" dead code). Every loop state that changes across iterations starts from
 * this value, so that no branch of the callback is judged unreachable. Fixed upstream by "bpf:
 * verify callbacks as if they are called unknown number of times" (6.7).
 */
volatile __u32 lsm_opaque_zero;

static __always_inline void lsm_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&lsm_stats, &idx);

	if (v)
		*v += 1;
}
