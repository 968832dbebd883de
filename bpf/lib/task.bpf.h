/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task.bpf.h: who is acting. Fills struct agent_task for the current task with CO-RE reads only, so
 * the same object runs on every kernel with BTF (6.1 in the VM tier, 6.18 on development machines).
 * BPF-only: never included by agent/.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "agent-abi.h"

/*
 * struct pid ends in a flexible array `numbers[]` indexed by the namespace level. CO-RE cannot
 * relocate a variable index, so the element address is built from the relocated offset of `numbers`
 * and the relocated size of struct upid; the level is bounded for the verifier (MAX_PID_NS_LEVEL is
 * 32).
 */
static __always_inline int agent_pid_upid(struct pid *pid, __u32 level, struct upid *ret)
{
	__u64 off = bpf_core_field_offset(struct pid, numbers);
	__u64 sz = bpf_core_type_size(struct upid);

	if (!pid || level > 32)
		return -1;
	return bpf_probe_read_kernel(ret, sizeof(*ret), (void *)pid + off + (__u64)level * sz);
}

/*
 * bpf_get_current_task_btf() gives a BTF-typed pointer: fields are read with direct loads (the
 * verifier turns them into fault-tolerant PROBE_MEM loads) instead of one bpf_probe_read_kernel()
 * helper call per level, which is most of the cost of this function otherwise. Needs 5.11.
 */
static __always_inline void agent_fill_task(struct agent_task *t)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = task->real_parent;
	struct pid *pid = leader->thread_pid;
	struct pid *ppid = parent->group_leader->thread_pid;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 level = pid->level;
	__u32 plevel = ppid->level;
	struct upid up = {};

	t->start_ns = leader->start_time;
	t->pid = pid_tgid >> 32;
	t->tid = (__u32)pid_tgid;
	t->ppid = parent->tgid;
	t->uid = (__u32)uid_gid;
	t->gid = uid_gid >> 32;
	t->euid = task->cred->euid.val;
	t->ns_pid = 0;
	t->ns_ppid = 0;
	t->pidns = 0;
	if (agent_pid_upid(pid, level, &up) == 0) {
		t->ns_pid = up.nr;
		t->pidns = BPF_CORE_READ(up.ns, ns.inum);
	}
	/* The parent has a number in our namespace only if it lives in it or below it. */
	if (plevel >= level && agent_pid_upid(ppid, level, &up) == 0)
		t->ns_ppid = up.nr;
	t->mntns = task->nsproxy->mnt_ns->ns.inum;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
}
