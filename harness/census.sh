#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# GFP_DMA census of the tree on branch dma-smallbuf: out/census.csv and
# out/census.txt.  spatch sees only the files git grep names.
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
spkey="$commit $(cat "$TOP"/cocci/census.cocci "$TOP"/cocci/dma_smallbuf.cocci | sha1sum | cut -d' ' -f1) $(spatch --version | head -1)"
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
if [ -s "$OUT/census/reports.txt" ] && [ "$(cat "$OUT/census/spkey" 2>/dev/null)" = "$spkey" ]; then
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
spopts=(--very-quiet --no-includes --include-headers -D report)
: > "$OUT/census/reports.txt"
for rule in census dma_smallbuf; do
	case $rule in
	# Paths census.py classifies by place alone (s390, arch, mm, DMA core,
	# headers, tools) need no spatch run: that saves a third of the time.
	census) files=$(grep -vE '^(arch|mm|kernel|include|tools|drivers/s390)/' "$OUT/census/files.txt" || true) ;;
	dma_smallbuf) files=$(grep '\.c$' "$OUT/census/files.txt" | xargs grep -l 'dma_map_single' || true) ;;
	esac
	[ -n "$files" ] || continue
	# census.cocci matches within a function: one call for all files
	# (spatch treats them as one group) is 8 times faster than a call per
	# file.  dma_smallbuf.cocci follows a buffer across the file: as one
	# group, the files are slow enough to hit spatch's timeout.
	# shellcheck disable=SC2086
	if [ $rule = census ]; then
		spatch "${spopts[@]}" --jobs 2 --sp-file "$TOP/cocci/$rule.cocci" $files \
			> "$OUT/census/$rule.out" 2> "$OUT/census/$rule.err"
	else
		spatch_each "$TOP/cocci/$rule.cocci" "$OUT/census/$rule.out" \
			"$OUT/census/$rule.err" "${spopts[@]}" -- $files
	fi || die "spatch $rule.cocci failed, see $OUT/census/$rule.err"
	cat "$OUT/census/$rule.out" >> "$OUT/census/reports.txt"
done
echo "$spkey" > "$OUT/census/spkey"
CENSUS_SIZES="${sizes[*]-}" /usr/bin/python3 "$TOP/cocci/census.py" "$KTREE" \
	"$OUT/census/grep.txt" "$OUT/census/reports.txt" "$OUT"
log "census: $(wc -l < "$OUT/census/grep.txt") lines, see $OUT/census.txt"
echo "$key" > "$OUT/census/key"
