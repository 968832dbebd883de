#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# AppArmor enforces in this guest: a loaded profile denies one read (EACCES, audited), allows another,
# and the read works again once the profile is removed.
. "$KA_LIB"

require_lsm apparmor
command -v apparmor_parser >/dev/null || skip "apparmor_parser not installed"

dir=/run/kavm-aa
bin=/usr/local/bin/kavm-cat
profile=/run/kavm-aa.profile
mkdir -p "$dir"
on_exit rm -rf "$dir" "$bin" "$profile"
echo secret >"$dir/secret"
echo public >"$dir/public"
cp /bin/cat "$bin"
cat >"$profile" <<PROFILE
abi <abi/3.0>,
include <tunables/global>
profile kavm-test $bin {
  include <abstractions/base>
  $bin mr,
  $dir/* r,
  audit deny $dir/secret r,
}
PROFILE

journal_mark
assert_ok apparmor_parser -r "$profile"
on_exit apparmor_parser -R "$profile"
grep -q '^kavm-test (enforce)' /sys/kernel/security/apparmor/profiles || fail "profile not loaded in enforce mode"

assert_fail "$bin" "$dir/secret"
assert_contains "$KA_OUT" "Permission denied" "read under the profile"
assert_ok "$bin" "$dir/public"
assert_eq public "$KA_OUT" "allowed read"
wait_journal _TRANSPORT=kernel 10 >/dev/null
wait_for 10 sh -c "journalctl -k --no-pager | grep -q 'apparmor=\"DENIED\".*profile=\"kavm-test\"'" ||
	fail "no apparmor DENIED audit record for kavm-test"

assert_ok apparmor_parser -R "$profile"
assert_ok "$bin" "$dir/secret"
assert_eq secret "$KA_OUT" "read after the profile is removed"
