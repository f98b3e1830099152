#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test target, whatever fails, and sum their counts.
#
#   harness/check.sh TARGET...
#
# Each target writes out/results/NAME as "NAME PASSED FAILED SKIPPED"; a
# target that fails without writing one counts as one failure.
set -euo pipefail
. "$(dirname "$0")/common.sh"

rm -rf "$OUT/results"
mkdir -p "$OUT/results"
declare -A took
for t in "$@"; do
	start=$SECONDS
	make -C "$TOP" --no-print-directory "$t" || true
	took[$t]=$((SECONDS - start))
done

passed=0 failed=0 skipped=0
echo
echo "=== make check summary ==="
for t in "$@"; do
	if [ -s "$OUT/results/$t" ]; then
		read -r _ p f s < "$OUT/results/$t"
	else
		p=0 f=1 s=0
	fi
	printf '%-16s %5d passed %5d failed %5d skipped  (%d s)\n' "$t" "$p" "$f" "$s" "${took[$t]}"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
