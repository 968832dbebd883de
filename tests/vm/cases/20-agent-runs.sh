#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The freshly built agent is installed and runs: its shared libraries are all in the guest and
# --version prints what it printed on the host.
. "$KA_LIB"

[ -x /usr/sbin/kubearmor ] || fail "/usr/sbin/kubearmor not installed"
missing=$(ldd /usr/sbin/kubearmor | grep 'not found' || true)
[ -z "$missing" ] || fail "missing shared libraries: $missing"
assert_ok kubearmor --version
note "kubearmor --version: $KA_OUT"
assert_eq "$(cat "$KA_PAYLOAD/agent-version.txt")" "$KA_OUT" "version output"
if [ -f "$KA_PAYLOAD/kubearmor.service" ]; then
	systemctl cat kubearmor.service >/dev/null 2>&1 || fail "kubearmor.service not known to systemd"
fi
