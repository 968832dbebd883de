/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpflsm.c: the BPF-LSM enforcer (enforcer_bpflsm_ops): skeleton lifecycle, pinned state, events.
 *
 * Pinned state lives in <bpffs>/kubearmor/bpflsm: every map by its name and one link per program
 * (link_<program>). A starting agent reuses the pinned maps (libbpf pin reuse), attaches its own
 * programs, then swaps the pinned links, so enforcement never stops across a restart; the first
 * apply_host() reconciles the maps with the current policies. free(remove=false) leaves all of it
 * in the kernel (restart, crash); free(remove=true) (systemctl stop) deactivates, detaches and
 * unpins.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"
#include "enforcer/bpflsm/bpflsm.h"
#include "lsm.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef SOCK_PACKET
#define SOCK_PACKET 10
#endif

#define PIN_SUBDIR "kubearmor/bpflsm"
#define MAX_LINKS  32

struct Enforcer {
	struct lsm_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	size_t n_links;
	struct ring_buffer *rb;
	enforcer_event_cb on_event;
	void *userdata;
	char *pin_dir;
	bool adopted;  /* pinned enforcement from a previous run was found and taken over */
	LsmPlan *plan; /* statuses of the RuleSet in force */
	char **names[2][_LSM_CLASS_MAX]; /* policy name per generation, class and rule index */
	size_t n_names[2][_LSM_CLASS_MAX];
};

static LsmMapFds map_fds(const Enforcer *e)
{
	return (LsmMapFds){
		.rules = bpf_map__fd(e->skel->maps.lsm_rules),
		.name_rules = bpf_map__fd(e->skel->maps.lsm_name_rules),
		.dirs = bpf_map__fd(e->skel->maps.lsm_dirs),
		.srcs = bpf_map__fd(e->skel->maps.lsm_srcs),
		.wl = bpf_map__fd(e->skel->maps.lsm_wl),
		.filter = bpf_map__fd(e->skel->maps.lsm_filter),
	};
}

/* ---- probe -------------------------------------------------------------------------------------
 */

static int lsm_list_has_bpf(char **reason)
{
	_cleanup_fclose_ FILE *f = fopen("/sys/kernel/security/lsm", "re");
	char buf[512] = "", *save = NULL;

	if (!f) {
		int r = -errno;

		*reason = strdup("cannot read /sys/kernel/security/lsm (securityfs not mounted?)");
		return r;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	for (char *t = strtok_r(buf, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
		if (streq(t, "bpf"))
			return 0;
	if (asprintf(reason,
		     "'bpf' is not an active LSM (/sys/kernel/security/lsm: %s); boot with "
		     "lsm=...,bpf",
		     buf) < 0)
		*reason = NULL;
	return -EOPNOTSUPP;
}

/* *reason is always allocated (or NULL on OOM); the caller frees it. */
static int bpflsm_probe(char **reason)
{
	struct lsm_bpf *skel = NULL;
	struct bpf_program *prog;
	struct bpf_link *link;
	int r;

	*reason = NULL;
	r = lsm_list_has_bpf(reason);
	if (r < 0)
		return r;
	skel = lsm_bpf__open();
	if (!skel) {
		r = -errno;
		*reason = strdup("cannot open the BPF-LSM object");
		return r;
	}
	/* One program is enough to learn whether the kernel takes BPF-LSM programs. */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.kubearmor_file_open);
	r = lsm_bpf__load(skel);
	if (r < 0) {
		if (asprintf(reason, "the kernel refused to load a BPF-LSM program: %s",
			     strerror(-r)) < 0)
			*reason = NULL;
		lsm_bpf__destroy(skel);
		return r;
	}
	link = bpf_program__attach(skel->progs.kubearmor_file_open);
	if (!link) {
		r = -errno;
		if (asprintf(reason, "the kernel refused to attach a BPF-LSM program: %s",
			     strerror(-r)) < 0)
			*reason = NULL;
		lsm_bpf__destroy(skel);
		return r;
	}
	bpf_link__destroy(link);
	lsm_bpf__destroy(skel);
	return 0;
}

/* ---- events ------------------------------------------------------------------------------------
 */

static const char *hook_data(__u32 hook)
{
	static const char *const names[_LSM_HOOK_MAX] = {
		[LSM_HOOK_BPRM_CHECK] = "lsm=SECURITY_BPRM_CHECK",
		[LSM_HOOK_FILE_OPEN] = "lsm=FILE_OPEN",
		[LSM_HOOK_UNLINK] = "lsm=FILE_UNLINK",
		[LSM_HOOK_RMDIR] = "lsm=FILE_RMDIR",
		[LSM_HOOK_RENAME] = "lsm=FILE_RENAME",
		[LSM_HOOK_LINK] = "lsm=FILE_LINK",
		[LSM_HOOK_TRUNCATE] = "lsm=FILE_TRUNCATE",
		[LSM_HOOK_CHMOD] = "lsm=FILE_CHMOD",
		[LSM_HOOK_CHOWN] = "lsm=FILE_CHOWN",
		[LSM_HOOK_MKDIR] = "lsm=FILE_MKDIR",
		[LSM_HOOK_MKNOD] = "lsm=FILE_MKNOD",
		[LSM_HOOK_SYMLINK] = "lsm=FILE_SYMLINK",
		[LSM_HOOK_SOCKET_CREATE] = "lsm=SOCKET_CREATE",
		[LSM_HOOK_CAPABLE] = "lsm=CAPABLE",
		[LSM_HOOK_TEST] = "lsm=TEST",
	};

	return hook < _LSM_HOOK_MAX && names[hook] ? names[hook] : "lsm=UNKNOWN";
}

static const char *sock_type_name(int t)
{
	static const char *const names[] = {
		[1] = "SOCK_STREAM",	[2] = "SOCK_DGRAM", [3] = "SOCK_RAW",	  [4] = "SOCK_RDM",
		[5] = "SOCK_SEQPACKET", [6] = "SOCK_DCCP",  [10] = "SOCK_PACKET",
	};

	t &= 0xf;
	return t < (int)ELEMENTSOF(names) && names[t] ? names[t] : NULL;
}

/* "protocol=TCP type=SOCK_STREAM" or "type=SOCK_RAW" (reference §7.2). */
int bpflsm_socket_resource(int domain, int type, int protocol, char *buf, size_t n)
{
	int eff = net_effective_protocol(domain, type, protocol);
	const char *tn = sock_type_name(type), *pn = NULL;
	char up[16] = "", tbuf[32];
	int r;

	if (!tn) {
		(void)snprintf(tbuf, sizeof(tbuf), "%d", type & 0xf);
		tn = tbuf;
	}
	if (eff > 0)
		pn = net_proto_to_name(&(NetProto){NET_PROTO_IP, eff});
	if (pn) {
		for (size_t i = 0; pn[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)toupper((unsigned char)pn[i]);
		r = snprintf(buf, n, "protocol=%s type=%s", up, tn);
	} else
		r = snprintf(buf, n, "type=%s", tn);
	return r < 0 || (size_t)r >= n ? -ENOBUFS : 0;
}

static const char *policy_of(const Enforcer *e, const struct lsm_evt *ev)
{
	unsigned g = ev->wl & 1, c = ev->class;

	if (ev->decider == LSM_DECIDER_POSTURE)
		return "DefaultPosture";
	if (ev->decider != LSM_DECIDER_RULE || c >= _LSM_CLASS_MAX || ev->rule >= e->n_names[g][c])
		return NULL;
	return e->names[g][c][ev->rule];
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	Enforcer *e = ctx;
	const struct lsm_evt *ev = data;
	char resource[64], datab[128], parent[PATH_MAX], proc[64];
	const char *res = NULL, *dat;
	ssize_t pl;
	EnforcerEvent out = {};

	if (size < sizeof(struct agent_evt_hdr) || ev->hdr.type != AGENT_EVT_LSM ||
	    ev->hdr.version != AGENT_EVT_LSM_VERSION || size < sizeof(*ev))
		return 0; /* not ours, or from an incompatible build: skipped */
	if (!e->on_event)
		return 0;
	dat = hook_data(ev->hook);
	switch (ev->class) {
	case LSM_CLASS_PROCESS:
	case LSM_CLASS_FILE:
		if (ev->path_len > 0 && ev->path_len <= sizeof(ev->path))
			res = ev->path;
		break;
	case LSM_CLASS_NETWORK:
		if (bpflsm_socket_resource(ev->domain, ev->type, ev->protocol, resource,
					   sizeof(resource)) == 0) {
			res = resource;
			(void)snprintf(datab, sizeof(datab), "%s %s", dat, resource);
			dat = datab;
		}
		break;
	case LSM_CLASS_CAPABILITY: {
		const char *cn = rules_capability_to_name(ev->cap);
		size_t i;

		if (cn) {
			(void)snprintf(resource, sizeof(resource), "CAP_%s", cn);
			for (i = 4; resource[i]; i++)
				resource[i] = (char)toupper((unsigned char)resource[i]);
			res = resource;
			(void)snprintf(datab, sizeof(datab), "%s %s", dat, resource);
			dat = datab;
		}
		break;
	}
	default:
		return 0;
	}
	(void)snprintf(proc, sizeof(proc), "/proc/%u/exe", ev->ppid);
	pl = readlink(proc, parent, sizeof(parent) - 1);
	if (pl > 0)
		parent[pl] = 0;

	out.class = (RuleClass)ev->class;
	out.action = ev->action == LSM_ACT_BLOCK ? ACTION_BLOCK : ACTION_AUDIT;
	out.error = ev->retval < 0 ? -ev->retval : 0;
	out.pid = (pid_t)ev->pid;
	out.ppid = (pid_t)ev->ppid;
	out.uid = ev->uid;
	out.cgroup_id = ev->hdr.cgroup_id;
	out.subject =
		ev->subject_len > 0 && ev->subject_len <= sizeof(ev->subject) ? ev->subject : NULL;
	out.parent = pl > 0 ? parent : NULL;
	out.resource = res;
	out.data = dat;
	out.policy_name = policy_of(e, ev);
	out.domain = ev->domain;
	out.type = ev->type;
	out.protocol = ev->protocol;
	out.capability = ev->cap;
	out.access = ev->access == 1   ? RULE_ACCESS_WRITE
		     : ev->access == 2 ? RULE_ACCESS_EXEC
				       : RULE_ACCESS_READ;
	e->on_event(&out, e->userdata);
	return 0;
}

/* ---- pinning -----------------------------------------------------------------------------------
 */

static int mkdir_p(const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0700) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int ensure_bpffs(const char *root)
{
	struct statfs sfs;

	if (statfs(root, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	(void)mkdir_p(root);
	return RET_NERRNO(mount("bpf", root, "bpf", 0, "mode=0700"));
}

static void unpin_maps(const char *dir)
{
	/* lsm_names: a map of earlier builds, removed when found */
	static const char *const names[] = {
		"lsm_rules", "lsm_names",  "lsm_name_rules", "lsm_dirs",    "lsm_srcs",	 "lsm_wl",
		"lsm_self",  "lsm_events", "lsm_stats",	     "lsm_scratch", "lsm_filter"};
	char path[PATH_MAX];

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
}

/* The number of arguments of LSM hook `hook` in the running kernel (from its BTF), or -errno. */
static int hook_nargs(const char *hook)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char name[128];
	const struct btf_type *t;
	int id, r;

	if (!btf)
		return -errno;
	(void)snprintf(name, sizeof(name), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0) {
		btf__free(btf);
		return id;
	}
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	r = t ? btf_vlen(t) : -EINVAL;
	btf__free(btf);
	return r;
}

/* Loads only the program variants that match this kernel's hook prototypes. */
static void select_variants(struct lsm_bpf *skel)
{
	int n = hook_nargs("path_rename");

	bpf_program__set_autoload(skel->progs.kubearmor_path_rename, n != 5);
	bpf_program__set_autoload(skel->progs.kubearmor_path_rename_flags, n == 5);
}

static int open_skel(Enforcer *e)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int r;

	for (int attempt = 0; attempt < 2; attempt++) {
		e->skel = lsm_bpf__open();
		if (!e->skel)
			return -errno;
		bpf_object__for_each_map(map, e->skel->obj)
		{
			const char *name = bpf_map__name(map);

			/* .bss/.rodata and the scratch buffer are per-instance */
			if (!name || bpf_map__is_internal(map) || strchr(name, '.') ||
			    streq(name, "lsm_scratch"))
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", e->pin_dir, name);
			if (attempt == 0 && access(path, F_OK) == 0)
				e->adopted = true;
			r = bpf_map__set_pin_path(map, path);
			if (r < 0)
				return r;
		}
		select_variants(e->skel);
		r = lsm_bpf__load(e->skel);
		if (r >= 0)
			return 0;
		lsm_bpf__destroy(e->skel);
		e->skel = NULL;
		if (attempt == 0 && e->adopted) {
			/* pinned maps of an incompatible build: start afresh */
			unpin_maps(e->pin_dir);
			e->adopted = false;
			continue;
		}
		return r;
	}
	return -EINVAL;
}

static int attach_all(Enforcer *e)
{
	struct bpf_program *prog;
	char path[PATH_MAX];
	int r;

	bpf_object__for_each_program(prog, e->skel->obj)
	{
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		if (e->n_links >= MAX_LINKS)
			return -E2BIG;
		link = bpf_program__attach(prog);
		if (!link)
			return -errno;
		e->links[e->n_links++] = link;
		/* The new program is attached next to the old one (same maps, same verdicts); then
		 * the old link's pin goes, which detaches it, and the new one takes its place. */
		(void)snprintf(path, sizeof(path), "%s/link_%s", e->pin_dir,
			       bpf_program__name(prog));
		(void)unlink(path);
		r = bpf_link__pin(link, path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_start_ticks(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024], *p;
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long v = 0;
	int field = 2;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		return -EIO;
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%llu", &v) != 1)
		return -EIO;
	*ret = v;
	return 0;
}

static int set_self(Enforcer *e, pid_t pid)
{
	struct lsm_self self = {};
	unsigned long long ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);
	__u32 zero = 0;
	int r;

	lsm_self_root(&self);
	if (pid > 0) {
		r = read_start_ticks(pid, &ticks);
		if (r < 0)
			return r;
		self.tgid = (__u32)pid;
		self.start_ticks = ticks;
		self.tick_ns = (__u32)(1000000000L / (hz > 0 ? hz : 100));
	}
	return RET_NERRNO(
		bpf_map_update_elem(bpf_map__fd(e->skel->maps.lsm_self), &zero, &self, BPF_ANY));
}

/* ---- ops ---------------------------------------------------------------------------------------
 */

static void free_names(Enforcer *e, unsigned g)
{
	for (int c = 0; c < _LSM_CLASS_MAX; c++) {
		for (size_t i = 0; i < e->n_names[g][c]; i++)
			free(e->names[g][c][i]);
		free(e->names[g][c]);
		e->names[g][c] = NULL;
		e->n_names[g][c] = 0;
	}
}

static Enforcer *bpflsm_free(Enforcer *e, bool remove)
{
	if (!e)
		return NULL;
	if (e->skel) {
		if (remove) {
			LsmMapFds m = map_fds(e);

			(void)lsm_maps_clear(&m, LSM_WL_HOST);
		} else
			(void)set_self(e, 0);
	}
	for (size_t i = 0; i < e->n_links; i++) {
		if (remove)
			(void)bpf_link__unpin(e->links[i]);
		else
			bpf_link__disconnect(e->links[i]); /* stays attached through its pin */
		bpf_link__destroy(e->links[i]);
	}
	ring_buffer__free(e->rb);
	if (e->skel && remove) {
		struct bpf_map *map;

		bpf_object__for_each_map(map, e->skel->obj) if (bpf_map__pin_path(map))(void)
			bpf_map__unpin(map, NULL);
	}
	lsm_bpf__destroy(e->skel);
	if (remove && e->pin_dir)
		(void)rmdir(e->pin_dir);
	free_names(e, 0);
	free_names(e, 1);
	lsm_plan_free(e->plan);
	free(e->pin_dir);
	free(e);
	return NULL;
}

static int bpflsm_new(const EnforcerOptions *opts, Enforcer **ret)
{
	Enforcer *e;
	const char *root = opts && opts->bpffs ? opts->bpffs : "/sys/fs/bpf";
	int r;

	e = new0(Enforcer, 1);
	if (!e)
		return -ENOMEM;
	if (opts) {
		e->on_event = opts->on_event;
		e->userdata = opts->userdata;
	}
	if (asprintf(&e->pin_dir, "%s/%s", root, PIN_SUBDIR) < 0) {
		e->pin_dir = NULL;
		bpflsm_free(e, false);
		return -ENOMEM;
	}
	r = ensure_bpffs(root);
	if (r >= 0)
		r = mkdir_p(e->pin_dir);
	if (r >= 0)
		r = open_skel(e);
	if (r >= 0)
		r = set_self(e, opts && opts->self_pid > 0 ? opts->self_pid : getpid());
	if (r >= 0) {
		/* Adopted maps may come from a build without the filter (or with a stale one): our
		 * programs test it before every identity lookup, so it must match the maps before
		 * they attach. */
		LsmMapFds m = map_fds(e);

		r = lsm_filter_rebuild(&m);
	}
	if (r >= 0)
		r = attach_all(e);
	if (r >= 0) {
		e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.lsm_events), on_ring_event, e,
					 NULL);
		if (!e->rb)
			r = -errno;
	}
	if (r < 0) {
		/* Links attached by this attempt go; pinned state of an earlier run stays. */
		bpflsm_free(e, false);
		return r;
	}
	if (e->adopted) {
		/* a map of earlier builds (NAME keys now live in lsm_name_rules) */
		char stale[PATH_MAX];

		(void)snprintf(stale, sizeof(stale), "%s/lsm_names", e->pin_dir);
		(void)unlink(stale);
		log_notice(
			"bpflsm: adopted the pinned enforcement of an earlier run (%s); the next "
			"apply reconciles it",
			e->pin_dir);
	}
	*ret = e;
	return 0;
}

static int bpflsm_apply_host(Enforcer *e, const Workload *w, const RuleSet *rs)
{
	LsmMapFds m = map_fds(e);
	LsmPlan *plan = NULL;
	unsigned g;
	int r;

	r = lsm_maps_apply(&m, LSM_WL_HOST, rs, &plan);
	if (r < 0)
		return r;
	/* Names for events of the new generation; the other generation's stay until replaced. */
	g = plan->cfg.gen & 1;
	free_names(e, g);
	for (int c = 0; c < _LSM_CLASS_MAX; c++) {
		size_t n = rs->classes[c].n_rules;

		e->names[g][c] = new0(char *, n);
		if (!e->names[g][c])
			break;
		e->n_names[g][c] = n;
		for (size_t i = 0; i < n; i++) {
			const Policy *p = rs->classes[c].rules[i].policy;

			e->names[g][c][i] = p && p->name ? strdup(p->name) : NULL;
		}
	}
	lsm_plan_free(e->plan);
	e->plan = plan;
	return 0;
}

static RuleEnforcement bpflsm_rule_status(Enforcer *e, const Rule *r, const char **reason)
{
	const LsmRuleStatus *s = lsm_plan_status(e->plan, r->class, r->index);

	if (reason)
		*reason = NULL;
	if ((unsigned)r->class >= _LSM_CLASS_MAX) {
		if (reason)
			*reason = r->class == RULE_CLASS_DNS
					  ? "DNS rules are not enforced by the BPF-LSM enforcer"
					  : "syscall rules are observed by the monitor only";
		return r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY;
	}
	if (!s) {
		if (reason)
			*reason = "not applied";
		return RULE_MONITOR_ONLY;
	}
	if (reason)
		*reason = s->reason;
	return s->status;
}

static int bpflsm_get_fd(Enforcer *e)
{
	return e->rb ? ring_buffer__epoll_fd(e->rb) : -1;
}

static int bpflsm_process(Enforcer *e)
{
	int r;

	if (!e->rb)
		return 0;
	r = ring_buffer__consume(e->rb);
	return r < 0 ? r : 0;
}

bool bpflsm_adopted(const Enforcer *e)
{
	return e && e->adopted;
}

const EnforcerOps enforcer_bpflsm_ops = {
	.name = "bpf",
	.display = "BPFLSM",
	.probe = bpflsm_probe,
	.new = bpflsm_new,
	.apply_host = bpflsm_apply_host,
	.rule_status = bpflsm_rule_status,
	.get_fd = bpflsm_get_fd,
	.process = bpflsm_process,
	.free = bpflsm_free,
};
