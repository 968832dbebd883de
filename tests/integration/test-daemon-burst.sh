#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-burst.sh KUBEARMOR SRCDIR: a burst of events far bigger than the monitor's ring buffer
# (16 KiB here): the kernel drops are counted and reported (status and the log), the agent keeps
# running, and events after the burst still become alerts. Root only.
set -uo pipefail

AGENT_BIN=$1
srcdir=$2
# shellcheck source=lib-agent.sh
. "$srcdir/tests/integration/lib-agent.sh"
agent_journald_begin "$@"

ctl=$AGENT_TMP/control.txt
noise=$AGENT_TMP/noise.txt
echo c >"$ctl"
echo n >"$noise"
put_policy control.yaml control-$$ "  file:
    matchPaths:
    - path: $ctl
  action: Audit"
agent_start --set hostVisibility=none --monitor-ring-bytes 16384

before=$(agent_status_json | json_get 'd["monitor"]["kernelDropped"]') || agent_fail "status"

# 300,000 opens as fast as one process can: far more than 16 KiB of records.
python3 -c '
import os, sys
p = sys.argv[1]
for _ in range(300000):
    os.close(os.open(p, os.O_RDONLY))
' "$noise"

agent_alive || agent_fail "the agent died during the burst"
dropped_ok() {
	local st
	st=$(agent_status_json) || return 1
	[ "$(json_get 'd["monitor"]["drops"]["ringBufferFull"] > 0 and d["monitor"]["kernelDropped"] > '"$before" <<<"$st")" = True ]
}
wait_until 30 dropped_ok || agent_fail "no ring-buffer drops counted: $(agent_status_json)"
st=$(agent_status_json)
echo "dropped in the kernel: $(json_get 'd["monitor"]["kernelDropped"]' <<<"$st")" \
	"(ring buffer full: $(json_get 'd["monitor"]["drops"]["ringBufferFull"]' <<<"$st")," \
	"emitted: $(json_get 'd["monitor"]["kernelEmitted"]' <<<"$st"))"
"$AGENT_BIN" status --socket "$AGENT_SOCK" | grep -q "dropped (ring buffer full: [1-9]" ||
	agent_fail "the text status does not show the drops"
wait_until 30 grep -q "events lost in the kernel since the last report (ring buffer full: " \
	"$AGENT_TMP/agent.err" || agent_fail "no log line about the drops"

# Later events flow. The 16 KiB ring stays small after the burst: on a loaded machine (other tests,
# sanitizers) the rest of the system's file events can keep it full for a while, and a record that
# finds it full is dropped (and counted, as checked above). So: read the control file from a new
# process, wait a little for its alert, and read it again until one of those processes' alerts is in
# the journal, within a generous bound. Every read is a fresh process, so an alert proves an event
# after the burst was observed, matched and written.
pids=()
after_ok() {
	journald_query -o json "KUBEARMOR_POLICY=control-$$" 2>/dev/null | python3 -c '
import json, sys
pids = {int(p) for p in sys.argv[1:]}
sys.exit(0 if any(json.loads(json.loads(l)["MESSAGE"]).get("HostPID") in pids for l in sys.stdin) else 1)
' "${pids[@]}"
}
end=$((SECONDS + 90))
seen=0
while [ "$SECONDS" -lt "$end" ]; do
	cat "$ctl" >/dev/null &
	pids+=("$!")
	wait "$!"
	agent_alive || agent_fail "the agent died after the burst"
	if wait_until 3 after_ok; then
		seen=1
		break
	fi
done
[ "$seen" = 1 ] || agent_fail "no alert after the burst (${#pids[@]} reads in 90 s): $(agent_status_json)"
echo "alert after the burst: ${#pids[@]} read(s) of the control file needed"
agent_alive || agent_fail "the agent died"
agent_stop || agent_fail "the agent did not exit 0"
echo "PASS: burst drops counted and reported, agent alive, later events alerted"
