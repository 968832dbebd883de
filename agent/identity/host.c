/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/strv.h"
#include "identity/host.h"

static const char *const default_machine_id_paths[] = {
	"/etc/machine-id",
	"/var/lib/dbus/machine-id",
	NULL,
};

bool host_name_is_valid(const char *name)
{
	size_t n;

	if (isempty(name))
		return false;
	n = strlen(name);
	if (n > HOST_NAME_MAX_LEN || name[0] == '-' || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			return false;
	return true;
}

int host_label_check(const char *label, const char **reterr_why)
{
	const char *eq, *why = NULL;
	size_t klen, vlen;

	if (!label)
		why = "missing label";
	else if (!(eq = strchr(label, '=')))
		why = "not of the form key=value";
	else {
		klen = (size_t)(eq - label);
		vlen = strlen(eq + 1);
		if (klen == 0)
			why = "empty key";
		else if (klen > HOST_LABEL_KEY_MAX)
			why = "key too long";
		else if (vlen > HOST_LABEL_VALUE_MAX)
			why = "value too long";
		else if (strchr(eq + 1, '='))
			why = "value contains '='";
		else
			for (const char *p = label; *p; p++)
				if (!isgraph((unsigned char)*p) || *p == ',') {
					why = "contains a space, a comma or a non-printable "
					      "character";
					break;
				}
	}
	if (why) {
		if (reterr_why)
			*reterr_why = why;
		return -EINVAL;
	}
	return 0;
}

int host_read_machine_id(const char *const *paths, char **ret)
{
	if (!paths)
		paths = default_machine_id_paths;

	for (const char *const *p = paths; *p; p++) {
		_cleanup_close_ int fd = -EBADF;
		char buf[34];
		ssize_t n;

		fd = open(*p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 32 || (n > 32 && buf[32] != '\n') || n > 33)
			continue;
		buf[32] = '\0';
		if (strspn(buf, "0123456789abcdefABCDEF") != 32)
			continue;
		for (char *c = buf; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		/* All zeroes is systemd's "uninitialized" marker. */
		if (strspn(buf, "0") == 32)
			continue;
		*ret = strdup(buf);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int label_key_equal(const char *a, const char *b)
{
	size_t ka = strcspn(a, "="), kb = strcspn(b, "=");

	return ka == kb && strneq(a, b, ka);
}

HostIdentity *host_identity_free(HostIdentity *h)
{
	if (!h)
		return NULL;
	free(h->hostname);
	free(h->machine_id);
	strv_free(h->labels);
	free(h);
	return NULL;
}

int host_identity_new(const char *hostname, char *const *labels,
		      const char *const *machine_id_paths, HostIdentity **ret)
{
	_cleanup_(host_identity_freep) HostIdentity *h = NULL;
	_cleanup_free_ char *l1 = NULL, *l2 = NULL;
	char buf[HOST_NAME_MAX_LEN + 2] = "";
	int r;

	if (strv_length(labels) > HOST_LABELS_MAX)
		return -EINVAL;

	h = new0(HostIdentity, 1);
	if (!h)
		return -ENOMEM;

	if (isempty(hostname)) {
		if (gethostname(buf, sizeof(buf) - 1) < 0)
			return -errno;
		buf[strcspn(buf, ".")] = '\0';
		hostname = buf[0] ? buf : "localhost";
	}
	if (!host_name_is_valid(hostname))
		return -EINVAL;
	h->hostname = strdup(hostname);
	if (!h->hostname)
		return -ENOMEM;

	r = host_read_machine_id(machine_id_paths, &h->machine_id);
	if (r == -ENOENT)
		h->machine_id = strdup(h->hostname);
	else if (r < 0)
		return r;
	if (!h->machine_id)
		return -ENOMEM;

	if (asprintf(&l1, "kubearmor.io/hostname=%s", h->hostname) < 0 ||
	    asprintf(&l2, "kubernetes.io/hostname=%s", h->hostname) < 0)
		return -ENOMEM;
	r = strv_consume(&h->labels, l1);
	if (r < 0)
		return r;
	l1 = NULL;
	r = strv_consume(&h->labels, l2);
	if (r < 0)
		return r;
	l2 = NULL;

	STRV_FOREACH(l, labels)
	{
		if (host_label_check(*l, NULL) < 0)
			return -EINVAL;
		STRV_FOREACH(o, h->labels)
		if (label_key_equal(*l, *o))
			return -EINVAL;
		r = strv_extend(&h->labels, *l);
		if (r < 0)
			return r;
	}

	*ret = TAKE_PTR(h);
	return 0;
}

bool host_identity_has_label(const HostIdentity *h, const char *label)
{
	return h && strv_contains(h->labels, label);
}
