#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show that the rocker QEMU test fails when the device cannot reach the
# converted buffer: with drivers-conversions/tests/rocker-unreachable.diff
# on top of the series (it hands the device an address 1 TiB up, beyond the
# guest's RAM, for its DMA self-test), harness/conversions-qemu.sh must
# fail, and because rocker's self-test failed.  The kernel build in
# build/rocker-x86_64 is incremental.
#
#   harness/conversions-qemu-selftest.sh
#
# One result case: conversions-qemu-selftest.
set -euo pipefail
. "$(dirname "$0")/common.sh"

name=conversions-qemu-selftest
diff=$TOP/drivers-conversions/tests/rocker-unreachable.diff
sub=$OUT/$name

rm -rf "$sub"
rc=0
OUT=$sub "$TOP/harness/conversions-qemu.sh" "$diff" >"$sub.log" 2>&1 || rc=$?
bad=()
[ "$rc" -ne 0 ] || bad+=("conversions-qemu.sh passed with an unreachable self-test buffer")
grep -qE 'rocker .*(dma test failed|unexpected memory content)' "$sub.log" ||
	bad+=("the failure was not rocker's DMA self-test failing")
if [ ${#bad[@]} -gt 0 ]; then
	printf 'FAIL %s: %s\n' "$name" "${bad[@]}" >&2
	echo "    (log: $sub.log)" >&2
	record "$name" 0 1
	exit 1
fi
echo "PASS $name: the QEMU test fails when the device cannot reach the buffer"
record "$name" 1 0
