/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa-profile.h: the AppArmor backend: a host RuleSet rendered into AppArmor profile text, the
 * quoting that keeps policy strings inside their rules, the loader (apparmor_parser, argv only) and
 * the decoding of the kernel's AppArmor audit records into EnforcerEvents.
 *
 * Host design (kubearmor(8), ENFORCERS):
 * - "kubearmor-host" is attached to every executable (the glob "/ **" without the space): each
 * process that executes a program after the profile was loaded, and that no more specific profile
 * claims, is confined by it. It holds the rules without fromSource.
 * - "kubearmor-host-<slug>-<hash>" is attached to one fromSource executable (exact path, plus its
 *   canonical path when a symlink such as merged /usr leads there). It holds the rules of that
 * source and the rules without fromSource that no rule of the source overrides.
 * - Every profile executes other programs with "pix": the child enters the profile attached to it
 *   (inheriting the current one if none matches, which the host profile, attached to every path,
 *   never lets happen).
 * - Not confined: processes already running when the profiles were loaded (until they execute a
 *   program), programs that have a more specific profile of their own (distribution profiles), the
 *   agent and the helpers it starts.
 *
 * Contract:
 * - Every path and name that reaches profile text is checked against AppArmor's grammar and quoted
 *   (aa_quote_literal, aa_quote_glob); what cannot be expressed is not rendered and the rule
 * reports RULE_MONITOR_ONLY with the reason. Comments carry only sanitised text.
 * - Rendering is pure: no I/O, no logging; the same RuleSet renders the same text.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "enforcer/enforcer.h"
#include "rules/rules.h"

#define AA_PROFILE_PREFIX "kubearmor-host"
#define AA_PATH_MAX	  4096 /* bytes of a path, pattern or name that may reach a profile */
#define AA_ERROR_MAX	  256
/* PolicyName of denials by our profiles' own protection (changing AppArmor policy while confined).
 */
#define AA_SELF_PROTECTION "KubeArmorSelfProtection"

/* ---- Quoting -----------------------------------------------------------------------------------
 */

/* A literal absolute path → a quoted AppArmor path in which every character stands for itself
 * ("/a b*" → "\"/a b\\*\""). -EINVAL with a reason in `err` (size AA_ERROR_MAX) for an empty or
 * relative path, a control character, or more than AA_PATH_MAX bytes. `suffix`, if not NULL, is
 * appended unescaped inside the quotes (a glob we generate, e.g. "{,**}"). */
int aa_quote_literal(const char *path, const char *suffix, char **ret, char *err);

/* An fnmatch(3) pattern (FNM_PATHNAME, as the reference decision uses) → the equivalent quoted
 * AppArmor glob ("*" and "?" do not cross '/', "[!a]" → "[^a]", a run of '*' is one '*', escapes
 * and characters special to AppArmor are literals). -EINVAL with a reason for what AppArmor cannot
 * express (character classes, unsafe characters inside brackets, control characters). */
int aa_quote_glob(const char *pattern, char **ret, char *err);

/* The profile name for a fromSource executable: AA_PROFILE_PREFIX "-" slug "-" 8 hex digits. */
int aa_profile_name_for_source(const char *source, char **ret);

/* ---- Rendering ----------------------------------------------------------------------------------
 */

typedef struct AaRenderOptions {
	/* The canonical path of an existing path when it differs from `path` (symlinked
	 * directories, merged /usr), allocated, or NULL. NULL callback: paths are rendered as
	 * written. */
	char *(*canonicalize)(const char *path, void *userdata);
	void *userdata;
} AaRenderOptions;

typedef struct AaProfileInfo {
	char *name;
	char *source; /* the fromSource executable, NULL for the host profile */
} AaProfileInfo;

typedef struct AaRender {
	char *text; /* the profile file: every profile of the host */
	AaProfileInfo *profiles;
	size_t n_profiles;
	RuleEnforcement *status[_RULE_CLASS_MAX]; /* per rule, by class and Rule.index */
	char **reason[_RULE_CLASS_MAX];		  /* per rule: why not enforced, or NULL */
	size_t n_rules[_RULE_CLASS_MAX];
} AaRender;

/* Renders the host profiles of a sealed RuleSet. Returns 0, -EINVAL (not sealed) or -ENOMEM. */
int aa_render_host(const RuleSet *rs, const AaRenderOptions *o, AaRender **ret);
AaRender *aa_render_free(AaRender *r);
static inline void aa_render_freep(AaRender **r)
{
	aa_render_free(*r);
}
/* The status of `rule` (a rule of the rendered RuleSet); *reason explains RULE_MONITOR_ONLY. */
RuleEnforcement aa_render_rule_status(const AaRender *r, const Rule *rule, const char **reason);

/* Writes one comment line per rule of `rs` (the RuleSet `r` was rendered from): where it comes from
 * and its status under AppArmor, with the reason when it is not enforced. */
int aa_render_report(const AaRender *r, const RuleSet *rs, FILE *f);

/* ---- Loading ------------------------------------------------------------------------------------
 */

/* Runs apparmor_parser (from /sbin, /usr/sbin or /usr/local/sbin) with `args`, then `file`. stdin
 * is /dev/null; stderr is captured into *ret_stderr when given. The child asks AppArmor to run it
 * unconfined. Returns the exit status (0 = success), or -errno. */
int aa_run_parser(char *const *args, const char *file, char **ret_stderr);

/* Removes one loaded profile by name through the kernel interface. -ENOENT if not loaded. */
int aa_remove_profile(const char *securityfs, const char *name);

/* ---- Audit records
 * ------------------------------------------------------------------------------- */

/* One decoded AppArmor audit record (borrowed strings live in `buf`). */
typedef struct AaAuditRecord {
	char buf[8192];
	const char *apparmor; /* "DENIED", "AUDIT", "ALLOWED" */
	const char *operation, *profile, *name, *comm, *requested_mask, *denied_mask;
	const char *family, *sock_type, *capname;
	pid_t pid;
	long fsuid, ouid;
	int protocol, capability;
} AaAuditRecord;

/* Parses the text of one AUDIT_AVC record ("audit(…): apparmor=\"DENIED\" …"): quoted and
 * hex-encoded values are decoded. -EINVAL if it is not an AppArmor record. */
int aa_audit_parse(const char *text, size_t len, AaAuditRecord *ret);

/* Whether the record is about one of our profiles (the name, a child of it, or a stack holding it).
 */
bool aa_audit_is_ours(const AaAuditRecord *rec);

/* Fills an EnforcerEvent for a record; strings point into `rec` and `scratch`. -EINVAL for records
 * that map to no rule class (signal, ptrace, mount, ...). /proc is read for ppid, uid and
 * executables (best effort: `procfs` may be NULL to skip). */
int aa_audit_to_event(const AaAuditRecord *rec, const char *procfs, EnforcerEvent *ev,
		      char scratch[4][4096]);
