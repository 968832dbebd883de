/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert-json.c: Alert → compact JSON with KubeArmor's field names, order and types (reference
 * §7.1). The only file that includes <jansson.h>.
 *
 * jansson refuses strings that are not valid UTF-8, and paths and command lines from the kernel
 * need not be; each such string is repaired first (every invalid byte becomes U+FFFD, as Go's
 * encoder does) so that no record is lost to a hostile file name.
 */
#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "feeder/feeder.h"

/* jansson provides json_decrefp() for the cleanup attribute. */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 if it is not valid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, like jansson's own check. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;

	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* A JSON string from s: cut to ALERT_STRING_MAX bytes on a character boundary, invalid bytes
 * replaced by U+FFFD. NULL on OOM. */
static json_t *json_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, ALERT_STRING_MAX + 1);
	_cleanup_free_ char *buf = NULL;
	size_t i, o = 0;
	bool valid = true;

	if (n > ALERT_STRING_MAX) {
		n = ALERT_STRING_MAX;
		/* Do not split a sequence: back off over up to three continuation bytes. */
		for (int k = 0; k < 3 && n > 0 && (u[n] & 0xC0) == 0x80; k++)
			n--;
	}

	for (i = 0; i < n;) {
		size_t l = utf8_seq_len(u + i, n - i);
		if (l == 0) {
			valid = false;
			break;
		}
		i += l;
	}
	if (valid)
		return json_stringn(s, n);

	/* Worst case every byte becomes the three bytes of U+FFFD. */
	buf = malloc(n * 3 + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n;) {
		size_t l = utf8_seq_len(u + i, n - i);
		if (l == 0) {
			memcpy(buf + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else {
			memcpy(buf + o, u + i, l);
			o += l;
			i += l;
		}
	}
	return json_stringn(buf, o);
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -ENOMEM;
	/* json_object_set_new() consumes v also on failure. */
	if (json_object_set_new(obj, key, v) < 0)
		return -ENOMEM;
	return 0;
}

/* Omitted when NULL or empty. */
static int set_str(json_t *obj, const char *key, const char *s)
{
	if (isempty(s))
		return 0;
	return set_new(obj, key, json_text(s));
}

/* Omitted when zero. */
static int set_int(json_t *obj, const char *key, long long v)
{
	if (v == 0)
		return 0;
	return set_new(obj, key, json_integer(v));
}

static bool event_key_valid(const char *k, size_t n)
{
	if (n == 0 || n > ALERT_EVENT_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isascii(k[i]) && (isalnum(k[i]) || k[i] == '_')))
			return false;
	return true;
}

/* Adds the "key=value" tokens of s (separated by single spaces) to obj, keys capitalised. Tokens
 * without '=' or with a key outside [A-Za-z0-9_]{1,64} are skipped; the value is everything after
 * the first '=' (it may be empty or contain '='). The first occurrence of a key wins, so a value
 * that smuggles " syscall=..." cannot override an earlier genuine key. */
static int add_event_pairs(json_t *obj, const char *s)
{
	size_t n = strnlen(s, ALERT_STRING_MAX);
	const char *end = s + n, *p = s;

	while (p < end && json_object_size(obj) < ALERT_EVENT_DATA_MAX) {
		const char *tok_end = memchr(p, ' ', (size_t)(end - p)) ?: end;
		const char *eq = memchr(p, '=', (size_t)(tok_end - p));

		if (eq && event_key_valid(p, (size_t)(eq - p))) {
			char key[ALERT_EVENT_KEY_MAX + 1];
			size_t kl = (size_t)(eq - p);
			_cleanup_free_ char *value = strndup(eq + 1, (size_t)(tok_end - eq - 1));
			int r;

			if (!value)
				return -ENOMEM;
			memcpy(key, p, kl);
			key[kl] = 0;
			key[0] = (char)toupper((unsigned char)key[0]);
			if (!json_object_get(obj, key)) {
				r = set_new(obj, key, json_text(value));
				if (r < 0)
					return r;
			}
		}
		p = tok_end + 1;
	}
	return 0;
}

static int set_event_data(json_t *root, const Alert *a)
{
	_cleanup_json_ json_t *ed = json_object();
	int r;

	if (!ed)
		return -ENOMEM;
	if (!isempty(a->data)) {
		r = add_event_pairs(ed, a->data);
		if (r < 0)
			return r;
	}
	if (a->operation == ALERT_OP_NETWORK && !isempty(a->resource)) {
		r = add_event_pairs(ed, a->resource);
		if (r < 0)
			return r;
	}
	if (json_object_size(ed) == 0)
		return 0;
	return set_new(root, "EventData", TAKE_PTR(ed));
}

static int set_tags(json_t *root, char *const *tags)
{
	_cleanup_json_ json_t *arr = NULL;
	_cleanup_free_ char *joined = NULL;
	size_t len = 0;
	int r;

	if (!tags || !tags[0])
		return 0;
	arr = json_array();
	if (!arr)
		return -ENOMEM;
	for (char *const *t = tags; *t; t++) {
		json_t *v;

		if (isempty(*t))
			continue;
		v = json_text(*t);
		if (!v || json_array_append_new(arr, v) < 0)
			return -ENOMEM;
		len += strlen(*t) + 1;
	}
	if (json_array_size(arr) == 0)
		return 0;

	joined = malloc(len + 1);
	if (!joined)
		return -ENOMEM;
	joined[0] = 0;
	for (char *const *t = tags, *o = joined; *t; t++) {
		if (isempty(*t))
			continue;
		if (o != joined)
			*o++ = ',';
		o = stpcpy(o, *t);
	}
	r = set_str(root, "Tags", joined);
	if (r < 0)
		return r;
	return set_new(root, "ATags", TAKE_PTR(arr));
}

static int set_exec_event(json_t *root, const Alert *a)
{
	_cleanup_json_ json_t *ev = NULL;
	int r;

	if (isempty(a->exec_id) && isempty(a->executable_name))
		return 0;
	ev = json_object();
	if (!ev)
		return -ENOMEM;
	r = set_str(ev, "ExecID", a->exec_id);
	if (r < 0)
		return r;
	r = set_str(ev, "ExecutableName", a->executable_name);
	if (r < 0)
		return r;
	return set_new(root, "ExecEvent", TAKE_PTR(ev));
}

static int set_time(json_t *root, uint64_t usec)
{
	time_t sec = (time_t)(usec / 1000000U);
	char buf[64];
	struct tm tm;
	size_t n;
	int r;

	if (usec == 0)
		return 0;
	if (!gmtime_r(&sec, &tm))
		return -EINVAL;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return -EINVAL;
	snprintf(buf + n, sizeof(buf) - n, ".%06uZ", (unsigned)(usec % 1000000U));

	r = set_int(root, "Timestamp", (long long)sec);
	if (r < 0)
		return r;
	return set_str(root, "UpdatedTime", buf);
}

int alert_to_json(const Alert *a, char **ret)
{
	_cleanup_json_ json_t *root = NULL;
	const char *type = alert_type_to_string(a->type);
	char severity[16] = "";
	char *s;
	int r;

	if (!type)
		return -EINVAL;
	if (a->severity != 0)
		snprintf(severity, sizeof(severity), "%d", a->severity);

	root = json_object();
	if (!root)
		return -ENOMEM;

	/* Field order follows reference §7.1 (the order of KubeArmor's records). */
	if ((r = set_time(root, a->timestamp_usec)) < 0 ||
	    (r = set_str(root, "ClusterName", a->cluster_name)) < 0 ||
	    (r = set_str(root, "HostName", a->host_name)) < 0 ||
	    (r = set_str(root, "NodeID", a->node_id)) < 0 ||
	    (r = set_str(root, "NamespaceName", a->namespace_name)) < 0 ||
	    (r = set_str(root, "PodName", a->pod_name)) < 0 ||
	    (r = set_str(root, "Labels", a->labels)) < 0 ||
	    (r = set_str(root, "ContainerID", a->container_id)) < 0 ||
	    (r = set_str(root, "ContainerName", a->container_name)) < 0 ||
	    (r = set_str(root, "ContainerImage", a->container_image)) < 0 ||
	    (r = set_int(root, "HostPPID", a->host_ppid)) < 0 ||
	    (r = set_int(root, "HostPID", a->host_pid)) < 0 ||
	    (r = set_new(root, "PPID", json_integer(a->ppid))) < 0 ||
	    (r = set_int(root, "PID", a->pid)) < 0 ||
	    (r = set_new(root, "UID", json_integer(a->uid))) < 0 ||
	    (r = set_str(root, "ParentProcessName", a->parent_process_name)) < 0 ||
	    (r = set_str(root, "ProcessName", a->process_name)) < 0 ||
	    (r = set_str(root, "PolicyName", a->policy_name)) < 0 ||
	    (r = set_str(root, "Severity", severity)) < 0 || (r = set_tags(root, a->tags)) < 0 ||
	    (r = set_str(root, "Message", a->message)) < 0 ||
	    (r = set_str(root, "Type", type)) < 0 || (r = set_str(root, "Source", a->source)) < 0 ||
	    (r = set_str(root, "Operation", alert_operation_to_string(a->operation))) < 0 ||
	    (r = set_str(root, "Resource", a->resource)) < 0 ||
	    (r = set_str(root, "Data", a->data)) < 0 || (r = set_event_data(root, a)) < 0 ||
	    (r = set_str(root, "Enforcer", a->enforcer)) < 0 ||
	    (r = set_str(root, "Action", alert_action_to_string(a->action))) < 0 ||
	    (r = set_str(root, "Result", a->result)) < 0 ||
	    (r = set_str(root, "Cwd", a->cwd)) < 0 || (r = set_str(root, "TTY", a->tty)) < 0 ||
	    (r = set_exec_event(root, a)) < 0 ||
	    (r = set_str(root, "UserName", a->user_name)) < 0 ||
	    (r = set_int(root, "MaxAlertsPerSec", a->max_alerts_per_sec)) < 0 ||
	    (r = set_int(root, "DroppingAlertsInterval", a->dropping_alerts_interval)) < 0)
		return r;

	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
