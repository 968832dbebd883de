#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Real enforcement works in this guest: a BPF-LSM file_open program denies opening one file (EPERM),
# leaves other files alone, and the file opens again once the program is detached.
. "$KA_LIB"

require_lsm bpf
require_file "$KA_BIN/lsm-deny"
require_file "$KA_BIN/lsm-deny.bpf.o"

dir=$(mktemp -d)
on_exit rm -rf "$dir"
echo secret >"$dir/marker"
echo public >"$dir/other"
deny() { "$KA_BIN/lsm-deny" "$KA_BIN/lsm-deny.bpf.o" "$dir/marker" "$@"; }

assert_ok cat "$dir/marker"

assert_fail deny cat "$dir/marker"
assert_contains "$KA_OUT" "Operation not permitted" "cat under the program"
assert_contains "$KA_OUT" "denied 1 open(s)" "loader"
assert_not_contains "$KA_OUT" "secret" "cat under the program"

assert_ok deny cat "$dir/other"
assert_contains "$KA_OUT" "public" "other file"
assert_contains "$KA_OUT" "denied 0 open(s)" "loader"

# Detached: nothing left behind.
assert_ok cat "$dir/marker"
assert_eq secret "$KA_OUT" "marker after detach"
