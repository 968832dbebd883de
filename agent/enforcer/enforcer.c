/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enforcer.c: picks the kernel enforcer by the configured lsm order. Each candidate is probed (can
 * this kernel run it?) and instantiated; the first that works is used. This is where the choice is
 * logged: the one in use, every skipped one with its reason, and loudly when none works.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/macro.h"
#include "enforcer/enforcer.h"

/* Backends are optional at link time: a build without one reports it as not built. */
extern const EnforcerOps enforcer_apparmor_ops __attribute__((weak));

static const char *const default_order[] = {"bpf", "apparmor", "selinux", NULL};

const char *rule_enforcement_to_string(RuleEnforcement s)
{
	static const char *const names[_RULE_ENFORCEMENT_MAX] = {
		[RULE_ENFORCED] = "enforced",
		[RULE_AUDIT_ONLY] = "audit-only",
		[RULE_MONITOR_ONLY] = "monitor-only",
	};

	return (unsigned)s < _RULE_ENFORCEMENT_MAX ? names[s] : NULL;
}

static const EnforcerOps *find_ops(const char *name)
{
	if (streq(name, "bpf") || streq(name, "bpflsm"))
		return &enforcer_bpflsm_ops;
	if (streq(name, "apparmor"))
		return &enforcer_apparmor_ops ? &enforcer_apparmor_ops : NULL;
	return NULL;
}

static int summary_add(char **summary, const char *fmt, ...) _printf_(2, 3);
static int summary_add(char **summary, const char *fmt, ...)
{
	_cleanup_free_ char *item = NULL;
	char *joined;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&item, fmt, ap);
	va_end(ap);
	if (r < 0) {
		item = NULL;
		return -ENOMEM;
	}
	if (*summary) {
		if (asprintf(&joined, "%s; %s", *summary, item) < 0)
			return -ENOMEM;
		free(*summary);
		*summary = joined;
	} else
		*summary = TAKE_PTR(item);
	return 0;
}

int enforcer_select(char *const *lsm_order, const EnforcerOptions *opts, EnforcerSelection *ret)
{
	const char *const *order =
		lsm_order && lsm_order[0] ? (const char *const *)lsm_order : default_order;
	EnforcerSelection sel = {};
	int r;

	for (size_t i = 0; order[i]; i++) {
		const char *name = order[i];
		const EnforcerOps *ops;
		_cleanup_free_ char *reason = NULL;
		Enforcer *e = NULL;

		if (streq(name, "none")) {
			log_notice("enforcer: lsm order says 'none': later entries are not tried");
			r = summary_add(&sel.summary, "none: stop (configured)");
			if (r < 0)
				goto oom;
			break;
		}
		if (sel.ops) {
			r = summary_add(&sel.summary, "%s: not tried (%s in use)", name,
					sel.ops->display);
			if (r < 0)
				goto oom;
			continue;
		}
		ops = find_ops(name);
		if (!ops) {
			log_warning("enforcer: skipping '%s': not available in this build", name);
			r = summary_add(&sel.summary, "%s: skipped: not available in this build",
					name);
			if (r < 0)
				goto oom;
			continue;
		}
		r = ops->probe(&reason);
		if (r < 0) {
			log_warning_errno(r, "enforcer: skipping %s: %s", ops->display,
					  reason ?: "probe failed");
			if (summary_add(&sel.summary, "%s: skipped: %s", name,
					reason ?: "probe failed") < 0)
				goto oom;
			continue;
		}
		r = ops->new (opts, &e);
		if (r < 0) {
			log_warning_errno(r, "enforcer: skipping %s: cannot start it: %m",
					  ops->display);
			if (summary_add(&sel.summary, "%s: skipped: cannot start: %s", name,
					strerror(-r)) < 0)
				goto oom;
			continue;
		}
		log_info("enforcer: using %s (lsm order entry '%s')", ops->display, name);
		sel.ops = ops;
		sel.enforcer = e;
		if (summary_add(&sel.summary, "%s: in use", name) < 0)
			goto oom;
	}
	if (!sel.ops) {
		log_error("enforcer: NO ENFORCER LOADED (%s)", sel.summary ?: "empty lsm order");
		log_error(
			"enforcer: Block rules are NOT enforced on this host; alerts continue from "
			"the monitor");
	}
	*ret = sel;
	return 0;
oom:
	enforcer_selection_done(&sel, false);
	return -ENOMEM;
}

void enforcer_selection_done(EnforcerSelection *s, bool remove)
{
	if (!s)
		return;
	if (s->ops && s->enforcer && s->ops->free) {
		s->ops->free(s->enforcer, remove);
		if (remove)
			log_notice("enforcer: %s stopped: enforcement removed from the kernel",
				   s->ops->display);
		else
			log_notice("enforcer: %s: agent exiting, enforcement stays in force in the "
				   "kernel for the next start to adopt",
				   s->ops->display);
	}
	free(s->summary);
	*s = (EnforcerSelection){};
}
