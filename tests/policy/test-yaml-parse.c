/* SPDX-License-Identifier: Apache-2.0 */
/* test-yaml-parse.c: hostile input and the limits of policy.h, each with a test. */
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strv.h"
#include "policy-test-util.h"

static char tmpdir[] = "/tmp/ka-policy-test.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	(void)(flag == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

static void teardown(void)
{
	(void)nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(tmpdir, "/tmp/ka-policy-test.XXXXXX");
}

static PolicyFile *parse_buf(const char *buf, size_t len)
{
	PolicyFile *f = NULL;

	ck_assert_int_eq(policy_file_parse_buffer("t.yaml", buf, len, &f), 0);
	ck_assert_ptr_nonnull(f);
	return f;
}

static bool has_error(const PolicyFile *f, const char *substr)
{
	for (size_t i = 0; i < f->n_errors; i++)
		if (strstr(f->errors[i].message, substr))
			return true;
	for (size_t d = 0; d < f->n_docs; d++)
		for (size_t i = 0; i < f->docs[d].n_errors; i++)
			if (strstr(f->docs[d].errors[i].message, substr))
				return true;
	return false;
}

START_TEST(test_empty)
{
	_cleanup_(policy_file_freep) PolicyFile *a = parse_buf("", 0);
	_cleanup_(policy_file_freep) PolicyFile *b = parse_buf("# nothing\n---\n---\n...\n", 22);

	ck_assert(policy_file_ok(a));
	ck_assert_uint_eq(a->n_docs, 0);
	ck_assert(policy_file_ok(b));
	ck_assert_uint_eq(b->n_docs, 0);
}
END_TEST

START_TEST(test_not_utf8)
{
	static const char latin1[] =
		"apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n"
		"  name: caf\xe9\n";
	_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(latin1, sizeof(latin1) - 1);

	ck_assert(!policy_file_ok(f));
	ck_assert_uint_eq(f->n_errors, 1);
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "not valid UTF-8"));
	ck_assert_uint_eq(f->errors[0].line, 4);
	ck_assert_str_eq(f->errors[0].hint, "policy files must be UTF-8 text");
}
END_TEST

START_TEST(test_utf8_bom)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	char buf[1024];

	snprintf(buf, sizeof(buf), "\xef\xbb\xbf%s", HSP_HEAD);
	f = parse_buf(buf, strlen(buf));
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(f->n_docs, 1);
}
END_TEST

START_TEST(test_tabs)
{
	static const char y[] = "apiVersion: security.kubearmor.com/v1\nkind: "
				"KubeArmorPolicy\nmetadata:\n\tname: x\n";
	_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(y, sizeof(y) - 1);

	ck_assert(!policy_file_ok(f));
	ck_assert_uint_eq(f->n_errors, 1);
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "YAML syntax error"));
	ck_assert_uint_eq(f->errors[0].line, 4);
	ck_assert_uint_eq(f->errors[0].column, 1);
	ck_assert_str_eq(f->errors[0].hint, "indent with spaces, not tabs");
}
END_TEST

START_TEST(test_syntax_error_keeps_earlier_documents)
{
	static const char y[] = HSP_HEAD "---\nkey: [unclosed\n";
	_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(y, sizeof(y) - 1);

	ck_assert(!policy_file_ok(f));
	ck_assert_uint_eq(f->n_docs, 1);
	ck_assert_uint_eq(f->docs[0].n_errors, 0);
	ck_assert_uint_eq(f->n_errors, 1);
	ck_assert_uint_ge(f->errors[0].line, 10);
}
END_TEST

START_TEST(test_duplicate_keys)
{
	static const char y[] = "apiVersion: security.kubearmor.com/v1\nkind: "
				"KubeArmorPolicy\nkind: KubeArmorPolicy\n"
				"metadata:\n  name: a\n";
	_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(y, sizeof(y) - 1);
	const PolicyError *e = find_error(f, "kind", "duplicate key");

	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->line, 3);
	ck_assert_uint_eq(e->column, 1);
}
END_TEST

START_TEST(test_anchors_and_aliases)
{
	static const char anchor[] = HSP_HEAD "  tags: &t [a]\n";
	static const char alias[] =
		HSP_HEAD "  process:\n    matchPaths:\n    - path: /bin/a\n      tags: *t\n";
	_cleanup_(policy_file_freep) PolicyFile *a = parse_buf(anchor, sizeof(anchor) - 1);
	_cleanup_(policy_file_freep) PolicyFile *b = parse_buf(alias, sizeof(alias) - 1);
	const PolicyError *e;

	e = find_error(a, "spec.tags", "anchor '&t' is not allowed");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(a->docs[0].policy);
	/* an undefined alias is already a syntax error for libyaml; a defined one is ours */
	ck_assert(!policy_file_ok(b));
	b = policy_file_free(b);
	{
		static const char both[] = HSP_HEAD "  tags: &t [a]\n  process:\n    tags: *t\n    "
						    "matchPaths:\n    - path: /bin/a\n";

		b = parse_buf(both, sizeof(both) - 1);
		e = find_error(b, "spec.process.tags", "alias '*t' is not allowed");
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->line, 11);
		ck_assert_uint_eq(e->column, 11);
	}
}
END_TEST

/* "Billion laughs": nine levels of ten aliases each. No expansion ever happens. */
START_TEST(test_alias_bomb)
{
	char buf[8192];
	size_t o = 0;
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "a: &a [\"lol\"]\n");
	for (char c = 'b'; c <= 'j'; c++) {
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%c: &%c [", c, c);
		for (int i = 0; i < 10; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s*%c", i ? "," : "",
					      c - 1);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "]\n");
	}
	f = parse_buf(buf, o);
	ck_assert(!policy_file_ok(f));
	ck_assert(has_error(f, "alias"));
	ck_assert(has_error(f, "anchor"));
}
END_TEST

START_TEST(test_merge_keys_and_tags)
{
	static const char merge[] = HSP_HEAD "  process:\n    <<: {action: Block}\n";
	static const char str_tag[] = HSP_HEAD "  severity: !!str 5\n";
	static const char custom[] = HSP_HEAD "  message: !vault abc\n";
	static const char complex_key[] = HSP_HEAD "  ? [a, b]\n  : c\n";
	_cleanup_(policy_file_freep) PolicyFile *a = parse_buf(merge, sizeof(merge) - 1);
	_cleanup_(policy_file_freep) PolicyFile *b = parse_buf(str_tag, sizeof(str_tag) - 1);
	_cleanup_(policy_file_freep) PolicyFile *c = parse_buf(custom, sizeof(custom) - 1);
	_cleanup_(policy_file_freep) PolicyFile *d =
		parse_buf(complex_key, sizeof(complex_key) - 1);

	ck_assert(has_error(a, "merge keys"));
	ck_assert_ptr_nonnull(
		find_error(b, "spec.severity", "expected an integer, found the string"));
	ck_assert_ptr_nonnull(find_error(c, "spec.message", "tag '!vault' is not supported"));
	ck_assert(has_error(d, "a mapping key must be a string"));
}
END_TEST

START_TEST(test_long_scalar)
{
	_cleanup_free_ char *buf = malloc(POLICY_MAX_STRING + 1024);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	size_t o;

	ck_assert_ptr_nonnull(buf);
	/* exactly the limit: fine */
	o = (size_t)sprintf(buf, HSP_HEAD "  message: ");
	memset(buf + o, 'm', POLICY_MAX_STRING);
	o += POLICY_MAX_STRING;
	buf[o++] = '\n';
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(strlen(f->docs[0].policy->spec_meta.message), POLICY_MAX_STRING);
	f = policy_file_free(f);
	/* one more byte: an error at the field */
	o = (size_t)sprintf(buf, HSP_HEAD "  message: ");
	memset(buf + o, 'm', POLICY_MAX_STRING + 1);
	o += POLICY_MAX_STRING + 1;
	buf[o++] = '\n';
	f = parse_buf(buf, o);
	ck_assert_ptr_nonnull(find_error(f, "spec.message", "longer than the limit of 4096"));
	ck_assert_uint_eq(f->docs[0].n_errors, 1);
}
END_TEST

static char *nested(int depth, size_t *len)
{
	char *b = malloc((size_t)depth * 2 + 64);
	size_t o = 0;

	ck_assert_ptr_nonnull(b);
	o += (size_t)sprintf(b, "x: ");
	for (int i = 1; i < depth; i++)
		b[o++] = '[';
	for (int i = 1; i < depth; i++)
		b[o++] = ']';
	b[o++] = '\n';
	*len = o;
	return b;
}

START_TEST(test_depth)
{
	size_t len;
	_cleanup_free_ char *ok = nested(POLICY_MAX_DEPTH, &len);
	_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(ok, len);
	_cleanup_free_ char *deep = NULL;
	_cleanup_free_ char *huge = NULL;

	/* the root mapping plus 31 sequences: errors (unknown key) but no nesting error */
	ck_assert(!has_error(f, "nesting"));
	f = policy_file_free(f);
	deep = nested(POLICY_MAX_DEPTH + 1, &len);
	f = parse_buf(deep, len);
	ck_assert_uint_eq(f->n_errors, 1);
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "nesting deeper than the limit of 32"));
	f = policy_file_free(f);
	/* a megabyte of '[' ends at once */
	huge = nested(POLICY_MAX_FILE_SIZE / 2 - 64, &len);
	f = parse_buf(huge, len);
	ck_assert(has_error(f, "nesting"));
}
END_TEST

START_TEST(test_documents_limit)
{
	_cleanup_free_ char *buf = malloc((POLICY_MAX_DOCUMENTS + 1) * 16);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	size_t o = 0;

	ck_assert_ptr_nonnull(buf);
	for (int i = 0; i < POLICY_MAX_DOCUMENTS; i++)
		o += (size_t)sprintf(buf + o, "---\n");
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	f = policy_file_free(f);
	o += (size_t)sprintf(buf + o, "---\n");
	f = parse_buf(buf, o);
	ck_assert(!policy_file_ok(f));
	ck_assert(has_error(f, "more than 256 documents"));
}
END_TEST

START_TEST(test_rules_limit)
{
	size_t cap = (POLICY_MAX_RULES + 2) * 32 + 1024, o;
	_cleanup_free_ char *buf = malloc(cap);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	o = (size_t)sprintf(buf, HSP_HEAD "  file:\n    matchPaths:\n");
	for (int i = 0; i < POLICY_MAX_RULES; i++)
		o += (size_t)sprintf(buf + o, "    - path: /f/%d\n", i);
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(f->docs[0].policy->n_file, POLICY_MAX_RULES);
	f = policy_file_free(f);
	/* one more, through comma expansion of a network rule */
	o += (size_t)sprintf(
		buf + o,
		"  network:\n    matchProtocols:\n    - protocol: tcp,udp\n      fromSource:\n"
		"      - path: /bin/x\n");
	f = parse_buf(buf, o);
	ck_assert(!policy_file_ok(f));
	ck_assert_ptr_nonnull(
		find_error(f, "spec.network.matchProtocols[0]", "more than 4096 rules"));
}
END_TEST

START_TEST(test_rules_limit_counts_sources)
{
	size_t cap = (POLICY_MAX_RULES + 2) * 24 + 1024, o;
	_cleanup_free_ char *buf = malloc(cap);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	/* one comma list of two protocols with 2048 sources: 4096 compiled rules, the limit */
	o = (size_t)sprintf(
		buf, HSP_HEAD
		"  network:\n    matchProtocols:\n    - protocol: tcp,udp\n      fromSource:\n");
	for (int i = 0; i < POLICY_MAX_RULES / 2; i++)
		o += (size_t)sprintf(buf + o, "      - path: /s/%d\n", i);
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(f->docs[0].policy->n_network, 2);
	f = policy_file_free(f);
	o += (size_t)sprintf(buf + o, "      - path: /s/last\n");
	f = parse_buf(buf, o);
	ck_assert_ptr_nonnull(
		find_error(f, "spec.network.matchProtocols[0]", "more than 4096 rules"));
}
END_TEST

START_TEST(test_tags_limit)
{
	char buf[4096];
	size_t o;
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	o = (size_t)sprintf(buf, HSP_HEAD "  tags:\n");
	for (int i = 0; i < POLICY_MAX_TAGS; i++)
		o += (size_t)sprintf(buf + o, "  - t%d\n", i);
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	f = policy_file_free(f);
	o += (size_t)sprintf(buf + o, "  - one-more\n");
	f = parse_buf(buf, o);
	ck_assert_ptr_nonnull(find_error(f, "spec.tags", "more than the limit of 64"));
}
END_TEST

START_TEST(test_warnings_limit)
{
	size_t cap = 300 * 40 + 1024, o;
	_cleanup_free_ char *buf = malloc(cap);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	o = (size_t)sprintf(buf, HSP_HEAD);
	for (int i = 0; i < 300; i++)
		o += (size_t)sprintf(buf + o, "      example.com/l%d: v\n", i);
	f = parse_buf(buf, o);
	ck_assert(policy_file_ok(f));
	ck_assert_uint_eq(f->docs[0].n_warnings, POLICY_MAX_WARNINGS);
}
END_TEST

/* A megabyte of mistakes that each want a "did you mean" hint ends quickly (hints stop with the
 * error budget). Under the test timeout, a quadratic path would hang. */
START_TEST(test_costly_errors_are_bounded)
{
	_cleanup_free_ char *buf = malloc(POLICY_MAX_FILE_SIZE + 64);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	size_t o;

	ck_assert_ptr_nonnull(buf);
	o = (size_t)sprintf(buf, HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: [");
	while (o + 32 < POLICY_MAX_FILE_SIZE)
		o += (size_t)sprintf(buf + o, "unlinq,");
	o += (size_t)sprintf(buf + o, "x]\n");
	f = parse_buf(buf, o);
	ck_assert(has_error(f, "more than 1000 errors"));
	f = policy_file_free(f);

	o = (size_t)sprintf(buf, HSP_HEAD "  network:\n    matchProtocols:\n");
	while (o + 64 < POLICY_MAX_FILE_SIZE)
		o += (size_t)sprintf(buf + o, "    - protocl: tcp\n");
	f = parse_buf(buf, o);
	ck_assert(has_error(f, "more than 1000 errors"));
}
END_TEST

START_TEST(test_errors_limit)
{
	size_t cap = (POLICY_MAX_ERRORS + 10) * 16 + 1024, o;
	_cleanup_free_ char *buf = malloc(cap);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	o = (size_t)sprintf(buf, HSP_HEAD);
	for (int i = 0; i < POLICY_MAX_ERRORS + 10; i++)
		o += (size_t)sprintf(buf + o, "  k%d: 1\n", i);
	f = parse_buf(buf, o);
	ck_assert_uint_eq(f->docs[0].n_errors, POLICY_MAX_ERRORS);
	ck_assert(has_error(f, "more than 1000 errors"));
	ck_assert_uint_eq(policy_file_error_count(f), POLICY_MAX_ERRORS + 1);
}
END_TEST

START_TEST(test_many_keys_no_quadratic)
{
	/* 60000 label keys with a duplicate at the end: found, and quickly (sorted, not pairwise)
	 */
	size_t cap = 60000 * 24 + 1024, o;
	_cleanup_free_ char *buf = malloc(cap);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	o = (size_t)sprintf(buf, HSP_HEAD);
	for (int i = 0; i < 60000 && o + 64 < POLICY_MAX_FILE_SIZE; i++)
		o += (size_t)sprintf(buf + o, "      l%d: v\n", i);
	o += (size_t)sprintf(buf + o, "      l7: v\n");
	f = parse_buf(buf, o);
	ck_assert_ptr_nonnull(find_error(f, "spec.nodeSelector.matchLabels.l7", "duplicate key"));
}
END_TEST

START_TEST(test_binary_junk)
{
	unsigned char buf[4096];
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		_cleanup_(policy_file_freep) PolicyFile *f = NULL;
		size_t n = (size_t)(rand_r(&seed) % sizeof(buf));

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)rand_r(&seed);
		f = parse_buf((const char *)buf, n);
		/* no crash, no leak; junk is never a valid policy unless it is empty-ish */
		ck_assert(f->n_errors > 0 || f->n_docs == 0 || !policy_file_ok(f));
	}
	{
		static const char nul[] = "apiVersion: security\0.kubearmor.com/v1\n";
		_cleanup_(policy_file_freep) PolicyFile *f = parse_buf(nul, sizeof(nul) - 1);

		ck_assert(!policy_file_ok(f));
		ck_assert_uint_eq(f->n_errors, 1);
		ck_assert_ptr_nonnull(strstr(f->errors[0].message, "control characters"));
	}
}
END_TEST

START_TEST(test_buffer_size_limit)
{
	_cleanup_free_ char *buf = malloc(POLICY_MAX_FILE_SIZE + 1);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	memset(buf, '#', POLICY_MAX_FILE_SIZE + 1);
	f = parse_buf(buf, POLICY_MAX_FILE_SIZE); /* a comment of exactly the limit */
	ck_assert(policy_file_ok(f));
	f = policy_file_free(f);
	f = parse_buf(buf, POLICY_MAX_FILE_SIZE + 1);
	ck_assert(!policy_file_ok(f));
	ck_assert(has_error(f, "more than the limit of 1048576 bytes"));
}
END_TEST

/* ---- files ---- */

static char *tmp_path(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	return p;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load_file)
{
	_cleanup_free_ char *p = tmp_path("ok.yaml");
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	write_file(p, HSP_HEAD, strlen(HSP_HEAD));
	ck_assert_int_eq(policy_file_load(p, &f), 0);
	ck_assert(policy_file_ok(f));
	ck_assert_str_eq(f->path, p);
	ck_assert_str_eq(f->docs[0].policy->file, p);
}
END_TEST

START_TEST(test_load_not_regular)
{
	_cleanup_free_ char *fifo = tmp_path("fifo.yaml");
	_cleanup_free_ char *missing = tmp_path("missing.yaml");
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	/* a directory */
	ck_assert_int_eq(policy_file_load(tmpdir, &f), 0);
	ck_assert(!policy_file_ok(f));
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "a directory, not a regular file"));
	f = policy_file_free(f);
	/* a FIFO without a writer: must not block */
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(10);
	ck_assert_int_eq(policy_file_load(fifo, &f), 0);
	alarm(0);
	ck_assert(!policy_file_ok(f));
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "a FIFO, not a regular file"));
	f = policy_file_free(f);
	/* a character device */
	ck_assert_int_eq(policy_file_load("/dev/null", &f), 0);
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "a character device"));
	f = policy_file_free(f);
	/* missing */
	ck_assert_int_eq(policy_file_load(missing, &f), 0);
	ck_assert(!policy_file_ok(f));
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "cannot open"));
	ck_assert_uint_eq(f->errors[0].line, 0);
}
END_TEST

START_TEST(test_load_size_limit)
{
	_cleanup_free_ char *p = tmp_path("big.yaml");
	_cleanup_free_ char *buf = malloc(POLICY_MAX_FILE_SIZE + 1);
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	ck_assert_ptr_nonnull(buf);
	memset(buf, '#', POLICY_MAX_FILE_SIZE + 1);
	write_file(p, buf, POLICY_MAX_FILE_SIZE);
	ck_assert_int_eq(policy_file_load(p, &f), 0);
	ck_assert(policy_file_ok(f));
	f = policy_file_free(f);
	write_file(p, buf, POLICY_MAX_FILE_SIZE + 1);
	ck_assert_int_eq(policy_file_load(p, &f), 0);
	ck_assert(!policy_file_ok(f));
	ck_assert_ptr_nonnull(strstr(f->errors[0].message, "more than the limit"));
}
END_TEST

START_TEST(test_dir_list)
{
	static const char *const names[] = {"b.yaml", "a.yml", ".hidden.yaml", "c.txt",
					    "z.yaml", "yaml",  "d.yaml.bak"};
	_cleanup_strv_free_ char **l = NULL;
	_cleanup_free_ char *sub = tmp_path("sub.yaml");

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *p = tmp_path(names[i]);

		write_file(p, "", 0);
	}
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(policy_dir_list(tmpdir, &l), 0);
	ck_assert_uint_eq(strv_length(l), 4);
	ck_assert_ptr_nonnull(strstr(l[0], "/a.yml"));
	ck_assert_ptr_nonnull(strstr(l[1], "/b.yaml"));
	ck_assert_ptr_nonnull(
		strstr(l[2], "/sub.yaml")); /* listed; loading it reports "a directory" */
	ck_assert_ptr_nonnull(strstr(l[3], "/z.yaml"));
	l = strv_free(l);
	ck_assert_int_eq(policy_dir_list("/nonexistent-dir-for-test", &l), -ENOENT);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("policy/yaml-parse");
	TCase *tc = tcase_create("hostile");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_not_utf8);
	tcase_add_test(tc, test_utf8_bom);
	tcase_add_test(tc, test_tabs);
	tcase_add_test(tc, test_syntax_error_keeps_earlier_documents);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_anchors_and_aliases);
	tcase_add_test(tc, test_alias_bomb);
	tcase_add_test(tc, test_merge_keys_and_tags);
	tcase_add_test(tc, test_binary_junk);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_long_scalar);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_documents_limit);
	tcase_add_test(tc, test_rules_limit);
	tcase_add_test(tc, test_errors_limit);
	tcase_add_test(tc, test_rules_limit_counts_sources);
	tcase_add_test(tc, test_tags_limit);
	tcase_add_test(tc, test_warnings_limit);
	tcase_add_test(tc, test_costly_errors_are_bounded);
	tcase_add_test(tc, test_many_keys_no_quadratic);
	tcase_add_test(tc, test_buffer_size_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_not_regular);
	tcase_add_test(tc, test_load_size_limit);
	tcase_add_test(tc, test_dir_list);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(parse_suite)
