/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: policy files → PolicyFile. Reads with limits (a regular file only, opened non-blocking
 * so a FIFO cannot hang us, at most POLICY_MAX_FILE_SIZE bytes), parses (yaml-parse.c), validates
 * each document (validate.c), and checks what spans documents (names used twice in one file).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strv.h"
#include "policy/policy-internal.h"

static void policy_doc_done(PolicyDoc *d)
{
	free(d->kind);
	free(d->name);
	policy_free(d->policy);
	policy_error_list_free(d->errors, d->n_errors);
	policy_error_list_free(d->warnings, d->n_warnings);
}

PolicyFile *policy_file_free(PolicyFile *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n_docs; i++)
		policy_doc_done(&f->docs[i]);
	free(f->docs);
	policy_error_list_free(f->errors, f->n_errors);
	free(f->path);
	free(f);
	return NULL;
}

bool policy_file_ok(const PolicyFile *f)
{
	return f && policy_file_error_count(f) == 0;
}

size_t policy_file_error_count(const PolicyFile *f)
{
	size_t n;

	if (!f)
		return 0;
	n = f->n_errors;
	for (size_t i = 0; i < f->n_docs; i++)
		n += f->docs[i].n_errors;
	return n;
}

size_t policy_file_warning_count(const PolicyFile *f)
{
	size_t n = 0;

	for (size_t i = 0; f && i < f->n_docs; i++)
		n += f->docs[i].n_warnings;
	return n;
}

char *policy_error_to_string(const char *file, const PolicyError *e)
{
	char pos[64] = "", *s = NULL;
	int r;

	if (e->line && e->column)
		snprintf(pos, sizeof(pos), ":%u:%u", e->line, e->column);
	else if (e->line)
		snprintf(pos, sizeof(pos), ":%u", e->line);
	r = asprintf(&s, "%s%s: %s%s%s%s%s%s", file ?: "-", pos, e->field ?: "",
		     e->field ? ": " : "", e->message ?: "", e->hint ? " (hint: " : "",
		     e->hint ?: "", e->hint ? ")" : "");
	return r < 0 ? NULL : s;
}

static int file_error(PolicyFile *f, unsigned line, unsigned col, const char *hint, const char *msg)
{
	return policy_error_list_add(&f->errors, &f->n_errors, line, col, NULL, hint, msg);
}

/* The same kind and name (and namespace) twice in one file: the second would replace the first.
 * Compared as written, so an invalid document still claims its name. */
static bool same_identity(const PolicyDoc *a, const PolicyDoc *b)
{
	if (!a->kind || !b->kind || !a->name || !b->name || !streq(a->kind, b->kind) ||
	    !streq(a->name, b->name))
		return false;
	/* Namespaced kind: the namespace is part of the identity; only known for valid documents.
	 */
	if (streq(a->kind, policy_kind_to_string(POLICY_KIND_KSP)))
		return a->policy && b->policy &&
		       streq(a->policy->namespace ?: "", b->policy->namespace ?: "");
	return true;
}

static int check_duplicate_names(PolicyFile *f)
{
	for (size_t i = 0; i < f->n_docs; i++) {
		PolicyDoc *d = &f->docs[i];

		for (size_t j = 0; j < i; j++) {
			char msg[512];

			if (!same_identity(&f->docs[j], d))
				continue;
			snprintf(msg, sizeof(msg),
				 "'%s' is already the name of the %s in document %u (line %u)",
				 d->name, d->kind, f->docs[j].index + 1, f->docs[j].line);
			if (policy_error_list_add(&d->errors, &d->n_errors, d->line, 1,
						  "metadata.name", "give each policy its own name",
						  msg) < 0)
				return -ENOMEM;
			d->policy = policy_free(d->policy);
			break;
		}
	}
	return 0;
}

static int parse_into(PolicyFile *f, const char *buf, size_t len)
{
	_cleanup_(arena_freep) Arena *a = arena_new();
	ErrorBudget budget = {};
	YStream st;
	int r;

	if (!a)
		return -ENOMEM;
	r = yaml_parse(a, buf, len, &st);
	if (r < 0)
		return r;

	if (st.n_docs) {
		f->docs = calloc(st.n_docs, sizeof(PolicyDoc));
		if (!f->docs)
			return -ENOMEM;
	}
	for (size_t i = 0; i < st.n_docs; i++) {
		r = policy_validate_document(f->path, &st.docs[i], &f->docs[i], &budget);
		f->n_docs++;
		if (r < 0)
			return r;
	}
	r = check_duplicate_names(f);
	if (r < 0)
		return r;
	if (st.failed) {
		r = file_error(f, st.error_pos.line, st.error_pos.column, st.error_hint, st.error);
		if (r < 0)
			return r;
	}
	if (budget.exhausted) {
		char msg[128];

		snprintf(msg, sizeof(msg), "more than %d errors; the rest are not shown",
			 POLICY_MAX_ERRORS);
		r = file_error(f, 0, 0, NULL, msg);
		if (r < 0)
			return r;
	}
	return 0;
}

int policy_file_parse_buffer(const char *name, const char *buf, size_t len, PolicyFile **ret)
{
	_cleanup_(policy_file_freep) PolicyFile *f = new0(PolicyFile, 1);
	int r;

	if (!f)
		return -ENOMEM;
	f->path = strdup(name ?: "-");
	if (!f->path)
		return -ENOMEM;
	if (len > POLICY_MAX_FILE_SIZE) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "%zu bytes, more than the limit of %d bytes for a policy file", len,
			 POLICY_MAX_FILE_SIZE);
		r = file_error(f, 0, 0, "split the file", msg);
	} else
		r = parse_into(f, buf, len);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	return 0;
}

static const char *file_type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

/* Reads a regular file of at most POLICY_MAX_FILE_SIZE bytes. Returns 0 and the buffer, 1 when an
 * error was recorded in `f`, or -ENOMEM. */
static int read_policy_file(PolicyFile *f, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	char msg[512];
	struct stat st;
	size_t len = 0;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		return file_error(f, 0, 0, NULL, msg) ?: 1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(msg, sizeof(msg), "cannot stat: %s", strerror(errno));
		return file_error(f, 0, 0, NULL, msg) ?: 1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg), "%s, not a regular file", file_type_name(st.st_mode));
		return file_error(f, 0, 0,
				  S_ISDIR(st.st_mode) ? "pass a directory as an argument of its own"
						      : NULL,
				  msg)
			       ?: 1;
	}
	if (st.st_size > POLICY_MAX_FILE_SIZE) {
		snprintf(msg, sizeof(msg),
			 "%lld bytes, more than the limit of %d bytes for a policy file",
			 (long long)st.st_size, POLICY_MAX_FILE_SIZE);
		return file_error(f, 0, 0, "split the file", msg) ?: 1;
	}

	/* One byte more than the limit, to notice a file that grew after fstat(). */
	buf = malloc((size_t)st.st_size + 2);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t cap = (size_t)st.st_size + 1;
		ssize_t n;

		if (len >= cap)
			break;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
			return file_error(f, 0, 0, NULL, msg) ?: 1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* A short read of a regular file is its end: spare the read() that would return 0.
		 */
		if ((size_t)n < cap - (len - (size_t)n))
			break;
	}
	if (len > (size_t)st.st_size) {
		snprintf(msg, sizeof(msg), "the file changed while it was read");
		return file_error(f, 0, 0, "try again", msg) ?: 1;
	}
	buf[len] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int policy_file_load(const char *path, PolicyFile **ret)
{
	_cleanup_(policy_file_freep) PolicyFile *f = new0(PolicyFile, 1);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	if (!f)
		return -ENOMEM;
	f->path = strdup(path);
	if (!f->path)
		return -ENOMEM;
	r = read_policy_file(f, path, &buf, &len);
	if (r < 0)
		return r;
	if (r == 0) {
		r = parse_into(f, buf, len);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(f);
	return 0;
}

static bool is_policy_name(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	return (l > 5 && streq(n + l - 5, ".yaml")) || (l > 4 && streq(n + l - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int policy_dir_list(const char *dir, char ***ret)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	_cleanup_strv_free_ char **l = NULL;
	struct dirent *de;

	if (!d)
		return -errno;
	for (;;) {
		char *p;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return -errno;
			break;
		}
		if (!is_policy_name(de->d_name))
			continue;
		if (asprintf(&p, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			     de->d_name) < 0)
			return -ENOMEM;
		if (strv_consume(&l, p) < 0) {
			free(p);
			return -ENOMEM;
		}
	}
	if (!l) {
		l = new0(char *, 1);
		if (!l)
			return -ENOMEM;
	}
	qsort(l, strv_length(l), sizeof(char *), cmp_str);
	*ret = TAKE_PTR(l);
	return 0;
}
