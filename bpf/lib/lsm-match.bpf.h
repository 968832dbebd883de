/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsm-match.bpf.h: the BPF-LSM enforcer's decision, the in-kernel twin of rule_set_decide()
 * (agent/rules/decide.c). Shared by the LSM programs (lsm.bpf.c) and their test host
 * (lsm-test.bpf.c), so the code tested and benchmarked on machines without BPF-LSM is the code that
 * enforces.
 *
 * Candidates are found by identity (agent-abi.h): the target's inode, its name in its parent
 * directory, its execname, each ancestor directory (d_parent chain, crossing mounts),
 * protocol/type, capability; each with the subject's source id and without. Every candidate rule
 * gets an outcome (allow, block or none) from its flags and a rank (source-qualified first, then
 * exact > execname > directory, then the closer ancestor), exactly as in the reference: the best
 * Allow/Block outcome decides, Block winning ties; Audit rules only turn a permitted operation into
 * an audited one; in allow-list mode an unmatched operation gets the class posture. BPF-only.
 *
 * Cost is counted in pages (bpf/README.md): the programs' own arguments and the current task are
 * BTF pointers, so fields are read with direct loads (the verifier makes them fault-tolerant)
 * rather than one probe-read helper call per field; every hash lookup of an identity is preceded
 * by a test of its flag byte in `lsm_filter`, so a miss costs a load, and what a directory holds is
 * read from the same byte, behind a one-page bitmap; the subject's source is resolved only when a
 * candidate may need it; a NAME key also holds its inode's INODE rules; a Block on the target's own
 * path ends the decision when nothing can outrank it.
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "agent-abi.h"
#include "lsm-maps.bpf.h"

#define LSM_OUT_NONE  0
#define LSM_OUT_ALLOW 1
#define LSM_OUT_BLOCK 2

#define LSM_ACCESS_READ	 0
#define LSM_ACCESS_WRITE 1
#define LSM_ACCESS_EXEC	 2

/* Rank, as in decide.c: source bit, kind, depth. */
#define LSM_RANK_SOURCE	   (1U << 24)
#define LSM_RANK_KIND(k)   ((__u32)(k) << 20)
#define LSM_RANK_DEPTH_MAX ((1U << 20) - 1)
#define LSM_KIND_DIR	   1
#define LSM_KIND_EXECNAME  3
#define LSM_KIND_PATH	   4
#define LSM_KIND_NET_ALL   1
#define LSM_KIND_NET_TYPE  2
#define LSM_KIND_NET_IP	   3

/* Who acts and on what. Filled by the hook, read by the matcher. */
struct lsm_op {
	__u32 wl;	/* lsm_rule_key.wl */
	__u32 wflags;	/* struct lsm_wl_cfg.flags */
	__u32 src;	/* subject's source id, 0 = none; valid once src_done (lsm_need_src) */
	__u32 uid;	/* subject's real uid */
	__u64 subj_ino; /* with subj_set: the subject's executable (test hosts), else the current */
	__u32 subj_dev; /* task's mm->exe_file is read when the source is first needed */
	__u8 class;
	__u8 access;
	__u8 tty;
	__u8 src_done; /* src is resolved; starts from lsm_opaque_zero (it changes inside a walk) */
	__u8 subj_set;
	__u8 pad[3];
	__u32 tgt_dev; /* the target's inode (0: none), to learn whether a NAME key found holds */
	__u64 tgt_ino; /* its INODE keys (lsm_name_rule_val.ino) */
};

struct lsm_best {
	__u32 rank;
	__u32 rule;
	__u8 out;
	__u8 set;
	__u8 pad[2];
};

struct lsm_dec {
	struct lsm_best enf; /* best Allow/Block outcome */
	struct lsm_best aud; /* best matching Audit rule */
	__u8 fail_closed;    /* the walk was cut: deny */
	__u8 verdict;	     /* LSM_ACT_* after lsm_finish() */
	__u8 decider;	     /* LSM_DECIDER_* */
	__u8 pad;
	__u32 rule; /* deciding rule */
};

static __always_inline __u8 lsm_outcome(const struct lsm_rule_ent *e, const struct lsm_op *op,
					__u8 owner)
{
	__u8 deny_rule = e->action != LSM_ACT_ALLOW;

	if (e->flags & LSM_RF_PTS_FALSE) {
		if (deny_rule && !op->tty)
			return LSM_OUT_NONE;
		if (!deny_rule && op->tty)
			return LSM_OUT_BLOCK;
	}
	if ((e->flags & LSM_RF_OWNER_ONLY) && !owner)
		return LSM_OUT_BLOCK;
	if (e->flags & LSM_RF_READ_ONLY) {
		if (op->access == LSM_ACCESS_WRITE)
			return LSM_OUT_BLOCK;
		if (deny_rule && !(e->flags & LSM_RF_OWNER_ONLY))
			return LSM_OUT_NONE;
	}
	if (e->flags & LSM_RF_OWNER_ONLY)
		return LSM_OUT_ALLOW;
	return deny_rule ? LSM_OUT_BLOCK : LSM_OUT_ALLOW;
}

static __always_inline void lsm_consider(struct lsm_dec *d, const struct lsm_rule_ent *e,
					 const struct lsm_op *op, __u8 owner, __u32 rank)
{
	__u8 o = lsm_outcome(e, op, owner);
	struct lsm_best *b;

	if (o == LSM_OUT_NONE)
		return;
	if (e->action == LSM_ACT_AUDIT) {
		if (o != LSM_OUT_BLOCK)
			return;
		b = &d->aud;
		if (b->set && (rank < b->rank || (rank == b->rank && e->rule > b->rule)))
			return;
	} else {
		b = &d->enf;
		if (b->set && (rank < b->rank || (rank == b->rank && o < b->out) ||
			       (rank == b->rank && o == b->out && e->rule > b->rule)))
			return;
	}
	b->rank = rank;
	b->rule = e->rule;
	b->out = o;
	b->set = 1;
}

/* One key: the rules stored under it with the subject's source (rank | SOURCE) and without. For
 * NAME and EXECNAME keys (in lsm_name_rules) `name` is the real component: a hit counts only if
 * the entry holds the same string, so a hash collision never matches. For DIR keys, entries without
 * LSM_RF_RECURSIVE only count (nonrec_ok) when the target is the directory itself or directly
 * inside it.
 *
 * A global function: the verifier checks it once, not at each of the many places that look keys up
 * (inlined, the program exceeds the verifier's budget). Pointer arguments may be NULL to its eyes.
 */
static __always_inline struct lsm_scratch *lsm_get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lsm_scratch, &zero);
}

/* A component of fewer than LSM_NAME_SHORT bytes, zero-padded: read onto the stack, no scratch. */
#define LSM_NAME_SHORT 32 /* a power of two: the read's size is masked with it */
struct lsm_name_short {
	__u64 w[LSM_NAME_SHORT / 8];
};

static __always_inline int lsm_has_zero_byte(__u64 x)
{
	return ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL) != 0;
}

struct lsm_query {
	struct lsm_rule_key k;
	__u32 rank;
	__u8 owner;
	__u8 nonrec_ok;
	__u8 with_src; /* the key may exist with a source (LSM_FF_SRC): look up op->src's too */
	__u8 skip;     /* passes not to look up (bit 0: with the source, bit 1: without) */
};

__noinline int lsm_try_key(struct lsm_dec *d, struct lsm_query *q, const struct lsm_op *op,
			   const struct lsm_name_short *name)
{
	struct lsm_rule_key kk, *k = &kk;
	struct lsm_rule_val *v;
	int covered = 0;

	if (!d || !q || !op)
		return 0;
	/* Helpers take keys from the stack only (6.1 rejects a global function's argument memory).
	 */
	__builtin_memcpy(&kk, &q->k, sizeof(kk));
	for (int pass = 0; pass < 2; pass++) {
		__u32 r = q->rank;
		__u8 via_inode_ok = 0; /* LSM_RF_VIA_INODE entries count */

		if (q->skip & (1 << pass))
			continue;
		if (pass == 0) {
			if (!op->src || !q->with_src)
				continue;
			k->src = op->src;
			r |= LSM_RANK_SOURCE;
		} else {
			k->src = 0;
		}
		if (name) {
			struct lsm_name_rule_val *nv = bpf_map_lookup_elem(&lsm_name_rules, k);
			const __u64 *a;
			int eq = 1, end = 0;

			if (!nv)
				continue;
			/* Both are zero after the NUL (lsm_read_name, user space): word by word up
			 * to the word with the NUL. A short name has it within `name`; a longer one
			 * goes on in the scratch buffer that `name` is the start of. */
			a = (const __u64 *)nv->name.name;
			for (int i = 0; i < LSM_NAME_SHORT / 8; i++) {
				__u64 x = a[i];

				if (x != name->w[i]) {
					eq = 0;
					break;
				}
				if (lsm_has_zero_byte(x)) {
					end = 1;
					break;
				}
			}
			if (eq && !end) {
				struct lsm_scratch *s = lsm_get_scratch();
				const __u64 *b = s ? (const __u64 *)s->name : NULL;

				eq = b != NULL;
				for (int i = LSM_NAME_SHORT / 8; b && i < LSM_NAME_MAX / 8; i++) {
					__u64 x = a[i];

					if (x != b[i]) {
						eq = 0;
						break;
					}
					if (lsm_has_zero_byte(x))
						break;
				}
			}
			if (!eq) {
				lsm_stat_inc(LSM_STAT_HASH_COLLISION);
				continue;
			}
			if (nv->ino && nv->ino == op->tgt_ino && nv->dev == op->tgt_dev) {
				covered |= 1 << pass;
				/* and no INODE key with a source to look up either */
				if (nv->flags & LSM_NV_INODE_NO_SRC)
					covered |= 1;
				via_inode_ok = 1;
			}
			v = &nv->rules;
		} else {
			v = bpf_map_lookup_elem(&lsm_rules, k);
			if (!v)
				continue;
		}
		for (int i = 0; i < LSM_RULE_SLOTS; i++) {
			const struct lsm_rule_ent *e = &v->ent[i];

			if (!e->action)
				break;
			if (!q->nonrec_ok && !(e->flags & LSM_RF_RECURSIVE))
				continue;
			/* a NAME key's merged INODE rules hold only for that inode */
			if ((e->flags & LSM_RF_VIA_INODE) && !via_inode_ok)
				continue;
			lsm_consider(d, e, op, q->owner, r);
		}
	}
	return covered;
}

/* ---- the subject ------------------------------------------------------------------------------
 */

/* The identity of `file` (a BTF pointer; NULL: ino 0). */
static __always_inline void lsm_file_ident(struct file *file, __u64 *ret_ino, __u32 *ret_dev)
{
	struct inode *inode = file ? file->f_inode : NULL;

	*ret_ino = 0;
	*ret_dev = 0;
	if (!inode)
		return;
	*ret_ino = inode->i_ino;
	*ret_dev = inode->i_sb->s_dev;
}

static __always_inline const struct lsm_filter *lsm_get_filter(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lsm_filter, &zero);
}

/* What the maps may hold on slot `slot` (LSM_FF_*; without a filter: anything). */
static __always_inline __u8 lsm_filter_flags(const struct lsm_filter *f, __u32 slot)
{
	if (!f)
		return 0xff;
	/* the mask must stay: 6.1 loses the bounds of an OR (lsm_filter_name_slot) */
	barrier_var(slot);
	return f->slots[slot & (LSM_FILTER_SLOTS - 1)];
}

/* What the maps may hold about directory (ino, dev): LSM_FF_* of its slot, read only when its bit
 * in the one-page f->dirs is set (else none); without a filter: anything. */
static __always_inline __u8 lsm_filter_dir_flags(const struct lsm_filter *f, __u64 ino, __u32 dev)
{
	__u32 bit;

	if (!f)
		return 0xff;
	bit = lsm_filter_dir_bit(ino, dev);
	barrier_var(bit);
	bit &= LSM_FILTER_DIR_BITS - 1;
	if (!(f->dirs[bit / 8] & (1U << (bit % 8))))
		return 0;
	return lsm_filter_flags(f, lsm_filter_slot(ino, dev));
}

/*
 * Resolves op->src, the subject's source id, the first time a candidate key may exist with a
 * source (its filter slot has LSM_FF_SRC): most operations never need it, and reading the
 * executable's identity (mm, file, inode, super block) is most of what a decision would cost
 * otherwise. The subject is op->subj_ino/dev when set (test hosts), else the current task's
 * executable. A global function, verified once (inlined at every candidate key, the walk's states
 * multiply past the verifier's budget).
 */
__noinline int lsm_resolve_src(struct lsm_op *op)
{
	struct lsm_inode_key ik = {};
	__u64 ino = 0;
	__u32 dev = 0;
	__u32 *src;

	if (!op)
		return 0;
	op->src_done = 1;
	op->src = 0;
	if (!(op->wflags & LSM_WF_SRC_RULES))
		return 0;
	/* barrier_var(): each branch loads its own (6.1 refuses one load instruction shared by
	 * a stack and a kernel pointer) */
	if (op->subj_set) {
		ino = op->subj_ino;
		dev = op->subj_dev;
		barrier_var(ino);
		barrier_var(dev);
	} else {
		struct mm_struct *mm = bpf_get_current_task_btf()->mm;

		lsm_file_ident(mm ? mm->exe_file : NULL, &ino, &dev);
		barrier_var(ino);
		barrier_var(dev);
	}
	if (!ino || !(lsm_filter_flags(lsm_get_filter(), lsm_filter_slot(ino, dev)) & LSM_FF_IDENT))
		return 0;
	ik.ino = ino;
	ik.dev = dev;
	ik.wl = op->wl;
	src = bpf_map_lookup_elem(&lsm_srcs, &ik);
	if (src)
		op->src = *src;
	return 0;
}

static __always_inline void lsm_need_src(struct lsm_op *op)
{
	if (!op->src_done)
		lsm_resolve_src(op);
}

/* Looks up q->k (filled by the caller, which keeps no other copy of the key on its stack, and sets
 * q->skip), also with the subject's source when the key's filter flags `ff` say it may exist with
 * one. */
static __always_inline void lsm_lookup_both(struct lsm_dec *d, struct lsm_query *q,
					    struct lsm_op *op, __u8 owner, __u32 rank,
					    __u8 nonrec_ok, __u8 ff)
{
	q->rank = rank;
	q->owner = owner;
	q->nonrec_ok = nonrec_ok;
	q->with_src = (ff & LSM_FF_SRC) != 0;
	if (q->with_src)
		lsm_need_src(op);
	lsm_try_key(d, q, op, NULL);
}

/* Returns the passes whose INODE key of op->tgt_ino is merged into the NAME key found. */
static __always_inline int lsm_lookup_name(struct lsm_dec *d, struct lsm_query *q,
					   struct lsm_op *op, __u8 owner, __u32 rank,
					   const char *name, __u8 ff)
{
	q->rank = rank;
	q->owner = owner;
	q->nonrec_ok = 1;
	q->with_src = (ff & LSM_FF_SRC) != 0;
	if (q->with_src)
		lsm_need_src(op);
	return lsm_try_key(d, q, op, (const struct lsm_name_short *)name);
}

/* A component length as the walk keeps it: 0 for one longer than any rule's (NAME_MAX is 255). */
static __always_inline __u8 lsm_name_len(__u32 len)
{
	return len < LSM_NAME_MAX ? (__u8)len : 0;
}

struct lsm_hash {
	const char *buf;
	__u32 len;
	__u64 h;
};

static long lsm_hash_step(__u64 i, void *ctx)
{
	struct lsm_hash *c = ctx;

	if (i >= c->len)
		return 1;
	c->h = lsm_fnv_step(c->h, (unsigned char)c->buf[i & (LSM_NAME_MAX - 1)]);
	return 0;
}

/* Hashes the component `name` (kernel address, `len` bytes) into buf (NUL-terminated) and
 * *ret_hash (lsm_name_hash). -1 when it cannot be read or is longer than any rule's component.
 * bpf_loop() rather than a bounded loop: the verifier checks the callback once, not 255 times. */
static __always_inline int lsm_read_name(__u64 name, __u32 len, char *buf, __u64 *ret_hash)
{
	struct lsm_hash c = {.buf = buf, .h = LSM_FNV_OFFSET};

	if (len == 0 || len >= LSM_NAME_MAX)
		return -1;
	if (bpf_probe_read_kernel(buf, len & (LSM_NAME_MAX - 1), (const void *)name) < 0)
		return -1;
	/* the NUL and zeros up to the next word (buf has room: scratch.path follows) */
	*(__u64 *)(buf + (len & (LSM_NAME_MAX - 1))) = 0;
	c.len = len + lsm_opaque_zero; /* see lsm_opaque_zero */
	bpf_loop(LSM_NAME_MAX - 1, lsm_hash_step, &c, 0);
	*ret_hash = c.h;
	return 0;
}

/* struct mount around a vfsmount (container_of with a CO-RE offset). */
static __always_inline struct mount *lsm_real_mount(struct vfsmount *mnt)
{
	return (struct mount *)((void *)mnt - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline __u32 lsm_dev(struct dentry *d)
{
	return BPF_CORE_READ(d, d_sb, s_dev);
}

/* ---- the ancestor walk ------------------------------------------------------------------------
 *
 * A bpf_loop() over the d_parent chain, one level per callback. Until the first
 * mount crossing the dentries are BTF pointers read with direct loads; from there on (the way from
 * a vfsmount to its struct mount is a container_of the verifier cannot type on 6.1) they are plain
 * addresses read with probe reads. Each directory's filter slot says whether it holds DIR keys of
 * the class (then they are looked up) or, for the parent, NAME keys (then the component is looked
 * up once, after the walk). The callback is verified once however deep the walk goes.
 */

struct lsm_walk {
	struct dentry *d; /* typed mode (raw == 0): the current dentry, a BTF pointer */
	__u64 rd;	  /* raw mode (raw == 1): the same as an address */
	__u64 mnt;	  /* the current mount (its address) */
	__u64 mnt_root;	  /* its root dentry (its address) */
	struct lsm_dec *dec;
	struct lsm_op *op;
	__u64 name;	/* address of the target's last path component */
	__u64 name_dir; /* inode of the parent directory when it may hold NAME keys of the class */
	__u32 name_dev;
	__u32 root_dev; /* the agent's root directory (lsm_self): the walk ends there */
	__u64 root_ino;
	__u32 dev;  /* the super block of the current mount */
	__u32 dist; /* d_parent steps from the target (mount crossings do not count) */
	__u8 raw;
	__u8 skip; /* the current dentry is a mount point: already checked as the mounted root */
	__u8 done; /* reached the root */
	__u8 owner;
	__u8 name_len;	 /* length of the component (longer ones match no rule) */
	__u8 names_done; /* the target's NAME keys were checked before the walk */
	__u8 pad[6];
};

/* Checks directory (ino, w->dev) at w->dist steps above the target, as its filter slot says: its
 * DIR rules, and whether it is the parent that may hold NAME keys. */
static __always_inline void lsm_dir_check(struct lsm_walk *w, __u64 ino)
{
	struct lsm_op *op = w->op;
	__u32 c = op->class & 1; /* dentry decisions: process or file */
	__u32 dist = w->dist;
	struct lsm_query q;
	__u8 ff;

	if (!ino)
		return;
	ff = lsm_filter_dir_flags(lsm_get_filter(), ino, w->dev);
	if (ff & LSM_FF_DIR(c)) {
		__u32 depth = dist > LSM_RANK_DEPTH_MAX ? 0 : LSM_RANK_DEPTH_MAX - dist;

		__builtin_memset(&q, 0, sizeof(q));
		q.k.id = ino;
		q.k.dev = w->dev;
		q.k.wl = op->wl;
		q.k.class = op->class;
		q.k.kind = LSM_K_DIR;
		lsm_lookup_both(w->dec, &q, op, w->owner, LSM_RANK_KIND(LSM_KIND_DIR) | depth,
				dist <= 1, ff);
	}
	if (dist == 1 && !w->names_done && (ff & LSM_FF_NAMES(c))) {
		w->name_dir = ino;
		w->name_dev = w->dev;
	}
}

/* At the root of mount `mnt` (typed or not: only its address is used): continue at its mount point
 * in the parent mount, in raw mode. Returns 1 at the root of everything. */
static __always_inline int lsm_walk_cross(struct lsm_walk *w, __u64 mnt)
{
	struct mount *m = lsm_real_mount((struct vfsmount *)mnt);
	struct mount *pm = BPF_CORE_READ(m, mnt_parent);
	struct vfsmount *pmnt;
	struct dentry *mp;

	if (!pm || pm == m) {
		w->done = 1;
		return 1;
	}
	mp = BPF_CORE_READ(m, mnt_mountpoint);
	pmnt = (struct vfsmount *)((void *)pm + bpf_core_field_offset(struct mount, mnt));
	w->rd = (__u64)mp;
	w->mnt = (__u64)pmnt;
	w->mnt_root = (__u64)BPF_CORE_READ(pmnt, mnt_root);
	w->dev = lsm_dev(mp);
	w->raw = 1;
	w->skip = 1;
	if (w->dist == 0) {
		/* the target is a mount root: its name is the mount point's */
		w->name = (__u64)BPF_CORE_READ(mp, d_name.name);
		w->name_len = lsm_name_len(BPF_CORE_READ(mp, d_name.len));
	}
	return 0;
}

/* After moving to the parent: whether the walk may stop (only the parent matters without
 * directory rules). */
static __always_inline int lsm_walk_enough(struct lsm_walk *w)
{
	if (w->dist > 1 && !(w->op->wflags & LSM_WF_DIRS(w->op->class))) {
		w->done = 1;
		return 1;
	}
	return 0;
}

/* At a mount root: the walk ends at the agent's root directory, else it crosses into the parent
 * mount. */
static __always_inline int lsm_walk_at_mount_root(struct lsm_walk *w, __u64 ino)
{
	if (w->root_ino && ino == w->root_ino && w->dev == w->root_dev) {
		w->done = 1;
		return 1;
	}
	return lsm_walk_cross(w, w->mnt);
}

/* One level in typed mode; 1 when the walk stops. */
static __always_inline int lsm_walk_typed(struct lsm_walk *w)
{
	struct dentry *d = w->d, *parent;
	struct inode *inode;
	__u64 ino;

	if (!d)
		return 1;
	inode = d->d_inode;
	ino = inode ? inode->i_ino : 0;
	if (!w->skip)
		lsm_dir_check(w, ino);
	w->skip = 0;
	if (w->mnt && (__u64)d == w->mnt_root)
		return lsm_walk_at_mount_root(w, ino);
	parent = d->d_parent;
	if (!parent || parent == d) {
		w->done = 1;
		return 1;
	}
	w->d = parent;
	w->dist++;
	return lsm_walk_enough(w);
}

/* One level in raw mode; 1 when the walk stops. */
static __always_inline int lsm_walk_raw(struct lsm_walk *w)
{
	struct dentry *d = (struct dentry *)w->rd, *parent;
	struct inode *inode;
	__u64 ino;

	if (!d)
		return 1;
	inode = BPF_CORE_READ(d, d_inode);
	ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	if (!w->skip)
		lsm_dir_check(w, ino);
	w->skip = 0;
	if (w->mnt && w->rd == w->mnt_root)
		return lsm_walk_at_mount_root(w, ino);
	parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d) {
		w->done = 1;
		return 1;
	}
	w->rd = (__u64)parent;
	w->dist++;
	return lsm_walk_enough(w);
}

static long lsm_walk_step(__u64 i, void *ctx)
{
	struct lsm_walk *w = ctx;

	return w->raw ? lsm_walk_raw(w) : lsm_walk_typed(w);
}

/* Clears q and sets its key to the NAME key of component hash h in directory (dir, dev). */
static __always_inline void lsm_name_key(struct lsm_query *q, const struct lsm_op *op, __u64 dir,
					 __u32 dev, __u64 h)
{
	__builtin_memset(q, 0, sizeof(*q));
	q->k.id = h;
	q->k.aux = dir;
	q->k.dev = dev;
	q->k.wl = op->wl;
	q->k.class = op->class;
	q->k.kind = LSM_K_NAME;
}

/* The NAME keys of the target's component in its parent directory. */
static __always_inline void lsm_name_check(struct lsm_walk *w, const struct lsm_filter *filter,
					   struct lsm_query *q)
{
	struct lsm_op *op = w->op;
	struct lsm_scratch *s;
	__u64 h;
	__u8 ff;

	if (!w->name_dir)
		return;
	s = lsm_get_scratch();
	if (!s || lsm_read_name(w->name, w->name_len, s->name, &h) < 0)
		return;
	ff = lsm_filter_flags(filter, lsm_filter_name_slot(w->name_dir, h, w->name_dev));
	if (!(ff & LSM_FF_NAME))
		return;
	lsm_name_key(q, op, w->name_dir, w->name_dev, h);
	lsm_lookup_name(w->dec, q, op, w->owner, LSM_RANK_KIND(LSM_KIND_PATH), s->name, ff);
}

/* The target's own identity, for lsm_decide_target(). */
struct lsm_target {
	__u64 name;	/* address of its last component */
	__u64 name_dir; /* inode of its parent directory when that may hold NAME keys, else 0 */
	__u64 ino;	/* its inode, 0 for a negative dentry */
	__u32 name_dev;
	__u32 dev;
	__u8 name_len; /* lsm_name_len() */
	__u8 owner;
	__u8 names_done; /* its NAME keys are decided here (else after the walk: a mount root) */
	__u8 pad[5];
};

/*
 * The target's own keys: its NAME key in the parent directory first, then its INODE key unless
 * the NAME key found holds it (lsm_name_rule_val.ino) for every pass that needs it: one lookup,
 * not two, for an operation through the rule's own path. A global function, verified once.
 */
__noinline int lsm_decide_target(struct lsm_dec *d, struct lsm_op *op, struct lsm_target *t,
				 struct lsm_query *q)
{
	const struct lsm_filter *filter = lsm_get_filter();
	int covered = 0;
	__u8 ff;

	if (!d || !op || !t || !q)
		return 0;
	op->tgt_ino = t->ino;
	op->tgt_dev = t->dev;
	if (t->name_dir) {
		struct lsm_name_short sn = {};
		struct lsm_scratch *s = NULL;
		__u32 len = t->name_len;
		__u64 h = LSM_FNV_OFFSET;
		int ok = 0;

		if (len && len < LSM_NAME_SHORT) {
			/* most names: read onto the stack and hashed in a bounded loop */
			if (bpf_probe_read_kernel(&sn, len & (LSM_NAME_SHORT - 1),
						  (const void *)t->name) == 0) {
				const unsigned char *b = (const unsigned char *)&sn;

				for (__u32 i = 0; i < LSM_NAME_SHORT - 1; i++) {
					if (i >= len)
						break;
					h = lsm_fnv_step(h, b[i]);
				}
				ok = 1;
			}
		} else {
			s = lsm_get_scratch();
			ok = s && lsm_read_name(t->name, len, s->name, &h) == 0;
		}
		ff = ok ? lsm_filter_flags(filter,
					   lsm_filter_name_slot(t->name_dir, h, t->name_dev))
			: 0;
		if (ff & LSM_FF_NAME) {
			lsm_name_key(q, op, t->name_dir, t->name_dev, h);
			covered = lsm_lookup_name(d, q, op, t->owner, LSM_RANK_KIND(LSM_KIND_PATH),
						  s ? s->name : (const char *)&sn, ff);
		}
	}
	if (!t->ino || covered == 3)
		return 0;
	ff = lsm_filter_flags(filter, lsm_filter_slot(t->ino, t->dev));
	/* the passes left: without a source unless covered, with one if it may exist */
	if (!(ff & LSM_FF_IDENT) || ((covered & 2) && (!(ff & LSM_FF_SRC) || (covered & 1))))
		return 0;
	__builtin_memset(q, 0, sizeof(*q));
	q->skip = (__u8)covered;
	q->k.id = t->ino;
	q->k.dev = t->dev;
	q->k.wl = op->wl;
	q->k.class = op->class;
	q->k.kind = LSM_K_INODE;
	lsm_lookup_both(d, q, op, t->owner, LSM_RANK_KIND(LSM_KIND_PATH), 1, ff);
	return 0;
}

/* File and process decisions on a dentry (maybe negative: a name about to be created). `dentry`
 * and `mnt` are BTF pointers (a program's arguments or fields read from them). */
static __always_inline void lsm_decide_dentry(struct lsm_dec *dec, struct lsm_op *op,
					      struct dentry *dentry, struct vfsmount *mnt)
{
	const struct lsm_filter *filter = lsm_get_filter();
	struct inode *inode = dentry->d_inode;
	__u32 dev = dentry->d_sb->s_dev;
	struct lsm_query q = {};
	__u8 owner = 1; /* a name being created will belong to its creator */
	struct lsm_scratch *s;
	__u8 names_done;
	__u64 h;

	if (inode)
		owner = inode->i_uid.val == op->uid;
	{
		struct lsm_target t = {};

		t.ino = inode ? inode->i_ino : 0;
		t.dev = dev;
		t.owner = owner;
		t.name = (__u64)dentry->d_name.name;
		t.name_len = lsm_name_len(dentry->d_name.len);
		/* The parent, unless the target is the root of its mount (then the walk finds it):
		 * its NAME keys are looked up with the target's INODE keys, before the walk. */
		if ((op->wflags & LSM_WF_NAMES(op->class)) && !(mnt && mnt->mnt_root == dentry)) {
			struct dentry *parent = dentry->d_parent;
			struct inode *pi = parent && parent != dentry ? parent->d_inode : NULL;

			if (pi) {
				__u64 pino = pi->i_ino;

				if (lsm_filter_dir_flags(filter, pino, dev) &
				    LSM_FF_NAMES(op->class & 1)) {
					t.name_dir = pino;
					t.name_dev = dev;
				}
				t.names_done = 1;
			}
		}
		lsm_decide_target(dec, op, &t, &q);
		/* read back after the global call: unknown to the verifier */
		names_done = t.names_done;
		/* A Block on the target's own path (all its keys looked up) is final: only a
		 * source-qualified rule of another kind (directory, execname) could outrank it, and
		 * Audit rules do not turn a Block. */
		if (dec->enf.set && dec->enf.out == LSM_OUT_BLOCK &&
		    dec->enf.rank >= LSM_RANK_KIND(LSM_KIND_PATH) &&
		    (names_done || !(op->wflags & LSM_WF_NAMES(op->class))) &&
		    ((dec->enf.rank & LSM_RANK_SOURCE) || !(op->wflags & LSM_WF_SRC_WIDE)))
			return;
	}

	if (op->class == LSM_CLASS_PROCESS && (op->wflags & LSM_WF_EXECNAME)) {
		s = lsm_get_scratch();
		if (s && lsm_read_name((__u64)dentry->d_name.name, dentry->d_name.len, s->name,
				       &h) == 0) {
			__builtin_memset(&q, 0, sizeof(q));
			q.k.id = h;
			q.k.wl = op->wl;
			q.k.class = op->class;
			q.k.kind = LSM_K_EXECNAME;
			lsm_lookup_name(dec, &q, op, owner, LSM_RANK_KIND(LSM_KIND_EXECNAME),
					s->name, LSM_FF_SRC);
		}
	}

	if (op->wflags & (LSM_WF_DIRS(op->class) | LSM_WF_NAMES(op->class))) {
		struct lsm_walk w = {
			.d = dentry,
			.mnt = (__u64)mnt,
			.dec = dec,
			.op = op,
			.name = (__u64)dentry->d_name.name,
			.name_len = lsm_name_len(dentry->d_name.len),
			.dev = dev,
			.owner = owner,
			.names_done = names_done,
		};

		__u32 zero = 0;
		struct lsm_self *self = bpf_map_lookup_elem(&lsm_self, &zero);

		if (mnt)
			w.mnt_root = (__u64)mnt->mnt_root;
		if (self) {
			w.root_ino = self->root_ino;
			w.root_dev = self->root_dev;
		}
		/* see lsm_opaque_zero: everything the callback changes for its next runs */
		w.rd = lsm_opaque_zero;
		w.name_dir = lsm_opaque_zero;
		w.name_dev = lsm_opaque_zero;
		w.dist = lsm_opaque_zero;
		w.raw = (__u8)lsm_opaque_zero;
		w.skip = (__u8)lsm_opaque_zero;
		w.done = (__u8)lsm_opaque_zero;
		op->src_done |= (__u8)lsm_opaque_zero;
		bpf_loop(LSM_MAX_DEPTH, lsm_walk_step, &w, 0);
		if (!w.done) {
			dec->fail_closed = 1;
			lsm_stat_inc(LSM_STAT_DEPTH);
		}
		if (!w.names_done)
			lsm_name_check(&w, filter, &q);
	}
}

/* Network: the reference's decide_network() on the socket() triple. */
static __always_inline void lsm_decide_socket(struct lsm_dec *dec, struct lsm_op *op, int family,
					      int type, int protocol)
{
	struct lsm_query q = {.k = {.wl = op->wl, .class = LSM_CLASS_NETWORK}};
	int t = type & 0xf, eff = -1;

	if (family == 2 /* AF_INET */ || family == 10 /* AF_INET6 */) {
		eff = protocol;
		if (protocol == 0)
			eff = t == 1 ? 6 : t == 2 ? 17 : t == 5 ? 132 : 0;
	}
	if (eff > 0) {
		q.k.kind = LSM_K_NET_IP;
		q.k.id = eff;
		lsm_lookup_both(dec, &q, op, 1, LSM_RANK_KIND(LSM_KIND_NET_IP), 1, LSM_FF_SRC);
	}
	q.k.kind = LSM_K_NET_TYPE;
	q.k.id = t;
	lsm_lookup_both(dec, &q, op, 1, LSM_RANK_KIND(LSM_KIND_NET_TYPE), 1, LSM_FF_SRC);
	if (family == 17 /* AF_PACKET */ || t == 10 /* SOCK_PACKET */) {
		q.k.kind = LSM_K_NET_PACKET;
		q.k.id = 0;
		lsm_lookup_both(dec, &q, op, 1, LSM_RANK_KIND(LSM_KIND_NET_TYPE), 1, LSM_FF_SRC);
	}
	q.k.kind = LSM_K_NET_ALL;
	q.k.id = 0;
	lsm_lookup_both(dec, &q, op, 1, LSM_RANK_KIND(LSM_KIND_NET_ALL), 1, LSM_FF_SRC);
}

static __always_inline void lsm_decide_cap(struct lsm_dec *dec, struct lsm_op *op, int cap)
{
	struct lsm_query q = {
		.k = {.wl = op->wl, .class = LSM_CLASS_CAPABILITY, .kind = LSM_K_CAP}};

	q.k.id = cap;
	lsm_lookup_both(dec, &q, op, 1, 0, 1, LSM_FF_SRC);
}

/* The reference's finish(): verdict and decider. */
static __always_inline void lsm_finish(struct lsm_dec *d, const struct lsm_wl_cfg *cfg, __u8 class)
{
	__u8 allow_list = 0, posture = LSM_ACT_AUDIT;
	__u32 c = class;

	if (c < _LSM_CLASS_MAX) {
		/* the verifier needs the index bounded on the register it uses */
		barrier_var(c);
		c &= _LSM_CLASS_MAX - 1;
		allow_list = cfg->allow_list[c];
		posture = cfg->posture[c];
	}
	d->decider = LSM_DECIDER_RULE;
	if (d->fail_closed) {
		d->verdict = LSM_ACT_BLOCK;
		d->decider = LSM_DECIDER_NONE;
	} else if (d->enf.set && d->enf.out == LSM_OUT_BLOCK) {
		d->verdict = LSM_ACT_BLOCK;
		d->rule = d->enf.rule;
	} else if (d->enf.set && d->aud.set) {
		d->verdict = LSM_ACT_AUDIT;
		d->rule = d->aud.rule;
	} else if (d->enf.set) {
		d->verdict = LSM_ACT_ALLOW;
		d->rule = d->enf.rule;
	} else if (allow_list && posture == LSM_ACT_BLOCK) {
		d->verdict = LSM_ACT_BLOCK;
		d->decider = LSM_DECIDER_POSTURE;
	} else if (d->aud.set) {
		d->verdict = LSM_ACT_AUDIT;
		d->rule = d->aud.rule;
	} else if (allow_list) {
		d->verdict = LSM_ACT_AUDIT;
		d->decider = LSM_DECIDER_POSTURE;
	} else {
		d->verdict = LSM_ACT_ALLOW;
		d->decider = LSM_DECIDER_NONE;
	}
}

/* ---- paths for events -------------------------------------------------------------------------
 */

struct lsm_render {
	struct dentry *d;
	struct vfsmount *mnt;
	char *buf; /* scratch path, LSM_SCRATCH_PATH bytes */
	__u32 pos; /* start of what is written; the path ends at LSM_EVT_PATH_MAX - 1 (its NUL) */
	__u8 trunc;
	__u8 done;
};

static long lsm_render_step(__u64 i, void *ctx)
{
	struct lsm_render *r = ctx;
	struct dentry *d = r->d, *parent;
	struct vfsmount *mnt = r->mnt;
	const unsigned char *name;
	__u32 len, pos;

	if (!d)
		return 1;
	parent = BPF_CORE_READ(d, d_parent);
	if ((mnt && d == BPF_CORE_READ(mnt, mnt_root)) || parent == d) {
		struct mount *m, *pm;

		if (!mnt || d != BPF_CORE_READ(mnt, mnt_root)) {
			r->done = 1;
			return 1;
		}
		m = lsm_real_mount(mnt);
		pm = BPF_CORE_READ(m, mnt_parent);
		if (!pm || pm == m) {
			r->done = 1;
			return 1;
		}
		r->d = BPF_CORE_READ(m, mnt_mountpoint);
		r->mnt = (struct vfsmount *)((void *)pm + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len);
	if (len > LSM_NAME_MAX - 1)
		len = LSM_NAME_MAX - 1;
	if (r->pos < len + 1) {
		r->trunc = 1;
		return 1;
	}
	pos = r->pos - len - 1;
	if (pos >= LSM_EVT_PATH_MAX)
		return 1;
	bpf_probe_read_kernel(r->buf + ((pos + 1) & (LSM_EVT_PATH_MAX - 1)),
			      len & (LSM_NAME_MAX - 1), name);
	r->buf[pos & (LSM_EVT_PATH_MAX - 1)] = '/';
	r->pos = pos;
	r->d = parent;
	return 0;
}

/* Renders the path of (dentry, mnt) into out[LSM_EVT_PATH_MAX]; returns its size incl. NUL. */
static __always_inline __u16 lsm_render_path(struct dentry *dentry, struct vfsmount *mnt, char *out,
					     __u32 *flags, __u32 trunc_flag)
{
	struct lsm_scratch *s = lsm_get_scratch();
	struct lsm_render r = {.d = dentry, .mnt = mnt};
	__u32 len;

	if (!s || !dentry)
		return 0;
	r.buf = s->path;
	r.pos = (LSM_EVT_PATH_MAX - 1) + lsm_opaque_zero; /* see lsm_opaque_zero */
	r.trunc = (__u8)lsm_opaque_zero;
	r.done = (__u8)lsm_opaque_zero;
	s->path[LSM_EVT_PATH_MAX - 1] = 0;
	bpf_loop(LSM_EVT_PATH_MAX / 2, lsm_render_step, &r, 0);
	if (r.trunc || !r.done)
		*flags |= trunc_flag;
	if (r.pos == LSM_EVT_PATH_MAX - 1) {
		r.pos--;
		s->path[LSM_EVT_PATH_MAX - 2] = '/';
	}
	if (r.pos >= LSM_EVT_PATH_MAX)
		return 0;
	len = LSM_EVT_PATH_MAX - r.pos;
	if (len > LSM_EVT_PATH_MAX || len == 0)
		return 0;
	bpf_probe_read_kernel(out, len, s->path + (r.pos & (LSM_EVT_PATH_MAX - 1)));
	return len;
}
