#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Count the kmalloc-family calls with GFP_DMA/GFP_DMA32 and the
# SLAB_CACHE_DMA/DMA32 caches before and after the series (branch
# dma-smallbuf against branch conversions, which harness/conversions.sh
# leaves with the series applied), and check that each one that remains
# has a "left: ..." row in drivers-conversions/STATUS.md
# (harness/gfp-dma-count.py).  One case per remaining call or cache:
# out/results/conversions-count.
set -euo pipefail
. "$(dirname "$0")/common.sh"

CBRANCH=${CONV_BRANCH:-conversions}
kgit rev-parse -q --verify "refs/heads/$CBRANCH" >/dev/null ||
	die "no branch $CBRANCH in $KTREE (run 'make conversions-build' first)"
rc=0
report=$(python3 "$TOP/harness/gfp-dma-count.py" "$KTREE" "$BRANCH" "$CBRANCH" \
	"$TOP/drivers-conversions/STATUS.md") || rc=$?
record_report conversions-count gfp-dma-count.py "$rc" "$report"
