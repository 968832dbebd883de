/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-validate.c: `kubearmor validate [--json] FILE|DIR...`. Each file goes through
 * policy_file_load(), the daemon's own code path, so the verdict printed here is the daemon's
 * verdict. A directory stands for the *.yaml / *.yml files directly in it, sorted. Exit 0 only when
 * every file and document is valid; 1 otherwise; 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strv.h"
#include "daemon/verbs.h"
#include "policy/policy.h"

typedef struct Totals {
	size_t files, docs, valid, invalid, errors, warnings;
} Totals;

static int oom(void)
{
	fprintf(stderr, "kubearmor validate: out of memory\n");
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: kubearmor validate [--json] FILE|DIR...\n"
		   "\n"
		   "Check KubeArmor policy files exactly as the agent loads them. A directory "
		   "stands for the\n"
		   "*.yaml and *.yml files directly in it. Exit status 0 only when everything is "
		   "valid.\n"
		   "\n"
		   "  -j --json   Print one JSON object instead of text\n"
		   "  -h --help   Show this help\n"
		   "\n"
		   "See kubearmor-policy(5).\n");
}

static void print_error_line(const char *path, const PolicyError *e, const char *prefix)
{
	_cleanup_free_ char *s = NULL;
	PolicyError copy = *e;
	_cleanup_free_ char *msg = NULL;

	if (prefix) {
		if (asprintf(&msg, "%s%s%s%s", prefix, e->field ?: "", e->field ? ": " : "",
			     e->message) < 0)
			msg = NULL;
		else {
			copy.message = msg;
			copy.field = NULL;
		}
	}
	s = policy_error_to_string(path, &copy);
	printf("%s\n", s ?: "(out of memory)");
}

static void print_text(const PolicyFile *f)
{
	for (size_t i = 0; i < f->n_errors; i++)
		print_error_line(f->path, &f->errors[i], NULL);
	if (f->n_docs == 0 && f->n_errors == 0)
		printf("%s: no policies\n", f->path);
	for (size_t i = 0; i < f->n_docs; i++) {
		const PolicyDoc *d = &f->docs[i];

		if (d->n_errors == 0)
			printf("%s:%u: %s %s: OK\n", f->path, d->line, d->kind ?: "(no kind)",
			       d->name ?: "(no name)");
		else
			printf("%s:%u: %s %s: %zu error%s\n", f->path, d->line,
			       d->kind ?: "(no kind)", d->name ?: "(no name)", d->n_errors,
			       d->n_errors == 1 ? "" : "s");
		for (size_t j = 0; j < d->n_errors; j++)
			print_error_line(f->path, &d->errors[j], NULL);
		for (size_t j = 0; j < d->n_warnings; j++)
			print_error_line(f->path, &d->warnings[j], "warning: ");
	}
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *errors_to_json(const PolicyError *e, size_t n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
			"{s:I, s:I, s:o, s:o, s:o}", "line", (json_int_t)e[i].line, "column",
			(json_int_t)e[i].column, "field", json_str_or_null(e[i].field), "message",
			json_str_or_null(e[i].message), "hint", json_str_or_null(e[i].hint));
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *file_to_json(const PolicyFile *f)
{
	_cleanup_(json_decrefp) json_t *docs = json_array();
	json_t *errs;

	if (!docs)
		return NULL;
	for (size_t i = 0; i < f->n_docs; i++) {
		const PolicyDoc *d = &f->docs[i];
		json_t *e = errors_to_json(d->errors, d->n_errors),
		       *w = errors_to_json(d->warnings, d->n_warnings);
		json_t *o;

		if (!e || !w) {
			json_decref(e);
			json_decref(w);
			return NULL;
		}
		o = json_pack("{s:I, s:I, s:o, s:o, s:b, s:o, s:o}", "index", (json_int_t)d->index,
			      "line", (json_int_t)d->line, "kind", json_str_or_null(d->kind),
			      "name", json_str_or_null(d->name), "ok", d->n_errors == 0, "errors",
			      e, "warnings", w);
		if (!o || json_array_append_new(docs, o) < 0)
			return NULL;
	}
	errs = errors_to_json(f->errors, f->n_errors);
	if (!errs)
		return NULL;
	return json_pack("{s:s, s:b, s:o, s:O}", "path", f->path, "ok", policy_file_ok(f), "errors",
			 errs, "documents", docs);
}

/* Expands the arguments: directories into their policy files. Unreadable directories are reported
 * as a file with one error (via policy_file_load on the directory itself would say "a directory").
 */
static int expand_args(char **args, size_t n, char ***ret, char ***ret_bad_dirs)
{
	_cleanup_strv_free_ char **files = NULL, **bad = NULL;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			_cleanup_strv_free_ char **l = NULL;

			r = policy_dir_list(args[i], &l);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				_cleanup_free_ char *m = NULL;

				if (asprintf(&m, "%s: cannot read directory: %s", args[i],
					     strerror(-r)) < 0)
					return -ENOMEM;
				if (strv_consume(&bad, TAKE_PTR(m)) < 0)
					return -ENOMEM;
				continue;
			}
			STRV_FOREACH(p, l)
			if (strv_extend(&files, *p) < 0)
				return -ENOMEM;
		} else if (strv_extend(&files, args[i]) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(files);
	*ret_bad_dirs = TAKE_PTR(bad);
	return 0;
}

int verb_validate(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_strv_free_ char **files = NULL, **bad_dirs = NULL;
	_cleanup_(json_decrefp) json_t *jfiles = NULL;
	Totals t = {};
	bool json = false, all_ok = true;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) >= 0)
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind >= argc) {
		fprintf(stderr, "kubearmor validate: no FILE or DIR given\n");
		usage(stderr);
		return 2;
	}

	r = expand_args(argv + optind, (size_t)(argc - optind), &files, &bad_dirs);
	if (r < 0) {
		fprintf(stderr, "kubearmor validate: %s\n", strerror(-r));
		return 1;
	}
	if (json) {
		jfiles = json_array();
		if (!jfiles)
			return oom();
	}
	STRV_FOREACH(m, bad_dirs)
	{
		all_ok = false;
		if (!json)
			printf("%s\n", *m);
	}

	STRV_FOREACH(p, files)
	{
		_cleanup_(policy_file_freep) PolicyFile *f = NULL;

		r = policy_file_load(*p, &f);
		if (r < 0)
			return oom();
		t.files++;
		t.docs += f->n_docs;
		t.errors += policy_file_error_count(f);
		t.warnings += policy_file_warning_count(f);
		for (size_t i = 0; i < f->n_docs; i++) {
			if (f->docs[i].n_errors)
				t.invalid++;
			else
				t.valid++;
		}
		if (!policy_file_ok(f))
			all_ok = false;
		if (json) {
			json_t *o = file_to_json(f);

			if (!o || json_array_append_new(jfiles, o) < 0)
				return oom();
		} else
			print_text(f);
	}

	if (json) {
		_cleanup_(json_decrefp) json_t *top = NULL, *jbad = json_array();
		_cleanup_free_ char *s = NULL;

		if (!jbad)
			return oom();
		STRV_FOREACH(m, bad_dirs)
		if (json_array_append_new(jbad, json_string(*m)) < 0)
			return oom();
		top = json_pack("{s:b, s:O, s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "ok", all_ok,
				"files", jfiles, "directory_errors", jbad, "summary", "files",
				(json_int_t)t.files, "documents", (json_int_t)t.docs, "valid",
				(json_int_t)t.valid, "invalid", (json_int_t)t.invalid, "errors",
				(json_int_t)t.errors, "warnings", (json_int_t)t.warnings);
		if (!top)
			return oom();
		s = json_dumps(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!s)
			return oom();
		printf("%s\n", s);
	} else
		printf("%zu file%s, %zu document%s: %zu valid, %zu invalid, %zu error%s, %zu "
		       "warning%s\n",
		       t.files, t.files == 1 ? "" : "s", t.docs, t.docs == 1 ? "" : "s", t.valid,
		       t.invalid, t.errors, t.errors == 1 ? "" : "s", t.warnings,
		       t.warnings == 1 ? "" : "s");
	fflush(stdout);
	return all_ok ? 0 : 1;
}
