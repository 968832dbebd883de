#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs inside the guest (as root, from kavm.service once multi-user is up): installs the agent from the
# share, runs every case named in cases.list and leaves NAME.rc, NAME.time and NAME.log in the results
# directory, then powers the guest off with an exit code (isa-debug-exit).
set -u
P=/mnt/host/payload
R=/mnt/host/results
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "kavm: $*"; }
guest_exit() {
	sync
	# shellcheck disable=SC2059 # the byte is built from a number
	printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	systemctl poweroff --force --force
}

# Wait for boot to finish; a degraded system is reported, not fatal.
state=$(timeout 300 systemctl is-system-running --wait 2>&1)
say "system is $state after $(cut -d' ' -f1 /proc/uptime)s"
if [ "$state" != running ]; then
	{
		echo "guest system state: $state"
		systemctl --failed --no-legend --no-pager
	} >"$R/system-state.txt" 2>&1
fi

# The agent under test.
install -m 755 "$P/bin/kubearmor" /usr/sbin/kubearmor
if [ -f "$P/kubearmor.service" ]; then
	install -m 644 "$P/kubearmor.service" /etc/systemd/system/kubearmor.service
	systemctl daemon-reload
fi
mkdir -p /etc/kubearmor/policies

timeout_s=$(cat "$P/case-timeout" 2>/dev/null || echo 120)
failed=0
while read -r name; do
	[ -n "$name" ] || continue
	say "case $name"
	t=$(date +%s)
	(
		cd /tmp || exit 1
		KA_PAYLOAD=$P KA_LIB=$P/lib.sh KA_CASE=$name KA_RESULTS=$R \
			exec timeout -k 5 "$timeout_s" /bin/bash "$P/cases/$name.sh"
	) >"$R/$name.log" 2>&1 </dev/null
	rc=$?
	[ $rc -ne 124 ] || echo "case timed out after ${timeout_s}s" >>"$R/$name.log"
	echo $(($(date +%s) - t)) >"$R/$name.time"
	echo "$rc" >"$R/$name.rc"
	say "case $name exit $rc"
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || failed=1
done <"$P/cases.list"

if [ $failed -ne 0 ]; then
	journalctl -b --no-pager -o short-monotonic >"$R/journal.txt" 2>&1
fi
guest_exit $failed
