#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-daemon.sh KUBEARMOR: the agent's memory with 1,000 rules loaded and its CPU when idle.
# Three runs of `kubearmor run`, each given BENCH_IDLE_SECONDS (default 10) to sit idle:
#   A. no policies, --no-monitor          (the floor: loop, config, status socket)
#   B. 1,000 rules, --no-monitor          (what the policies and the compiled RuleSet cost)
#   C. 1,000 rules, eBPF monitor running  (the real agent; hostVisibility none)
# For each: VmRSS and VmHWM (KiB), CPU (utime+stime) over the idle window as % of one CPU, and for C
# how many monitor events arrived meanwhile (the machine is never truly idle). Prints figures only;
# a sanitized (ASan) build inflates memory, which is said in the output. Root for run C (else C is
# skipped).
set -uo pipefail

bin=$1
idle=${BENCH_IDLE_SECONDS:-10}
tmp=$(mktemp -d /tmp/kubearmor-bench-daemon.XXXXXX)
chmod 0755 "$tmp"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT

: >"$tmp/kubearmor.yaml"
mkdir -m 0700 "$tmp/empty" "$tmp/rules"

# 1,000 rules in 10 host policies: per policy 50 file paths, 25 file directories, 25 process paths.
for p in $(seq 0 9); do
	{
		printf 'apiVersion: security.kubearmor.com/v1\nkind: KubeArmorHostPolicy\n'
		printf 'metadata:\n  name: bench-%d\nspec:\n  nodeSelector:\n    matchLabels:\n' "$p"
		printf '      kubearmor.io/hostname: "*"\n  file:\n    matchPaths:\n'
		for i in $(seq 0 49); do printf '    - path: /opt/bench/p%d/file%d.conf\n' "$p" "$i"; done
		printf '    matchDirectories:\n'
		for i in $(seq 0 24); do printf '    - dir: /opt/bench/p%d/dir%d/\n      recursive: true\n' "$p" "$i"; done
		printf '  process:\n    matchPaths:\n'
		for i in $(seq 0 24); do printf '    - path: /opt/bench/p%d/bin/tool%d\n' "$p" "$i"; done
		printf '  action: Audit\n'
	} >"$tmp/rules/bench-$p.yaml"
done
chmod 0600 "$tmp"/rules/*.yaml

ticks=$(getconf CLK_TCK)
sanitized=no
grep -q __asan_init "$bin" 2>/dev/null && sanitized="yes (ASan: memory figures inflated)"

# run NAME DIR ARGS...
run() {
	local name=$1 dir=$2 sock="$tmp/status.sock" t0 t1 c0 c1 e0 e1 rss hwm rules
	shift 2
	"$bin" run --foreground --config "$tmp/kubearmor.yaml" --policy-dir "$dir" --status-socket "$sock" \
		--set hostVisibility=none "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	for _ in $(seq 1 300); do
		"$bin" status --json --socket "$sock" >"$tmp/st.json" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { echo "$name: the agent exited"; cat "$tmp/$name.err"; pid=; return 1; }
		sleep 0.1
	done
	sleep 2 # settle after start-up
	rules=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]))' "$tmp/st.json")
	e0=$("$bin" status --json --socket "$sock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["events"])')
	c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	t0=$(date +%s%N)
	sleep "$idle"
	c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	t1=$(date +%s%N)
	e1=$("$bin" status --json --socket "$sock" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["events"])')
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
	python3 -c '
import sys
name, rules, rss, hwm, c, ticks, ns, ev = sys.argv[1:]
secs = int(ns) / 1e9
cpu = int(c) / int(ticks) / secs * 100
print("%-28s rules %4s  VmRSS %7s KiB  VmHWM %7s KiB  idle CPU %5.2f %% of one CPU  events %d/s"
      % (name, rules, rss, hwm, cpu, int(ev) / secs))' \
		"$name" "$rules" "$rss" "$hwm" "$((c1 - c0))" "$ticks" "$((t1 - t0))" "$((e1 - e0))"
	kill -TERM "$pid"
	wait "$pid"
	pid=
}

echo "bench-daemon: sanitized build: $sanitized; idle window ${idle} s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run "A no policies, no monitor" "$tmp/empty" --no-monitor || exit 1
run "B 1000 rules, no monitor" "$tmp/rules" --no-monitor || exit 1
if [ "$(id -u)" -eq 0 ]; then
	run "C 1000 rules, monitor" "$tmp/rules" || exit 1
else
	echo "C 1000 rules, monitor: skipped (needs root)"
fi
