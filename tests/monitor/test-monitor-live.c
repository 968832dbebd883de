/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live tests of the eBPF monitor on this kernel: load the programs, run monitor-helper with known
 * actions and check the decoded events (path, argv, ppid, flags, socket args, results), drops under
 * a burst larger than the ring, names of processes that exited before their events were read, and
 * visibility switches. Needs root, kernel BTF and a BPF-capable build; otherwise exits 77.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "check-helpers.h"
#include "monitor/monitor.h"

#define HELPER	 TEST_BUILDDIR "/tests/monitor/monitor-helper"
#define MAX_SEEN 4096

typedef struct Seen {
	uint16_t type, op;
	uint32_t pid, ppid, flags;
	int64_t ret;
	uint64_t args[6];
	size_t argc;
	char argv[1024]; /* '|'-joined */
	char filename[PATH_MAX];
	char path[PATH_MAX];
	char exe[PATH_MAX];
	char parent_exe[PATH_MAX];
	char syscall[32];
	char source[AGENT_STR_SHORT_MAX + 1];
	char fstype[AGENT_FSTYPE_MAX + 1];
	unsigned char addr[AGENT_SOCKADDR_MAX];
	size_t addr_len;
} Seen;

/* Every file the tests make lives here; removed by the unchecked teardown, also after a failure. */
static char tmpdir[] = "/tmp/monitor-live-XXXXXX";

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)remove(p);
	return 0;
}

static void tmpdir_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmpdir_teardown(void)
{
	(void)nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A new empty file TMPDIR/NAME-XXXXXX; its name in @path. Returns the fd. */
static int make_tmp(char *path, size_t sz, const char *name)
{
	snprintf(path, sz, "%s/%s-XXXXXX", tmpdir, name);
	return mkstemp(path);
}

static Seen *seen;
static size_t nseen;
static uint32_t want_pid;

static void copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ?: "");
}

static int record(const MonitorEvent *ev, void *userdata)
{
	Seen *s;

	if (ev->proc.pid != want_pid || nseen >= MAX_SEEN)
		return 0;
	s = &seen[nseen++];
	memset(s, 0, sizeof(*s));
	s->type = ev->type;
	s->op = ev->op;
	s->pid = ev->proc.pid;
	s->ppid = ev->proc.ppid;
	s->flags = ev->flags;
	s->ret = ev->ret;
	memcpy(s->args, ev->args, sizeof(s->args));
	s->argc = ev->argc;
	for (size_t i = 0; i < ev->argc; i++) {
		size_t n = strlen(s->argv);
		snprintf(s->argv + n, sizeof(s->argv) - n, "%s%s", i ? "|" : "", ev->argv[i]);
	}
	copy(s->filename, sizeof(s->filename), ev->filename);
	copy(s->path, sizeof(s->path), ev->path);
	copy(s->exe, sizeof(s->exe), ev->proc.exe);
	copy(s->parent_exe, sizeof(s->parent_exe), ev->proc.parent_exe);
	copy(s->syscall, sizeof(s->syscall), ev->syscall);
	copy(s->source, sizeof(s->source), ev->source);
	copy(s->fstype, sizeof(s->fstype), ev->fstype);
	if (ev->addr) {
		memcpy(s->addr, ev->addr, ev->addr_len);
		s->addr_len = ev->addr_len;
	}
	return 0;
}

static Monitor *start(uint32_t ring_bytes)
{
	MonitorOptions o = {.callback = record, .ring_bytes = ring_bytes};
	Monitor *m = NULL;

	ck_assert_int_eq(monitor_new(&m, &o), 0);
	if (!seen)
		seen = calloc(MAX_SEEN, sizeof(Seen));
	ck_assert_ptr_nonnull(seen);
	nseen = 0;
	want_pid = 0;
	return m;
}

/* fork + exec the helper; it blocks until go() writes to *gofd. */
static pid_t spawn(int *gofd, char *const argv[])
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(p[0], 3) < 0)
			_exit(126);
		execv(HELPER, argv);
		_exit(127);
	}
	close(p[0]);
	*gofd = p[1];
	want_pid = pid;
	return pid;
}

static void go_and_wait(int gofd, pid_t pid)
{
	int status;

	ck_assert_int_eq(write(gofd, "x", 1), 1);
	close(gofd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper failed: %d", status);
}

static const Seen *find(uint16_t type, uint16_t op)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].type == type && (op == AGENT_OP_NONE || seen[i].op == op))
			return &seen[i];
	return NULL;
}

/* Consume on the fd and on the timer, as the daemon does, until @type/@op was seen or 5 s passed.
 */
static const Seen *wait_for(Monitor *m, uint16_t type, uint16_t op)
{
	struct pollfd pfd = {.fd = monitor_get_fd(m), .events = POLLIN};
	int timeout_ms = (int)(monitor_poll_interval_usec(m) / 1000);

	for (int i = 0; i < 5000 / timeout_ms; i++) {
		const Seen *s;

		ck_assert_int_ge(monitor_consume(m), 0);
		s = find(type, op);
		if (s)
			return s;
		(void)poll(&pfd, 1, timeout_ms);
	}
	return NULL;
}

static const Seen *find_path(uint16_t type, const char *path)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].type == type && strstr(seen[i].path, path))
			return &seen[i];
	return NULL;
}

/* Like wait_for(), for a record of @type whose path contains @path. */
static const Seen *wait_for_path(Monitor *m, uint16_t type, const char *path)
{
	struct pollfd pfd = {.fd = monitor_get_fd(m), .events = POLLIN};
	int timeout_ms = (int)(monitor_poll_interval_usec(m) / 1000);

	for (int i = 0; i < 5000 / timeout_ms; i++) {
		const Seen *s;

		ck_assert_int_ge(monitor_consume(m), 0);
		s = find_path(type, path);
		if (s)
			return s;
		(void)poll(&pfd, 1, timeout_ms);
	}
	return NULL;
}

static void self_exe(char *buf, size_t sz)
{
	ssize_t n = readlink("/proc/self/exe", buf, sz - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
}

START_TEST(test_exec_seen_with_path_argv_ppid)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char *const argv[] = {"monitor-helper", "args", "alpha", "beta gamma", NULL};
	char helper[PATH_MAX], me[PATH_MAX];
	const Seen *s;
	int gofd;
	pid_t pid = spawn(&gofd, argv);

	s = wait_for(m, AGENT_EVT_EXEC, AGENT_OP_NONE);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(realpath(HELPER, helper));
	self_exe(me, sizeof(me));
	ck_assert_str_eq(s->filename, HELPER);
	ck_assert_str_eq(s->exe, helper);
	ck_assert_str_eq(s->argv, "monitor-helper|args|alpha|beta gamma");
	ck_assert_uint_eq(s->argc, 4);
	ck_assert_uint_eq(s->ppid, (uint32_t)getpid());
	ck_assert_str_eq(s->parent_exe, me);
	go_and_wait(gofd, pid);
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_EXIT, AGENT_OP_NONE));
}
END_TEST

START_TEST(test_open_seen_with_flags_and_result)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char path[PATH_MAX];
	int fd = make_tmp(path, sizeof(path), "open");
	const Seen *s = NULL;
	int gofd;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "open", path, NULL});
	go_and_wait(gofd, pid);
	s = wait_for_path(m, AGENT_EVT_FILE, path);
	(void)unlink(path);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->op == AGENT_OP_OPENAT || s->op == AGENT_OP_OPEN);
	ck_assert_str_eq(s->syscall, s->op == AGENT_OP_OPENAT ? "SYS_OPENAT" : "SYS_OPEN");
	ck_assert_uint_eq(s->args[s->op == AGENT_OP_OPENAT ? 2 : 1] &
				  (O_CREAT | O_WRONLY | O_TRUNC),
			  O_CREAT | O_WRONLY | O_TRUNC);
	ck_assert_int_ge(s->ret, 0);
}
END_TEST

START_TEST(test_open_failure_carries_errno_and_relative_path)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	const Seen *s = NULL;
	int gofd;
	pid_t pid = spawn(&gofd, (char *const[]){"monitor-helper", "openrel", "/tmp",
						 "no-such-file-here", NULL});

	/* Read the events while the helper still runs: its cwd resolves the relative path. */
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_EXEC, AGENT_OP_NONE));
	ck_assert_int_eq(write(gofd, "x", 1), 1);
	s = wait_for_path(m, AGENT_EVT_FILE, "no-such-file-here");
	close(gofd);
	(void)waitpid(pid, NULL, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->ret, -ENOENT);
	/* Absolute if read before the helper exited; the raw name otherwise (documented limit). */
	ck_assert(streq(s->path, "/tmp/no-such-file-here") || streq(s->path, "no-such-file-here"));
}
END_TEST

START_TEST(test_socket_connect_seen)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	const Seen *stream = NULL, *raw = NULL, *conn;
	int gofd;
	pid_t pid = spawn(&gofd, (char *const[]){"monitor-helper", "socket", NULL});

	go_and_wait(gofd, pid);
	conn = wait_for(m, AGENT_EVT_NET, AGENT_OP_CONNECT);
	ck_assert_ptr_nonnull(conn);
	for (size_t i = 0; i < nseen; i++) {
		if (seen[i].op != AGENT_OP_SOCKET || seen[i].args[0] != AF_INET)
			continue;
		if (seen[i].args[1] == SOCK_STREAM)
			stream = &seen[i];
		if (seen[i].args[1] == SOCK_RAW && seen[i].args[2] == IPPROTO_ICMP)
			raw = &seen[i];
	}
	ck_assert_ptr_nonnull(stream);
	ck_assert_int_ge(stream->ret, 0);
	ck_assert_ptr_nonnull(raw);
	ck_assert_str_eq(conn->syscall, "SYS_CONNECT");
	ck_assert_uint_eq(conn->addr_len, sizeof(struct sockaddr_in));
	{
		struct sockaddr_in sin;
		memcpy(&sin, conn->addr, sizeof(sin));
		ck_assert_uint_eq(sin.sin_family, AF_INET);
		ck_assert_uint_eq(ntohs(sin.sin_port), 9);
		ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), INADDR_LOOPBACK);
	}
	ck_assert_int_eq(conn->ret, -ECONNREFUSED);
}
END_TEST

START_TEST(test_unlink_seen)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char path[PATH_MAX];
	int fd = make_tmp(path, sizeof(path), "unlink"), gofd;
	const Seen *s;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "unlink", path, NULL});
	go_and_wait(gofd, pid);
	s = wait_for(m, AGENT_EVT_SYSCALL, AGENT_OP_NONE);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->op == AGENT_OP_UNLINK || s->op == AGENT_OP_UNLINKAT);
	ck_assert_str_eq(s->path, path);
	ck_assert_int_eq(s->ret, 0);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_exited_process_names_from_tree)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char path[PATH_MAX];
	char helper[PATH_MAX], me[PATH_MAX], proc[64];
	int fd = make_tmp(path, sizeof(path), "exited"), gofd;
	MonitorProcess p;
	const Seen *s = NULL;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "open", path, NULL});
	/* The helper runs, exits and is reaped before a single record is read. */
	go_and_wait(gofd, pid);
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	ck_assert_int_eq(access(proc, F_OK), -1);

	s = wait_for_path(m, AGENT_EVT_FILE, path);
	(void)unlink(path);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(realpath(HELPER, helper));
	self_exe(me, sizeof(me));
	ck_assert_str_eq(s->exe, helper);
	ck_assert_str_eq(s->parent_exe, me);
	/* And afterwards, within the grace period. */
	ck_assert_int_eq(monitor_lookup_process(m, pid, &p), 0);
	ck_assert_str_eq(p.exe, helper);
	{
		char args[PATH_MAX + 8];
		snprintf(args, sizeof(args), "open %s", path);
		ck_assert_str_eq(p.args, args);
	}
}
END_TEST

START_TEST(test_burst_drops_counted_and_flow_resumes)
{
	/* 64 KiB ring, nothing read during the burst: most of 20000 opens (~4 MB) cannot fit. */
	_cleanup_(monitor_freep) Monitor *m = start(65536);
	MonitorStats st1, st2;
	char path[PATH_MAX];
	const Seen *s = NULL;
	int fd = make_tmp(path, sizeof(path), "burst"), gofd;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "burst", "20000", "/dev/null", NULL});
	go_and_wait(gofd, pid);
	ck_assert_int_eq(monitor_read_stats(m, &st1), 0);
	ck_assert_uint_gt(st1.kernel_drop[AGENT_STAT_DROP_RINGBUF], 0);
	ck_assert_uint_ge(st1.kernel_dropped, st1.kernel_drop[AGENT_STAT_DROP_RINGBUF]);
	ck_assert_int_gt(monitor_consume(m), 0);
	/* Reported: one warning with the counts per reason. */
	ck_assert_int_ge(monitor_log_drops(m), (int)MIN(st1.kernel_dropped, (uint64_t)INT32_MAX));

	/*
	 * The monitor keeps running: a later event flows. Read while the helper runs; the rest of
	 * this busy machine shares the small ring, so a second attempt is allowed if noise filled
	 * it.
	 */
	for (int attempt = 0; attempt < 3 && !s; attempt++) {
		nseen = 0;
		pid = spawn(&gofd, (char *const[]){"monitor-helper", "open", path, NULL});
		ck_assert_int_eq(write(gofd, "x", 1), 1);
		close(gofd);
		s = wait_for_path(m, AGENT_EVT_FILE, path);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	}
	(void)unlink(path);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(monitor_read_stats(m, &st2), 0);
	ck_assert_uint_gt(st2.delivered, st1.delivered);
	ck_assert_uint_eq(st2.rejected_truncated + st2.rejected_version + st2.rejected_type +
				  st2.rejected_malformed,
			  0);
}
END_TEST

START_TEST(test_visibility_switch)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char path[PATH_MAX];
	int fd = make_tmp(path, sizeof(path), "vis"), gofd;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(monitor_set_visibility(m, MONITOR_VIS_BIT(MONITOR_VIS_PROCESS)), 0);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "open", path, NULL});
	go_and_wait(gofd, pid);
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_EXIT, AGENT_OP_NONE));
	ck_assert_ptr_null(find(AGENT_EVT_FILE, AGENT_OP_NONE));

	ck_assert_int_eq(monitor_set_visibility(m, MONITOR_VIS_ALL), 0);
	nseen = 0;
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "open", path, NULL});
	go_and_wait(gofd, pid);
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_FILE, AGENT_OP_NONE));
	(void)unlink(path);
}
END_TEST

static const Seen *find_op(uint16_t op)
{
	return find(op == AGENT_OP_SOCKET || op >= AGENT_OP_CONNECT ? AGENT_EVT_NET
								    : AGENT_EVT_SYSCALL,
		    op);
}

START_TEST(test_listen_accept_seen)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	const Seen *bind_, *listen_, *acc;
	struct sockaddr_in sin;
	int gofd;
	pid_t pid = spawn(&gofd, (char *const[]){"monitor-helper", "listen", NULL});

	go_and_wait(gofd, pid);
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_EXIT, AGENT_OP_NONE));
	bind_ = find_op(AGENT_OP_BIND);
	listen_ = find_op(AGENT_OP_LISTEN);
	acc = find_op(AGENT_OP_ACCEPT) ?: find_op(AGENT_OP_ACCEPT4);
	ck_assert_ptr_nonnull(bind_);
	ck_assert_ptr_nonnull(listen_);
	ck_assert_ptr_nonnull(acc);
	ck_assert_int_eq(bind_->ret, 0);
	ck_assert_uint_eq(bind_->addr_len, sizeof(sin));
	ck_assert_uint_eq(listen_->args[1], 5);
	ck_assert_int_ge(acc->ret, 0);
	/* The peer address is read at exit, from the caller's buffer. */
	ck_assert_uint_eq(acc->addr_len, sizeof(sin));
	memcpy(&sin, acc->addr, sizeof(sin));
	ck_assert_uint_eq(sin.sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin.sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_ne(ntohs(sin.sin_port), 0);
}
END_TEST

START_TEST(test_syscall_rule_operations_seen)
{
	_cleanup_(monitor_freep) Monitor *m = start(0);
	char dir[PATH_MAX], f[PATH_MAX + 8], d[PATH_MAX + 8], d2[PATH_MAX + 8];
	const Seen *s;
	int gofd;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/sys-XXXXXX", tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(d2, sizeof(d2), "%s/d2", dir);
	pid = spawn(&gofd, (char *const[]){"monitor-helper", "syscalls", dir, NULL});
	go_and_wait(gofd, pid);
	ck_assert_ptr_nonnull(wait_for(m, AGENT_EVT_EXIT, AGENT_OP_NONE));
	(void)rmdir(d2);
	(void)unlink(f);
	(void)rmdir(dir);

	s = find_op(AGENT_OP_CHOWN) ?: find_op(AGENT_OP_FCHOWNAT);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->path, f);
	ck_assert_int_eq(s->ret, 0);
	s = find_op(AGENT_OP_RMDIR) ?: find_op(AGENT_OP_UNLINKAT);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->path, d);
	s = find_op(AGENT_OP_SETUID);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->syscall, "SYS_SETUID");
	ck_assert_uint_eq(s->args[0], 0);
	ck_assert_ptr_nonnull(find_op(AGENT_OP_SETGID));
	s = find_op(AGENT_OP_PTRACE);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->args[1], 1);
	ck_assert_int_lt(s->ret, 0);
	/* The first mount is the helper making its namespace private ("/"); then the tmpfs. */
	s = NULL;
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].op == AGENT_OP_MOUNT && streq(seen[i].path, d2))
			s = &seen[i];
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->source, "kanone");
	ck_assert_str_eq(s->fstype, "tmpfs");
	ck_assert_int_eq(s->ret, 0);
	s = find_op(AGENT_OP_UMOUNT2);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->syscall, "SYS_UMOUNT2");
	ck_assert_str_eq(s->path, d2);
}
END_TEST

static Suite *monitor_live_suite(void)
{
	Suite *s = suite_create("monitor/live");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_exec_seen_with_path_argv_ppid);
	tcase_add_test(tc, test_open_seen_with_flags_and_result);
	tcase_add_test(tc, test_open_failure_carries_errno_and_relative_path);
	tcase_add_test(tc, test_socket_connect_seen);
	tcase_add_test(tc, test_unlink_seen);
	tcase_add_test(tc, test_listen_accept_seen);
	tcase_add_test(tc, test_syscall_rule_operations_seen);
	tcase_add_test(tc, test_exited_process_names_from_tree);
	tcase_add_test(tc, test_burst_drops_counted_and_flow_resumes);
	tcase_add_test(tc, test_visibility_switch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	MonitorOptions o = {};
	Monitor *m = NULL;
	SRunner *sr;
	int r, failed;

	require_root();
	if (access("/sys/kernel/btf/vmlinux", F_OK) < 0) {
		printf("SKIP: no kernel BTF (/sys/kernel/btf/vmlinux)\n");
		return 77;
	}
	r = monitor_new(&m, &o);
	if (r == -EOPNOTSUPP) {
		printf("SKIP: built without BPF support\n");
		return 77;
	}
	if (r == -EPERM || r == -EACCES) {
		printf("SKIP: loading BPF programs not permitted here\n");
		return 77;
	}
	if (r < 0) {
		printf("monitor_new: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	monitor_free(m);

	sr = srunner_create(monitor_live_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
