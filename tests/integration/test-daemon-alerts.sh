#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-alerts.sh KUBEARMOR SRCDIR: the end-to-end audit path on this machine. A private journald
# (tests/lib/journald.sh, in its own mount namespace) and the agent in the foreground with a temporary
# policy directory; an Audit host policy on a file and one on a process; both triggered; each alert is
# read back with `journalctl -o json KUBEARMOR_POLICY=<name>` and its KubeArmor fields checked exactly.
# Also: a Block rule (no enforcer here) gives an "Audit (Block)" alert and blocks nothing; status
# says no enforcer is active; SIGTERM stops the agent with exit 0. Root only (77 otherwise).
set -uo pipefail

AGENT_BIN=$1
srcdir=$2
# shellcheck source=lib-agent.sh
. "$srcdir/tests/integration/lib-agent.sh"
agent_journald_begin "$@"

secret=$AGENT_TMP/secret.txt
blocked=$AGENT_TMP/blocked.txt
echo secret >"$secret"
echo blocked >"$blocked"
# A copy of sleep under a name of our own, so that no other process on the machine matches.
prog=$AGENT_TMP/ka-test-sleep
cp /usr/bin/sleep "$prog"

put_policy file.yaml audit-file-$$ "  severity: 5
  file:
    matchPaths:
    - path: $secret
  action: Audit"
put_policy proc.yaml audit-proc-$$ "  severity: 3
  tags: [\"MITRE\", \"T1059\"]
  message: test program ran
  process:
    matchPaths:
    - path: $prog
  action: Audit"
put_policy block.yaml block-file-$$ "  severity: 8
  file:
    matchPaths:
    - path: $blocked
  action: Block"

agent_start --set hostVisibility=none

# The start-up warning that nothing is blocked.
grep -q "nothing is blocked on this host" "$AGENT_TMP/agent.err" || agent_fail "no warning that no enforcer is active"
st=$(agent_status_json) || agent_fail "status failed"
[ "$(json_get 'd["enforcer"]["active"]' <<<"$st")" = None ] || agent_fail "an enforcer is active?"
[ "$(json_get 'd["monitor"]["active"]' <<<"$st")" = True ] || agent_fail "monitor inactive: $st"
[ "$(json_get 'd["policyDir"]["policiesInForce"]' <<<"$st")" = 3 ] || agent_fail "policies: $st"
json_get '[r["status"] for r in d["rules"]]' <<<"$st" | grep -q "NOT ENFORCED" ||
	agent_fail "the Block rule is not reported as not enforced"

# Trigger: cat reads the file (cat is the process itself, so HostPID is known), the program runs,
# and the blocked file is read (and must not be blocked).
bash_exe=$(readlink /proc/$$/exe)
cat "$secret" >/dev/null &
cat_pid=$!
wait "$cat_pid"
"$prog" 0.01 &
prog_pid=$!
wait "$prog_pid"
cat "$blocked" >/dev/null || agent_fail "reading the Block-rule file failed: something blocked it"

check_alert() { # POLICY EXPECTED-JSON
	local policy=$1 expected=$2 out
	out=$(journald_query -o json "KUBEARMOR_POLICY=$policy" 2>/dev/null)
	[ -n "$out" ] || return 1
	python3 -c '
import json, sys
want = json.loads(sys.argv[1])
last = None
for line in sys.stdin:
    alert = json.loads(json.loads(line)["MESSAGE"])
    if all(alert.get(k) == v for k, v in want.items()):
        sys.exit(0)
    last = alert
print("no matching alert; last was:", json.dumps(last, sort_keys=True), file=sys.stderr)
sys.exit(1)
' "$expected" <<<"$out"
}

want_file=$(python3 -c 'import json,sys; print(json.dumps({"Type": "MatchedHostPolicy", "Operation": "File",
 "Resource": sys.argv[1], "ProcessName": "/usr/bin/cat", "ParentProcessName": sys.argv[2],
 "HostPID": int(sys.argv[3]), "Action": "Audit", "Result": "Passed", "Enforcer": "eBPF Monitor",
 "PolicyName": sys.argv[4], "Severity": "5", "Data": "syscall=SYS_OPENAT fd=-100 flags=O_RDONLY"}))' \
	"$secret" "$bash_exe" "$cat_pid" "audit-file-$$")
want_proc=$(python3 -c 'import json,sys; print(json.dumps({"Type": "MatchedHostPolicy", "Operation": "Process",
 "Resource": sys.argv[1] + " 0.01", "ProcessName": sys.argv[1], "ParentProcessName": sys.argv[2],
 "HostPID": int(sys.argv[3]), "Action": "Audit", "Result": "Passed", "Enforcer": "eBPF Monitor",
 "PolicyName": sys.argv[4], "Severity": "3", "Tags": "MITRE,T1059", "Message": "test program ran",
 "Source": sys.argv[2]}))' "$prog" "$bash_exe" "$prog_pid" "audit-proc-$$")
want_block=$(python3 -c 'import json,sys; print(json.dumps({"Type": "MatchedHostPolicy", "Operation": "File",
 "Resource": sys.argv[1], "ProcessName": "/usr/bin/cat", "Action": "Audit (Block)", "Result": "Passed",
 "Enforcer": "eBPF Monitor", "PolicyName": sys.argv[2], "Severity": "8"}))' "$blocked" "block-file-$$")

wait_until 30 check_alert "audit-file-$$" "$want_file" || agent_fail "file alert missing or wrong"
wait_until 30 check_alert "audit-proc-$$" "$want_proc" || agent_fail "process alert missing or wrong"
wait_until 30 check_alert "block-file-$$" "$want_block" || agent_fail "Block-rule alert missing or wrong"

# The journal fields for filtering.
journald_query -o json "KUBEARMOR_POLICY=audit-file-$$" | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
assert e["SYSLOG_IDENTIFIER"] == "kubearmor", e
assert e["KUBEARMOR_TYPE"] == "MatchedHostPolicy", e
assert e["KUBEARMOR_OPERATION"] == "File", e
assert e["KUBEARMOR_ACTION"] == "Audit", e
' || agent_fail "journal fields"

st=$(agent_status_json)
[ "$(json_get 'd["counters"]["alerts"] >= 3' <<<"$st")" = True ] || agent_fail "alert counter: $st"

agent_stop || agent_fail "the agent did not exit 0 on SIGTERM"
grep -q "received Terminated, stopping" "$AGENT_TMP/agent.err" || agent_fail "no clean stop line"
[ ! -e "$AGENT_SOCK" ] || agent_fail "the status socket was left behind"
echo "PASS: file, process and Block-rule alerts in the journal with KubeArmor fields"
