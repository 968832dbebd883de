#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The user's view with the BPF-LSM enforcer: systemctl enable --now kubearmor, drop policies into
# /etc/kubearmor/policies, the kernel refuses, the alert is in the journal with Enforcer BPFLSM.
. "$KA_LIB"

require_lsm bpf
require_file /etc/systemd/system/kubearmor.service

d=$(mktemp -d /var/tmp/ka.XXXXXX)
on_exit rm -rf "$d"
mkdir -p "$d/ro"
echo r >"$d/ro/file"
journal_mark
assert_ok systemctl enable --now kubearmor
on_exit systemctl disable --now kubearmor
on_exit rm -f /etc/kubearmor/policies/ka-*.yaml
wait_unit_active kubearmor 30 || fail "kubearmor did not start"
journalctl -u kubearmor -o cat --no-pager | grep -q "enforcer: using BPFLSM" ||
	skip "the daemon does not use the BPF-LSM enforcer: $(journalctl -u kubearmor -o cat --no-pager | grep enforcer | tail -3)"
assert_contains "$(systemctl status kubearmor --no-pager)" "Status:"

hsp ka-block-sleep "  process:
    matchPaths:
    - path: /usr/bin/sleep
  action: Block" >/etc/kubearmor/policies/ka-block-sleep.yaml
hsp ka-ro "  file:
    matchPaths:
    - path: $d/ro/file
      readOnly: true
  action: Block" >/etc/kubearmor/policies/ka-ro.yaml
wait_for 10 bash -c '! /usr/bin/sleep 0' || fail "policy not applied"
assert_fail /usr/bin/sleep 0
assert_contains "$KA_OUT" "Permission denied"
alert=$(wait_journal KUBEARMOR_POLICY=ka-block-sleep 10) || fail "no alert for ka-block-sleep"
a=$(journalctl -t kubearmor KUBEARMOR_POLICY=ka-block-sleep -o cat --no-pager | tail -n 1)
assert_eq BPFLSM "$(jq -r .Enforcer <<<"$a")" "Enforcer"
assert_eq Block "$(jq -r .Action <<<"$a")" "Action"
assert_eq "Permission denied" "$(jq -r .Result <<<"$a")" "Result"
assert_eq /usr/bin/sleep "$(jq -r .Resource <<<"$a")" "Resource"

wait_for 10 bash -c "! echo x >>'$d/ro/file'" || fail "readOnly policy not applied"
assert_ok cat "$d/ro/file"
assert_fail sh -c "echo x >>'$d/ro/file'"
assert_fail rm -f "$d/ro/file"
assert_fail mv "$d/ro/file" "$d/ro/x"
wait_journal KUBEARMOR_POLICY=ka-ro 10 >/dev/null || fail "no alert for ka-ro"

# hot reload: removing the policy unblocks within a second
rm /etc/kubearmor/policies/ka-block-sleep.yaml
t0=$(date +%s%N)
wait_for 5 /usr/bin/sleep 0 || fail "removing the policy did not unblock"
note "unblocked after $((($(date +%s%N) - t0) / 1000000)) ms"
assert_ok systemctl reload kubearmor
