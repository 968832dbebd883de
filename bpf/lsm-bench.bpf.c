/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lsm-bench.bpf.c: the BPF-LSM file_open program's matching code, hosted where an LSM program
 * cannot load but in the same place an LSM hook runs: inside the openat() system call, right after
 * its path walk, on behalf of the current task. A tp_btf/sys_exit program takes the file that the
 * benchmark's own openat() has just installed and runs lsm_begin(), lsm_decide_dentry() and
 * lsm_finish() on it, as kubearmor_file_open does before it reports. tests/bench/bench-bpflsm reads
 * the kernel's bpf stats of this program; its maps are the test host's (lsm-test.bpf.c), shared by
 * fd. Needs bpf_rdonly_cast() (6.2): loaded by the benchmark only.
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

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#if defined(__TARGET_ARCH_x86)
#define BENCH_NR_OPENAT	       257
#define BENCH_SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define BENCH_NR_OPENAT	       56
#define BENCH_SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "lsm-bench.bpf.c: openat's number on this architecture"
#endif

__u32 bench_tgid;      /* the benchmark's process: only its openat() calls are decided */
__u32 bench_no_decide; /* 1: stop right before lsm_begin() (the host's own cost) */
__u64 bench_decided;   /* decisions made */
__u64 bench_skipped;   /* openat() calls stopped before the decision (bench_no_decide) */
__u32 bench_verdict;   /* LSM_ACT_* of the last one */

SEC("tp_btf/sys_exit")
int BPF_PROG(lsm_bench_openat, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct lsm_dec dec = {};
	struct lsm_op op = {};
	struct lsm_wl_cfg *cfg;
	struct file *file, **fds;
	void *fp = NULL;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != bench_tgid || ret < 0 ||
	    BENCH_SYSCALL_NR(regs) != BENCH_NR_OPENAT)
		return 0;
	task = bpf_get_current_task_btf();
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (!fds || bpf_probe_read_kernel(&fp, sizeof(fp), fds + (ret & 0xffff)) < 0 || !fp)
		return 0;
	file = bpf_rdonly_cast(fp, bpf_core_type_id_kernel(struct file));
	if (!file)
		return 0;
	if (bench_no_decide) {
		/* the same bookkeeping as a decision (a store to this page), so that it cancels */
		bench_skipped++;
		return 0;
	}
	cfg = lsm_begin(&op, LSM_CLASS_FILE, LSM_ACCESS_READ);
	if (!cfg)
		return 0;
	lsm_decide_dentry(&dec, &op, file->f_path.dentry, file->f_path.mnt);
	lsm_finish(&dec, cfg, LSM_CLASS_FILE);
	bench_verdict = dec.verdict;
	bench_decided++;
	return 0;
}
