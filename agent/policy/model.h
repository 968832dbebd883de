/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.h: the validated, in-memory form of one KubeArmor policy document.
 *
 * Contract:
 * - A Policy is produced only by the parser (policy.h) after every CRD check passed; consumers
 *   (rules/, enforcers, feeder) treat it as read-only and may rely on every invariant written here.
 * - Inheritance (reference §1.5) is already applied: every rule's `meta` holds its effective
 * severity, tags, message and action. The action of a process/file/network/capability/device rule
 * is never ACTION_UNSET. Syscall rules carry no action (always Audit).
 * - Comma expansion (reference §1.6) is already applied, to every element (not only when the first
 * has a comma): one NetRule per protocol, one CapRule per capability, one DnsRule per domain.
 * - Strings are NUL-terminated, owned by the Policy, and within the limits of policy.h.
 * - `pos` is where the item starts in its file (1-based line and column), for messages.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum PolicyKind {
	POLICY_KIND_KSP, /* KubeArmorPolicy: containers */
	POLICY_KIND_HSP, /* KubeArmorHostPolicy: the host */
	POLICY_KIND_CSP, /* KubeArmorClusterPolicy: containers, by namespace/labels */
	_POLICY_KIND_MAX,
} PolicyKind;

typedef enum RuleAction {
	ACTION_UNSET = 0,
	ACTION_ALLOW,
	ACTION_AUDIT,
	ACTION_BLOCK,
	_ACTION_MAX,
} RuleAction;

typedef struct SrcPos {
	unsigned line;	 /* 1-based; 0 = unknown */
	unsigned column; /* 1-based */
} SrcPos;

/* Alert metadata with the rule's effective action. severity 0 = none (no Severity field in alerts).
 */
typedef struct RuleMeta {
	int severity;  /* 0, or 1..10 */
	char **tags;   /* strv, may be NULL */
	char *message; /* may be NULL */
	RuleAction action;
} RuleMeta;

/* One fromSource entry. For process/file/network/capability rules only `path` is set. Syscall rules
 * may use `dir` (+ `recursive`) instead of, or in addition to, `path`. */
typedef struct FromSource {
	char *path; /* absolute executable path, or NULL */
	char *dir;  /* syscall rules only: directory (normalised to end in '/'), or NULL */
	bool recursive;
	SrcPos pos;
} FromSource;

typedef enum PathMatchKind {
	PATH_MATCH_PATH,     /* matchPaths[].path: exact path */
	PATH_MATCH_EXECNAME, /* process matchPaths[].execname: basename of the executable */
	PATH_MATCH_DIR,	     /* matchDirectories[].dir: ends in '/' (or is "/") */
	PATH_MATCH_PATTERN,  /* matchPatterns[].pattern: glob */
} PathMatchKind;

typedef enum PtsMode {
	PTS_UNSET = 0,
	PTS_FALSE,
	PTS_TRUE,
} PtsMode;

/* A process or file rule (same shape; `read_only` and `allowed_args` are class-specific). */
typedef struct PathRule {
	PathMatchKind kind;
	char *value;	/* the path, execname, dir or pattern */
	bool recursive; /* PATH_MATCH_DIR only */
	bool read_only; /* file rules only */
	bool owner_only;
	PtsMode pts;
	char **allowed_args; /* process matchPaths only; strv or NULL; at most 20 */
	FromSource *sources; /* fromSource, n_sources may be 0 */
	size_t n_sources;
	RuleMeta meta;
	SrcPos pos;
} PathRule;

/* network.matchProtocols[]: one protocol per rule, lowercased ("tcp", "raw", "all", ...). */
typedef struct NetRule {
	char *protocol;
	PtsMode pts;
	FromSource *sources;
	size_t n_sources;
	RuleMeta meta;
	SrcPos pos;
} NetRule;

/* network.matchDNSQueries[]: one domain per rule, leading/trailing dots stripped. */
typedef struct DnsRule {
	char *domain;
	FromSource *sources;
	size_t n_sources;
	RuleMeta meta;
	SrcPos pos;
} DnsRule;

/* capabilities.matchCapabilities[]: one capability per rule. */
typedef struct CapRule {
	char *capability; /* lowercase, without "cap_" ("net_raw") */
	int number;	  /* CAP_* number (reference Appendix B) */
	FromSource *sources;
	size_t n_sources;
	RuleMeta meta;
	SrcPos pos;
} CapRule;

typedef enum SyscallMatchKind {
	SYSCALL_MATCH_SYSCALLS, /* syscalls.matchSyscalls[] */
	SYSCALL_MATCH_PATHS,	/* syscalls.matchPaths[] */
} SyscallMatchKind;

typedef struct SyscallRule {
	SyscallMatchKind kind;
	char **syscalls; /* strv of enum names ("unlink"); non-empty */
	char *path;	 /* SYSCALL_MATCH_PATHS only: file path or directory ending in '/' */
	bool recursive;
	FromSource *sources;
	size_t n_sources;
	RuleMeta meta; /* action is ACTION_AUDIT */
	SrcPos pos;
} SyscallRule;

/* device.matchDevice[] (host policies). Integers are -1 when absent. */
typedef struct DeviceRule {
	char *class_name; /* "ALL", a class name, decimal or 0x hex */
	int64_t sub_class;
	int64_t protocol;
	int64_t level;
	RuleMeta meta;
	SrcPos pos;
} DeviceRule;

typedef struct LabelPair {
	char *key;
	char *value;
} LabelPair;

typedef enum SelectorOp {
	SELECTOR_OP_IN,
	SELECTOR_OP_NOT_IN,
} SelectorOp;

/* matchExpressions[]: key is "label" (KSP, CSP) or "namespace" (CSP). values are strings; for the
 * "label" key each value is "k=v". */
typedef struct SelectorExpr {
	char *key;
	SelectorOp op;
	char **values; /* strv, may be NULL */
	SrcPos pos;
} SelectorExpr;

typedef struct Selector {
	bool present; /* the selector/nodeSelector object was given */
	LabelPair *match_labels;
	size_t n_match_labels;
	SelectorExpr *match_expressions;
	size_t n_match_expressions;
} Selector;

typedef struct Preset {
	char *name;
	RuleAction action;
	SrcPos pos;
} Preset;

typedef struct Policy {
	PolicyKind kind;
	char *name;	    /* metadata.name: a Kubernetes object name */
	char *namespace;    /* metadata.namespace or NULL */
	char *file;	    /* the file it came from (may be NULL for policies built in memory) */
	unsigned doc_index; /* 0-based document index inside the file */
	SrcPos pos;	    /* where the document starts */

	RuleMeta spec_meta; /* spec-level severity/tags/message/action; action defaults to Block */
	Selector selector;  /* KSP/CSP `selector`, HSP `nodeSelector` */

	PathRule *process; /* process rules, in file order: matchPaths, matchDirectories,
			      matchPatterns */
	size_t n_process;
	PathRule *file_rules; /* file rules, same order */
	size_t n_file;
	NetRule *network;
	size_t n_network;
	DnsRule *dns;
	size_t n_dns;
	CapRule *capabilities;
	size_t n_capabilities;
	SyscallRule *syscalls;
	size_t n_syscalls;
	DeviceRule *devices;
	size_t n_devices;
	Preset *presets;
	size_t n_presets;
	char *apparmor; /* spec.apparmor: native AppArmor rules, or NULL */
} Policy;

const char *policy_kind_to_string(PolicyKind k);
const char *rule_action_to_string(RuleAction a); /* "Allow", "Audit", "Block"; NULL for UNSET */

Policy *policy_free(Policy *p);
static inline void policy_freep(Policy **p)
{
	policy_free(*p);
}
