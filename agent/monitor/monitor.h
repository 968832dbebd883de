/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor.h: the eBPF system monitor. Loads bpf/monitor.bpf.c, consumes its ring buffer, decodes
 * and validates every record, enriches it from a user-space process tree (exe, args, parent exe,
 * even for processes that already exited) and hands a MonitorEvent to a callback.
 *
 * Contract:
 *  - No event loop here: monitor_get_fd() is an epoll fd that becomes readable when the kernel woke
 * the consumer (the ring's fill crossed a threshold). The kernel does not wake per record, so the
 * owner must also call monitor_consume() on a timer, at least every monitor_poll_interval_usec().
 *  - The callback runs inside monitor_consume(); every pointer in the MonitorEvent is valid only
 * until it returns. A negative return from the callback stops consumption and is returned.
 *  - Not thread-safe. Needs root (CAP_BPF, CAP_PERFMON) and kernel BTF. Reads syscall tracepoint
 * ids from tracefs; when none is mounted it mounts a private tracefs for the duration of
 * monitor_new() and removes it again, so the system's mounts are left as they were.
 *  - Built without BPF support (-Dbpf=disabled, no clang/bpftool), monitor_new() returns
 * -EOPNOTSUPP.
 *  - Logs nothing above debug; returns -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-abi.h"

typedef struct Monitor Monitor;

/* Visibility classes (enum agent_vis_class). */
typedef enum MonitorVisibility {
	MONITOR_VIS_PROCESS = AGENT_VIS_PROCESS,
	MONITOR_VIS_FILE = AGENT_VIS_FILE,
	MONITOR_VIS_NETWORK = AGENT_VIS_NETWORK,
	MONITOR_VIS_CAPS = AGENT_VIS_CAPS,
	_MONITOR_VIS_MAX = _AGENT_VIS_MAX,
} MonitorVisibility;

#define MONITOR_VIS_BIT(v) (1U << (v))
#define MONITOR_VIS_ALL                                                             \
	(MONITOR_VIS_BIT(MONITOR_VIS_PROCESS) | MONITOR_VIS_BIT(MONITOR_VIS_FILE) | \
	 MONITOR_VIS_BIT(MONITOR_VIS_NETWORK) | MONITOR_VIS_BIT(MONITOR_VIS_CAPS))

/* Arguments kept per exec (argv[0] included); longer lists set AGENT_F_ARGS_TRUNC. */
#define MONITOR_ARGV_MAX 32

typedef struct MonitorProcess {
	uint64_t cgroup_id; /* cgroup v2 id */
	uint64_t start_ns;  /* thread-group start, CLOCK_MONOTONIC ns */
	uint32_t pid;	    /* host tgid */
	uint32_t tid;
	uint32_t ppid; /* host tgid of the parent */
	uint32_t uid;  /* real uid */
	uint32_t euid;
	uint32_t gid;
	uint32_t ns_pid;  /* pid in its own pid namespace */
	uint32_t ns_ppid; /* parent's pid in that namespace, 0 if the parent is outside */
	uint32_t pidns;	  /* pid namespace inode number */
	uint32_t mntns;	  /* mount namespace inode number */
	char comm[AGENT_COMM_LEN + 1];
	const char *exe;	/* executable path (ProcessName); never NULL, "" if unknown */
	const char *args;	/* its arguments after argv[0], space-joined; never NULL */
	const char *parent_exe; /* parent's executable (ParentProcessName); never NULL */
} MonitorProcess;

typedef struct MonitorEvent {
	uint16_t type;	   /* enum agent_evt_type */
	uint16_t op;	   /* enum agent_op for FILE/NET/SYSCALL records, else AGENT_OP_NONE */
	uint32_t flags;	   /* AGENT_F_* */
	uint64_t ktime_ns; /* CLOCK_MONOTONIC ns when the kernel built the record */
	MonitorProcess proc;

	/* AGENT_EVT_EXEC */
	const char *filename;			/* as passed to execve (maybe relative) */
	const char *argv[MONITOR_ARGV_MAX + 1]; /* NULL-terminated */
	size_t argc;
	/* AGENT_EVT_EXIT */
	uint32_t exit_code; /* wait(2) status */
	/* AGENT_EVT_FORK */
	uint32_t child_pid;

	/* AGENT_EVT_FILE, _NET, _SYSCALL */
	const char *syscall;  /* "SYS_OPENAT", ... ; NULL for process records */
	uint32_t syscall_nr;  /* native number */
	int64_t ret;	      /* result: fd, 0 or -errno */
	uint64_t args[6];     /* raw arguments, per enum agent_op */
	const char *path;     /* absolute when it could be resolved, else as given; NULL if none */
	const char *path_raw; /* as the program passed it; NULL if none */
	const char *source;   /* mount: source; NULL otherwise */
	const char *fstype;   /* mount: file system type; NULL otherwise */
	const void *addr;     /* connect/bind/accept: socket address bytes; NULL if none */
	size_t addr_len;
} MonitorEvent;

typedef int (*MonitorCallback)(const MonitorEvent *ev, void *userdata);

typedef struct MonitorOptions {
	MonitorCallback callback;
	void *userdata;
	uint32_t visibility;	  /* MONITOR_VIS_BIT()s; 0 means MONITOR_VIS_ALL */
	uint32_t ring_bytes;	  /* ring buffer size, power of two >= page size; 0 = 8 MiB */
	uint32_t wakeup_bytes;	  /* fill that wakes the consumer; 0 = ring_bytes / 16 */
	uint32_t tree_max;	  /* process tree bound; 0 = 32768 */
	uint64_t tree_grace_usec; /* exited entries kept at least this long; 0 = 30 s */
	bool include_self;	  /* also report the agent's own actions (tests) */
	bool no_seed;		  /* do not seed the tree from /proc (tests) */
} MonitorOptions;

typedef struct MonitorStats {
	uint64_t kernel_emitted;	       /* records written by the kernel programs */
	uint64_t kernel_drop[_AGENT_STAT_MAX]; /* per enum agent_stat (EMITTED/WAKEUPS unused here)
						*/
	uint64_t kernel_dropped;	       /* sum of the drop reasons */
	uint64_t kernel_wakeups;	       /* forced wake-ups */
	uint64_t kernel_read_errors;	       /* strings or addresses that could not be read */
	uint64_t received;		       /* records taken from the ring */
	uint64_t delivered;		       /* events handed to the callback */
	uint64_t filtered;		       /* decoded but not delivered (visibility off) */
	uint64_t rejected_truncated;	       /* shorter than their header or type says */
	uint64_t rejected_version;	       /* unknown layout version */
	uint64_t rejected_type;		       /* unknown record type */
	uint64_t rejected_malformed;	       /* inconsistent lengths or fields */
	uint64_t tree_size;		       /* processes in the tree now */
	uint64_t tree_evicted;		       /* exited entries evicted */
	uint64_t tree_full;		       /* inserts refused: tree full of live processes */
	uint64_t tree_proc_lookups;	       /* misses filled from /proc */
} MonitorStats;

/** monitor_new() - load and attach the programs, seed the process tree. */
int monitor_new(Monitor **ret, const MonitorOptions *opts);
/** monitor_free() - detach everything and free; accepts NULL, returns NULL. */
Monitor *monitor_free(Monitor *m);
/** monitor_get_fd() - epoll fd to watch for readability; owned by the monitor. */
int monitor_get_fd(Monitor *m);
/** monitor_poll_interval_usec() - the longest the owner should wait between monitor_consume()
 * calls. */
uint64_t monitor_poll_interval_usec(Monitor *m);
/** monitor_consume() - decode and deliver everything in the ring. Returns the number of records or
 * -errno. */
int monitor_consume(Monitor *m);
/** monitor_set_visibility() - set the classes that are reported (MONITOR_VIS_BIT()s). */
int monitor_set_visibility(Monitor *m, uint32_t visibility);
/** monitor_read_stats() - kernel counters summed over CPUs plus user-space counters. */
int monitor_read_stats(Monitor *m, MonitorStats *ret);
/**
 * monitor_log_drops() - log one warning with the drops (per reason) and decode rejects since the
 * last call, if there were any. Meant for the owner's periodic timer. Returns the number of new
 * drops and rejects (0 if none), or -errno.
 */
int monitor_log_drops(Monitor *m);
/**
 * monitor_lookup_process() - names of a process from the tree, also after it exited (within the
 * grace period). Fills exe/args/parent_exe/comm/ppid of @ret; pointers valid until the next monitor
 * call. Returns 0, or -ESRCH if unknown.
 */
int monitor_lookup_process(Monitor *m, uint32_t pid, MonitorProcess *ret);

static inline void monitor_freep(Monitor **m)
{
	if (*m)
		monitor_free(*m);
}

/* Names for logs and alerts: "SYS_OPENAT" for AGENT_OP_OPENAT; NULL when out of range. */
const char *monitor_op_to_syscall(unsigned op);
