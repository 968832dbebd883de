#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The BPF-LSM enforcer, driven through enforcer_bpflsm_ops without the daemon (bpflsm-driver): process,
# file, readOnly, recursive directory, fromSource, network and capability Block; Audit without blocking;
# the events carry the policy, the resource and the hook.
. "$KA_LIB"

require_lsm bpf
require_file "$KA_BIN/bpflsm-driver"

d=$(mktemp -d)
on_exit rm -rf "$d"
mkdir -p "$d/secret/deep/er" "$d/ro"
echo s >"$d/secret/deep/er/file"
echo r >"$d/ro/file"
echo o >"$d/other"
cp /usr/bin/cat "$d/mycat"

hsp() { # NAME SPEC-BODY
	cat <<YAML
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: $1
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
$2
YAML
}
hsp block-sleep "  process:
    matchPaths:
    - path: /usr/bin/sleep
  action: Block" >"$d/p1.yaml"
hsp block-secret "  file:
    matchDirectories:
    - dir: $d/secret/
      recursive: true
  action: Block" >"$d/p2.yaml"
hsp ro-file "  file:
    matchPaths:
    - path: $d/ro/file
      readOnly: true
  action: Block" >"$d/p3.yaml"
hsp src-block "  file:
    matchPaths:
    - path: $d/other
      fromSource:
      - path: $d/mycat
  action: Block" >"$d/p4.yaml"
hsp net-raw "  network:
    matchProtocols:
    - protocol: raw
      fromSource:
      - path: /usr/bin/ping
    - protocol: icmp
      fromSource:
      - path: /usr/bin/ping
  action: Block" >"$d/p5.yaml"
hsp cap-raw "  capabilities:
    matchCapabilities:
    - capability: net_raw
      fromSource:
      - path: /usr/bin/ping
  action: Block" >"$d/p6.yaml"
hsp audit-passwd "  file:
    matchPaths:
    - path: /etc/hostname
  action: Audit" >"$d/p7.yaml"

"$KA_BIN/bpflsm-driver" run "$d"/p*.yaml >"$d/out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null; tail -n 40 $d/out*"
wait_for 90 grep -q '^ready' "$d/out" || { cat "$d/out"; fail "driver not ready"; }
grep -q '^SKIP' "$d/out" && { cat "$d/out"; fail "BPF-LSM enforcer did not load in a BPF-LSM guest"; }
cat "$d/out"

# process: Permission denied, also through the merged-/usr symlink
assert_fail /usr/bin/sleep 0
assert_contains "$KA_OUT" "Permission denied"
assert_fail /bin/sleep 0
assert_contains "$KA_OUT" "Permission denied"
assert_ok /usr/bin/true

# recursive directory, at any depth
assert_fail cat "$d/secret/deep/er/file"
assert_contains "$KA_OUT" "Permission denied"
assert_fail touch "$d/secret/new"
assert_fail rm "$d/secret/deep/er/file"

# readOnly: read works; write, unlink, rename, chmod, truncate, link denied
assert_ok cat "$d/ro/file"
assert_fail sh -c "echo x >>'$d/ro/file'"
assert_fail rm -f "$d/ro/file"
assert_fail mv "$d/ro/file" "$d/ro/moved"
assert_contains "$KA_OUT" "Permission denied" "mv"
assert_fail chmod 600 "$d/ro/file"
assert_fail truncate -s 0 "$d/ro/file"
assert_fail ln "$d/ro/file" "$d/ro/hardlink"
assert_ok cat "$d/ro/file"
assert_eq r "$KA_OUT" "readOnly content"

# fromSource: only that program is denied
assert_fail "$d/mycat" "$d/other"
assert_contains "$KA_OUT" "Permission denied"
assert_ok cat "$d/other"

# network: raw/icmp denied for ping, tcp still works
assert_fail ping -c1 -W1 127.0.0.1
assert_contains "$KA_OUT" "Permission denied" "ping"
out=$(nc -w1 127.0.0.1 1 2>&1)
assert_not_contains "$out" "Permission denied" "tcp connect"

# audit: passes
assert_ok cat /etc/hostname

sleep 1
kill -TERM $pid
wait $pid
cat "$d/out"
ev=$(grep '^EVENT' "$d/out")
assert_contains "$ev" "action=Block error=13 policy=block-sleep resource=/usr/bin/sleep data=lsm=SECURITY_BPRM_CHECK"
assert_contains "$ev" "policy=block-secret resource=$d/secret/deep/er/file data=lsm=FILE_OPEN"
assert_contains "$ev" "policy=ro-file resource=$d/ro/file data=lsm=FILE_UNLINK"
assert_contains "$ev" "policy=src-block resource=$d/other data=lsm=FILE_OPEN subject=$d/mycat"
assert_contains "$ev" "policy=net-raw"
assert_contains "$ev" "class=file action=Audit error=0 policy=audit-passwd resource=/etc/hostname"
assert_contains "$(cat "$d/out")" "stopped: enforcement removed"

# removed: everything runs again
assert_ok /usr/bin/sleep 0
assert_ok cat "$d/secret/deep/er/file"
