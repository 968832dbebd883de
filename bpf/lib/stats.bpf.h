/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats.bpf.h: the per-CPU counters every program bumps instead of failing silently. Index = enum
 * agent_stat, value = __u64 per CPU; user space sums the CPUs. BPF-only.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "agent-abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, _AGENT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void agent_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}
