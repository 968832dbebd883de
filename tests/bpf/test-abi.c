/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ABI check (no root): the layout clang -target bpf gave every agent-abi.h struct (read from the
 * BTF of bpf/abi-check.bpf.o) must equal the host compiler's: same size, same members at the same
 * offsets.
 */
#include <stddef.h>
#include <string.h>

#include <bpf/btf.h>

#include "check-helpers.h"
#include "agent-abi.h"

typedef struct Member {
	const char *name;
	size_t offset;
} Member;

typedef struct Layout {
	const char *name;
	size_t size;
	const Member *members;
	size_t n;
} Layout;

#define M(s, f)                           \
	{                                 \
#f, offsetof(struct s, f) \
	}
#define L(s, arr)                                          \
	{                                                  \
#s, sizeof(struct s), arr, ELEMENTSOF(arr) \
	}

static const Member hdr[] = {M(agent_evt_hdr, ktime_ns), M(agent_evt_hdr, cgroup_id),
			     M(agent_evt_hdr, size), M(agent_evt_hdr, type),
			     M(agent_evt_hdr, version)};
static const Member task[] = {
	M(agent_task, start_ns), M(agent_task, pid),   M(agent_task, tid),   M(agent_task, ppid),
	M(agent_task, uid),	 M(agent_task, euid),  M(agent_task, gid),   M(agent_task, ns_pid),
	M(agent_task, ns_ppid),	 M(agent_task, pidns), M(agent_task, mntns), M(agent_task, comm)};
static const Member common[] = {M(agent_evt_common, hdr), M(agent_evt_common, task)};
static const Member exec_[] = {
	M(agent_evt_exec, c),	      M(agent_evt_exec, old_pid),      M(agent_evt_exec, flags),
	M(agent_evt_exec, args_size), M(agent_evt_exec, filename_len), M(agent_evt_exec, args_len),
	M(agent_evt_exec, data)};
static const Member exit_[] = {M(agent_evt_exit, c), M(agent_evt_exit, exit_code),
			       M(agent_evt_exit, pad)};
static const Member fork_[] = {M(agent_evt_fork, c), M(agent_evt_fork, child_start_ns),
			       M(agent_evt_fork, child_pid), M(agent_evt_fork, pad)};
static const Member sys[] = {
	M(agent_evt_sys, c),	      M(agent_evt_sys, ret),	    M(agent_evt_sys, args),
	M(agent_evt_sys, syscall_nr), M(agent_evt_sys, flags),	    M(agent_evt_sys, op),
	M(agent_evt_sys, addr_len),   M(agent_evt_sys, fstype_len), M(agent_evt_sys, short_len),
	M(agent_evt_sys, path_len),   M(agent_evt_sys, pad),	    M(agent_evt_sys, data)};
static const Member config[] = {M(agent_config, self_tgid), M(agent_config, wakeup_bytes),
				M(agent_config, visibility), M(agent_config, pad)};

static const Layout layouts[] = {
	L(agent_evt_hdr, hdr),	  L(agent_task, task),	    L(agent_evt_common, common),
	L(agent_evt_exec, exec_), L(agent_evt_exit, exit_), L(agent_evt_fork, fork_),
	L(agent_evt_sys, sys),	  L(agent_config, config),
};

static struct btf *btf;

static void setup(void)
{
	btf = btf__parse(ABI_OBJ, NULL);
	ck_assert_msg(btf, "cannot read BTF of %s", ABI_OBJ);
}

static void teardown(void)
{
	btf__free(btf);
}

START_TEST(test_layout)
{
	const Layout *l = &layouts[_i];
	const struct btf_type *t;
	const struct btf_member *bm;
	int id;

	id = btf__find_by_name_kind(btf, l->name, BTF_KIND_STRUCT);
	ck_assert_msg(id > 0, "struct %s missing from BTF", l->name);
	t = btf__type_by_id(btf, id);
	ck_assert_msg(t->size == l->size, "struct %s: BPF size %u, host size %zu", l->name, t->size,
		      l->size);
	ck_assert_msg(btf_vlen(t) == l->n, "struct %s: BPF has %u members, host list %zu", l->name,
		      btf_vlen(t), l->n);
	bm = btf_members(t);
	for (size_t i = 0; i < l->n; i++) {
		const char *name = btf__name_by_offset(btf, bm[i].name_off);

		ck_assert_msg(streq(name, l->members[i].name),
			      "struct %s member %zu: BPF '%s', host '%s'", l->name, i, name,
			      l->members[i].name);
		ck_assert_msg(btf_member_bit_offset(t, i) == l->members[i].offset * 8,
			      "struct %s.%s: BPF offset %u bits, host %zu bytes", l->name, name,
			      btf_member_bit_offset(t, i), l->members[i].offset);
		ck_assert_msg(btf_member_bitfield_size(t, i) == 0, "struct %s.%s is a bitfield",
			      l->name, name);
	}
}
END_TEST

static Suite *abi_suite(void)
{
	Suite *s = suite_create("bpf/abi");
	TCase *tc = tcase_create("btf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_layout, 0, ELEMENTSOF(layouts));
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(abi_suite)
