#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The AppArmor enforcer (enforcer_apparmor_ops, through the aa-driver test program) in a kernel where
# AppArmor enforces: host policies block an exec, a read, a fromSource socket and a fromSource
# capability for processes started after the profiles were loaded; a process already running stays
# unconfined; denials become alerts with Enforcer "AppArmor" in journald; stopping removes only the
# agent's profiles.
. "$KA_LIB"

require_lsm apparmor
drv=$KA_BIN/aa-driver
[ -x "$drv" ] || skip "aa-driver is not in the payload (built with the tests in tests/enforcer/apparmor)"

# Removes our profiles with shell builtins (a fallback if the driver could not): apparmor_parser
# started now would run confined by the host profile, which may not change policy.
remove_ours() {
	local names=() n
	while read -r n _; do
		case $n in kubearmor-host | kubearmor-host-*) names+=("$n") ;; esac
	done </sys/kernel/security/apparmor/profiles
	for n in "${names[@]}"; do printf %s "$n" >/sys/kernel/security/apparmor/.remove; done
}

dir=/run/kavm-aa50
pol=$dir/policies
out=$dir/driver.out
mkdir -p "$pol"
on_exit rm -rf "$dir"
echo secret >"$dir/secret"
echo public >"$dir/public"
touch "$dir/owned"

cat >"$pol/host.yaml" <<EOF
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa50-sleep
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  severity: 5
  process:
    matchPaths:
    - path: /usr/bin/sleep
  action: Block
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa50-secret
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  file:
    matchPaths:
    - path: $dir/secret
  message: secret read
  action: Block
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa50-nc-udp
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  network:
    matchProtocols:
    - protocol: udp
      fromSource:
      - path: /usr/bin/nc.openbsd
  action: Block
---
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa50-chown
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  capabilities:
    matchCapabilities:
    - capability: chown
      fromSource:
      - path: /usr/bin/chown
  action: Block
EOF

# A profile that is not ours: it must survive the enforcer's cleanup.
cat >"$dir/foreign.profile" <<'EOF'
profile kavm-foreign /nonexistent/kavm-foreign {
  file,
}
EOF
assert_ok apparmor_parser -r "$dir/foreign.profile"
on_exit apparmor_parser -R "$dir/foreign.profile"

# A process that is running before the profiles are loaded and executes nothing afterwards (a
# subshell reading the secret with shell builtins when told to).
mkfifo "$dir/go"
(
	read -r _ <"$dir/go"
	read -r l <"$dir/secret" && echo "$l" >"$dir/early.out"
) &
early=$!

journal_mark
"$drv" --policies "$pol" --journal --state "$dir/state" >"$out" 2>&1 &
drv_pid=$!
on_exit remove_ours
on_exit "kill $drv_pid 2>/dev/null; wait $drv_pid 2>/dev/null"
wait_for 60 grep -q '^READY' "$out" || fail "driver not ready: $(cat "$out")"
cat "$out"
grep -q '^kubearmor-host (enforce)' /sys/kernel/security/apparmor/profiles ||
	fail "kubearmor-host not loaded: $(cat /sys/kernel/security/apparmor/profiles)"
grep -q '^kubearmor-host-usr-bin-nc-openbsd-' /sys/kernel/security/apparmor/profiles ||
	fail "no fromSource profile for nc.openbsd"

# Process rule: a new shell may not execute sleep.
assert_fail bash -c 'sleep 0'
assert_contains "$KA_OUT" "Permission denied" "exec of sleep"
# File rule: new processes may not read the secret, may read the rest.
assert_fail cat "$dir/secret"
assert_contains "$KA_OUT" "Permission denied" "read of the secret"
assert_ok cat "$dir/public"
assert_eq public "$KA_OUT" "read of a file no rule names"
# Network rule, fromSource nc: UDP denied, TCP not.
assert_fail nc -u -z -w 1 127.0.0.1 9
assert_ok bash -c "nc -z -w 1 127.0.0.1 1 2>&1; true"
assert_not_contains "$KA_OUT" "Permission denied" "tcp from nc"
# Capability rule, fromSource chown: root may not give the file away.
assert_fail chown nobody "$dir/owned"
assert_contains "$KA_OUT" "Operation not permitted" "chown"
# The process that was already running is not confined (documented limitation).
echo go >"$dir/go"
wait "$early"
assert_eq secret "$(cat "$dir/early.out")" "read by a process started before the load"

# A confined process may not unload the profiles.
assert_fail apparmor_parser -R "$dir/state/apparmor/host.profile"
grep -q '^kubearmor-host (enforce)' /sys/kernel/security/apparmor/profiles ||
	fail "a confined apparmor_parser removed the host profile"

# Alerts: Enforcer AppArmor, with the policy that decided.
wait_for 10 grep -q '"PolicyName":"hsp-aa50-secret"' "$out" || fail "no alert for the secret: $(cat "$out")"
line=$(grep '"PolicyName":"hsp-aa50-secret"' "$out" | head -n 1)
assert_eq AppArmor "$(jq -r .Enforcer <<<"$line")" "Enforcer"
assert_eq Block "$(jq -r .Action <<<"$line")" "Action"
assert_eq File "$(jq -r .Operation <<<"$line")" "Operation"
assert_eq "$dir/secret" "$(jq -r .Resource <<<"$line")" "Resource"
assert_eq "Permission denied" "$(jq -r .Result <<<"$line")" "Result"
# The process may be gone before its executable is read: then ProcessName is left out.
pn=$(jq -r .ProcessName <<<"$line")
[ "$pn" = null ] || assert_eq /usr/bin/cat "$pn" "ProcessName"
wait_for 10 grep -q '"PolicyName":"hsp-aa50-sleep"' "$out" || fail "no alert for sleep: $(cat "$out")"
assert_eq Process "$(grep '"PolicyName":"hsp-aa50-sleep"' "$out" | head -n 1 | jq -r .Operation)"
wait_for 10 grep -q '"PolicyName":"hsp-aa50-nc-udp"' "$out" || fail "no alert for nc: $(cat "$out")"
wait_for 10 grep -q '"PolicyName":"hsp-aa50-chown"' "$out" || fail "no alert for chown: $(cat "$out")"
assert_eq CAP_CHOWN "$(grep '"PolicyName":"hsp-aa50-chown"' "$out" | head -n 1 | jq -r .Resource)"
wait_journal SYSLOG_IDENTIFIER=kubearmor-aa-driver KUBEARMOR_POLICY=hsp-aa50-secret 10 >/dev/null ||
	fail "no alert in journald"
assert_eq AppArmor "$(head -n 1 <<<"$KA_JOURNAL" | jq -r .MESSAGE | jq -r .Enforcer)" "journald Enforcer"

# Stop: only our profiles go away, and new processes are free again.
kill -TERM "$drv_pid"
wait "$drv_pid"
! grep -q '^kubearmor-host' /sys/kernel/security/apparmor/profiles ||
	fail "profiles left behind: $(grep kubearmor /sys/kernel/security/apparmor/profiles)"
grep -q '^kavm-foreign ' /sys/kernel/security/apparmor/profiles || fail "a foreign profile was removed"
assert_ok cat "$dir/secret"
assert_ok bash -c 'sleep 0'
