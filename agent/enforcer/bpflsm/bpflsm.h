/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpflsm.h: the BPF-LSM enforcer's internals, for its own files and its tests. The daemon sees only
 * enforcer_bpflsm_ops (enforcer/enforcer.h).
 *
 * - bpflsm-maps.c turns a sealed RuleSet into a plan: the exact map contents (agent-abi.h) for one
 *   workload generation, with every rule's status. Files are resolved to inodes here (stat,
 * realpath): an exact path gives an INODE key (the file it resolves to) and NAME keys (the resolved
 * parent directory + last component, and the literal parent + component when the path's last
 * component is a symlink); a directory gives a DIR key; a fromSource executable gives a source id.
 * Building a plan touches the file system but not the kernel. NAME and EXECNAME keys are written
 * to `lsm_name_rules` with their component, every other key to `lsm_rules`.
 * - lsm_maps_apply() writes a plan into the maps as a new generation, flips it in, and removes the
 * old one: the kernel decides by the old or the new rules, never a mix. It keeps `lsm_filter` a
 * superset of the identities in the maps throughout: the plan's bits are added before its keys,
 * and the filter is recomputed from the maps after the old generation is gone.
 * - bpflsm.c owns the skeleton, the pins under <bpffs>/kubearmor/bpflsm and the event ring.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "agent-abi.h"
#include "enforcer/enforcer.h"

typedef struct LsmRuleEntry {
	struct lsm_rule_key key;
	struct lsm_rule_val val;
	/* LSM_K_NAME: the inode at the name whose INODE key (same source) is merged into val
	 * (lsm_name_rule_val.ino); ino 0: none */
	__u64 ino;
	__u32 dev;
	__u32 nv_flags; /* LSM_K_NAME: lsm_name_rule_val.flags */
} LsmRuleEntry;

typedef struct LsmNameEntry {
	struct lsm_rule_key key;
	struct lsm_name_val val;
	__u64 ino; /* LSM_K_NAME: lstat() of the name when the plan was built; 0: nothing there */
	__u32 dev;
} LsmNameEntry;

typedef struct LsmInodeEntry {
	struct lsm_inode_key key;
	__u32 value; /* lsm_dirs: LSM_DF_* flags; lsm_srcs: source id */
} LsmInodeEntry;

typedef struct LsmRuleStatus {
	RuleEnforcement status;
	const char *reason; /* static; NULL when enforced */
} LsmRuleStatus;

typedef struct LsmPlan {
	__u32 wl; /* lsm_rule_key.wl the keys carry */
	LsmRuleEntry *rules;
	size_t n_rules;
	LsmNameEntry *names;
	size_t n_names;
	LsmInodeEntry *dirs;
	size_t n_dirs;
	LsmInodeEntry *srcs;
	size_t n_srcs;
	struct lsm_wl_cfg cfg;
	LsmRuleStatus *status[_LSM_CLASS_MAX]; /* per class, indexed by Rule.index */
	size_t n_status[_LSM_CLASS_MAX];
} LsmPlan;

/* Kernel dev_t (MAJOR << 20 | MINOR) of a stat(2) st_dev: what sb->s_dev holds. */
__u32 lsm_kdev(unsigned long long st_dev);
/* Fills self->root_ino and root_dev with this process's root directory, against which rules are
 * resolved: the ancestor walk ends there (0 when it cannot be read: the walk goes to the top). */
void lsm_self_root(struct lsm_self *self);
/* FNV-1a 64 of a path component (agent-abi.h: lsm_name_hash). */
__u64 lsm_name_hash(const char *name);

/* Builds the plan of `rs` for workload `wl_id`, generation `gen`. Returns 0, -ENOMEM, or -E2BIG
 * when the maps could not hold it. */
int lsm_plan_build(const RuleSet *rs, __u32 wl_id, __u32 gen, LsmPlan **ret);
LsmPlan *lsm_plan_free(LsmPlan *p);
static inline void lsm_plan_freep(LsmPlan **p)
{
	lsm_plan_free(*p);
}
/* Status of rule `index` of class `c`. */
const LsmRuleStatus *lsm_plan_status(const LsmPlan *p, RuleClass c, unsigned index);

/* File descriptors of the maps a plan is written into. */
typedef struct LsmMapFds {
	int rules, name_rules, dirs, srcs, wl, filter;
} LsmMapFds;

/* The generation in force for workload `wl_id` (0 when the workload is not active). */
int lsm_maps_active_gen(const LsmMapFds *m, __u32 wl_id, __u32 *ret_gen, bool *ret_active);
/* Writes `rs` as the next generation of workload `wl_id` and switches to it. On failure the
 * previous generation stays in force and the partial new one is removed. On success *ret_plan (if
 * given) gets the plan (statuses) that is now in force. */
int lsm_maps_apply(const LsmMapFds *m, __u32 wl_id, const RuleSet *rs, LsmPlan **ret_plan);
/* Deactivates workload `wl_id` and removes all its keys. */
int lsm_maps_clear(const LsmMapFds *m, __u32 wl_id);
/* Recomputes `lsm_filter` from what the maps hold (after adopting pinned maps, and after every
 * apply). */
int lsm_filter_rebuild(const LsmMapFds *m);
/* The LSM_FF_* flags of slot `slot` of filter `f`. */
__u8 lsm_filter_get(const struct lsm_filter *f, __u32 slot);
/* Whether directory (ino, dev) has its bit in f->dirs. */
bool lsm_filter_dir_get(const struct lsm_filter *f, __u64 ino, __u32 dev);
/* The filter of plan `p` alone (for tests: what apply adds). */
int lsm_filter_of_plan(const LsmPlan *p, struct lsm_filter **ret);
/* The component of NAME/EXECNAME key `k` in plan `p` (NULL if none). */
const LsmNameEntry *lsm_plan_name(const LsmPlan *p, const struct lsm_rule_key *k);

/* "protocol=TCP type=SOCK_STREAM" or "type=SOCK_RAW": the Resource of a network event (reference
 * §7.2). Returns 0 or -ENOBUFS. */
int bpflsm_socket_resource(int domain, int type, int protocol, char *buf, size_t n);
/* Whether new() found pinned enforcement of an earlier run and took it over. */
bool bpflsm_adopted(const Enforcer *e);
