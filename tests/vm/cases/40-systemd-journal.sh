#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# systemd is PID 1: a unit can be enabled and started, and journald keeps custom fields that
# journalctl -o json returns together with the unit's name.
. "$KA_LIB"

assert_eq systemd "$(cat /proc/1/comm)" "PID 1"
require_file "$KA_BIN/journal-send"
unit=kavm-dummy.service
tag=$KA_CASE-$$-$RANDOM
install -m 755 "$KA_BIN/journal-send" /usr/local/bin/kavm-journal-send
on_exit rm -f /usr/local/bin/kavm-journal-send
cat >/etc/systemd/system/$unit <<UNIT
[Unit]
Description=VM tier dummy unit
[Service]
ExecStart=/usr/local/bin/kavm-journal-send --stay "MESSAGE=dummy started" KUBEARMOR_TEST=$tag KUBEARMOR_POLICY=dummy-policy
[Install]
WantedBy=multi-user.target
UNIT
on_exit rm -f /etc/systemd/system/$unit
on_exit systemctl disable --now $unit

journal_mark
assert_ok systemctl enable --now $unit
[ -L /etc/systemd/system/multi-user.target.wants/$unit ] || fail "enable made no symlink"
wait_unit_active $unit
assert_eq enabled "$(systemctl is-enabled $unit)" "is-enabled"

if ! wait_journal "KUBEARMOR_TEST=$tag" 15 >/dev/null; then
	journalctl --no-pager -o json -u $unit | tail -n 5
	fail "custom field not in the journal"
fi
note "entry: $KA_JOURNAL"
assert_eq "dummy-policy" "$(json_field KUBEARMOR_POLICY <<<"$KA_JOURNAL")" "KUBEARMOR_POLICY"
assert_eq "dummy started" "$(json_field MESSAGE <<<"$KA_JOURNAL")" "MESSAGE"
assert_eq $unit "$(json_field _SYSTEMD_UNIT <<<"$KA_JOURNAL")" "_SYSTEMD_UNIT"

assert_ok systemctl stop $unit
systemctl is-active --quiet $unit && fail "$unit still active after stop"
exit 0
