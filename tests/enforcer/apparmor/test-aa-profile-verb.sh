#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `kubearmor profile`: prints the profiles and rule statuses of a policy directory; usage errors exit 2,
# a directory holding an invalid file exits 1 and names the file (the rest is still printed).
# Usage: test-aa-profile-verb.sh KUBEARMOR SRCDIR
set -u
ka=$1
src=$2
golden=$src/tests/enforcer/apparmor/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

out=$("$ka" profile --policies "$golden" --hostname testhost) || fail "exit $? on the golden policies"
grep -q '^profile kubearmor-host /\*\* ' <<<"$out" || fail "no host profile"
grep -q '^profile kubearmor-host-usr-bin-bash-[0-9a-f]\{8\} ' <<<"$out" || fail "no fromSource profile"
grep -q '^# hsp-network:15 network protocol Block icmp from /usr/bin/ping: monitor-only: ' <<<"$out" ||
	fail "no status line for the icmp rule"
n=$(grep -c '^profile ' <<<"$out")
[ "$n" -ge 8 ] || fail "only $n profiles"

# A host name no policy selects: only the empty host profile.
cp "$golden/process-block.yaml" "$tmp/"
sed -i 's/kubearmor.io\/hostname: "\*"/kubearmor.io\/hostname: other/' "$tmp/process-block.yaml"
out=$("$ka" profile --policies "$tmp" --hostname testhost) || fail "exit $? for an unselected policy"
grep -q 'usr/bin/sleep' <<<"$out" && fail "a policy for another host was rendered"
out=$("$ka" profile --policies "$tmp" --hostname other) || fail "exit $?"
grep -q 'audit deny "/usr/bin/sleep" x,' <<<"$out" || fail "policy for this host not rendered"

# Postures.
out=$("$ka" profile --policies "$golden/file-allow-block-posture.yaml" --file-posture audit) || fail "exit $?"
grep -q '^  /{,\*\*} mrwlk,' <<<"$out" || fail "file posture audit keeps the blanket file rule"

# An invalid file is named, left out, exit 1.
printf 'kind: KubeArmorHostPolicy\nmetadata: {}\n' >"$tmp/bad.yaml"
out=$("$ka" profile --policies "$tmp" --hostname other 2>"$tmp/err")
rc=$?
[ $rc -eq 1 ] || fail "exit $rc with an invalid file"
grep -q 'bad.yaml' "$tmp/err" || fail "invalid file not named: $(cat "$tmp/err")"
grep -q 'audit deny "/usr/bin/sleep" x,' <<<"$out" || fail "valid files not printed"

# Usage errors.
"$ka" profile >/dev/null 2>&1; [ $? -eq 2 ] || fail "no --policies: not exit 2"
"$ka" profile --policies "$golden" --workload web >/dev/null 2>&1; [ $? -eq 2 ] || fail "--workload web: not exit 2"
"$ka" profile --policies "$golden" --file-posture maybe >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad posture: not exit 2"
"$ka" profile --policies "$tmp/missing" >/dev/null 2>&1; [ $? -eq 1 ] || fail "missing dir: not exit 1"
"$ka" profile --help | grep -q -- '--policies' || fail "no help"
echo "ok"
