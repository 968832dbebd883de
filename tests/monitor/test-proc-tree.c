/* SPDX-License-Identifier: Apache-2.0 */
/* Process tree tests (no root): insert, fork, exit with grace period, bounded eviction, /proc
 * seeding. */
#include <limits.h>
#include <string.h>

#include "check-helpers.h"
#include "monitor/proc-tree.h"

START_TEST(test_set_get_update)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;
	ProcEntry *e;

	ck_assert_int_eq(proc_tree_new(&t, 16, 1000), 0);
	ck_assert_ptr_null(proc_tree_get(t, 10));
	ck_assert_int_eq(proc_tree_set(t, 10, 1, 5, "bash", "/usr/bin/bash", "-c x", &e), 0);
	ck_assert_ptr_eq(proc_tree_get(t, 10), e);
	ck_assert_str_eq(e->exe, "/usr/bin/bash");
	ck_assert_str_eq(e->args, "-c x");
	ck_assert_str_eq(e->comm, "bash");
	/* NULL keeps the old value. */
	ck_assert_int_eq(proc_tree_set(t, 10, 2, 0, NULL, NULL, "y", NULL), 0);
	ck_assert_str_eq(e->exe, "/usr/bin/bash");
	ck_assert_str_eq(e->args, "y");
	ck_assert_uint_eq(e->ppid, 2);
	ck_assert_uint_eq(e->start_ns, 5);
	ck_assert_uint_eq(proc_tree_size(t), 1);
}
END_TEST

START_TEST(test_fork_copies_parent)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;
	ProcEntry *c;

	ck_assert_int_eq(proc_tree_new(&t, 16, 1000), 0);
	ck_assert_int_eq(proc_tree_set(t, 10, 1, 0, "sh", "/bin/sh", "script", NULL), 0);
	ck_assert_int_eq(proc_tree_fork(t, 10, 11, 99), 0);
	c = proc_tree_get(t, 11);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->exe, "/bin/sh");
	ck_assert_str_eq(c->args, "script");
	ck_assert_uint_eq(c->ppid, 10);
	ck_assert_uint_eq(c->start_ns, 99);
	/* Unknown parent: the child exists with empty names. */
	ck_assert_int_eq(proc_tree_fork(t, 500, 501, 0), 0);
	ck_assert_str_eq(proc_tree_get(t, 501)->exe, "");
}
END_TEST

START_TEST(test_exit_grace_and_gc)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;

	ck_assert_int_eq(proc_tree_new(&t, 16, 1000), 0);
	ck_assert_int_eq(proc_tree_set(t, 10, 1, 0, "a", "/a", "", NULL), 0);
	ck_assert_int_eq(proc_tree_set(t, 11, 1, 0, "b", "/b", "", NULL), 0);
	proc_tree_exit(t, 10, 5000);
	proc_tree_exit(t, 11, 5500);
	proc_tree_exit(t, 11, 9999); /* a second exit does not move it */
	/* Within the grace period the names stay. */
	ck_assert_uint_eq(proc_tree_gc(t, 5999), 0);
	ck_assert_str_eq(proc_tree_get(t, 10)->exe, "/a");
	ck_assert_uint_eq(proc_tree_gc(t, 6000), 1);
	ck_assert_ptr_null(proc_tree_get(t, 10));
	ck_assert_ptr_nonnull(proc_tree_get(t, 11));
	ck_assert_uint_eq(proc_tree_gc(t, 7000), 1);
	ck_assert_uint_eq(proc_tree_size(t), 0);
	ck_assert_uint_eq(proc_tree_evicted(t), 2);
}
END_TEST

START_TEST(test_pid_reuse_revives)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;

	ck_assert_int_eq(proc_tree_new(&t, 16, 1000), 0);
	ck_assert_int_eq(proc_tree_set(t, 10, 1, 0, "a", "/a", "", NULL), 0);
	proc_tree_exit(t, 10, 100);
	ck_assert_int_eq(proc_tree_set(t, 10, 1, 0, "b", "/b", "", NULL), 0);
	ck_assert_uint_eq(proc_tree_get(t, 10)->exited_usec, 0);
	/* No longer in the exited list: gc far in the future keeps it. */
	ck_assert_uint_eq(proc_tree_gc(t, 1000000), 0);
	ck_assert_str_eq(proc_tree_get(t, 10)->exe, "/b");
}
END_TEST

START_TEST(test_bounded_eviction)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;

	ck_assert_int_eq(proc_tree_new(&t, 4, 1000000), 0);
	for (uint32_t pid = 1; pid <= 4; pid++)
		ck_assert_int_eq(proc_tree_set(t, pid, 0, 0, "x", "/x", "", NULL), 0);
	/* Full of live processes: refused, nothing live is evicted. */
	ck_assert_int_eq(proc_tree_set(t, 5, 0, 0, "x", "/x", "", NULL), -ENOSPC);
	ck_assert_uint_eq(proc_tree_refused(t), 1);
	/* Exited ones go first, oldest first, even within the grace period. */
	proc_tree_exit(t, 3, 10);
	proc_tree_exit(t, 2, 20);
	ck_assert_int_eq(proc_tree_set(t, 5, 0, 0, "x", "/x", "", NULL), 0);
	ck_assert_ptr_null(proc_tree_get(t, 3));
	ck_assert_ptr_nonnull(proc_tree_get(t, 2));
	ck_assert_int_eq(proc_tree_set(t, 6, 0, 0, "x", "/x", "", NULL), 0);
	ck_assert_ptr_null(proc_tree_get(t, 2));
	ck_assert_uint_eq(proc_tree_size(t), 4);
	ck_assert_uint_eq(proc_tree_evicted(t), 2);
}
END_TEST

START_TEST(test_many_entries_hash)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;

	ck_assert_int_eq(proc_tree_new(&t, 20000, 10), 0);
	for (uint32_t pid = 1; pid <= 20000; pid++)
		ck_assert_int_eq(proc_tree_set(t, pid * 7, pid, 0, "x", "/x", "", NULL), 0);
	for (uint32_t pid = 1; pid <= 20000; pid++) {
		ProcEntry *e = proc_tree_get(t, pid * 7);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->ppid, pid);
		proc_tree_exit(t, pid * 7, pid);
	}
	ck_assert_uint_eq(proc_tree_gc(t, 100000), 20000);
	ck_assert_uint_eq(proc_tree_size(t), 0);
}
END_TEST

START_TEST(test_seed_and_load_self)
{
	_cleanup_(proc_tree_freep) ProcTree *t = NULL;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ProcEntry *e;

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_int_eq(proc_tree_new(&t, 65536, 1000), 0);
	ck_assert_int_gt(proc_tree_seed(t, "/proc"), 0);
	e = proc_tree_get(t, getpid());
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->exe, exe);
	ck_assert_uint_eq(e->ppid, (uint32_t)getppid());
	ck_assert_ptr_nonnull(proc_tree_get(t, 1));
	ck_assert_int_eq(proc_tree_load_proc(t, "/proc", 0x7ffffff0, NULL), -ENOENT);
}
END_TEST

START_TEST(test_join_args)
{
	static const char a[] = "prog\0-x\0two words";
	char *s = proc_tree_join_args(a, sizeof(a));

	ck_assert_str_eq(s, "-x two words");
	free(s);
	s = proc_tree_join_args("prog", 4); /* argv[0] only, no NUL */
	ck_assert_str_eq(s, "");
	free(s);
	s = proc_tree_join_args("", 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

static Suite *proc_tree_suite(void)
{
	Suite *s = suite_create("monitor/proc-tree");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, test_set_get_update);
	tcase_add_test(tc, test_fork_copies_parent);
	tcase_add_test(tc, test_exit_grace_and_gc);
	tcase_add_test(tc, test_pid_reuse_revives);
	tcase_add_test(tc, test_bounded_eviction);
	tcase_add_test(tc, test_many_entries_hash);
	tcase_add_test(tc, test_seed_and_load_self);
	tcase_add_test(tc, test_join_args);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(proc_tree_suite)
