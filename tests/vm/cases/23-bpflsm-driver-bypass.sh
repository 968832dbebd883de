#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# No path bypass: a rule on /bin/foo holds for /usr/bin/foo (merged /usr), through hard links and
# symlinks, for paths deeper than 20 directories and longer than 200 bytes, and for a file replaced by
# rename after the policy loaded.
. "$KA_LIB"

require_lsm bpf
require_file "$KA_BIN/bpflsm-driver"

d=$(mktemp -d /var/tmp/bypass.XXXXXX)
on_exit rm -rf "$d"
cp /usr/bin/true /usr/bin/kafoo
on_exit rm -f /usr/bin/kafoo
echo secret >"$d/secret"
echo secret2 >"$d/secret2"
cp /usr/bin/cat "$d/mycat"
deep=$d
for i in $(seq 1 30); do deep=$deep/level-$i-xxxxxxxx; done
mkdir -p "$deep"
echo deep >"$deep/file"
[ ${#deep} -gt 200 ] || fail "test tree not deep enough"
hsp bypass "  process:
    matchPaths:
    - path: /bin/kafoo
  file:
    matchPaths:
    - path: $d/secret
    - path: $d/secret2
      fromSource:
      - path: $d/mycat
    matchDirectories:
    - dir: $d/level-1-xxxxxxxx/
      recursive: true
  action: Block" >"$d/p.yaml"
"$KA_BIN/bpflsm-driver" run "$d/p.yaml" >"$d/out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null; grep -v '^EVENT.*DefaultPosture' $d/out | tail -40"
wait_for 90 grep -q '^ready' "$d/out" || { cat "$d/out"; fail "driver not ready"; }

assert_fail /usr/bin/kafoo
assert_fail /bin/kafoo
ln -s /usr/bin/kafoo "$d/kafoo-link"
assert_fail "$d/kafoo-link"
ln /usr/bin/kafoo /usr/local/bin/kafoo-hard 2>/dev/null || cp -l /usr/bin/kafoo /usr/local/bin/kafoo-hard
on_exit rm -f /usr/local/bin/kafoo-hard
assert_fail /usr/local/bin/kafoo-hard

assert_fail cat "$d/secret"
ln "$d/secret" "$d/hard"
assert_fail cat "$d/hard"
ln -s "$d/secret" "$d/soft"
assert_fail cat "$d/soft"
# replaced by rename after the policy loaded (by a program the rule does not name, as a package
# manager would): the new file under the protected name is protected too
assert_fail "$d/mycat" "$d/secret2"
assert_ok cat "$d/secret2"
echo new >"$d/new"
assert_ok mv "$d/new" "$d/secret2"
assert_fail "$d/mycat" "$d/secret2"
assert_contains "$KA_OUT" "Permission denied" "replaced file"
assert_ok cat "$d/secret2"

assert_fail cat "$deep/file"
assert_contains "$KA_OUT" "Permission denied"
(cd "$deep" && cat file) && fail "relative open of a deep file passed"
kill -TERM $pid
wait $pid
grep "resource=$deep/file" "$d/out" >/dev/null || fail "event path of the deep file is wrong: $(grep deep "$d/out" | head -2)"
