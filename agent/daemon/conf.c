/* SPDX-License-Identifier: Apache-2.0 */
/* conf.c: kubearmor.yaml. The only file of daemon/ that includes <yaml.h>. */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"
#include "core/strv.h"
#include "daemon/conf.h"
#include "identity/host.h"

extern char **environ;

static const char *const posture_names[_POSTURE_MAX] = {
	[POSTURE_AUDIT] = "audit",
	[POSTURE_BLOCK] = "block",
};

static const char *const posture_class_names[_POSTURE_CLASS_MAX] = {
	[POSTURE_CLASS_FILE] = "file",
	[POSTURE_CLASS_NETWORK] = "network",
	[POSTURE_CLASS_CAPABILITIES] = "capabilities",
};

static const char *const visibility_names[] = {
	"process",
	"file",
	"network",
	"capabilities",
};

static const char *const lsm_names[] = {"bpf", "apparmor", "selinux", "none"};

const char *posture_to_string(Posture p)
{
	return p >= 0 && p < _POSTURE_MAX ? posture_names[p] : NULL;
}

Posture posture_from_string(const char *s)
{
	for (int i = 0; s && i < _POSTURE_MAX; i++)
		if (strcasecmp(s, posture_names[i]) == 0)
			return (Posture)i;
	return _POSTURE_INVALID;
}

const char *posture_class_to_string(PostureClass c)
{
	return c < _POSTURE_CLASS_MAX ? posture_class_names[c] : NULL;
}

char *visibility_to_string(unsigned v)
{
	_cleanup_strv_free_ char **l = NULL;

	for (size_t i = 0; i < ELEMENTSOF(visibility_names); i++)
		if (v & (1u << i))
			if (strv_extend(&l, visibility_names[i]) < 0)
				return NULL;
	if (!l)
		return strdup("none");
	return strv_join(l, ",");
}

/* Splits on commas, trims blanks, drops empty items. */
static int split_list(const char *s, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	const char *p = s;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *b = p, *e = p + n;
		char *item;
		int r;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b) {
			item = strndup(b, (size_t)(e - b));
			if (!item)
				return -ENOMEM;
			r = strv_consume(&l, item);
			if (r < 0) {
				free(item);
				return r;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

int visibility_from_string(const char *s, unsigned *ret)
{
	_cleanup_strv_free_ char **l = NULL;
	unsigned v = 0;

	if (split_list(s, &l) < 0)
		return -ENOMEM;
	if (!l)
		return -EINVAL;
	if (strv_length(l) == 1 && strcasecmp(l[0], "none") == 0) {
		*ret = 0;
		return 0;
	}
	if (strv_length(l) == 1 && strcasecmp(l[0], "default") == 0) {
		*ret = VISIBILITY_ALL;
		return 0;
	}
	STRV_FOREACH(i, l)
	{
		size_t k;

		for (k = 0; k < ELEMENTSOF(visibility_names); k++)
			if (strcasecmp(*i, visibility_names[k]) == 0)
				break;
		if (k == ELEMENTSOF(visibility_names))
			return -EINVAL;
		v |= 1u << k;
	}
	*ret = v;
	return 0;
}

Config *config_free(Config *c)
{
	if (!c)
		return NULL;
	strv_free(c->lsm);
	free(c->policy_dir);
	free(c->host);
	strv_free(c->host_labels);
	free(c->cluster);
	free(c);
	return NULL;
}

int config_new(Config **ret)
{
	_cleanup_(config_freep) Config *c = new0(Config, 1);

	if (!c)
		return -ENOMEM;
	if (split_list("bpf,apparmor,selinux", &c->lsm) < 0)
		return -ENOMEM;
	for (int i = 0; i < _POSTURE_CLASS_MAX; i++)
		c->host_posture[i] = POSTURE_AUDIT;
	c->host_visibility = VISIBILITY_ALL;
	c->policy_dir = strdup(POLICY_DIR);
	c->cluster = strdup("default");
	if (!c->policy_dir || !c->cluster)
		return -ENOMEM;
	c->alert_throttling = true;
	c->max_alert_per_sec = 10;
	c->throttle_sec = 30;
	*ret = TAKE_PTR(c);
	return 0;
}

static Config *config_copy(const Config *c)
{
	_cleanup_(config_freep) Config *n = new0(Config, 1);

	if (!n)
		return NULL;
	*n = *c;
	n->lsm = n->host_labels = NULL;
	n->policy_dir = n->host = n->cluster = NULL;
	if (c->lsm && !(n->lsm = strv_copy(c->lsm)))
		return NULL;
	if (c->host_labels && !(n->host_labels = strv_copy(c->host_labels)))
		return NULL;
	if (c->policy_dir && !(n->policy_dir = strdup(c->policy_dir)))
		return NULL;
	if (c->host && !(n->host = strdup(c->host)))
		return NULL;
	if (c->cluster && !(n->cluster = strdup(c->cluster)))
		return NULL;
	return TAKE_PTR(n);
}

/* Moves the contents of `from` into `to` and frees `from`. */
static void config_replace(Config *to, Config *from)
{
	Config old = *to;

	*to = *from;
	free(from);
	strv_free(old.lsm);
	free(old.policy_dir);
	free(old.host);
	strv_free(old.host_labels);
	free(old.cluster);
}

/* Each setter parses one value; on error returns -EINVAL and a static reason in *why. */
typedef int (*ConfSetter)(Config *c, const char *v, const char **why);

static int set_string(char **field, const char *v)
{
	char *s = isempty(v) ? NULL : strdup(v);

	if (!isempty(v) && !s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int set_lsm(Config *c, const char *v, const char **why)
{
	_cleanup_strv_free_ char **l = NULL;
	int r;

	r = split_list(v, &l);
	if (r < 0)
		return r;
	if (!l) {
		/* KubeArmor: an empty list disables enforcement. */
		r = strv_extend(&l, "none");
		if (r < 0)
			return r;
	}
	STRV_FOREACH(i, l)
	{
		size_t k;

		for (char *p = *i; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (k = 0; k < ELEMENTSOF(lsm_names); k++)
			if (streq(*i, lsm_names[k]))
				break;
		if (k == ELEMENTSOF(lsm_names)) {
			*why = "unknown LSM (expected a list of bpf, apparmor, selinux, or none)";
			return -EINVAL;
		}
	}
	strv_free(c->lsm);
	c->lsm = TAKE_PTR(l);
	return 0;
}

static int set_posture(Config *c, PostureClass k, const char *v, const char **why)
{
	Posture p = posture_from_string(v);

	if (p < 0) {
		*why = "expected audit or block";
		return -EINVAL;
	}
	c->host_posture[k] = p;
	return 0;
}

static int set_file_posture(Config *c, const char *v, const char **why)
{
	return set_posture(c, POSTURE_CLASS_FILE, v, why);
}

static int set_network_posture(Config *c, const char *v, const char **why)
{
	return set_posture(c, POSTURE_CLASS_NETWORK, v, why);
}

static int set_capabilities_posture(Config *c, const char *v, const char **why)
{
	return set_posture(c, POSTURE_CLASS_CAPABILITIES, v, why);
}

static int set_visibility(Config *c, const char *v, const char **why)
{
	unsigned vis;
	int r = visibility_from_string(v, &vis);

	if (r == -EINVAL)
		*why = "expected a list of process, file, network, capabilities, or none";
	if (r < 0)
		return r;
	c->host_visibility = vis;
	return 0;
}

static int set_policy_dir(Config *c, const char *v, const char **why)
{
	if (isempty(v) || v[0] != '/') {
		*why = "expected an absolute directory path";
		return -EINVAL;
	}
	if (strlen(v) >= 4096) {
		*why = "path too long";
		return -EINVAL;
	}
	return set_string(&c->policy_dir, v);
}

static int parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; v && i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_uint(const char *v, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long n;
	char *end;

	if (isempty(v) || !isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}

static int set_throttling(Config *c, const char *v, const char **why)
{
	if (parse_bool(v, &c->alert_throttling) < 0) {
		*why = "expected true or false";
		return -EINVAL;
	}
	return 0;
}

static int set_max_alert(Config *c, const char *v, const char **why)
{
	if (parse_uint(v, 1, CONF_MAX_ALERTS_PER_SEC, &c->max_alert_per_sec) < 0) {
		*why = "expected an integer from 1 to 1000000";
		return -EINVAL;
	}
	return 0;
}

static int set_throttle_sec(Config *c, const char *v, const char **why)
{
	if (parse_uint(v, 1, CONF_MAX_THROTTLE_SEC, &c->throttle_sec) < 0) {
		*why = "expected an integer from 1 to 86400 (seconds)";
		return -EINVAL;
	}
	return 0;
}

static int set_host(Config *c, const char *v, const char **why)
{
	if (!isempty(v) && !host_name_is_valid(v)) {
		*why = "expected a host name (letters, digits, '-', '.', '_'; at most 253 bytes)";
		return -EINVAL;
	}
	return set_string(&c->host, v);
}

static int set_host_labels(Config *c, const char *v, const char **why)
{
	_cleanup_strv_free_ char **l = NULL;
	int r;

	r = split_list(v, &l);
	if (r < 0)
		return r;
	if (strv_length(l) > HOST_LABELS_MAX) {
		*why = "too many labels (at most 64)";
		return -EINVAL;
	}
	STRV_FOREACH(i, l)
	{
		if (host_label_check(*i, why) < 0)
			return -EINVAL;
		if (strneq(*i, "kubearmor.io/hostname=", 22) ||
		    strneq(*i, "kubernetes.io/hostname=", 23)) {
			*why = "the hostname labels come from 'host'; set that key instead";
			return -EINVAL;
		}
		for (char *const *j = l; j < i; j++)
			if (strcspn(*i, "=") == strcspn(*j, "=") &&
			    strneq(*i, *j, strcspn(*i, "="))) {
				*why = "duplicate label key";
				return -EINVAL;
			}
	}
	strv_free(c->host_labels);
	c->host_labels = TAKE_PTR(l);
	return 0;
}

static int set_cluster(Config *c, const char *v, const char **why)
{
	if (!isempty(v) && !host_name_is_valid(v)) {
		*why = "expected a name (letters, digits, '-', '.', '_')";
		return -EINVAL;
	}
	return set_string(&c->cluster, isempty(v) ? "default" : v);
}

typedef enum ValueShape {
	SHAPE_SCALAR,
	SHAPE_LIST,    /* a comma-separated string or a YAML sequence of scalars */
	SHAPE_MAPPING, /* a "k=v,..." string or a YAML mapping of scalars */
} ValueShape;

static const struct {
	const char *key;
	ConfSetter set;
	ValueShape shape;
} conf_keys[] = {
	{"lsm", set_lsm, SHAPE_LIST},
	{"hostDefaultFilePosture", set_file_posture, SHAPE_SCALAR},
	{"hostDefaultNetworkPosture", set_network_posture, SHAPE_SCALAR},
	{"hostDefaultCapabilitiesPosture", set_capabilities_posture, SHAPE_SCALAR},
	{"hostVisibility", set_visibility, SHAPE_LIST},
	{"policyDir", set_policy_dir, SHAPE_SCALAR},
	{"alertThrottling", set_throttling, SHAPE_SCALAR},
	{"maxAlertPerSec", set_max_alert, SHAPE_SCALAR},
	{"throttleSec", set_throttle_sec, SHAPE_SCALAR},
	{"host", set_host, SHAPE_SCALAR},
	{"hostLabels", set_host_labels, SHAPE_MAPPING},
	{"cluster", set_cluster, SHAPE_SCALAR},
};

/* KubeArmor keys with no meaning on a host agent: named in the error so that a copied config is
 * easy to fix. */
static const char *const kubearmor_only_keys[] = {
	"gRPC",
	"gRPCHealthPort",
	"tlsEnabled",
	"tlsCertPath",
	"tlsCertProvider",
	"logPath",
	"seLinuxProfileDir",
	"criSocket",
	"nriSocket",
	"nriIndex",
	"enableNRI",
	"visibility",
	"enableKubeArmorPolicy",
	"enableKubeArmorHostPolicy",
	"enableKubeArmorVm",
	"k8s",
	"debug",
	"defaultFilePosture",
	"defaultNetworkPosture",
	"defaultCapabilitiesPosture",
	"hostDefaultDevicePosture",
	"coverageTest",
	"untrackedNs",
	"bpfFsPath",
	"enforcerAlerts",
	"defaultPostureLogs",
	"initTimeout",
	"enableKubeArmorStateAgent",
	"annotateResources",
	"procfsMount",
	"dropResourceFromProcessLogs",
	"machineIDPath",
	"useOCIHooks",
	"enableIMA",
	"enableUSBDeviceHandler",
	"matchArgs",
	"enableNetworkPolicyEnforcer",
};

bool config_key_is_valid(const char *key)
{
	for (size_t i = 0; key && i < ELEMENTSOF(conf_keys); i++)
		if (streq(key, conf_keys[i].key))
			return true;
	return false;
}

static int find_key(const char *key, bool ignore_case)
{
	for (size_t i = 0; key && i < ELEMENTSOF(conf_keys); i++)
		if (ignore_case ? strcasecmp(key, conf_keys[i].key) == 0
				: streq(key, conf_keys[i].key))
			return (int)i;
	return -1;
}

static int add_error(char ***errors, const char *fmt, ...) _printf_(2, 3);
static int add_error(char ***errors, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (!errors) {
		free(s);
		return 0;
	}
	r = strv_consume(errors, s);
	if (r < 0)
		free(s);
	return r;
}

int config_set(Config *c, const char *key, const char *value, const char *origin, char ***errors)
{
	const char *why = "invalid value";
	int k, r;

	k = find_key(key, false);
	if (k < 0)
		return add_error(errors, "%s: unknown configuration key '%s'", origin, key)
			       ?: -EINVAL;
	if (value && strlen(value) > CONF_MAX_STRING)
		return add_error(errors, "%s: %s: value too long", origin, key) ?: -EINVAL;
	r = conf_keys[k].set(c, value ?: "", &why);
	if (r == -EINVAL)
		return add_error(errors, "%s: %s: '%s': %s", origin, key, value ?: "", why)
			       ?: -EINVAL;
	return r;
}

int config_apply_env(Config *c, char **envp, char *const *ignore, char ***errors)
{
	_cleanup_(config_freep) Config *n = NULL;
	int ret = 0;

	n = config_copy(c);
	if (!n)
		return -ENOMEM;
	for (char **e = envp ?: environ; e && *e; e++) {
		_cleanup_free_ char *name = NULL, *origin = NULL;
		const char *eq = strchr(*e, '=');
		int k, r;

		if (!strneq(*e, "KUBEARMOR_", 10) || !eq)
			continue;
		name = strndup(*e, (size_t)(eq - *e));
		if (!name)
			return -ENOMEM;
		if (strv_contains(ignore, name))
			continue;
		if (asprintf(&origin, "environment variable %s", name) < 0)
			return -ENOMEM;
		/* KUBEARMOR_HOSTVISIBILITY → hostVisibility: keys are matched ignoring case. */
		k = find_key(name + 10, true);
		if (k < 0) {
			r = add_error(errors, "%s: names no configuration key", origin);
			ret = r < 0 ? r : -EINVAL;
			continue;
		}
		r = config_set(n, conf_keys[k].key, eq + 1, origin, errors);
		if (r < 0)
			ret = r;
	}
	if (ret < 0)
		return ret;
	config_replace(c, TAKE_PTR(n));
	return 0;
}

/* ---- the YAML file ---- */

DEFINE_TRIVIAL_CLEANUP_FUNC(yaml_document_t *, yaml_document_delete);

static bool scalar_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->data.scalar.length == 0 || streq(v, "~") || streq(v, "null") ||
		streq(v, "Null") || streq(v, "NULL"));
}

/* Turns a value node into the string form config_set() takes. */
static int node_to_value(yaml_document_t *doc, yaml_node_t *n, ValueShape shape, char **ret,
			 const char **why)
{
	_cleanup_strv_free_ char **l = NULL;
	int r;

	switch (n->type) {
	case YAML_SCALAR_NODE:
		if (scalar_is_null(n)) {
			*ret = strdup("");
		} else {
			if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
				*why = "contains a NUL byte";
				return -EINVAL;
			}
			*ret = strdup((const char *)n->data.scalar.value);
		}
		return *ret ? 0 : -ENOMEM;

	case YAML_SEQUENCE_NODE:
		if (shape != SHAPE_LIST) {
			*why = shape == SHAPE_MAPPING ? "expected a mapping of labels"
						      : "expected a single value";
			return -EINVAL;
		}
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++) {
			yaml_node_t *item = yaml_document_get_node(doc, *i);

			if (!item || item->type != YAML_SCALAR_NODE) {
				*why = "expected a list of plain values";
				return -EINVAL;
			}
			if (strchr((const char *)item->data.scalar.value, ',')) {
				*why = "a list item contains a comma";
				return -EINVAL;
			}
			r = strv_extend(&l, (const char *)item->data.scalar.value);
			if (r < 0)
				return r;
		}
		*ret = strv_join(l, ",");
		return *ret ? 0 : -ENOMEM;

	case YAML_MAPPING_NODE:
		if (shape != SHAPE_MAPPING) {
			*why = shape == SHAPE_LIST ? "expected a list" : "expected a single value";
			return -EINVAL;
		}
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			yaml_node_t *v = yaml_document_get_node(doc, p->value);
			_cleanup_free_ char *kv = NULL;

			if (!k || !v || k->type != YAML_SCALAR_NODE ||
			    v->type != YAML_SCALAR_NODE) {
				*why = "expected a mapping of label keys to plain values";
				return -EINVAL;
			}
			if (strchr((const char *)v->data.scalar.value, ',') ||
			    strchr((const char *)k->data.scalar.value, ',')) {
				*why = "a label contains a comma";
				return -EINVAL;
			}
			if (asprintf(&kv, "%s=%s", (const char *)k->data.scalar.value,
				     scalar_is_null(v) ? "" : (const char *)v->data.scalar.value) <
			    0)
				return -ENOMEM;
			r = strv_consume(&l, kv);
			if (r < 0)
				return r;
			kv = NULL;
		}
		*ret = strv_join(l, ",");
		return *ret ? 0 : -ENOMEM;

	default:
		*why = "unexpected node";
		return -EINVAL;
	}
}

static int read_file_bounded(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	buf = malloc(CONF_MAX_FILE_SIZE + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, CONF_MAX_FILE_SIZE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_MAX_FILE_SIZE)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int config_load_file(Config *c, const char *path, bool must_exist, char ***errors)
{
	_cleanup_(config_freep) Config *n = NULL;
	_cleanup_free_ char *buf = NULL;
	yaml_parser_t parser;
	yaml_document_t doc;
	_cleanup_(yaml_document_deletep) yaml_document_t *docp = NULL;
	yaml_node_t *root;
	size_t len = 0;
	int r, ret = 0;

	r = read_file_bounded(path, &buf, &len);
	if (r == -ENOENT && !must_exist)
		return 0;
	if (r == -EFBIG)
		return add_error(errors, "%s: larger than %d bytes", path, CONF_MAX_FILE_SIZE)
			       ?: -EINVAL;
	if (r == -EBADFD)
		return add_error(errors, "%s: not a regular file", path) ?: -EINVAL;
	if (r < 0) {
		(void)add_error(errors, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (memchr(buf, '\0', len))
		return add_error(errors, "%s: contains a NUL byte", path) ?: -EINVAL;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	r = yaml_parser_load(&parser, &doc);
	if (!r) {
		r = add_error(errors, "%s:%zu:%zu: YAML syntax error: %s", path,
			      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			      parser.problem ?: "unknown");
		yaml_parser_delete(&parser);
		return r ?: -EINVAL;
	}
	docp = &doc;

	root = yaml_document_get_root_node(&doc);
	if (root) {
		/* A second document is an error: the file holds one configuration. */
		yaml_document_t doc2;

		if (!yaml_parser_load(&parser, &doc2)) {
			r = add_error(errors, "%s:%zu:%zu: YAML syntax error: %s", path,
				      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				      parser.problem ?: "unknown");
			yaml_parser_delete(&parser);
			return r ?: -EINVAL;
		}
		if (yaml_document_get_root_node(&doc2)) {
			yaml_node_t *r2 = yaml_document_get_root_node(&doc2);

			r = add_error(errors, "%s:%zu:%zu: more than one YAML document", path,
				      r2->start_mark.line + 1, r2->start_mark.column + 1);
			yaml_document_delete(&doc2);
			yaml_parser_delete(&parser);
			return r ?: -EINVAL;
		}
		yaml_document_delete(&doc2);
	}
	yaml_parser_delete(&parser);

	n = config_copy(c);
	if (!n)
		return -ENOMEM;

	if (!root || (root->type == YAML_SCALAR_NODE && scalar_is_null(root)))
		goto done; /* an empty file: defaults */
	if (root->type != YAML_MAPPING_NODE)
		return add_error(errors, "%s:%zu:%zu: expected a mapping of configuration keys",
				 path, root->start_mark.line + 1, root->start_mark.column + 1)
			       ?: -EINVAL;

	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		_cleanup_free_ char *value = NULL, *origin = NULL;
		const char *key, *why = NULL;
		int idx;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			r = add_error(errors, "%s:%zu:%zu: expected a key", path,
				      k->start_mark.line + 1, k->start_mark.column + 1);
			ret = r < 0 ? r : -EINVAL;
			continue;
		}
		key = (const char *)k->data.scalar.value;
		idx = find_key(key, false);
		if (idx < 0) {
			const char *hint = "";
			int ci = find_key(key, true);

			for (size_t i = 0; i < ELEMENTSOF(kubearmor_only_keys); i++)
				if (streq(key, kubearmor_only_keys[i]))
					hint = " (a KubeArmor key with no meaning for a host "
					       "agent; remove it)";
			if (ci >= 0)
				hint = NULL;
			if (hint)
				r = add_error(errors, "%s:%zu:%zu: unknown key '%s'%s", path,
					      k->start_mark.line + 1, k->start_mark.column + 1, key,
					      hint);
			else
				r = add_error(errors,
					      "%s:%zu:%zu: unknown key '%s' (did you mean '%s'?)",
					      path, k->start_mark.line + 1,
					      k->start_mark.column + 1, key, conf_keys[ci].key);
			ret = r < 0 ? r : -EINVAL;
			continue;
		}
		size_t first_line = 0;

		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *qk = yaml_document_get_node(&doc, q->key);

			if (qk && qk->type == YAML_SCALAR_NODE &&
			    streq((const char *)qk->data.scalar.value, key)) {
				first_line = qk->start_mark.line + 1;
				break;
			}
		}
		if (first_line > 0) {
			r = add_error(errors, "%s:%zu:%zu: %s: duplicate key (first at line %zu)",
				      path, k->start_mark.line + 1, k->start_mark.column + 1, key,
				      first_line);
			ret = r < 0 ? r : -EINVAL;
			continue;
		}
		r = node_to_value(&doc, v, conf_keys[idx].shape, &value, &why);
		if (r == -EINVAL) {
			r = add_error(errors, "%s:%zu:%zu: %s: %s", path, v->start_mark.line + 1,
				      v->start_mark.column + 1, key, why);
			ret = r < 0 ? r : -EINVAL;
			continue;
		}
		if (r < 0)
			return r;
		if (asprintf(&origin, "%s:%zu:%zu", path, v->start_mark.line + 1,
			     v->start_mark.column + 1) < 0)
			return -ENOMEM;
		r = config_set(n, key, value, origin, errors);
		if (r < 0)
			ret = r;
	}
	if (ret < 0)
		return ret;
done:
	config_replace(c, TAKE_PTR(n));
	return 0;
}
