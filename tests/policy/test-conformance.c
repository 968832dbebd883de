/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-conformance.c: the KubeArmor policy corpus (CORPUS_DIR), read as it is. Every document of a
 * file the manifest marks crd_schema_valid is accepted, with the manifest's kinds and names; every
 * file marked invalid is rejected with an error that names a field. A missing corpus is a failure.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/strv.h"
#include "policy-test-util.h"

#ifndef CORPUS_DIR
#error "CORPUS_DIR must be defined"
#endif

static json_t *load_manifest(void)
{
	json_error_t jerr;
	json_t *m = json_load_file(CORPUS_DIR "/manifest.json", 0, &jerr);

	if (!m)
		ck_abort_msg("corpus manifest %s/manifest.json cannot be read: %s (line %d)",
			     CORPUS_DIR, jerr.text, jerr.line);
	return m;
}

START_TEST(test_corpus)
{
	_cleanup_(json_decrefp) json_t *m = load_manifest();
	json_t *files = json_object_get(m, "files"), *entry;
	size_t i, n_valid = 0, n_invalid = 0, by_kind[_POLICY_KIND_MAX] = {};
	json_t *counts = json_object_get(json_object_get(m, "counts"), "documents_by_kind");

	ck_assert_msg(json_is_array(files) && json_array_size(files) > 0,
		      "manifest lists no files");
	json_array_foreach(files, i, entry)
	{
		const char *name = json_string_value(json_object_get(entry, "file"));
		json_t *valid = json_object_get(entry, "crd_schema_valid");
		json_t *kinds = json_object_get(entry, "kinds"),
		       *names = json_object_get(entry, "policy_names");
		_cleanup_free_ char *path = NULL;
		_cleanup_(policy_file_freep) PolicyFile *f = NULL;

		ck_assert_ptr_nonnull(name);
		ck_assert(json_is_boolean(valid));
		ck_assert_int_ge(asprintf(&path, "%s/%s", CORPUS_DIR, name), 0);
		ck_assert_int_eq(policy_file_load(path, &f), 0);

		if (json_is_true(valid)) {
			n_valid++;
			if (!policy_file_ok(f)) {
				fprintf(stderr, "%s: expected valid, got:\n", name);
				dump_errors(f);
			}
			ck_assert_msg(policy_file_ok(f), "%s must be accepted", name);
			ck_assert_uint_eq(f->n_docs, json_array_size(kinds));
			for (size_t d = 0; d < f->n_docs; d++) {
				const Policy *p = f->docs[d].policy;

				ck_assert_ptr_nonnull(p);
				ck_assert_str_eq(policy_kind_to_string(p->kind),
						 json_string_value(json_array_get(kinds, d)));
				ck_assert_str_eq(p->name,
						 json_string_value(json_array_get(names, d)));
				by_kind[p->kind]++;
			}
		} else {
			bool named = false;

			n_invalid++;
			ck_assert_msg(!policy_file_ok(f), "%s must be rejected", name);
			for (size_t d = 0; d < f->n_docs; d++)
				for (size_t e = 0; e < f->docs[d].n_errors; e++)
					if (!isempty(f->docs[d].errors[e].field) &&
					    f->docs[d].errors[e].line > 0)
						named = true;
			ck_assert_msg(named, "%s: no error names a field", name);
			for (size_t d = 0; d < f->n_docs; d++) {
				const char *k = f->docs[d].kind;

				for (PolicyKind pk = 0; k && pk < _POLICY_KIND_MAX; pk++)
					if (streq(k, policy_kind_to_string(pk)))
						by_kind[pk]++;
			}
		}
	}
	fprintf(stderr, "corpus: %zu valid files accepted, %zu invalid files rejected\n", n_valid,
		n_invalid);
	ck_assert_uint_gt(n_valid, 0);
	ck_assert_uint_gt(n_invalid, 0);
	/* every document of the corpus was seen, per kind */
	for (PolicyKind k = 0; k < _POLICY_KIND_MAX; k++) {
		json_t *c = json_object_get(counts, policy_kind_to_string(k));

		ck_assert_msg(json_is_integer(c), "manifest has no count for %s",
			      policy_kind_to_string(k));
		ck_assert_uint_eq(by_kind[k], (size_t)json_integer_value(c));
	}
}
END_TEST

/* Every policy file in the corpus directory is in the manifest (nothing is silently left out). */
START_TEST(test_corpus_complete)
{
	_cleanup_(json_decrefp) json_t *m = load_manifest();
	_cleanup_strv_free_ char **l = NULL;
	json_t *files = json_object_get(m, "files");

	ck_assert_int_eq(policy_dir_list(CORPUS_DIR, &l), 0);
	ck_assert_uint_eq(strv_length(l), json_array_size(files));
}
END_TEST

/* The invalid file's errors, exactly. */
START_TEST(test_corpus_invalid_detail)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_int_eq(policy_file_load(CORPUS_DIR
					  "/getting-started__use-cases__res__disc-tools.yaml",
					  &f),
			 0);
	ck_assert_uint_eq(f->n_docs, 1);
	ck_assert_ptr_nonnull(find_error(f, "Version", "unknown key"));
	ck_assert_str_eq(find_error(f, "Version", "unknown key")->hint, "'apiVersion'");
	ck_assert_ptr_nonnull(find_error(f, "apiVersion", "required key is missing"));
}
END_TEST

static Suite *conformance_suite(void)
{
	Suite *s = suite_create("policy/conformance");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_corpus);
	tcase_add_test(tc, test_corpus_complete);
	tcase_add_test(tc, test_corpus_invalid_detail);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(conformance_suite)
