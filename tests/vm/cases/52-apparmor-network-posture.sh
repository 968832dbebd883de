#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An Allow rule with the network posture "block" (allow-list mode): nc may open UDP sockets and
# nothing else; other new processes may open no socket at all. Uses the aa-driver test program.
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

dir=/run/kavm-aa52
mkdir -p "$dir/pol"
on_exit rm -rf "$dir"
cat >"$dir/pol/p.yaml" <<'EOF'
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa52-nc-udp-only
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  network:
    matchProtocols:
    - protocol: udp
      fromSource:
      - path: /usr/bin/nc.openbsd
  action: Allow
EOF

"$drv" --policies "$dir/pol" --network-posture block --state "$dir/state" >"$dir/out" 2>&1 &
drv_pid=$!
on_exit remove_ours
on_exit "kill $drv_pid 2>/dev/null; wait $drv_pid 2>/dev/null"
wait_for 60 grep -q '^READY' "$dir/out" || fail "driver not ready: $(cat "$dir/out")"

assert_ok nc -u -z -w 1 127.0.0.1 9
# TCP from nc: the socket is refused (before any connection attempt), and audited.
assert_fail nc -z -w 1 127.0.0.1 1
wait_for 10 grep -q '"PolicyName":"DefaultPosture".*"Resource":"domain=AF_INET type=SOCK_STREAM' "$dir/out" ||
	fail "no DefaultPosture alert for nc's TCP socket: $(cat "$dir/out")"
# Any other new process: no socket at all (a UDP "connection" needs no peer).
assert_fail bash -c 'exec 3<>/dev/udp/127.0.0.1/9'
assert_contains "$KA_OUT" "Permission denied" "udp socket from bash"

kill -TERM "$drv_pid"
wait "$drv_pid"
assert_ok bash -c 'exec 3<>/dev/udp/127.0.0.1/9'
