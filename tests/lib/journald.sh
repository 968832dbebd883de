# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# tests/lib/journald.sh: a private systemd-journald for tests on machines without systemd as PID 1.
# Source it from a bash test script:
#
#   . "$srcdir/tests/lib/journald.sh"
#   journald_require          # exit 77 (skip) unless root and /lib/systemd/systemd-journald exist
#   journald_isolate "$@"     # optional, recommended: re-run this script in a private mount namespace
#                             # with fresh tmpfs on /run/systemd and /run/log (see below)
#   journald_lock             # optional: take the lock early (journald_start takes it anyway)
#   journald_start            # start it (or adopt one already answering), wait for its sockets,
#                             # install the EXIT trap that undoes everything
#   journald_query ARGS...    # journalctl --no-pager ARGS, after asking journald to sync
#   journald_stop             # stop ours by PID (sockets and journal files stay, for a restart)
#   journald_start            # ... and start it again
#   journald_cleanup          # stop it and remove what it created (the EXIT trap calls this)
#
# Contract:
# - journald is started with `&`, its PID kept in JOURNALD_PID and stopped by that PID only (SIGTERM,
#   then SIGKILL after 5 s), never by name.
# - Before the first start the harness records which of /run/systemd, /run/systemd/journal, /run/log and
#   /run/log/journal exist; cleanup removes only those it found missing (journal files included).
#   A persistent /var/log/journal, if the machine has one, is the system's and is left alone.
# - If a journald we did not start is already answering (a systemd machine, the VM tier), it is used as
#   is: JOURNALD_EXTERNAL=1, journald_stop refuses (returns 1) and cleanup removes nothing. Tests that
#   must stop journald check `journald_is_ours` and skip otherwise.
# - journald_isolate re-executes the calling script (bash "$0" "$@") under `unshare --mount` with
#   tmpfs mounts over /run/systemd and /run/log, so that the test neither sees nor disturbs the
#   machine's journald or another test's, and whatever journald writes there vanishes with the
#   namespace. Directories it had to create for the mount points are removed afterwards. The script
#   must not have side effects before the call (they would run twice). Everything else on the
#   machine (/run/lock, container runtimes' sockets, /sys, /proc) stays shared.
# - Without isolation, tests in other build trees may need journald at the same moment. Every user holds an exclusive
#   flock on the journald binary itself (read-only open, nothing is created) from journald_start until
#   cleanup; waiting longer than JOURNALD_LOCK_TIMEOUT (default 120 s) skips the test.
# - The EXIT trap chains any EXIT trap the script set before journald_start; INT, TERM and HUP exit the
#   script so that the EXIT trap runs. A script that sets its own EXIT trap later must call
#   journald_cleanup from it.
# - journald's own output goes to "$JOURNALD_TMP/journald.log" (printed by journald_dump_log), never
#   to the test's stdout, so a leftover process can never hold the test runner's pipes open.

JOURNALD_BIN=${JOURNALD_BIN:-/lib/systemd/systemd-journald}
JOURNALD_SOCKET=/run/systemd/journal/socket
JOURNALD_PID=
JOURNALD_EXTERNAL=0
JOURNALD_TMP=
JOURNALD_LOCK_FD=
_JOURNALD_CREATED=()
_JOURNALD_RECORDED=0
_JOURNALD_TRAP_SET=0

journald_require() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: journald tests need root"
		exit 77
	fi
	if [ ! -x "$JOURNALD_BIN" ]; then
		echo "SKIP: $JOURNALD_BIN not found"
		exit 77
	fi
	local tool
	for tool in journalctl systemd-cat flock; do
		if ! command -v "$tool" >/dev/null; then
			echo "SKIP: $tool not found"
			exit 77
		fi
	done
}

# True when a journald accepts stream connections (systemd-cat connects before running `true`).
journald_isolate() {
	if [ -n "${_JOURNALD_ISOLATED:-}" ]; then
		return 0
	fi
	if ! command -v unshare >/dev/null; then
		echo "SKIP: unshare not found"
		exit 77
	fi
	local d rc=0
	local -a created=()
	for d in /run/systemd /run/log; do
		if [ ! -d "$d" ]; then
			mkdir -m 0755 "$d" || exit 1
			created+=("$d")
		fi
	done
	# shellcheck disable=SC2016 # expanded by the inner shell
	_JOURNALD_ISOLATED=1 unshare --mount --propagation private -- bash -c '
		mount -t tmpfs -o mode=0755 kubearmor-test /run/systemd &&
		mount -t tmpfs -o mode=0755 kubearmor-test /run/log &&
		exec bash "$@"' bash "$0" "$@" || rc=$?
	for d in "${created[@]}"; do
		rmdir -- "$d" 2>/dev/null
	done
	exit "$rc"
}

journald_answering() {
	[ -S "$JOURNALD_SOCKET" ] && systemd-cat -t kubearmor-test-probe true 2>/dev/null
}

journald_is_ours() {
	[ "$JOURNALD_EXTERNAL" -eq 0 ]
}

journald_lock() {
	[ -n "$JOURNALD_LOCK_FD" ] && return 0
	# An isolated test has its own /run/systemd: nothing to share, nothing to wait for.
	[ -n "${_JOURNALD_ISOLATED:-}" ] && return 0
	exec {JOURNALD_LOCK_FD}<"$JOURNALD_BIN"
	if ! flock -w "${JOURNALD_LOCK_TIMEOUT:-120}" "$JOURNALD_LOCK_FD"; then
		echo "SKIP: another test kept journald busy for ${JOURNALD_LOCK_TIMEOUT:-120} s"
		exit 77
	fi
}

_journald_unlock() {
	[ -n "$JOURNALD_LOCK_FD" ] || return 0
	exec {JOURNALD_LOCK_FD}<&-
	JOURNALD_LOCK_FD=
}

_journald_record_state() {
	[ "$_JOURNALD_RECORDED" -eq 1 ] && return 0
	local d
	_JOURNALD_CREATED=()
	# Deepest first, so cleanup can remove in this order.
	for d in /run/systemd/journal /run/systemd /run/log/journal /run/log; do
		[ -e "$d" ] || _JOURNALD_CREATED+=("$d")
	done
	_JOURNALD_RECORDED=1
}

_journald_set_trap() {
	[ "$_JOURNALD_TRAP_SET" -eq 1 ] && return 0
	local prev
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		# `trap -p` prints: trap -- 'command' EXIT
		local -a parts
		eval "parts=($prev)"
		prev=${parts[2]}
	fi
	# shellcheck disable=SC2064
	trap "journald_cleanup; ${prev:-:}" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	_JOURNALD_TRAP_SET=1
}

journald_dump_log() {
	if [ -n "$JOURNALD_TMP" ] && [ -s "$JOURNALD_TMP/journald.log" ]; then
		echo "--- journald output ---"
		cat "$JOURNALD_TMP/journald.log"
		echo "---"
	fi
}

journald_start() {
	_journald_set_trap
	journald_lock
	if [ -n "$JOURNALD_PID" ]; then
		echo "journald_start: already running (pid $JOURNALD_PID)" >&2
		return 1
	fi
	[ -n "$JOURNALD_TMP" ] || JOURNALD_TMP=$(mktemp -d /tmp/kubearmor-journald.XXXXXX)

	if [ "$_JOURNALD_RECORDED" -eq 0 ] && journald_answering; then
		JOURNALD_EXTERNAL=1
		return 0
	fi
	if [ "$JOURNALD_EXTERNAL" -eq 1 ]; then
		return 0
	fi
	_journald_record_state

	# The lock fd is not handed down: a journald outliving us must not hold other tests' lock.
	if [ -n "$JOURNALD_LOCK_FD" ]; then
		"$JOURNALD_BIN" {JOURNALD_LOCK_FD}<&- </dev/null >>"$JOURNALD_TMP/journald.log" 2>&1 &
	else
		"$JOURNALD_BIN" </dev/null >>"$JOURNALD_TMP/journald.log" 2>&1 &
	fi
	JOURNALD_PID=$!

	for _ in $(seq 1 100); do
		if ! kill -0 "$JOURNALD_PID" 2>/dev/null; then
			echo "journald_start: journald (pid $JOURNALD_PID) exited" >&2
			wait "$JOURNALD_PID" 2>/dev/null
			JOURNALD_PID=
			journald_dump_log >&2
			return 1
		fi
		if journald_answering; then
			return 0
		fi
		sleep 0.1
	done
	echo "journald_start: no $JOURNALD_SOCKET after 10 s" >&2
	journald_dump_log >&2
	return 1
}

journald_stop() {
	if [ "$JOURNALD_EXTERNAL" -eq 1 ]; then
		echo "journald_stop: journald is not ours, not stopping it" >&2
		return 1
	fi
	[ -n "$JOURNALD_PID" ] || return 0
	kill -TERM "$JOURNALD_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$JOURNALD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$JOURNALD_PID" 2>/dev/null; then
		echo "journald_stop: pid $JOURNALD_PID ignored SIGTERM, killing" >&2
		kill -KILL "$JOURNALD_PID" 2>/dev/null
	fi
	wait "$JOURNALD_PID" 2>/dev/null
	JOURNALD_PID=
	return 0
}

# journalctl over our journal; syncs first so that everything sent before is visible.
journald_query() {
	journalctl --sync 2>/dev/null || true
	journalctl --no-pager "$@"
}

journald_cleanup() {
	local d
	if [ "$JOURNALD_EXTERNAL" -eq 0 ]; then
		journald_stop
		for d in "${_JOURNALD_CREATED[@]}"; do
			case "$d" in
			/run/systemd/journal | /run/log/journal) rm -rf -- "$d" ;;
			*) rmdir -- "$d" 2>/dev/null ;;
			esac
		done
	fi
	_JOURNALD_CREATED=()
	_JOURNALD_RECORDED=0
	JOURNALD_EXTERNAL=0
	[ -n "$JOURNALD_TMP" ] && rm -rf -- "$JOURNALD_TMP"
	JOURNALD_TMP=
	_journald_unlock
}
