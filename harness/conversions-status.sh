#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# drivers-conversions/STATUS.md accounts for every census site of the
# classes the conversions own, and agrees with the series (see
# harness/status-check.py).  Result: out/results/conversions-status.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -s "$OUT/census.csv" ] || die "$OUT/census.csv missing: run 'make census' first"
rc=0
report=$(python3 "$TOP/harness/status-check.py" "$TOP/drivers-conversions/STATUS.md" \
	"$OUT/census.csv" "$TOP/drivers-conversions/series") || rc=$?
echo "$report"
counts=$(tail -1 <<<"$report" | sed -nE 's/^status: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
[ -n "$counts" ] || die "status-check.py printed no result line (exit $rc)"
# shellcheck disable=SC2086
record conversions-status $counts
exit "$rc"
