/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-bpflsm-maps.c: RuleSet -> BPF-LSM map plan (no kernel): inode and name keys from real files,
 * symlink resolution, source ids, flags, merging of rules on one key, rule statuses.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "check-helpers.h"
#include "enforcer/bpflsm/bpflsm.h"
#include "rules/rules-test-util.h"

static char root[PATH_MAX];

static void setup(void)
{
	char tmpl[] = "/tmp/bpflsm-maps-XXXXXX", p[PATH_MAX + 32];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, root));
	snprintf(p, sizeof(p), "%s/real", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/real/file", root);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/link", root);
	ck_assert_int_eq(symlink("real", p), 0);
	snprintf(p, sizeof(p), "%s/real/alias", root);
	ck_assert_int_eq(symlink("file", p), 0);
}

static void teardown(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", root, (char *)NULL);
		_exit(127);
	}
	(void)waitpid(pid, NULL, 0);
}

static LsmPlan *plan_post(Policy **ret_p, RuleSet **ret_rs, const char *const *specs, size_t n,
			  RulePostures post, __u32 wl, __u32 gen)
{
	Policy *p = tu_policy(POLICY_KIND_HSP, "pol");
	LsmPlan *plan = NULL;

	for (size_t i = 0; i < n; i++) {
		char spec[PATH_MAX * 2], *o = spec;

		for (const char *s = specs[i]; *s; s++)
			if (*s == '@')
				o += sprintf(o, "%s", root);
			else
				*o++ = *s;
		*o = 0;
		tu_rule(p, spec);
	}
	ck_assert_int_eq(rule_set_new(&post, ret_rs), 0);
	ck_assert_int_eq(rule_set_add_policy(*ret_rs, p), 0);
	ck_assert_int_eq(rule_set_seal(*ret_rs), 0);
	ck_assert_int_eq(lsm_plan_build(*ret_rs, wl, gen, &plan), 0);
	*ret_p = p;
	return plan;
}

static LsmPlan *plan_of(Policy **ret_p, RuleSet **ret_rs, const char *const *specs, size_t n)
{
	return plan_post(ret_p, ret_rs, specs, n, RULE_POSTURES_DEFAULT, LSM_WL_HOST, 1);
}

static const LsmRuleEntry *find_kind(const LsmPlan *pl, __u8 kind, __u64 id, size_t nth)
{
	for (size_t i = 0; i < pl->n_rules; i++)
		if (pl->rules[i].key.kind == kind && (id == 0 || pl->rules[i].key.id == id) &&
		    nth-- == 0)
			return &pl->rules[i];
	return NULL;
}

START_TEST(test_hash_and_dev)
{
	ck_assert_uint_eq(lsm_name_hash(""), LSM_FNV_OFFSET);
	ck_assert_uint_eq(lsm_name_hash("a"), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(lsm_kdev(makedev(8, 1)), (8u << 20) | 1);
	ck_assert_uint_eq(lsm_kdev(makedev(259, 70000)), (259u << 20) | 70000);
}
END_TEST

/* A NAME key takes in the INODE key of the inode at its name, flagged, and records that inode; at
 * a symlink's own name that is the link itself, which has no INODE key. */
START_TEST(test_name_key_takes_in_inode_key)
{
	static const char *const specs[] = {"file path @/link/alias block",
					    "file path @/real/file audit"};
	char p[PATH_MAX + 32];
	struct stat file, alias;
	Policy *pol;
	RuleSet *rs;
	LsmPlan *pl = plan_of(&pol, &rs, specs, 2);
	const LsmRuleEntry *e;

	snprintf(p, sizeof(p), "%s/real/file", root);
	ck_assert_int_eq(stat(p, &file), 0);
	snprintf(p, sizeof(p), "%s/real/alias", root);
	ck_assert_int_eq(lstat(p, &alias), 0);
	/* INODE key of the file: both rules */
	e = find_kind(pl, LSM_K_INODE, file.st_ino, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->val.ent[0].action, LSM_ACT_BLOCK);
	ck_assert_uint_eq(e->val.ent[1].action, LSM_ACT_AUDIT);
	/* NAME "file" (rule 0 resolves there too): its own two rules, then the INODE key's,
	 * flagged */
	e = find_kind(pl, LSM_K_NAME, lsm_name_hash("file"), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->ino, file.st_ino);
	ck_assert_uint_eq(e->dev, lsm_kdev(file.st_dev));
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(e->val.ent[i].action, i % 2 ? LSM_ACT_AUDIT : LSM_ACT_BLOCK);
		ck_assert_uint_eq(e->val.ent[i].rule, (unsigned)i % 2);
		ck_assert_uint_eq(e->val.ent[i].flags, i < 2 ? 0 : LSM_RF_VIA_INODE);
	}
	ck_assert_uint_eq(e->val.ent[4].action, 0);
	ck_assert_uint_eq(e->nv_flags, LSM_NV_INODE_NO_SRC); /* no source rule on the inode */
	/* NAME "alias": the symlink's own inode, which no INODE key names */
	e = find_kind(pl, LSM_K_NAME, lsm_name_hash("alias"), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->ino, alias.st_ino);
	ck_assert_uint_eq(e->val.ent[0].action, LSM_ACT_BLOCK);
	ck_assert_uint_eq(e->val.ent[0].flags, 0);
	ck_assert_uint_eq(e->val.ent[1].action, 0);
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(pol);
}
END_TEST

/* An inode with a source-qualified INODE key: its NAME keys do not say "no source keys". */
START_TEST(test_name_key_inode_with_source_keys)
{
	static const char *const specs[] = {"file path @/real/file block",
					    "file path @/link/alias allow src=@/real/file"};
	Policy *pol;
	RuleSet *rs;
	LsmPlan *pl = plan_of(&pol, &rs, specs, 2);
	const LsmRuleEntry *e;
	size_t n = 0;

	for (size_t i = 0; (e = find_kind(pl, LSM_K_NAME, lsm_name_hash("file"), i)); i++) {
		ck_assert_uint_ne(e->ino, 0);
		ck_assert_uint_eq(e->nv_flags & LSM_NV_INODE_NO_SRC, 0);
		n++;
	}
	ck_assert_uint_eq(n, 2); /* without and with the source */
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(pol);
}
END_TEST

START_TEST(test_exact_path_through_symlinks)
{
	static const char *const specs[] = {"file path @/link/alias block"};
	char p[PATH_MAX + 32];
	struct stat st, dst;
	Policy *pol;
	RuleSet *rs;
	LsmPlan *pl = plan_of(&pol, &rs, specs, 1);
	const LsmRuleEntry *e;
	size_t names = 0;

	snprintf(p, sizeof(p), "%s/real/file", root);
	ck_assert_int_eq(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/real", root);
	ck_assert_int_eq(stat(p, &dst), 0);
	/* the inode of the file it resolves to */
	e = find_kind(pl, LSM_K_INODE, st.st_ino, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key.dev, lsm_kdev(st.st_dev));
	ck_assert_uint_eq(e->key.wl, 1); /* host, generation 1 */
	ck_assert_uint_eq(e->key.class, LSM_CLASS_FILE);
	ck_assert_uint_eq(e->val.ent[0].action, LSM_ACT_BLOCK);
	ck_assert_uint_eq(e->val.ent[1].action, 0);
	/* names: "alias" and "file", both in the real directory */
	for (size_t i = 0; i < pl->n_names; i++) {
		ck_assert_uint_eq(pl->names[i].key.aux, dst.st_ino);
		ck_assert(streq(pl->names[i].val.name, "alias") ||
			  streq(pl->names[i].val.name, "file"));
		ck_assert_uint_eq(pl->names[i].key.id, lsm_name_hash(pl->names[i].val.name));
		names++;
	}
	ck_assert_uint_eq(names, 2);
	ck_assert_ptr_nonnull(find_kind(pl, LSM_K_NAME, lsm_name_hash("file"), 0));
	ck_assert_uint_eq(pl->n_dirs, 1);
	ck_assert_uint_eq(pl->dirs[0].key.ino, dst.st_ino);
	ck_assert_uint_eq(pl->dirs[0].value, LSM_DF_NAMES(LSM_CLASS_FILE));
	ck_assert(pl->cfg.flags & LSM_WF_ACTIVE);
	ck_assert(pl->cfg.flags & LSM_WF_NAMES(LSM_CLASS_FILE));
	ck_assert(!(pl->cfg.flags & LSM_WF_DIRS(LSM_CLASS_FILE)));
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_FILE, 0)->status, RULE_ENFORCED);
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(pol);
}
END_TEST

START_TEST(test_dirs_sources_and_merge)
{
	static const char *const specs[] = {
		"file rdir @/link/ block", /* 0: DIR, recursive */
		"file dir @/real/ block",  /* 1: same key, non-recursive: second slot */
		"file rdir @/real/ block", /* 2: equal to 0: merged away */
		"file path @/real/file audit src=@/real/file", /* 3: source id 1 */
		"file path @/missing/x block",		       /* 4: nothing to key */
		"file pattern @/real/* block",		       /* 5: not in the kernel */
		"process path @/real/file block args=-x",      /* 6: allowedArgs */
		"process path @/real/file block src=@/nope",   /* 7: missing source */
		"network proto raw block",		       /* 8 */
		"cap cap net_raw block",		       /* 9 */
	};
	Policy *pol;
	RuleSet *rs;
	LsmPlan *pl = plan_of(&pol, &rs, specs, ELEMENTSOF(specs));
	const LsmRuleEntry *e;
	const char *reason;

	e = find_kind(pl, LSM_K_DIR, 0, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(find_kind(pl, LSM_K_DIR, 0, 1));
	ck_assert_uint_eq(e->val.ent[0].rule, 0);
	ck_assert_uint_eq(e->val.ent[0].flags, LSM_RF_RECURSIVE);
	ck_assert_uint_eq(e->val.ent[1].rule, 1);
	ck_assert_uint_eq(e->val.ent[1].flags, 0);
	ck_assert_uint_eq(e->val.ent[2].action, 0);
	ck_assert(pl->cfg.flags & LSM_WF_DIRS(LSM_CLASS_FILE));
	ck_assert(pl->cfg.flags & LSM_WF_SRC_RULES);
	ck_assert_uint_eq(pl->n_srcs, 1);
	ck_assert_uint_eq(pl->srcs[0].value, 1);
	e = find_kind(pl, LSM_K_INODE, 0, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key.src, 1);
	ck_assert_uint_eq(e->val.ent[0].action, LSM_ACT_AUDIT);
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_FILE, 3)->status, RULE_AUDIT_ONLY);

	reason = lsm_plan_status(pl, RULE_CLASS_FILE, 4)->reason;
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_FILE, 4)->status, RULE_MONITOR_ONLY);
	ck_assert_ptr_nonnull(strstr(reason, "does not exist"));
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_FILE, 5)->status, RULE_MONITOR_ONLY);
	ck_assert_ptr_nonnull(strstr(lsm_plan_status(pl, RULE_CLASS_FILE, 5)->reason, "glob"));
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_PROCESS, 0)->status, RULE_MONITOR_ONLY);
	ck_assert_ptr_nonnull(
		strstr(lsm_plan_status(pl, RULE_CLASS_PROCESS, 0)->reason, "allowedArgs"));
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_PROCESS, 1)->status, RULE_MONITOR_ONLY);
	ck_assert_ptr_nonnull(
		strstr(lsm_plan_status(pl, RULE_CLASS_PROCESS, 1)->reason, "fromSource"));
	ck_assert_ptr_null(find_kind(pl, LSM_K_INODE, 0, 1) &&
					   find_kind(pl, LSM_K_INODE, 0, 1)->key.class ==
						   LSM_CLASS_PROCESS
				   ? find_kind(pl, LSM_K_INODE, 0, 1)
				   : NULL);

	e = find_kind(pl, LSM_K_NET_TYPE, 3, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key.class, LSM_CLASS_NETWORK);
	e = find_kind(pl, LSM_K_CAP, 13, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key.class, LSM_CLASS_CAPABILITY);
	ck_assert_int_eq(lsm_plan_status(pl, RULE_CLASS_CAPABILITY, 0)->status, RULE_ENFORCED);
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(pol);
}
END_TEST

/* The filter of a plan holds exactly what its keys need, and each NAME key finds its component. */
START_TEST(test_filter_of_plan)
{
	static const char *const specs[] = {
		"file path @/real/file block",		    /* INODE + NAME in real/ */
		"process rdir @/real/ block",		    /* DIR of class process on real/ */
		"file path @/real/x audit src=@/real/file", /* NAME only (no file); a source */
	};
	Policy *pol;
	RuleSet *rs;
	LsmPlan *pl = plan_of(&pol, &rs, specs, ELEMENTSOF(specs));
	struct lsm_filter *f = NULL;
	char p[PATH_MAX + 32];
	struct stat dir, file;
	size_t names = 0, set = 0;
	__u32 dev;

	snprintf(p, sizeof(p), "%s/real", root);
	ck_assert_int_eq(stat(p, &dir), 0);
	snprintf(p, sizeof(p), "%s/real/file", root);
	ck_assert_int_eq(stat(p, &file), 0);
	dev = lsm_kdev(dir.st_dev);
	ck_assert_int_eq(lsm_filter_of_plan(pl, &f), 0);

	/* the file: INODE key and fromSource executable */
	ck_assert(lsm_filter_get(f, lsm_filter_slot(file.st_ino, dev)) & LSM_FF_IDENT);
	/* the directory: DIR keys of class process, NAME keys of class file */
	ck_assert(lsm_filter_get(f, lsm_filter_slot(dir.st_ino, dev)) &
		  LSM_FF_DIR(LSM_CLASS_PROCESS));
	ck_assert(lsm_filter_get(f, lsm_filter_slot(dir.st_ino, dev)) &
		  LSM_FF_NAMES(LSM_CLASS_FILE));
	/* every NAME key on its own slot, and its component found by key */
	for (size_t i = 0; i < pl->n_rules; i++) {
		const struct lsm_rule_key *k = &pl->rules[i].key;
		const LsmNameEntry *n;

		if (k->kind != LSM_K_NAME)
			continue;
		ck_assert(lsm_filter_get(f, lsm_filter_name_slot(k->aux, k->id, k->dev)) &
			  LSM_FF_NAME);
		n = lsm_plan_name(pl, k);
		ck_assert_ptr_nonnull(n);
		ck_assert_uint_eq(lsm_name_hash(n->val.name), k->id);
		names++;
	}
	ck_assert_uint_eq(names, 2); /* real/file, real/x */
	/* nothing else: at most one slot per identity above */
	for (__u32 i = 0; i < LSM_FILTER_SLOTS; i++)
		set += f->slots[i] != 0;
	ck_assert_uint_ge(set, 3);
	ck_assert_uint_le(set, 4);
	/* the one-page directory bitmap: the directory's bit, and no other */
	ck_assert(lsm_filter_dir_get(f, dir.st_ino, dev));
	if (lsm_filter_dir_bit(file.st_ino, dev) != lsm_filter_dir_bit(dir.st_ino, dev))
		ck_assert(!lsm_filter_dir_get(f, file.st_ino, dev));
	set = 0;
	for (__u32 i = 0; i < LSM_FILTER_DIR_BITS / 8; i++)
		set += (size_t)__builtin_popcount(f->dirs[i]);
	ck_assert_uint_eq(set, 1);
	free(f);
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(pol);
}
END_TEST

START_TEST(test_postures)
{
	static const char *const specs[] = {"file path @/real/file allow",
					    "network proto tcp block"};
	RulePostures post = {ACTION_BLOCK, ACTION_BLOCK, ACTION_AUDIT};
	Policy *p;
	RuleSet *rs;
	LsmPlan *pl = plan_post(&p, &rs, specs, ELEMENTSOF(specs), post, 3, 0);

	ck_assert_uint_eq(pl->wl, 6);
	ck_assert_uint_eq(pl->cfg.gen, 0);
	ck_assert_uint_eq(pl->cfg.allow_list[LSM_CLASS_FILE], 1);
	ck_assert_uint_eq(pl->cfg.posture[LSM_CLASS_FILE], LSM_ACT_BLOCK);
	ck_assert_uint_eq(pl->cfg.allow_list[LSM_CLASS_NETWORK], 0);
	ck_assert_uint_eq(pl->cfg.allow_list[LSM_CLASS_PROCESS], 0);
	lsm_plan_free(pl);
	rule_set_free(rs);
	policy_free(p);
}
END_TEST

static Suite *maps_suite(void)
{
	Suite *s = suite_create("enforcer/bpflsm-maps");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hash_and_dev);
	tcase_add_test(tc, test_exact_path_through_symlinks);
	tcase_add_test(tc, test_name_key_takes_in_inode_key);
	tcase_add_test(tc, test_name_key_inode_with_source_keys);
	tcase_add_test(tc, test_dirs_sources_and_merge);
	tcase_add_test(tc, test_postures);
	tcase_add_test(tc, test_filter_of_plan);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(maps_suite)
