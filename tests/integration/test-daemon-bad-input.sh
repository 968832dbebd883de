#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-bad-input.sh KUBEARMOR SRCDIR: bad input at run time, each handled with a clear log
# line and no crash:
#   1. an unreadable policy file (the agent runs without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, the
#      file is mode 000): error "cannot open: Permission denied", applied once readable;
#      a file owned by another user, a FIFO and a symlink out of the directory: refused with reasons;
#   2. the policy directory disappears (policies stay in force) and comes back (read again);
#   3. journald stopped while the agent runs: alerts go to standard output as JSON lines, counted;
#      journald restarted: alerts go to the journal again; both transitions logged;
#   4. short-lived processes that exit long before the agent looks at their events: their alerts
#      still name the program and its parent (the monitor's process tree), nothing crashes.
# Root only.
set -uo pipefail

AGENT_BIN=$1
srcdir=$2
# shellcheck source=lib-agent.sh
. "$srcdir/tests/integration/lib-agent.sh"
command -v setpriv >/dev/null || { echo "SKIP: setpriv not found"; exit 77; }
agent_journald_begin "$@"

log_has() { grep -qF -- "$1" "$AGENT_TMP/agent.err"; }
file_state() { agent_status_json | json_get '[f["state"] for f in d["files"] if f["name"] == "'"$1"'"][0]'; }
in_force() { agent_status_json | json_get 'd["policyDir"]["policiesInForce"]'; }

# ---- 1 and 2: policy files, policy-only agent without DAC override ----
put_policy good.yaml good-$$ "  file:
    matchPaths:
    - path: /etc/hostname
  action: Audit"
AGENT_PREFIX=(setpriv --bounding-set=-dac_override,-dac_read_search)
agent_start --no-monitor
AGENT_PREFIX=()

host_policy unreadable-$$ "  file:
    matchPaths:
    - path: /etc/hosts
  action: Audit" >"$AGENT_POLICIES/.u"
chmod 000 "$AGENT_POLICIES/.u"
mv "$AGENT_POLICIES/.u" "$AGENT_POLICIES/unreadable.yaml"
wait_until 30 log_has "unreadable.yaml: cannot open: Permission denied" ||
	agent_fail "no clear line for the unreadable file"
[ "$(file_state unreadable.yaml)" = error ] || agent_fail "unreadable file not in error"
chmod 0600 "$AGENT_POLICIES/unreadable.yaml"
wait_until 30 log_has "unreadable.yaml' applied: 1 policy (unreadable-$$)" ||
	agent_fail "the file was not applied once readable"

host_policy other-owner-$$ "  file:
    matchPaths:
    - path: /etc/hosts
  action: Audit" >"$AGENT_POLICIES/.o"
chown 65534:65534 "$AGENT_POLICIES/.o"
chmod 0644 "$AGENT_POLICIES/.o"
mv "$AGENT_POLICIES/.o" "$AGENT_POLICIES/other.yaml"
mkfifo -m 0600 "$AGENT_POLICIES/fifo.yaml"
ln -s /etc/passwd "$AGENT_POLICIES/escape.yaml"
wait_until 30 log_has "other.yaml: refused: owned by uid 65534, not root" || agent_fail "foreign owner not refused"
wait_until 30 log_has "fifo.yaml: refused: not a regular file" || agent_fail "FIFO not refused"
wait_until 30 log_has "escape.yaml: refused: symlink resolves outside the policy directory" ||
	agent_fail "escaping symlink not refused"
rm -f "$AGENT_POLICIES/other.yaml" "$AGENT_POLICIES/fifo.yaml" "$AGENT_POLICIES/escape.yaml"
[ "$(in_force)" = 2 ] || agent_fail "expected 2 policies in force"

mv "$AGENT_POLICIES" "$AGENT_TMP/policies.away"
wait_until 30 log_has "does not exist; 2 policies stay in force until it is back" ||
	agent_fail "no line about the missing directory"
[ "$(agent_status_json | json_get 'd["policyDir"]["present"]')" = False ] || agent_fail "status: dir present?"
[ "$(in_force)" = 2 ] || agent_fail "policies dropped with the directory"
mkdir -m 0700 "$AGENT_POLICIES"
cp -p "$AGENT_TMP/policies.away/good.yaml" "$AGENT_POLICIES/"
wait_until 30 log_has "is back; reading it" || agent_fail "no line about the directory coming back"
wait_until 30 [ "$(in_force)" = 1 ] || agent_fail "the directory's content is not what is in force"
agent_alive || agent_fail "the agent died"
agent_stop || agent_fail "the policy-only agent did not exit 0"
echo "policy files: unreadable, foreign, FIFO, symlink, missing directory: OK"

# ---- 3 and 4: journald goes away and comes back; short-lived processes ----
: >"$AGENT_TMP/agent.err"
secret=$AGENT_TMP/secret.txt
echo s >"$secret"
put_policy secret.yaml secret-$$ "  file:
    matchPaths:
    - path: $secret
  action: Audit"
# No throttling: part 4 sends 20 alerts of one policy at once.
agent_start --set hostVisibility=none --set alertThrottling=false

alert_in_journal() {
	journald_query -o json "KUBEARMOR_POLICY=secret-$$" 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if any(json.loads(json.loads(l)["MESSAGE"]).get("HostPID") == int(sys.argv[1]) for l in sys.stdin) else 1)
' "$1"
}
alert_on_stdout() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    try:
        a = json.loads(l)
    except ValueError:
        continue
    if a.get("PolicyName") == sys.argv[2] and a.get("HostPID") == int(sys.argv[3]):
        sys.exit(0)
sys.exit(1)' "$AGENT_TMP/agent.out" "secret-$$" "$1"
}
read_secret() {
	cat "$secret" >/dev/null &
	local p=$!
	wait "$p"
	echo "$p"
}

if journald_is_ours; then
	journald_stop
	p=$(read_secret)
	wait_until 30 alert_on_stdout "$p" || agent_fail "no fallback JSON line while journald was down"
	wait_until 30 log_has "the journal is unavailable" || agent_fail "no line about the journal going away"
	st=$(agent_status_json)
	[ "$(json_get 'd["counters"]["journalFailures"] > 0 and d["counters"]["sentFallback"] > 0' <<<"$st")" = True ] ||
		agent_fail "fallback not counted: $st"
	journald_start || exit 1
	p=$(read_secret)
	wait_until 30 alert_in_journal "$p" || agent_fail "alerts did not return to the journal"
	wait_until 30 log_has "the journal is back" || agent_fail "no line about the journal coming back"
	echo "journald stopped and restarted: OK"
else
	echo "note: journald is not ours; skipping the stop/restart part"
fi

pids=()
for _ in $(seq 1 20); do
	sh -c "cat '$secret' >/dev/null" &
	pids+=($!)
done
wait "${pids[@]}"
all_named() {
	journald_query -o json "KUBEARMOR_POLICY=secret-$$" 2>/dev/null | python3 -c '
import json, sys
alerts = [json.loads(json.loads(l)["MESSAGE"]) for l in sys.stdin]
want = set(int(p) for p in sys.argv[1:])
# sh either forks cat (cat'"'"'s parent is sh) or execs it (cat has sh'"'"'s pid).
seen = {}
for a in alerts:
    for k in ("HostPID", "HostPPID"):
        if a.get(k) in want:
            seen[a[k]] = a
if len(seen) < len(want):
    sys.exit(1)
bad = [a for a in seen.values() if a.get("ProcessName") != "/usr/bin/cat" or
       a.get("ParentProcessName") not in ("/usr/bin/dash", "/bin/dash", "/usr/bin/bash", "/bin/bash")]
if bad:
    print("unnamed:", bad, file=sys.stderr)
    sys.exit(2)
' "${pids[@]}"
}
wait_until 30 all_named || agent_fail "alerts of short-lived processes are missing or unnamed"
agent_alive || agent_fail "the agent died"
agent_stop || agent_fail "the agent did not exit 0"
echo "PASS: bad input handled with clear log lines, no crash"
