/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz-policy-parse.c: libFuzzer target for the policy parser and validator: any bytes through
 * policy_file_parse_buffer(), every error formatted, everything freed. Crashes, leaks and sanitizer
 * reports are findings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(const char *path, const PolicyError *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(policy_error_to_string(path, &e[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PolicyFile *f = NULL;

	if (policy_file_parse_buffer("fuzz.yaml", (const char *)data, size, &f) < 0)
		return 0;
	touch(f->path, f->errors, f->n_errors);
	for (size_t d = 0; d < f->n_docs; d++) {
		const Policy *p = f->docs[d].policy;

		touch(f->path, f->docs[d].errors, f->docs[d].n_errors);
		touch(f->path, f->docs[d].warnings, f->docs[d].n_warnings);
		/* A valid document honours the model's invariants. */
		if (p) {
			if (f->docs[d].n_errors || !p->name || p->spec_meta.action == ACTION_UNSET)
				abort();
			for (size_t i = 0; i < p->n_process; i++)
				if (p->process[i].meta.action == ACTION_UNSET ||
				    !p->process[i].value)
					abort();
			for (size_t i = 0; i < p->n_capabilities; i++)
				if (p->capabilities[i].number < 0)
					abort();
		}
	}
	(void)policy_file_ok(f);
	policy_file_free(f);
	return 0;
}
