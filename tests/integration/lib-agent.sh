# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# tests/integration/lib-agent.sh: start and stop `kubearmor run` in host integration tests. Sources
# tests/lib/journald.sh.
#
#   . "$srcdir/tests/integration/lib-agent.sh"
#   agent_journald_begin "$@"     # how a test starts: journald_require, agent_require,
#                                 # journald_isolate "$@", EXIT trap agent_cleanup, journald_start,
#                                 # agent_setup
#   agent_require                 # exit 77 unless root, the binary, BTF and tracefs are there
#   agent_setup                   # AGENT_TMP, AGENT_POLICIES (0700, root), AGENT_CONF (empty config)
#   agent_start [ARGS...]         # background `kubearmor run` with our dirs; waits for its status socket
#   agent_status_json             # the status document (JSON) on stdout
#   agent_stop                    # SIGTERM by PID, wait; fails unless it exited 0
#   agent_cleanup                 # stop (if running) and remove AGENT_TMP; call it from the EXIT trap
#
# The agent runs with --foreground (plain log lines) and its stdout (JSON-lines fallback of alerts)
# and stderr (the log) go to $AGENT_TMP/agent.out and agent.err, unless AGENT_LOG_TO_JOURNAL=1: then
# both go to the journal through systemd-cat, tagged kubearmor-agent, with priorities.
# Never kills by name.

# shellcheck source=../lib/journald.sh
. "${BASH_SOURCE[0]%/*}/../lib/journald.sh"

AGENT_BIN=${AGENT_BIN:-}
AGENT_PID=
AGENT_TMP=
AGENT_POLICIES=
AGENT_CONF=
AGENT_SOCK=
# A command that execs the agent (e.g. setpriv ...), so that $! stays the agent's pid.
AGENT_PREFIX=()

agent_require() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: the agent's integration tests need root"
		exit 77
	fi
	if [ ! -x "$AGENT_BIN" ]; then
		echo "SKIP: no agent binary at '$AGENT_BIN'"
		exit 77
	fi
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		echo "SKIP: no kernel BTF (/sys/kernel/btf/vmlinux)"
		exit 77
	fi
	if ! command -v python3 >/dev/null; then
		echo "SKIP: python3 not found"
		exit 77
	fi
}

agent_setup() {
	AGENT_TMP=$(mktemp -d /tmp/kubearmor-agent-test.XXXXXX)
	chmod 0755 "$AGENT_TMP"
	AGENT_POLICIES=$AGENT_TMP/policies
	mkdir -m 0700 "$AGENT_POLICIES"
	AGENT_CONF=$AGENT_TMP/kubearmor.yaml
	: >"$AGENT_CONF"
	AGENT_SOCK=$AGENT_TMP/status.sock
}

# agent_journald_begin "$@" (the script's arguments): skip (77) unless journald and the agent can
# run here, re-run the script in a private mount namespace (journald_isolate: nothing with side
# effects may come before), make the EXIT trap call agent_cleanup, start journald and agent_setup.
agent_journald_begin() {
	journald_require
	agent_require
	journald_isolate "$@"
	trap 'agent_cleanup' EXIT
	journald_start || exit 1
	agent_setup
}

agent_fail() {
	echo "FAIL: $*"
	agent_dump
	exit 1
}

agent_dump() {
	if [ -n "$AGENT_TMP" ] && [ -s "$AGENT_TMP/agent.err" ]; then
		echo "--- agent log (last 60 lines) ---"
		tail -n 60 "$AGENT_TMP/agent.err"
		echo "---"
	fi
}

agent_status_json() {
	"$AGENT_BIN" status --json --socket "$AGENT_SOCK"
}

# wait_until SECONDS COMMAND...: poll every 20 ms.
wait_until() {
	local limit=$1 end
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.02
	done
	"$@"
}

agent_start() {
	local -a cmd=("$AGENT_BIN" run --config "$AGENT_CONF" --policy-dir "$AGENT_POLICIES"
		--status-socket "$AGENT_SOCK" "$@")
	if [ "${AGENT_LOG_TO_JOURNAL:-0}" = 1 ]; then
		# systemd-cat execs the agent: $! is the agent. JOURNAL_STREAM makes it log with "<N>"
		# priorities, as under systemd.
		JOURNAL_STREAM=test systemd-cat -t kubearmor-agent "${cmd[@]}" </dev/null &
		AGENT_PID=$!
	else
		"${AGENT_PREFIX[@]}" "${cmd[@]}" --foreground </dev/null >>"$AGENT_TMP/agent.out" \
			2>>"$AGENT_TMP/agent.err" &
		AGENT_PID=$!
	fi
	if ! wait_until 60 agent_answers; then
		agent_fail "the agent did not answer on $AGENT_SOCK within 60 s"
	fi
}

agent_answers() {
	kill -0 "$AGENT_PID" 2>/dev/null || agent_fail "the agent (pid $AGENT_PID) exited"
	agent_status_json >/dev/null 2>&1
}

agent_alive() {
	kill -0 "$AGENT_PID" 2>/dev/null
}

agent_stop() {
	local rc
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$AGENT_PID" 2>/dev/null; then
		echo "agent_stop: pid $AGENT_PID ignored SIGTERM for 10 s, killing" >&2
		kill -KILL "$AGENT_PID" 2>/dev/null
	fi
	wait "$AGENT_PID" 2>/dev/null
	rc=$?
	AGENT_PID=
	return "$rc"
}

agent_cleanup() {
	agent_stop >/dev/null 2>&1
	[ -n "$AGENT_TMP" ] && rm -rf -- "$AGENT_TMP"
	AGENT_TMP=
}

# host_policy NAME CLASS-YAML: a KubeArmorHostPolicy for every host. CLASS-YAML is the spec body
# (indented by two spaces) after nodeSelector.
host_policy() {
	cat <<EOF
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata:
  name: $1
spec:
  nodeSelector:
    matchLabels:
      kubearmor.io/hostname: "*"
$2
EOF
}

# put_policy FILE NAME BODY: write-then-rename into the policy directory, mode 0600. PUT_T0 is the
# time (seconds) just before the rename.
put_policy() {
	local tmp="$AGENT_POLICIES/.$1.tmp"
	host_policy "$2" "$3" >"$tmp"
	chmod 0600 "$tmp"
	PUT_T0=$EPOCHREALTIME
	mv -f "$tmp" "$AGENT_POLICIES/$1"
}

# json_get EXPR: evaluate a Python expression over the JSON document on stdin (as `d`).
json_get() {
	python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
