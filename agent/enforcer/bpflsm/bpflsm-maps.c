/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpflsm-maps.c: RuleSet -> the BPF-LSM maps (agent-abi.h), and the generation switch that applies
 * them atomically. See bpflsm.h.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/macro.h"
#include "enforcer/bpflsm/bpflsm.h"

_Static_assert((int)LSM_CLASS_PROCESS == (int)RULE_CLASS_PROCESS &&
		       (int)LSM_CLASS_FILE == (int)RULE_CLASS_FILE &&
		       (int)LSM_CLASS_NETWORK == (int)RULE_CLASS_NETWORK &&
		       (int)LSM_CLASS_CAPABILITY == (int)RULE_CLASS_CAPABILITY,
	       "enum lsm_class follows RuleClass");
_Static_assert(LSM_ACT_ALLOW == ACTION_ALLOW && LSM_ACT_AUDIT == ACTION_AUDIT &&
		       LSM_ACT_BLOCK == ACTION_BLOCK,
	       "LSM_ACT_* follow RuleAction");
_Static_assert(sizeof(struct lsm_rule_key) == 32, "lsm_rule_key layout");
_Static_assert(sizeof(struct lsm_inode_key) == 16, "lsm_inode_key layout");
_Static_assert(sizeof(struct lsm_wl_cfg) == 16, "lsm_wl_cfg layout");

__u32 lsm_kdev(unsigned long long st_dev)
{
	return (__u32)((major(st_dev) << 20) | (minor(st_dev) & 0xfffff));
}

void lsm_self_root(struct lsm_self *self)
{
	struct stat root;

	self->root_ino = 0;
	self->root_dev = 0;
	if (stat("/", &root) == 0) {
		self->root_ino = root.st_ino;
		self->root_dev = lsm_kdev(root.st_dev);
	}
}

__u64 lsm_name_hash(const char *name)
{
	__u64 h = LSM_FNV_OFFSET;

	for (size_t i = 0; name[i] && i < LSM_NAME_MAX - 1; i++)
		h = lsm_fnv_step(h, (unsigned char)name[i]);
	return h;
}

/* ---- building ----------------------------------------------------------------------------------
 */

typedef struct Pending {
	struct lsm_rule_key key;
	struct lsm_rule_ent ent;
} Pending;

typedef struct Builder {
	LsmPlan *plan;
	Pending *pend;
	size_t n_pend, cap_pend;
	size_t cap_names, cap_dirs, cap_srcs;
	__u32 next_src;
} Builder;

static int grow(void **arr, size_t *cap, size_t need, size_t sz)
{
	void *p;
	size_t n;

	if (need <= *cap)
		return 0;
	n = MAX(need, *cap * 2 + 16);
	p = realloc(*arr, n * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int add_pending(Builder *b, const struct lsm_rule_key *k, const Rule *r, __u8 flags)
{
	int ret = grow((void **)&b->pend, &b->cap_pend, b->n_pend + 1, sizeof(Pending));

	if (ret < 0)
		return ret;
	b->pend[b->n_pend++] = (Pending){
		.key = *k,
		.ent = {.rule = r->index, .action = (__u8)r->action, .flags = flags},
	};
	return 0;
}

static int add_inode(LsmInodeEntry **arr, size_t *n, size_t *cap, __u64 ino, __u32 dev, __u32 wl,
		     __u32 value, bool or_flags, __u32 *ret_value)
{
	int r;

	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].key.ino == ino && (*arr)[i].key.dev == dev) {
			if (or_flags)
				(*arr)[i].value |= value;
			if (ret_value)
				*ret_value = (*arr)[i].value;
			return 0;
		}
	r = grow((void **)arr, cap, *n + 1, sizeof(LsmInodeEntry));
	if (r < 0)
		return r;
	(*arr)[*n] = (LsmInodeEntry){.key = {.ino = ino, .dev = dev, .wl = wl}, .value = value};
	(*n)++;
	if (ret_value)
		*ret_value = value;
	return 0;
}

/* `at`: lstat() of the name (NAME keys), or NULL. */
static int add_name(Builder *b, const struct lsm_rule_key *k, const char *name,
		    const struct stat *at)
{
	LsmPlan *p = b->plan;
	int r;

	for (size_t i = 0; i < p->n_names; i++)
		if (memcmp(&p->names[i].key, k, sizeof(*k)) == 0) {
			/* two names with one hash under one key: refuse rather than mis-match */
			if (strcmp(p->names[i].val.name, name) != 0)
				return -ENOTUNIQ;
			return 0;
		}
	r = grow((void **)&p->names, &b->cap_names, p->n_names + 1, sizeof(LsmNameEntry));
	if (r < 0)
		return r;
	memset(&p->names[p->n_names], 0, sizeof(LsmNameEntry));
	p->names[p->n_names].key = *k;
	strncpy(p->names[p->n_names].val.name, name, LSM_NAME_MAX - 1);
	if (at) {
		p->names[p->n_names].ino = at->st_ino;
		p->names[p->n_names].dev = lsm_kdev(at->st_dev);
	}
	p->n_names++;
	return 0;
}

/* The source id of executable `path` (resolved to its inode), 0 if it does not exist. */
static int source_id(Builder *b, const char *path, __u32 *ret)
{
	LsmPlan *p = b->plan;
	struct stat st;
	__u32 id = 0;
	int r;

	if (stat(path, &st) < 0) {
		*ret = 0;
		return 0;
	}
	r = add_inode(&p->srcs, &p->n_srcs, &b->cap_srcs, st.st_ino, lsm_kdev(st.st_dev), p->wl,
		      b->next_src, false, &id);
	if (r < 0)
		return r;
	if (id == b->next_src)
		b->next_src++;
	*ret = id;
	return 0;
}

static void set_status(LsmPlan *p, const Rule *r, RuleEnforcement s, const char *reason)
{
	if ((unsigned)r->class < _LSM_CLASS_MAX && r->index < p->n_status[r->class])
		p->status[r->class][r->index] = (LsmRuleStatus){s, reason};
}

/* NAME key for (directory `dir`, component `base`). */
static int add_name_key(Builder *b, const Rule *r, __u32 src, __u8 flags, const char *dir,
			const char *base)
{
	LsmPlan *p = b->plan;
	_cleanup_free_ char *full = NULL;
	struct lsm_rule_key k = {};
	struct stat st, at;
	bool exists;
	__u32 dflags;
	int ret;

	if (!*base || strlen(base) >= LSM_NAME_MAX || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	/* what the kernel finds at that name: the inode a decision through it has */
	if (asprintf(&full, "%s/%s", streq(dir, "/") ? "" : dir, base) < 0)
		return -ENOMEM;
	exists = lstat(full, &at) == 0;
	k.id = lsm_name_hash(base);
	k.aux = st.st_ino;
	k.dev = lsm_kdev(st.st_dev);
	k.wl = p->wl;
	k.src = src;
	k.class = (__u8)r->class;
	k.kind = LSM_K_NAME;
	ret = add_name(b, &k, base, exists ? &at : NULL);
	if (ret < 0)
		return ret;
	ret = add_inode(&p->dirs, &p->n_dirs, &b->cap_dirs, st.st_ino, k.dev, p->wl,
			LSM_DF_NAMES(r->class), true, &dflags);
	if (ret < 0)
		return ret;
	p->cfg.flags |= LSM_WF_NAMES(r->class);
	return add_pending(b, &k, r, flags);
}

/* Splits `path` at its last '/': dir (at least "/") and base. */
static int split_path(const char *path, char **ret_dir, const char **ret_base)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		return -EINVAL;
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_base = slash + 1;
	return 0;
}

static int add_exact(Builder *b, const Rule *r, __u32 src, __u8 flags)
{
	LsmPlan *p = b->plan;
	_cleanup_free_ char *real = NULL, *ldir = NULL, *rdir = NULL, *ldir_real = NULL;
	const char *lbase, *rbase;
	struct stat st;
	int ret;

	/* The file it resolves to now: symlinks followed, hard links share the inode. */
	if (stat(r->target, &st) == 0) {
		struct lsm_rule_key k = {
			.id = st.st_ino,
			.wl = p->wl,
			.dev = lsm_kdev(st.st_dev),
			.src = src,
			.class = (__u8)r->class,
			.kind = LSM_K_INODE,
		};

		ret = add_pending(b, &k, r, flags);
		if (ret < 0)
			return ret;
	}

	/* The name, so that a file created or renamed into place later matches too. */
	ret = split_path(r->target, &ldir, &lbase);
	if (ret < 0)
		return ret;
	ldir_real = realpath(ldir, NULL);
	if (ldir_real) {
		ret = add_name_key(b, r, src, flags, ldir_real, lbase);
		if (ret < 0)
			return ret;
	}
	real = realpath(r->target, NULL);
	if (real && strcmp(real, r->target) != 0) {
		ret = split_path(real, &rdir, &rbase);
		if (ret < 0)
			return ret;
		if (!ldir_real || strcmp(rdir, ldir_real) != 0 || strcmp(rbase, lbase) != 0) {
			ret = add_name_key(b, r, src, flags, rdir, rbase);
			if (ret < 0)
				return ret;
		}
	}
	if (!ldir_real)
		set_status(p, r, r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY,
			   "the directory of the path does not exist; enforced after the next "
			   "reconcile once it does");
	return 0;
}

static int add_dir(Builder *b, const Rule *r, __u32 src, __u8 flags)
{
	LsmPlan *p = b->plan;
	struct lsm_rule_key k = {};
	struct stat st;
	int ret;

	if (stat(r->target, &st) < 0 || !S_ISDIR(st.st_mode)) {
		set_status(
			p, r, r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY,
			"the directory does not exist; enforced after the next reconcile once it "
			"does");
		return 0;
	}
	k.id = st.st_ino;
	k.dev = lsm_kdev(st.st_dev);
	k.wl = p->wl;
	k.src = src;
	k.class = (__u8)r->class;
	k.kind = LSM_K_DIR;
	ret = add_inode(&p->dirs, &p->n_dirs, &b->cap_dirs, st.st_ino, k.dev, p->wl,
			LSM_DF_DIR(r->class), true, NULL);
	if (ret < 0)
		return ret;
	p->cfg.flags |= LSM_WF_DIRS(r->class);
	if (r->match == RULE_MATCH_DIR_RECURSIVE)
		flags |= LSM_RF_RECURSIVE;
	return add_pending(b, &k, r, flags);
}

static int add_rule(Builder *b, const Rule *r)
{
	LsmPlan *p = b->plan;
	struct lsm_rule_key k = {.wl = p->wl, .class = (__u8)r->class};
	__u8 flags = 0;
	__u32 src = 0;
	int ret;

	set_status(p, r, r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_ENFORCED, NULL);
	if (r->match == RULE_MATCH_PATTERN) {
		set_status(p, r, r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY,
			   "glob patterns are not matched by the BPF-LSM enforcer");
		return 0;
	}
	if (r->allowed_args) {
		set_status(p, r, r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY,
			   "allowedArgs are not checked by the BPF-LSM enforcer");
		return 0;
	}
	if (r->read_only)
		flags |= LSM_RF_READ_ONLY;
	if (r->owner_only)
		flags |= LSM_RF_OWNER_ONLY;
	if (r->pts == PTS_FALSE) {
		flags |= LSM_RF_PTS_FALSE;
		p->cfg.flags |= LSM_WF_PTS;
	}
	if (r->source) {
		ret = source_id(b, r->source, &src);
		if (ret < 0)
			return ret;
		if (src == 0) {
			set_status(
				p, r,
				r->action == ACTION_AUDIT ? RULE_AUDIT_ONLY : RULE_MONITOR_ONLY,
				"the fromSource executable does not exist; enforced after the next "
				"reconcile once it does");
			return 0;
		}
		p->cfg.flags |= LSM_WF_SRC_RULES;
		if (r->match == RULE_MATCH_DIR || r->match == RULE_MATCH_DIR_RECURSIVE ||
		    r->match == RULE_MATCH_EXECNAME)
			p->cfg.flags |= LSM_WF_SRC_WIDE;
	}

	switch (r->match) {
	case RULE_MATCH_PATH:
		return add_exact(b, r, src, flags);
	case RULE_MATCH_DIR:
	case RULE_MATCH_DIR_RECURSIVE:
		return add_dir(b, r, src, flags);
	case RULE_MATCH_EXECNAME:
		if (strlen(r->target) >= LSM_NAME_MAX || strchr(r->target, '/')) {
			set_status(p, r, RULE_MONITOR_ONLY, "execname is not a file name");
			return 0;
		}
		k.id = lsm_name_hash(r->target);
		k.src = src;
		k.kind = LSM_K_EXECNAME;
		ret = add_name(b, &k, r->target, NULL);
		if (ret < 0)
			return ret;
		p->cfg.flags |= LSM_WF_EXECNAME;
		return add_pending(b, &k, r, flags);
	case RULE_MATCH_PROTOCOL:
		switch (r->net.kind) {
		case NET_PROTO_IP:
			k.kind = LSM_K_NET_IP;
			k.id = (__u64)r->net.value;
			break;
		case NET_PROTO_TYPE:
			k.kind = LSM_K_NET_TYPE;
			k.id = (__u64)r->net.value;
			break;
		case NET_PROTO_PACKET:
			k.kind = LSM_K_NET_PACKET;
			break;
		case NET_PROTO_ALL:
			k.kind = LSM_K_NET_ALL;
			break;
		}
		k.src = src;
		return add_pending(b, &k, r, flags);
	case RULE_MATCH_CAPABILITY:
		k.kind = LSM_K_CAP;
		k.id = (__u64)r->capability;
		k.src = src;
		return add_pending(b, &k, r, flags);
	default:
		set_status(p, r, RULE_MONITOR_ONLY, "not enforceable by the BPF-LSM enforcer");
		return 0;
	}
}

static int cmp_pending(const void *a, const void *b)
{
	const Pending *x = a, *y = b;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));

	if (c)
		return c;
	return x->ent.rule < y->ent.rule ? -1 : x->ent.rule > y->ent.rule;
}

/* Adds rule entry `e` to value `v`: one entry per distinct (action, flags), holding the lowest rule
 * index (a higher one could never win a tie against it). -E2BIG when `v` is full. */
static int val_add(struct lsm_rule_val *v, const struct lsm_rule_ent *e)
{
	int s;

	for (s = 0; s < LSM_RULE_SLOTS && v->ent[s].action; s++)
		if (v->ent[s].action == e->action && v->ent[s].flags == e->flags) {
			if (e->rule < v->ent[s].rule)
				v->ent[s].rule = e->rule;
			return 0;
		}
	if (s == LSM_RULE_SLOTS)
		return -E2BIG;
	v->ent[s] = *e;
	return 0;
}

/* Merges pending (key, rule) pairs into one value per key (val_add()). */
static int merge(Builder *b)
{
	LsmPlan *p = b->plan;

	if (b->n_pend == 0)
		return 0;
	qsort(b->pend, b->n_pend, sizeof(Pending), cmp_pending);
	p->rules = calloc(b->n_pend, sizeof(LsmRuleEntry));
	if (!p->rules)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_pend; i++) {
		const Pending *e = &b->pend[i];
		int r;

		if (p->n_rules == 0 ||
		    memcmp(&p->rules[p->n_rules - 1].key, &e->key, sizeof(e->key))) {
			p->rules[p->n_rules].key = e->key;
			p->n_rules++;
		}
		r = val_add(&p->rules[p->n_rules - 1].val, &e->ent);
		if (r < 0)
			return r;
	}
	return 0;
}

static int cmp_name_entry(const void *a, const void *b)
{
	return memcmp(&((const LsmNameEntry *)a)->key, &((const LsmNameEntry *)b)->key,
		      sizeof(struct lsm_rule_key));
}

static bool is_name_kind(__u8 kind)
{
	return kind == LSM_K_NAME || kind == LSM_K_EXECNAME;
}

static int cmp_rule_entry(const void *a, const void *b)
{
	return memcmp(&((const LsmRuleEntry *)a)->key, &((const LsmRuleEntry *)b)->key,
		      sizeof(struct lsm_rule_key));
}

/* Merges the rules of INODE value `from` into NAME value `into`, flagged LSM_RF_VIA_INODE
 * (val_add()). -E2BIG when they do not fit (into is then unchanged). */
static int merge_via_inode(struct lsm_rule_val *into, const struct lsm_rule_val *from)
{
	struct lsm_rule_val v = *into;

	for (int i = 0; i < LSM_RULE_SLOTS && from->ent[i].action; i++) {
		struct lsm_rule_ent e = from->ent[i];
		int r;

		e.flags |= LSM_RF_VIA_INODE;
		r = val_add(&v, &e);
		if (r < 0)
			return r;
	}
	*into = v;
	return 0;
}

/* Whether the plan has an INODE key of k's inode, workload and class with any source. p->rules is
 * sorted by memcmp() of the key, whose first fields are id, aux, wl, dev: the keys of one inode
 * and workload are adjacent, from the first one not below that prefix. */
static bool inode_has_source_keys(const LsmPlan *p, const struct lsm_rule_key *k)
{
	const size_t prefix = offsetof(struct lsm_rule_key, src);
	size_t lo = 0, hi = p->n_rules;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(&p->rules[mid].key, k, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < p->n_rules && memcmp(&p->rules[lo].key, k, prefix) == 0; lo++) {
		const struct lsm_rule_key *o = &p->rules[lo].key;

		if (o->kind == LSM_K_INODE && o->src && o->class == k->class)
			return true;
	}
	return false;
}

/*
 * Each NAME key takes in the INODE key (same workload, class and source) of the inode at its name,
 * its entries flagged LSM_RF_VIA_INODE: a decision on that inode through that name then needs one
 * lookup, not two. Both keys rank alike (an exact path), so the merged value decides exactly as the
 * two would; on another inode (the name replaced since) the flagged entries do not count and its
 * INODE key is looked up. A NAME key whose merge does not fit keeps ino 0: both are looked up.
 * Needs p->rules sorted by key (merge()) and p->names sorted (lsm_plan_name()).
 */
static void cover_inodes(LsmPlan *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		LsmRuleEntry *e = &p->rules[i], needle = {};
		const LsmRuleEntry *ie;
		const LsmNameEntry *n;

		if (e->key.kind != LSM_K_NAME)
			continue;
		n = lsm_plan_name(p, &e->key);
		if (!n || !n->ino)
			continue;
		needle.key = (struct lsm_rule_key){
			.id = n->ino,
			.wl = e->key.wl,
			.dev = n->dev,
			.src = e->key.src,
			.class = e->key.class,
			.kind = LSM_K_INODE,
		};
		ie = bsearch(&needle, p->rules, p->n_rules, sizeof(LsmRuleEntry), cmp_rule_entry);
		if (ie && merge_via_inode(&e->val, &ie->val) < 0)
			continue;
		e->ino = n->ino;
		e->dev = n->dev;
		if (!inode_has_source_keys(p, &needle.key))
			e->nv_flags |= LSM_NV_INODE_NO_SRC;
	}
}

const LsmNameEntry *lsm_plan_name(const LsmPlan *p, const struct lsm_rule_key *k)
{
	LsmNameEntry needle = {.key = *k};

	if (!p || p->n_names == 0)
		return NULL;
	return bsearch(&needle, p->names, p->n_names, sizeof(LsmNameEntry), cmp_name_entry);
}

int lsm_plan_build(const RuleSet *rs, __u32 wl_id, __u32 gen, LsmPlan **ret)
{
	_cleanup_(lsm_plan_freep) LsmPlan *p = NULL;
	Builder b = {.next_src = 1};
	int r = 0;

	if (!rs || !ret)
		return -EINVAL;
	p = new0(LsmPlan, 1);
	if (!p)
		return -ENOMEM;
	p->wl = (wl_id << 1) | (gen & 1);
	p->cfg.flags = LSM_WF_ACTIVE;
	p->cfg.gen = (__u8)(gen & 1);
	for (int c = 0; c < _LSM_CLASS_MAX; c++) {
		const RuleClassSet *cs = &rs->classes[c];

		p->cfg.allow_list[c] = cs->allow_list;
		p->cfg.posture[c] =
			(__u8)(cs->posture == ACTION_BLOCK ? LSM_ACT_BLOCK : LSM_ACT_AUDIT);
		p->n_status[c] = cs->n_rules;
		p->status[c] = new0(LsmRuleStatus, MAX(cs->n_rules, (size_t)1));
		if (!p->status[c])
			return -ENOMEM;
	}
	b.plan = p;
	for (int c = 0; c < _LSM_CLASS_MAX && r >= 0; c++)
		for (size_t i = 0; i < rs->classes[c].n_rules && r >= 0; i++)
			r = add_rule(&b, &rs->classes[c].rules[i]);
	if (r >= 0)
		r = merge(&b);
	free(b.pend);
	if (r < 0)
		return r;
	/* sorted by key: write_plan() finds each NAME/EXECNAME key's component by bsearch() */
	if (p->n_names > 0)
		qsort(p->names, p->n_names, sizeof(LsmNameEntry), cmp_name_entry);
	cover_inodes(p);
	if (p->n_rules * 2 > LSM_RULES_MAX || p->n_names * 2 > LSM_NAMES_MAX ||
	    p->n_dirs * 2 > LSM_DIRS_MAX || p->n_srcs * 2 > LSM_SRCS_MAX)
		return -E2BIG;
	*ret = TAKE_PTR(p);
	return 0;
}

LsmPlan *lsm_plan_free(LsmPlan *p)
{
	if (!p)
		return NULL;
	free(p->rules);
	free(p->names);
	free(p->dirs);
	free(p->srcs);
	for (int c = 0; c < _LSM_CLASS_MAX; c++)
		free(p->status[c]);
	free(p);
	return NULL;
}

const LsmRuleStatus *lsm_plan_status(const LsmPlan *p, RuleClass c, unsigned index)
{
	if (!p || (unsigned)c >= _LSM_CLASS_MAX || index >= p->n_status[c])
		return NULL;
	return &p->status[c][index];
}

/* ---- writing -----------------------------------------------------------------------------------
 */

int lsm_maps_active_gen(const LsmMapFds *m, __u32 wl_id, __u32 *ret_gen, bool *ret_active)
{
	struct lsm_wl_cfg cfg = {};
	int r;

	r = RET_NERRNO(bpf_map_lookup_elem(m->wl, &wl_id, &cfg));
	if (r < 0)
		return r;
	*ret_gen = cfg.gen & 1;
	*ret_active = cfg.flags & LSM_WF_ACTIVE;
	return 0;
}

/* Calls fn(key, ud) for every key of map `fd` (keys of `key_size` <= 64 bytes); stops at the first
 * negative return. */
static int for_each_key(int fd, size_t key_size, int (*fn)(const void *key, void *ud), void *ud)
{
	unsigned char cur[64], next[64];
	void *prev = NULL;
	int r;

	if (key_size > sizeof(cur))
		return -EINVAL;
	for (;;) {
		if (bpf_map_get_next_key(fd, prev, next) < 0)
			return errno == ENOENT ? 0 : -errno;
		memcpy(cur, next, key_size);
		prev = cur;
		r = fn(cur, ud);
		if (r < 0)
			return r;
	}
}

typedef struct KeyList {
	void *keys;
	size_t n, cap, key_size, wl_off;
	__u32 wl;
} KeyList;

static int collect_wl(const void *key, void *ud)
{
	KeyList *l = ud;
	int r;

	if (memcmp((const unsigned char *)key + l->wl_off, &l->wl, sizeof(l->wl)) != 0)
		return 0;
	r = grow(&l->keys, &l->cap, l->n + 1, l->key_size);
	if (r < 0)
		return r;
	memcpy((unsigned char *)l->keys + l->n * l->key_size, key, l->key_size);
	l->n++;
	return 0;
}

/* Deletes every key of `fd` whose wl field (at `wl_off` in a key of `key_size`) equals `wl`. */
static int delete_wl(int fd, size_t key_size, size_t wl_off, __u32 wl)
{
	KeyList l = {.key_size = key_size, .wl_off = wl_off, .wl = wl};
	int r = for_each_key(fd, key_size, collect_wl, &l);

	for (size_t i = 0; r >= 0 && i < l.n; i++)
		(void)bpf_map_delete_elem(fd, (unsigned char *)l.keys + i * key_size);
	free(l.keys);
	return r;
}

/* ---- the filter
 * ----------------------------------------------------------------------------------
 */

static void filter_or(struct lsm_filter *f, __u32 slot, __u8 flags)
{
	f->slots[slot & (LSM_FILTER_SLOTS - 1)] |= flags;
}

__u8 lsm_filter_get(const struct lsm_filter *f, __u32 slot)
{
	return f->slots[slot & (LSM_FILTER_SLOTS - 1)];
}

bool lsm_filter_dir_get(const struct lsm_filter *f, __u64 ino, __u32 dev)
{
	__u32 bit = lsm_filter_dir_bit(ino, dev) & (LSM_FILTER_DIR_BITS - 1);

	return f->dirs[bit / 8] & (1U << (bit % 8));
}

/* The filter flags of a key of `lsm_rules` or `lsm_name_rules`. */
static void filter_add_rule_key(struct lsm_filter *f, const struct lsm_rule_key *k)
{
	__u8 src = k->src ? LSM_FF_SRC : 0;

	if (k->kind == LSM_K_INODE)
		filter_or(f, lsm_filter_slot(k->id, k->dev), LSM_FF_IDENT | src);
	else if (k->kind == LSM_K_NAME)
		filter_or(f, lsm_filter_name_slot(k->aux, k->id, k->dev), LSM_FF_NAME | src);
	else if (k->kind == LSM_K_DIR && src)
		filter_or(f, lsm_filter_slot(k->id, k->dev), src);
}

/* The filter flags of directory (ino, dev) with `lsm_dirs` flags `df`. */
static void filter_add_dir(struct lsm_filter *f, __u64 ino, __u32 dev, __u32 df)
{
	__u8 ff = 0;

	for (int c = LSM_CLASS_PROCESS; c <= LSM_CLASS_FILE; c++) {
		if (df & LSM_DF_DIR(c))
			ff |= LSM_FF_DIR(c);
		if (df & LSM_DF_NAMES(c))
			ff |= LSM_FF_NAMES(c);
	}
	if (ff) {
		__u32 bit = lsm_filter_dir_bit(ino, dev) & (LSM_FILTER_DIR_BITS - 1);

		f->dirs[bit / 8] |= (__u8)(1U << (bit % 8));
	}
	filter_or(f, lsm_filter_slot(ino, dev), ff);
}

static int filter_write(const LsmMapFds *m, const struct lsm_filter *f)
{
	__u32 zero = 0;

	return RET_NERRNO(bpf_map_update_elem(m->filter, &zero, f, BPF_ANY));
}

static void filter_add_plan_to(struct lsm_filter *f, const LsmPlan *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		filter_add_rule_key(f, &p->rules[i].key);
	for (size_t i = 0; i < p->n_dirs; i++)
		filter_add_dir(f, p->dirs[i].key.ino, p->dirs[i].key.dev, p->dirs[i].value);
	for (size_t i = 0; i < p->n_srcs; i++)
		filter_or(f, lsm_filter_slot(p->srcs[i].key.ino, p->srcs[i].key.dev), LSM_FF_IDENT);
}

int lsm_filter_of_plan(const LsmPlan *p, struct lsm_filter **ret)
{
	struct lsm_filter *f = new0(struct lsm_filter, 1);

	if (!f)
		return -ENOMEM;
	filter_add_plan_to(f, p);
	*ret = f;
	return 0;
}

/* Adds the identities of plan `p` to the filter in the kernel, before its keys are written. */
static int filter_add_plan(const LsmMapFds *m, const LsmPlan *p)
{
	_cleanup_free_ struct lsm_filter *f = new0(struct lsm_filter, 1);
	__u32 zero = 0;

	if (!f)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->filter, &zero, f) < 0)
		return -errno;
	filter_add_plan_to(f, p);
	return filter_write(m, f);
}

typedef struct FilterScan {
	struct lsm_filter *f;
	int fd; /* lsm_dirs, whose values the scan reads */
} FilterScan;

static int scan_rule_key(const void *key, void *ud)
{
	filter_add_rule_key(((FilterScan *)ud)->f, key);
	return 0;
}

static int scan_src_key(const void *key, void *ud)
{
	const struct lsm_inode_key *k = key;

	filter_or(((FilterScan *)ud)->f, lsm_filter_slot(k->ino, k->dev), LSM_FF_IDENT);
	return 0;
}

static int scan_dir_key(const void *key, void *ud)
{
	FilterScan *sc = ud;
	const struct lsm_inode_key *k = key;
	__u32 df = 0;

	if (bpf_map_lookup_elem(sc->fd, k, &df) < 0)
		return errno == ENOENT ? 0 : -errno; /* deleted meanwhile */
	filter_add_dir(sc->f, k->ino, k->dev, df);
	return 0;
}

int lsm_filter_rebuild(const LsmMapFds *m)
{
	_cleanup_free_ struct lsm_filter *f = new0(struct lsm_filter, 1);
	FilterScan sc = {.f = f, .fd = m->dirs};
	int r;

	if (!f)
		return -ENOMEM;
	r = for_each_key(m->rules, sizeof(struct lsm_rule_key), scan_rule_key, &sc);
	if (r >= 0)
		r = for_each_key(m->name_rules, sizeof(struct lsm_rule_key), scan_rule_key, &sc);
	if (r >= 0)
		r = for_each_key(m->dirs, sizeof(struct lsm_inode_key), scan_dir_key, &sc);
	if (r >= 0)
		r = for_each_key(m->srcs, sizeof(struct lsm_inode_key), scan_src_key, &sc);
	if (r < 0)
		return r;
	return filter_write(m, f);
}

static int delete_generation(const LsmMapFds *m, __u32 wl)
{
	int r = 0, k;

	k = delete_wl(m->rules, sizeof(struct lsm_rule_key), offsetof(struct lsm_rule_key, wl), wl);
	r = r ?: k;
	k = delete_wl(m->name_rules, sizeof(struct lsm_rule_key), offsetof(struct lsm_rule_key, wl),
		      wl);
	r = r ?: k;
	k = delete_wl(m->dirs, sizeof(struct lsm_inode_key), offsetof(struct lsm_inode_key, wl),
		      wl);
	r = r ?: k;
	k = delete_wl(m->srcs, sizeof(struct lsm_inode_key), offsetof(struct lsm_inode_key, wl),
		      wl);
	return r ?: k;
}

static int write_plan(const LsmMapFds *m, const LsmPlan *p)
{
	for (size_t i = 0; i < p->n_srcs; i++)
		if (bpf_map_update_elem(m->srcs, &p->srcs[i].key, &p->srcs[i].value, BPF_ANY) < 0)
			return -errno;
	for (size_t i = 0; i < p->n_dirs; i++)
		if (bpf_map_update_elem(m->dirs, &p->dirs[i].key, &p->dirs[i].value, BPF_ANY) < 0)
			return -errno;
	for (size_t i = 0; i < p->n_rules; i++) {
		const LsmRuleEntry *e = &p->rules[i];

		if (is_name_kind(e->key.kind)) {
			const LsmNameEntry *n = lsm_plan_name(p, &e->key);
			struct lsm_name_rule_val v = {.rules = e->val};

			if (!n)
				return -EINVAL; /* every NAME/EXECNAME key has its component */
			v.name = n->val;
			v.ino = e->ino;
			v.dev = e->dev;
			v.flags = e->nv_flags;
			if (bpf_map_update_elem(m->name_rules, &e->key, &v, BPF_ANY) < 0)
				return -errno;
		} else if (bpf_map_update_elem(m->rules, &e->key, &e->val, BPF_ANY) < 0) {
			return -errno;
		}
	}
	return 0;
}

int lsm_maps_apply(const LsmMapFds *m, __u32 wl_id, const RuleSet *rs, LsmPlan **ret_plan)
{
	_cleanup_(lsm_plan_freep) LsmPlan *p = NULL;
	__u32 gen = 0, ngen;
	bool active = false;
	int r;

	if (wl_id >= LSM_WL_MAX)
		return -EINVAL;
	r = lsm_maps_active_gen(m, wl_id, &gen, &active);
	if (r < 0)
		return r;
	ngen = active ? !gen : 0;
	r = lsm_plan_build(rs, wl_id, ngen, &p);
	if (r < 0)
		return r;
	/* leftovers of an interrupted apply */
	r = delete_generation(m, (wl_id << 1) | ngen);
	if (r < 0)
		return r;
	/* The filter first: it must hold every identity before any key naming it exists. */
	r = filter_add_plan(m, p);
	if (r < 0)
		return r;
	r = write_plan(m, p);
	if (r < 0) {
		(void)delete_generation(m, (wl_id << 1) | ngen);
		return r;
	}
	/* The switch: one array element update. */
	r = RET_NERRNO(bpf_map_update_elem(m->wl, &wl_id, &p->cfg, BPF_ANY));
	if (r < 0) {
		(void)delete_generation(m, (wl_id << 1) | ngen);
		return r;
	}
	(void)delete_generation(m, (wl_id << 1) | (!ngen));
	/* Only what the maps still hold; failing here leaves extra bits, which cost lookups only.
	 */
	(void)lsm_filter_rebuild(m);
	if (ret_plan)
		*ret_plan = TAKE_PTR(p);
	return 0;
}

int lsm_maps_clear(const LsmMapFds *m, __u32 wl_id)
{
	struct lsm_wl_cfg cfg = {};
	int r;

	if (wl_id >= LSM_WL_MAX)
		return -EINVAL;
	r = RET_NERRNO(bpf_map_update_elem(m->wl, &wl_id, &cfg, BPF_ANY));
	if (r < 0)
		return r;
	r = delete_generation(m, wl_id << 1);
	r = r ?: delete_generation(m, (wl_id << 1) | 1);
	return r ?: lsm_filter_rebuild(m);
}
