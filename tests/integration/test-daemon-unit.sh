#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-unit.sh KUBEARMOR SRCDIR UNIT: `systemd-analyze verify` passes on the built
# kubearmor.service (ExecStart pointed at the built binary, the man pages on MANPATH, as after
# installation), and `systemd-analyze security --offline=true` rates it; the exposure is printed and
# must stay at or below KA_MAX_EXPOSURE (default 4.0). Also checks the tmpfiles.d line. Skips (77)
# without systemd-analyze.
set -uo pipefail

kubearmor=$1
srcdir=$2
unit=$3

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not found"
	exit 77
fi
tmp=$(mktemp -d /tmp/kubearmor-unit-test.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT

mkdir -p "$tmp/man/man5" "$tmp/man/man8"
cp "$srcdir"/man/*.5 "$tmp/man/man5/"
cp "$srcdir"/man/*.8 "$tmp/man/man8/"
sed "s|^ExecStart=.*|ExecStart=$kubearmor run|" "$unit" >"$tmp/kubearmor.service"

grep -q '^Type=notify$' "$tmp/kubearmor.service" || { echo "FAIL: not Type=notify"; exit 1; }
grep -q '^LogRateLimitIntervalSec=0$' "$tmp/kubearmor.service" || { echo "FAIL: journald rate limit"; exit 1; }

man_opt=()
if ! command -v man >/dev/null; then
	echo "note: man(1) is not installed; Documentation= is not checked"
	man_opt=(--man=no)
fi
if ! out=$(MANPATH=$tmp/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "${man_opt[@]}" \
	"$tmp/kubearmor.service" 2>&1); then
	echo "FAIL: systemd-analyze verify:"
	echo "$out"
	exit 1
fi
[ -z "$out" ] || { echo "FAIL: systemd-analyze verify printed:"; echo "$out"; exit 1; }
echo "systemd-analyze verify: OK"

sec=$(systemd-analyze security --offline=true "$tmp/kubearmor.service" 2>&1)
exposure=$(sed -n 's/.*Overall exposure level for kubearmor.service: \([0-9.]*\).*/\1/p' <<<"$sec")
[ -n "$exposure" ] || { echo "FAIL: no exposure level:"; echo "$sec"; exit 1; }
echo "systemd-analyze security --offline=true: exposure $exposure"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
	"$exposure" "${KA_MAX_EXPOSURE:-4.0}" || { echo "FAIL: exposure $exposure above ${KA_MAX_EXPOSURE:-4.0}"; exit 1; }

# tmpfiles.d: the policy directory, root's, not writable by group or others.
tmpf="$srcdir/systemd/kubearmor-tmpfiles.conf"
grep -Eq '^d /etc/kubearmor/policies 07[0-5]0 root root' "$tmpf" || { echo "FAIL: tmpfiles line"; exit 1; }
if command -v systemd-tmpfiles >/dev/null; then
	mkdir -p "$tmp/root"
	systemd-tmpfiles --root="$tmp/root" --create "$tmpf" 2>/dev/null || { echo "FAIL: systemd-tmpfiles"; exit 1; }
	[ "$(stat -c %a "$tmp/root/etc/kubearmor/policies")" = 750 ] || { echo "FAIL: policy dir mode"; exit 1; }
fi
"$kubearmor" run --help | grep -q -- '--policy-dir' || { echo "FAIL: run --help"; exit 1; }
echo "PASS"
