/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent-abi.h: THE header shared by the BPF programs (bpf/NAME.bpf.c) and agent/. It holds every
 * type both sides read: ring buffer records, map values, the enum values stored in those fields and
 * the limits that size arrays. Nothing else: no maps, no SEC(), no helpers (those live in
 * bpf/lib/NAME.bpf.h).
 *
 * Rules (style.md §3.2):
 *  - fields are __u8/__u16/__u32/__u64/__s64 only, ordered largest first, padding written out;
 *  - enums define values, fields holding them are __u16/__u32;
 *  - enum values and event types are append-only; retired ones stay as *_UNUSED_n;
 *  - strings are length-counted byte runs that the decoder bounds with strnlen();
 *  - every record starts with struct agent_evt_hdr; the decoder checks size, type and version
 * before trusting anything else (agent/monitor/event.c). tests/bpf/test-abi.c compares the BTF
 * layout clang produced with the host compiler's layout.
 */
#pragma once

#ifdef __bpf__
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

/* Bumped only when an existing record changes incompatibly; new types do not bump it. */
#define AGENT_ABI_VERSION 1

/* Bytes incl. NUL of a path copied from user or kernel memory: the kernel's PATH_MAX, so no path is
 * cut. */
#define AGENT_PATH_MAX 4096
/* Bytes of the argument area (argv strings, NUL separated) copied at exec; longer lists are
 * flagged. */
#define AGENT_ARGS_MAX 1024
/* Bytes of a socket address copied for connect/bind/accept: sizeof(struct sockaddr_storage). */
#define AGENT_SOCKADDR_MAX 128
/* Bytes incl. NUL of the short strings of a syscall record (mount source). */
#define AGENT_STR_SHORT_MAX 256
/* Bytes incl. NUL of a file system type name (mount). */
#define AGENT_FSTYPE_MAX 32
/* Bytes of a task's comm (TASK_COMM_LEN); may lack a NUL. */
#define AGENT_COMM_LEN 16

/* Record types (struct agent_evt_hdr.type). Append-only. */
enum agent_evt_type {
	AGENT_EVT_EXEC = 1,    /* struct agent_evt_exec: a successful execve/execveat */
	AGENT_EVT_EXIT = 2,    /* struct agent_evt_exit: the last thread of a process exited */
	AGENT_EVT_FORK = 3,    /* struct agent_evt_fork: a new process (not a thread) */
	AGENT_EVT_FILE = 4,    /* struct agent_evt_sys: open, openat, openat2 */
	AGENT_EVT_NET = 5,     /* struct agent_evt_sys: socket, connect, bind, listen, accept(4) */
	AGENT_EVT_SYSCALL = 6, /* struct agent_evt_sys: unlink..umount2 (reference §2.6) */
	/* 7..63 reserved for the BPF-LSM enforcer's records */
	_AGENT_EVT_MAX,
};

/* Per-type layout versions (struct agent_evt_hdr.version). */
#define AGENT_EVT_EXEC_VERSION 1
#define AGENT_EVT_EXIT_VERSION 1
#define AGENT_EVT_FORK_VERSION 1
#define AGENT_EVT_SYS_VERSION  1

/*
 * Operation of a struct agent_evt_sys (.op): which syscall the record describes, independent of the
 * architecture's syscall numbers (the native number is in .syscall_nr). Append-only.
 */
enum agent_op {
	AGENT_OP_NONE = 0,
	AGENT_OP_OPEN = 1,   /* args: [0] path ptr, [1] flags, [2] mode;            str: path */
	AGENT_OP_OPENAT = 2, /* args: [0] dfd, [1] path ptr, [2] flags, [3] mode;   str: path */
	AGENT_OP_OPENAT2 =
		3, /* args: [0] dfd, [1] path ptr, [2] flags, [3] mode (from struct open_how) */
	AGENT_OP_UNLINK = 4,   /* args: [0] path ptr;                                  str: path */
	AGENT_OP_UNLINKAT = 5, /* args: [0] dfd, [1] path ptr, [2] flags;              str: path */
	AGENT_OP_RMDIR = 6,    /* args: [0] path ptr;                                  str: path */
	AGENT_OP_CHOWN = 7,    /* args: [0] path ptr, [1] uid, [2] gid;                str: path */
	AGENT_OP_FCHOWNAT =
		8, /* args: [0] dfd, [1] path ptr, [2] uid, [3] gid, [4] flags; str: path */
	AGENT_OP_SETUID = 9,   /* args: [0] uid */
	AGENT_OP_SETGID = 10,  /* args: [0] gid */
	AGENT_OP_PTRACE = 11,  /* args: [0] request, [1] target pid */
	AGENT_OP_MOUNT = 12,   /* args: [3] flags; str: target; short: source; fstype */
	AGENT_OP_UMOUNT2 = 13, /* args: [1] flags; str: target */
	AGENT_OP_SOCKET = 14,  /* args: [0] family, [1] type, [2] protocol; ret: fd */
	AGENT_OP_CONNECT = 15, /* args: [0] fd, [2] addrlen; addr: sockaddr */
	AGENT_OP_BIND = 16,    /* args: [0] fd, [2] addrlen; addr: sockaddr */
	AGENT_OP_LISTEN = 17,  /* args: [0] fd, [1] backlog */
	AGENT_OP_ACCEPT = 18,  /* args: [0] fd; ret: new fd; addr: peer (read at exit) */
	AGENT_OP_ACCEPT4 = 19, /* args: [0] fd, [3] flags; ret: new fd; addr: peer (read at exit) */
	_AGENT_OP_MAX,
};

/*
 * Visibility classes: index into struct agent_config.visibility. The same numbers name the classes
 * in the user-space API. Append-only.
 */
enum agent_vis_class {
	AGENT_VIS_PROCESS = 0, /* exec, exit, fork records reach the consumer */
	AGENT_VIS_FILE = 1,    /* open*, unlink*, rmdir, chown, fchownat */
	AGENT_VIS_NETWORK = 2, /* socket, connect, bind, listen, accept* */
	AGENT_VIS_CAPS = 3,    /* setuid, setgid, ptrace, mount, umount2 */
	_AGENT_VIS_MAX,
};

/*
 * Counters of the per-CPU array `stats` (index = enum value, value = __u64 per CPU, summed by user
 * space). Every record the programs wanted to send is either AGENT_STAT_EMITTED or one drop reason.
 * Append-only.
 */
enum agent_stat {
	AGENT_STAT_EMITTED = 0,	     /* records written to the ring buffer */
	AGENT_STAT_DROP_RINGBUF = 1, /* ring buffer full: bpf_ringbuf_output() failed */
	AGENT_STAT_DROP_PENDING = 2, /* no per-thread slot (task storage busy/OOM): not recorded */
	AGENT_STAT_DROP_SCRATCH = 3, /* per-CPU scratch lookup failed (never expected) */
	AGENT_STAT_DROP_TOO_BIG = 4, /* record larger than the output bound (never expected) */
	AGENT_STAT_ERR_READ =
		5, /* a string or address read failed; the record is sent without it */
	AGENT_STAT_EXIT_NO_ENTER =
		6,		/* sys_exit without a matching sys_enter (attached mid-syscall) */
	AGENT_STAT_WAKEUPS = 7, /* forced consumer wake-ups (fill threshold crossed) */
	_AGENT_STAT_MAX,
};

/* Flags of struct agent_evt_exec.flags and struct agent_evt_sys.flags. */
#define AGENT_F_FILENAME_TRUNC (1U << 0) /* exec filename or sys path hit its bound */
#define AGENT_F_ARGS_TRUNC     (1U << 1) /* the argument area was longer than AGENT_ARGS_MAX */
#define AGENT_F_READ_FAILED    (1U << 2) /* a string or address could not be read (left empty) */
#define AGENT_F_NO_RESULT      (1U << 3) /* .ret is unknown (reserved for records sent at entry) */
#define AGENT_F_PATH_AT_EXIT   (1U << 4) /* path read at exit: its page was not resident at entry */

/* Start of every ring-buffer record. 24 bytes. */
struct agent_evt_hdr {
	__u64 ktime_ns;	 /* bpf_ktime_get_ns() when the record was built (CLOCK_MONOTONIC, ns) */
	__u64 cgroup_id; /* cgroup v2 id of the acting task (bpf_get_current_cgroup_id) */
	__u32 size;	 /* total record size in bytes, this header included */
	__u16 type;	 /* enum agent_evt_type */
	__u16 version;	 /* per-type layout version, AGENT_EVT_*_VERSION */
};

/* Who acted. 64 bytes. All ids are as seen from the initial namespaces unless named ns_*. */
struct agent_task {
	__u64 start_ns; /* thread-group leader's start_time (CLOCK_MONOTONIC ns): tells pid reuse
			   apart */
	__u32 pid;	/* tgid */
	__u32 tid;	/* thread id */
	__u32 ppid;	/* real_parent's tgid */
	__u32 uid;	/* real uid */
	__u32 euid;	/* effective uid */
	__u32 gid;	/* real gid */
	__u32 ns_pid;	/* tgid in the task's own pid namespace */
	__u32 ns_ppid;	/* real_parent's tgid in the task's pid namespace (0 if outside) */
	__u32 pidns;	/* inode number of the pid namespace (as in /proc/PID/ns/pid) */
	__u32 mntns;	/* inode number of the mount namespace */
	__u8 comm[AGENT_COMM_LEN]; /* task comm, maybe not NUL-terminated */
};

/* Common start of every monitor record. 88 bytes. */
struct agent_evt_common {
	struct agent_evt_hdr hdr;
	struct agent_task task;
};

/*
 * AGENT_EVT_EXEC, from sched_process_exec (only successful execs). data[] holds filename_len bytes
 * of bprm->filename (as passed to execve, maybe relative), then args_len bytes of the new argument
 * area (argv strings, each NUL-terminated). 104 bytes + data.
 */
struct agent_evt_exec {
	struct agent_evt_common c;
	__u32 old_pid;	    /* thread id that called execve (differs from tid after de_thread) */
	__u32 flags;	    /* AGENT_F_* */
	__u32 args_size;    /* full size of the argument area in bytes, before truncation */
	__u16 filename_len; /* bytes of filename in data[], NUL included */
	__u16 args_len;	    /* bytes of argument area in data[] */
	__u8 data[];	    /* filename, then args */
};

/* AGENT_EVT_EXIT: the last thread of c.task.pid exited. 96 bytes. */
struct agent_evt_exit {
	struct agent_evt_common c;
	__u32 exit_code; /* task->exit_code: (status << 8) | signal, as wait(2) reports it */
	__u32 pad;
};

/* AGENT_EVT_FORK: c.task (the parent) created process child_pid. 104 bytes. */
struct agent_evt_fork {
	struct agent_evt_common c;
	__u64 child_start_ns; /* child's start_time (CLOCK_MONOTONIC ns) */
	__u32 child_pid;      /* child's tgid (== its tid: threads are not reported) */
	__u32 pad;
};

/*
 * AGENT_EVT_FILE, AGENT_EVT_NET and AGENT_EVT_SYSCALL: one syscall, recorded at entry and sent at
 * exit with its result. data[] holds, in this order: addr_len bytes of socket address, fstype_len,
 * short_len and path_len bytes of strings (each NUL-terminated when its length is non-zero). What
 * args[] hold is listed per operation in enum agent_op; pointer arguments are user addresses and
 * mean nothing to the consumer. 152 bytes + data.
 */
struct agent_evt_sys {
	struct agent_evt_common c;
	__s64 ret;	  /* syscall return value: fd, 0 or -errno */
	__u64 args[6];	  /* raw syscall arguments */
	__u32 syscall_nr; /* native syscall number (the architecture's __NR_*) */
	__u32 flags;	  /* AGENT_F_* */
	__u16 op;	  /* enum agent_op */
	__u16 addr_len;	  /* bytes of socket address in data[], <= AGENT_SOCKADDR_MAX */
	__u16 fstype_len; /* bytes of fstype in data[], <= AGENT_FSTYPE_MAX */
	__u16 short_len;  /* bytes of the short string (mount source), <= AGENT_STR_SHORT_MAX */
	__u16 path_len;	  /* bytes of path in data[], <= AGENT_PATH_MAX */
	__u16 pad[3];
	__u8 data[]; /* addr, fstype, short string, path */
};

/* Largest record of each kind, for buffers sized on both sides. */
#define AGENT_EVT_EXEC_MAX (sizeof(struct agent_evt_exec) + AGENT_PATH_MAX + AGENT_ARGS_MAX)
#define AGENT_EVT_SYS_DATA_MAX \
	(AGENT_SOCKADDR_MAX + AGENT_FSTYPE_MAX + AGENT_STR_SHORT_MAX + AGENT_PATH_MAX)
#define AGENT_EVT_SYS_MAX (sizeof(struct agent_evt_sys) + AGENT_EVT_SYS_DATA_MAX)

/*
 * The monitor's run-time configuration: the .bss global `agent_cfg` of monitor.bpf.c, which user
 * space writes through the skeleton's memory-mapped .bss at any time. 32 bytes.
 */
struct agent_config {
	__u32 self_tgid;    /* the agent's own tgid: its actions are not reported; 0 = none */
	__u32 wakeup_bytes; /* wake the consumer when the ring's fill crosses this many bytes */
	__u8 visibility[8]; /* [enum agent_vis_class] 1 = on, 0 = off; 8 leaves room to grow */
	__u32 pad[4];
};
