/* SPDX-License-Identifier: Apache-2.0 */
/* workload.c: workloads and policy selection (kubearmor-policy(5), SELECTION). */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "core/strv.h"
#include "rules/rules.h"

#define HOSTNAME_REG_SUFFIX "reg"

Workload *workload_free(Workload *w)
{
	if (!w)
		return NULL;
	free(w->name);
	free(w->namespace);
	strv_free(w->labels);
	free(w);
	return NULL;
}

static int label_valid(const char *l)
{
	const char *eq = strchr(l, '=');

	if (!eq || eq == l)
		return -EINVAL;
	return 0;
}

static int labels_copy(char ***labels, char *const *extra)
{
	int r;

	STRV_FOREACH(l, extra)
	{
		if (label_valid(*l) < 0)
			return -EINVAL;
		if (strv_length(*labels) >= WORKLOAD_MAX_LABELS)
			return -EINVAL;
		r = strv_extend(labels, *l);
		if (r < 0)
			return r;
	}
	return 0;
}

int workload_new_host(const char *hostname, char *const *extra_labels, Workload **ret)
{
	_cleanup_(workload_freep) Workload *w = NULL;
	_cleanup_free_ char *l = NULL;
	int r;

	if (isempty(hostname) || strchr(hostname, '=') || strchr(hostname, ','))
		return -EINVAL;
	w = new0(Workload, 1);
	if (!w)
		return -ENOMEM;
	w->kind = WORKLOAD_HOST;
	w->name = strdup(hostname);
	if (!w->name)
		return -ENOMEM;
	if (asprintf(&l, "%s=%s", WORKLOAD_LABEL_HOSTNAME, hostname) < 0)
		return -ENOMEM;
	r = strv_consume(&w->labels, l);
	if (r < 0)
		return r;
	l = NULL;
	r = labels_copy(&w->labels, extra_labels);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(w);
	return 0;
}

int workload_new_container(const char *name, const char *namespace, char *const *labels,
			   Workload **ret)
{
	_cleanup_(workload_freep) Workload *w = NULL;
	int r;

	w = new0(Workload, 1);
	if (!w)
		return -ENOMEM;
	w->kind = WORKLOAD_CONTAINER;
	w->name = strdup(name ?: "");
	if (!w->name)
		return -ENOMEM;
	if (namespace) {
		w->namespace = strdup(namespace);
		if (!w->namespace)
			return -ENOMEM;
	}
	r = labels_copy(&w->labels, labels);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(w);
	return 0;
}

int workload_parse_container(const char *spec, Workload **ret)
{
	_cleanup_strv_free_ char **labels = NULL;
	_cleanup_free_ char *copy = strdup(spec ?: "");
	const char *name = NULL, *ns = NULL;
	char *save = NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (label_valid(tok) < 0)
			return -EINVAL;
		if (strv_length(labels) >= WORKLOAD_MAX_LABELS)
			return -EINVAL;
		r = strv_extend(&labels, tok);
		if (r < 0)
			return r;
	}
	if (!labels)
		return -EINVAL;
	STRV_FOREACH(l, labels)
	{
		const char *eq = strchr(*l, '=');
		size_t kl = (size_t)(eq - *l);

		if (kl == strlen(WORKLOAD_LABEL_CONTAINER_NAME) &&
		    strneq(*l, WORKLOAD_LABEL_CONTAINER_NAME, kl))
			name = eq + 1;
		else if ((kl == strlen("io.kubernetes.pod.namespace") &&
			  strneq(*l, "io.kubernetes.pod.namespace", kl)) ||
			 (!ns && kl == strlen("kubearmor.io/namespace") &&
			  strneq(*l, "kubearmor.io/namespace", kl)))
			ns = eq + 1;
	}
	return workload_new_container(name, ns, labels, ret);
}

const char *workload_label(const Workload *w, const char *key)
{
	size_t kl = strlen(key);

	STRV_FOREACH(l, w->labels)
	if (strneq(*l, key, kl) && (*l)[kl] == '=')
		return *l + kl + 1;
	return NULL;
}

static bool has_label_pair(const Workload *w, const char *key, const char *value)
{
	const char *v = workload_label(w, key);

	/* A key may appear once per workload; compare against its value. */
	return v && streq(v, value);
}

static bool has_label_string(const Workload *w, const char *kv)
{
	return strv_contains(w->labels, kv);
}

/* Calls `fn` on each comma-separated, blank-trimmed, non-empty element of `list` (brackets around
 * the whole list are dropped). Returns true as soon as fn does; *ret_empty tells whether there were
 * no elements at all. */
static bool list_any(const char *list, bool (*fn)(const char *item, size_t len, const void *ud),
		     const void *ud, bool *ret_empty)
{
	const char *p = list, *end = list + strlen(list);
	bool empty = true;

	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (p < end && *p == '[' && end[-1] == ']') {
		p++;
		end--;
	}
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *ie = c ?: end, *is = p;

		while (is < ie && *is == ' ')
			is++;
		while (ie > is && ie[-1] == ' ')
			ie--;
		if (ie > is) {
			empty = false;
			if (fn(is, (size_t)(ie - is), ud))
				return true;
		}
		p = c ? c + 1 : end;
	}
	if (ret_empty)
		*ret_empty = empty;
	return false;
}

static bool item_is_host(const char *item, size_t len, const void *ud)
{
	const char *host = ud;

	return (len == 1 && item[0] == '*') ||
	       (strlen(host) == len && strncasecmp(item, host, len) == 0);
}

static bool item_is_name(const char *item, size_t len, const void *ud)
{
	const char *name = ud;

	return strlen(name) == len && strneq(item, name, len);
}

static bool host_label_matches(const Workload *w, const char *key, const char *value)
{
	size_t kl = strlen(key), sl = strlen(HOSTNAME_REG_SUFFIX);

	if (streq(key, WORKLOAD_LABEL_HOSTNAME) || streq(key, WORKLOAD_LABEL_K8S_HOSTNAME)) {
		const char *host = workload_label(w, key);

		return host && list_any(value, item_is_host, host, NULL);
	}
	if (kl > sl && streq(key + kl - sl, HOSTNAME_REG_SUFFIX)) {
		_cleanup_free_ char *base = strndup(key, kl - sl);
		const char *host;

		if (!base)
			return false;
		if (streq(base, WORKLOAD_LABEL_HOSTNAME) ||
		    streq(base, WORKLOAD_LABEL_K8S_HOSTNAME)) {
			host = workload_label(w, base);
			/* Anchored glob, case-insensitive as host names are. */
			return host && fnmatch(value, host, FNM_CASEFOLD) == 0;
		}
	}
	return has_label_pair(w, key, value);
}

static bool container_label_matches(const Workload *w, const char *key, const char *value)
{
	if (streq(key, WORKLOAD_LABEL_CONTAINER_NAME)) {
		const char *name = workload_label(w, WORKLOAD_LABEL_CONTAINER_NAME) ?: w->name;
		bool empty = false;

		if (list_any(value, item_is_name, name ?: "", &empty))
			return true;
		return empty; /* "" or "[]": every container */
	}
	return has_label_pair(w, key, value);
}

static bool expressions_match(const Workload *w, const Selector *s, const char **reason)
{
	for (size_t i = 0; i < s->n_match_expressions; i++) {
		const SelectorExpr *e = &s->match_expressions[i];
		bool any = false;

		STRV_FOREACH(v, e->values)
		{
			if (streq(e->key, "namespace"))
				any = w->namespace && streq(*v, w->namespace);
			else
				any = has_label_string(w, *v);
			if (any)
				break;
		}
		if (e->op == SELECTOR_OP_IN && !any) {
			*reason = "a matchExpressions 'In' expression has no value the workload "
				  "carries";
			return false;
		}
		if (e->op == SELECTOR_OP_NOT_IN && any) {
			*reason = "the workload carries a value of a matchExpressions 'NotIn' "
				  "expression";
			return false;
		}
	}
	return true;
}

bool workload_selects(const Workload *w, const Policy *p, const char **ret_reason)
{
	const char *reason = NULL, *dummy;
	bool ok = false;

	if (!ret_reason)
		ret_reason = &dummy;

	switch (p->kind) {
	case POLICY_KIND_HSP:
		if (w->kind != WORKLOAD_HOST) {
			reason = "a host policy applies only to the host";
			break;
		}
		if (p->selector.n_match_labels == 0) {
			reason = "an empty nodeSelector selects no host";
			break;
		}
		ok = true;
		for (size_t i = 0; ok && i < p->selector.n_match_labels; i++) {
			const LabelPair *l = &p->selector.match_labels[i];

			if (!host_label_matches(w, l->key, l->value)) {
				reason = "a nodeSelector label does not match the host";
				ok = false;
			}
		}
		break;

	case POLICY_KIND_KSP:
		if (w->kind != WORKLOAD_CONTAINER) {
			reason = "a KubeArmorPolicy applies only to containers";
			break;
		}
		if (p->namespace && w->namespace && !streq(p->namespace, w->namespace)) {
			reason = "the policy's namespace is not the container's";
			break;
		}
		if (p->selector.n_match_labels == 0 && p->selector.n_match_expressions == 0 &&
		    !p->namespace) {
			reason = "no selector and no namespace: the policy selects nothing";
			break;
		}
		ok = true;
		for (size_t i = 0; ok && i < p->selector.n_match_labels; i++) {
			const LabelPair *l = &p->selector.match_labels[i];

			if (!container_label_matches(w, l->key, l->value)) {
				reason = "a matchLabels label does not match the container";
				ok = false;
			}
		}
		if (ok)
			ok = expressions_match(w, &p->selector, &reason);
		break;

	case POLICY_KIND_CSP:
		if (w->kind != WORKLOAD_CONTAINER) {
			reason = "a KubeArmorClusterPolicy applies only to containers";
			break;
		}
		ok = expressions_match(w, &p->selector, &reason);
		break;

	default:
		reason = "unknown policy kind";
		break;
	}

	*ret_reason = ok ? NULL : reason;
	return ok;
}
