/* SPDX-License-Identifier: Apache-2.0 */
/* model.c: names of enums and the destructor of Policy. */
#include <stdlib.h>

#include "core/strv.h"
#include "policy/model.h"

static const char *const kind_names[_POLICY_KIND_MAX] = {
	[POLICY_KIND_KSP] = "KubeArmorPolicy",
	[POLICY_KIND_HSP] = "KubeArmorHostPolicy",
	[POLICY_KIND_CSP] = "KubeArmorClusterPolicy",
};

const char *policy_kind_to_string(PolicyKind k)
{
	if ((unsigned)k >= _POLICY_KIND_MAX)
		return NULL;
	return kind_names[k];
}

static const char *const action_names[_ACTION_MAX] = {
	[ACTION_UNSET] = NULL,
	[ACTION_ALLOW] = "Allow",
	[ACTION_AUDIT] = "Audit",
	[ACTION_BLOCK] = "Block",
};

const char *rule_action_to_string(RuleAction a)
{
	if ((unsigned)a >= _ACTION_MAX)
		return NULL;
	return action_names[a];
}

static void rule_meta_done(RuleMeta *m)
{
	strv_free(m->tags);
	free(m->message);
}

static void sources_free(FromSource *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].path);
		free(s[i].dir);
	}
	free(s);
}

static void path_rules_free(PathRule *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].value);
		strv_free(r[i].allowed_args);
		sources_free(r[i].sources, r[i].n_sources);
		rule_meta_done(&r[i].meta);
	}
	free(r);
}

static void selector_done(Selector *s)
{
	for (size_t i = 0; i < s->n_match_labels; i++) {
		free(s->match_labels[i].key);
		free(s->match_labels[i].value);
	}
	free(s->match_labels);
	for (size_t i = 0; i < s->n_match_expressions; i++) {
		free(s->match_expressions[i].key);
		strv_free(s->match_expressions[i].values);
	}
	free(s->match_expressions);
}

Policy *policy_free(Policy *p)
{
	if (!p)
		return NULL;

	free(p->name);
	free(p->namespace);
	free(p->file);
	rule_meta_done(&p->spec_meta);
	selector_done(&p->selector);

	path_rules_free(p->process, p->n_process);
	path_rules_free(p->file_rules, p->n_file);

	for (size_t i = 0; i < p->n_network; i++) {
		free(p->network[i].protocol);
		sources_free(p->network[i].sources, p->network[i].n_sources);
		rule_meta_done(&p->network[i].meta);
	}
	free(p->network);

	for (size_t i = 0; i < p->n_dns; i++) {
		free(p->dns[i].domain);
		sources_free(p->dns[i].sources, p->dns[i].n_sources);
		rule_meta_done(&p->dns[i].meta);
	}
	free(p->dns);

	for (size_t i = 0; i < p->n_capabilities; i++) {
		free(p->capabilities[i].capability);
		sources_free(p->capabilities[i].sources, p->capabilities[i].n_sources);
		rule_meta_done(&p->capabilities[i].meta);
	}
	free(p->capabilities);

	for (size_t i = 0; i < p->n_syscalls; i++) {
		strv_free(p->syscalls[i].syscalls);
		free(p->syscalls[i].path);
		sources_free(p->syscalls[i].sources, p->syscalls[i].n_sources);
		rule_meta_done(&p->syscalls[i].meta);
	}
	free(p->syscalls);

	for (size_t i = 0; i < p->n_devices; i++) {
		free(p->devices[i].class_name);
		rule_meta_done(&p->devices[i].meta);
	}
	free(p->devices);

	for (size_t i = 0; i < p->n_presets; i++)
		free(p->presets[i].name);
	free(p->presets);

	free(p->apparmor);
	free(p);
	return NULL;
}
