/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder tests (no root): crafted ring-buffer records, valid and broken, fed to
 * monitor_event_decode(). Broken ones (truncated, wrong version or type, inconsistent lengths,
 * unterminated strings) must be rejected with the right reason or decoded within their bounds,
 * never read past the record.
 */
#include <string.h>

#include "check-helpers.h"
#include "monitor/event.h"

static MonitorDecodeBuf buf;
static MonitorEvent ev;

static void fill_common(struct agent_evt_common *c, uint16_t type, uint16_t version, uint32_t size)
{
	memset(c, 0, sizeof(*c));
	c->hdr.ktime_ns = 123456789;
	c->hdr.cgroup_id = 4242;
	c->hdr.size = size;
	c->hdr.type = type;
	c->hdr.version = version;
	c->task.pid = 100;
	c->task.tid = 101;
	c->task.ppid = 1;
	c->task.uid = 1000;
	c->task.pidns = 4026531836U;
	c->task.mntns = 4026531841U;
	memcpy(c->task.comm, "0123456789abcdef", AGENT_COMM_LEN); /* full: no NUL */
}

/* An exec record with @filename and the NUL-separated argument area @args (@args_len bytes). */
static size_t make_exec(unsigned char *out, const char *filename, const char *args, size_t args_len)
{
	struct agent_evt_exec e = {};
	size_t flen = strlen(filename) + 1, size = sizeof(e) + flen + args_len;

	fill_common(&e.c, AGENT_EVT_EXEC, AGENT_EVT_EXEC_VERSION, size);
	e.filename_len = flen;
	e.args_len = args_len;
	e.args_size = args_len;
	memcpy(out, &e, sizeof(e));
	memcpy(out + sizeof(e), filename, flen);
	memcpy(out + sizeof(e) + flen, args, args_len);
	return size;
}

static size_t make_sys(unsigned char *out, uint16_t type, uint16_t op, const char *path)
{
	struct agent_evt_sys e = {};
	size_t plen = path ? strlen(path) + 1 : 0, size = sizeof(e) + plen;

	fill_common(&e.c, type, AGENT_EVT_SYS_VERSION, size);
	e.op = op;
	e.ret = -13;
	e.syscall_nr = 257;
	e.args[0] = (uint64_t)-100;
	e.args[2] = 0101;
	e.path_len = plen;
	memcpy(out, &e, sizeof(e));
	if (plen)
		memcpy(out + sizeof(e), path, plen);
	return size;
}

static void set_hdr_size(unsigned char *rec, uint32_t size)
{
	memcpy(rec + offsetof(struct agent_evt_hdr, size), &size, sizeof(size));
}

START_TEST(test_exec_valid)
{
	unsigned char rec[AGENT_EVT_EXEC_MAX];
	static const char args[] = "ls\0-l\0/tmp";
	size_t n = make_exec(rec, "/usr/bin/ls", args, sizeof(args));

	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), 0);
	ck_assert_uint_eq(ev.type, AGENT_EVT_EXEC);
	ck_assert_str_eq(ev.filename, "/usr/bin/ls");
	ck_assert_uint_eq(ev.argc, 3);
	ck_assert_str_eq(ev.argv[0], "ls");
	ck_assert_str_eq(ev.argv[1], "-l");
	ck_assert_str_eq(ev.argv[2], "/tmp");
	ck_assert_ptr_null(ev.argv[3]);
	ck_assert_uint_eq(ev.proc.pid, 100);
	ck_assert_uint_eq(ev.proc.ppid, 1);
	ck_assert_uint_eq(ev.proc.cgroup_id, 4242);
	ck_assert_uint_eq(ev.proc.mntns, 4026531841U);
	ck_assert_str_eq(ev.proc.comm, "0123456789abcdef"); /* bounded, terminated */
	ck_assert_str_eq(ev.proc.exe, "");
}
END_TEST

START_TEST(test_exec_unterminated_strings_are_bounded)
{
	unsigned char rec[AGENT_EVT_EXEC_MAX];
	struct agent_evt_exec e;
	static const char args[] = {'a', 'b', 'c'}; /* cut argument area: no NUL at all */
	size_t n = make_exec(rec, "/bin/x", args, sizeof(args));

	/* Overwrite the filename's NUL: the decoder must stop at filename_len. */
	memcpy(&e, rec, sizeof(e));
	rec[sizeof(e) + e.filename_len - 1] = 'Z';
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), 0);
	ck_assert_str_eq(ev.filename, "/bin/xZ");
	ck_assert_uint_eq(ev.argc, 1);
	ck_assert_str_eq(ev.argv[0], "abc");
}
END_TEST

START_TEST(test_exec_many_args_capped)
{
	unsigned char rec[AGENT_EVT_EXEC_MAX];
	char args[AGENT_ARGS_MAX];
	size_t len = 0;

	for (int i = 0; i < MONITOR_ARGV_MAX + 10; i++)
		len += snprintf(args + len, sizeof(args) - len, "a%d", i) + 1;
	ck_assert_int_eq(monitor_event_decode(rec, make_exec(rec, "/bin/x", args, len), &ev, &buf),
			 0);
	ck_assert_uint_eq(ev.argc, MONITOR_ARGV_MAX);
	ck_assert(ev.flags & AGENT_F_ARGS_TRUNC);
	ck_assert_ptr_null(ev.argv[MONITOR_ARGV_MAX]);
}
END_TEST

START_TEST(test_truncated_records)
{
	unsigned char rec[AGENT_EVT_SYS_MAX];
	size_t n = make_sys(rec, AGENT_EVT_FILE, AGENT_OP_OPENAT, "/etc/passwd");

	/* Shorter than the header. */
	ck_assert_int_eq(monitor_event_decode(rec, 10, &ev, &buf), MONITOR_DECODE_TRUNCATED);
	ck_assert_int_eq(monitor_event_decode(NULL, 0, &ev, &buf), MONITOR_DECODE_TRUNCATED);
	/* The ring gave fewer bytes than the header claims. */
	ck_assert_int_eq(monitor_event_decode(rec, n - 1, &ev, &buf), MONITOR_DECODE_TRUNCATED);
	/* Header and size agree, but the body is shorter than its type's layout. */
	set_hdr_size(rec, 100);
	ck_assert_int_eq(monitor_event_decode(rec, 100, &ev, &buf), MONITOR_DECODE_TRUNCATED);
	/* Lengths claim more than the record holds. */
	set_hdr_size(rec, sizeof(struct agent_evt_sys) + 3);
	ck_assert_int_eq(monitor_event_decode(rec, sizeof(struct agent_evt_sys) + 3, &ev, &buf),
			 MONITOR_DECODE_TRUNCATED);
}
END_TEST

START_TEST(test_wrong_version_and_type)
{
	unsigned char rec[AGENT_EVT_SYS_MAX];
	size_t n = make_sys(rec, AGENT_EVT_FILE, AGENT_OP_OPENAT, "/etc/passwd");
	struct agent_evt_hdr h;

	memcpy(&h, rec, sizeof(h));
	h.version = 99;
	memcpy(rec, &h, sizeof(h));
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_BAD_VERSION);
	h.version = AGENT_EVT_SYS_VERSION;
	h.type = 63;
	memcpy(rec, &h, sizeof(h));
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_BAD_TYPE);
	h.type = 0;
	memcpy(rec, &h, sizeof(h));
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_BAD_TYPE);
}
END_TEST

START_TEST(test_malformed_lengths_and_ops)
{
	unsigned char rec[AGENT_EVT_SYS_MAX];
	struct agent_evt_sys e;
	size_t n;

	/* Extra bytes beyond what the lengths account for. */
	n = make_sys(rec, AGENT_EVT_FILE, AGENT_OP_OPENAT, "/etc/passwd");
	set_hdr_size(rec, n + 4);
	ck_assert_int_eq(monitor_event_decode(rec, n + 4, &ev, &buf), MONITOR_DECODE_MALFORMED);

	/* A length over its ABI bound. */
	n = make_sys(rec, AGENT_EVT_FILE, AGENT_OP_OPENAT, "/etc/passwd");
	memcpy(&e, rec, sizeof(e));
	e.addr_len = AGENT_SOCKADDR_MAX + 1;
	memcpy(rec, &e, sizeof(e));
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_MALFORMED);

	/* An operation in the wrong record type, and an unknown operation. */
	n = make_sys(rec, AGENT_EVT_NET, AGENT_OP_OPENAT, "/etc/passwd");
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_MALFORMED);
	n = make_sys(rec, AGENT_EVT_FILE, 999, "/etc/passwd");
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), MONITOR_DECODE_MALFORMED);

	/* A fork without a child. */
	{
		struct agent_evt_fork f = {};
		fill_common(&f.c, AGENT_EVT_FORK, AGENT_EVT_FORK_VERSION, sizeof(f));
		ck_assert_int_eq(monitor_event_decode(&f, sizeof(f), &ev, &buf),
				 MONITOR_DECODE_MALFORMED);
		f.child_pid = 7;
		ck_assert_int_eq(monitor_event_decode(&f, sizeof(f), &ev, &buf), 0);
		ck_assert_uint_eq(ev.child_pid, 7);
	}
}
END_TEST

START_TEST(test_sys_valid)
{
	unsigned char rec[AGENT_EVT_SYS_MAX];
	size_t n = make_sys(rec, AGENT_EVT_FILE, AGENT_OP_OPENAT, "/etc/shadow");

	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), 0);
	ck_assert_uint_eq(ev.type, AGENT_EVT_FILE);
	ck_assert_uint_eq(ev.op, AGENT_OP_OPENAT);
	ck_assert_str_eq(ev.syscall, "SYS_OPENAT");
	ck_assert_str_eq(ev.path, "/etc/shadow");
	ck_assert_str_eq(ev.path_raw, "/etc/shadow");
	ck_assert_int_eq(ev.ret, -13);
	ck_assert_uint_eq(ev.args[2], 0101);
	ck_assert_ptr_null(ev.addr);
	ck_assert_ptr_null(ev.source);

	/* No path at all is valid (setuid). */
	n = make_sys(rec, AGENT_EVT_SYSCALL, AGENT_OP_SETUID, NULL);
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), 0);
	ck_assert_ptr_null(ev.path);
	ck_assert_str_eq(ev.syscall, "SYS_SETUID");
}
END_TEST

START_TEST(test_mount_strings_in_order)
{
	unsigned char rec[AGENT_EVT_SYS_MAX];
	struct agent_evt_sys e = {};
	static const char fstype[] = "tmpfs", source[] = "none", target[] = "/mnt/x";
	unsigned char addr[16] = {2, 0};
	size_t off = sizeof(e);

	fill_common(&e.c, AGENT_EVT_SYSCALL, AGENT_EVT_SYS_VERSION, 0);
	e.op = AGENT_OP_MOUNT;
	e.addr_len = sizeof(addr); /* not meaningful for mount, but the layout allows it */
	e.fstype_len = sizeof(fstype);
	e.short_len = sizeof(source);
	e.path_len = sizeof(target);
	e.c.hdr.size = sizeof(e) + sizeof(addr) + sizeof(fstype) + sizeof(source) + sizeof(target);
	memcpy(rec, &e, sizeof(e));
	memcpy(rec + off, addr, sizeof(addr));
	off += sizeof(addr);
	memcpy(rec + off, fstype, sizeof(fstype));
	off += sizeof(fstype);
	memcpy(rec + off, source, sizeof(source));
	off += sizeof(source);
	memcpy(rec + off, target, sizeof(target));
	off += sizeof(target);

	ck_assert_int_eq(monitor_event_decode(rec, off, &ev, &buf), 0);
	ck_assert_str_eq(ev.fstype, "tmpfs");
	ck_assert_str_eq(ev.source, "none");
	ck_assert_str_eq(ev.path, "/mnt/x");
	ck_assert_uint_eq(ev.addr_len, sizeof(addr));
	ck_assert_str_eq(ev.syscall, "SYS_MOUNT");
}
END_TEST

START_TEST(test_exit_record)
{
	struct agent_evt_exit e = {};

	fill_common(&e.c, AGENT_EVT_EXIT, AGENT_EVT_EXIT_VERSION, sizeof(e));
	e.exit_code = 256;
	ck_assert_int_eq(monitor_event_decode(&e, sizeof(e), &ev, &buf), 0);
	ck_assert_uint_eq(ev.exit_code, 256);
	ck_assert_ptr_null(ev.syscall);
	/* Wrong fixed size for the type. */
	e.c.hdr.size = sizeof(e) + 8;
	{
		unsigned char big[sizeof(e) + 8] = {};
		memcpy(big, &e, sizeof(e));
		ck_assert_int_eq(monitor_event_decode(big, sizeof(big), &ev, &buf),
				 MONITOR_DECODE_MALFORMED);
	}
}
END_TEST

START_TEST(test_every_truncation_rejected)
{
	/* Every prefix of a valid record is rejected (the header's size no longer matches). */
	unsigned char rec[AGENT_EVT_EXEC_MAX];
	static const char args[] = "a\0b";
	size_t n = make_exec(rec, "/bin/true", args, sizeof(args));

	for (size_t k = 0; k < n; k++)
		ck_assert_int_lt(monitor_event_decode(rec, k, &ev, &buf), 0);
	ck_assert_int_eq(monitor_event_decode(rec, n, &ev, &buf), 0);
}
END_TEST

START_TEST(test_op_names)
{
	ck_assert_str_eq(monitor_op_to_syscall(AGENT_OP_UMOUNT2), "SYS_UMOUNT2");
	ck_assert_str_eq(monitor_op_to_syscall(AGENT_OP_FCHOWNAT), "SYS_FCHOWNAT");
	ck_assert_ptr_null(monitor_op_to_syscall(AGENT_OP_NONE));
	ck_assert_ptr_null(monitor_op_to_syscall(_AGENT_OP_MAX));
	for (unsigned op = 1; op < _AGENT_OP_MAX; op++)
		ck_assert_ptr_nonnull(monitor_op_to_syscall(op));
}
END_TEST

START_TEST(test_random_records_are_safe)
{
	/* Deterministic pseudo-random records, most with a plausible header: never read out of
	 * bounds (ASan watches), and whatever decodes keeps its bounds. */
	static unsigned char rec[AGENT_EVT_EXEC_MAX + 64];
	unsigned seed = 12345;
	int ok = 0;

	for (int i = 0; i < 200000; i++) {
		size_t n;
		struct agent_evt_hdr h;

		seed = seed * 1103515245U + 12345U;
		n = (seed >> 8) % (i % 4 == 0 ? sizeof(rec) : 400);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245U + 12345U;
			rec[k] = (unsigned char)(seed >> 16);
			if ((seed >> 27) < 12)
				rec[k] = 0; /* small lengths are likelier to be consistent */
		}
		if (n >= sizeof(h) && (seed & 3)) {
			memcpy(&h, rec, sizeof(h));
			h.size = n;
			h.type = 1 + (seed >> 4) % 6;
			h.version = 1;
			memcpy(rec, &h, sizeof(h));
		}
		if (monitor_event_decode(rec, n, &ev, &buf) != 0)
			continue;
		ok++;
		ck_assert_uint_le(ev.argc, MONITOR_ARGV_MAX);
		ck_assert_uint_le(ev.addr_len, AGENT_SOCKADDR_MAX);
		ck_assert_uint_lt(strlen(ev.proc.comm), sizeof(ev.proc.comm));
		if (ev.path)
			ck_assert_uint_lt(strlen(ev.path), sizeof(buf.path));
		if (ev.filename)
			ck_assert_uint_lt(strlen(ev.filename), sizeof(buf.filename));
	}
	ck_assert_int_gt(ok, 50); /* the accepting paths were exercised too (100 with this seed) */
}
END_TEST

static Suite *event_suite(void)
{
	Suite *s = suite_create("monitor/event");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_exec_valid);
	tcase_add_test(tc, test_exec_unterminated_strings_are_bounded);
	tcase_add_test(tc, test_exec_many_args_capped);
	tcase_add_test(tc, test_truncated_records);
	tcase_add_test(tc, test_wrong_version_and_type);
	tcase_add_test(tc, test_malformed_lengths_and_ops);
	tcase_add_test(tc, test_sys_valid);
	tcase_add_test(tc, test_mount_strings_in_order);
	tcase_add_test(tc, test_exit_record);
	tcase_add_test(tc, test_every_truncation_rejected);
	tcase_add_test(tc, test_op_names);
	tcase_add_test(tc, test_random_records_are_safe);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(event_suite)
