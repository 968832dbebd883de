/* SPDX-License-Identifier: Apache-2.0 */
/*
 * status.h: `kubearmor status`. The running agent listens on a unix socket (default
 * /run/kubearmor/status.sock, mode 0600, root only); each connection receives one JSON document and
 * is closed. The client prints it as text or passes the JSON on. The only file of daemon/ that
 * includes <jansson.h>.
 *
 * The document: {"version", "pid", "started", "host": {...}, "config": {...},
 * "enforcer": {"active", "reason"}, "monitor": {"active", "reason", ...},
 * "policyDir": {"path", "present", "generation"}, "files": [...], "rules": [...],
 * "counters": {...}}; see kubearmor(8).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "daemon/manager.h"

#define STATUS_MAX_REPLY   (16 * 1024 * 1024) /* bytes the client accepts */
#define STATUS_MAX_CLIENTS 16

typedef struct StatusServer StatusServer;

/* Binds `path` (replacing a stale socket, creating the parent directory 0755), mode 0600. Logs. */
int status_server_new(Manager *m, const char *path, StatusServer **ret);
StatusServer *status_server_free(StatusServer *s);

/* The status document, compact JSON. */
int status_build_json(Manager *m, char **ret);

/* Client: connects to `path` and reads the document. Returns 0 or -errno. */
int status_query(const char *path, char **ret_json);
/* Prints `json` as text (or re-indented JSON when as_json). Returns 0 or -EINVAL for a bad
 * document. */
int status_print(const char *json, bool as_json, FILE *out);
