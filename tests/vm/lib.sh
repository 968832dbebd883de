# SPDX-License-Identifier: Apache-2.0
# Shell library for VM cases (tests/vm/cases/NN-name.sh). A case runs inside the guest as root under bash:
#
#   #!/bin/bash
#   . "$KA_LIB"
#   assert_ok kubearmor --version
#
# Exit 0 = pass, 1 = fail, 77 = skip. Everything the case prints goes to its log, shown on failure.
# Environment: KA_PAYLOAD (the share: bin/, data/, kubearmor.service), KA_CASE (this case's name),
# KA_RESULTS (where extra files for the host may go). Cleanups registered with on_exit run on every exit.

set -u

# shellcheck disable=SC2034 # used by the cases
KA_BIN=$KA_PAYLOAD/bin

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

note() { echo "-- $*"; }

# Cleanups, run in reverse order when the case exits (pass, fail or skip).
_ka_cleanups=()
on_exit() { _ka_cleanups+=("$*"); }
_ka_run_cleanups() {
	local rc=$? i
	for ((i = ${#_ka_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_ka_cleanups[$i]}" || echo "cleanup failed: ${_ka_cleanups[$i]}" >&2
	done
	exit $rc
}
trap _ka_run_cleanups EXIT

assert_eq() { # EXPECTED ACTUAL [WHAT]
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in
	*"$2"*) ;;
	*) fail "${3:-output} does not contain '$2': $1" ;;
	esac
}

assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in
	*"$2"*) fail "${3:-output} contains '$2': $1" ;;
	esac
}

# Runs a command that must succeed; its output is kept in $KA_OUT.
assert_ok() { # CMD...
	KA_OUT=$("$@" 2>&1) || fail "'$*' failed (exit $?): $KA_OUT"
	echo "ok: $*"
}

# Runs a command that must fail; its output is kept in $KA_OUT and its exit status in $KA_RC.
assert_fail() { # CMD...
	KA_RC=0
	KA_OUT=$("$@" 2>&1) || KA_RC=$?
	[ "$KA_RC" -ne 0 ] || fail "'$*' succeeded but should fail: $KA_OUT"
	echo "fails as expected (exit $KA_RC): $*"
}

# Waits SECONDS (fractions allowed) with bash alone: cases block programs such as /usr/bin/sleep.
pause() { read -r -t "$1" _ <> <(:) || true; }

# Polls a command until it succeeds or TIMEOUT seconds pass.
wait_for() { # TIMEOUT CMD...
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		pause 0.2
	done
	return 0
}

wait_unit_active() { # UNIT [TIMEOUT=20]
	wait_for "${2:-20}" systemctl is-active --quiet "$1" ||
		fail "unit $1 is not active: $(systemctl status --no-pager "$1" 2>&1 | tail -n 20)"
}

# Journal helpers. journal_mark remembers the journal's current end; later wait_journal calls only see
# entries written after it.
KA_JOURNAL_CURSOR=
journal_mark() {
	journalctl --flush >/dev/null 2>&1 || true
	KA_JOURNAL_CURSOR=$(journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p')
}

# Prints the entries matching every FIELD=VALUE as JSON, one per line (after journal_mark's point if
# set). After a cursor the matching is done with jq: journalctl --after-cursor with matches skips the
# first match.
journal_json() { # FIELD=VALUE...
	local filter=. jqargs=() i=0 m
	for m in "$@"; do
		jqargs+=(--arg "k$i" "${m%%=*}" --arg "v$i" "${m#*=}")
		filter+=" | select(.[\$k$i] == \$v$i)"
		i=$((i + 1))
	done
	if [ -n "$KA_JOURNAL_CURSOR" ]; then
		journalctl --no-pager -o json --after-cursor="$KA_JOURNAL_CURSOR" 2>/dev/null
	else
		journalctl --no-pager -o json "$@" 2>/dev/null
	fi | jq -c "${jqargs[@]}" "$filter"
}

# Waits until the journal has an entry matching every FIELD=VALUE given and prints the matches as JSON
# lines in $KA_JOURNAL (also on stdout). Returns 1 after TIMEOUT seconds (default 10).
wait_journal() { # MATCH [TIMEOUT] | wait_journal MATCH... -- TIMEOUT
	local matches=() timeout=10 deadline
	while [ $# -gt 0 ]; do
		case $1 in
		--)
			timeout=$2
			break
			;;
		*=*) matches+=("$1") ;;
		*) timeout=$1 ;;
		esac
		shift
	done
	deadline=$((SECONDS + timeout))
	while :; do
		KA_JOURNAL=$(journal_json "${matches[@]}")
		if [ -n "$KA_JOURNAL" ]; then
			printf '%s\n' "$KA_JOURNAL"
			return 0
		fi
		[ $SECONDS -lt $deadline ] || break
		pause 0.3
	done
	echo "no journal entry matching ${matches[*]} within ${timeout}s" >&2
	return 1
}

# A field of a JSON object (first line of the input when several): json_field FIELD <<<"$json"
json_field() { head -n 1 | jq -r --arg f "$1" '.[$f] // empty'; }

# Puts a policy file into the agent's policy directory for the rest of the case.
install_policy() { # FILE...
	local f
	for f in "$@"; do
		install -m 644 "$f" /etc/kubearmor/policies/ || fail "cannot install policy $f"
		on_exit rm -f "/etc/kubearmor/policies/${f##*/}"
	done
}

# Guest facts.
# hsp NAME BODY: a KubeArmorHostPolicy for every host, BODY being the rest of its spec (indented).
hsp() {
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

lsm_active() { tr ',' '\n' </sys/kernel/security/lsm | grep -qx "$1"; }

require_lsm() { lsm_active "$1" || skip "LSM $1 not active: $(cat /sys/kernel/security/lsm)"; }

require_file() { [ -e "$1" ] || skip "$1 not in the payload"; }
