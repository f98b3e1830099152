#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# GFP_DMA census of the tree on branch dma-smallbuf: out/census.csv and
# out/census.txt, and the rules' diffs for make series (out/census/*.diff).
# spatch sees only the files git grep names.
set -euo pipefail
. "$(dirname "$0")/common.sh"

command -v spatch >/dev/null || die "spatch not found: install coccinelle (make cocci-deps)"
mkdir -p "$OUT/census"
cd "$KTREE"
# spatch reads the working tree: it must be the branch git grep reads.
[ "$(git symbolic-ref -q --short HEAD)" = "$BRANCH" ] ||
	die "$KTREE is not on branch $BRANCH (another target running?); run 'make tree'"
# The spatch reports are up to date if neither the tree nor the rules
# changed; the classification also depends on census*.py and the sizes.
commit=$(git rev-parse "$BRANCH")
spkey="$commit $(cat "$TOP"/cocci/census.cocci "$TOP"/cocci/dma_smallbuf.cocci \
	"$TOP"/cocci/gfp_dma_redundant.cocci | sha1sum | cut -d' ' -f1) $(spatch --version | head -1)"
sizes=()
skey=$(sizes_commit)
for arch in x86_64 s390; do
	[ ! -s "$OUT/sizes/$skey-$arch.csv" ] || sizes+=("$OUT/sizes/$skey-$arch.csv")
done
key="$spkey $(cat "$TOP"/cocci/census*.py "$TOP"/harness/census.sh ${sizes[@]+"${sizes[@]}"} |
	sha1sum | cut -d' ' -f1)"
if [ ${#sizes[@]} -gt 0 ]; then
	log "census: sizeof() sizes from the compiler, cached: ${sizes[*]#"$OUT"/}"
else
	log "census: no evaluated sizeof() sizes for this tree yet (make sizes computes them)"
fi
if [ -s "$OUT/census.csv" ] && [ -s "$OUT/census.txt" ] &&
   [ "$(cat "$OUT/census/key" 2>/dev/null)" = "$key" ]; then
	log "census: up to date ($OUT/census.txt)"
	exit 0
fi
rm -f "$OUT/census/key"
if [ -s "$OUT/census/reports.txt" ] && [ -f "$OUT/census/smallbuf.diff" ] &&
   [ "$(cat "$OUT/census/spkey" 2>/dev/null)" = "$spkey" ]; then
	log "census: spatch reports up to date, classifying again"
	CENSUS_SIZES="${sizes[*]-}" /usr/bin/python3 "$TOP/cocci/census.py" "$KTREE" \
		"$OUT/census/grep.txt" "$OUT/census/reports.txt" "$OUT"
	log "census: $(wc -l < "$OUT/census/grep.txt") lines, see $OUT/census.txt"
	echo "$key" > "$OUT/census/key"
	exit 0
fi
rm -f "$OUT/census/spkey"
pat='GFP_DMA|GFP_DMA32|__GFP_DMA|__GFP_DMA32|SLAB_CACHE_DMA|SLAB_CACHE_DMA32'
git grep -nwE "$pat" "$BRANCH" -- '*.c' '*.h' | sed "s/^$BRANCH://" > "$OUT/census/grep.txt"
git grep -lwE "$pat" "$BRANCH" -- '*.c' '*.h' | sed "s/^$BRANCH://" > "$OUT/census/files.txt"
[ -s "$OUT/census/files.txt" ] || die "$KTREE: git grep found no GFP_DMA use at all"
# Three rules at once, each file a group of its own (spatch_each):
#   census.cocci        report: what each GFP_DMA site is (not on paths
#                       census.py classifies by place alone: s390, arch, mm,
#                       DMA core, headers, tools)
#   dma_smallbuf.cocci  report (converted or why not) and patch: the swap
#                       rule's diffs, which make series turns into drafts
#   gfp_dma_redundant   patch: zone flags to allocators that ignore them
spopts=(--very-quiet --no-includes --include-headers)
pids=()
for rule in census dma_smallbuf gfp_dma_redundant; do
	case $rule in
	census) modes=(-D report)
		mapfile -t files < <(grep -vE '^(arch|mm|kernel|include|tools|drivers/s390)/' \
			"$OUT/census/files.txt" || true) ;;
	dma_smallbuf) modes=(-D report -D patch)
		mapfile -t files < <(grep '\.c$' "$OUT/census/files.txt" |
			xargs -r grep -l 'dma_map_single' || true) ;;
	gfp_dma_redundant) modes=(-D patch)
		mapfile -t files < <(xargs -r grep -lE 'dma_alloc_|dmam_alloc_coherent|dma_pool_|dma_smallbuf_' \
			< "$OUT/census/files.txt" || true) ;;
	esac
	: > "$OUT/census/$rule.out"
	[ ${#files[@]} -eq 0 ] || spatch_each "$TOP/cocci/$rule.cocci" "$OUT/census/$rule.out" \
		"$OUT/census/$rule.err" "${spopts[@]}" "${modes[@]}" -- "${files[@]}" &
	pids+=("$!:$rule")
done
for p in "${pids[@]}"; do
	wait "${p%%:*}" || die "spatch ${p#*:}.cocci failed, see $OUT/census/${p#*:}.err"
done
# dma_smallbuf.cocci's output is report lines (FILE:LINE:COL-COL: ...) and
# diffs.
{ cat "$OUT/census/census.out"; grep -E "$SPATCH_REPORT_LINE" "$OUT/census/dma_smallbuf.out" || true; } \
	> "$OUT/census/reports.txt"
grep -vE "$SPATCH_REPORT_LINE" "$OUT/census/dma_smallbuf.out" > "$OUT/census/smallbuf.diff" || true
cp "$OUT/census/gfp_dma_redundant.out" "$OUT/census/redundant.diff"
echo "$spkey" > "$OUT/census/spkey"
CENSUS_SIZES="${sizes[*]-}" /usr/bin/python3 "$TOP/cocci/census.py" "$KTREE" \
	"$OUT/census/grep.txt" "$OUT/census/reports.txt" "$OUT"
log "census: $(wc -l < "$OUT/census/grep.txt") lines, see $OUT/census.txt"
echo "$key" > "$OUT/census/key"
