/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * monitor.bpf.c: the system monitor. Observes processes (exec, exit, fork), file opens, network
 * syscalls and the syscalls syscall rules name, and writes one record per operation into the ring
 * buffer `events` (layouts in agent-abi.h).
 *
 * Only tracepoint and tp_btf programs: kprobes, fentry and LSM programs are not available on every
 * target. sched_* events use tp_btf (BTF-typed arguments, no tracefs needed); syscalls use the
 * syscalls/sys_{enter,exit}_* tracepoints (user space reads their ids from tracefs). User space
 * turns off the programs whose tracepoint this kernel lacks (e.g. open/unlink/chown on arm64).
 *
 * Syscalls are recorded at entry into the task-local storage `pending` (so strings are copied
 * before the kernel acts on them) and sent at exit with the result. Every record that is not sent
 * is counted in `stats` by reason. The consumer is not woken per record (BPF_RB_NO_WAKEUP): only
 * when the ring's fill crosses agent_cfg.wakeup_bytes; user space also polls on a timer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "agent-abi.h"
#include "lib/stats.bpf.h"
#include "lib/task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Run-time configuration, written by user space through the mmapped .bss (struct agent_config). */
struct agent_config agent_cfg = {};

/*
 * Bound of the variable offset at which the path of a syscall record starts (addr + fstype + short
 * string <= 416): the verifier needs a power-of-two mask to prove the path read stays in the
 * buffer.
 */
#define SYS_PATH_OFF_MASK 511
#define SYS_BUF_SIZE	  (sizeof(struct agent_evt_sys) + SYS_PATH_OFF_MASK + 1 + AGENT_PATH_MAX)
/* Same for exec: args start after the filename (<= 4096). */
#define EXEC_ARGS_OFF_MASK (AGENT_PATH_MAX - 1)
#define EXEC_BUF_SIZE	   (sizeof(struct agent_evt_exec) + AGENT_PATH_MAX + AGENT_ARGS_MAX)

struct sys_buf {
	__u8 b[SYS_BUF_SIZE];
};
struct exec_buf {
	__u8 b[EXEC_BUF_SIZE];
};

/* The one ring buffer; user space sets max_entries (its size in bytes) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/*
 * Per-thread syscall record: built at entry, completed and sent at exit. Task-local storage gives
 * each thread its own slot: written in place (no copy of the 4.7 KiB record, no allocation per
 * syscall), never shared with another thread, freed by the kernel when the thread exits. A thread
 * only gets a slot once it makes a monitored syscall.
 */
struct pending_rec {
	__u32 active; /* 1 between entry and exit */
	__u32 pad;
	/*
	 * User address of a path that could not be read at entry: the program cannot fault, so a
	 * string on a page that is not resident yet fails. The kernel faults it in during the
	 * syscall; the exit program reads it then (and flags the record AGENT_F_PATH_AT_EXIT).
	 */
	__u64 path_retry;
	struct sys_buf rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_rec);
} pending SEC(".maps");

/* Per-CPU scratch space: records are larger than the 512-byte stack. Index 0 only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_buf);
} exec_scratch SEC(".maps");

static __always_inline int visible(__u32 class)
{
	return class < _AGENT_VIS_MAX && agent_cfg.visibility[class & 7];
}

static __always_inline int is_self(void)
{
	__u32 self = agent_cfg.self_tgid;

	return self != 0 && (bpf_get_current_pid_tgid() >> 32) == self;
}

/*
 * Send a finished record. Wake the consumer only when this record makes the ring's fill cross the
 * threshold; below it, the consumer's timer picks records up.
 */
static __always_inline void emit(void *rec, __u64 size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 thr = agent_cfg.wakeup_bytes;
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (avail < thr && avail + size >= thr) {
		flags = BPF_RB_FORCE_WAKEUP;
		agent_stat_inc(AGENT_STAT_WAKEUPS);
	}
	if (bpf_ringbuf_output(&events, rec, size, flags) < 0)
		agent_stat_inc(AGENT_STAT_DROP_RINGBUF);
	else
		agent_stat_inc(AGENT_STAT_EMITTED);
}

static __always_inline void fill_common(struct agent_evt_common *c, __u16 type, __u16 version)
{
	c->hdr.ktime_ns = bpf_ktime_get_ns();
	c->hdr.cgroup_id = bpf_get_current_cgroup_id();
	c->hdr.type = type;
	c->hdr.version = version;
	c->hdr.size = 0;
	agent_fill_task(&c->task);
}

/* ---- processes ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_sched_exec_observe, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0, off;
	struct agent_evt_exec *e;
	struct mm_struct *mm;
	unsigned long start, end;
	const char *filename;
	__u64 size;
	long n;

	/* Process records are always sent: they keep the process tree right even with visibility
	 * off. */
	if (is_self())
		return 0;
	e = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!e) {
		agent_stat_inc(AGENT_STAT_DROP_SCRATCH);
		return 0;
	}
	fill_common(&e->c, AGENT_EVT_EXEC, AGENT_EVT_EXEC_VERSION);
	e->old_pid = old_pid;
	e->flags = 0;

	filename = BPF_CORE_READ(bprm, filename);
	n = bpf_probe_read_kernel_str(e->data, AGENT_PATH_MAX, filename);
	if (n < 0) {
		agent_stat_inc(AGENT_STAT_ERR_READ);
		e->flags |= AGENT_F_READ_FAILED;
		n = 0;
	} else if (n == AGENT_PATH_MAX) {
		e->flags |= AGENT_F_FILENAME_TRUNC;
	}
	e->filename_len = n;

	/* The new argument area is in place at this tracepoint: [arg_start, arg_end) of the new mm.
	 */
	mm = BPF_CORE_READ(p, mm);
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	e->args_size = end > start ? end - start : 0;
	e->args_len = 0;
	if (end > start) {
		__u64 len = end - start;

		if (len > AGENT_ARGS_MAX) {
			len = AGENT_ARGS_MAX;
			e->flags |= AGENT_F_ARGS_TRUNC;
		}
		off = e->filename_len & EXEC_ARGS_OFF_MASK;
		if (bpf_probe_read_user(e->data + off, len & (AGENT_ARGS_MAX * 2 - 1),
					(void *)start) == 0) {
			e->args_len = len;
		} else {
			agent_stat_inc(AGENT_STAT_ERR_READ);
			e->flags |= AGENT_F_READ_FAILED;
		}
	}
	size = sizeof(*e) + (__u64)e->filename_len + e->args_len;
	if (size > EXEC_BUF_SIZE) {
		agent_stat_inc(AGENT_STAT_DROP_TOO_BIG);
		return 0;
	}
	e->c.hdr.size = size;
	emit(e, size);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_sched_exit_observe, struct task_struct *p)
{
	struct agent_evt_exit e = {};

	if (is_self())
		return 0;
	/* Only the last thread of the process: signal->live drops to 0 before this tracepoint. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	fill_common(&e.c, AGENT_EVT_EXIT, AGENT_EVT_EXIT_VERSION);
	e.exit_code = BPF_CORE_READ(p, exit_code);
	e.c.hdr.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_sched_fork_observe, struct task_struct *parent, struct task_struct *child)
{
	struct agent_evt_fork e = {};
	__u32 child_pid = BPF_CORE_READ(child, pid);

	if (is_self())
		return 0;
	/* New threads are not processes: the tree keys on tgid. */
	if (child_pid != (__u32)BPF_CORE_READ(child, tgid))
		return 0;
	fill_common(&e.c, AGENT_EVT_FORK, AGENT_EVT_FORK_VERSION);
	e.child_pid = child_pid;
	e.child_start_ns = BPF_CORE_READ(child, start_time);
	e.c.hdr.size = sizeof(e);
	emit(&e, sizeof(e));
	return 0;
}

/* ---- syscalls: entry records into `pending`, exit completes and sends them ---- */

static __always_inline struct agent_evt_sys *sys_begin(struct trace_event_raw_sys_enter *ctx,
						       __u16 type, __u16 op)
{
	struct pending_rec *p;
	struct agent_evt_sys *e;

	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		agent_stat_inc(AGENT_STAT_DROP_PENDING);
		return NULL;
	}
	p->active = 0;
	p->path_retry = 0;
	e = (struct agent_evt_sys *)&p->rec;
	fill_common(&e->c, type, AGENT_EVT_SYS_VERSION);
	e->ret = 0;
	e->syscall_nr = BPF_CORE_READ(ctx, id);
	e->flags = 0;
	e->op = op;
	e->addr_len = 0;
	e->fstype_len = 0;
	e->short_len = 0;
	e->path_len = 0;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	for (int i = 0; i < 6; i++)
		e->args[i] = BPF_CORE_READ(ctx, args[i]);
	return e;
}

static __always_inline void sys_read_failed(struct agent_evt_sys *e)
{
	agent_stat_inc(AGENT_STAT_ERR_READ);
	e->flags |= AGENT_F_READ_FAILED;
}

/* The path goes last in data[], after addr, fstype and the short string. */
static __always_inline struct pending_rec *pending_of(struct agent_evt_sys *e)
{
	return (void *)e - __builtin_offsetof(struct pending_rec, rec);
}

static __always_inline long sys_read_path(struct agent_evt_sys *e, const void *uptr)
{
	__u32 off = ((__u32)e->addr_len + e->fstype_len + e->short_len) & SYS_PATH_OFF_MASK;

	return bpf_probe_read_user_str(e->data + off, AGENT_PATH_MAX, uptr);
}

static __always_inline void sys_put_path(struct agent_evt_sys *e, const void *uptr)
{
	long n = sys_read_path(e, uptr);

	if (n < 0) {
		if (uptr)
			pending_of(e)->path_retry = (__u64)uptr;
		else
			sys_read_failed(e);
		return;
	}
	if (n == AGENT_PATH_MAX)
		e->flags |= AGENT_F_FILENAME_TRUNC;
	e->path_len = n;
}

static __always_inline void sys_put_addr(struct agent_evt_sys *e, const void *uptr, __u64 len)
{
	/* Only at offset 0: the address is the first item of data[]. */
	if (!uptr || len == 0)
		return;
	if (len > AGENT_SOCKADDR_MAX)
		len = AGENT_SOCKADDR_MAX;
	if (bpf_probe_read_user(e->data, len & (AGENT_SOCKADDR_MAX * 2 - 1), uptr) < 0) {
		sys_read_failed(e);
		return;
	}
	e->addr_len = len;
}

static __always_inline int sys_stash(struct agent_evt_sys *e)
{
	pending_of(e)->active = 1;
	return 0;
}

static __always_inline int sys_exit(struct trace_event_raw_sys_exit *ctx, __u32 class)
{
	struct pending_rec *p;
	struct agent_evt_sys *e;
	__u64 size;

	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), NULL, 0);
	if (!p || !p->active) {
		if (visible(class) && !is_self())
			agent_stat_inc(AGENT_STAT_EXIT_NO_ENTER);
		return 0;
	}
	p->active = 0;
	if (!visible(class))
		return 0;
	e = (struct agent_evt_sys *)&p->rec;
	e->ret = BPF_CORE_READ(ctx, ret);
	if (p->path_retry) {
		long n = sys_read_path(e, (const void *)p->path_retry);

		if (n < 0) {
			sys_read_failed(e);
		} else {
			e->path_len = n;
			e->flags |= AGENT_F_PATH_AT_EXIT;
			if (n == AGENT_PATH_MAX)
				e->flags |= AGENT_F_FILENAME_TRUNC;
		}
	}
	if ((e->op == AGENT_OP_ACCEPT || e->op == AGENT_OP_ACCEPT4) && e->ret >= 0 && e->args[1] &&
	    e->args[2]) {
		int alen = 0;

		if (bpf_probe_read_user(&alen, sizeof(alen), (void *)e->args[2]) == 0 && alen > 0)
			sys_put_addr(e, (void *)e->args[1], alen);
	}
	size = sizeof(*e) + (__u64)e->addr_len + e->fstype_len + e->short_len + e->path_len;
	if (size > SYS_BUF_SIZE) {
		agent_stat_inc(AGENT_STAT_DROP_TOO_BIG);
		return 0;
	}
	e->c.hdr.size = size;
	emit(e, size);
	return 0;
}

#define SYS_GUARD(class)                          \
	do {                                      \
		if (!visible(class) || is_self()) \
			return 0;                 \
	} while (0)

#define SYS_EXIT_PROG(name, class)                                   \
	SEC("tracepoint/syscalls/sys_exit_" #name)                   \
	int tp_sys_exit_##name(struct trace_event_raw_sys_exit *ctx) \
	{                                                            \
		return sys_exit(ctx, class);                         \
	}

/* Syscalls recorded with their arguments and, unless path_arg is NO_PATH, the path at
 * args[path_arg]. path_arg is a literal, so with NO_PATH the compiler drops the step: the verifier
 * sees the same program as one written without it. */
#define NO_PATH (-1)
#define SYS_PROGS(name, type, class, op, path_arg)                        \
	SEC("tracepoint/syscalls/sys_enter_" #name)                       \
	int tp_sys_enter_##name(struct trace_event_raw_sys_enter *ctx)    \
	{                                                                 \
		struct agent_evt_sys *e;                                  \
		SYS_GUARD(class);                                         \
		e = sys_begin(ctx, type, op);                             \
		if (!e)                                                   \
			return 0;                                         \
		if ((path_arg) != NO_PATH)                                \
			sys_put_path(e, (const void *)e->args[path_arg]); \
		return sys_stash(e);                                      \
	}                                                                 \
	SYS_EXIT_PROG(name, class)

/* Syscalls with a socket address at args[1], its length at args[2]. */
#define SYS_ADDR_PROGS(name, op)                                              \
	SEC("tracepoint/syscalls/sys_enter_" #name)                           \
	int tp_sys_enter_##name(struct trace_event_raw_sys_enter *ctx)        \
	{                                                                     \
		struct agent_evt_sys *e;                                      \
		SYS_GUARD(AGENT_VIS_NETWORK);                                 \
		e = sys_begin(ctx, AGENT_EVT_NET, op);                        \
		if (!e)                                                       \
			return 0;                                             \
		sys_put_addr(e, (const void *)e->args[1], (__u32)e->args[2]); \
		return sys_stash(e);                                          \
	}                                                                     \
	SYS_EXIT_PROG(name, AGENT_VIS_NETWORK)

/* files */
SYS_PROGS(open, AGENT_EVT_FILE, AGENT_VIS_FILE, AGENT_OP_OPEN, 0)
SYS_PROGS(openat, AGENT_EVT_FILE, AGENT_VIS_FILE, AGENT_OP_OPENAT, 1)

SEC("tracepoint/syscalls/sys_enter_openat2")
int tp_sys_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct agent_evt_sys *e;
	struct open_how how = {};

	SYS_GUARD(AGENT_VIS_FILE);
	e = sys_begin(ctx, AGENT_EVT_FILE, AGENT_OP_OPENAT2);
	if (!e)
		return 0;
	/* Normalise to openat's layout: [2] flags, [3] mode from struct open_how. */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)e->args[2]) == 0) {
		e->args[2] = how.flags;
		e->args[3] = how.mode;
	} else {
		sys_read_failed(e);
		e->args[2] = e->args[3] = 0;
	}
	sys_put_path(e, (const void *)e->args[1]);
	return sys_stash(e);
}
SYS_EXIT_PROG(openat2, AGENT_VIS_FILE)

/* syscall-rule operations on files (file visibility, reference errata §2.6) */
SYS_PROGS(unlink, AGENT_EVT_SYSCALL, AGENT_VIS_FILE, AGENT_OP_UNLINK, 0)
SYS_PROGS(unlinkat, AGENT_EVT_SYSCALL, AGENT_VIS_FILE, AGENT_OP_UNLINKAT, 1)
SYS_PROGS(rmdir, AGENT_EVT_SYSCALL, AGENT_VIS_FILE, AGENT_OP_RMDIR, 0)
SYS_PROGS(chown, AGENT_EVT_SYSCALL, AGENT_VIS_FILE, AGENT_OP_CHOWN, 0)
SYS_PROGS(fchownat, AGENT_EVT_SYSCALL, AGENT_VIS_FILE, AGENT_OP_FCHOWNAT, 1)

/* syscall-rule operations on credentials and mounts (capabilities visibility) */
SYS_PROGS(setuid, AGENT_EVT_SYSCALL, AGENT_VIS_CAPS, AGENT_OP_SETUID, NO_PATH)
SYS_PROGS(setgid, AGENT_EVT_SYSCALL, AGENT_VIS_CAPS, AGENT_OP_SETGID, NO_PATH)
SYS_PROGS(ptrace, AGENT_EVT_SYSCALL, AGENT_VIS_CAPS, AGENT_OP_PTRACE, NO_PATH)
SYS_PROGS(umount, AGENT_EVT_SYSCALL, AGENT_VIS_CAPS, AGENT_OP_UMOUNT2, 0)

SEC("tracepoint/syscalls/sys_enter_mount")
int tp_sys_enter_mount(struct trace_event_raw_sys_enter *ctx)
{
	struct agent_evt_sys *e;
	long n;

	SYS_GUARD(AGENT_VIS_CAPS);
	e = sys_begin(ctx, AGENT_EVT_SYSCALL, AGENT_OP_MOUNT);
	if (!e)
		return 0;
	/* data[]: fstype at 0, source right after it, target (the path) last. */
	if (e->args[2]) {
		n = bpf_probe_read_user_str(e->data, AGENT_FSTYPE_MAX, (void *)e->args[2]);
		if (n < 0)
			sys_read_failed(e);
		else
			e->fstype_len = n;
	}
	if (e->args[0]) {
		n = bpf_probe_read_user_str(e->data + (e->fstype_len & (AGENT_FSTYPE_MAX * 2 - 1)),
					    AGENT_STR_SHORT_MAX, (void *)e->args[0]);
		if (n < 0)
			sys_read_failed(e);
		else
			e->short_len = n;
	}
	sys_put_path(e, (const void *)e->args[1]);
	return sys_stash(e);
}
SYS_EXIT_PROG(mount, AGENT_VIS_CAPS)

/* network */
SYS_PROGS(socket, AGENT_EVT_NET, AGENT_VIS_NETWORK, AGENT_OP_SOCKET, NO_PATH)
SYS_ADDR_PROGS(connect, AGENT_OP_CONNECT)
SYS_ADDR_PROGS(bind, AGENT_OP_BIND)
SYS_PROGS(listen, AGENT_EVT_NET, AGENT_VIS_NETWORK, AGENT_OP_LISTEN, NO_PATH)
SYS_PROGS(accept, AGENT_EVT_NET, AGENT_VIS_NETWORK, AGENT_OP_ACCEPT, NO_PATH)
SYS_PROGS(accept4, AGENT_EVT_NET, AGENT_VIS_NETWORK, AGENT_OP_ACCEPT4, NO_PATH)
