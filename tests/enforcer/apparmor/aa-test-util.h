/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aa-test-util.h: helpers of the AppArmor enforcer tests: a policy file (or YAML text) → a sealed
 * host RuleSet, rendered profiles, and apparmor_parser runs on them.
 *
 * A file's first line may give the postures: "# postures: file=block network=audit
 * capabilities=audit".
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-helpers.h"
#include "core/strv.h"
#include "enforcer/apparmor/aa-profile.h"
#include "policy/policy.h"
#include "rules/rules.h"

#define AA_TEST_DIR TEST_SRCDIR "/tests/enforcer/apparmor"

typedef struct AaCase {
	PolicyFile *pf;
	const Policy **policies;
	size_t n_policies;
	Workload *w;
	RuleSet *rs;
	AaRender *render;
	char *text; /* render->text followed by the rule status report */
} AaCase;

static inline void aa_case_done(AaCase *c)
{
	free(c->text);
	aa_render_free(c->render);
	rule_set_free(c->rs);
	workload_free(c->w);
	free(c->policies);
	policy_file_free(c->pf);
	*c = (AaCase){};
}

static inline RulePostures aa_postures_from(const char *text)
{
	RulePostures p = RULE_POSTURES_DEFAULT;
	const char *l = strstr(text, "# postures:");
	const char *eol = l ? strchr(l, '\n') : NULL;

	if (!l || !eol)
		return p;
	for (const char *q = l; q < eol; q++) {
		if (strneq(q, "file=block", 10))
			p.file = ACTION_BLOCK;
		if (strneq(q, "network=block", 13))
			p.network = ACTION_BLOCK;
		if (strneq(q, "capabilities=block", 18))
			p.capabilities = ACTION_BLOCK;
	}
	return p;
}

/* Compiles and renders. Returns false (and keeps c->pf for inspection) when the parser rejected it.
 */
static inline bool aa_case_from_buffer(AaCase *c, const char *name, const char *yaml, size_t len)
{
	RulePostures p = aa_postures_from(yaml);
	FILE *f;
	size_t tl = 0;

	*c = (AaCase){};
	ck_assert_int_eq(policy_file_parse_buffer(name, yaml, len, &c->pf), 0);
	if (!policy_file_ok(c->pf))
		return false;
	c->policies = calloc(c->pf->n_docs + 1, sizeof(Policy *));
	ck_assert_ptr_nonnull(c->policies);
	for (size_t i = 0; i < c->pf->n_docs; i++)
		c->policies[c->n_policies++] = c->pf->docs[i].policy;
	ck_assert_int_eq(workload_new_host("testhost", NULL, &c->w), 0);
	ck_assert_int_eq(rule_set_compile(c->policies, c->n_policies, c->w, &p, &c->rs), 0);
	ck_assert_int_eq(aa_render_host(c->rs, NULL, &c->render), 0);
	f = open_memstream(&c->text, &tl);
	ck_assert_ptr_nonnull(f);
	fputs(c->render->text, f);
	ck_assert_int_eq(aa_render_report(c->render, c->rs, f), 0);
	fclose(f);
	return true;
}

static inline char *aa_read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	buf = malloc(1024 * 1024 + 1);
	ck_assert_ptr_nonnull(buf);
	len = fread(buf, 1, 1024 * 1024, f);
	fclose(f);
	buf[len] = 0;
	if (ret_len)
		*ret_len = len;
	return buf;
}

static inline bool aa_case_from_file(AaCase *c, const char *path)
{
	size_t len;
	_cleanup_free_ char *buf = aa_read_file(path, &len);

	ck_assert_msg(buf, "cannot read %s", path);
	return aa_case_from_buffer(c, path, buf, len);
}

/* Writes `text` to a temporary file; returns its path (caller unlinks and frees). */
static inline char *aa_write_tmp(const char *text)
{
	char *path = strdup("/tmp/kubearmor-aa-test-XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static inline bool aa_have_parser(void)
{
	return access("/sbin/apparmor_parser", X_OK) == 0 ||
	       access("/usr/sbin/apparmor_parser", X_OK) == 0;
}
