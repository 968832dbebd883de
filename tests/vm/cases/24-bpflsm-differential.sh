#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Agreement with the reference: real operations (exec, open read/write, rename, chmod, socket) on a tree
# of files, decided by the kernel and by rule_set_decide(); any disagreement fails.
. "$KA_LIB"

require_lsm bpf
require_file "$KA_BIN/bpflsm-driver"

d=$(mktemp -d /var/tmp/diff.XXXXXX)
on_exit rm -rf "$d"
mkdir -p "$d/a/b/c" "$d/x/y" "$d/ro"
for f in a/one a/b/two a/b/c/three x/four x/y/five ro/six top; do cp /usr/bin/true "$d/$f"; done
hsp d1 "  process:
    matchPaths:
    - path: $d/a/one
    matchDirectories:
    - dir: $d/x/
  file:
    matchDirectories:
    - dir: $d/a/b/
      recursive: true
    - dir: $d/ro/
      readOnly: true
    matchPaths:
    - path: $d/top
      ownerOnly: true
  action: Block" >"$d/p1.yaml"
hsp d2 "  file:
    matchPaths:
    - path: $d/a/b/c/three
  network:
    matchProtocols:
    - protocol: udp
      fromSource:
      - path: /usr/bin/nothing
    - protocol: raw
      fromSource:
      - path: $KA_BIN/bpflsm-driver
  action: Allow" >"$d/p2.yaml"
assert_ok "$KA_BIN/bpflsm-driver" diff "$d" "$d/p1.yaml" "$d/p2.yaml"
echo "$KA_OUT" | tail -5
assert_contains "$KA_OUT" ", 0 disagreements"
