#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-journald-harness.sh SRCDIR: tests/lib/journald.sh itself, inside journald_isolate's private
# /run/systemd and /run/log: start waits for a working journald; stop is by PID and keeps the
# journal for a restart; a second user adopts a running journald without stopping it; cleanup (also
# through the EXIT trap, chained with the script's own trap, keeping its exit status) stops journald
# and removes everything it created.
set -uo pipefail

srcdir=$1
lib=$srcdir/tests/lib/journald.sh

# shellcheck source-path=SCRIPTDIR source=../lib/journald.sh
. "$lib" || { echo "FAIL: cannot source $lib"; exit 1; }
journald_require
journald_isolate "$@"

# Lists what is in the isolated /run/systemd and /run/log (nothing when clean).
run_state() {
	find /run/systemd /run/log -mindepth 1 -maxdepth 1
}

fail() {
	echo "FAIL: $*"
	journald_dump_log
	exit 1
}

[ -z "$(run_state)" ] || fail "isolated /run/systemd or /run/log is not empty: $(run_state)"

# Start, log, stop, restart: the entry survives, the PID changes, the old one is gone.
journald_start || fail "start"
journald_is_ours || fail "isolated journald not ours"
pid1=$JOURNALD_PID
kill -0 "$pid1" || fail "journald pid $pid1 not running"
echo "harness-entry" | systemd-cat -t kubearmor-harness || fail "systemd-cat"
[ "$(journald_query -q -t kubearmor-harness -o cat)" = "harness-entry" ] || fail "entry not found"

journald_stop || fail "stop"
! kill -0 "$pid1" 2>/dev/null || fail "journald $pid1 still running after stop"
[ -z "$JOURNALD_PID" ] || fail "JOURNALD_PID not cleared"
[ -S "$JOURNALD_SOCKET" ] || fail "socket removed by stop (a restart test needs it)"
! journald_answering || fail "still answering after stop"

journald_start || fail "restart"
pid2=$JOURNALD_PID
[ "$pid2" != "$pid1" ] || fail "restart reused pid"
[ "$(journald_query -q -t kubearmor-harness -o cat)" = "harness-entry" ] || fail "entry lost by restart"

# A second user adopts ours: external, never stopped by it.
out=$(bash -c '
	. "$1"
	journald_start || exit 1
	echo "external=$JOURNALD_EXTERNAL"
	journald_stop 2>/dev/null && echo "stop-accepted"
	journald_cleanup
' bash "$lib") || fail "second user: $out"
[ "$out" = "external=1" ] || fail "second user: '$out'"
kill -0 "$pid2" || fail "second user stopped our journald"

# The EXIT trap of a script that fails: journald stopped, state removed, exit status and the
# script's own trap kept.
marker=$(mktemp)
bash -c '
	. "$1"
	trap "echo own-trap >>\"$2\"" EXIT
	journald_start || exit 1
	echo "$JOURNALD_EXTERNAL" >>"$2"
	exit 3
' bash "$lib" "$marker"
rc=$?
[ "$rc" -eq 3 ] || fail "exit status through the trap: $rc"
[ "$(cat "$marker")" = "$(printf '1\nown-trap')" ] || fail "trap chain: $(cat "$marker")"
rm -f "$marker"
kill -0 "$pid2" || fail "an adopting script's trap stopped our journald"

# Our own cleanup: journald gone, everything it created removed.
tmpdir=$JOURNALD_TMP
journald_cleanup
! kill -0 "$pid2" 2>/dev/null || fail "journald $pid2 survived cleanup"
[ -z "$(run_state)" ] || fail "left behind: $(run_state)"
[ ! -e "$tmpdir" ] || fail "left behind: $tmpdir"

# The trap path of a script that starts its own journald and dies.
pidfile=$(mktemp)
bash -c '
	. "$1"
	journald_start || exit 1
	echo "$JOURNALD_PID" >"$2"
	kill -TERM $$
	sleep 10
' bash "$lib" "$pidfile"
rc=$?
[ "$rc" -eq 143 ] || fail "TERM: exit status $rc"
pid3=$(cat "$pidfile")
rm -f "$pidfile"
[ -n "$pid3" ] || fail "no pid from the TERM case"
! kill -0 "$pid3" 2>/dev/null || fail "journald $pid3 survived its script's TERM"
[ -z "$(run_state)" ] || fail "TERM left behind: $(run_state)"

echo "PASS"
