#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-reload.sh KUBEARMOR SRCDIR: policies change under a running agent, each change seen in
# alerts within the bound (KA_RELOAD_BOUND_MS, default 100 ms, after the file operation):
#   1. a policy added (write-then-rename)       → its alert;
#   2. edited by rename-over (another path)      → alert for the new path, none for the old;
#   3. broken (a relative path)                  → the last good version stays (alert still comes) and
#                                                  the journal has the error with file:line:column;
#   4. removed                                   → no alert any more.
# Before each trigger the test waits (generous bound) until the agent's status shows it has checked
# the file again, instead of sleeping for the bound: on a loaded machine (sanitizers, parallel tests)
# a fixed sleep races with inotify. The measured latency is printed; it fails the test only when
# KA_RELOAD_BOUND_MS is set explicitly (the figure is a target for benchmarks, not a unit-test timer).
# Absence is checked against a control policy triggered after the action: events are consumed in
# order, so once the control alert is in, the other would be too. Measured apply latencies (file
# mtime to "applied" in status) are printed. The agent logs to the journal (systemd-cat). Root only.
set -uo pipefail

AGENT_BIN=$1
srcdir=$2
# shellcheck source=lib-agent.sh
. "$srcdir/tests/integration/lib-agent.sh"
agent_journald_begin "$@"
export AGENT_LOG_TO_JOURNAL=1

bound_ms=${KA_RELOAD_BOUND_MS:-100}
strict=${KA_RELOAD_BOUND_MS:+1}

fail() {
	echo "FAIL: $*"
	echo "--- agent log ---"
	journald_query -t kubearmor-agent -o cat | tail -n 40
	exit 1
}

f1=$AGENT_TMP/one.txt
f2=$AGENT_TMP/two.txt
ctl=$AGENT_TMP/control.txt
echo 1 >"$f1"
echo 2 >"$f2"
echo c >"$ctl"
file_rule() { printf '  file:\n    matchPaths:\n    - path: %s\n  action: Audit' "$1"; }

put_policy control.yaml control-$$ "$(file_rule "$ctl")"
agent_start --set hostVisibility=none

# alert_for POLICY PID: is there an alert of POLICY by process PID?
alert_for() {
	journald_query -o json "KUBEARMOR_POLICY=$1" 2>/dev/null | python3 -c '
import json, sys
pid = int(sys.argv[1])
sys.exit(0 if any(json.loads(json.loads(l)["MESSAGE"]).get("HostPID") == pid for l in sys.stdin) else 1)
' "$2"
}

# touch_file PATH: read it from a new process; prints that process's pid.
touch_file() {
	cat "$1" >/dev/null &
	local p=$!
	wait "$p"
	echo "$p"
}

# control: trigger the control policy and wait for its alert (everything before it is consumed).
control() {
	local p
	p=$(touch_file "$ctl")
	wait_until 30 alert_for "control-$$" "$p" || fail "control alert missing"
}

# latency FILE T0: from T0 (seconds, taken just before the rename) to the file's "checked" time in
# status, in ms: an upper bound, as it includes starting mv(1).
latency() {
	agent_status_json | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
for f in d["files"]:
    if f["name"] == sys.argv[1]:
        t = datetime.datetime.strptime(f["checked"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        print("%.1f" % ((t - float(sys.argv[2])) * 1000))
' "$1" "$2"
}

# checked_since FILE T0: status shows FILE checked (applied or in error) at or after T0.
checked_since() {
	agent_status_json 2>/dev/null | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
for f in d["files"]:
    if f["name"] == sys.argv[1] and f.get("checked"):
        t = datetime.datetime.strptime(f["checked"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        sys.exit(0 if t >= float(sys.argv[2]) - 0.001 else 1)
sys.exit(1)
' "$1" "$2"
}

# gone FILE: status no longer lists FILE.
gone() {
	agent_status_json 2>/dev/null | python3 -c '
import json, sys
sys.exit(1 if any(f["name"] == sys.argv[1] for f in json.load(sys.stdin)["files"]) else 0)
' "$1"
}

# within_bound FILE T0 WHAT: wait until the agent checked FILE, print the latency, enforce the bound
# only in strict mode.
within_bound() {
	local ms
	wait_until 30 checked_since "$1" "$2" || fail "$3: the agent did not check $1 within 30 s"
	ms=$(latency "$1" "$2")
	if [ -n "$strict" ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$ms" "$bound_ms"; then
		fail "$3: checked $ms ms after the rename, over the bound of $bound_ms ms"
	fi
}

# 1. added
put_policy reload.yaml reload-$$ "$(file_rule "$f1")"
t0=$PUT_T0
within_bound reload.yaml "$t0" "added policy"
p=$(touch_file "$f1")
wait_until 30 alert_for "reload-$$" "$p" || fail "added policy: no alert"
echo "added: applied $(latency reload.yaml "$t0") ms after the rename into the directory"

# 2. edited by rename-over
put_policy reload.yaml reload-$$ "$(file_rule "$f2")"
t0=$PUT_T0
within_bound reload.yaml "$t0" "edited policy"
p1=$(touch_file "$f1")
p2=$(touch_file "$f2")
wait_until 30 alert_for "reload-$$" "$p2" || fail "edited policy: no alert for the new path"
control
alert_for "reload-$$" "$p1" && fail "edited policy: the old path still alerts"
echo "edited: applied $(latency reload.yaml "$t0") ms after the rename"

# 3. broken: last good version kept, error in the journal
good=$(sed -n '/path:/=' "$AGENT_POLICIES/reload.yaml")
put_policy reload.yaml reload-$$ "$(file_rule relative/path)"
t0=$PUT_T0
within_bound reload.yaml "$t0" "broken policy"
p2=$(touch_file "$f2")
wait_until 30 alert_for "reload-$$" "$p2" || fail "broken policy: the last good version is not in force"
line=$(sed -n '/path:/=' "$AGENT_POLICIES/reload.yaml")
col=$(sed -n '/path:/p' "$AGENT_POLICIES/reload.yaml" | awk '{print index($0, "relative")}')
check_error() {
	journald_query -t kubearmor-agent -p err -o cat | grep -q "reload.yaml:$line:$col: spec.file.matchPaths\[0\].path"
}
wait_until 30 check_error || fail "no error with file:line:column in the journal"
journald_query -t kubearmor-agent -o cat | grep -q "reload.yaml': its last good version (1 policy) stays in force" ||
	fail "the journal does not say the last good version stays"
st=$(agent_status_json)
[ "$(json_get '[f["state"] for f in d["files"] if f["name"] == "reload.yaml"][0]' <<<"$st")" = error ] ||
	fail "status does not show the file in error"
echo "broken: checked $(latency reload.yaml "$t0") ms after the rename; last good (line $good) kept"

# 4. removed
rm "$AGENT_POLICIES/reload.yaml"
wait_until 30 gone reload.yaml || fail "removed policy: still listed after 30 s"
p2=$(touch_file "$f2")
control
alert_for "reload-$$" "$p2" && fail "removed policy still alerts"
journald_query -t kubearmor-agent -o cat | grep -q "reload.yaml' removed; 1 policy no longer in force" ||
	fail "the journal does not say the file was removed"
echo "removed: no alert any more"

agent_stop || fail "the agent did not exit 0"
echo "PASS: add, rename-over edit, broken (last good kept), remove${strict:+: each within ${bound_ms} ms}"
