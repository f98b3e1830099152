#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test target, whatever fails, and sum their counts.
#
#   harness/check.sh TARGET...
#
# Targets write out/results/NAME files holding "NAME PASSED FAILED SKIPPED".
# A target that fails without writing any counts as one failure.
set -euo pipefail
. "$(dirname "$0")/common.sh"

rm -rf "$OUT/results"
mkdir -p "$OUT/results"
summary=()
for t in "$@"; do
	start=$SECONDS
	before=$(ls "$OUT/results" | wc -l)
	rc=0
	make -C "$TOP" --no-print-directory "$t" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(ls "$OUT/results" | wc -l)" -eq "$before" ]; then
		record "$t" 0 1
	fi
	summary+=("$(printf '%-20s exit %d after %d s' "$t" "$rc" $((SECONDS - start)))")
done

echo
echo "=== make check ==="
printf '%s\n' "${summary[@]}"
passed=0 failed=0 skipped=0
while read -r name p f s; do
	printf '%-24s %5d passed %4d failed %4d skipped\n' "$name" "$p" "$f" "$s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done < <(cat "$OUT"/results/*)
echo "$passed passed, $failed failed, $skipped skipped" | tee "$OUT/check-summary"
[ "$failed" -eq 0 ]
