/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apparmor.c: the AppArmor enforcer (EnforcerOps). Host policies become the profiles of
 * aa-render.c, loaded with apparmor_parser; denials come back from the kernel's audit records
 * (the audit netlink socket's read-only multicast group).
 *
 * State under <state_dir>/apparmor/: "host.profile" (what is loaded) and "loaded" (the names of
 * the profiles loaded, one per line). Only profiles named AA_PROFILE_PREFIX... are ever removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"
#include "core/strv.h"
#include "enforcer/apparmor/aa-profile.h"
#include "enforcer/enforcer.h"

#define SECURITYFS "/sys/kernel/security"
#define ARGV(...)  ((char *const[]){__VA_ARGS__, NULL})

struct Enforcer {
	EnforcerOptions opts;
	char *dir;     /* <state_dir>/apparmor */
	char **loaded; /* profile names we loaded (or adopted) */
	AaRender *render;
	int audit_fd;
	uint64_t lost; /* audit records the kernel could not deliver (ENOBUFS) */
};

static bool aa_name_ours(const char *name)
{
	size_t l = strlen(AA_PROFILE_PREFIX);

	return strneq(name, AA_PROFILE_PREFIX, l) && (name[l] == 0 || name[l] == '-') &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(name);
}

/* Reasons are allocated: the caller frees them (enforcer.h). */
static int aa_probe(char **reason)
{
	char buf[8] = "";
	_cleanup_fclose_ FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");

	if (!f || !fgets(buf, sizeof buf, f) || buf[0] != 'Y') {
		*reason = strdup("AppArmor is not enabled in this kernel (not in the lsm= order)");
		return -EOPNOTSUPP;
	}
	if (access(SECURITYFS "/apparmor/.replace", W_OK) < 0) {
		*reason =
			strdup("the AppArmor policy interface " SECURITYFS "/apparmor/.replace is "
			       "not writable (securityfs not mounted, or not root)");
		return -EACCES;
	}
	if (access("/sbin/apparmor_parser", X_OK) < 0 &&
	    access("/usr/sbin/apparmor_parser", X_OK) < 0 &&
	    access("/usr/local/sbin/apparmor_parser", X_OK) < 0) {
		*reason = strdup("apparmor_parser is not installed (package apparmor)");
		return -ENOENT;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_file_atomic(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *tmp = NULL, *dst = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text), off = 0;

	if (asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0 || asprintf(&dst, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		return -errno;
	if (rename(tmp, dst) < 0)
		return -errno;
	return 0;
}

/* Names listed in `file` (one per line) or in the kernel's profile list ("name (mode)"). */
static void read_names(const char *file, bool kernel_list, char ***names)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, kernel_list ? " \n" : "\n")] = 0;
		if (aa_name_ours(line) && !strv_contains(*names, line))
			(void)strv_extend(names, line);
	}
}

static int audit_open(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int aa_new(const EnforcerOptions *opts, Enforcer **ret)
{
	_cleanup_free_ Enforcer *e = new0(Enforcer, 1);
	_cleanup_free_ char *state = NULL;
	int r;

	if (!e)
		return -ENOMEM;
	e->opts = *opts;
	if (asprintf(&e->dir, "%s/apparmor", opts->state_dir ?: "/run/kubearmor") < 0)
		return -ENOMEM;
	r = mkdir_p(e->dir, 0700);
	if (r < 0) {
		free(e->dir);
		return r;
	}
	/* Adopt what an earlier run loaded: our state, and every profile of ours the kernel has. */
	if (asprintf(&state, "%s/loaded", e->dir) < 0) {
		free(e->dir);
		return -ENOMEM;
	}
	read_names(state, false, &e->loaded);
	read_names(SECURITYFS "/apparmor/profiles", true, &e->loaded);

	e->audit_fd = audit_open();
	if (e->audit_fd < 0)
		log_warning_errno(
			e->audit_fd,
			"AppArmor: cannot read audit records (needs CAP_AUDIT_READ): denials "
			"are enforced but not alerted: %m");
	*ret = TAKE_PTR(e);
	return 0;
}

static char *canon_realpath(const char *path, void *userdata)
{
	char buf[PATH_MAX];
	_cleanup_free_ char *copy = NULL, *copy2 = NULL;
	char *res;

	if (realpath(path, buf))
		return strdup(buf);
	/* The file may not exist (yet): resolve its directory. */
	copy = strdup(path);
	copy2 = strdup(path);
	if (!copy || !copy2)
		return NULL;
	if (!realpath(dirname(copy), buf))
		return NULL;
	if (asprintf(&res, "%s/%s", streq(buf, "/") ? "" : buf, basename(copy2)) < 0)
		return NULL;
	return res;
}

static bool render_has_rules(const AaRender *r, const RuleSet *rs)
{
	for (int c = 0; c < _RULE_CLASS_MAX; c++) {
		if (rs->classes[c].allow_list && rs->classes[c].posture == ACTION_BLOCK &&
		    c != RULE_CLASS_DNS && c != RULE_CLASS_SYSCALL)
			return true;
		for (size_t i = 0; i < r->n_rules[c]; i++)
			if (r->status[c][i] == RULE_ENFORCED)
				return true;
	}
	return false;
}

static int remove_stale(Enforcer *e, char **keep)
{
	char **left = NULL;
	int ret = 0;

	STRV_FOREACH(n, e->loaded)
	{
		int r;

		if (strv_contains(keep, *n))
			continue;
		r = aa_remove_profile(SECURITYFS, *n);
		if (r < 0 && r != -ENOENT) {
			log_warning_errno(r, "AppArmor: cannot remove profile %s: %m", *n);
			ret = r;
			(void)strv_extend(&left, *n);
		}
	}
	STRV_FOREACH(n, keep)
	(void)strv_extend(&left, *n);
	strv_free(e->loaded);
	e->loaded = left;
	return ret;
}

static int save_loaded(Enforcer *e)
{
	_cleanup_free_ char *text = strv_join(e->loaded, "\n");
	_cleanup_free_ char *t2 = NULL;

	if (!text || asprintf(&t2, "%s%s", text, e->loaded && e->loaded[0] ? "\n" : "") < 0)
		return -ENOMEM;
	return write_file_atomic(e->dir, "loaded", t2);
}

static int aa_apply_host(Enforcer *e, const Workload *w, const RuleSet *rs)
{
	_cleanup_(aa_render_freep) AaRender *render = NULL;
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *file = NULL, *out = NULL;
	AaRenderOptions o = {.canonicalize = canon_realpath};
	int r;

	r = aa_render_host(rs, &o, &render);
	if (r < 0)
		return r;

	if (!render_has_rules(render, rs)) {
		/* Nothing to enforce: confine nothing. */
		r = remove_stale(e, NULL);
		(void)save_loaded(e);
		aa_render_free(e->render);
		e->render = TAKE_PTR(render);
		return r;
	}

	for (size_t i = 0; i < render->n_profiles; i++)
		if (strv_extend(&names, render->profiles[i].name) < 0)
			return -ENOMEM;

	r = write_file_atomic(e->dir, "host.profile.new", render->text);
	if (r < 0)
		return r;
	if (asprintf(&file, "%s/host.profile.new", e->dir) < 0)
		return -ENOMEM;

	/* Compile everything first: a profile the parser rejects leaves the old state in force. */
	r = aa_run_parser(ARGV("-Q", "-T", "-K"), file, &out);
	if (r != 0) {
		log_error("AppArmor: generated profiles do not compile (%s):\n%s", file, out ?: "");
		return r < 0 ? r : -EINVAL;
	}
	free(out);
	out = NULL;
	r = aa_run_parser(ARGV("-r", "-W"), file, &out);
	if (r != 0) {
		log_error("AppArmor: apparmor_parser -r failed (%s):\n%s", file, out ?: "");
		return r < 0 ? r : -EIO;
	}
	/* The new profiles are in force; drop those that went away. */
	STRV_FOREACH(n, names)
	if (!strv_contains(e->loaded, *n) && strv_extend(&e->loaded, *n) < 0)
		return -ENOMEM;
	(void)remove_stale(e, names);
	r = save_loaded(e);
	if (r < 0)
		log_warning_errno(r, "AppArmor: cannot save state in %s: %m", e->dir);
	{
		_cleanup_free_ char *dst = NULL;

		if (asprintf(&dst, "%s/host.profile", e->dir) >= 0)
			(void)rename(file, dst);
	}
	aa_render_free(e->render);
	e->render = TAKE_PTR(render);
	return 0;
}

static RuleEnforcement aa_rule_status(Enforcer *e, const Rule *r, const char **reason)
{
	return aa_render_rule_status(e->render, r, reason);
}

static int aa_get_fd(Enforcer *e)
{
	return e->audit_fd;
}

static int aa_process(Enforcer *e)
{
	char buf[16384];

	if (e->audit_fd < 0)
		return 0;
	for (int budget = 0; budget < 1024; budget++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		AaAuditRecord rec;
		EnforcerEvent ev;
		char scratch[4][4096];
		ssize_t n = recv(e->audit_fd, buf, sizeof buf - 1, MSG_DONTWAIT);
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				e->lost++;
				continue;
			}
			return -errno;
		}
		if ((size_t)n < NLMSG_HDRLEN)
			continue;
		buf[n] = 0;
		/* AppArmor writes AUDIT_AVC records (1400); 1500-1599 are its own types. */
		if (nlh->nlmsg_type != AUDIT_AVC &&
		    (nlh->nlmsg_type < 1500 || nlh->nlmsg_type > 1599))
			continue;
		len = strnlen(buf + NLMSG_HDRLEN, (size_t)n - NLMSG_HDRLEN);
		if (aa_audit_parse(buf + NLMSG_HDRLEN, len, &rec) < 0 || !aa_audit_is_ours(&rec))
			continue;
		if (aa_audit_to_event(&rec, "/proc", &ev, scratch) < 0)
			continue;
		/* A fromSource profile runs its source: that is the subject the rules name, even
		 * when the process is gone before /proc could be read. */
		for (size_t i = 0; e->render && i < e->render->n_profiles; i++)
			if (e->render->profiles[i].source &&
			    streq(e->render->profiles[i].name, rec.profile)) {
				ev.subject = e->render->profiles[i].source;
				break;
			}
		/* Our profiles deny every process changing AppArmor policy; no policy decided that.
		 */
		if (ev.class == RULE_CLASS_CAPABILITY && ev.capability == 33 /* CAP_MAC_ADMIN */)
			ev.policy_name = AA_SELF_PROTECTION;
		if (e->opts.self_pid > 0 && ev.pid == e->opts.self_pid)
			continue;
		if (e->opts.on_event)
			e->opts.on_event(&ev, e->opts.userdata);
	}
	return 0;
}

static Enforcer *aa_free(Enforcer *e, bool remove)
{
	if (!e)
		return NULL;
	if (remove) {
		(void)remove_stale(e, NULL);
		(void)save_loaded(e);
		{
			_cleanup_free_ char *p = NULL;

			if (asprintf(&p, "%s/host.profile", e->dir) >= 0)
				(void)unlink(p);
		}
	}
	safe_close(e->audit_fd);
	aa_render_free(e->render);
	strv_free(e->loaded);
	free(e->dir);
	free(e);
	return NULL;
}

const EnforcerOps enforcer_apparmor_ops = {
	.name = "apparmor",
	.display = "AppArmor",
	.probe = aa_probe,
	.new = aa_new,
	.apply_host = aa_apply_host,
	.rule_status = aa_rule_status,
	.get_fd = aa_get_fd,
	.process = aa_process,
	.free = aa_free,
};
