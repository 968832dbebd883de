#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# test-daemon-notify.py KUBEARMOR: the agent's life cycle as systemd sees it, with a notify socket of
# our own (policy-only mode, so no root is needed):
#   - READY=1 and a STATUS= line after start-up; WATCHDOG=1 keep-alives at the WATCHDOG_USEC pace;
#   - configuration precedence: file < KUBEARMOR_* environment < --set;
#   - SIGHUP with a broken configuration: RELOADING=1 (with MONOTONIC_USEC), the error with
#     file:line:column, the running configuration stays, READY=1 again; with a good one: applied;
#   - SIGTERM: STOPPING=1 and exit status 0;
#   - a broken configuration at start-up: exit status 1 and the error on stderr.
# The agent is stopped by its pid on every path.
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

kubearmor = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="kubearmor-notify-test.")
os.chmod(tmp, 0o755)
policies = os.path.join(tmp, "policies")
os.mkdir(policies, 0o700)
conf = os.path.join(tmp, "kubearmor.yaml")
sock_path = os.path.join(tmp, "notify.sock")
status_sock = os.path.join(tmp, "status.sock")
proc = None


def cleanup():
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    subprocess.run(["rm", "-rf", "--", tmp])


def fail(msg):
    print("FAIL:", msg)
    if proc:
        try:
            print("--- agent stderr ---\n" + open(os.path.join(tmp, "err")).read()[-4000:])
        except OSError:
            pass
    cleanup()
    sys.exit(1)


def write_conf(text):
    with open(conf, "w") as f:
        f.write(text)


notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(sock_path)
messages = []  # (monotonic seconds, {key: value})
lock = threading.Lock()


def listen():
    while True:
        try:
            data = notify.recv(4096)
        except OSError:
            return
        fields = dict(l.split("=", 1) for l in data.decode().split("\n") if "=" in l)
        with lock:
            messages.append((time.monotonic(), fields))


threading.Thread(target=listen, daemon=True).start()


def wait_for(pred, timeout=10.0, since=0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with lock:
            for i, (_, m) in enumerate(messages[since:]):
                if pred(m):
                    return since + i
        time.sleep(0.01)
    return None


def status():
    out = subprocess.run([kubearmor, "status", "--json", "--socket", status_sock],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail("status: " + out.stderr)
    return json.loads(out.stdout)


def start(extra_env, args):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("KUBEARMOR_"):
            del env[k]
    env.update(extra_env)
    err = open(os.path.join(tmp, "err"), "a")
    return subprocess.Popen([kubearmor, "run", "--no-monitor", "--config", conf, "--policy-dir", policies,
                             "--status-socket", status_sock] + args,
                            env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err)


try:
    # A broken configuration at start-up.
    write_conf("policyDir: /x\nthrottleSec: soon\n")
    p = subprocess.run([kubearmor, "run", "--no-monitor", "--config", conf, "--status-socket", ""],
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 1 or "kubearmor.yaml:2:14: throttleSec: 'soon'" not in p.stderr:
        fail("bad configuration at start-up: rc %d, stderr %r" % (p.returncode, p.stderr))

    write_conf("maxAlertPerSec: 42\nthrottleSec: 9\nhostVisibility: file\n")
    proc = start({"NOTIFY_SOCKET": sock_path, "WATCHDOG_USEC": "400000",
                  "KUBEARMOR_MAXALERTPERSEC": "5", "KUBEARMOR_THROTTLESEC": "7"},
                 ["--set", "maxAlertPerSec=6"])
    i = wait_for(lambda m: m.get("READY") == "1")
    if i is None:
        fail("no READY=1")
    if wait_for(lambda m: "policies in force" in m.get("STATUS", "")) is None:
        fail("no STATUS= line")
    cfg = status()["config"]
    # file < environment < command line
    if (cfg["maxAlertPerSec"], cfg["throttleSec"], cfg["hostVisibility"]) != (6, 7, "file"):
        fail("precedence: %r" % cfg)

    # Watchdog keep-alives: at least 3 within 1.2 s (interval 400 ms; sd-event pings at ~half).
    t0 = time.monotonic()
    time.sleep(1.2)
    with lock:
        pings = [t for t, m in messages if m.get("WATCHDOG") == "1" and t >= t0]
    if len(pings) < 3:
        fail("only %d WATCHDOG=1 in 1.2 s" % len(pings))

    # SIGHUP with a broken configuration.
    with lock:
        mark = len(messages)
    write_conf("maxAlertPerSec: 42\nhostVisibility: file\nnoSuchKey: 1\n")
    proc.send_signal(signal.SIGHUP)
    r = wait_for(lambda m: m.get("RELOADING") == "1" and "MONOTONIC_USEC" in m, since=mark)
    if r is None or wait_for(lambda m: m.get("READY") == "1", since=r) is None:
        fail("no RELOADING=1 ... READY=1 around the reload")
    time.sleep(0.2)
    err = open(os.path.join(tmp, "err")).read()
    if "kubearmor.yaml:3:1: unknown key 'noSuchKey'" not in err or "the running configuration stays" not in err:
        fail("the broken configuration was not reported")
    if status()["config"]["hostVisibility"] != "file" or proc.poll() is not None:
        fail("the running configuration did not stay")

    # SIGHUP with a good one.
    with lock:
        mark = len(messages)
    write_conf("hostVisibility: process,network\n")
    proc.send_signal(signal.SIGHUP)
    if wait_for(lambda m: m.get("READY") == "1", since=mark) is None:
        fail("no READY=1 after the good reload")
    cfg = status()["config"]
    if cfg["hostVisibility"] != "process,network" or cfg["maxAlertPerSec"] != 6:
        fail("good configuration not applied (or --set lost): %r" % cfg)
    if status()["counters"]["reloads"] != 2 or status()["counters"]["reloadFailures"] != 1:
        fail("reload counters: %r" % status()["counters"])

    # SIGTERM.
    with lock:
        mark = len(messages)
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=20)
    if rc != 0:
        fail("exit status %d after SIGTERM" % rc)
    if wait_for(lambda m: m.get("STOPPING") == "1", since=mark, timeout=2) is None:
        fail("no STOPPING=1")
    if os.path.exists(status_sock):
        fail("status socket left behind")
    print("PASS: READY/STATUS/WATCHDOG/RELOADING/STOPPING, precedence, reload with bad and good configuration")
finally:
    cleanup()
