#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the patch series in out/series/: cover letter with the census,
# the allocator patch, then one patch per driver from the Coccinelle rules.
#
# Commits are built in a scratch index on branch cocci-series (reset from
# dma-smallbuf each run; dma-smallbuf itself is never changed) and
# exported with git format-patch.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SERIES_BRANCH=cocci-series
start=$SECONDS
"$TOP/harness/census.sh"

cd "$KTREE"
[ "$(git rev-parse HEAD)" = "$(git rev-parse "$BRANCH")" ] ||
	die "$KTREE: HEAD is not $BRANCH; run 'make tree'"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "$KTREE has uncommitted changes; spatch must see branch $BRANCH as committed"

work=$OUT/series-work
rm -rf "$work" "$OUT/series"
mkdir -p "$work" "$OUT/series"
spopts=(--very-quiet --no-includes --include-headers --jobs 2 -D patch)
files=$(grep '\.c$' "$OUT/census/files.txt" | xargs grep -l 'dma_map_single' || true)
# shellcheck disable=SC2086
[ -z "$files" ] || spatch "${spopts[@]}" --sp-file "$TOP/cocci/dma_smallbuf.cocci" \
	$files > "$work/smallbuf.diff" 2> "$work/smallbuf.err" ||
	die "spatch dma_smallbuf.cocci failed, see $work/smallbuf.err"
files=$(xargs grep -lE 'dma_alloc_|dmam_alloc_coherent|dma_pool_|dma_smallbuf_' \
	< "$OUT/census/files.txt" || true)
# shellcheck disable=SC2086
[ -z "$files" ] || spatch "${spopts[@]}" --sp-file "$TOP/cocci/gfp_dma_redundant.cocci" \
	$files > "$work/redundant.diff" 2> "$work/redundant.err" ||
	die "spatch gfp_dma_redundant.cocci failed, see $work/redundant.err"

sob=$(grep '^Signed-off-by: ' "$TOP/harness/allocator-commit.txt" | tail -1)
[ -n "$sob" ] || die "harness/allocator-commit.txt has no Signed-off-by line"
/usr/bin/python3 "$TOP/cocci/series.py" "$KTREE" "$work" "$SERIES_BRANCH" \
	"$BRANCH" "$BASE_TAG" "$sob" "$OUT/census.txt" "$OUT/census.csv" "$OUT/series"
log "series: $(ls "$OUT/series" | wc -l) files in $OUT/series, $((SECONDS - start)) s"
