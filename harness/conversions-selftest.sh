#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show that harness/conversions.sh fails what it must: run it on the
# fixture series drivers-conversions/tests/fixtures/series (a good patch, one
# with a new warning, a checkpatch error and no Kconfig select, an
# s390-only driver for the cross build, and one that does not apply) on
# branch conversions-selftest, and compare its counts with the expected ones.
# One result case: conversions-selftest.
set -euo pipefail
. "$(dirname "$0")/common.sh"

sub=$OUT/conversions-selftest
rm -rf "$sub"
rc=0
OUT=$sub CONV_BRANCH=conversions-selftest \
	CONV_SERIES=$TOP/drivers-conversions/tests/fixtures/series \
	"$TOP/harness/conversions.sh" >"$OUT/conversions-selftest.log" 2>&1 || rc=$?

# check: passed failed
declare -A want=([apply]="3 1" [build]="2 2" [warnings]="2 2" [checkpatch]="3 1")
bad=()
[ "$rc" -ne 0 ] || bad+=("conversions.sh exited 0 on failing fixtures")
for c in "${!want[@]}"; do
	got=$(cut -d' ' -f2,3 "$sub/results/conversions-$c" 2>/dev/null || echo missing)
	[ "$got" = "${want[$c]}" ] || bad+=("$c: got '$got' passed/failed, want '${want[$c]}'")
done
grep -q "enabled in s390 allmodconfig" "$OUT/conversions-selftest.log" ||
	bad+=("0003-s390-tape.patch was not built for ARCH=s390")
grep -q "new warnings for x86_64" "$OUT/conversions-selftest.log" ||
	bad+=("the new warning of 0002-rocker-warning.patch was not reported")
if [ ${#bad[@]} -gt 0 ]; then
	printf 'FAIL conversions-selftest: %s\n' "${bad[@]}" >&2
	echo "    (log: $OUT/conversions-selftest.log)" >&2
	record conversions-selftest 0 1
	exit 1
fi
echo "PASS conversions-selftest: every fixture failed or passed as expected"
record conversions-selftest 1 0
