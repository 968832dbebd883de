/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent-abi.h: THE header shared by the BPF programs (bpf/NAME.bpf.c) and agent/. It holds every
 * type both sides read: ring buffer records, map values, the enum values stored in those fields and
 * the limits that size arrays, and the hashes both sides must compute alike (lsm_filter_slot).
 * Nothing else: no maps, no SEC(), no helpers (those live in bpf/lib/NAME.bpf.h).
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

/* ================================================================================================
 * BPF-LSM enforcer (bpf/lsm.bpf.c, agent/enforcer/bpflsm/). Everything below belongs to the
 * enforcer.
 *
 * Files and directories are named by identity, not by path: (kernel dev_t of the super block, inode
 * number). A rule for an exact path becomes an INODE key for the file it resolves to (symlinks
 * followed, so /bin/foo and /usr/bin/foo are one key; hard links share it) plus NAME keys
 * (directory inode + last component) so that a file later replaced under the same name still
 * matches. A directory rule becomes a DIR key; the programs walk the dentry's d_parent chain
 * (crossing mounts), so the depth and length of a path do not matter. The subject of fromSource
 * rules is the acting task's executable (mm->exe_file), again by inode, mapped to a small source id
 * by the `lsm_srcs` map. NAME and EXECNAME keys live in `lsm_name_rules` with their component;
 * every other key in `lsm_rules`. `lsm_dirs` is user space's record of what each directory holds
 * (the programs read the same facts from `lsm_filter`).
 *
 * Workloads: lsm_rule_key.wl = (workload id << 1) | generation. Workload 0 is the host. Each apply
 * writes the inactive generation, flips struct lsm_wl_cfg.gen, then deletes the old generation's
 * keys, so a decision sees either the old or the new rule set.
 * ================================================================================================
 */

#define LSM_ABI_VERSION 2

#define LSM_WL_HOST	 0     /* workload id of the host */
#define LSM_RULE_SLOTS	 8     /* rules that may share one key (differing action or flags) */
#define LSM_NAME_MAX	 256   /* bytes of a path component incl. NUL (NAME_MAX + 1) */
#define LSM_EVT_PATH_MAX 4096  /* bytes of a path rendered into an event, incl. NUL (PATH_MAX) */
#define LSM_MAX_DEPTH	 65536 /* d_parent steps walked at most; deeper paths fail closed */

/* Map sizes (max_entries). Part of the ABI: a pinned map is adopted only with the same sizes. */
#define LSM_RULES_MAX	 131072	   /* lsm_rules: keys of both generations of every workload */
#define LSM_NAMES_MAX	 65536	   /* lsm_name_rules: NAME and EXECNAME keys */
#define LSM_DIRS_MAX	 65536	   /* lsm_dirs: directories that hold rules (user space's record) */
#define LSM_SRCS_MAX	 16384	   /* lsm_srcs: fromSource executables */
#define LSM_WL_MAX	 1024	   /* lsm_wl: workloads */
#define LSM_EVENTS_BYTES (4 << 20) /* lsm_events ring buffer */

/*
 * `lsm_filter`: one byte of LSM_FF_* flags per slot; a slot is a hash of an identity. It says what
 * the maps may hold about the identities that hash there, of every workload and generation:
 * INODE keys and fromSource executables (LSM_FF_IDENT), DIR and NAME keys of a directory
 * (LSM_FF_DIR, LSM_FF_NAMES, on the directory's slot) and each NAME key itself (LSM_FF_NAME, on the
 * slot of lsm_filter_name_slot). The programs read it before every hash lookup, so the common miss
 * costs a load instead of a lookup, and no lookup is needed to learn what a directory holds. User
 * space keeps it a superset of the maps at every moment (flags are added before keys, and removed
 * only after them): a clear flag proves a miss, a set one only means "look it up".
 */
#define LSM_FILTER_SHIFT 20 /* 2^20 one-byte slots: 1 MiB */
#define LSM_FILTER_SLOTS (1U << LSM_FILTER_SHIFT)
/* `dirs`: one bit per hashed directory (lsm_filter_dir_bit) whose slot has LSM_FF_DIR or
 * LSM_FF_NAMES flags. The ancestor walk tests it first at every level: one page for the whole
 * walk instead of a slot on a page of its own per level. */
#define LSM_FILTER_DIR_SHIFT 15 /* 2^15 bits: 4 KiB */
#define LSM_FILTER_DIR_BITS  (1U << LSM_FILTER_DIR_SHIFT)

struct lsm_filter {
	__u8 dirs[LSM_FILTER_DIR_BITS / 8];
	__u8 slots[LSM_FILTER_SLOTS];
};

#define LSM_FF_IDENT	(1U << 0)	  /* INODE keys or a fromSource executable */
#define LSM_FF_DIR(c)	(1U << (1 + (c))) /* DIR keys of class c (process 0, file 1) */
#define LSM_FF_NAMES(c) (1U << (3 + (c))) /* NAME keys of class c inside the directory */
#define LSM_FF_NAME	(1U << 5)	  /* a NAME key (lsm_filter_name_slot) */
#define LSM_FF_SRC	(1U << 6)	  /* an INODE, DIR or NAME key here with a fromSource */

/* The slot of (ino, dev): a multiplicative hash, the same on both sides. */
static inline __u32 lsm_filter_slot(__u64 ino, __u32 dev)
{
	__u64 h = (ino ^ ((__u64)dev * 0xff51afd7ed558ccdULL)) * 0x9e3779b97f4a7c15ULL;

	return (__u32)(h >> (64 - LSM_FILTER_SHIFT));
}

/* The bit of directory (ino, dev) in lsm_filter.dirs: another multiplier than the slot's. */
static inline __u32 lsm_filter_dir_bit(__u64 ino, __u32 dev)
{
	__u64 h = (ino ^ ((__u64)dev * 0xff51afd7ed558ccdULL)) * 0xd6e8feb86659fd93ULL;

	return (__u32)(h >> (64 - LSM_FILTER_DIR_SHIFT));
}

/* The slot of the NAME key (directory dir, component hash name_hash, dev): in the 4 KiB block of
 * the directory's own slot, which the walk has just read (the map is page-aligned: one page). */
#define LSM_FILTER_BLOCK 4096
static inline __u32 lsm_filter_name_slot(__u64 dir, __u64 name_hash, __u32 dev)
{
	return (lsm_filter_slot(dir, dev) & ~(LSM_FILTER_BLOCK - 1)) |
	       (lsm_filter_slot(dir ^ (name_hash * 0xc2b2ae3d27d4eb4fULL), dev) &
		(LSM_FILTER_BLOCK - 1));
}

/* Rule classes: the same numbers as RuleClass in agent/rules/rules.h (checked there at compile
 * time). */
enum lsm_class {
	LSM_CLASS_PROCESS = 0,
	LSM_CLASS_FILE = 1,
	LSM_CLASS_NETWORK = 2,
	LSM_CLASS_CAPABILITY = 3,
	_LSM_CLASS_MAX = 4,
};

/* What lsm_rule_key.id (and .aux) name. Append-only. */
enum lsm_kind {
	LSM_K_INODE = 1, /* id = inode number, dev = its super block: the exact file */
	LSM_K_NAME = 2,	 /* id = lsm_name_hash(component), aux = directory inode, dev: an entry of
			  * that  directory by name (the exact path, whatever inode it holds now) */
	LSM_K_DIR = 3,	 /* id = directory inode, dev: the directory itself and what is below it */
	LSM_K_EXECNAME =
		4, /* id = lsm_name_hash(name), dev = 0: any executable with that last component */
	LSM_K_NET_IP = 5, /* id = IP protocol (tcp 6, udp 17, icmp 1, icmpv6 58, sctp 132) */
	LSM_K_NET_TYPE =
		6, /* id = socket type (stream 1, dgram 2, raw 3, rdm 4, seqpacket 5, dccp 6) */
	LSM_K_NET_PACKET = 7, /* id = 0: AF_PACKET sockets or the obsolete SOCK_PACKET type */
	LSM_K_NET_ALL = 8,    /* id = 0: every socket */
	LSM_K_CAP = 9,	      /* id = CAP_* number */
};

/* Actions stored in struct lsm_rule_ent.action (0 = empty slot). Same numbers as RuleAction. */
#define LSM_ACT_ALLOW 1
#define LSM_ACT_AUDIT 2
#define LSM_ACT_BLOCK 3

/* struct lsm_rule_ent.flags */
#define LSM_RF_READ_ONLY  (1U << 0) /* file: reading permitted, writing matched */
#define LSM_RF_OWNER_ONLY (1U << 1) /* only the owner of the target (real uid == i_uid) */
#define LSM_RF_PTS_FALSE  (1U << 2) /* pts: false */
#define LSM_RF_RECURSIVE  (1U << 3) /* DIR: anything below, not only direct entries */
#define LSM_RF_VIA_INODE                                                       \
	(1U << 4) /* NAME: merged from the INODE key of lsm_name_rule_val.ino; \
		   * counts only when the target is that inode */

/* Key of `lsm_rules` and `lsm_name_rules`. 32 bytes. */
struct lsm_rule_key {
	__u64 id;  /* see enum lsm_kind */
	__u64 aux; /* LSM_K_NAME: directory inode; else 0 */
	__u32 wl;  /* (workload id << 1) | generation */
	__u32 dev; /* kernel dev_t (MAJOR << 20 | MINOR) of the super block; 0 for non-file kinds */
	__u32 src; /* fromSource id from `lsm_srcs` (1..), 0 = any subject */
	__u8 class; /* enum lsm_class */
	__u8 kind;  /* enum lsm_kind */
	__u16 pad;
};

/* One rule on a key. 8 bytes. */
struct lsm_rule_ent {
	__u32 rule;  /* Rule.index inside its class (the alert names the rule from it) */
	__u8 action; /* LSM_ACT_*; 0 = unused slot (slots are filled from the front) */
	__u8 flags;  /* LSM_RF_* */
	__u16 pad;
};

/* Value of `lsm_rules`: every distinct (action, flags) that rules give this key, first rule of
 * each. */
struct lsm_rule_val {
	struct lsm_rule_ent ent[LSM_RULE_SLOTS];
};

/* The component a NAME/EXECNAME key stands for, NUL padded; checked on every hit so that a hash
 * collision never matches. */
struct lsm_name_val {
	char name[LSM_NAME_MAX];
};

/* Value of `lsm_name_rules` (NAME and EXECNAME keys): the rules and the component, in one lookup.
 */
struct lsm_name_rule_val {
	struct lsm_rule_val rules;
	struct lsm_name_val name;
	/* LSM_K_NAME: the inode at that name when the plan was built (ino 0: none), whose INODE key
	 * of the same source is merged into `rules` (entries flagged LSM_RF_VIA_INODE): a decision
	 * on that inode through this name needs no INODE lookup. */
	__u64 ino;
	__u32 dev;
	__u32 flags; /* LSM_NV_* */
};

/* struct lsm_name_rule_val.flags */
#define LSM_NV_INODE_NO_SRC (1U << 0) /* the inode at `ino` has no INODE key with a source */

/* Key of `lsm_srcs` (value: __u32 source id) and `lsm_dirs` (value: __u32 LSM_DF_* flags). 16
 * bytes. */
struct lsm_inode_key {
	__u64 ino;
	__u32 dev;
	__u32 wl; /* as in lsm_rule_key */
};

/* `lsm_dirs` flags: bit (class) for DIR keys of that class on this directory, bit (8 + class) for
 * NAME keys of that class inside it. */
#define LSM_DF_DIR(c)	(1U << (c))
#define LSM_DF_NAMES(c) (1U << (8 + (c)))

/* struct lsm_wl_cfg.flags */
#define LSM_WF_ACTIVE	 (1U << 0) /* the workload is enforced */
#define LSM_WF_SRC_RULES (1U << 1) /* some rule has a fromSource: resolve the subject */
#define LSM_WF_EXECNAME	 (1U << 2) /* process EXECNAME keys exist */
#define LSM_WF_PTS	 (1U << 3) /* some rule has pts: false: read the subject's terminal */
#define LSM_WF_SRC_WIDE                                                      \
	(1U << 4) /* a DIR or EXECNAME key has a fromSource: a rule that can \
		   * outrank an exact path besides the target's own keys */
#define LSM_WF_DIRS(c)	(1U << (8 + (c)))  /* DIR keys of class c exist: walk the ancestors */
#define LSM_WF_NAMES(c) (1U << (16 + (c))) /* NAME keys of class c exist */

/* Value of `lsm_wl` (array, index = workload id). 16 bytes. */
struct lsm_wl_cfg {
	__u32 flags;			 /* LSM_WF_* */
	__u8 gen;			 /* generation in force: 0 or 1 */
	__u8 allow_list[_LSM_CLASS_MAX]; /* 1: the class is in allow-list mode */
	__u8 posture[_LSM_CLASS_MAX]; /* LSM_ACT_AUDIT or LSM_ACT_BLOCK for unmatched operations */
	__u8 pad[3];
};

/* Value of the `lsm_self` array (one entry): the agent, whose own operations are never mediated,
 * and its root directory. */
struct lsm_self {
	__u64 start_ticks; /* its start time in clock ticks since boot (/proc/PID/stat field 22,
			    * i.e. group_leader->start_boottime / tick_ns): a reused pid does not
			    * match */
	__u32 tgid;	   /* 0 = no agent */
	__u32 tick_ns;	   /* nanoseconds per clock tick (NSEC_PER_SEC / USER_HZ) */
	__u64 root_ino;	   /* the agent's root directory: rules name nothing above it, so the */
	__u32 root_dev;	   /* ancestor walk ends there (0: walk to the top of the mount tree) */
	__u32 pad;
};

/* LSM hook of an event (struct lsm_evt.hook); the alert's Data says lsm=<NAME>. Append-only. */
enum lsm_hook {
	LSM_HOOK_BPRM_CHECK = 1,     /* SECURITY_BPRM_CHECK */
	LSM_HOOK_FILE_OPEN = 2,	     /* FILE_OPEN */
	LSM_HOOK_UNLINK = 3,	     /* FILE_UNLINK */
	LSM_HOOK_RMDIR = 4,	     /* FILE_RMDIR */
	LSM_HOOK_RENAME = 5,	     /* FILE_RENAME */
	LSM_HOOK_LINK = 6,	     /* FILE_LINK */
	LSM_HOOK_TRUNCATE = 7,	     /* FILE_TRUNCATE */
	LSM_HOOK_CHMOD = 8,	     /* FILE_CHMOD */
	LSM_HOOK_CHOWN = 9,	     /* FILE_CHOWN */
	LSM_HOOK_MKDIR = 10,	     /* FILE_MKDIR */
	LSM_HOOK_MKNOD = 11,	     /* FILE_MKNOD (also open with O_CREAT) */
	LSM_HOOK_SYMLINK = 12,	     /* FILE_SYMLINK */
	LSM_HOOK_SOCKET_CREATE = 13, /* SOCKET_CREATE */
	LSM_HOOK_CAPABLE = 14,	     /* CAPABLE */
	LSM_HOOK_TEST = 15,	     /* the test host of the matcher (bpf/lsm-test.bpf.c) */
	_LSM_HOOK_MAX,
};

/* How a verdict came about (struct lsm_evt.decider, struct lsm_test_result.decider). */
#define LSM_DECIDER_NONE    0
#define LSM_DECIDER_RULE    1
#define LSM_DECIDER_POSTURE 2

/* Ring-buffer record type of the enforcer (struct agent_evt_hdr.type; 7..63 are the enforcer's). */
#define AGENT_EVT_LSM	      7
#define AGENT_EVT_LSM_VERSION 1

/* struct lsm_evt.flags */
#define LSM_EF_PATH_TRUNC                                                      \
	(1U << 0) /* path longer than LSM_EVT_PATH_MAX or deeper than the walk \
		   */
#define LSM_EF_SUBJECT_TRUNC (1U << 1) /* same for the subject */
#define LSM_EF_TTY	     (1U << 2) /* the task has a controlling terminal */

/* One denial or in-kernel audit. Fixed size; strings NUL-terminated within their lengths. */
struct lsm_evt {
	struct agent_evt_hdr hdr;
	__u64 ino;	/* target inode (0 for network and capability) */
	__u64 start_ns; /* the task's thread-group leader start_time */
	__u32 wl;	/* lsm_rule_key.wl the decision used (names the generation) */
	__u32 dev;	/* target super block */
	__u32 pid;	/* tgid, initial pid namespace */
	__u32 ppid;	/* real parent's tgid */
	__u32 uid;	/* real uid */
	__u32 rule;	/* struct lsm_rule_ent.rule when decider is LSM_DECIDER_RULE */
	__s32 retval;	/* what the hook returned: 0 or -EACCES */
	__u32 hook;	/* enum lsm_hook */
	__u32 flags;	/* LSM_EF_* */
	__s32 domain;	/* network: socket() family, type, protocol */
	__s32 type;
	__s32 protocol;
	__s32 cap;	   /* capability number */
	__u8 class;	   /* enum lsm_class */
	__u8 action;	   /* LSM_ACT_BLOCK (denied) or LSM_ACT_AUDIT (passed, audited) */
	__u8 decider;	   /* LSM_DECIDER_* */
	__u8 access;	   /* 0 read, 1 write, 2 exec (RuleAccess) */
	__u16 path_len;	   /* bytes of path[] incl. NUL, 0 = none */
	__u16 subject_len; /* bytes of subject[] incl. NUL, 0 = unknown */
	char comm[16];
	char path[LSM_EVT_PATH_MAX];	/* target path as seen from the task's root mount */
	char subject[LSM_EVT_PATH_MAX]; /* the task's executable */
};

/* The matcher's test host (bpf/lsm-test.bpf.c): one request in .bss, one result per fd. */
struct lsm_test_req {
	__u32 tgid;	  /* process whose fds are decided */
	__u32 class;	  /* enum lsm_class */
	__u32 access;	  /* 0 read, 1 write, 2 exec */
	__s32 subject_fd; /* fd of the subject executable, -1 = the task's own exe */
	__s32 domain, type, protocol, cap;
	__u32 tty;	 /* 1: decide as if the subject had a terminal */
	__s32 only_fd;	 /* decide only this fd; -1 = every fd */
	__u32 no_result; /* 1: do not record the verdict (benchmark: the decision alone) */
	__u32 no_decide; /* 1: stop before the decision (benchmark: the cost of everything else) */
};

struct lsm_test_result {
	__u32 rule;
	__u8 verdict; /* LSM_ACT_ALLOW, LSM_ACT_AUDIT or LSM_ACT_BLOCK */
	__u8 decider; /* LSM_DECIDER_* */
	__u8 pad[2];
};

/* Counters of the per-CPU array `lsm_stats` (index = enum value, __u64 per CPU). Append-only. */
enum lsm_stat {
	LSM_STAT_EVENTS = 0,	   /* records written to lsm_events */
	LSM_STAT_DROP_RINGBUF = 1, /* lsm_events full: the record was dropped (the verdict stood) */
	LSM_STAT_DENIED = 2,	   /* operations denied */
	LSM_STAT_DEPTH = 3,	   /* walks cut at LSM_MAX_DEPTH: denied (fail closed) */
	LSM_STAT_HASH_COLLISION = 4, /* NAME/EXECNAME hash hits whose component differed */
	_LSM_STAT_MAX = 8,
};

/* lsm_name_hash(): FNV-1a 64 over the component's bytes before its NUL (at most LSM_NAME_MAX - 1),
 * offset basis 0xcbf29ce484222325, prime 0x100000001b3. Both sides implement it. */
#define LSM_FNV_OFFSET 0xcbf29ce484222325ULL
#define LSM_FNV_PRIME  0x100000001b3ULL

static inline __u64 lsm_fnv_step(__u64 h, unsigned char c)
{
	return (h ^ c) * LSM_FNV_PRIME;
}
