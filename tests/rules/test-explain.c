/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-explain.c: `kubearmor explain` on policies of the KubeArmor corpus (CORPUS_DIR, read in
 * place): the verb is called in-process with its output captured, and the decision and the rule
 * behind it are checked against what each corpus file says it expects.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-helpers.h"
#include "core/strv.h"
#include "daemon/verbs.h"

#define MAX_OUT (256 * 1024)

static char out[MAX_OUT];

static char *corpus(const char *name)
{
	static char buf[8][1024];
	static unsigned i;
	char *b = buf[i++ % 8];

	snprintf(b, sizeof buf[0], "%s/%s", CORPUS_DIR, name);
	return b;
}

/* Runs `kubearmor explain ARGS...` (NULL-terminated) with stdout captured into `out`. */
static int explain(const char *first, ...)
{
	char *argv[64];
	int argc = 0, saved, fd, r;
	char tmpl[] = "/tmp/test-explain-XXXXXX";
	ssize_t n;
	va_list ap;

	argv[argc++] = (char *)"explain";
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;

	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	(void)unlink(tmpl);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	r = verb_explain(argc, argv);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, sizeof out - 1);
	ck_assert_int_ge(n, 0);
	out[n] = 0;
	close(fd);
	return r;
}

#define assert_out(s)	  ck_assert_msg(strstr(out, (s)), "expected '%s' in:\n%s", (s), out)
#define assert_not_out(s) ck_assert_msg(!strstr(out, (s)), "did not expect '%s' in:\n%s", (s), out)

START_TEST(test_host_file_block)
{
	const char *f =
		corpus("tests__nonk8s_env__host_policy__res__hsp-block-file-etc-passwd.yaml");

	ck_assert_int_eq(explain("--policies", f, "--workload", "host", "--hostname", "vm1",
				 "--open", "/etc/passwd", NULL),
			 0);
	assert_out("workload:   host vm1\n");
	assert_out("policies:   1 loaded, 1 apply\n");
	assert_out("decision:   Block\n");
	assert_out("policy:     hsp-kubearmor-dev-file-path-block (KubeArmorHostPolicy)\n");
	assert_out("rule:       file.matchPaths path /etc/passwd action=Block\n");
	assert_out(".yaml:11:9\n");

	ck_assert_int_eq(explain("-p", f, "-w", "host", "--hostname", "vm1", "--open",
				 "/etc/shadow", "--write", NULL),
			 0);
	assert_out("operation:  write /etc/shadow by any program\n");
	assert_out("decision:   Allow\n");
	assert_out("decided by: nothing");
}
END_TEST

START_TEST(test_host_selection_by_label)
{
	const char *f =
		corpus("examples__host-security-policies__hsp-k8s-kubearmor-dev-proc-path-block-"
		       "fromSource.yaml");

	/* kubernetes.io/hostname is not a label of a plain host */
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--hostname", "kubearmor-dev", "--exec",
				 "/bin/date", "--source", "/bin/bash", "-v", NULL),
			 0);
	assert_out("1 loaded, 0 apply");
	assert_out("skipped:  hsp-kubearmor-dev-proc-path-block-fromsource");
	assert_out("decision:   Allow\n");

	/* ... unless the configuration gives it */
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--hostname", "kubearmor-dev", "--label",
				 "kubernetes.io/hostname=kubearmor-dev", "--exec", "/bin/date",
				 "--source", "/bin/bash", NULL),
			 0);
	assert_out("1 loaded, 1 apply");
	assert_out("decision:   Block\n");
	assert_out("process.matchPaths path /bin/date fromSource=/bin/bash action=Block");
	assert_out("alert:      severity=5");

	ck_assert_int_eq(explain("-p", f, "-w", "host", "--hostname", "kubearmor-dev", "--label",
				 "kubernetes.io/hostname=kubearmor-dev", "--exec", "/bin/date",
				 "--source", "/bin/sh", NULL),
			 0);
	assert_out("decision:   Allow\n");
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--hostname", "kubearmor-dev", "--label",
				 "kubernetes.io/hostname=kubearmor-dev", "--exec", "/usr/bin/date",
				 "--source", "/usr/bin/bash", NULL),
			 0);
	assert_out("decision:   Block\n");
}
END_TEST

START_TEST(test_host_allow_from_source_posture)
{
	const char *f =
		corpus("examples__host-security-policies__hsp-k8s-kubearmor-dev-file-dir-allow-"
		       "fromSource.yaml");
	const char *common[] = {"-p",	      f,
				"-w",	      "host",
				"--hostname", "kubearmor-dev",
				"--label",    "kubernetes.io/hostname=kubearmor-dev"};

	/* head may read under /etc/default/, nothing else (block posture) */
	ck_assert_int_eq(explain(common[0], common[1], common[2], common[3], common[4], common[5],
				 common[6], common[7], "--file-posture", "block", "--open",
				 "/etc/default/useradd", "--source", "/usr/bin/head", NULL),
			 0);
	assert_out("decision:   Allow\n");
	assert_out("matchDirectories dir /etc/default/ recursive fromSource=/usr/bin/head");
	ck_assert_int_eq(explain(common[0], common[1], common[2], common[3], common[4], common[5],
				 common[6], common[7], "--file-posture", "BLOCK", "--open",
				 "/etc/hostname", "--source", "/usr/bin/head", NULL),
			 0);
	assert_out("decision:   Block\n");
	assert_out("decided by: default file posture 'block'");
	assert_out("first: policy hsp-kubearmor-dev-file-dir-allow-fromsource");
	/* audit posture: permitted, alerted */
	ck_assert_int_eq(explain(common[0], common[1], common[2], common[3], common[4], common[5],
				 common[6], common[7], "--open", "/etc/hostname", "--source",
				 "/usr/bin/head", NULL),
			 0);
	assert_out("decision:   Audit\n");
	assert_out("decided by: default file posture 'audit'");
}
END_TEST

START_TEST(test_host_pattern_inherited_meta)
{
	const char *f = corpus("tests__nonk8s_env__host_policy__res__hsp-block-file-pattern.yaml");

	ck_assert_int_eq(
		explain("-p", f, "-w", "host", "--hostname", "h", "--open", "/tmp/x", NULL), 0);
	assert_out("decision:   Block\n");
	assert_out("file.matchPatterns pattern /tmp/* action=Block");
	assert_out("alert:      severity=4 tags=fs-monitor message=file event\n");
	ck_assert_int_eq(
		explain("-p", f, "-w", "host", "--hostname", "h", "--open", "/tmp/a/x", NULL), 0);
	assert_out("decision:   Allow\n");
}
END_TEST

START_TEST(test_container_process_from_source)
{
	const char *f =
		corpus("examples__multiubuntu__security-policies__ksp-group-1-proc-path-block-from-"
		       "source.yaml");

	ck_assert_int_eq(explain("-p", f, "-w", "group=group-1,container=ubuntu-1", "--namespace",
				 "multiubuntu", "--exec", "/bin/ls", "--source", "/bin/dash", NULL),
			 0);
	assert_out("workload:   container (unnamed) in namespace multiubuntu\n");
	assert_out("decision:   Block\n");
	assert_out(
		"ksp-group-1-proc-path-block-from-source (KubeArmorPolicy, namespace multiubuntu)");
	assert_out("message=block /bin/dash executing /bin/ls");
	/* another namespace, another group */
	ck_assert_int_eq(explain("-p", f, "-w", "group=group-1", "--namespace", "other", "--exec",
				 "/bin/ls", "--source", "/bin/dash", NULL),
			 0);
	assert_out("0 apply");
	ck_assert_int_eq(explain("-p", f, "-w", "group=group-2", "--exec", "/bin/ls", "--source",
				 "/bin/dash", NULL),
			 0);
	assert_out("0 apply");
	assert_out("decision:   Allow\n");
}
END_TEST

START_TEST(test_container_network_and_capability)
{
	const char *raw =
		corpus("examples__multiubuntu__security-policies__ksp-ubuntu-1-net-raw-block.yaml");
	const char *cap =
		corpus("examples__multiubuntu__security-policies__ksp-ubuntu-1-cap-net-raw-block."
		       "yaml");

	ck_assert_int_eq(
		explain("-p", raw, "-p", cap, "-w", "container=ubuntu-1", "--socket", "raw", NULL),
		0);
	assert_out("2 loaded, 2 apply");
	assert_out("decision:   Block\n");
	assert_out("network.matchProtocols protocol raw action=Block");
	ck_assert_int_eq(explain("-p", raw, "-w", "container=ubuntu-1", "--socket", "tcp", NULL),
			 0);
	assert_out("decision:   Allow\n");
	ck_assert_int_eq(explain("-p", raw, "-p", cap, "-w", "container=ubuntu-1", "--capability",
				 "CAP_NET_RAW", NULL),
			 0);
	assert_out("decision:   Block\n");
	assert_out("capabilities.matchCapabilities capability net_raw action=Block");
}
END_TEST

START_TEST(test_container_owner_readonly_allow)
{
	const char *f =
		corpus("examples__multiubuntu__security-policies__ksp-ubuntu-2-file-dir-owner-"
		       "readonly-allow.yaml");
	const char *w = "container=ubuntu-2";

	ck_assert_int_eq(explain("-p", f, "-w", w, "--file-posture", "block", "--open",
				 "/home/user1/notes", "--owner", NULL),
			 0);
	assert_out("decision:   Allow\n");
	ck_assert_int_eq(explain("-p", f, "-w", w, "--file-posture", "block", "--open",
				 "/home/user1/notes", "--owner", "--write", NULL),
			 0);
	assert_out("decision:   Block\n");
	assert_out("readOnly: a write");
	assert_out("matchDirectories dir /home/user1/ readOnly ownerOnly action=Allow");
	ck_assert_int_eq(explain("-p", f, "-w", w, "--file-posture", "block", "--open",
				 "/home/user1/notes", NULL),
			 0);
	assert_out("decision:   Block\n");
	assert_out("ownerOnly: not the owner");
	/* an exact Allow is more specific than the readOnly directory */
	ck_assert_int_eq(explain("-p", f, "-w", w, "--file-posture", "block", "--open",
				 "/home/user1/.bashrc", "--write", NULL),
			 0);
	assert_out("decision:   Allow\n");
	ck_assert_int_eq(
		explain("-p", f, "-w", w, "--file-posture", "block", "--open", "/tmp/x", NULL), 0);
	assert_out("decision:   Block\n");
	assert_out("default file posture 'block'");
	/* process Allow rules: their own allow-list */
	ck_assert_int_eq(explain("-p", f, "-w", w, "--file-posture", "block", "--exec",
				 "/usr/sbin/nologin", NULL),
			 0);
	assert_out("decision:   Block\n");
	ck_assert_int_eq(
		explain("-p", f, "-w", w, "--file-posture", "block", "--exec", "/bin/su", NULL), 0);
	assert_out("decision:   Allow\n");
}
END_TEST

START_TEST(test_whole_corpus_directory)
{
	int r = explain("-p", CORPUS_DIR, "-w", "host", "--hostname", "kubearmor-dev", "--open",
			"/etc/passwd", NULL);

	/* The corpus holds files that are not valid: they are skipped, said on stderr, exit 1. */
	ck_assert_int_eq(r, 1);
	assert_out("(some files not loaded, see above)");
	assert_out("decision:   Block\n");
	assert_out("hsp-kubearmor-dev-file-path-block");
}
END_TEST

START_TEST(test_usage)
{
	const char *f =
		corpus("tests__nonk8s_env__host_policy__res__hsp-block-file-etc-passwd.yaml");

	ck_assert_int_eq(explain("--help", NULL), 0);
	assert_out("Usage: kubearmor explain");
	ck_assert_int_eq(explain("-p", f, "-w", "host", NULL), 2);
	ck_assert_int_eq(explain("-w", "host", "--open", "/x", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--open", "/x", "--exec", "/y", NULL), 2);
	ck_assert_int_eq(
		explain("-p", f, "-w", "host", "--open", "/x", "--file-posture", "allow", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--exec", "/x", "--write", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "nolabel", "--open", "/x", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--socket", "tcp6", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--capability", "cap_nope", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--open", "/x", "extra", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--open", "etc/passwd", NULL), 2);
	ck_assert_int_eq(explain("-p", f, "-w", "host", "--exec", "/bin/ls", "-s", "bash", NULL),
			 2);
	ck_assert_int_eq(explain("-p", "/nonexistent/dir", "-w", "host", "--open", "/x", NULL), 1);
}
END_TEST

static Suite *explain_suite(void)
{
	Suite *s = suite_create("rules/explain");
	TCase *tc = tcase_create("explain");

	tcase_add_test(tc, test_host_file_block);
	tcase_add_test(tc, test_host_selection_by_label);
	tcase_add_test(tc, test_host_allow_from_source_posture);
	tcase_add_test(tc, test_host_pattern_inherited_meta);
	tcase_add_test(tc, test_container_process_from_source);
	tcase_add_test(tc, test_container_network_and_capability);
	tcase_add_test(tc, test_container_owner_readonly_allow);
	tcase_add_test(tc, test_whole_corpus_directory);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(explain_suite)
