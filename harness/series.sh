#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write out/series/: one patch set per maintainer tree, each a directory
# with a cover letter, To:/Cc: from the tree's get_maintainer.pl and the
# base-commit / prerequisite-patch-id trailers of git format-patch --base.
#
#   01-dma-smallbuf/   the allocator (branch dma-smallbuf over the base tag)
#   NN-<tree>/         the reviewed patches of drivers-conversions/ for that
#                      tree, bug fixes first (made for Linux 6.12, CONV_BASE: on
#                      another version a patch that does not apply is left
#                      out, named in the log, and its files get drafts)
#   NN-<tree>-rfc/     Coccinelle drafts for census sites that no reviewed
#                      patch covers, as [RFC PATCH]
#
# From: and Signed-off-by: are the identity of whoever runs this (git
# config user.name / user.email, as git format-patch -s uses); without one
# the series is written unsigned.  The fixed harness identity signs only
# scratch commits in the tree (branches series-reviewed, series-drafts,
# series/<set>), which are rebuilt on every run; dma-smallbuf is never
# changed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SERIES=${CONV_SERIES:-$TOP/drivers-conversions/series}
# The kernel version the reviewed patches are made for: on it, every one
# must apply.
CONV_BASE=6.12
CONV=$(cd "$(dirname "$SERIES")" && pwd)
start=$SECONDS
"$TOP/harness/census.sh"
t_census=$SECONDS

cd "$KTREE"
kver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' Makefile | paste -sd.)
[ -n "$kver" ] || die "$KTREE/Makefile: no VERSION / PATCHLEVEL"
[ "$(git rev-parse HEAD)" = "$(git rev-parse "$BRANCH")" ] ||
	die "$KTREE: HEAD is not $BRANCH; run 'make tree'"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "$KTREE has uncommitted changes; spatch must see branch $BRANCH as committed"

# --- the reviewed patches, git am in series order ---------------------------
patches=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	line=${line%%#*}
	read -r pf _ <<<"$line" || true
	[ -n "${pf:-}" ] || continue
	[ -f "$CONV/$pf" ] || die "$SERIES:$n: no such patch: $CONV/$pf"
	patches+=("$CONV/$pf")
done < "$SERIES"
[ ${#patches[@]} -gt 0 ] || die "$SERIES: lists no patch"

# git am needs a work tree: a sparse one holding only the patched files, so
# the main checkout (and incremental kernel builds) is never disturbed.
wt=$BUILD/series-wt
kgit worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
kgit worktree prune
kgit worktree add -q --no-checkout -B series-reviewed "$wt" "$BRANCH"
trap 'git -C "$wt" am --abort >/dev/null 2>&1 || true' EXIT
sed -n 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' "${patches[@]}" | sort -u > "$wt.paths"
git -C "$wt" sparse-checkout set --no-cone --stdin < "$wt.paths"
git -C "$wt" checkout -q series-reviewed
left=()
for p in "${patches[@]}"; do
	series_mail "$p" | git -C "$wt" -c user.name="dma-smallbuf harness" \
		-c user.email=dma-smallbuf@localhost -c commit.gpgsign=false am -q >"$wt.am" 2>&1 && continue
	if [ "$kver" = "$CONV_BASE" ]; then
		sed 's/^/    /' "$wt.am" >&2
		die "${p#"$TOP"/}: git am on $BRANCH failed (run 'make check-conversions')"
	fi
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	left+=("${p#"$CONV"/}")
done
[ ${#left[@]} -eq 0 ] ||
	log "series: Linux $kver, not $CONV_BASE: ${#left[@]} of ${#patches[@]} reviewed patches do not apply and are left out: ${left[*]}"
t_am=$SECONDS

# --- drafts from the Coccinelle rules ---------------------------------------
work=$OUT/series-work
rm -rf "$work" "$OUT/series"
mkdir -p "$work" "$OUT/series"
spopts=(--very-quiet --no-includes --include-headers -D patch)
# The swap rule in patch mode only where its report mode (the census) says
# it converts something: the other files would cost 40 s for no patch.
# Both rules at once: neither keeps the two cores busy on its own.
small=$(/usr/bin/python3 -c 'import csv, sys
print("\n".join(sorted({r["file"] for r in csv.DictReader(open(sys.argv[1]))
                        if r["class"] == "convertible"})))' "$OUT/census.csv")
red=$(xargs grep -lE 'dma_alloc_|dmam_alloc_coherent|dma_pool_|dma_smallbuf_' \
	< "$OUT/census/files.txt" || true)
: > "$work/smallbuf.diff"
: > "$work/redundant.diff"
# shellcheck disable=SC2086
[ -z "$small" ] || spatch_each "$TOP/cocci/dma_smallbuf.cocci" "$work/smallbuf.diff" \
	"$work/smallbuf.err" "${spopts[@]}" -- $small &
spid=$!
# shellcheck disable=SC2086
[ -z "$red" ] || spatch "${spopts[@]}" --jobs 2 --sp-file "$TOP/cocci/gfp_dma_redundant.cocci" \
	$red > "$work/redundant.diff" 2> "$work/redundant.err" ||
	die "spatch gfp_dma_redundant.cocci failed, see $work/redundant.err"
wait "$spid" || die "spatch dma_smallbuf.cocci failed, see $work/smallbuf.err"

t_rules=$SECONDS
# --- export -----------------------------------------------------------------
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
/usr/bin/python3 "$TOP/cocci/series.py" "$KTREE" "$work" "$BRANCH" "$BASE_TAG" \
	series-reviewed "$OUT/census.txt" "$OUT/census.csv" "$OUT/series" \
	"$name" "$email" "$CONV"
log "series: $(ls "$OUT/series" | wc -l) sets in $OUT/series, $((SECONDS - start)) s (census $((t_census - start)) s, reviewed patches $((t_am - t_census)) s, rules $((t_rules - t_am)) s, export $((SECONDS - t_rules)) s)"
if [ -z "$name" ] || [ -z "$email" ]; then
	echo "series: written unsigned (no git user.name/user.email); to sign it off as yourself: git config --global user.name 'Your Name'; git config --global user.email you@example.org; make"
fi
