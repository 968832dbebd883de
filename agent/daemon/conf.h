/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.h: the agent's configuration, /etc/kubearmor/kubearmor.yaml (kubearmor.yaml(5)).
 *
 * Sources, lowest precedence first: built-in defaults, the YAML file, KUBEARMOR_<KEY> environment
 * variables (the key upper-cased: KUBEARMOR_HOSTVISIBILITY), command-line flags. The file is
 * strict: an unknown key, a duplicate key or a bad value is an error naming file:line:column, and a
 * file with errors is not applied at all (on reload the running configuration stays).
 *
 * Keys (camelCase, as KubeArmor's): lsm, hostDefaultFilePosture, hostDefaultNetworkPosture,
 * hostDefaultCapabilitiesPosture, hostVisibility, policyDir, alertThrottling, maxAlertPerSec,
 * throttleSec, host, hostLabels, cluster.
 *
 * Nothing here logs: errors come back as a strv of complete messages for the caller to log.
 */
#pragma once

#include <stdbool.h>

#include "core/macro.h"

#define CONF_MAX_FILE_SIZE	(64 * 1024) /* bytes of kubearmor.yaml */
#define CONF_MAX_STRING		4096	    /* bytes of any value */
#define CONF_MAX_ALERTS_PER_SEC 1000000
#define CONF_MAX_THROTTLE_SEC	86400

typedef enum Posture {
	POSTURE_AUDIT,
	POSTURE_BLOCK,
	_POSTURE_MAX,
	_POSTURE_INVALID = -EINVAL,
} Posture;

/* The host's default-posture classes (reference §2.10). */
typedef enum PostureClass {
	POSTURE_CLASS_FILE,
	POSTURE_CLASS_NETWORK,
	POSTURE_CLASS_CAPABILITIES,
	_POSTURE_CLASS_MAX,
} PostureClass;

/* hostVisibility bits (reference §6.4). */
typedef enum Visibility {
	VISIBILITY_PROCESS = 1 << 0,
	VISIBILITY_FILE = 1 << 1,
	VISIBILITY_NETWORK = 1 << 2,
	VISIBILITY_CAPABILITIES = 1 << 3,
	VISIBILITY_ALL = (1 << 4) - 1,
} Visibility;

typedef struct Config {
	char **lsm; /* enforcer preference, lowercase; {"none"} = monitor only */
	Posture host_posture[_POSTURE_CLASS_MAX];
	unsigned host_visibility; /* Visibility bits */
	char *policy_dir;
	bool alert_throttling;
	unsigned max_alert_per_sec;
	unsigned throttle_sec;
	char *host;	    /* NULL: the kernel's host name */
	char **host_labels; /* strv of "key=value" */
	char *cluster;
} Config;

/* A Config with the built-in defaults (policy directory `policy_dir`, or POLICY_DIR when NULL). */
int config_new(Config **ret);
Config *config_free(Config *c);
static inline void config_freep(Config **c)
{
	config_free(*c);
}

/* Reads `path` over `c`. A missing file is not an error when !must_exist (returns 0 and leaves c
 * alone). On errors returns -EINVAL (or -errno for I/O) with messages appended to *errors, and
 * leaves c unchanged. */
int config_load_file(Config *c, const char *path, bool must_exist, char ***errors);

/* Sets one key from a string, as the environment and --set do. Lists (lsm, hostVisibility) are
 * comma-separated; hostLabels is "k=v,k2=v2". `origin` prefixes error messages. Returns 0 or
 * -EINVAL with a message appended to *errors (c unchanged). */
int config_set(Config *c, const char *key, const char *value, const char *origin, char ***errors);

/* Applies every KUBEARMOR_<KEY> variable of `envp` (NULL: environ). Variables naming no key are
 * reported as errors too, except those in `ignore` (e.g. KUBEARMOR_LOG_LEVEL). */
int config_apply_env(Config *c, char **envp, char *const *ignore, char ***errors);

/* True when `key` is a configuration key (exact camelCase). */
bool config_key_is_valid(const char *key);

const char *posture_to_string(Posture p);	     /* "audit", "block" */
Posture posture_from_string(const char *s);	     /* case-insensitive */
const char *posture_class_to_string(PostureClass c); /* "file", "network", "capabilities" */

/* Renders visibility bits as "process,file,network,capabilities" or "none". Returns NULL on OOM. */
char *visibility_to_string(unsigned v);
/* Parses "process,file,...", "none" or "default" (all four). Returns 0 or -EINVAL. */
int visibility_from_string(const char *s, unsigned *ret);
