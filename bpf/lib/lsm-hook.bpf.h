/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsm-hook.bpf.h: what every BPF-LSM program does around the matcher: find the workload, skip the
 * agent itself, describe the subject (struct lsm_op), and report a verdict in lsm_events. Shared
 * with the test host so that event rendering is tested where LSM programs cannot load. BPF-only.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "agent-abi.h"
#include "lsm-maps.bpf.h"
#include "lsm-match.bpf.h"

#include <asm-generic/errno-base.h>

/* Kernel macros that BTF does not carry (include/linux/fs.h, sched.h, security.h); stable ABI bits.
 */
#define FMODE_WRITE	0x2
#define FMODE_EXEC	0x20
#define PF_KTHREAD	0x00200000
#define CAP_OPT_NOAUDIT 0x2

/* The workload of the current task and its switches; NULL when nothing is enforced for it. Only the
 * host exists for now; containers will be found here by cgroup id. */
static __always_inline struct lsm_wl_cfg *lsm_workload(__u32 *ret_wl_id)
{
	__u32 id = LSM_WL_HOST;
	struct lsm_wl_cfg *cfg = bpf_map_lookup_elem(&lsm_wl, &id);

	if (!cfg || !(cfg->flags & LSM_WF_ACTIVE))
		return NULL;
	*ret_wl_id = id;
	return cfg;
}

static __always_inline int lsm_is_self(struct task_struct *task)
{
	__u32 zero = 0;
	struct lsm_self *self = bpf_map_lookup_elem(&lsm_self, &zero);

	__u64 ticks;

	if (!self || !self->tgid || !self->tick_ns)
		return 0;
	if (BPF_CORE_READ(task, tgid) != self->tgid)
		return 0;
	ticks = BPF_CORE_READ(task, group_leader, start_boottime) / self->tick_ns;
	return ticks == self->start_ticks;
}

/* Sets up `op` for the current task; returns the config or NULL (not mediated). The agent's own
 * process is recognised only when a verdict is not Allow (lsm_exempt), off the hot path. */
static __always_inline struct lsm_wl_cfg *lsm_begin(struct lsm_op *op, __u8 class, __u8 access)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lsm_wl_cfg *cfg;
	__u32 wl_id = 0;

	cfg = lsm_workload(&wl_id);
	if (!cfg)
		return NULL;
	op->wl = (wl_id << 1) | (cfg->gen & 1);
	op->wflags = cfg->flags;
	op->uid = (__u32)bpf_get_current_uid_gid();
	op->class = class;
	op->access = access;
	if (cfg->flags & LSM_WF_PTS)
		op->tty = task->signal->tty != NULL;
	/* the subject's source: resolved when a candidate key needs it (lsm_need_src) */
	op->src_done = (__u8)lsm_opaque_zero;
	return cfg;
}

static __always_inline void lsm_emit(const struct lsm_op *op, const struct lsm_dec *dec, __u32 hook,
				     struct dentry *dentry, struct vfsmount *mnt, int domain,
				     int type, int protocol, int cap, int retval)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct lsm_evt *e;

	e = bpf_ringbuf_reserve(&lsm_events, sizeof(*e), 0);
	if (!e) {
		lsm_stat_inc(LSM_STAT_DROP_RINGBUF);
		return;
	}
	e->hdr.ktime_ns = bpf_ktime_get_ns();
	e->hdr.cgroup_id = bpf_get_current_cgroup_id();
	e->hdr.size = sizeof(*e);
	e->hdr.type = AGENT_EVT_LSM;
	e->hdr.version = AGENT_EVT_LSM_VERSION;
	e->ino = 0;
	e->dev = 0;
	e->start_ns = BPF_CORE_READ(task, group_leader, start_time);
	e->wl = op->wl;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = op->uid;
	e->rule = dec->rule;
	e->retval = retval;
	e->hook = hook;
	e->flags = op->tty ? LSM_EF_TTY : 0;
	e->domain = domain;
	e->type = type;
	e->protocol = protocol;
	e->cap = cap;
	e->class = op->class;
	e->action = dec->verdict;
	e->decider = dec->decider;
	e->access = op->access;
	e->path_len = 0;
	e->subject_len = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (dentry) {
		struct inode *inode = BPF_CORE_READ(dentry, d_inode);

		if (inode)
			e->ino = BPF_CORE_READ(inode, i_ino);
		e->dev = lsm_dev(dentry);
		e->path_len = lsm_render_path(dentry, mnt, e->path, &e->flags, LSM_EF_PATH_TRUNC);
	}
	if (exe)
		e->subject_len = lsm_render_path(BPF_CORE_READ(exe, f_path.dentry),
						 BPF_CORE_READ(exe, f_path.mnt), e->subject,
						 &e->flags, LSM_EF_SUBJECT_TRUNC);
	bpf_ringbuf_submit(e, 0);
	lsm_stat_inc(LSM_STAT_EVENTS);
}

/* Whether a non-Allow verdict must be dropped because the agent itself acts. */
static __always_inline int lsm_exempt(void)
{
	return lsm_is_self((struct task_struct *)bpf_get_current_task());
}
