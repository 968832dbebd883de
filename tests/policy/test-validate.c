/* SPDX-License-Identifier: Apache-2.0 */
/* test-validate.c: every CRD validation rule, accepted and rejected side; inheritance; comma
 * expansion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "policy-test-util.h"

#define PROC_PATH(p) HSP_HEAD "  process:\n    matchPaths:\n    - path: " p "\n"
#define FILE_DIR(d)  HSP_HEAD "  file:\n    matchDirectories:\n    - dir: " d "\n"

/* ---- envelope ---- */

START_TEST(test_envelope)
{
	_cleanup_(policy_file_freep) PolicyFile *h = expect_ok(HSP_HEAD);
	_cleanup_(policy_file_freep) PolicyFile *k = expect_ok(KSP_HEAD);
	_cleanup_(policy_file_freep) PolicyFile *c = expect_ok(CSP_HEAD "  action: Audit\n");

	ck_assert_int_eq(h->docs[0].policy->kind, POLICY_KIND_HSP);
	ck_assert_int_eq(k->docs[0].policy->kind, POLICY_KIND_KSP);
	ck_assert_int_eq(c->docs[0].policy->kind, POLICY_KIND_CSP);
	ck_assert_str_eq(k->docs[0].policy->namespace, "default");
	ck_assert_str_eq(h->docs[0].kind, "KubeArmorHostPolicy");
	ck_assert_str_eq(h->docs[0].name, "t");
	ck_assert_str_eq(h->docs[0].policy->file, "t.yaml");

	expect_error_hint("apiVersion: security.kubearmor.com/v2\nkind: "
			  "KubeArmorPolicy\nmetadata:\n  name: a\n",
			  "apiVersion", "is not security.kubearmor.com/v1",
			  "'security.kubearmor.com/v1'");
	expect_error("kind: KubeArmorPolicy\nmetadata:\n  name: a\n", "apiVersion",
		     "required key is missing");
	expect_error_hint("apiVersion: security.kubearmor.com/v1\nkind: "
			  "KubeArmorHostPolicys\nmetadata:\n  name: a\n",
			  "kind", "is not one of", "'KubeArmorHostPolicy'");
	expect_error("apiVersion: security.kubearmor.com/v1\nmetadata:\n  name: a\n", "kind",
		     "required key");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\n", "metadata",
		     "required");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata: {}\n",
		     "metadata.name", "required");
	expect_error("- a\n- b\n", NULL, "");
	expect_error_hint(
		"Version: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  name: a\n",
		"Version", "unknown key", "'apiVersion'");
	/* status as written by kubectl is accepted */
	h = policy_file_free(h);
	h = expect_ok(HSP_HEAD "status:\n  status: OK\n");
}
END_TEST

START_TEST(test_metadata_names)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	char yaml[2048], name[300];

	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n"
		      "  name: a.b-c.0\n  labels: {x: z}\n  annotations: {note: \"1\"}\n");
	ck_assert_str_eq(f->docs[0].policy->name, "a.b-c.0");
	expect_error_hint(KSP_HEAD "  action: Block\nxx: 1\n", "xx", "unknown key", NULL);
	expect_error_hint("apiVersion: security.kubearmor.com/v1\nkind: "
			  "KubeArmorPolicy\nmetadata:\n  name: Bad_Name\n",
			  "metadata.name", "is not a Kubernetes object name", "'bad-name'");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: -a\n",
		     "metadata.name", "is not a Kubernetes object name");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a..b\n",
		     "metadata.name", "is not a Kubernetes object name");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: 12\n",
		     "metadata.name", "expected a string");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a\n"
		     "  namespace: My_NS\n",
		     "metadata.namespace", "is not a Kubernetes namespace name");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a\n"
		     "  uid: 1\n",
		     "metadata.uid", "unknown key");

	/* 253 characters is the limit */
	memset(name, 'a', 253);
	name[253] = 0;
	snprintf(yaml, sizeof(yaml),
		 "apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  name: "
		 "%s\n",
		 name);
	f = policy_file_free(f);
	f = expect_ok(yaml);
	name[253] = 'a';
	name[254] = 0;
	snprintf(yaml, sizeof(yaml),
		 "apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  name: "
		 "%s\n",
		 name);
	expect_error(yaml, "metadata.name", "is not a Kubernetes object name");
}
END_TEST

START_TEST(test_unknown_and_foreign_keys)
{
	expect_error_hint(HSP_HEAD "  proces:\n    matchPaths:\n    - path: /bin/ls\n",
			  "spec.proces", "unknown key", "'process'");
	expect_error_hint(HSP_HEAD "  file:\n    matchPath:\n    - path: /bin/ls\n",
			  "spec.file.matchPath", "unknown key", "'matchPaths'");
	expect_error(KSP_HEAD "  device:\n    matchDevice:\n    - class: ALL\n", "spec.device",
		     "not allowed in a KubeArmorPolicy");
	expect_error(HSP_HEAD "  presets:\n  - name: exec\n", "spec.presets",
		     "not allowed in a KubeArmorHostPolicy");
	expect_error(HSP_HEAD "  selector:\n    matchLabels: {a: b}\n", "spec.selector",
		     "not allowed");
	expect_error(KSP_HEAD "  nodeSelector:\n    matchLabels: {a: b}\n", "spec.nodeSelector",
		     "not allowed");
	expect_error(HSP_HEAD "  process:\n    matchPatterns:\n    - pattern: /bin/*\n      "
			      "fromSource:\n      - path: /a\n",
		     "spec.process.matchPatterns[0].fromSource", "not allowed here");
	expect_error(HSP_HEAD
		     "  process:\n    matchPaths:\n    - path: /bin/ls\n      readOnly: true\n",
		     "spec.process.matchPaths[0].readOnly", "not allowed here");
	expect_error(HSP_HEAD
		     "  file:\n    matchPaths:\n    - path: /bin/ls\n      recursive: true\n",
		     "spec.file.matchPaths[0].recursive", "not allowed here");
	expect_error(HSP_HEAD
		     "  network:\n    matchProtocols:\n    - protocol: tcp\n      pts: true\n"
		     "      fromSource:\n      - path: /bin/curl\n",
		     "spec.network.matchProtocols[0].pts", "not allowed in a KubeArmorHostPolicy");
}
END_TEST

START_TEST(test_duplicate_keys)
{
	expect_error(HSP_HEAD "  action: Block\n  action: Audit\n", "spec.action",
		     "duplicate key (first given at 9:3)");
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - path: /a\n      path: /b\n",
		     "spec.file.matchPaths[0].path", "duplicate key");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: "
		     "KubeArmorHostPolicy\nmetadata:\n  name: t\n"
		     "spec:\n  nodeSelector:\n    matchLabels:\n      a: b\n      a: c\n",
		     "spec.nodeSelector.matchLabels.a", "duplicate key");
}
END_TEST

START_TEST(test_nulls_are_absent)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		      "name: a\nspec: null\n");
	ck_assert_int_eq(f->docs[0].policy->spec_meta.action, ACTION_BLOCK);
	f = policy_file_free(f);
	f = expect_ok(CSP_HEAD "  selector:\n    matchExpressions:\n  action: Audit\n");
	f = policy_file_free(f);
	f = expect_ok(KSP_HEAD "  file:\n    matchPaths:\n    - path: /etc/passwd\n      "
			       "fromSource:\n      severity: ~\n");
	ck_assert_uint_eq(f->docs[0].policy->n_file, 1);
	ck_assert_uint_eq(f->docs[0].policy->file_rules[0].n_sources, 0);
	/* a required key given as null is missing */
	expect_error(HSP_HEAD "  file:\n    matchDirectories:\n    - dir: null\n",
		     "spec.file.matchDirectories[0].dir", "required key is missing");
	/* a null list item is not an item */
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - \n", "spec.file.matchPaths[0]",
		     "expected a mapping");
}
END_TEST

/* ---- scalar types ---- */

START_TEST(test_severity)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(HSP_HEAD "  severity: 1\n");

	ck_assert_int_eq(f->docs[0].policy->spec_meta.severity, 1);
	f = policy_file_free(f);
	f = expect_ok(HSP_HEAD "  severity: 10\n");
	ck_assert_int_eq(f->docs[0].policy->spec_meta.severity, 10);
	expect_error(HSP_HEAD "  severity: 0\n", "spec.severity", "out of range");
	expect_error(HSP_HEAD "  severity: 11\n", "spec.severity", "out of range");
	expect_error_hint(HSP_HEAD "  severity: \"5\"\n", "spec.severity", "expected an integer",
			  "5, without quotes");
	expect_error(HSP_HEAD "  severity: 5.5\n", "spec.severity", "expected an integer");
	expect_error(HSP_HEAD "  severity: high\n", "spec.severity", "expected an integer");
	expect_error(HSP_HEAD "  file:\n    severity: 12\n    matchPaths:\n    - path: /a\n",
		     "spec.file.severity", "out of range");
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - path: /a\n      severity: -1\n",
		     "spec.file.matchPaths[0].severity", "out of range");
}
END_TEST

START_TEST(test_action)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	static const char *const ok[] = {"Allow", "Audit", "Block"};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		char y[1024];

		snprintf(y, sizeof(y), HSP_HEAD "  action: %s\n", ok[i]);
		f = expect_ok(y);
		ck_assert_str_eq(rule_action_to_string(f->docs[0].policy->spec_meta.action), ok[i]);
		f = policy_file_free(f);
	}
	expect_error_hint(HSP_HEAD "  action: block\n", "spec.action",
			  "'block' is not one of Allow, Audit, Block", "'Block'");
	expect_error_hint(HSP_HEAD
			  "  process:\n    action: AUDIT\n    matchPaths:\n    - path: /a\n",
			  "spec.process.action", "is not one of", "'Audit'");
	expect_error_hint(HSP_HEAD
			  "  process:\n    matchPaths:\n    - path: /a\n      action: allow\n",
			  "spec.process.matchPaths[0].action", "is not one of", "'Allow'");
	expect_error(HSP_HEAD "  action: Deny\n", "spec.action", "is not one of");
	expect_error(HSP_HEAD "  action: [Block]\n", "spec.action", "expected a string");
}
END_TEST

START_TEST(test_tags_message_bool)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(HSP_HEAD "  tags: [a, \"b\"]\n  message: hi\n");

	ck_assert_str_eq(f->docs[0].policy->spec_meta.tags[1], "b");
	ck_assert_str_eq(f->docs[0].policy->spec_meta.message, "hi");
	expect_error_hint(HSP_HEAD "  tags: CIS\n", "spec.tags", "expected a list of strings",
			  "write a list: [CIS]");
	expect_error_hint(HSP_HEAD "  tags: [1.5]\n", "spec.tags[0]", "expected a string",
			  "quote it: \"1.5\"");
	expect_error(HSP_HEAD "  tags: [[a]]\n", "spec.tags[0]", "expected a string");
	expect_error(HSP_HEAD "  message: [a]\n", "spec.message", "expected a string");
	expect_error_hint(HSP_HEAD "  message: yes\n", "spec.message",
			  "expected a string, found a boolean", "quote it: \"yes\"");
	expect_error(HSP_HEAD "  message: \"a\\0b\"\n", "spec.message", "NUL");

	/* booleans: YAML 1.1 spellings resolve as Kubernetes resolves them */
	f = policy_file_free(f);
	f = expect_ok(FILE_DIR(
		"/etc/") "      recursive: yes\n      readOnly: True\n      ownerOnly: false\n");
	ck_assert(f->docs[0].policy->file_rules[0].recursive);
	ck_assert(f->docs[0].policy->file_rules[0].read_only);
	ck_assert(!f->docs[0].policy->file_rules[0].owner_only);
	expect_error_hint(FILE_DIR("/etc/") "      recursive: \"true\"\n",
			  "spec.file.matchDirectories[0].recursive", "expected a boolean", "true");
	expect_error(FILE_DIR("/etc/") "      recursive: 1\n",
		     "spec.file.matchDirectories[0].recursive", "expected a boolean");
	expect_error(FILE_DIR("/etc/") "      pts: maybe\n", "spec.file.matchDirectories[0].pts",
		     "expected a boolean");
}
END_TEST

/* ---- paths (reference §1.2 patterns) ---- */

START_TEST(test_path_pattern)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(PROC_PATH("/bin/ls"));
	char y[2048], p[260];

	ck_assert_uint_eq(f->docs[0].policy->n_process, 1);
	ck_assert_int_eq(f->docs[0].policy->process[0].kind, PATH_MATCH_PATH);
	ck_assert_str_eq(f->docs[0].policy->process[0].value, "/bin/ls");
	f = policy_file_free(f);
	f = expect_ok(PROC_PATH("\"/usr/bin/my tool\""));
	f = policy_file_free(f);
	f = expect_ok(PROC_PATH("/root/*_history"));

	expect_error_hint(PROC_PATH("bin/ls"), "spec.process.matchPaths[0].path",
			  "is not an absolute path", "'/bin/ls'");
	expect_error_hint(PROC_PATH("/usr/bin/"), "spec.process.matchPaths[0].path",
			  "is a directory",
			  "for a directory use matchDirectories with dir: '/usr/bin/'");
	expect_error(PROC_PATH("/"), "spec.process.matchPaths[0].path", "is a directory");
	expect_error(PROC_PATH("\"\""), "spec.process.matchPaths[0].path", "empty");
	expect_error(PROC_PATH("\"/bin/a\\nb\""), "spec.process.matchPaths[0].path",
		     "control character");
	expect_error_hint(PROC_PATH("/usr/../bin/ls"), "spec.process.matchPaths[0].path",
			  "not a normalised path", "'/bin/ls'");
	expect_error_hint(PROC_PATH("//bin/ls"), "spec.process.matchPaths[0].path",
			  "not a normalised path", "'/bin/ls'");
	expect_error(PROC_PATH("/bin/./ls"), "spec.process.matchPaths[0].path",
		     "not a normalised path");
	expect_error(PROC_PATH("true"), "spec.process.matchPaths[0].path", "expected a string");

	/* maxLength 200 (characters) */
	p[0] = '/';
	memset(p + 1, 'a', 199);
	p[200] = 0;
	snprintf(y, sizeof(y), PROC_PATH("%s"), p);
	f = policy_file_free(f);
	f = expect_ok(y);
	p[200] = 'a';
	p[201] = 0;
	snprintf(y, sizeof(y), PROC_PATH("%s"), p);
	expect_error(y, "spec.process.matchPaths[0].path", "longer than the limit of 200");
	/* 199 two-byte characters are 199 characters */
	{
		char u[512] = "/";

		for (int i = 0; i < 199; i++)
			strcat(u, "\xc3\xa9");
		snprintf(y, sizeof(y), PROC_PATH("%s"), u);
		f = policy_file_free(f);
		f = expect_ok(y);
	}
	/* fromSource paths use the same pattern */
	expect_error_hint(HSP_HEAD "  file:\n    matchPaths:\n    - path: /etc/shadow\n      "
				   "fromSource:\n      - path: /bin/\n",
			  "spec.file.matchPaths[0].fromSource[0].path", "is a directory", "'/bin'");
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - path: /etc/shadow\n      "
			      "fromSource:\n      - dir: /bin/\n",
		     "spec.file.matchPaths[0].fromSource[0].dir", "not allowed here");
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - path: /etc/shadow\n      "
			      "fromSource:\n      - {}\n",
		     "spec.file.matchPaths[0].fromSource[0].path", "required key is missing");
}
END_TEST

START_TEST(test_dir_pattern)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(FILE_DIR("/etc/"));

	ck_assert_int_eq(f->docs[0].policy->file_rules[0].kind, PATH_MATCH_DIR);
	ck_assert_str_eq(f->docs[0].policy->file_rules[0].value, "/etc/");
	f = policy_file_free(f);
	f = expect_ok(FILE_DIR("/"));
	expect_error_hint(FILE_DIR("/etc"), "spec.file.matchDirectories[0].dir",
			  "'/etc' is not a directory: it must end with '/'", "'/etc/'");
	expect_error_hint(FILE_DIR("etc/"), "spec.file.matchDirectories[0].dir",
			  "not an absolute path", "'/etc/'");
	expect_error_hint(FILE_DIR("/etc//ssl/"), "spec.file.matchDirectories[0].dir",
			  "not a normalised path", "'/etc/ssl/'");
	expect_error(HSP_HEAD "  file:\n    matchDirectories:\n    - recursive: true\n",
		     "spec.file.matchDirectories[0].dir", "required key is missing");
	expect_error(HSP_HEAD "  process:\n    matchDirectories:\n    - dir: /usr/bin\n",
		     "spec.process.matchDirectories[0].dir", "must end with '/'");
}
END_TEST

START_TEST(test_execname_and_args)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	char y[4096];
	size_t o;

	f = expect_ok(HSP_HEAD "  process:\n    matchPaths:\n    - execname: apt\n");
	ck_assert_int_eq(f->docs[0].policy->process[0].kind, PATH_MATCH_EXECNAME);
	ck_assert_str_eq(f->docs[0].policy->process[0].value, "apt");
	expect_error_hint(HSP_HEAD "  process:\n    matchPaths:\n    - execname: /usr/bin/apt\n",
			  "spec.process.matchPaths[0].execname", "must not contain '/'",
			  "'apt', or use path: '/usr/bin/apt'");
	expect_error(HSP_HEAD "  process:\n    matchPaths:\n    - execname: \"\"\n",
		     "spec.process.matchPaths[0].execname", "empty");
	expect_error(HSP_HEAD "  process:\n    matchPaths:\n    - ownerOnly: true\n",
		     "spec.process.matchPaths[0]", "one of 'path' or 'execname' is required");
	expect_error(HSP_HEAD
		     "  process:\n    matchPaths:\n    - path: /bin/ls\n      execname: ls\n",
		     "spec.process.matchPaths[0].execname", "cannot be used together");
	expect_error(HSP_HEAD "  file:\n    matchPaths:\n    - execname: ls\n",
		     "spec.file.matchPaths[0].execname", "not allowed here");

	/* allowedArgs: at most 20 */
	o = (size_t)snprintf(
		y, sizeof(y),
		HSP_HEAD
		"  process:\n    matchPaths:\n    - path: /usr/bin/python3\n      allowedArgs:\n");
	for (int i = 0; i < POLICY_MAX_ALLOWED_ARGS; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o, "      - \"-%d\"\n", i);
	f = policy_file_free(f);
	f = expect_ok(y);
	ck_assert_uint_eq(strv_length(f->docs[0].policy->process[0].allowed_args),
			  POLICY_MAX_ALLOWED_ARGS);
	snprintf(y + o, sizeof(y) - o, "      - extra\n");
	expect_error(y, "spec.process.matchPaths[0].allowedArgs", "more than the limit of 20");
}
END_TEST

START_TEST(test_patterns)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(HSP_HEAD "  file:\n    matchPatterns:\n    - pattern: /etc/*hado?\n      "
				   "readOnly: true\n      ownerOnly: true\n");

	ck_assert_int_eq(f->docs[0].policy->file_rules[0].kind, PATH_MATCH_PATTERN);
	ck_assert(f->docs[0].policy->file_rules[0].read_only);
	expect_error(HSP_HEAD "  file:\n    matchPatterns:\n    - readOnly: true\n",
		     "spec.file.matchPatterns[0].pattern", "required key is missing");
	expect_error(HSP_HEAD "  file:\n    matchPatterns:\n    - pattern: \"\"\n",
		     "spec.file.matchPatterns[0].pattern", "empty");
	expect_error(
		HSP_HEAD
		"  process:\n    matchPatterns:\n    - pattern: /bin/*\n      readOnly: true\n",
		"spec.process.matchPatterns[0].readOnly", "not allowed here");
}
END_TEST

/* ---- network, capabilities, comma expansion ---- */

START_TEST(test_protocols)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	const Policy *p;

	f = expect_ok(
		KSP_HEAD
		"  network:\n    matchProtocols:\n    - protocol: TCP\n    - protocol: icmp,udp\n"
		"    - protocol: \"raw, all\"\n      pts: true\n");
	p = f->docs[0].policy;
	ck_assert_uint_eq(p->n_network, 5);
	ck_assert_str_eq(p->network[0].protocol, "tcp");
	ck_assert_str_eq(p->network[1].protocol, "icmp");
	ck_assert_str_eq(p->network[2].protocol, "udp");
	ck_assert_str_eq(p->network[3].protocol, "raw");
	ck_assert_str_eq(p->network[4].protocol, "all");
	ck_assert_int_eq(p->network[4].pts, PTS_TRUE);
	ck_assert_int_eq(p->network[0].pts, PTS_UNSET);

	expect_error_hint(KSP_HEAD "  network:\n    matchProtocols:\n    - protocol: Tcp\n",
			  "spec.network.matchProtocols[0].protocol", "'Tcp' is not a protocol",
			  "'tcp'");
	/* passes the end-anchored CRD pattern, but is no protocol: stricter than upstream */
	expect_error(KSP_HEAD "  network:\n    matchProtocols:\n    - protocol: xtcp\n",
		     "spec.network.matchProtocols[0].protocol", "'xtcp' is not a protocol");
	expect_error(KSP_HEAD "  network:\n    matchProtocols:\n    - protocol: tcp,\n",
		     "spec.network.matchProtocols[0].protocol", "empty element");
	expect_error(KSP_HEAD "  network:\n    matchProtocols:\n    - protocol: \"tcp \"\n",
		     "spec.network.matchProtocols[0].protocol", "does not match the CRD pattern");
	expect_error(
		KSP_HEAD
		"  network:\n    matchProtocols:\n    - fromSource:\n      - path: /bin/curl\n",
		"spec.network.matchProtocols[0].protocol", "required key is missing");
	/* host policies: fromSource required, and not empty */
	expect_error(HSP_HEAD "  network:\n    matchProtocols:\n    - protocol: tcp\n",
		     "spec.network.matchProtocols[0].fromSource", "required key is missing");
	expect_error(HSP_HEAD
		     "  network:\n    matchProtocols:\n    - protocol: tcp\n      fromSource: []\n",
		     "spec.network.matchProtocols[0].fromSource", "need a source");
	f = policy_file_free(f);
	f = expect_ok(
		HSP_HEAD
		"  network:\n    matchProtocols:\n    - protocol: tcp,udp\n      fromSource:\n"
		"      - path: /usr/bin/curl\n");
	p = f->docs[0].policy;
	ck_assert_uint_eq(p->n_network, 2);
	ck_assert_uint_eq(p->network[1].n_sources, 1);
	ck_assert_str_eq(p->network[1].sources[0].path, "/usr/bin/curl");
}
END_TEST

START_TEST(test_dns)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(KSP_HEAD "  network:\n    matchDNSQueries:\n    - domain: google.com.\n  "
				   "  - domain: \".a.example, *.b.org\"\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_uint_eq(p->n_dns, 3);
	ck_assert_str_eq(p->dns[0].domain, "google.com");
	ck_assert_str_eq(p->dns[1].domain, "a.example");
	ck_assert_str_eq(p->dns[2].domain, "*.b.org");
	expect_error(KSP_HEAD "  network:\n    matchDNSQueries:\n    - domain: \"a/b\"\n",
		     "spec.network.matchDNSQueries[0].domain", "is not a domain name");
	expect_error(KSP_HEAD "  network:\n    matchDNSQueries:\n    - domain: \"..\"\n",
		     "spec.network.matchDNSQueries[0].domain", "is not a domain name");
	expect_error(KSP_HEAD "  network:\n    matchDNSQueries:\n    - {}\n",
		     "spec.network.matchDNSQueries[0].domain", "required key is missing");
	expect_error(KSP_HEAD
		     "  network:\n    matchDNSQueries:\n    - domain: a.com\n      pts: true\n",
		     "spec.network.matchDNSQueries[0].pts", "not allowed here");
}
END_TEST

START_TEST(test_capabilities)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	const Policy *p;

	f = expect_ok(KSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: chown\n"
			       "    - capability: net_raw, sys_admin,mac_admin\n");
	p = f->docs[0].policy;
	ck_assert_uint_eq(p->n_capabilities, 4);
	ck_assert_str_eq(p->capabilities[0].capability, "chown");
	ck_assert_int_eq(p->capabilities[0].number, 0);
	ck_assert_str_eq(p->capabilities[1].capability, "net_raw");
	ck_assert_int_eq(p->capabilities[1].number, 13);
	ck_assert_int_eq(p->capabilities[2].number, 21);
	ck_assert_int_eq(p->capabilities[3].number, 33);

	expect_error_hint(
		KSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: CAP_NET_RAW\n",
		"spec.capabilities.matchCapabilities[0].capability", "is not a capability",
		"'net_raw'");
	expect_error(KSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: syslog\n",
		     "spec.capabilities.matchCapabilities[0].capability",
		     "'syslog' is not a capability");
	/* "bpf,net_raw" passes the CRD pattern; bpf is still refused */
	expect_error(
		KSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: bpf,net_raw\n",
		"spec.capabilities.matchCapabilities[0].capability", "'bpf' is not a capability");
	expect_error(
		HSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: net_raw\n",
		"spec.capabilities.matchCapabilities[0].fromSource", "required key is missing");
	f = policy_file_free(f);
	f = expect_ok(HSP_HEAD "  capabilities:\n    matchCapabilities:\n    - capability: "
			       "net_raw\n      fromSource:\n"
			       "      - path: /bin/ping\n");
	ck_assert_uint_eq(f->docs[0].policy->capabilities[0].n_sources, 1);
}
END_TEST

/* Upstream expands commas only when the first element has one (reference §1.6); here every element.
 */
START_TEST(test_comma_expansion_every_element)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(
		KSP_HEAD
		"  network:\n    matchProtocols:\n    - protocol: tcp\n    - protocol: udp,icmp\n"
		"  capabilities:\n    matchCapabilities:\n    - capability: kill\n    - "
		"capability: setuid,setgid\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_uint_eq(p->n_network, 3);
	ck_assert_str_eq(p->network[2].protocol, "icmp");
	ck_assert_uint_eq(p->n_capabilities, 3);
	ck_assert_str_eq(p->capabilities[2].capability, "setgid");
	ck_assert_int_eq(p->capabilities[2].number, 6);
}
END_TEST

/* ---- syscalls ---- */

START_TEST(test_syscalls)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	const Policy *p;

	f = expect_ok(HSP_HEAD "  syscalls:\n    severity: 3\n    matchSyscalls:\n    - syscall: "
			       "[unlink, rseq, read]\n"
			       "      fromSource:\n      - dir: /bin\n        recursive: true\n    "
			       "  - path: /usr/bin/rm\n"
			       "    matchPaths:\n    - path: /home/\n      recursive: true\n      "
			       "syscall: [unlinkat]\n"
			       "    - path: /etc/passwd\n      syscall: [chown]\n");
	p = f->docs[0].policy;
	ck_assert_uint_eq(p->n_syscalls, 3);
	ck_assert_int_eq(p->syscalls[0].kind, SYSCALL_MATCH_SYSCALLS);
	ck_assert_str_eq(p->syscalls[0].syscalls[1], "rseq");
	ck_assert_str_eq(p->syscalls[0].sources[0].dir, "/bin/");
	ck_assert(p->syscalls[0].sources[0].recursive);
	ck_assert_str_eq(p->syscalls[0].sources[1].path, "/usr/bin/rm");
	ck_assert_int_eq(p->syscalls[0].meta.action, ACTION_AUDIT);
	ck_assert_int_eq(p->syscalls[0].meta.severity, 3);
	ck_assert_int_eq(p->syscalls[1].kind, SYSCALL_MATCH_PATHS);
	ck_assert_str_eq(p->syscalls[1].path, "/home/");
	ck_assert(p->syscalls[1].recursive);
	ck_assert_str_eq(p->syscalls[2].path, "/etc/passwd");

	expect_error_hint(HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: [umount]\n",
			  "spec.syscalls.matchSyscalls[0].syscall[0]", "is not a syscall name",
			  "'umount2'");
	expect_error(HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: [Unlink]\n",
		     "spec.syscalls.matchSyscalls[0].syscall[0]", "is not a syscall name");
	expect_error(HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: []\n",
		     "spec.syscalls.matchSyscalls[0].syscall", "empty");
	expect_error(HSP_HEAD
		     "  syscalls:\n    matchSyscalls:\n    - fromSource:\n      - path: /bin/rm\n",
		     "spec.syscalls.matchSyscalls[0].syscall", "required key is missing");
	expect_error(HSP_HEAD "  syscalls:\n    action: Block\n", "spec.syscalls.action",
		     "always Audit");
	expect_error(
		HSP_HEAD
		"  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n      action: Audit\n",
		"spec.syscalls.matchSyscalls[0].action", "always Audit");
	expect_error(
		HSP_HEAD
		"  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n      path: /tmp/\n",
		"spec.syscalls.matchSyscalls[0].path", "not allowed here");
	expect_error(HSP_HEAD "  syscalls:\n    matchPaths:\n    - syscall: [unlink]\n",
		     "spec.syscalls.matchPaths[0].path", "required key is missing");
	expect_error(HSP_HEAD
		     "  syscalls:\n    matchPaths:\n    - path: home/\n      syscall: [unlink]\n",
		     "spec.syscalls.matchPaths[0].path", "not an absolute path");
	expect_error(HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n      "
			      "fromSource:\n      - recursive: true\n",
		     "spec.syscalls.matchSyscalls[0].fromSource[0]", "needs 'path' or 'dir'");
	expect_error(HSP_HEAD "  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n      "
			      "fromSource:\n      - dir: bin\n",
		     "spec.syscalls.matchSyscalls[0].fromSource[0].dir", "not an absolute path");
}
END_TEST

/* ---- device, presets, selectors ---- */

START_TEST(test_device)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(
		HSP_HEAD
		"  device:\n    action: Block\n    matchDevice:\n    - class: MASS-STORAGE\n    - "
		"class: \"0x08\"\n"
		"      subClass: 6\n      protocol: 80\n      level: 1\n    - class: ALL\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_uint_eq(p->n_devices, 3);
	ck_assert_str_eq(p->devices[0].class_name, "MASS-STORAGE");
	ck_assert_int_eq(p->devices[0].sub_class, -1);
	ck_assert_int_eq(p->devices[1].sub_class, 6);
	ck_assert_int_eq(p->devices[1].protocol, 80);
	ck_assert_int_eq(p->devices[1].level, 1);
	ck_assert_int_eq(p->devices[2].meta.action, ACTION_BLOCK);

	expect_error_hint(HSP_HEAD "  device:\n    matchDevice:\n    - class: 8\n",
			  "spec.device.matchDevice[0].class", "expected a string",
			  "quote it: \"8\"");
	expect_error(HSP_HEAD "  device:\n    matchDevice:\n    - class: \"0x100\"\n",
		     "spec.device.matchDevice[0].class", "is not a device class");
	expect_error(HSP_HEAD "  device:\n    matchDevice:\n    - class: ALL\n      level: 0\n",
		     "spec.device.matchDevice[0].level", "out of range");
	expect_error(HSP_HEAD
		     "  device:\n    matchDevice:\n    - class: ALL\n      subClass: 256\n",
		     "spec.device.matchDevice[0].subClass", "out of range");
	expect_error(HSP_HEAD "  device:\n    matchDevice:\n    - level: 1\n",
		     "spec.device.matchDevice[0].class", "required key is missing");
}
END_TEST

START_TEST(test_presets)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(KSP_HEAD "  action: Audit\n  presets:\n  - name: filelessExec\n    "
				   "action: Block\n  - name: anonymousMapExec\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_uint_eq(p->n_presets, 2);
	ck_assert_int_eq(p->presets[0].action, ACTION_BLOCK);
	ck_assert_int_eq(p->presets[1].action, ACTION_AUDIT);
	expect_error_hint(KSP_HEAD "  presets:\n  - name: filelessexec\n", "spec.presets[0].name",
			  "is not a preset", "'filelessExec'");
	expect_error(KSP_HEAD "  presets:\n  - action: Block\n", "spec.presets[0].name",
		     "required key is missing");
	expect_error_hint(KSP_HEAD "  presets:\n  - name: exec\n    action: audit\n",
			  "spec.presets[0].action", "is not one of", "'Audit'");
}
END_TEST

START_TEST(test_selectors)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;
	const Policy *p;

	f = expect_ok(
		"apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  name: "
		"a\nspec:\n"
		"  selector:\n    matchLabels:\n      app: web\n      kubearmor.io/container.name: "
		"\"[c1,c2]\"\n"
		"    matchExpressions:\n    - key: label\n      operator: In\n      values: [a=b]\n"
		"    - key: label\n      operator: NotIn\n      values: [c=d, e=f]\n");
	p = f->docs[0].policy;
	ck_assert(p->selector.present);
	ck_assert_uint_eq(p->selector.n_match_labels, 2);
	ck_assert_str_eq(p->selector.match_labels[1].key, "kubearmor.io/container.name");
	ck_assert_str_eq(p->selector.match_labels[1].value, "[c1,c2]");
	ck_assert_uint_eq(p->selector.n_match_expressions, 2);
	ck_assert_int_eq(p->selector.match_expressions[1].op, SELECTOR_OP_NOT_IN);
	ck_assert_str_eq(p->selector.match_expressions[1].values[1], "e=f");

	f = policy_file_free(f);
	f = expect_ok(
		CSP_HEAD
		"  selector:\n    matchExpressions:\n    - key: namespace\n      operator: NotIn\n"
		"      values: [kube-system]\n");
	ck_assert_str_eq(f->docs[0].policy->selector.match_expressions[0].key, "namespace");

	expect_error(KSP_HEAD "    matchExpressions:\n    - key: namespace\n      operator: In\n",
		     "spec.selector.matchExpressions[0].key", "is not one of label");
	expect_error_hint(KSP_HEAD "    matchExpressions:\n    - key: label\n      operator: in\n",
			  "spec.selector.matchExpressions[0].operator", "is not one of In, NotIn",
			  "'In'");
	expect_error(KSP_HEAD "    matchExpressions:\n    - operator: In\n",
		     "spec.selector.matchExpressions[0].key", "required key is missing");
	expect_error(CSP_HEAD "  selector:\n    matchLabels:\n      app: web\n",
		     "spec.selector.matchLabels", "not allowed here");
	expect_error_hint(KSP_HEAD "      enabled: true\n", "spec.selector.matchLabels.enabled",
			  "expected a string", "quote it: \"true\"");
	expect_error(KSP_HEAD "      empty:\n", "spec.selector.matchLabels.empty", "found null");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: "
		     "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		     "  nodeSelector:\n    matchExpressions: []\n",
		     "spec.nodeSelector.matchExpressions", "not allowed here");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: "
		     "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		     "  action: Block\n",
		     "spec.nodeSelector", "required key is missing");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: "
		     "KubeArmorHostPolicy\nmetadata:\n  name: t\n",
		     "spec.nodeSelector", "required key is missing");
}
END_TEST

START_TEST(test_apparmor_labels_annotations)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(KSP_HEAD "  apparmor: |\n    deny /etc/** w,\n");

	ck_assert_str_eq(f->docs[0].policy->apparmor, "deny /etc/** w,\n");
	expect_error(KSP_HEAD "  apparmor: [deny]\n", "spec.apparmor", "expected a string");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a\n"
		     "  annotations:\n    replicas: 3\n",
		     "metadata.annotations.replicas", "expected a string");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a\n"
		     "  labels: [a]\n",
		     "metadata.labels", "expected a mapping of strings to strings");
	expect_error("apiVersion: security.kubearmor.com/v1\nkind: KubeArmorPolicy\nmetadata:\n  "
		     "name: a\n"
		     "status:\n  status: 1\n",
		     "status.status", "expected a string");
}
END_TEST

START_TEST(test_hsp_warnings)
{
	_cleanup_(policy_file_freep) PolicyFile *f = NULL;

	f = expect_ok(HSP_HEAD);
	ck_assert_uint_eq(f->docs[0].n_warnings, 0);
	f = policy_file_free(f);
	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: "
		      "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		      "  nodeSelector: {}\n");
	ck_assert_uint_eq(f->docs[0].n_warnings, 1);
	ck_assert_ptr_nonnull(strstr(f->docs[0].warnings[0].message, "applies to no host"));
	f = policy_file_free(f);
	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: "
		      "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		      "  nodeSelector:\n    matchLabels:\n      kubernetes.io/hostname: node1\n");
	ck_assert_uint_eq(f->docs[0].n_warnings, 1);
	ck_assert_str_eq(f->docs[0].warnings[0].field,
			 "spec.nodeSelector.matchLabels.kubernetes.io/hostname");
	ck_assert_str_eq(f->docs[0].warnings[0].hint, "'kubearmor.io/hostname'");
	ck_assert_uint_eq(f->docs[0].warnings[0].line, 8);
	ck_assert_uint_eq(policy_file_warning_count(f), 1);
	f = policy_file_free(f);
	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: "
		      "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		      "  nodeSelector:\n    matchLabels:\n      kubearmor.io/hostnamereg: web-*\n");
	ck_assert_uint_eq(f->docs[0].n_warnings, 0);
	f = policy_file_free(f);
	f = expect_ok("apiVersion: security.kubearmor.com/v1\nkind: "
		      "KubeArmorHostPolicy\nmetadata:\n  name: t\nspec:\n"
		      "  nodeSelector:\n    matchLabels:\n      kubearmor.io/hostname: a\n      "
		      "role: db\n");
	ck_assert_uint_eq(f->docs[0].n_warnings, 1);
	ck_assert_str_eq(f->docs[0].warnings[0].field, "spec.nodeSelector.matchLabels.role");
}
END_TEST

/* ---- inheritance (reference §1.5) ---- */

START_TEST(test_inheritance)
{
	_cleanup_(policy_file_freep) PolicyFile *f = expect_ok(
		HSP_HEAD "  severity: 5\n  tags: [top]\n  message: top message\n"
			 "  process:\n    action: Audit\n    tags: [section]\n    matchPaths:\n"
			 "    - path: /bin/a\n    - path: /bin/b\n      severity: 9\n      tags: "
			 "[]\n      message: rule\n      action: Allow\n"
			 "  file:\n    matchDirectories:\n    - dir: /etc/\n"
			 "  syscalls:\n    matchSyscalls:\n    - syscall: [unlink]\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_int_eq(p->spec_meta.action, ACTION_BLOCK); /* default */
	/* rule a: section action and tags, spec severity and message */
	ck_assert_int_eq(p->process[0].meta.action, ACTION_AUDIT);
	ck_assert_int_eq(p->process[0].meta.severity, 5);
	ck_assert_str_eq(p->process[0].meta.tags[0], "section");
	ck_assert_str_eq(p->process[0].meta.message, "top message");
	/* rule b: its own values win; an empty tag list inherits */
	ck_assert_int_eq(p->process[1].meta.action, ACTION_ALLOW);
	ck_assert_int_eq(p->process[1].meta.severity, 9);
	ck_assert_str_eq(p->process[1].meta.tags[0], "section");
	ck_assert_str_eq(p->process[1].meta.message, "rule");
	/* file rule: everything from spec, action Block by default */
	ck_assert_int_eq(p->file_rules[0].meta.action, ACTION_BLOCK);
	ck_assert_str_eq(p->file_rules[0].meta.tags[0], "top");
	/* syscall rules inherit severity/tags/message, action is Audit */
	ck_assert_int_eq(p->syscalls[0].meta.action, ACTION_AUDIT);
	ck_assert_int_eq(p->syscalls[0].meta.severity, 5);
	ck_assert_str_eq(p->syscalls[0].meta.message, "top message");
}
END_TEST

START_TEST(test_rule_order)
{
	_cleanup_(policy_file_freep) PolicyFile *f =
		expect_ok(HSP_HEAD "  process:\n    matchPatterns:\n    - pattern: /x/*\n    "
				   "matchDirectories:\n    - dir: /d/\n"
				   "    matchPaths:\n    - path: /p\n");
	const Policy *p = f->docs[0].policy;

	ck_assert_uint_eq(p->n_process, 3);
	ck_assert_int_eq(p->process[0].kind, PATH_MATCH_PATH);
	ck_assert_int_eq(p->process[1].kind, PATH_MATCH_DIR);
	ck_assert_int_eq(p->process[2].kind, PATH_MATCH_PATTERN);
	ck_assert_uint_eq(p->process[0].pos.line, 15);
	ck_assert_uint_eq(p->process[0].pos.column, 7);
}
END_TEST

/* ---- several documents ---- */

START_TEST(test_multi_document)
{
	_cleanup_(policy_file_freep) PolicyFile *f = parse_str(
		HSP_HEAD "---\n" KSP_HEAD "  action: nope\n---\n# only a comment\n---\n"
			 "apiVersion: security.kubearmor.com/v1\nkind: KubeArmorHostPolicy\n"
			 "metadata:\n  name: t2\nspec:\n  nodeSelector:\n    matchLabels:\n"
			 "      kubearmor.io/hostname: h\n");

	ck_assert(!policy_file_ok(f));
	ck_assert_uint_eq(f->n_docs, 3); /* the empty document is left out */
	ck_assert_ptr_nonnull(f->docs[0].policy);
	ck_assert_ptr_null(f->docs[1].policy);
	ck_assert_ptr_nonnull(f->docs[2].policy);
	ck_assert_uint_eq(f->docs[2].index, 3);
	ck_assert_uint_eq(f->docs[1].line, 9);
	ck_assert_uint_eq(f->docs[1].n_errors, 1);
	ck_assert_uint_eq(f->docs[1].errors[0].line, 19);
	ck_assert_uint_eq(f->docs[1].errors[0].column, 11);
	ck_assert_uint_eq(policy_file_error_count(f), 1);

	/* the same name twice in one file */
	expect_error(HSP_HEAD "---\n" HSP_HEAD, "metadata.name", "is already the name of");
}
END_TEST

START_TEST(test_error_format)
{
	PolicyError e = {.line = 7,
			 .column = 11,
			 .field = (char *)"spec.action",
			 .message = (char *)"'block' is not one of Allow, Audit, Block",
			 .hint = (char *)"'Block'"};
	PolicyError g = {.message = (char *)"a FIFO, not a regular file"};
	_cleanup_free_ char *s = policy_error_to_string("p.yaml", &e);
	_cleanup_free_ char *t = policy_error_to_string("p.yaml", &g);

	ck_assert_str_eq(s, "p.yaml:7:11: spec.action: 'block' is not one of Allow, Audit, Block "
			    "(hint: 'Block')");
	ck_assert_str_eq(t, "p.yaml: a FIFO, not a regular file");
}
END_TEST

static Suite *validate_suite(void)
{
	Suite *s = suite_create("policy/validate");
	TCase *tc = tcase_create("envelope");

	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_metadata_names);
	tcase_add_test(tc, test_unknown_and_foreign_keys);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_nulls_are_absent);
	suite_add_tcase(s, tc);

	tc = tcase_create("types");
	tcase_add_test(tc, test_severity);
	tcase_add_test(tc, test_action);
	tcase_add_test(tc, test_tags_message_bool);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_path_pattern);
	tcase_add_test(tc, test_dir_pattern);
	tcase_add_test(tc, test_execname_and_args);
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_protocols);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_capabilities);
	tcase_add_test(tc, test_comma_expansion_every_element);
	tcase_add_test(tc, test_syscalls);
	tcase_add_test(tc, test_device);
	tcase_add_test(tc, test_presets);
	tcase_add_test(tc, test_selectors);
	tcase_add_test(tc, test_apparmor_labels_annotations);
	tcase_add_test(tc, test_hsp_warnings);
	suite_add_tcase(s, tc);

	tc = tcase_create("semantics");
	tcase_add_test(tc, test_inheritance);
	tcase_add_test(tc, test_rule_order);
	tcase_add_test(tc, test_multi_document);
	tcase_add_test(tc, test_error_format);
	suite_add_tcase(s, tc);
	return s;
}

AGENT_CHECK_MAIN(validate_suite)
