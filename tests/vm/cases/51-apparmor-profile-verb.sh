#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `kubearmor profile` prints profiles the kernel loads as they are, and they mean what the policies
# say: fromSource process rules follow exec transitions (bash may not run sleep, dash may), readOnly
# directories can be read but not written, ownerOnly files only by their owner, and every denial is
# audited (apparmor="DENIED" in the kernel log).
. "$KA_LIB"

require_lsm apparmor
command -v apparmor_parser >/dev/null || skip "apparmor_parser not installed"

# Removes our profiles with shell builtins: apparmor_parser started now would run confined by the
# host profile, and a confined process may not remove other profiles.
remove_ours() {
	local names=() n
	while read -r n _; do
		case $n in kubearmor-host | kubearmor-host-*) names+=("$n") ;; esac
	done </sys/kernel/security/apparmor/profiles
	for n in "${names[@]}"; do printf %s "$n" >/sys/kernel/security/apparmor/.remove; done
}

dir=/run/kavm-aa51
mkdir -p "$dir/pol" "$dir/ro"
chmod 755 "$dir"
on_exit rm -rf "$dir"
echo data >"$dir/ro/file"
echo mine >"$dir/owned"
chown nobody "$dir/owned"
chmod 666 "$dir/owned"

cat >"$dir/pol/p.yaml" <<EOF
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa51
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  process:
    matchPaths:
    - path: /usr/bin/sleep
      fromSource:
      - path: /usr/bin/bash
  file:
    matchDirectories:
    - dir: $dir/ro/
      recursive: true
      readOnly: true
    matchPaths:
    - path: $dir/owned
      ownerOnly: true
  action: Block
EOF

assert_ok kubearmor profile --policies "$dir/pol"
echo "$KA_OUT" >"$dir/host.profile"
assert_contains "$KA_OUT" "profile kubearmor-host /**"
assert_contains "$KA_OUT" "# hsp-aa51:"
journal_mark
assert_ok apparmor_parser -r -W "$dir/host.profile"
on_exit remove_ours
grep -q '^kubearmor-host-usr-bin-bash-.* (enforce)' /sys/kernel/security/apparmor/profiles ||
	fail "no profile for /usr/bin/bash: $(cat /sys/kernel/security/apparmor/profiles)"

assert_fail bash -c 'sleep 0'
assert_contains "$KA_OUT" "Permission denied" "sleep from bash"
assert_ok dash -c 'sleep 0; true'
assert_ok env sleep 0
assert_ok bash -c 'read -r l </proc/self/attr/current; echo "$l"'
assert_contains "$KA_OUT" "kubearmor-host-usr-bin-bash" "a new bash runs under its fromSource profile"
assert_ok dash -c 'cat /proc/self/attr/current'
assert_contains "$KA_OUT" "kubearmor-host (enforce)" "cat under the host profile"

assert_ok cat "$dir/ro/file"
assert_fail sh -c "echo x >>'$dir/ro/file'"
assert_contains "$KA_OUT" "Permission denied" "write into a readOnly directory"
assert_fail touch "$dir/ro/new"
assert_fail rm -f "$dir/ro/file"
assert_ok test -f "$dir/ro/file"

# ownerOnly: root is not the owner.
assert_fail cat "$dir/owned"
assert_ok setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$dir/owned"
assert_eq mine "$KA_OUT" "read by the owner"

wait_for 10 sh -c "journalctl -k --no-pager | grep -q 'apparmor=\"DENIED\".*profile=\"kubearmor-host'" ||
	fail "no apparmor DENIED record for our profiles"
