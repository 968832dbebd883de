/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent-abi.h: types shared by bpf/NAME.bpf.c and agent/. (Placeholder top until the monitor's part of
 * this header is merged: only the common record header is repeated here.)
 */
#pragma once

#ifdef __bpf__
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

/* Start of every ring-buffer record. 24 bytes. */
struct agent_evt_hdr {
	__u64 ktime_ns;  /* bpf_ktime_get_ns() when the record was built (CLOCK_MONOTONIC, ns) */
	__u64 cgroup_id; /* cgroup v2 id of the acting task (bpf_get_current_cgroup_id) */
	__u32 size;      /* total record size in bytes, this header included */
	__u16 type;      /* enum agent_evt_type */
	__u16 version;   /* per-type layout version, AGENT_EVT_*_VERSION */
};

/* ================================================================================================
 * BPF-LSM enforcer (bpf/lsm.bpf.c, agent/enforcer/bpflsm/). Everything below belongs to the enforcer.
 *
 * Files and directories are named by identity, not by path: (kernel dev_t of the super block, inode
 * number). A rule for an exact path becomes an INODE key for the file it resolves to (symlinks
 * followed, so /bin/foo and /usr/bin/foo are one key; hard links share it) plus NAME keys (directory
 * inode + last component) so that a file later replaced under the same name still matches. A directory
 * rule becomes a DIR key; the programs walk the dentry's d_parent chain (crossing mounts), so the depth
 * and length of a path do not matter. The subject of fromSource rules is the acting task's executable
 * (mm->exe_file), again by inode, mapped to a small source id by the `lsm_srcs` map.
 *
 * Workloads: lsm_rule_key.wl = (workload id << 1) | generation. Workload 0 is the host. Each apply
 * writes the inactive generation, flips struct lsm_wl_cfg.gen, then deletes the old generation's keys,
 * so a decision sees either the old or the new rule set.
 * ================================================================================================ */

#define LSM_ABI_VERSION 1

#define LSM_WL_HOST 0          /* workload id of the host */
#define LSM_RULE_SLOTS 8       /* rules that may share one key (differing action or flags) */
#define LSM_NAME_MAX 256       /* bytes of a path component incl. NUL (NAME_MAX + 1) */
#define LSM_EVT_PATH_MAX 4096  /* bytes of a path rendered into an event, incl. NUL (PATH_MAX) */
#define LSM_MAX_DEPTH 65536    /* d_parent steps walked at most; deeper paths fail closed */

/* Map sizes (max_entries). Part of the ABI: a pinned map is adopted only with the same sizes. */
#define LSM_RULES_MAX 131072 /* lsm_rules: keys of both generations of every workload */
#define LSM_NAMES_MAX 65536  /* lsm_names: NAME and EXECNAME keys */
#define LSM_DIRS_MAX 65536   /* lsm_dirs: directories that hold rules */
#define LSM_SRCS_MAX 16384   /* lsm_srcs: fromSource executables */
#define LSM_WL_MAX 1024      /* lsm_wl: workloads */
#define LSM_EVENTS_BYTES (4 << 20) /* lsm_events ring buffer */

/* Rule classes: the same numbers as RuleClass in agent/rules/rules.h (checked there at compile time). */
enum lsm_class {
	LSM_CLASS_PROCESS = 0,
	LSM_CLASS_FILE = 1,
	LSM_CLASS_NETWORK = 2,
	LSM_CLASS_CAPABILITY = 3,
	_LSM_CLASS_MAX = 4,
};

/* What lsm_rule_key.id (and .aux) name. Append-only. */
enum lsm_kind {
	LSM_K_INODE = 1,    /* id = inode number, dev = its super block: the exact file */
	LSM_K_NAME = 2,     /* id = lsm_name_hash(component), aux = directory inode, dev: an entry of that
	                     * directory by name (the exact path, whatever inode it holds now) */
	LSM_K_DIR = 3,      /* id = directory inode, dev: the directory itself and what is below it */
	LSM_K_EXECNAME = 4, /* id = lsm_name_hash(name), dev = 0: any executable with that last component */
	LSM_K_NET_IP = 5,   /* id = IP protocol (tcp 6, udp 17, icmp 1, icmpv6 58, sctp 132) */
	LSM_K_NET_TYPE = 6, /* id = socket type (stream 1, dgram 2, raw 3, rdm 4, seqpacket 5, dccp 6) */
	LSM_K_NET_PACKET = 7, /* id = 0: AF_PACKET sockets or the obsolete SOCK_PACKET type */
	LSM_K_NET_ALL = 8,  /* id = 0: every socket */
	LSM_K_CAP = 9,      /* id = CAP_* number */
};

/* Actions stored in struct lsm_rule_ent.action (0 = empty slot). Same numbers as RuleAction. */
#define LSM_ACT_ALLOW 1
#define LSM_ACT_AUDIT 2
#define LSM_ACT_BLOCK 3

/* struct lsm_rule_ent.flags */
#define LSM_RF_READ_ONLY (1U << 0)  /* file: reading permitted, writing matched */
#define LSM_RF_OWNER_ONLY (1U << 1) /* only the owner of the target (real uid == i_uid) */
#define LSM_RF_PTS_FALSE (1U << 2)  /* pts: false */
#define LSM_RF_RECURSIVE (1U << 3)  /* DIR: anything below, not only direct entries */

/* Key of `lsm_rules` and `lsm_names`. 32 bytes. */
struct lsm_rule_key {
	__u64 id;    /* see enum lsm_kind */
	__u64 aux;   /* LSM_K_NAME: directory inode; else 0 */
	__u32 wl;    /* (workload id << 1) | generation */
	__u32 dev;   /* kernel dev_t (MAJOR << 20 | MINOR) of the super block; 0 for non-file kinds */
	__u32 src;   /* fromSource id from `lsm_srcs` (1..), 0 = any subject */
	__u8 class;  /* enum lsm_class */
	__u8 kind;   /* enum lsm_kind */
	__u16 pad;
};

/* One rule on a key. 8 bytes. */
struct lsm_rule_ent {
	__u32 rule;  /* Rule.index inside its class (the alert names the rule from it) */
	__u8 action; /* LSM_ACT_*; 0 = unused slot (slots are filled from the front) */
	__u8 flags;  /* LSM_RF_* */
	__u16 pad;
};

/* Value of `lsm_rules`: every distinct (action, flags) that rules give this key, first rule of each. */
struct lsm_rule_val {
	struct lsm_rule_ent ent[LSM_RULE_SLOTS];
};

/* Value of `lsm_names`: the component a NAME/EXECNAME key stands for, NUL padded; checked on every hit
 * so that a hash collision never matches. */
struct lsm_name_val {
	char name[LSM_NAME_MAX];
};

/* Key of `lsm_srcs` (value: __u32 source id) and `lsm_dirs` (value: __u32 LSM_DF_* flags). 16 bytes. */
struct lsm_inode_key {
	__u64 ino;
	__u32 dev;
	__u32 wl; /* as in lsm_rule_key */
};

/* `lsm_dirs` flags: bit (class) for DIR keys of that class on this directory, bit (8 + class) for NAME
 * keys of that class inside it. */
#define LSM_DF_DIR(c) (1U << (c))
#define LSM_DF_NAMES(c) (1U << (8 + (c)))

/* struct lsm_wl_cfg.flags */
#define LSM_WF_ACTIVE (1U << 0)      /* the workload is enforced */
#define LSM_WF_SRC_RULES (1U << 1)   /* some rule has a fromSource: resolve the subject */
#define LSM_WF_EXECNAME (1U << 2)    /* process EXECNAME keys exist */
#define LSM_WF_DIRS(c) (1U << (8 + (c)))  /* DIR keys of class c exist: walk the ancestors */
#define LSM_WF_NAMES(c) (1U << (16 + (c))) /* NAME keys of class c exist */

/* Value of `lsm_wl` (array, index = workload id). 16 bytes. */
struct lsm_wl_cfg {
	__u32 flags;                     /* LSM_WF_* */
	__u8 gen;                        /* generation in force: 0 or 1 */
	__u8 allow_list[_LSM_CLASS_MAX]; /* 1: the class is in allow-list mode */
	__u8 posture[_LSM_CLASS_MAX];    /* LSM_ACT_AUDIT or LSM_ACT_BLOCK for unmatched operations */
	__u8 pad[3];
};

/* Value of the `lsm_self` array (one entry): the agent, whose own operations are never mediated. */
struct lsm_self {
	__u64 start_ticks; /* its start time in clock ticks since boot (/proc/PID/stat field 22, i.e.
	                    * group_leader->start_boottime / tick_ns): a reused pid does not match */
	__u32 tgid;        /* 0 = no agent */
	__u32 tick_ns;     /* nanoseconds per clock tick (NSEC_PER_SEC / USER_HZ) */
};

/* LSM hook of an event (struct lsm_evt.hook); the alert's Data says lsm=<NAME>. Append-only. */
enum lsm_hook {
	LSM_HOOK_BPRM_CHECK = 1,  /* SECURITY_BPRM_CHECK */
	LSM_HOOK_FILE_OPEN = 2,   /* FILE_OPEN */
	LSM_HOOK_UNLINK = 3,      /* FILE_UNLINK */
	LSM_HOOK_RMDIR = 4,       /* FILE_RMDIR */
	LSM_HOOK_RENAME = 5,      /* FILE_RENAME */
	LSM_HOOK_LINK = 6,        /* FILE_LINK */
	LSM_HOOK_TRUNCATE = 7,    /* FILE_TRUNCATE */
	LSM_HOOK_CHMOD = 8,       /* FILE_CHMOD */
	LSM_HOOK_CHOWN = 9,       /* FILE_CHOWN */
	LSM_HOOK_MKDIR = 10,      /* FILE_MKDIR */
	LSM_HOOK_MKNOD = 11,      /* FILE_MKNOD (also open with O_CREAT) */
	LSM_HOOK_SYMLINK = 12,    /* FILE_SYMLINK */
	LSM_HOOK_SOCKET_CREATE = 13, /* SOCKET_CREATE */
	LSM_HOOK_CAPABLE = 14,    /* CAPABLE */
	LSM_HOOK_TEST = 15,       /* the test host of the matcher (bpf/lsm-test.bpf.c) */
	_LSM_HOOK_MAX,
};

/* How a verdict came about (struct lsm_evt.decider, struct lsm_test_result.decider). */
#define LSM_DECIDER_NONE 0
#define LSM_DECIDER_RULE 1
#define LSM_DECIDER_POSTURE 2

/* Ring-buffer record type of the enforcer (struct agent_evt_hdr.type; 7..63 are the enforcer's). */
#define AGENT_EVT_LSM 7
#define AGENT_EVT_LSM_VERSION 1

/* struct lsm_evt.flags */
#define LSM_EF_PATH_TRUNC (1U << 0)    /* path longer than LSM_EVT_PATH_MAX or deeper than the walk */
#define LSM_EF_SUBJECT_TRUNC (1U << 1) /* same for the subject */
#define LSM_EF_TTY (1U << 2)           /* the task has a controlling terminal */

/* One denial or in-kernel audit. Fixed size; strings NUL-terminated within their lengths. */
struct lsm_evt {
	struct agent_evt_hdr hdr;
	__u64 ino;        /* target inode (0 for network and capability) */
	__u64 start_ns;   /* the task's thread-group leader start_time */
	__u32 wl;         /* lsm_rule_key.wl the decision used (names the generation) */
	__u32 dev;        /* target super block */
	__u32 pid;        /* tgid, initial pid namespace */
	__u32 ppid;       /* real parent's tgid */
	__u32 uid;        /* real uid */
	__u32 rule;       /* struct lsm_rule_ent.rule when decider is LSM_DECIDER_RULE */
	__s32 retval;     /* what the hook returned: 0 or -EACCES */
	__u32 hook;       /* enum lsm_hook */
	__u32 flags;      /* LSM_EF_* */
	__s32 domain;     /* network: socket() family, type, protocol */
	__s32 type;
	__s32 protocol;
	__s32 cap;        /* capability number */
	__u8 class;       /* enum lsm_class */
	__u8 action;      /* LSM_ACT_BLOCK (denied) or LSM_ACT_AUDIT (passed, audited) */
	__u8 decider;     /* LSM_DECIDER_* */
	__u8 access;      /* 0 read, 1 write, 2 exec (RuleAccess) */
	__u16 path_len;   /* bytes of path[] incl. NUL, 0 = none */
	__u16 subject_len; /* bytes of subject[] incl. NUL, 0 = unknown */
	char comm[16];
	char path[LSM_EVT_PATH_MAX];    /* target path as seen from the task's root mount */
	char subject[LSM_EVT_PATH_MAX]; /* the task's executable */
};

/* The matcher's test host (bpf/lsm-test.bpf.c): one request in .bss, one result per fd. */
struct lsm_test_req {
	__u32 tgid;       /* process whose fds are decided */
	__u32 class;      /* enum lsm_class */
	__u32 access;     /* 0 read, 1 write, 2 exec */
	__s32 subject_fd; /* fd of the subject executable, -1 = the task's own exe */
	__s32 domain, type, protocol, cap;
	__u32 tty;        /* 1: decide as if the subject had a terminal */
	__u32 pad;
};

struct lsm_test_result {
	__u32 rule;
	__u8 verdict;  /* LSM_ACT_ALLOW, LSM_ACT_AUDIT or LSM_ACT_BLOCK */
	__u8 decider;  /* LSM_DECIDER_* */
	__u8 pad[2];
};

/* Counters of the per-CPU array `lsm_stats` (index = enum value, __u64 per CPU). Append-only. */
enum lsm_stat {
	LSM_STAT_EVENTS = 0,      /* records written to lsm_events */
	LSM_STAT_DROP_RINGBUF = 1, /* lsm_events full: the record was dropped (the verdict stood) */
	LSM_STAT_DENIED = 2,      /* operations denied */
	LSM_STAT_DEPTH = 3,       /* walks cut at LSM_MAX_DEPTH: denied (fail closed) */
	LSM_STAT_HASH_COLLISION = 4, /* NAME/EXECNAME hash hits whose component differed */
	_LSM_STAT_MAX = 8,
};

/* lsm_name_hash(): FNV-1a 64 over the component's bytes before its NUL (at most LSM_NAME_MAX - 1),
 * offset basis 0xcbf29ce484222325, prime 0x100000001b3. Both sides implement it. */
#define LSM_FNV_OFFSET 0xcbf29ce484222325ULL
#define LSM_FNV_PRIME 0x100000001b3ULL
