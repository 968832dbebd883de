/* SPDX-License-Identifier: Apache-2.0 */
/* event.c: raw record -> MonitorEvent, checking every size before trusting it (see event.h). */
#include <errno.h>
#include <string.h>

#include "monitor/event.h"

_Static_assert(sizeof(struct agent_evt_hdr) == 24, "agent_evt_hdr layout");
_Static_assert(sizeof(struct agent_task) == 64, "agent_task layout");
_Static_assert(sizeof(struct agent_evt_common) == 88, "agent_evt_common layout");
_Static_assert(sizeof(struct agent_evt_exec) == 104, "agent_evt_exec layout");
_Static_assert(sizeof(struct agent_evt_exit) == 96, "agent_evt_exit layout");
_Static_assert(sizeof(struct agent_evt_fork) == 104, "agent_evt_fork layout");
_Static_assert(sizeof(struct agent_evt_sys) == 168, "agent_evt_sys layout");
_Static_assert(sizeof(struct agent_config) == 32, "agent_config layout");

static const char *const op_syscall[_AGENT_OP_MAX] = {
	[AGENT_OP_OPEN] = "SYS_OPEN",	      [AGENT_OP_OPENAT] = "SYS_OPENAT",
	[AGENT_OP_OPENAT2] = "SYS_OPENAT2",   [AGENT_OP_UNLINK] = "SYS_UNLINK",
	[AGENT_OP_UNLINKAT] = "SYS_UNLINKAT", [AGENT_OP_RMDIR] = "SYS_RMDIR",
	[AGENT_OP_CHOWN] = "SYS_CHOWN",	      [AGENT_OP_FCHOWNAT] = "SYS_FCHOWNAT",
	[AGENT_OP_SETUID] = "SYS_SETUID",     [AGENT_OP_SETGID] = "SYS_SETGID",
	[AGENT_OP_PTRACE] = "SYS_PTRACE",     [AGENT_OP_MOUNT] = "SYS_MOUNT",
	[AGENT_OP_UMOUNT2] = "SYS_UMOUNT2",   [AGENT_OP_SOCKET] = "SYS_SOCKET",
	[AGENT_OP_CONNECT] = "SYS_CONNECT",   [AGENT_OP_BIND] = "SYS_BIND",
	[AGENT_OP_LISTEN] = "SYS_LISTEN",     [AGENT_OP_ACCEPT] = "SYS_ACCEPT",
	[AGENT_OP_ACCEPT4] = "SYS_ACCEPT4",
};

const char *monitor_op_to_syscall(unsigned op)
{
	return op < _AGENT_OP_MAX ? op_syscall[op] : NULL;
}

/* The record type each operation must arrive in. */
static unsigned op_type(unsigned op)
{
	switch (op) {
	case AGENT_OP_OPEN:
	case AGENT_OP_OPENAT:
	case AGENT_OP_OPENAT2:
		return AGENT_EVT_FILE;
	case AGENT_OP_SOCKET:
	case AGENT_OP_CONNECT:
	case AGENT_OP_BIND:
	case AGENT_OP_LISTEN:
	case AGENT_OP_ACCEPT:
	case AGENT_OP_ACCEPT4:
		return AGENT_EVT_NET;
	case AGENT_OP_UNLINK:
	case AGENT_OP_UNLINKAT:
	case AGENT_OP_RMDIR:
	case AGENT_OP_CHOWN:
	case AGENT_OP_FCHOWNAT:
	case AGENT_OP_SETUID:
	case AGENT_OP_SETGID:
	case AGENT_OP_PTRACE:
	case AGENT_OP_MOUNT:
	case AGENT_OP_UMOUNT2:
		return AGENT_EVT_SYSCALL;
	default:
		return 0;
	}
}

/* Copy a length-counted kernel string: stop at the first NUL, always terminate. */
static const char *copy_str(char *dst, size_t dstsz, const unsigned char *src, size_t len)
{
	size_t n = strnlen((const char *)src, len);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

static void decode_task(const struct agent_evt_common *c, MonitorEvent *ev)
{
	MonitorProcess *p = &ev->proc;

	ev->ktime_ns = c->hdr.ktime_ns;
	p->cgroup_id = c->hdr.cgroup_id;
	p->start_ns = c->task.start_ns;
	p->pid = c->task.pid;
	p->tid = c->task.tid;
	p->ppid = c->task.ppid;
	p->uid = c->task.uid;
	p->euid = c->task.euid;
	p->gid = c->task.gid;
	p->ns_pid = c->task.ns_pid;
	p->ns_ppid = c->task.ns_ppid;
	p->pidns = c->task.pidns;
	p->mntns = c->task.mntns;
	copy_str(p->comm, sizeof(p->comm), c->task.comm, sizeof(c->task.comm));
	p->exe = "";
	p->args = "";
	p->parent_exe = "";
}

static int decode_exec(const unsigned char *data, size_t size, MonitorEvent *ev,
		       MonitorDecodeBuf *buf)
{
	struct agent_evt_exec e;
	const unsigned char *tail = data + sizeof(e);
	size_t off = 0;

	if (size < sizeof(e))
		return MONITOR_DECODE_TRUNCATED;
	memcpy(&e, data, sizeof(e));
	if (e.filename_len > AGENT_PATH_MAX || e.args_len > AGENT_ARGS_MAX)
		return MONITOR_DECODE_MALFORMED;
	if (size != sizeof(e) + e.filename_len + e.args_len)
		return size < sizeof(e) + e.filename_len + e.args_len ? MONITOR_DECODE_TRUNCATED
								      : MONITOR_DECODE_MALFORMED;
	decode_task(&e.c, ev);
	ev->flags = e.flags;
	ev->filename = copy_str(buf->filename, sizeof(buf->filename), tail, e.filename_len);

	/* Split the argument area at NULs; the last string may be cut by the bound. */
	memcpy(buf->args, tail + e.filename_len, e.args_len);
	buf->args[e.args_len] = '\0';
	ev->argc = 0;
	while (off < e.args_len) {
		if (ev->argc == MONITOR_ARGV_MAX) {
			ev->flags |= AGENT_F_ARGS_TRUNC;
			break;
		}
		ev->argv[ev->argc++] = buf->args + off;
		off += strnlen(buf->args + off, e.args_len - off) + 1;
	}
	ev->argv[ev->argc] = NULL;
	return 0;
}

static int decode_sys(const unsigned char *data, size_t size, MonitorEvent *ev,
		      MonitorDecodeBuf *buf)
{
	struct agent_evt_sys e;
	const unsigned char *tail = data + sizeof(e);
	size_t want;

	if (size < sizeof(e))
		return MONITOR_DECODE_TRUNCATED;
	memcpy(&e, data, sizeof(e));
	if (e.addr_len > AGENT_SOCKADDR_MAX || e.fstype_len > AGENT_FSTYPE_MAX ||
	    e.short_len > AGENT_STR_SHORT_MAX || e.path_len > AGENT_PATH_MAX)
		return MONITOR_DECODE_MALFORMED;
	want = sizeof(e) + e.addr_len + e.fstype_len + e.short_len + e.path_len;
	if (size != want)
		return size < want ? MONITOR_DECODE_TRUNCATED : MONITOR_DECODE_MALFORMED;
	if (op_type(e.op) != e.c.hdr.type)
		return MONITOR_DECODE_MALFORMED;

	decode_task(&e.c, ev);
	ev->flags = e.flags;
	ev->op = e.op;
	ev->syscall = op_syscall[e.op];
	ev->syscall_nr = e.syscall_nr;
	ev->ret = e.ret;
	memcpy(ev->args, e.args, sizeof(ev->args));
	if (e.addr_len > 0) {
		memcpy(buf->addr, tail, e.addr_len);
		ev->addr = buf->addr;
		ev->addr_len = e.addr_len;
	}
	tail += e.addr_len;
	if (e.fstype_len > 0)
		ev->fstype = copy_str(buf->fstype, sizeof(buf->fstype), tail, e.fstype_len);
	tail += e.fstype_len;
	if (e.short_len > 0)
		ev->source = copy_str(buf->source, sizeof(buf->source), tail, e.short_len);
	tail += e.short_len;
	if (e.path_len > 0)
		ev->path = ev->path_raw = copy_str(buf->path, sizeof(buf->path), tail, e.path_len);
	return 0;
}

int monitor_event_decode(const void *data, size_t size, MonitorEvent *ret, MonitorDecodeBuf *buf)
{
	struct agent_evt_hdr hdr;

	if (!data || size < sizeof(hdr))
		return MONITOR_DECODE_TRUNCATED;
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.size != size)
		return hdr.size > size ? MONITOR_DECODE_TRUNCATED : MONITOR_DECODE_MALFORMED;

	memset(ret, 0, sizeof(*ret));
	ret->type = hdr.type;
	switch (hdr.type) {
	case AGENT_EVT_EXEC:
		if (hdr.version != AGENT_EVT_EXEC_VERSION)
			return MONITOR_DECODE_BAD_VERSION;
		return decode_exec(data, size, ret, buf);
	case AGENT_EVT_EXIT: {
		struct agent_evt_exit e;

		if (hdr.version != AGENT_EVT_EXIT_VERSION)
			return MONITOR_DECODE_BAD_VERSION;
		if (size != sizeof(e))
			return size < sizeof(e) ? MONITOR_DECODE_TRUNCATED
						: MONITOR_DECODE_MALFORMED;
		memcpy(&e, data, sizeof(e));
		decode_task(&e.c, ret);
		ret->exit_code = e.exit_code;
		return 0;
	}
	case AGENT_EVT_FORK: {
		struct agent_evt_fork e;

		if (hdr.version != AGENT_EVT_FORK_VERSION)
			return MONITOR_DECODE_BAD_VERSION;
		if (size != sizeof(e))
			return size < sizeof(e) ? MONITOR_DECODE_TRUNCATED
						: MONITOR_DECODE_MALFORMED;
		memcpy(&e, data, sizeof(e));
		decode_task(&e.c, ret);
		ret->child_pid = e.child_pid;
		if (e.child_pid == 0)
			return MONITOR_DECODE_MALFORMED;
		return 0;
	}
	case AGENT_EVT_FILE:
	case AGENT_EVT_NET:
	case AGENT_EVT_SYSCALL:
		if (hdr.version != AGENT_EVT_SYS_VERSION)
			return MONITOR_DECODE_BAD_VERSION;
		return decode_sys(data, size, ret, buf);
	default:
		return MONITOR_DECODE_BAD_TYPE;
	}
}
