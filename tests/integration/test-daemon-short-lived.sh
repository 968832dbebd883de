#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-short-lived.sh KUBEARMOR SRCDIR: processes that are gone before the agent looks at
# their records. A shell (a copy under a name of our own) forks a reader (a copy of cat under a name
# of our own) that opens a file matched by an Audit host policy and exits at once; the shell exits
# right after. By the time the agent consumes the ring buffer both have exited, so /proc has nothing
# about them: the alert must still carry the right ProcessName (the reader), ParentProcessName (the
# shell), HostPID and HostPPID, from the exec records. Several rounds, each checked exactly in the
# journal (`journalctl -o json KUBEARMOR_POLICY=<name>`). Root only (77 otherwise).
set -uo pipefail

AGENT_BIN=$1
srcdir=$2
# shellcheck source=lib-agent.sh
. "$srcdir/tests/integration/lib-agent.sh"
agent_journald_begin "$@"

target=$AGENT_TMP/short-lived.txt
echo data >"$target"
# Copies under names of our own: no other process on the machine has these executables, so a right
# name in the alert cannot come from some other process's entry.
sh_copy=$AGENT_TMP/ka-short-sh
cat_copy=$AGENT_TMP/ka-short-cat
cp "$(readlink -f "$(command -v sh)")" "$sh_copy"
cp "$(readlink -f "$(command -v cat)")" "$cat_copy"

put_policy short.yaml short-lived-$$ "  severity: 4
  file:
    matchPaths:
    - path: $target
  action: Audit"
agent_start --set hostVisibility=none

# alert_ok POLICY EXPECTED-JSON: an alert of POLICY whose fields include all of EXPECTED-JSON.
alert_ok() {
	journald_query -o json "KUBEARMOR_POLICY=$1" 2>/dev/null | python3 -c '
import json, sys
want = json.loads(sys.argv[1])
for line in sys.stdin:
    alert = json.loads(json.loads(line)["MESSAGE"])
    if all(alert.get(k) == v for k, v in want.items()):
        sys.exit(0)
sys.exit(1)
' "$2"
}

# show POLICY PID: the alerts of POLICY by PID, for the failure message.
show() {
	journald_query -o json "KUBEARMOR_POLICY=$1" 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    alert = json.loads(json.loads(line)["MESSAGE"])
    if alert.get("HostPID") == int(sys.argv[1]):
        print(json.dumps(alert, sort_keys=True))
' "$2"
}

rounds=3
for round in $(seq 1 "$rounds"); do
	# The shell forks the reader (the "; exit" keeps it from exec'ing it in place), prints the
	# reader's pid and exits as soon as the reader has.
	pidfile=$AGENT_TMP/reader.$round
	"$sh_copy" -c '"$1" "$2" >/dev/null & echo $! >"$3"; wait; exit 0' sh "$cat_copy" "$target" \
		"$pidfile" &
	sh_pid=$!
	wait "$sh_pid" || agent_fail "round $round: the shell failed"
	reader_pid=$(cat "$pidfile")
	kill -0 "$reader_pid" 2>/dev/null && agent_fail "round $round: the reader is still alive?"

	want=$(python3 -c 'import json, sys; print(json.dumps({"Type": "MatchedHostPolicy",
 "Operation": "File", "Resource": sys.argv[1], "ProcessName": sys.argv[2],
 "ParentProcessName": sys.argv[3], "HostPID": int(sys.argv[4]), "HostPPID": int(sys.argv[5]),
 "Action": "Audit", "Result": "Passed", "PolicyName": sys.argv[6], "Severity": "4"}))' \
		"$target" "$cat_copy" "$sh_copy" "$reader_pid" "$sh_pid" "short-lived-$$")
	wait_until 30 alert_ok "short-lived-$$" "$want" ||
		agent_fail "round $round: no alert with the exited processes' names; expected $want; got: $(show "short-lived-$$" "$reader_pid")"
done

agent_alive || agent_fail "the agent died"
agent_stop || agent_fail "the agent did not exit 0"
echo "PASS: $rounds reads by processes that exited at once: ProcessName, ParentProcessName, HostPID, HostPPID right"
