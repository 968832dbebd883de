/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.h: who the host is. Its name (KubeArmor's `HostName`), its machine id (`NodeID`) and the
 * labels that host policies' `nodeSelector` is matched against.
 *
 * Contract:
 * - The host's labels always include `kubearmor.io/hostname=<name>` and
 * `kubernetes.io/hostname=<name>` (so both selectors KubeArmor's examples use match here; reference
 * §10.7), followed by the configured host labels in the order given. No key appears twice: a
 * configured label may not redefine the two hostname keys.
 * - Every label is "key=value" with a key of 1..HOST_LABEL_KEY_MAX bytes and a value of at most
 *   HOST_LABEL_VALUE_MAX bytes, printable ASCII without spaces, '=' or ','.
 * - Nothing here logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define HOST_NAME_MAX_LEN    253 /* a DNS name */
#define HOST_LABEL_KEY_MAX   316 /* Kubernetes: 253-byte prefix + '/' + 63-byte name */
#define HOST_LABEL_VALUE_MAX 253 /* generous: Kubernetes values are at most 63 bytes */
#define HOST_LABELS_MAX	     64	 /* configured labels */

typedef struct HostIdentity {
	char *hostname;	  /* the configured name, or the kernel's host name up to the first '.' */
	char *machine_id; /* 32 lowercase hex digits, or the host name when no machine id is
			     readable */
	char **labels;	  /* strv of "key=value", see the contract above */
} HostIdentity;

/* Builds the identity. `hostname` overrides the kernel's name when non-empty; `labels` is a strv of
 * "key=value" (may be NULL). `machine_id_paths` is a NULL-terminated list of files to try in order
 * (NULL: /etc/machine-id, /var/lib/dbus/machine-id). Returns 0, -EINVAL for a bad host name or
 * label (see host_label_check()), or -ENOMEM. */
int host_identity_new(const char *hostname, char *const *labels,
		      const char *const *machine_id_paths, HostIdentity **ret);
HostIdentity *host_identity_free(HostIdentity *h);
static inline void host_identity_freep(HostIdentity **h)
{
	host_identity_free(*h);
}

/* Validates one "key=value" label. Returns 0 or -EINVAL; on -EINVAL, *reterr_why (if given) points
 * to a static description of the problem. */
int host_label_check(const char *label, const char **reterr_why);

/* Validates a host name (1..253 bytes of [A-Za-z0-9.-_], not starting with '-' or '.'). */
bool host_name_is_valid(const char *name);

/* Reads a machine id (32 hex digits, optionally followed by a newline) from the first readable file
 * of `paths`. Returns 0 and a lowercase copy, -ENOENT when none holds a valid id, or -ENOMEM. */
int host_read_machine_id(const char *const *paths, char **ret);

/* True when `label` ("key=value") is one of the host's labels. */
bool host_identity_has_label(const HostIdentity *h, const char *label);
