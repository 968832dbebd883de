/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-corpus.c: every policy of the KubeArmor corpus (CORPUS_DIR, read in place) that the parser
 * accepts is compiled on its own, and every compiled rule is exercised by an operation built to hit
 * it: the decision must come from a rule of that policy (never "nothing matched"), and a Block rule
 * hit head-on must block. This proves each rule of real policies reaches the decision function.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "check-helpers.h"
#include "core/strv.h"
#include "policy/policy.h"
#include "rules/rules.h"

/* A concrete path that `pattern` matches: glob characters replaced; NULL if that does not match. */
static char *pattern_instance(const char *pattern)
{
	char *s = strdup(pattern), *o = s;

	ck_assert_ptr_nonnull(s);
	for (const char *p = pattern; *p; p++) {
		if (*p == '*' || *p == '?')
			*o++ = 'x';
		else if (*p == '[' || *p == '\\') {
			free(s);
			return NULL;
		} else
			*o++ = *p;
	}
	*o = 0;
	if (fnmatch(pattern, s, FNM_PATHNAME) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

typedef struct Stats {
	unsigned long policies, rules, hit, blocked, skipped;
} Stats;

static void exercise(const RuleSet *rs, const Rule *r, Stats *st)
{
	_cleanup_free_ char *path = NULL;
	RuleOp op = {.class = r->class, .subject = r->source};
	RuleDecision d;
	bool head_on;

	switch (r->match) {
	case RULE_MATCH_PATH:
		op.path = r->target;
		break;
	case RULE_MATCH_EXECNAME:
		ck_assert_int_ge(asprintf(&path, "/usr/bin/%s", r->target), 0);
		op.path = path;
		break;
	case RULE_MATCH_DIR:
		ck_assert_int_ge(asprintf(&path, "%sfile", r->target), 0);
		op.path = path;
		break;
	case RULE_MATCH_DIR_RECURSIVE:
		ck_assert_int_ge(asprintf(&path, "%sa/b/file", r->target), 0);
		op.path = path;
		break;
	case RULE_MATCH_PATTERN:
		path = pattern_instance(r->target);
		if (!path) {
			st->skipped++;
			return;
		}
		op.path = path;
		break;
	case RULE_MATCH_PROTOCOL:
		ck_assert_int_eq(
			net_socket_from_name(r->target, &op.domain, &op.type, &op.protocol), 0);
		break;
	case RULE_MATCH_CAPABILITY:
		op.capability = r->capability;
		break;
	case RULE_MATCH_DOMAIN:
		op.domain_name = r->target;
		break;
	case RULE_MATCH_SYSCALL: {
		const Rule *m;
		char *src = NULL;

		if (!r->source && r->source_dir)
			ck_assert_int_ge(asprintf(&src, "%sprog", r->source_dir), 0);
		m = rule_set_match_syscall(rs, r->syscalls[0], r->target, r->source ?: src);
		free(src);
		ck_assert_msg(m, "%s: syscall rule at %u:%u not matched", r->policy->name,
			      r->pos.line, r->pos.column);
		st->hit++;
		return;
	}
	default:
		ck_abort_msg("unexpected match kind");
	}
	op.access = r->class == RULE_CLASS_PROCESS ? RULE_ACCESS_EXEC
		    : r->read_only		   ? RULE_ACCESS_WRITE
						   : RULE_ACCESS_READ;
	/* Hit the rule head-on: no owner (ownerOnly denies), on a terminal (pts:false applies). */
	op.tty = r->pts == PTS_FALSE && r->action != ACTION_ALLOW;
	op.args = r->action == ACTION_ALLOW ? r->allowed_args : NULL;
	op.args_known = true;

	ck_assert_int_eq(rule_set_decide(rs, &op, &d), 0);
	ck_assert_msg(d.decider == RULE_DECIDER_RULE, "%s (%s): %s rule %s at %u:%u: decided by %s",
		      r->policy->name, r->policy->file, rule_class_to_string(r->class), r->target,
		      r->pos.line, r->pos.column,
		      d.decider == RULE_DECIDER_NONE ? "nothing" : "the posture");
	ck_assert_ptr_eq(d.rule->policy, r->policy);
	st->hit++;

	/* A Block rule (no pts/args subtleties) that nothing more specific overrides blocks. */
	head_on = r->action == ACTION_BLOCK && !r->allowed_args;
	if (head_on && d.rule == r)
		ck_assert_int_eq(d.verdict, ACTION_BLOCK);
	if (d.verdict == ACTION_BLOCK)
		st->blocked++;
}

START_TEST(test_corpus_rules_reach_decisions)
{
	_cleanup_strv_free_ char **files = NULL;
	Stats st = {};

	ck_assert_int_eq(policy_dir_list(CORPUS_DIR, &files), 0);
	ck_assert_uint_gt(strv_length(files), 100);
	STRV_FOREACH(f, files)
	{
		_cleanup_(policy_file_freep) PolicyFile *pf = NULL;

		ck_assert_int_eq(policy_file_load(*f, &pf), 0);
		if (!policy_file_ok(pf))
			continue;
		for (size_t i = 0; i < pf->n_docs; i++) {
			_cleanup_(rule_set_freep) RuleSet *rs = NULL;
			RulePostures post = {ACTION_BLOCK, ACTION_BLOCK, ACTION_BLOCK};

			ck_assert_int_eq(rule_set_new(&post, &rs), 0);
			ck_assert_int_eq(rule_set_add_policy(rs, pf->docs[i].policy), 0);
			ck_assert_int_eq(rule_set_seal(rs), 0);
			st.policies++;
			for (int c = 0; c < _RULE_CLASS_MAX; c++)
				for (size_t k = 0; k < rs->classes[c].n_rules; k++) {
					st.rules++;
					exercise(rs, &rs->classes[c].rules[k], &st);
				}
		}
	}
	printf("corpus: %lu policies, %lu rules, %lu hit, %lu of them blocked, %lu patterns "
	       "skipped\n",
	       st.policies, st.rules, st.hit, st.blocked, st.skipped);
	fflush(stdout);
	ck_assert_uint_ge(st.policies, 150);
	ck_assert_uint_ge(st.rules, 500);
	ck_assert_uint_le(st.skipped, st.rules / 20);
}
END_TEST

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("rules/corpus");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, test_corpus_rules_reach_decisions);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(corpus_suite)
