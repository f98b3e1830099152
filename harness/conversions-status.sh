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
record_report conversions-status status-check.py "$rc" "$report"
