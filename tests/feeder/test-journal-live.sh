#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-journal-live.sh CLIENT SRCDIR: the feeder against a real journald (started by hand through
# tests/lib/journald.sh). One feeder-journal-client process sends alerts while this script
#   1. sends before any journald exists (-ENOENT): JSON lines on the fallback, counted;
#   2. checks `journalctl -o json KUBEARMOR_POLICY=<name>`: every alert once, every filter field, MESSAGE
#      parsing as the alert JSON; `journalctl -t kubearmor -o cat` yields JSON lines;
#   3. stops journald (-ECONNREFUSED): fallback, counted; restarts it: the journal resumes and the
#      records the old journald took last are replayed (KUBEARMOR_REPLAYED=1);
#   4. stops and restarts journald in the middle of a stream of alerts: every alert is in the journal
#      or on the fallback at least once (duplicates only as marked replays), none lost;
#      a restart while idle is caught up by the periodic flush;
#   5. sends a Resource with a newline, a quote and invalid UTF-8.
# Runs in a private mount namespace (journald_isolate) with its own journald. Skips (77) without root,
# journald or unshare. Without isolation, parts 1, 3 and 4 would need a journald of our own.
set -uo pipefail

client=$1
srcdir=$2

# shellcheck source-path=SCRIPTDIR source=../lib/journald.sh
. "$srcdir/tests/lib/journald.sh" || { echo "FAIL: cannot source the journald harness"; exit 1; }
journald_require
journald_isolate "$@"
if ! command -v python3 >/dev/null; then
	echo "SKIP: python3 not found"
	exit 77
fi

client_pid=
stop_client() {
	if [ -n "$client_pid" ]; then
		kill -TERM "$client_pid" 2>/dev/null
		wait "$client_pid" 2>/dev/null
		client_pid=
	fi
}

fail() {
	echo "FAIL: $*"
	journald_dump_log
	exit 1
}

msgid=$(sed -n 's/^#define FEEDER_MESSAGE_ID_MATCHED_POLICY[[:space:]]*"\([0-9a-f]*\)"$/\1/p' \
	"$srcdir/agent/feeder/feeder.h")
[ ${#msgid} -eq 32 ] || fail "cannot read the MatchedPolicy MESSAGE_ID from feeder.h"

tag="t$$x$RANDOM"
tmp=$(mktemp -d /tmp/kubearmor-feeder-live.XXXXXX)
fallback=$tmp/fallback.jsonl
# journald_start chains its own cleanup in front of this.
trap 'stop_client; rm -rf -- "$tmp"' EXIT

journald_lock
ours=1
if journald_answering; then
	ours=0
	echo "note: a system journald is running; skipping the stop/restart parts"
fi

coproc CLIENT { exec "$client" "$fallback"; }
# shellcheck disable=SC2153 # set by coproc
client_pid=$CLIENT_PID

REPLY_LINE=
cmd() {
	echo "$*" >&"${CLIENT[1]}" || fail "client gone before '$*'"
	IFS= read -r -t 120 REPLY_LINE <&"${CLIENT[0]}" || fail "client did not answer '$*'"
}

# stat NAME: a counter from the client's last "stats" line.
get_stat() {
	cmd stats
	sed -n "s/.* $1=\(-\{0,1\}[0-9]*\).*/\1/p" <<<"$REPLY_LINE"
}

expect_stat() {
	local v
	v=$(get_stat "$1")
	[ "$v" = "$2" ] || fail "stat $1 is '$v', expected $2 (${REPLY_LINE})"
}

fallback_count() {
	grep -c "\"PolicyName\":\"$1\"" "$fallback"
}

# check_journal POLICY N: exactly N entries of POLICY, resources /live/POLICY/0..N-1, all fields right.
check_journal() {
	local policy=$1 n=$2 out=$tmp/query.json
	journald_query -q -o json "KUBEARMOR_POLICY=$policy" >"$out" || fail "journalctl failed"
	python3 - "$out" "$policy" "$n" "$msgid" <<'PY' || fail "journal content for $policy"
import json, sys
path, policy, n, msgid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
entries = [json.loads(l) for l in open(path) if l.strip()]
def bad(msg):
    print(msg); sys.exit(1)
if len(entries) != n:
    bad(f"{policy}: {len(entries)} journal entries, expected {n}")
want = {
    "SYSLOG_IDENTIFIER": "kubearmor", "PRIORITY": "3", "MESSAGE_ID": msgid,
    "KUBEARMOR_TYPE": "MatchedPolicy", "KUBEARMOR_POLICY": policy, "KUBEARMOR_ACTION": "Block",
    "KUBEARMOR_OPERATION": "File", "KUBEARMOR_SEVERITY": "8",
    "KUBEARMOR_CONTAINER_ID": "cid-" + policy,
}
seen = set()
for e in entries:
    for k, v in want.items():
        if e.get(k) != v:
            bad(f"{policy}: field {k}={e.get(k)!r}, expected {v!r}")
    res = e.get("KUBEARMOR_RESOURCE")
    m = json.loads(e["MESSAGE"])
    exp = {"PolicyName": policy, "Type": "MatchedPolicy", "Action": "Block", "Severity": "8",
           "Operation": "File", "Resource": res, "ContainerID": "cid-" + policy,
           "HostName": "live-test", "Result": "Permission denied", "UID": 0, "PPID": 1,
           "EventData": {"Syscall": "SYS_OPENAT", "Fd": "-100", "Flags": "O_RDONLY"}}
    for k, v in exp.items():
        if m.get(k) != v:
            bad(f"{policy}: MESSAGE {k}={m.get(k)!r}, expected {v!r}")
    if not isinstance(m.get("Timestamp"), int) or not m.get("UpdatedTime", "").endswith("Z"):
        bad(f"{policy}: bad time fields in {m}")
    seen.add(res)
if seen != {f"/live/{policy}/{i}" for i in range(n)}:
    bad(f"{policy}: resources {sorted(seen)[:5]}... do not match")
PY
	# -o cat gives one JSON document per line.
	journald_query -q -t kubearmor -o cat "KUBEARMOR_POLICY=$policy" >"$out" || fail "journalctl -o cat"
	python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == int(sys.argv[2]), len(lines)
for l in lines:
    json.loads(l)
' "$out" "$n" || fail "journalctl -o cat for $policy is not $n JSON lines"
}

# 1. No journald at all: -ENOENT, fallback.
if [ "$ours" -eq 1 ] && [ ! -e "$JOURNALD_SOCKET" ]; then
	cmd send "$tag-none" 3
	[ "$REPLY_LINE" = "sent ok=3 err=0" ] || fail "send without journald: $REPLY_LINE"
	[ "$(fallback_count "$tag-none")" -eq 3 ] || fail "fallback lacks the 3 alerts sent without journald"
	expect_stat failures 3
	expect_stat last_error -2
	expect_stat lost 0
	echo "ok: without journald, 3 alerts went to the fallback (-ENOENT)"
fi

# 2. Journal up.
journald_start || fail "journald did not start"
cmd send "$tag-up1" 20
[ "$REPLY_LINE" = "sent ok=20 err=0" ] || fail "send: $REPLY_LINE"
check_journal "$tag-up1" 20
[ "$(fallback_count "$tag-up1")" -eq 0 ] || fail "alerts went to the fallback while journald was up"
expect_stat up 1
echo "ok: 20 alerts in the journal with all fields"

if [ "$ours" -eq 1 ]; then
	# 3. Stopped: -ECONNREFUSED (the socket file is still there), fallback; restarted: journal.
	failures=$(get_stat failures)
	journald_stop
	[ -S "$JOURNALD_SOCKET" ] || fail "expected journald's socket to outlive it"
	cmd send "$tag-down" 5
	[ "$REPLY_LINE" = "sent ok=5 err=0" ] || fail "send while down: $REPLY_LINE"
	[ "$(fallback_count "$tag-down")" -eq 5 ] || fail "fallback lacks the 5 alerts sent while down"
	expect_stat failures $((failures + 5))
	expect_stat last_error -111
	expect_stat up 0
	journald_start || fail "journald did not restart"
	cmd send "$tag-back" 5
	check_journal "$tag-back" 5
	check_journal "$tag-down" 0
	expect_stat up 1
	# The new journald has a new socket: what the old one took last was sent again (replayed).
	[ "$(get_stat replayed)" -gt 0 ] || fail "no replay after a journald restart"
	journald_query -q -o json "KUBEARMOR_POLICY=$tag-up1" KUBEARMOR_REPLAYED=1 >"$tmp/replayed.json"
	[ -s "$tmp/replayed.json" ] || fail "replayed records of $tag-up1 not in the journal"
	echo "ok: journald stopped: fallback (-ECONNREFUSED); restarted: journal again, last records replayed"

	# 4. Stop and restart in the middle of a stream: nothing lost.
	n=400
	echo "send $tag-mid $n 5000" >&"${CLIENT[1]}"
	sleep 0.5
	journald_stop
	sleep 0.5
	journald_start || fail "journald did not restart"
	IFS= read -r -t 120 REPLY_LINE <&"${CLIENT[0]}" || fail "client did not finish the stream"
	[ "$REPLY_LINE" = "sent ok=$n err=0" ] || fail "stream: $REPLY_LINE"
	expect_stat lost 0
	journald_query -q -o json "KUBEARMOR_POLICY=$tag-mid" >"$tmp/mid.json"
	python3 - "$tmp/mid.json" "$fallback" "$tag-mid" "$n" <<'PY' || fail "stream: alerts missing"
import json, sys
from collections import Counter
path, fbpath, policy, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
orig, replayed = [], []
for l in open(path):
    if not l.strip():
        continue
    e = json.loads(l)
    res = json.loads(e["MESSAGE"])["Resource"]
    (replayed if e.get("KUBEARMOR_REPLAYED") == "1" else orig).append((res, e["KUBEARMOR_SEQ"]))
fb = [json.loads(l)["Resource"] for l in open(fbpath) if f'"PolicyName":"{policy}"' in l]
print(f"stream of {n}: {len(orig)} in the journal, {len(replayed)} replayed, {len(fb)} on the fallback")
want = {f"/live/{policy}/{i}" for i in range(n)}
first = [r for r, _ in orig] + fb
dups = [r for r, c in Counter(first).items() if c > 1]
assert not dups, f"sent twice without a replay mark: {dups[:5]}"
seq = dict(orig)
for r, s in replayed:
    assert seq.get(r, s) == s, f"replay of {r} has another KUBEARMOR_SEQ"
got = set(first) | {r for r, _ in replayed}
missing = sorted(want - got)
assert not missing, f"{len(missing)} alerts lost: {missing[:5]}"
assert got == want, sorted(got - want)[:5]
assert fb, "journald was stopped mid-stream but nothing went to the fallback"
assert orig, "nothing of the stream reached the journal"
PY
	echo "ok: stream across a journald restart: every alert at least once, none lost"

	# A restart while nothing is sent: the periodic flush replays the kept records.
	replayed=$(get_stat replayed)
	journald_stop
	journald_start || fail "journald did not restart"
	cmd flush
	[ "$REPLY_LINE" = "flushed 0" ] || fail "flush: $REPLY_LINE"
	[ "$(get_stat replayed)" -gt "$replayed" ] || fail "flush after a restart replayed nothing"
	echo "ok: restart while idle: the flush replayed the last records"
fi

# 5. Hostile resource: journal field keeps the raw bytes, MESSAGE the repaired JSON string.
cmd odd "$tag-odd"
journald_query -q -o json "KUBEARMOR_POLICY=$tag-odd" >"$tmp/odd.json"
python3 - "$tmp/odd.json" <<'PY' || fail "odd resource"
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(entries) == 1, len(entries)
e = entries[0]
raw = e["KUBEARMOR_RESOURCE"]
raw = bytes(raw) if isinstance(raw, list) else raw.encode()
assert raw == b'/tmp/odd\nname "q" \xff end', raw
m = json.loads(e["MESSAGE"])
assert m["Resource"] == '/tmp/odd\nname "q" \ufffd end', m["Resource"]
PY
echo "ok: hostile resource"

echo quit >&"${CLIENT[1]}"
wait "$client_pid" 2>/dev/null
client_pid=
echo "PASS"
