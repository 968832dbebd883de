/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-bpflsm-match.c: the BPF-LSM matcher, run in the kernel through its test host (a task_file
 * iterator sharing lib/lsm-match.bpf.h), against the reference decision (rule_set_decide). Needs
 * root and BPF iterators; skips otherwise. Covers: every rule kind and flag at random
 * (differential), the path-bypass cases (merged-/usr style symlinks, hard links, deep and long
 * paths, replacement by rename), the generation switch, and event path rendering.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-helpers.h"
#include "lsm-test-host.h"
#include "rules/rules-test-util.h"

static TestHost host;
static char root[PATH_MAX]; /* temp tree, canonical */
static char self_exe[PATH_MAX];

static void mkfile(const char *rel)
{
	char p[PATH_MAX * 2];
	int fd;

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void mkdir_rel(const char *rel)
{
	char p[PATH_MAX * 2];

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static char *abs_path(const char *rel)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", root, rel), 0);
	return p;
}

static void setup(void)
{
	char tmpl[] = "/tmp/bpflsm-match-XXXXXX";
	ssize_t n;

	/* per test process: the iterator is bound to this pid */
	ck_assert_int_eq(th_open(&host), 0);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, root));
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ck_assert_int_gt(n, 0);
	self_exe[n] = 0;
	mkdir_rel("usr");
	mkdir_rel("usr/bin");
	mkdir_rel("etc");
	mkdir_rel("etc/sub");
	mkdir_rel("etc/sub/deeper");
	mkdir_rel("var");
	mkfile("usr/bin/sleep");
	mkfile("usr/bin/true");
	mkfile("usr/bin/src1");
	mkfile("etc/passwd");
	mkfile("etc/shadow");
	mkfile("etc/sub/a");
	mkfile("etc/sub/deeper/b");
	mkfile("var/log");
	{
		char *l = abs_path("bin");

		ck_assert_int_eq(symlink("usr/bin", l), 0); /* merged /usr */
		free(l);
	}
	{
		char *o = abs_path("etc/owned");
		int fd = open(o, O_WRONLY | O_CREAT, 0644);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(fchown(fd, 4321, 4321), 0);
		close(fd);
		free(o);
	}
}

static void teardown(void)
{
	th_close(&host);
	char *argv[] = {(char *)"rm", (char *)"-rf", root, NULL};
	pid_t pid = fork();

	if (pid == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	(void)waitpid(pid, NULL, 0);
}

/* Builds and applies one policy of `specs` (rule specs of rules-test-util.h, with "@" = root). */
static RuleSet *apply_specs(Policy **ret_p, const char *const *specs, size_t n, RuleAction fp)
{
	Policy *p = tu_policy(POLICY_KIND_HSP, "pol");
	RulePostures post = RULE_POSTURES_DEFAULT;
	RuleSet *rs = NULL;

	for (size_t i = 0; i < n; i++) {
		char spec[PATH_MAX * 2], *o = spec;

		for (const char *s = specs[i]; *s && o < spec + sizeof(spec) - PATH_MAX; s++) {
			if (*s == '@') {
				o += snprintf(o, PATH_MAX, "%s", root);
				continue;
			}
			*o++ = *s;
		}
		*o = 0;
		tu_rule(p, spec);
	}
	post.file = fp;
	post.network = fp;
	post.capabilities = fp;
	ck_assert_int_eq(rule_set_new(&post, &rs), 0);
	ck_assert_int_eq(rule_set_add_policy(rs, p), 0);
	ck_assert_int_eq(rule_set_seal(rs), 0);
	ck_assert_int_eq(th_apply(&host, rs), 0);
	*ret_p = p;
	return rs;
}

static void drop(RuleSet *rs, Policy *p)
{
	rule_set_free(rs);
	policy_free(p);
}

/* Kernel verdict for `path` (opened O_PATH; symlinks followed). */
static int kernel_verdict(const char *path, RuleClass c, RuleAccess a, int subject_fd, bool tty,
			  struct lsm_test_result *res)
{
	int fd = open(path, O_PATH | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	host.skel->bss->req.class = (__u32)c;
	host.skel->bss->req.access = (__u32)a;
	host.skel->bss->req.subject_fd = subject_fd;
	host.skel->bss->req.tty = tty;
	r = th_decide(&host, fd, res);
	close(fd);
	return r;
}

static void check_one(const RuleSet *rs, const char *path, RuleClass c, RuleAccess a,
		      const char *subject, bool tty, const char *what)
{
	struct lsm_test_result kr = {};
	RuleDecision d = {};
	RuleOp op = {};
	char real[PATH_MAX];
	struct stat st;
	int sfd = -1;

	ck_assert_ptr_nonnull(realpath(path, real));
	ck_assert_int_eq(stat(real, &st), 0);
	if (subject) {
		sfd = open(subject, O_PATH | O_CLOEXEC);
		ck_assert_int_ge(sfd, 0);
	}
	ck_assert_int_eq(kernel_verdict(path, c, a, sfd, tty, &kr), 0);
	if (sfd >= 0)
		close(sfd);
	op.class = c;
	op.path = real;
	op.access = a;
	op.subject = subject ? subject : self_exe;
	op.tty = tty;
	op.owner = st.st_uid == getuid();
	ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
	ck_assert_msg(kr.verdict == d.verdict && kr.decider == d.decider &&
			      (d.decider != RULE_DECIDER_RULE || kr.rule == d.rule->index),
		      "%s: %s %s %s subject=%s tty=%d: kernel verdict %u decider %u rule %u, "
		      "reference %u decider %u rule %d",
		      what, rule_class_to_string(c), rule_access_to_string(a), path, op.subject,
		      tty, kr.verdict, kr.decider, kr.rule, d.verdict, d.decider,
		      d.rule ? (int)d.rule->index : -1);
}

START_TEST(test_process_block_via_symlinked_dir)
{
	static const char *const specs[] = {"process path @/bin/sleep block"};
	struct lsm_test_result kr = {};
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 1, ACTION_AUDIT);
	char *viausr = abs_path("usr/bin/sleep"), *viabin = abs_path("bin/sleep"),
	     *other = abs_path("usr/bin/true");

	ck_assert_int_eq(
		kernel_verdict(viausr, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_int_eq(
		kernel_verdict(viabin, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_int_eq(
		kernel_verdict(other, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	free(viausr);
	free(viabin);
	free(other);
	drop(rs, p);
}
END_TEST

START_TEST(test_hard_link_and_rename_replacement)
{
	static const char *const specs[] = {"file path @/etc/shadow block"};
	struct lsm_test_result kr = {};
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 1, ACTION_AUDIT);
	char *shadow = abs_path("etc/shadow"), *hl = abs_path("var/hl"), *tmp = abs_path("etc/new");
	int fd;

	/* a hard link elsewhere is the same inode */
	ck_assert_int_eq(link(shadow, hl), 0);
	ck_assert_int_eq(kernel_verdict(hl, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	/* replaced by rename after the policy loaded: the name still matches */
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(rename(tmp, shadow), 0);
	ck_assert_int_eq(kernel_verdict(shadow, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr),
			 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	free(shadow);
	free(hl);
	free(tmp);
	drop(rs, p);
}
END_TEST

#define ANY_RULE UINT32_MAX

/* The kernel's verdict on reading `path` (by subject sfd, -1: this test) is `verdict`, decided by
 * rule `rule` (or ANY_RULE). */
static void expect_read(const char *path, int sfd, unsigned verdict, unsigned rule)
{
	struct lsm_test_result kr = {};

	ck_assert_int_eq(kernel_verdict(path, RULE_CLASS_FILE, RULE_ACCESS_READ, sfd, false, &kr),
			 0);
	ck_assert_msg(kr.verdict == verdict && (rule == ANY_RULE || kr.rule == rule),
		      "%s (%zu bytes of name): verdict %u rule %u, expected %u rule %d", path,
		      strlen(strrchr(path, '/') + 1), kr.verdict, kr.rule, verdict,
		      rule == ANY_RULE ? -1 : (int)rule);
}

/* Creates file `a` (absolute) and `b`, a hard link to it. */
static void mklinked(const char *a, const char *b)
{
	int fd = open(a, O_WRONLY | O_CREAT, 0600);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(link(a, b), 0);
}

/* The NAME key of /etc/a holds the INODE rules of the inode at /etc/a (here also named /var/b, a
 * hard link with its own rule) only while that inode is there: replaced by rename, /etc/a gets
 * its own rule alone, and /var/b keeps its inode's. */
START_TEST(test_name_key_inode_rules_after_replacement)
{
	static const char *const specs[] = {"file path @/var/b block", "file path @/etc/a audit"};
	char *a = abs_path("etc/a"), *b = abs_path("var/b"), *tmp = abs_path("etc/new");
	Policy *p;
	RuleSet *rs;

	mklinked(a, b);
	rs = apply_specs(&p, specs, 2, ACTION_AUDIT);
	/* one inode, two names: the block rule of /var/b holds at /etc/a too */
	expect_read(a, -1, LSM_ACT_BLOCK, 0);
	mkfile("etc/new");
	ck_assert_int_eq(rename(tmp, a), 0);
	expect_read(a, -1, LSM_ACT_AUDIT, 1);
	expect_read(b, -1, LSM_ACT_BLOCK, 0);
	free(a);
	free(b);
	free(tmp);
	drop(rs, p);
}
END_TEST

/* /etc/a and its hard link /var/b: a source-qualified allow on /var/b holds at /etc/a for that
 * source (the inode's INODE key with the source is still looked up), the block elsewhere. */
START_TEST(test_name_key_inode_source_keys)
{
	static const char *const specs[] = {"file path @/etc/a block",
					    "file path @/var/b allow src=@/usr/bin/src1"};
	char *a = abs_path("etc/a"), *b = abs_path("var/b"), *src = abs_path("usr/bin/src1");
	Policy *p;
	RuleSet *rs;
	int sfd;

	mklinked(a, b);
	rs = apply_specs(&p, specs, 2, ACTION_AUDIT);
	sfd = open(src, O_PATH | O_CLOEXEC);
	ck_assert_int_ge(sfd, 0);
	expect_read(a, sfd, LSM_ACT_ALLOW, 1);
	expect_read(a, -1, LSM_ACT_BLOCK, 0);
	close(sfd);
	free(a);
	free(b);
	free(src);
	drop(rs, p);
}
END_TEST

/* A Block on the exact path ends the decision early, except when a source-qualified directory
 * rule can outrank it: here an allow on /etc/ for one source. */
START_TEST(test_exact_block_and_source_dir_rule)
{
	static const char *const specs[] = {"file path @/etc/shadow block",
					    "file rdir @/etc/ allow src=@/usr/bin/src1"};
	char *shadow = abs_path("etc/shadow"), *src = abs_path("usr/bin/src1");
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 2, ACTION_AUDIT);
	int sfd = open(src, O_PATH | O_CLOEXEC);

	ck_assert_int_ge(sfd, 0);
	expect_read(shadow, sfd, LSM_ACT_ALLOW, 1);
	expect_read(shadow, -1, LSM_ACT_BLOCK, 0);
	close(sfd);
	free(shadow);
	free(src);
	drop(rs, p);
}
END_TEST

START_TEST(test_source_rule_after_rename_replacement)
{
	static const char *const specs[] = {"file path @/etc/passwd block src=@/usr/bin/src1"};
	struct lsm_test_result kr = {};
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 1, ACTION_AUDIT);
	char *pw = abs_path("etc/passwd"), *tmp = abs_path("etc/new"),
	     *src = abs_path("usr/bin/src1");
	int fd, sfd = open(src, O_PATH | O_CLOEXEC);

	ck_assert_int_ge(sfd, 0);
	ck_assert_int_eq(kernel_verdict(pw, RULE_CLASS_FILE, RULE_ACCESS_READ, sfd, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_int_eq(kernel_verdict(pw, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(rename(tmp, pw), 0);
	ck_assert_int_eq(kernel_verdict(pw, RULE_CLASS_FILE, RULE_ACCESS_READ, sfd, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	close(sfd);
	free(pw);
	free(tmp);
	free(src);
	drop(rs, p);
}
END_TEST

START_TEST(test_nonrecursive_dir)
{
	static const char *const specs[] = {"process path @/etc/passwd block",
					    "process dir @/etc/ block"};
	struct lsm_test_result kr = {};
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 2, ACTION_AUDIT);
	char *direct = abs_path("etc/shadow"), *deeper = abs_path("etc/sub/deeper/b"),
	     *sub = abs_path("etc/sub/a");

	ck_assert_int_eq(
		kernel_verdict(direct, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_int_eq(kernel_verdict(sub, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr),
			 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	ck_assert_int_eq(
		kernel_verdict(deeper, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	free(direct);
	free(deeper);
	free(sub);
	drop(rs, p);
}
END_TEST

/* An allow-list of system directories with block posture, on the real system paths (the VM tier's
 * allow-list case): what lies below an allowed directory runs, the rest does not. */
START_TEST(test_allow_list_system_dirs)
{
	static const char *const specs[] = {"process rdir /usr/ allow", "process rdir /bin/ allow",
					    "process rdir /lib/ allow",
					    "process path @/opt/ok allow"};
	static const char *const paths[] = {"/usr/bin/grep", "/bin/grep",   "/usr/bin/env",
					    "/usr/lib",	     "/etc/passwd", "/usr/sbin",
					    "/bin/sh"};
	struct lsm_test_result kr = {};
	char *ok, *no = abs_path("bin/sleep");
	RuleSet *rs;
	Policy *p;

	mkdir_rel("opt");
	mkfile("opt/ok");
	ok = abs_path("opt/ok");
	rs = apply_specs(&p, specs, ELEMENTSOF(specs), ACTION_BLOCK);

	/* verdicts only: the rule may differ where /bin is a symbolic link to usr/bin (the kernel
	 * sees /usr/bin, which the /bin/ rule names, closer than /usr/) */
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		RuleOp op = {.class = RULE_CLASS_PROCESS, .access = RULE_ACCESS_EXEC};
		char real[PATH_MAX];
		RuleDecision d = {};

		if (!realpath(paths[i], real))
			continue;
		op.path = real;
		op.subject = self_exe;
		op.owner = true;
		ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
		ck_assert_int_eq(kernel_verdict(paths[i], RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1,
						false, &kr),
				 0);
		ck_assert_msg(kr.verdict == d.verdict, "%s: kernel %u, reference %u", paths[i],
			      kr.verdict, d.verdict);
	}
	ck_assert_int_eq(kernel_verdict("/usr/bin/grep", RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1,
					false, &kr),
			 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	check_one(rs, ok, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, NULL, false, "allowed file");
	ck_assert_int_eq(kernel_verdict(no, RULE_CLASS_PROCESS, RULE_ACCESS_EXEC, -1, false, &kr),
			 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_uint_eq(kr.decider, LSM_DECIDER_POSTURE);
	free(ok);
	free(no);
	drop(rs, p);
}
END_TEST

/* A directory rule above a mount point holds for files inside the mounted file system: the walk
 * crosses from the mount's root to its mount point. The mount lives in a private mount namespace
 * of this test's process, so nothing is left behind whatever happens. */
START_TEST(test_dir_rule_across_mount)
{
	static const char *const specs[] = {"file rdir @/var/ block"};
	struct lsm_test_result kr = {};
	char *mnt, *inside, *outside = abs_path("etc/passwd");
	RuleSet *rs;
	Policy *p;

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	mkdir_rel("var/mnt");
	mnt = abs_path("var/mnt");
	ck_assert_int_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0);
	mkdir_rel("var/mnt/sub");
	mkfile("var/mnt/sub/f");
	inside = abs_path("var/mnt/sub/f");
	rs = apply_specs(&p, specs, ELEMENTSOF(specs), ACTION_AUDIT);

	ck_assert_int_eq(kernel_verdict(inside, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr),
			 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_uint_eq(kr.decider, LSM_DECIDER_RULE);
	check_one(rs, inside, RULE_CLASS_FILE, RULE_ACCESS_READ, NULL, false, "across a mount");
	check_one(rs, outside, RULE_CLASS_FILE, RULE_ACCESS_READ, NULL, false, "outside");
	/* the mount's own root directory is below the rule too */
	check_one(rs, mnt, RULE_CLASS_FILE, RULE_ACCESS_READ, NULL, false, "mount root");
	(void)umount2(mnt, MNT_DETACH);
	free(mnt);
	free(inside);
	free(outside);
	drop(rs, p);
}
END_TEST

/* NAME keys of components around the 32 bytes read onto the stack and far longer: each still
 * matches by name once its file is replaced by rename (so no INODE key decides), and names one byte
 * shorter or longer (files of their own, made before the policy) do not. */
static void name_of(char *buf, size_t i, unsigned len)
{
	memset(buf, 'a' + (int)i, len);
	buf[len] = 0;
}

static void check_name_verdict(const char *name, unsigned verdict, unsigned rule)
{
	char rel[PATH_MAX], *abs;

	snprintf(rel, sizeof(rel), "etc/%s", name);
	abs = abs_path(rel);
	expect_read(abs, -1, verdict, rule);
	free(abs);
}

START_TEST(test_name_lengths)
{
	static const unsigned lens[] = {1, 31, 32, 33, 100, 254};
	char specs_buf[ELEMENTSOF(lens)][PATH_MAX], *specs[ELEMENTSOF(lens)];
	char name[300], rel[PATH_MAX];
	int held[ELEMENTSOF(lens)];
	Policy *p;
	RuleSet *rs;

	for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
		for (unsigned len = lens[i] - 1; len <= lens[i] + 1; len++) {
			if (!len)
				continue;
			name_of(name, i, len);
			snprintf(rel, sizeof(rel), "etc/%s", name);
			mkfile(rel);
		}
		name_of(name, i, lens[i]);
		snprintf(specs_buf[i], sizeof(specs_buf[i]), "file path @/etc/%s block", name);
		specs[i] = specs_buf[i];
	}
	rs = apply_specs(&p, (const char *const *)specs, ELEMENTSOF(lens), ACTION_AUDIT);
	for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
		char *abs, *tmp = abs_path("etc/new");

		name_of(name, i, lens[i]);
		snprintf(rel, sizeof(rel), "etc/%s", name);
		abs = abs_path(rel);
		/* the replaced inode stays alive: a later file must not reuse its number */
		held[i] = open(abs, O_PATH | O_CLOEXEC);
		ck_assert_int_ge(held[i], 0);
		mkfile("etc/new");
		ck_assert_int_eq(rename(tmp, abs), 0);
		check_name_verdict(name, LSM_ACT_BLOCK, (unsigned)i);
		name_of(name, i, lens[i] + 1);
		check_name_verdict(name, LSM_ACT_ALLOW, ANY_RULE);
		if (lens[i] > 1) {
			name_of(name, i, lens[i] - 1);
			check_name_verdict(name, LSM_ACT_ALLOW, ANY_RULE);
		}
		free(abs);
		free(tmp);
	}
	for (size_t i = 0; i < ELEMENTSOF(lens); i++)
		close(held[i]);
	drop(rs, p);
}
END_TEST

START_TEST(test_deep_and_long_paths)
{
	static const char *const specs[] = {"file rdir @/var/ block"};
	struct lsm_test_result kr = {};
	char rel[PATH_MAX] = "var", *abs;
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 1, ACTION_AUDIT);

	/* 40 levels and more than 200 bytes: no limit applies */
	for (int i = 0; i < 40; i++) {
		strcat(rel, i % 2 ? "/dddddddddd" : "/d");
		mkdir_rel(rel);
	}
	strcat(rel, "/f");
	mkfile(rel);
	abs = abs_path(rel);
	ck_assert_int_gt(strlen(abs), 200);
	ck_assert_int_eq(kernel_verdict(abs, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	ck_assert_uint_eq(kr.decider, LSM_DECIDER_RULE);
	free(abs);
	drop(rs, p);
}
END_TEST

/* The kernel's lsm_filter is exactly the filter of `rs`'s plan (NULL: empty). */
static void check_filter(const LsmMapFds *m, const RuleSet *rs)
{
	struct lsm_filter *want = NULL, *have = calloc(1, sizeof(*have));
	LsmPlan *pl = NULL;
	__u32 zero = 0;

	ck_assert_ptr_nonnull(have);
	if (rs) {
		ck_assert_int_eq(lsm_plan_build(rs, LSM_WL_HOST, 0, &pl), 0);
		ck_assert_int_eq(lsm_filter_of_plan(pl, &want), 0);
	} else {
		want = calloc(1, sizeof(*want));
		ck_assert_ptr_nonnull(want);
	}
	ck_assert_int_eq(bpf_map_lookup_elem(m->filter, &zero, have), 0);
	ck_assert_int_eq(memcmp(want, have, sizeof(*have)), 0);
	free(want);
	free(have);
	lsm_plan_free(pl);
}

START_TEST(test_generation_switch)
{
	static const char *const a[] = {"file path @/etc/passwd block"};
	static const char *const b[] = {"file path @/etc/shadow block"};
	struct lsm_test_result kr = {};
	char *pw = abs_path("etc/passwd"), *sh = abs_path("etc/shadow");
	Policy *p1, *p2;
	RuleSet *rs1 = apply_specs(&p1, a, 1, ACTION_AUDIT);
	RuleSet *rs2;
	LsmMapFds m = th_maps(&host);
	__u32 gen;
	bool active;

	ck_assert_int_eq(lsm_maps_active_gen(&m, LSM_WL_HOST, &gen, &active), 0);
	ck_assert(active);
	rs2 = apply_specs(&p2, b, 1, ACTION_AUDIT);
	ck_assert_int_eq(lsm_maps_active_gen(&m, LSM_WL_HOST, &gen, &active), 0);
	ck_assert_int_eq(kernel_verdict(pw, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_ALLOW);
	ck_assert_int_eq(kernel_verdict(sh, RULE_CLASS_FILE, RULE_ACCESS_READ, -1, false, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_BLOCK);
	/* nothing of the old generation is left */
	{
		struct lsm_rule_key k = {}, next;
		size_t n = 0, old = 0;

		while (bpf_map_get_next_key(m.rules, n ? &k : NULL, &next) == 0) {
			k = next;
			n++;
			if ((k.wl & 1) != gen)
				old++;
		}
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_eq(old, 0);
	}
	/* the filter holds the new generation's identities and no longer the old one's */
	check_filter(&m, rs2);
	ck_assert_int_eq(lsm_maps_clear(&m, LSM_WL_HOST), 0);
	ck_assert_int_eq(lsm_maps_active_gen(&m, LSM_WL_HOST, &gen, &active), 0);
	ck_assert(!active);
	check_filter(&m, NULL);
	free(pw);
	free(sh);
	drop(rs1, p1);
	drop(rs2, p2);
}
END_TEST

static struct {
	__u64 ino;
	char path[LSM_EVT_PATH_MAX];
	char subject[LSM_EVT_PATH_MAX];
	unsigned n;
} seen;

static int on_event(void *ctx, void *data, size_t size)
{
	const struct lsm_evt *e = data;

	if (size < sizeof(*e) || e->hdr.type != AGENT_EVT_LSM || e->ino != seen.ino)
		return 0;
	ck_assert_uint_eq(e->pid, (unsigned)getpid());
	memcpy(seen.path, e->path, sizeof(seen.path));
	memcpy(seen.subject, e->subject, sizeof(seen.subject));
	seen.n++;
	return 0;
}

START_TEST(test_event_paths)
{
	static const char *const specs[] = {"file rdir @/var/ audit"};
	struct lsm_test_result kr = {};
	char rel[PATH_MAX] = "var", *f;
	struct ring_buffer *rb;
	struct stat st;
	Policy *p;
	RuleSet *rs = apply_specs(&p, specs, 1, ACTION_AUDIT);
	int fd;

	for (int i = 0; i < 30; i++) {
		strcat(rel, "/level-of-a-deep-tree");
		mkdir_rel(rel);
	}
	strcat(rel, "/file");
	mkfile(rel);
	f = abs_path(rel);
	fd = open(f, O_PATH | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	host.skel->bss->req.class = RULE_CLASS_FILE;
	host.skel->bss->req.access = RULE_ACCESS_READ;
	host.skel->bss->req.subject_fd = -1;
	ck_assert_int_eq(th_decide(&host, fd, &kr), 0);
	ck_assert_uint_eq(kr.verdict, LSM_ACT_AUDIT);
	ck_assert_int_eq(th_run(host.emit), 0);
	memset(&seen, 0, sizeof(seen));
	seen.ino = st.st_ino;
	rb = ring_buffer__new(bpf_map__fd(host.skel->maps.lsm_events), on_event, NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	ck_assert_int_ge(ring_buffer__consume(rb), 1);
	ring_buffer__free(rb);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_int_gt(strlen(f), 600);
	ck_assert_str_eq(seen.path, f);
	ck_assert_str_eq(seen.subject, self_exe);
	close(fd);
	free(f);
	drop(rs, p);
}
END_TEST

/* ---- differential --------------------------------------------------------------------------- */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

START_TEST(test_differential)
{
	static const char *const files[] = {"usr/bin/sleep", "usr/bin/true", "etc/passwd",
					    "etc/shadow",    "etc/sub/a",    "etc/sub/deeper/b",
					    "var/log",	     "etc/owned",    "bin/sleep"};
	static const char *const dirs[] = {
		"usr/", "usr/bin/", "etc/", "etc/sub/", "etc/sub/deeper/", "var/", ""};
	static const char *const protos[] = {"tcp",   "udp", "icmp",   "raw",	 "stream",
					     "dgram", "all", "packet", "icmpv6", "sctp"};
	static const char *const caps[] = {"net_raw", "chown", "sys_admin", "kill"};
	static const struct {
		int d, t, p;
	} socks[] = {{2, 1, 0},	 {2, 2, 0}, {2, 3, 1}, {2, 2, 1},   {10, 2, 58},
		     {17, 3, 0}, {1, 1, 0}, {1, 2, 0}, {2, 5, 132}, {2, 10, 0}};
	static const char *const actions[] = {"allow", "audit", "block"};
	char *src1 = abs_path("usr/bin/src1");
	unsigned cases = 0;

	for (int round = 0; round < 150; round++) {
		const char *specs[12];
		char bufs[12][PATH_MAX];
		unsigned n = 1 + rnd(8);
		RuleAction fp = rnd(2) ? ACTION_BLOCK : ACTION_AUDIT;
		Policy *p;
		RuleSet *rs;

		for (unsigned i = 0; i < n; i++) {
			unsigned k = rnd(10);
			const char *act = actions[rnd(3)];
			char flags[64] = "";

			if (rnd(4) == 0)
				strcat(flags, " oo");
			if (rnd(5) == 0)
				strcat(flags, " pts");
			if (rnd(4) == 0)
				strcat(flags, " src=@/usr/bin/src1");
			if (k < 3)
				/* rule targets are canonical (files[8] goes through a symlink: the
				 * reference compares strings, the kernel identities) */
				snprintf(bufs[i], PATH_MAX, "file path @/%s %s%s%s", files[rnd(8)],
					 act, rnd(3) == 0 ? " ro" : "", flags);
			else if (k < 5)
				snprintf(bufs[i], PATH_MAX, "file %s @/%s %s%s%s",
					 rnd(2) ? "dir" : "rdir", dirs[rnd(7)], act,
					 rnd(3) == 0 ? " ro" : "", flags);
			else if (k < 6)
				snprintf(bufs[i], PATH_MAX, "process path @/%s %s%s", files[rnd(8)],
					 act, flags);
			else if (k < 7)
				snprintf(bufs[i], PATH_MAX, "process %s @/%s %s%s",
					 rnd(2) ? "dir" : "rdir", dirs[rnd(7)], act, flags);
			else if (k < 8)
				snprintf(bufs[i], PATH_MAX, "process execname %s %s%s",
					 rnd(2) ? "sleep" : "passwd", act, flags);
			else if (k < 9)
				snprintf(bufs[i], PATH_MAX, "network proto %s %s%s",
					 protos[rnd(10)], act, rnd(5) == 0 ? " pts" : "");
			else
				snprintf(bufs[i], PATH_MAX, "cap cap %s %s%s", caps[rnd(4)], act,
					 rnd(3) == 0 ? " src=@/usr/bin/src1" : "");
			specs[i] = bufs[i];
		}
		rs = apply_specs(&p, specs, n, fp);
		if (getenv("BPFLSM_TEST_VERBOSE"))
			for (unsigned i = 0; i < n; i++)
				printf("round %d posture %d rule %u: %s\n", round, fp, i, specs[i]);
		for (int j = 0; j < 30; j++) {
			unsigned k = rnd(4);
			const char *subject = rnd(3) == 0 ? src1 : NULL;
			bool tty = rnd(3) == 0;
			char what[64];

			snprintf(what, sizeof(what), "round %d op %d", round, j);
			if (k < 2) {
				char *path = abs_path(files[rnd(9)]);

				check_one(rs, path, k ? RULE_CLASS_PROCESS : RULE_CLASS_FILE,
					  k ? RULE_ACCESS_EXEC
					    : (rnd(2) ? RULE_ACCESS_WRITE : RULE_ACCESS_READ),
					  subject, tty, what);
				free(path);
			} else if (k < 3) {
				char *path = abs_path(dirs[rnd(6)]);

				check_one(rs, path, RULE_CLASS_FILE,
					  rnd(2) ? RULE_ACCESS_WRITE : RULE_ACCESS_READ, subject,
					  tty, what);
				free(path);
			} else {
				/* network and capabilities: decided on any fd */
				struct lsm_test_result kr = {};
				RuleDecision d = {};
				RuleOp op = {.subject = subject ? subject : self_exe, .tty = tty};
				int sfd = subject ? open(subject, O_PATH | O_CLOEXEC) : -1;
				bool net = rnd(2);
				unsigned s = rnd(10);

				if (net) {
					op.class = RULE_CLASS_NETWORK;
					op.domain = socks[s].d;
					op.type = socks[s].t;
					op.protocol = socks[s].p;
					host.skel->bss->req.domain = socks[s].d;
					host.skel->bss->req.type = socks[s].t;
					host.skel->bss->req.protocol = socks[s].p;
				} else {
					op.class = RULE_CLASS_CAPABILITY;
					op.capability = rules_capability_from_name(caps[rnd(4)]);
					host.skel->bss->req.cap = op.capability;
				}
				ck_assert_int_eq(kernel_verdict(root, op.class, RULE_ACCESS_READ,
								sfd, tty, &kr),
						 0);
				if (sfd >= 0)
					close(sfd);
				ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
				ck_assert_msg(kr.verdict == d.verdict && kr.decider == d.decider &&
						      (d.decider != RULE_DECIDER_RULE ||
						       kr.rule == d.rule->index),
					      "%s: %s: kernel %u/%u/%u reference %u/%u/%d", what,
					      rule_class_to_string(op.class), kr.verdict,
					      kr.decider, kr.rule, d.verdict, d.decider,
					      d.rule ? (int)d.rule->index : -1);
			}
			cases++;
		}
		drop(rs, p);
	}
	printf("differential: %u cases agreed\n", cases);
	free(src1);
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("enforcer/bpflsm-match");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_process_block_via_symlinked_dir);
	tcase_add_test(tc, test_hard_link_and_rename_replacement);
	tcase_add_test(tc, test_source_rule_after_rename_replacement);
	tcase_add_test(tc, test_name_key_inode_rules_after_replacement);
	tcase_add_test(tc, test_name_key_inode_source_keys);
	tcase_add_test(tc, test_exact_block_and_source_dir_rule);
	tcase_add_test(tc, test_nonrecursive_dir);
	tcase_add_test(tc, test_deep_and_long_paths);
	tcase_add_test(tc, test_name_lengths);
	tcase_add_test(tc, test_allow_list_system_dirs);
	tcase_add_test(tc, test_dir_rule_across_mount);
	tcase_add_test(tc, test_generation_switch);
	tcase_add_test(tc, test_event_paths);
	tcase_add_test(tc, test_differential);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed, r;

	require_root();
	r = th_open(&host);
	if (r == -EPERM || r == -ENOENT || r == -EOPNOTSUPP || r == -ENOTSUP) {
		printf("SKIP: cannot load the matcher's test host (BPF iterators): %s\n",
		       strerror(-r));
		return 77;
	}
	if (r < 0) {
		/* the verifier refused the matcher: a bug, not a missing feature */
		printf("FAIL: the kernel rejected the matcher's test host: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	th_close(&host);
	sr = srunner_create(match_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
