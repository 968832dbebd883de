/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules.h: which policies apply to a workload, their compilation into one RuleSet per workload, and
 * the reference decision function: the executable definition of what a policy means
 * (kubearmor-policy(5), DECISION SEMANTICS).
 *
 * Contract:
 * - A RuleSet borrows the Policies it was compiled from: every Rule points at its owning Policy,
 * its RuleMeta and its strings. The caller keeps the policies alive (and unchanged) until
 * rule_set_free().
 * - A sealed RuleSet is immutable; rule_set_decide() and friends only read it, so several threads
 * may decide on one RuleSet at once.
 * - Rules are grouped by class, each class in a stable order (policy order, then rule order within
 * the policy, then fromSource order). Enforcers iterate RuleSet.classes[c].rules directly.
 * - The decision never depends on the order of policies or rules, only on what they say. When equal
 *   rules tie, the first in order is reported.
 * - Nothing here logs or touches the kernel.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/model.h"

/* ---- Workloads
 * ------------------------------------------------------------------------------------ */

typedef enum WorkloadKind {
	WORKLOAD_HOST,
	WORKLOAD_CONTAINER,
	_WORKLOAD_KIND_MAX,
} WorkloadKind;

/* Identity label of the host's name; every host workload carries kubearmor.io/hostname=<name>. */
#define WORKLOAD_LABEL_HOSTNAME	      "kubearmor.io/hostname"
#define WORKLOAD_LABEL_K8S_HOSTNAME   "kubernetes.io/hostname"
#define WORKLOAD_LABEL_CONTAINER_NAME "kubearmor.io/container.name"
#define WORKLOAD_MAX_LABELS	      256

typedef struct Workload {
	WorkloadKind kind;
	char *name;	 /* host name, or container name */
	char *namespace; /* container namespace (NULL for the host) */
	char **labels;	 /* strv of "key=value"; for the host including kubearmor.io/hostname=<name>
			  */
} Workload;

/* Builds the host workload: labels = kubearmor.io/hostname=<hostname> plus `extra_labels` ("k=v"
 * each, e.g. from the config file). Returns 0, -EINVAL (empty hostname, label without '=' or with
 * an empty key, too many labels) or -ENOMEM. */
int workload_new_host(const char *hostname, char *const *extra_labels, Workload **ret);
/* A container: name, namespace (may be NULL) and its labels ("k=v" each). */
int workload_new_container(const char *name, const char *namespace, char *const *labels,
			   Workload **ret);
/* Parses "k=v,k2=v2" (the `explain --workload` syntax) into a container workload whose name is the
 * value of kubearmor.io/container.name when given, else "". */
int workload_parse_container(const char *spec, Workload **ret);
Workload *workload_free(Workload *w);
static inline void workload_freep(Workload **w)
{
	workload_free(*w);
}
/* The value of label `key` of the workload, or NULL. */
const char *workload_label(const Workload *w, const char *key);

/* Whether policy `p` applies to workload `w` (kubearmor-policy(5), SELECTION). When it does not and
 * `ret_reason` is given, *ret_reason is a static sentence saying why. */
bool workload_selects(const Workload *w, const Policy *p, const char **ret_reason);

/* ---- Rules
 * ----------------------------------------------------------------------------------------- */

typedef enum RuleClass {
	RULE_CLASS_PROCESS,
	RULE_CLASS_FILE,
	RULE_CLASS_NETWORK,
	RULE_CLASS_CAPABILITY,
	RULE_CLASS_DNS,
	RULE_CLASS_SYSCALL,
	_RULE_CLASS_MAX,
} RuleClass;

/* How a rule names its target. */
typedef enum RuleMatch {
	RULE_MATCH_PATH,     /* exact path */
	RULE_MATCH_EXECNAME, /* process: last path component of the executable */
	RULE_MATCH_DIR, /* the directory itself and entries directly inside; target ends in '/' */
	RULE_MATCH_DIR_RECURSIVE, /* the directory itself and anything below it */
	RULE_MATCH_PATTERN,	  /* glob, fnmatch(3) with FNM_PATHNAME */
	RULE_MATCH_PROTOCOL,	  /* network: NetProto */
	RULE_MATCH_CAPABILITY,	  /* capability number */
	RULE_MATCH_DOMAIN,	  /* DNS: the domain or any subdomain */
	RULE_MATCH_SYSCALL,	  /* syscall names, optionally with a path target */
	_RULE_MATCH_MAX,
} RuleMatch;

/* What a network rule's protocol name covers (reference §2.4). */
typedef enum NetProtoKind {
	NET_PROTO_ALL, /* "all": every socket */
	NET_PROTO_IP, /* tcp/udp/icmp/icmpv6/sctp: an AF_INET/AF_INET6 socket of that IP protocol */
	NET_PROTO_TYPE,	  /* raw/stream/dgram/rdm/seqpacket/dccp: a socket type, any family */
	NET_PROTO_PACKET, /* packet: AF_PACKET sockets, or the obsolete SOCK_PACKET type */
} NetProtoKind;

typedef struct NetProto {
	NetProtoKind kind;
	int value; /* IPPROTO_* for NET_PROTO_IP, SOCK_* for NET_PROTO_TYPE, 0 otherwise */
} NetProto;

/* "tcp", "UDP", ... (case-insensitive) → NetProto. -EINVAL for an unknown name. */
int net_proto_from_name(const char *name, NetProto *ret);
/* Whether a socket(domain, type, protocol) call is covered. SOCK_NONBLOCK/SOCK_CLOEXEC are ignored;
 * protocol 0 on AF_INET/AF_INET6 means the type's default (STREAM→TCP, DGRAM→UDP, SEQPACKET→SCTP).
 */
bool net_proto_matches(const NetProto *np, int domain, int type, int protocol);
/* The canonical name of a NetProto ("tcp"), or NULL. */
const char *net_proto_to_name(const NetProto *np);
/* The IP protocol of an AF_INET/AF_INET6 socket (protocol 0 resolved to the type's default), or -1
 * for other families. */
int net_effective_protocol(int domain, int type, int protocol);
/* A representative socket() triple for a protocol name ("tcp" → AF_INET, SOCK_STREAM, IPPROTO_TCP),
 * or "DOMAIN,TYPE,PROTOCOL" in decimal. -EINVAL if neither. */
int net_socket_from_name(const char *name, int *ret_domain, int *ret_type, int *ret_protocol);

/* Capability names (lowercase, without "cap_"; "CAP_NET_RAW" and "net_raw" both accepted) ↔
 * numbers. */
int rules_capability_from_name(const char *name); /* number, or -EINVAL */
const char *rules_capability_to_name(int number); /* "net_raw", or NULL */

typedef struct Rule {
	RuleClass class;
	RuleMatch match;
	RuleAction action;     /* ALLOW, AUDIT or BLOCK (syscall rules: AUDIT) */
	const char *target;    /* path, execname, directory (ends in '/'), pattern, protocol name,
				* capability        name, domain; syscall rules: the path or directory,
				* or NULL */
	bool target_recursive; /* syscall rules: a directory target matches everything below it */
	const char *source;    /* fromSource executable path, or NULL = any subject */
	const char
		*source_dir;   /* syscall rules only: fromSource directory (ends in '/'), or NULL */
	bool source_recursive; /* syscall rules only, with source_dir */
	bool read_only;	       /* file rules */
	bool owner_only;       /* process and file rules */
	PtsMode pts;	       /* PTS_FALSE: see kubearmor-policy(5) */
	char *const *allowed_args; /* process matchPaths: strv or NULL */
	char *const *syscalls;	   /* syscall rules: names */
	NetProto net;		   /* network rules */
	int capability;		   /* capability rules: CAP_* number */
	const RuleMeta *meta;	   /* severity, tags, message, effective action */
	const Policy *policy;	   /* owner: name, kind, file */
	SrcPos pos;		   /* where the rule starts in the policy file */
	unsigned index;		   /* position inside its class */
} Rule;

typedef struct RuleClassSet {
	Rule *rules; /* policy order; read-only once sealed */
	size_t n_rules;
	bool allow_list;    /* the class has at least one Allow rule (reference §2.10) */
	RuleAction posture; /* ACTION_AUDIT or ACTION_BLOCK: what unmatched operations get in
			     * allow-list mode (process uses the file posture, DNS the network
			     * posture) */
} RuleClassSet;

/* Default postures of one workload. ACTION_AUDIT or ACTION_BLOCK each. */
typedef struct RulePostures {
	RuleAction file;
	RuleAction network;
	RuleAction capabilities;
} RulePostures;

#define RULE_POSTURES_DEFAULT ((RulePostures){ACTION_AUDIT, ACTION_AUDIT, ACTION_AUDIT})

/* "audit" / "block", case-insensitive → ACTION_AUDIT / ACTION_BLOCK; -EINVAL otherwise. */
int rules_posture_from_string(const char *s);

typedef struct RuleIndex RuleIndex; /* lookup structures, private */

typedef struct RuleSet {
	RuleClassSet classes[_RULE_CLASS_MAX];
	const Policy **policies; /* the policies compiled in, in order (borrowed) */
	size_t n_policies;
	RulePostures postures;
	RuleIndex *index; /* NULL until sealed */
} RuleSet;

/* Compiles: every policy that workload_selects() accepts goes into a new sealed RuleSet. Policies
 * are borrowed (see Contract). Returns 0, -EINVAL (bad postures) or -ENOMEM. */
int rule_set_compile(const Policy *const *policies, size_t n_policies, const Workload *w,
		     const RulePostures *postures, RuleSet **ret);

/* The same in steps, without selection: new, add policies, seal. Adding after sealing is -EBUSY.
 * After a failed add or seal (-ENOMEM) the RuleSet must only be freed. */
int rule_set_new(const RulePostures *postures, RuleSet **ret);
int rule_set_add_policy(RuleSet *rs, const Policy *p);
int rule_set_seal(RuleSet *rs);

RuleSet *rule_set_free(RuleSet *rs);
static inline void rule_set_freep(RuleSet **rs)
{
	rule_set_free(*rs);
}

/* ---- Decisions
 * ------------------------------------------------------------------------------------- */

typedef enum RuleAccess {
	RULE_ACCESS_READ,  /* open for reading, stat-like access */
	RULE_ACCESS_WRITE, /* open for writing/appending, and every path operation that changes the
			    * file system: create, unlink, rename (both names), link (both names),
			    * symlink, mkdir, rmdir, mknod, chmod, chown, truncate, setxattr */
	RULE_ACCESS_EXEC,  /* execve: process rules */
} RuleAccess;

typedef struct RuleOp {
	RuleClass class;
	const char *subject; /* executable of the acting task (for exec: the program launching the
			      * new binary); NULL = unknown, source-qualified rules do not match */
	const char *path;    /* PROCESS: executable; FILE: target; SYSCALL: target path or NULL.
			      * Compared as given: callers pass the canonical absolute path (symlinks
			      * resolved, no "." or ".." components), as the kernel reports it. */
	RuleAccess access;   /* FILE: read or write; PROCESS: exec (implied) */
	bool owner;	     /* the subject's uid owns the target */
	bool tty;	     /* the subject has a controlling terminal */
	char *const *args;   /* PROCESS: arguments after argv[0] (strv), when known */
	bool args_known;
	int domain, type, protocol; /* NETWORK: the socket() triple */
	int capability;		    /* CAPABILITY: CAP_* number */
	const char *domain_name;    /* DNS: queried name */
	const char *syscall;	    /* SYSCALL: name ("unlink") */
} RuleOp;

typedef enum RuleDecider {
	RULE_DECIDER_NONE,    /* nothing matched and the class is not in allow-list mode */
	RULE_DECIDER_RULE,    /* `rule` decided */
	RULE_DECIDER_POSTURE, /* allow-list mode, no rule matched: the default posture decided */
} RuleDecider;

typedef struct RuleDecision {
	RuleAction verdict; /* ACTION_ALLOW, ACTION_AUDIT or ACTION_BLOCK */
	RuleDecider decider;
	const Rule *rule; /* RULE_DECIDER_RULE: the rule behind the verdict */
} RuleDecision;

/* The reference decision. Returns 0 and fills *ret, or -EINVAL for a malformed op (unknown class,
 * NULL path for PROCESS/FILE, NULL syscall for SYSCALL). Never allocates. */
int rule_set_decide(const RuleSet *rs, const RuleOp *op, RuleDecision *ret);

/* Syscall rules: the most specific matching rule (source-qualified before global, exact path before
 * deeper directory before shallower, then rule order), or NULL. Syscall rules only ever Audit. */
const Rule *rule_set_match_syscall(const RuleSet *rs, const char *syscall, const char *path,
				   const char *subject);

const char *rule_class_to_string(RuleClass c);	 /* "process", "file", ... */
const char *rule_match_to_string(RuleMatch m);	 /* "path", "dir", "dir-recursive", ... */
const char *rule_access_to_string(RuleAccess a); /* "read", "write", "exec" */
