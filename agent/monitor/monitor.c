/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor.c: lifecycle of the monitor skeleton (open -> configure -> load -> attach), ring-buffer
 * consumption, enrichment from the process tree and per-class visibility. The only includer of
 * monitor.skel.h. See monitor.h for the contract.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/macro.h"
#include "agent-abi.h" /* before the skeleton: it names struct agent_config */
#include "monitor.skel.h"
#include "monitor/event.h"
#include "monitor/monitor.h"
#include "monitor/proc-tree.h"

#define MONITOR_RING_BYTES_DEFAULT (8U << 20)
#define MONITOR_TREE_MAX_DEFAULT   32768U
#define MONITOR_TREE_GRACE_DEFAULT (30ULL * 1000000ULL)
#define MONITOR_POLL_INTERVAL_USEC (100ULL * 1000ULL)
#define TRACEFS			   "/sys/kernel/tracing"
#define PROC			   "/proc"

/* Which visibility class a syscall tracepoint program belongs to. */
static const struct {
	const char *syscall;
	int class;
} sys_class[] = {
	{"open", AGENT_VIS_FILE},	{"openat", AGENT_VIS_FILE},
	{"openat2", AGENT_VIS_FILE},	{"unlink", AGENT_VIS_FILE},
	{"unlinkat", AGENT_VIS_FILE},	{"rmdir", AGENT_VIS_FILE},
	{"chown", AGENT_VIS_FILE},	{"fchownat", AGENT_VIS_FILE},
	{"setuid", AGENT_VIS_CAPS},	{"setgid", AGENT_VIS_CAPS},
	{"ptrace", AGENT_VIS_CAPS},	{"mount", AGENT_VIS_CAPS},
	{"umount", AGENT_VIS_CAPS},	{"socket", AGENT_VIS_NETWORK},
	{"connect", AGENT_VIS_NETWORK}, {"bind", AGENT_VIS_NETWORK},
	{"listen", AGENT_VIS_NETWORK},	{"accept", AGENT_VIS_NETWORK},
	{"accept4", AGENT_VIS_NETWORK},
};

#define MONITOR_PROGS_MAX 64

typedef struct MonitorProg {
	struct bpf_program *prog;
	struct bpf_link *link;
	int class; /* enum agent_vis_class, or -1: always attached */
	bool is_exit;
	int tp_id; /* syscall tracepoints: the tracepoint's id */
} MonitorProg;

struct Monitor {
	struct monitor_bpf *skel;
	struct ring_buffer *rb;
	ProcTree *tree;
	MonitorOptions opts;
	uint32_t visibility;
	uint32_t self_mntns;
	MonitorProg progs[MONITOR_PROGS_MAX];
	size_t nprogs;
	int cb_error;

	MonitorDecodeBuf buf;
	MonitorEvent ev;
	char exe_buf[PATH_MAX];
	char path_buf[PATH_MAX + AGENT_PATH_MAX + 2];

	MonitorStats st;      /* user-space counters */
	MonitorStats st_last; /* as of the last monitor_log_drops() */
};

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level == LIBBPF_DEBUG && log_get_max_level() < LOG_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("monitor: libbpf: %s", line);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int syscall_class(const char *syscall)
{
	for (size_t i = 0; i < ELEMENTSOF(sys_class); i++)
		if (streq(sys_class[i].syscall, syscall))
			return sys_class[i].class;
	return -1;
}

/*
 * Where to read tracepoint ids: a mounted tracefs, or else a private mount of our own that lives
 * only while the ids are read. The ids are all the monitor needs from tracefs (it attaches through
 * perf_event_open itself), so it neither depends on nor changes the system's /sys/kernel/tracing,
 * which other programs may mount and unmount at any time.
 */
typedef struct TraceRoot {
	char path[PATH_MAX];
	bool mounted; /* private mount at path, to undo */
} TraceRoot;

static void trace_root_done(TraceRoot *t)
{
	if (t->mounted) {
		(void)umount2(t->path, MNT_DETACH);
		(void)rmdir(t->path);
		t->mounted = false;
	}
}

static int trace_root_open(TraceRoot *t)
{
	static const char *const known[] = {TRACEFS, "/sys/kernel/debug/tracing"};
	char dir[] = "/tmp/kubearmor-tracefs-XXXXXX";

	for (size_t i = 0; i < ELEMENTSOF(known); i++) {
		char ev[128];

		snprintf(ev, sizeof(ev), "%s/events/syscalls", known[i]);
		if (access(ev, F_OK) == 0) {
			snprintf(t->path, sizeof(t->path), "%s", known[i]);
			return 0;
		}
	}
	if (!mkdtemp(dir))
		return -errno;
	if (mount("nodev", dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		int r = -errno;
		(void)rmdir(dir);
		return r;
	}
	snprintf(t->path, sizeof(t->path), "%s", dir);
	t->mounted = true;
	return 0;
}

/* Tracepoint id of syscalls/NAME, or -ENOENT when this kernel has no such tracepoint. */
static int trace_id(const TraceRoot *t, const char *name)
{
	char path[PATH_MAX + 128], buf[32];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;
	long id;

	snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", t->path, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	id = strtol(buf, NULL, 10);
	if (id <= 0 || id > INT32_MAX)
		return -EIO;
	return (int)id;
}

/* Classify every program; turn off those whose tracepoint this kernel lacks. */
static int setup_progs(Monitor *m)
{
	_cleanup_(trace_root_done) TraceRoot root = {};
	struct bpf_program *prog;
	int r;

	r = trace_root_open(&root);
	if (r < 0)
		return r;
	bpf_object__for_each_program(prog, m->skel->obj)
	{
		const char *sec = bpf_program__section_name(prog);
		MonitorProg *p;
		const char *name;

		if (m->nprogs >= MONITOR_PROGS_MAX)
			return -E2BIG;
		p = &m->progs[m->nprogs++];
		p->prog = prog;
		p->class = -1;
		if (strncmp(sec, "tracepoint/syscalls/", 20) != 0)
			continue;
		name = sec + 20;
		if (strncmp(name, "sys_enter_", 10) == 0) {
			p->class = syscall_class(name + 10);
		} else if (strncmp(name, "sys_exit_", 9) == 0) {
			p->class = syscall_class(name + 9);
			p->is_exit = true;
		}
		if (p->class < 0)
			return -EINVAL;
		p->tp_id = trace_id(&root, name);
		if (p->tp_id == -ENOENT) {
			log_debug("monitor: no tracepoint '%s', not observed", name);
			bpf_program__set_autoload(prog, false);
			p->prog = NULL;
		} else if (p->tp_id < 0) {
			return p->tp_id;
		}
	}
	return 0;
}

/* Attach one program; syscall tracepoints through our own perf event (see TraceRoot). */
static struct bpf_link *prog_attach(MonitorProg *p)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = p->tp_id,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	struct bpf_link *link;
	int pfd, r;

	if (p->class < 0)
		return bpf_program__attach(p->prog);
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(p->prog, pfd);
	if (!link) {
		r = -errno;
		(void)close(pfd);
		errno = -r;
		return NULL;
	}
	return link; /* owns pfd now */
}

static bool class_on(uint32_t vis, int class)
{
	return class < 0 || (vis & MONITOR_VIS_BIT(class));
}

/*
 * Attach the programs of the visible classes, detach the others: a class that is off costs nothing
 * in the kernel (its syscall tracepoints are not even enabled). Exit programs go first on attach
 * and last on detach, so no entry record is left without its exit.
 */
static int sync_links(Monitor *m)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->nprogs; i++) {
			MonitorProg *p = &m->progs[i];
			bool want;

			if (!p->prog)
				continue;
			want = class_on(m->visibility, p->class);
			if (want && !p->link && p->is_exit == (pass == 0)) {
				p->link = prog_attach(p);
				if (!p->link)
					return -errno;
			} else if (!want && p->link && p->is_exit == (pass == 1)) {
				bpf_link__destroy(p->link);
				p->link = NULL;
			}
		}
	return 0;
}

static void write_config_visibility(Monitor *m)
{
	for (int c = 0; c < _AGENT_VIS_MAX; c++)
		__atomic_store_n(&m->skel->bss->agent_cfg.visibility[c],
				 (m->visibility & MONITOR_VIS_BIT(c)) ? 1 : 0, __ATOMIC_RELAXED);
}

/* ---- enrichment ---- */

static ssize_t readlink_proc(uint32_t pid, const char *what, char *buf, size_t sz)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), PROC "/%u/%s", pid, what);
	n = readlink(p, buf, sz - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/*
 * The executable of an exec record. A path the host can resolve (absolute, same mount namespace) is
 * canonicalised with realpath(), so the answer does not depend on whether the process still lives.
 * Otherwise /proc/PID/exe while the process exists; otherwise the filename as passed to execve.
 */
static const char *resolve_exe(Monitor *m, const MonitorEvent *ev)
{
	const char *fn = ev->filename;

	if (fn[0] == '/' && ev->proc.mntns == m->self_mntns && realpath(fn, m->exe_buf))
		return m->exe_buf;
	if (readlink_proc(ev->proc.pid, "exe", m->exe_buf, sizeof(m->exe_buf)) > 0)
		return m->exe_buf;
	return fn;
}

/* Make a relative path absolute against the cwd (or the directory fd) of the process, if it still
 * exists. */
static void resolve_path(Monitor *m, MonitorEvent *ev)
{
	char base[PATH_MAX], what[32];
	int dfd = -100; /* AT_FDCWD */

	if (!ev->path || ev->path[0] == '/' || ev->path[0] == '\0')
		return;
	switch (ev->op) {
	case AGENT_OP_OPENAT:
	case AGENT_OP_OPENAT2:
	case AGENT_OP_UNLINKAT:
	case AGENT_OP_FCHOWNAT:
		dfd = (int)ev->args[0];
		break;
	default:
		break;
	}
	if (dfd == -100)
		snprintf(what, sizeof(what), "cwd");
	else if (dfd >= 0)
		snprintf(what, sizeof(what), "fd/%d", dfd);
	else
		return;
	if (readlink_proc(ev->proc.pid, what, base, sizeof(base)) <= 0 || base[0] != '/')
		return;
	snprintf(m->path_buf, sizeof(m->path_buf), "%s%s%s", base, streq(base, "/") ? "" : "/",
		 ev->path);
	ev->path = m->path_buf;
}

static ProcEntry *tree_lookup(Monitor *m, uint32_t pid)
{
	ProcEntry *e = proc_tree_get(m->tree, pid);

	if (!e && pid > 0) {
		m->st.tree_proc_lookups++;
		if (proc_tree_load_proc(m->tree, PROC, pid, &e) < 0)
			e = NULL;
	}
	return e;
}

static void update_tree(Monitor *m, MonitorEvent *ev)
{
	MonitorProcess *p = &ev->proc;
	ProcEntry *e;

	switch (ev->type) {
	case AGENT_EVT_EXEC: {
		char area[AGENT_ARGS_MAX + 1];
		_cleanup_free_ char *args = NULL;
		size_t n = 0;

		/* argv[1..] joined; rebuild from the split vector. */
		for (size_t i = 0; i < ev->argc && n < sizeof(area); i++) {
			size_t l = strlen(ev->argv[i]) + 1;
			if (n + l > sizeof(area))
				break;
			memcpy(area + n, ev->argv[i], l);
			n += l;
		}
		args = proc_tree_join_args(area, n);
		(void)proc_tree_set(m->tree, p->pid, p->ppid, p->start_ns, p->comm,
				    resolve_exe(m, ev), args ?: "", NULL);
		break;
	}
	case AGENT_EVT_FORK:
		if (!proc_tree_get(m->tree, p->pid))
			(void)tree_lookup(m, p->pid);
		(void)proc_tree_fork(m->tree, p->pid, ev->child_pid, 0);
		break;
	default:
		e = tree_lookup(m, p->pid);
		if (e && !e->exited_usec)
			e->ppid = p->ppid; /* reparenting */
		break;
	}
}

static void enrich(Monitor *m, MonitorEvent *ev)
{
	ProcEntry *e = tree_lookup(m, ev->proc.pid), *pe;

	if (e) {
		ev->proc.exe = e->exe;
		ev->proc.args = e->args;
	}
	pe = tree_lookup(m, ev->proc.ppid);
	if (pe)
		ev->proc.parent_exe = pe->exe;
	resolve_path(m, ev);
}

static int event_class(const MonitorEvent *ev)
{
	switch (ev->type) {
	case AGENT_EVT_EXEC:
	case AGENT_EVT_EXIT:
	case AGENT_EVT_FORK:
		return AGENT_VIS_PROCESS;
	case AGENT_EVT_FILE:
		return AGENT_VIS_FILE;
	case AGENT_EVT_NET:
		return AGENT_VIS_NETWORK;
	default:
		switch (ev->op) {
		case AGENT_OP_SETUID:
		case AGENT_OP_SETGID:
		case AGENT_OP_PTRACE:
		case AGENT_OP_MOUNT:
		case AGENT_OP_UMOUNT2:
			return AGENT_VIS_CAPS;
		default:
			return AGENT_VIS_FILE;
		}
	}
}

static int handle_record(void *ctx, void *data, size_t size)
{
	Monitor *m = ctx;
	MonitorEvent *ev = &m->ev;
	int r;

	m->st.received++;
	r = monitor_event_decode(data, size, ev, &m->buf);
	switch (r) {
	case 0:
		break;
	case MONITOR_DECODE_TRUNCATED:
		m->st.rejected_truncated++;
		return 0;
	case MONITOR_DECODE_BAD_VERSION:
		m->st.rejected_version++;
		return 0;
	case MONITOR_DECODE_BAD_TYPE:
		m->st.rejected_type++;
		return 0;
	default:
		m->st.rejected_malformed++;
		return 0;
	}

	update_tree(m, ev);
	if (!class_on(m->visibility, event_class(ev)) || !m->opts.callback) {
		m->st.filtered++;
	} else {
		enrich(m, ev);
		m->st.delivered++;
		r = m->opts.callback(ev, m->opts.userdata);
		if (r < 0) {
			m->cb_error = r;
			return r;
		}
	}
	/* The exit is applied after delivery, so the exit event itself still finds the process
	 * alive. */
	if (ev->type == AGENT_EVT_EXIT)
		proc_tree_exit(m->tree, ev->proc.pid, now_usec());
	return 0;
}

/* ---- public API ---- */

int monitor_new(Monitor **ret, const MonitorOptions *opts)
{
	_cleanup_(monitor_freep) Monitor *m = NULL;
	uint32_t ring, wake;
	struct stat st;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->opts = *opts;
	m->visibility = opts->visibility ?: MONITOR_VIS_ALL;
	ring = opts->ring_bytes ?: MONITOR_RING_BYTES_DEFAULT;
	if (ring < (uint32_t)getpagesize() || (ring & (ring - 1)))
		return -EINVAL;
	wake = opts->wakeup_bytes ?: ring / 16;
	if (stat(PROC "/self/ns/mnt", &st) == 0)
		m->self_mntns = (uint32_t)st.st_ino;

	r = proc_tree_new(&m->tree, opts->tree_max ?: MONITOR_TREE_MAX_DEFAULT,
			  opts->tree_grace_usec ?: MONITOR_TREE_GRACE_DEFAULT);
	if (r < 0)
		return r;

	libbpf_set_print(libbpf_print_fn);
	m->skel = monitor_bpf__open();
	if (!m->skel)
		return -errno;
	r = bpf_map__set_max_entries(m->skel->maps.events, ring);
	if (r < 0)
		return r;
	r = setup_progs(m);
	if (r < 0)
		return r;
	m->skel->bss->agent_cfg.self_tgid = getpid();
	m->skel->bss->agent_cfg.wakeup_bytes = wake;

	r = monitor_bpf__load(m->skel);
	if (r < 0)
		return r;
	/* Loading parsed the kernel's BTF (megabytes, freed by now): give the pages back. */
	(void)malloc_trim(0);
	write_config_visibility(m);

	m->rb = ring_buffer__new(bpf_map__fd(m->skel->maps.events), handle_record, m, NULL);
	if (!m->rb)
		return -errno;

	/* Seed after attaching so no process falls between the /proc scan and the first record. */
	r = sync_links(m);
	if (r < 0)
		return r;
	if (!opts->no_seed) {
		r = proc_tree_seed(m->tree, PROC);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

Monitor *monitor_free(Monitor *m)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->nprogs; i++)
		bpf_link__destroy(m->progs[i].link);
	ring_buffer__free(m->rb);
	monitor_bpf__destroy(m->skel);
	proc_tree_free(m->tree);
	free(m);
	return NULL;
}

int monitor_get_fd(Monitor *m)
{
	return ring_buffer__epoll_fd(m->rb);
}

uint64_t monitor_poll_interval_usec(Monitor *m)
{
	return MONITOR_POLL_INTERVAL_USEC;
}

int monitor_consume(Monitor *m)
{
	int r;

	m->cb_error = 0;
	r = ring_buffer__consume(m->rb);
	proc_tree_gc(m->tree, now_usec());
	if (m->cb_error < 0)
		return m->cb_error;
	return r;
}

int monitor_set_visibility(Monitor *m, uint32_t visibility)
{
	if (visibility & ~MONITOR_VIS_ALL)
		return -EINVAL;
	m->visibility = visibility;
	write_config_visibility(m);
	return sync_links(m);
}

int monitor_read_stats(Monitor *m, MonitorStats *ret)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(m->skel->maps.stats);
	_cleanup_free_ uint64_t *vals = NULL;
	MonitorStats st = m->st;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EIO;
	vals = calloc(ncpu, sizeof(uint64_t));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < _AGENT_STAT_MAX; k++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(fd, &k, vals) < 0)
			return -errno;
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
		switch (k) {
		case AGENT_STAT_EMITTED:
			st.kernel_emitted = sum;
			break;
		case AGENT_STAT_WAKEUPS:
			st.kernel_wakeups = sum;
			break;
		case AGENT_STAT_ERR_READ:
			st.kernel_read_errors = sum;
			break;
		default:
			st.kernel_drop[k] = sum;
			st.kernel_dropped += sum;
			break;
		}
	}
	st.tree_size = proc_tree_size(m->tree);
	st.tree_evicted = proc_tree_evicted(m->tree);
	st.tree_full = proc_tree_refused(m->tree);
	*ret = st;
	return 0;
}

static uint64_t rejects(const MonitorStats *s)
{
	return s->rejected_truncated + s->rejected_version + s->rejected_type +
	       s->rejected_malformed;
}

int monitor_log_drops(Monitor *m)
{
	MonitorStats now;
	const MonitorStats *was = &m->st_last;
	uint64_t dropped, rejected;
	int r;

	r = monitor_read_stats(m, &now);
	if (r < 0)
		return r;
	dropped = now.kernel_dropped - was->kernel_dropped;
	rejected = rejects(&now) - rejects(was);
	if (dropped + rejected > 0)
		log_warning("monitor: %" PRIu64 " events lost: ring buffer full %" PRIu64
			    ", no per-thread slot %" PRIu64 ", exit without entry %" PRIu64
			    ", too big %" PRIu64 ", scratch %" PRIu64 "; %" PRIu64
			    " records rejected (truncated %" PRIu64 ", version %" PRIu64
			    ", type %" PRIu64 ", malformed %" PRIu64 ")",
			    dropped + rejected,
			    now.kernel_drop[AGENT_STAT_DROP_RINGBUF] -
				    was->kernel_drop[AGENT_STAT_DROP_RINGBUF],
			    now.kernel_drop[AGENT_STAT_DROP_PENDING] -
				    was->kernel_drop[AGENT_STAT_DROP_PENDING],
			    now.kernel_drop[AGENT_STAT_EXIT_NO_ENTER] -
				    was->kernel_drop[AGENT_STAT_EXIT_NO_ENTER],
			    now.kernel_drop[AGENT_STAT_DROP_TOO_BIG] -
				    was->kernel_drop[AGENT_STAT_DROP_TOO_BIG],
			    now.kernel_drop[AGENT_STAT_DROP_SCRATCH] -
				    was->kernel_drop[AGENT_STAT_DROP_SCRATCH],
			    rejected, now.rejected_truncated - was->rejected_truncated,
			    now.rejected_version - was->rejected_version,
			    now.rejected_type - was->rejected_type,
			    now.rejected_malformed - was->rejected_malformed);
	m->st_last = now;
	return (int)MIN(dropped + rejected, (uint64_t)INT32_MAX);
}

int monitor_lookup_process(Monitor *m, uint32_t pid, MonitorProcess *ret)
{
	ProcEntry *e = tree_lookup(m, pid), *pe;

	if (!e)
		return -ESRCH;
	memset(ret, 0, sizeof(*ret));
	ret->pid = pid;
	ret->ppid = e->ppid;
	ret->start_ns = e->start_ns;
	memcpy(ret->comm, e->comm, sizeof(ret->comm));
	ret->exe = e->exe;
	ret->args = e->args;
	pe = proc_tree_get(m->tree, e->ppid);
	ret->parent_exe = pe ? pe->exe : "";
	return 0;
}
