#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Network and capability rules through the daemon with the BPF-LSM enforcer: a capability Block of
# net_raw makes ping fail; a protocol Block of raw/icmp makes ping fail while TCP keeps working; each
# denial is alerted in the journal with Enforcer BPFLSM.
. "$KA_LIB"

require_lsm bpf
require_file /etc/systemd/system/kubearmor.service
ping=$(readlink -f "$(command -v ping)") || skip "no ping in the guest"
command -v nc >/dev/null || skip "no nc in the guest"

journal_mark
assert_ok systemctl enable --now kubearmor
on_exit systemctl disable --now kubearmor
on_exit rm -f /etc/kubearmor/policies/ka-net-*.yaml
wait_unit_active kubearmor 30 || fail "kubearmor did not start"
journalctl -u kubearmor -o cat --no-pager | grep -q "enforcer: using BPFLSM" ||
	skip "the daemon does not use the BPF-LSM enforcer"
assert_ok "$ping" -c 1 -W 2 127.0.0.1

# Capability: net_raw refused to ping (root, so only the policy stands in its way).
hsp ka-net-cap "  capabilities:
    matchCapabilities:
    - capability: net_raw
      fromSource:
      - path: $ping
  action: Block" >/etc/kubearmor/policies/ka-net-cap.yaml
wait_for 10 bash -c "! '$ping' -c 1 -W 2 127.0.0.1" || fail "capability policy not applied"
assert_fail "$ping" -c 1 -W 2 127.0.0.1
a=$(wait_journal KUBEARMOR_POLICY=ka-net-cap 10) || fail "no alert for ka-net-cap"
a=$(journalctl -t kubearmor KUBEARMOR_POLICY=ka-net-cap -o cat --no-pager | tail -n 1)
assert_eq BPFLSM "$(jq -r .Enforcer <<<"$a")" "Enforcer"
assert_eq Block "$(jq -r .Action <<<"$a")" "Action"
assert_eq Capabilities "$(jq -r .Operation <<<"$a")" "Operation"
rm /etc/kubearmor/policies/ka-net-cap.yaml
wait_for 10 "$ping" -c 1 -W 2 127.0.0.1 || fail "removing the capability policy did not unblock ping"

# Protocols: raw and icmp sockets refused to ping; TCP still works.
hsp ka-net-proto "  network:
    matchProtocols:
    - protocol: raw,icmp
      fromSource:
      - path: $ping
  action: Block" >/etc/kubearmor/policies/ka-net-proto.yaml
wait_for 10 bash -c "! '$ping' -c 1 -W 2 127.0.0.1" || fail "protocol policy not applied"
assert_fail "$ping" -c 1 -W 2 127.0.0.1
wait_journal KUBEARMOR_POLICY=ka-net-proto 10 >/dev/null || fail "no alert for ka-net-proto"
a=$(journalctl -t kubearmor KUBEARMOR_POLICY=ka-net-proto -o cat --no-pager | tail -n 1)
assert_eq BPFLSM "$(jq -r .Enforcer <<<"$a")" "Enforcer"
assert_eq Network "$(jq -r .Operation <<<"$a")" "Operation"
nc -l 127.0.0.1 5799 >/dev/null &
ncpid=$!
on_exit bash -c "kill $ncpid 2>/dev/null || true"
wait_for 5 nc -z 127.0.0.1 5799 || fail "TCP to a local listener failed under the protocol policy"
exit 0
