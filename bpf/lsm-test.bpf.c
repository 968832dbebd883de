/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lsm-test.bpf.c: a host for the BPF-LSM matcher where LSM programs cannot load. A task_file
 * iterator bound to one process runs the very same lib/lsm-match.bpf.h decision for each of its
 * open files (and, for network and capability requests, on the request alone), and stores the
 * verdict per fd. Tests use it to check the maps built from a RuleSet against the reference
 * decision; the benchmark reads the kernel's bpf stats (run time / run count) of this program: one
 * run = one mediated operation.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "agent-abi.h"
#include "lib/lsm-maps.bpf.h"
#include "lib/lsm-match.bpf.h"
#include "lib/lsm-hook.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct lsm_test_req req = {};

/* fd -> verdict of the last run */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct lsm_test_result);
} lsm_test_results SEC(".maps");

SEC("iter/task_file")
int lsm_test_decide(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct lsm_test_result res = {};
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	struct lsm_wl_cfg *cfg;
	__u32 fd = ctx->fd, id = LSM_WL_HOST;

	if (!task || !file || task->tgid != req.tgid || (int)fd == req.subject_fd)
		return 0;
	if (req.only_fd >= 0 && (int)fd != req.only_fd)
		return 0;
	if (req.no_decide)
		return 0;
	cfg = bpf_map_lookup_elem(&lsm_wl, &id);
	if (!cfg || !(cfg->flags & LSM_WF_ACTIVE))
		return 0;
	op.wl = (id << 1) | (cfg->gen & 1);
	op.wflags = cfg->flags;
	op.uid = task->cred->uid.val;
	op.class = req.class;
	op.access = req.access;
	op.tty = req.tty != 0;
	if (req.subject_fd >= 0) {
		/* the subject's executable, opened by the test at subject_fd */
		struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
		struct file *sf = NULL;

		bpf_probe_read_kernel(&sf, sizeof(sf), fds + (req.subject_fd & 0xffff));
		op.subj_ino = BPF_CORE_READ(sf, f_inode, i_ino);
		op.subj_dev = BPF_CORE_READ(sf, f_inode, i_sb, s_dev);
	} else {
		struct mm_struct *mm = task->mm;

		lsm_file_ident(mm ? mm->exe_file : NULL, &op.subj_ino, &op.subj_dev);
	}
	/* the iterated task is not the current one: its executable is the subject */
	op.subj_set = 1;
	op.src_done = (__u8)lsm_opaque_zero;

	switch (req.class) {
	case LSM_CLASS_PROCESS:
	case LSM_CLASS_FILE:
		lsm_decide_dentry(&dec, &op, file->f_path.dentry, file->f_path.mnt);
		break;
	case LSM_CLASS_NETWORK:
		lsm_decide_socket(&dec, &op, req.domain, req.type, req.protocol);
		break;
	case LSM_CLASS_CAPABILITY:
		lsm_decide_cap(&dec, &op, req.cap);
		break;
	default:
		return 0;
	}
	lsm_finish(&dec, cfg, req.class);
	res.verdict = dec.verdict;
	res.decider = dec.decider;
	res.rule = dec.rule;
	if (req.no_result)
		return 0;
	bpf_map_update_elem(&lsm_test_results, &fd, &res, BPF_ANY);
	return 0;
}

/* Renders an event for each open file of req.tgid (the decision of the last lsm_test_decide run for
 * that fd as its verdict), as the LSM programs do: tests read lsm_events to check paths and fields.
 */
SEC("iter/task_file")
int lsm_test_emit(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct lsm_test_result *res;
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	__u32 fd = ctx->fd;

	if (!task || !file || task->tgid != req.tgid || (int)fd == req.subject_fd)
		return 0;
	res = bpf_map_lookup_elem(&lsm_test_results, &fd);
	if (!res)
		return 0;
	op.uid = task->cred->uid.val;
	op.class = req.class;
	op.access = req.access;
	dec.verdict = res->verdict;
	dec.decider = res->decider;
	dec.rule = res->rule;
	lsm_emit(&op, &dec, LSM_HOOK_TEST, BPF_CORE_READ(file, f_path.dentry),
		 BPF_CORE_READ(file, f_path.mnt), 0, 0, 0, 0, 0);
	return 0;
}
