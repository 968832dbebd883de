/* SPDX-License-Identifier: Apache-2.0 */
/* policy-internal.h: internal to agent/policy. The validator's entry point and error list helpers.
 */
#pragma once

#include <stdarg.h>

#include "core/macro.h"
#include "policy/policy.h"
#include "policy/yaml-node.h"

/* Appends an error (copies field/hint/message). Returns 0 or -ENOMEM. */
int policy_error_list_add(PolicyError **list, size_t *n, unsigned line, unsigned column,
			  const char *field, const char *hint, const char *message);
void policy_error_list_free(PolicyError *list, size_t n);

/* Per-file budget of recorded errors (POLICY_MAX_ERRORS). */
typedef struct ErrorBudget {
	size_t used;
	bool exhausted;
} ErrorBudget;

/* Validates one document tree and fills `doc` (errors, warnings, kind, name, and policy when
 * valid). Returns 0 or -ENOMEM. */
int policy_validate_document(const char *file, const YDoc *yd, PolicyDoc *doc, ErrorBudget *budget);
