#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the hostile-input policies of the AppArmor enforcer tests (NN-name.yaml). Each tries to
# break out of its rule or profile; a successful injection would create a rule for a path under
# /kubearmor-injected or a profile whose name contains "injected". test-aa-parser checks that
# every one is rejected (by the policy parser or the renderer) or rendered harmless.
import json, os

HEAD = """apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: {name}
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
"""
INJ = "/kubearmor-injected/** rwlkix"
cases = []

def q(s):
    return json.dumps(s)  # a YAML double-quoted scalar (JSON escapes are valid YAML)

def add(name, body, meta_name=None):
    cases.append((name, HEAD.format(name=meta_name if meta_name else "hostile-" + name) + body))

path_payloads = [
    ("quote-newline", '/tmp/x" r,\n  ' + INJ + ',\n  "/tmp/y'),
    ("quote-comma", '/tmp/x" r, ' + INJ + ', "/tmp/y'),
    ("comma", '/tmp/x, ' + INJ + ','),
    ("brace-profile", '/tmp/x" rw,\n}\nprofile kubearmor-injected /** {\n  /** rwlkix,\n  "/tmp/y'),
    ("brace-inline", '/tmp/x } profile kubearmor-injected /** { /tmp/y'),
    ("arrow", '/tmp/x -> kubearmor-injected'),
    ("hash", '/tmp/x # ' + INJ),
    ("hash-include", '/tmp/x\n#include <abstractions/kubearmor-injected>'),
    ("double-star", '/tmp/**'),
    ("star", '/tmp/*'),
    ("question", '/tmp/x?'),
    ("brackets", '/tmp/[abc]'),
    ("alternation", '/{tmp,kubearmor-injected}/x'),
    ("variable", '/tmp/@{HOME}/x'),
    ("caret", '/tmp/x^kubearmor-injected'),
    ("backslash", '/tmp/a\\b'),
    ("backslash-quote", '/tmp/a\\" r, ' + INJ + ', "/tmp/b'),
    ("tab", '/tmp/a\tb'),
    ("carriage-return", '/tmp/x\r' + INJ),
    ("nul", '/tmp/x\u0000' + INJ),
    ("dollar-brace", '/tmp/${x}'),
    ("lone-quote", '/tmp/x"'),
    ("trailing-backslash", '/tmp/x\\'),
    ("line-separator", '/tmp/x\u2028' + INJ),
    ("nel", '/tmp/x\u0085' + INJ),
    ("very-long", '/tmp/' + 'a' * 5000),
    ("spaces-mode", '/tmp/x rwlkix, /kubearmor-injected/y'),
    ("audit-keyword", '/tmp/x" r,\n  audit ' + INJ + ',\n  "/y'),
]
for n, p in path_payloads:
    add("file-path-" + n, "  file:\n    matchPaths:\n    - path: %s\n  action: Block\n" % q(p))

dir_payloads = [
    ("quote-newline", '/tmp/x" r,\n  ' + INJ + ',\n  "/tmp/'),
    ("brace", '/tmp/x } profile kubearmor-injected /** { /'),
    ("glob", '/tmp/**/'),
    ("variable", '/tmp/@{HOME}/'),
    ("alternation", '/{tmp,kubearmor-injected}/'),
    ("comma", '/tmp/x, ' + INJ + ', /'),
]
for n, p in dir_payloads:
    add("file-dir-" + n,
        "  file:\n    matchDirectories:\n    - dir: %s\n      recursive: true\n  action: Block\n" % q(p))

proc_payloads = [
    ("quote-newline", '/usr/bin/x" x,\n  ' + INJ + ',\n  "/y'),
    ("px-target", '/usr/bin/x px -> kubearmor-injected'),
    ("glob", '/usr/bin/*'),
    ("brace", '/usr/bin/x } profile kubearmor-injected /** {'),
    ("variable", '/usr/bin/@{x}'),
]
for n, p in proc_payloads:
    add("process-path-" + n, "  process:\n    matchPaths:\n    - path: %s\n  action: Block\n" % q(p))

exec_payloads = [
    ("quote", 'sleep" x, ' + INJ + ', "x'),
    ("comma", 'a, ' + INJ),
    ("glob", '**'),
    ("alternation", '{sleep,kubearmor-injected}'),
    ("newline", 'sleep\n  ' + INJ + ','),
]
for n, p in exec_payloads:
    add("execname-" + n, "  process:\n    matchPaths:\n    - execname: %s\n  action: Block\n" % q(p))

pattern_payloads = [
    ("quote", '/tmp/*" r, ' + INJ + ', "/x'),
    ("bracket-quote", '/tmp/[a"]'),
    ("bracket-comma", '/tmp/[a,]x'),
    ("alternation", '/{tmp,kubearmor-injected}/*'),
    ("double-star", '/tmp/**'),
    ("char-class", '/tmp/[[:alpha:]]'),
    ("escaped-star", '/tmp/\\*'),
    ("variable", '/tmp/@{HOME}*'),
    ("relative", 'tmp/*'),
    ("newline", '/tmp/*\n  ' + INJ + ','),
]
for n, p in pattern_payloads:
    add("pattern-" + n, "  file:\n    matchPatterns:\n    - pattern: %s\n  action: Block\n" % q(p))

source_payloads = [
    ("flags", '/usr/bin/x" flags=(complain) {'),
    ("profile", '/usr/bin/x { }\nprofile kubearmor-injected /** {'),
    ("space", '/usr/bin/a b'),
    ("glob", '/usr/bin/*'),
    ("newline", '/usr/bin/x\n  ' + INJ + ','),
    ("alternation", '/usr/bin/{a,b}'),
    ("variable", '/usr/bin/@{x}'),
]
for n, p in source_payloads:
    add("source-" + n,
        "  file:\n    matchPaths:\n    - path: /etc/shadow\n      fromSource:\n      - path: %s\n"
        "  action: Block\n" % q(p))

add("name-newline", "  file:\n    matchPaths:\n    - path: /etc/shadow\n  action: Block\n",
    meta_name=q("x\n}\nprofile kubearmor-injected /** {"))
add("name-space", "  file:\n    matchPaths:\n    - path: /etc/shadow\n  action: Block\n",
    meta_name=q("a b # " + INJ))
add("message", "  file:\n    matchPaths:\n    - path: /etc/shadow\n  message: %s\n  action: Block\n"
    % q("}\nprofile kubearmor-injected /** {\n  " + INJ + ",\n"))
add("tags", "  file:\n    matchPaths:\n    - path: /etc/shadow\n  tags: [%s]\n  action: Block\n"
    % q("x\n  " + INJ + ","))
add("rule-message", "  file:\n    matchPaths:\n    - path: /etc/shadow\n      message: %s\n  action: Block\n"
    % q('" r,\n  ' + INJ + ','))
add("protocol", "  network:\n    matchProtocols:\n    - protocol: %s\n      fromSource:\n"
    "      - path: /usr/bin/curl\n  action: Block\n" % q("tcp,\n  network,"))
add("capability", "  capabilities:\n    matchCapabilities:\n    - capability: %s\n      fromSource:\n"
    "      - path: /usr/bin/curl\n  action: Block\n" % q("net_raw,\n  capability,"))
add("apparmor-field", "  file:\n    matchPaths:\n    - path: /etc/shadow\n  apparmor: %s\n  action: Block\n"
    % q("}\nprofile kubearmor-injected /** {\n  " + INJ + ","))

here = os.path.dirname(os.path.abspath(__file__))
for old in os.listdir(here):
    if old.endswith(".yaml"):
        os.unlink(os.path.join(here, old))
for i, (name, text) in enumerate(cases, 1):
    with open(os.path.join(here, "%02d-%s.yaml" % (i, name)), "w") as f:
        f.write(text)
print(len(cases), "policies")
