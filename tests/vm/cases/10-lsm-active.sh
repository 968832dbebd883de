#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The guest kernel runs the LSMs the agent enforces with: BPF-LSM and AppArmor.
. "$KA_LIB"

lsms=$(cat /sys/kernel/security/lsm) || fail "no /sys/kernel/security/lsm (securityfs not mounted?)"
note "active LSMs: $lsms"
lsm_active bpf || fail "bpf is not an active LSM: $lsms"
lsm_active apparmor || fail "apparmor is not an active LSM: $lsms"
assert_eq Y "$(cat /sys/module/apparmor/parameters/enabled)" "apparmor enabled"
[ -r /sys/kernel/btf/vmlinux ] || fail "no kernel BTF at /sys/kernel/btf/vmlinux"
