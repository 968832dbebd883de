#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 of the agent keeps blocking; a restart adopts the pinned enforcement; systemctl stop removes it.
. "$KA_LIB"

require_lsm bpf
require_file /etc/systemd/system/kubearmor.service

cat >/etc/kubearmor/policies/ka-persist.yaml <<'YAML'
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: ka-persist
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  process:
    matchPaths:
    - path: /usr/bin/sleep
  action: Block
YAML
on_exit rm -f /etc/kubearmor/policies/ka-persist.yaml
journal_mark
assert_ok systemctl start kubearmor
on_exit systemctl stop kubearmor
wait_unit_active kubearmor 30 || fail "kubearmor did not start"
journalctl -u kubearmor -o cat --no-pager | grep -q "enforcer: using BPFLSM" ||
	skip "the daemon does not use the BPF-LSM enforcer"
wait_for 10 bash -c '! /usr/bin/sleep 0' || fail "policy not applied"

pid=$(systemctl show -p MainPID --value kubearmor)
kill -9 "$pid"
assert_fail /usr/bin/sleep 0
assert_contains "$KA_OUT" "Permission denied" "after kill -9"
sleep 2
systemctl is-active -q kubearmor || assert_ok systemctl start kubearmor
wait_unit_active kubearmor 30
assert_fail /usr/bin/sleep 0
journalctl -u kubearmor -o cat --no-pager | grep -i adopt || note "no adoption line in the journal"

assert_ok systemctl stop kubearmor
assert_ok /usr/bin/sleep 0
journalctl -u kubearmor -o cat --no-pager | grep -i "enforcement removed" || fail "stop did not say enforcement was removed"
