#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The agent with lsm order "apparmor" (systemctl, as a user runs it): a host policy dropped into the
# policy directory blocks a read through the generated profiles, and the denial is an alert in
# journald with Enforcer "AppArmor"; removing the policy unloads the profiles.
. "$KA_LIB"

require_lsm apparmor
[ -f /etc/systemd/system/kubearmor.service ] || skip "no kubearmor.service in the payload"

dir=/run/kavm-aa53
mkdir -p "$dir"
on_exit rm -rf "$dir"
echo secret >"$dir/secret"

mkdir -p /etc/systemd/system/kubearmor.service.d
cat >/etc/systemd/system/kubearmor.service.d/50-kavm-apparmor.conf <<'EOF'
[Service]
Environment=KUBEARMOR_LSM=apparmor
EOF
on_exit "rm -rf /etc/systemd/system/kubearmor.service.d/50-kavm-apparmor.conf; systemctl daemon-reload"
systemctl daemon-reload
journal_mark
assert_ok systemctl start kubearmor
on_exit systemctl stop kubearmor
wait_unit_active kubearmor
wait_for 20 sh -c 'kubearmor status --json 2>/dev/null | jq -e ".enforcer.active | ascii_downcase == \"apparmor\"" >/dev/null' ||
	skip "the agent does not run the AppArmor enforcer (yet): $(kubearmor status 2>&1 | grep -i '^enforcer' | head -n 1)"

cat >/etc/kubearmor/policies/kavm-aa53.yaml <<EOF
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: hsp-aa53-secret
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
  file:
    matchPaths:
    - path: $dir/secret
  action: Block
EOF
on_exit rm -f /etc/kubearmor/policies/kavm-aa53.yaml
wait_for 20 grep -q '^kubearmor-host (enforce)' /sys/kernel/security/apparmor/profiles ||
	fail "kubearmor-host not loaded"
assert_fail cat "$dir/secret"
assert_contains "$KA_OUT" "Permission denied"
wait_journal KUBEARMOR_POLICY=hsp-aa53-secret 15 >/dev/null || fail "no alert in journald"
msg=$(head -n 1 <<<"$KA_JOURNAL" | jq -r .MESSAGE)
assert_eq AppArmor "$(jq -r .Enforcer <<<"$msg")" "Enforcer"
assert_eq Block "$(jq -r .Action <<<"$msg")" "Action"
assert_eq "$dir/secret" "$(jq -r .Resource <<<"$msg")" "Resource"
assert_eq MatchedHostPolicy "$(jq -r .Type <<<"$msg")" "Type"

rm -f /etc/kubearmor/policies/kavm-aa53.yaml
wait_for 20 sh -c "! grep -q '^kubearmor-host' /sys/kernel/security/apparmor/profiles" ||
	fail "profiles still loaded after the policy went away"
assert_ok cat "$dir/secret"
