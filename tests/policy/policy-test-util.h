/* SPDX-License-Identifier: Apache-2.0 */
/* policy-test-util.h: helpers shared by the policy tests: parse a YAML string and look for errors.
 */
#pragma once

#include <string.h>

#include "check-helpers.h"
#include "policy/policy.h"

#define HSP_HEAD                                  \
	"apiVersion: security.kubearmor.com/v1\n" \
	"kind: KubeArmorHostPolicy\n"             \
	"metadata:\n"                             \
	"  name: t\n"                             \
	"spec:\n"                                 \
	"  nodeSelector:\n"                       \
	"    matchLabels:\n"                      \
	"      kubearmor.io/hostname: \"*\"\n"

#define KSP_HEAD                                  \
	"apiVersion: security.kubearmor.com/v1\n" \
	"kind: KubeArmorPolicy\n"                 \
	"metadata:\n"                             \
	"  name: t\n"                             \
	"  namespace: default\n"                  \
	"spec:\n"                                 \
	"  selector:\n"                           \
	"    matchLabels:\n"                      \
	"      app: web\n"

#define CSP_HEAD                                  \
	"apiVersion: security.kubearmor.com/v1\n" \
	"kind: KubeArmorClusterPolicy\n"          \
	"metadata:\n"                             \
	"  name: t\n"                             \
	"spec:\n"

static inline void dump_errors(const PolicyFile *f)
{
	for (size_t i = 0; i < f->n_errors; i++) {
		_cleanup_free_ char *s = policy_error_to_string(f->path, &f->errors[i]);
		fprintf(stderr, "  file error: %s\n", s);
	}
	for (size_t d = 0; d < f->n_docs; d++)
		for (size_t i = 0; i < f->docs[d].n_errors; i++) {
			_cleanup_free_ char *s =
				policy_error_to_string(f->path, &f->docs[d].errors[i]);
			fprintf(stderr, "  error: %s\n", s);
		}
}

static inline PolicyFile *parse_str(const char *yaml)
{
	PolicyFile *f = NULL;

	ck_assert_int_eq(policy_file_parse_buffer("t.yaml", yaml, strlen(yaml), &f), 0);
	ck_assert_ptr_nonnull(f);
	return f;
}

/* Parses and requires a valid file with exactly one policy; returns the file (policy in docs[0]).
 */
static inline PolicyFile *expect_ok(const char *yaml)
{
	PolicyFile *f = parse_str(yaml);

	if (!policy_file_ok(f)) {
		fprintf(stderr, "unexpected errors for:\n%s\n", yaml);
		dump_errors(f);
	}
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(f->n_docs, 1);
	ck_assert_ptr_nonnull(f->docs[0].policy);
	return f;
}

/* The first error (file-level or in any document) whose field equals `field` (NULL: file-level
 * errors) and whose message contains `substr`. */
static inline const PolicyError *find_error(const PolicyFile *f, const char *field,
					    const char *substr)
{
	for (size_t i = 0; i < f->n_errors; i++)
		if (!field && strstr(f->errors[i].message, substr))
			return &f->errors[i];
	for (size_t d = 0; d < f->n_docs; d++)
		for (size_t i = 0; i < f->docs[d].n_errors; i++) {
			const PolicyError *e = &f->docs[d].errors[i];

			if (((!field && !e->field) ||
			     (field && e->field && strcmp(e->field, field) == 0)) &&
			    strstr(e->message, substr))
				return e;
		}
	return NULL;
}

/* Parses and requires an error at `field` containing `substr`; the document has no policy. */
static inline void expect_error_hint(const char *yaml, const char *field, const char *substr,
				     const char *hint)
{
	_cleanup_(policy_file_freep) PolicyFile *f = parse_str(yaml);
	const PolicyError *e;

	ck_assert(!policy_file_ok(f));
	e = find_error(f, field, substr);
	if (!e) {
		fprintf(stderr, "expected error '%s' at '%s' for:\n%s\ngot:\n", substr,
			field ?: "(file)", yaml);
		dump_errors(f);
	}
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_gt(e->line, 0);
	for (size_t d = 0; d < f->n_docs; d++)
		if (f->docs[d].n_errors)
			ck_assert_ptr_null(f->docs[d].policy);
	if (hint) {
		ck_assert_ptr_nonnull(e->hint);
		ck_assert_str_eq(e->hint, hint);
	}
}

static inline void expect_error(const char *yaml, const char *field, const char *substr)
{
	expect_error_hint(yaml, field, substr, NULL);
}
