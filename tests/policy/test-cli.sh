#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-cli.sh KUBEARMOR SRCDIR: `kubearmor validate` exit codes, text and --json output.
set -uo pipefail
ka=$1 src=$2
data=$src/tests/policy/data
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fail=0

check() { # description, command...
	local what=$1
	shift
	if "$@"; then echo "ok - $what"; else echo "FAIL - $what"; fail=1; fi
}

run() { # expected-exit, args... ; output in $tmp/out
	local want=$1 rc
	shift
	timeout 20 "$ka" validate "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "exit $rc, expected $want for: validate $*"
		cat "$tmp/out" "$tmp/err"
		return 1
	fi
}

check "example policies are valid" run 0 "$src/policies"
check "summary line" grep -q '^3 files, 3 documents: 3 valid, 0 invalid, 0 errors, 0 warnings$' "$tmp/out"
check "valid fixtures" run 0 "$data/valid"
check "invalid fixture exits 1" run 1 "$data/invalid/001-unknown-key.yaml"
check "error line" grep -qF "001-unknown-key.yaml:9:3: spec.proces: unknown key (hint: 'process')" "$tmp/out"
check "document verdict" grep -qF "001-unknown-key.yaml:1: KubeArmorHostPolicy typo: 1 error" "$tmp/out"
check "one invalid among valid exits 1" run 1 "$data/valid" "$data/invalid/002-lowercase-action.yaml"
check "warnings are printed" run 1 "$data/invalid/012-hsp-selector-warnings.yaml"
check "warning line" grep -qF "warning: spec.nodeSelector.matchLabels.kubernetes.io/hostname:" "$tmp/out"
check "no arguments is a usage error" run 2
check "unknown option is a usage error" run 2 --frobnicate "$data/valid"
check "--help" run 0 --help
check "missing file" run 1 "$tmp/missing.yaml"
check "missing file message" grep -q "missing.yaml: cannot open: No such file or directory" "$tmp/out"
mkfifo "$tmp/fifo.yaml"
check "FIFO is refused without hanging" run 1 "$tmp/fifo.yaml"
check "FIFO message" grep -q "fifo.yaml: a FIFO, not a regular file" "$tmp/out"
check "directory with a FIFO named *.yaml" run 1 "$tmp"
: >"$tmp/empty.yml"
check "empty file is valid" run 0 "$tmp/empty.yml"
check "empty file says so" grep -q "empty.yml: no policies" "$tmp/out"

# --json: one object that tools can read
check "json valid" run 0 --json "$src/policies"
check "json valid content" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["summary"]["documents"] == 3 and d["summary"]["valid"] == 3
assert [f["documents"][0]["kind"] for f in d["files"]] == ["KubeArmorHostPolicy"] * 3
' "$tmp/out"
check "json invalid" run 1 --json "$data/invalid/003-dir-without-slash.yaml" "$data/invalid/009-tabs.yaml"
check "json invalid content" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False
f0, f1 = d["files"]
e = f0["documents"][0]["errors"][0]
assert e == {"line": 12, "column": 12, "field": "spec.file.matchDirectories[1].dir",
             "message": "'"'"'/etc'"'"' is not a directory: it must end with '"'"'/'"'"'", "hint": "'"'"'/etc/'"'"'"}, e
assert f1["documents"] == [] and f1["errors"][0]["hint"] == "indent with spaces, not tabs"
assert d["summary"]["errors"] == 3
' "$tmp/out"

if [ "$fail" -ne 0 ]; then exit 1; fi
