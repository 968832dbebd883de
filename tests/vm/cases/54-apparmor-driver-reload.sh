#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Policy changes with the AppArmor enforcer (aa-driver): a changed policy replaces the profiles
# (a fromSource profile that is no longer needed is unloaded, the new rule is in force at once);
# profiles left by a run that stopped without removing them are adopted and cleaned up by the next
# run; no policies means no profiles at all.
. "$KA_LIB"

require_lsm apparmor
drv=$KA_BIN/aa-driver
[ -x "$drv" ] || skip "aa-driver is not in the payload (built with the tests in tests/enforcer/apparmor)"

remove_ours() {
	local names=() n
	while read -r n _; do
		case $n in kubearmor-host | kubearmor-host-*) names+=("$n") ;; esac
	done </sys/kernel/security/apparmor/profiles
	for n in "${names[@]}"; do printf %s "$n" >/sys/kernel/security/apparmor/.remove; done
}
ours() { grep -c '^kubearmor-host' /sys/kernel/security/apparmor/profiles; }

dir=/run/kavm-aa54
mkdir -p "$dir/pol" "$dir/empty"
on_exit rm -rf "$dir"
on_exit remove_ours
echo one >"$dir/one"
echo two >"$dir/two"

policy() { # NAME PATH [FROMSOURCE]
	cat <<EOF
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: $1
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  file:
    matchPaths:
    - path: $2
EOF
	[ -z "${3:-}" ] || printf '      fromSource:\n      - path: %s\n' "$3"
	echo "  action: Block"
}

policy hsp-aa54-one "$dir/one" /usr/bin/cat >"$dir/pol/p.yaml"
"$drv" --policies "$dir/pol" --state "$dir/state" >"$dir/out" 2>&1 &
drv_pid=$!
on_exit "kill $drv_pid 2>/dev/null; wait $drv_pid 2>/dev/null"
wait_for 60 grep -q '^APPLIED 1' "$dir/out" || fail "driver not ready: $(cat "$dir/out")"
grep -q '^kubearmor-host-usr-bin-cat-' /sys/kernel/security/apparmor/profiles || fail "no profile for cat"
assert_fail cat "$dir/one"
assert_ok head -n 1 "$dir/one"

# Change the policy: global rule on the other file, no fromSource any more.
policy hsp-aa54-two "$dir/two" >"$dir/pol/p.yaml"
kill -HUP "$drv_pid"
wait_for 60 grep -q '^APPLIED 2' "$dir/out" || fail "no second apply: $(cat "$dir/out")"
! grep -q '^kubearmor-host-usr-bin-cat-' /sys/kernel/security/apparmor/profiles ||
	fail "the fromSource profile that went away is still loaded"
assert_ok cat "$dir/one"
assert_fail head -n 1 "$dir/two"
assert_contains "$KA_OUT" "Permission denied" "the changed rule"

# Stop without removing (a crash or restart): the profiles stay in force.
kill -TERM "$drv_pid"
wait "$drv_pid"
"$drv" --policies "$dir/pol" --state "$dir/state" --keep --seconds 1 >"$dir/out2" 2>&1 ||
	fail "driver with --keep failed: $(cat "$dir/out2")"
[ "$(ours)" -ge 1 ] || fail "--keep removed the profiles"
assert_fail cat "$dir/two"

# The next run adopts them; with no policies it removes them all. It must start unconfined, as the
# unit starts the agent (AppArmorProfile=unconfined): a program started now would get the host
# profile, under which AppArmor policy cannot be changed.
rm -rf "$dir/state"
(
	printf %s "exec unconfined" >/proc/self/attr/exec
	exec "$drv" --policies "$dir/empty" --state "$dir/state" --seconds 1
) >"$dir/out3" 2>&1 ||
	fail "driver without policies failed: $(cat "$dir/out3")"
assert_eq 0 "$(ours)" "profiles left after a run without policies"
assert_ok cat "$dir/two"
