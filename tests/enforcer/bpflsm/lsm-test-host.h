/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsm-test-host.h: drives bpf/lsm-test.bpf.c, the task_file iterator that runs the BPF-LSM matcher
 * on this process's open files, so the maps built from a RuleSet can be checked (and timed) where
 * BPF-LSM programs cannot load. Used by the enforcer tests and the benchmark.
 */
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "enforcer/bpflsm/bpflsm.h"
#include "lsm-test.skel.h"

typedef struct TestHost {
	struct lsm_test_bpf *skel;
	struct bpf_link *decide, *emit;
} TestHost;

static inline void th_close(TestHost *t)
{
	bpf_link__destroy(t->decide);
	bpf_link__destroy(t->emit);
	lsm_test_bpf__destroy(t->skel);
	*t = (TestHost){};
}

static inline struct bpf_link *th_attach_pid(struct bpf_program *prog, pid_t pid)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = {};

	linfo.task.tid = (__u32)pid;
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	return bpf_program__attach_iter(prog, &opts);
}

static inline struct bpf_link *th_attach(struct bpf_program *prog)
{
	return th_attach_pid(prog, getpid());
}

/* 0, or -errno when the kernel lacks what the host needs (callers skip). */
static inline int th_open(TestHost *t)
{
	*t = (TestHost){};
	t->skel = lsm_test_bpf__open_and_load();
	if (!t->skel)
		return -errno;
	t->decide = th_attach(t->skel->progs.lsm_test_decide);
	t->emit = th_attach(t->skel->progs.lsm_test_emit);
	if (!t->decide || !t->emit) {
		int r = -errno;

		th_close(t);
		return r;
	}
	t->skel->bss->req.tgid = (__u32)getpid();
	t->skel->bss->req.subject_fd = -1;
	t->skel->bss->req.only_fd = -1;
	/* the root directory, as the enforcer records it (no agent: tgid 0) */
	{
		struct lsm_self self = {};
		__u32 zero = 0;

		lsm_self_root(&self);
		if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.lsm_self), &zero, &self,
					BPF_ANY) < 0) {
			int r = -errno;

			th_close(t);
			return r;
		}
	}
	return 0;
}

static inline LsmMapFds th_maps(const TestHost *t)
{
	return (LsmMapFds){
		.rules = bpf_map__fd(t->skel->maps.lsm_rules),
		.name_rules = bpf_map__fd(t->skel->maps.lsm_name_rules),
		.dirs = bpf_map__fd(t->skel->maps.lsm_dirs),
		.srcs = bpf_map__fd(t->skel->maps.lsm_srcs),
		.wl = bpf_map__fd(t->skel->maps.lsm_wl),
		.filter = bpf_map__fd(t->skel->maps.lsm_filter),
	};
}

static inline int th_apply(TestHost *t, const RuleSet *rs)
{
	LsmMapFds m = th_maps(t);

	return lsm_maps_apply(&m, LSM_WL_HOST, rs, NULL);
}

/* Runs one iterator pass (every open fd of this process is decided, or emitted). */
static inline int th_run(struct bpf_link *link)
{
	char buf[64];
	int fd = bpf_iter_create(bpf_link__fd(link)), n;

	if (fd < 0)
		return -errno;
	while ((n = (int)read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Decides request `req` (class, access, ...) for open file `fd`. */
static inline int th_decide(TestHost *t, int fd, struct lsm_test_result *ret)
{
	__u32 key = (__u32)fd;
	int r;

	(void)bpf_map_delete_elem(bpf_map__fd(t->skel->maps.lsm_test_results), &key);
	t->skel->bss->req.only_fd = fd;
	r = th_run(t->decide);
	t->skel->bss->req.only_fd = -1;
	if (r < 0)
		return r;
	return RET_NERRNO(
		bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.lsm_test_results), &key, ret));
}
