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
# The census (spatch on the main checkout) runs while git am applies the
# reviewed patches in a worktree of their own: they share nothing.
"$TOP/harness/census.sh" &
census_pid=$!
stop_census() {
	pkill -P "$census_pid" 2>/dev/null || true
	kill "$census_pid" 2>/dev/null || true
}
trap stop_census EXIT

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
# Branch series-reviewed is kept while the tree, the patches and their
# order are the same (key in $wt.key, patches left out in $wt.left).
wt=$BUILD/series-wt
am_key="$(git rev-parse "$BRANCH") $kver $(cat "${patches[@]}" | sha1sum | cut -c1-40) $(printf '%s\n' "${patches[@]#"$CONV"/}" | sha1sum | cut -c1-40)"
left=()
if [ "$(cat "$wt.key" 2>/dev/null)" = "$am_key" ] && [ -f "$wt.left" ] &&
   git rev-parse -q --verify series-reviewed >/dev/null; then
	mapfile -t left < "$wt.left"
	log "series: reviewed patches already applied on branch series-reviewed"
else
	rm -f "$wt.key"
	kgit worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
	kgit worktree prune
	kgit worktree add -q --no-checkout -B series-reviewed "$wt" "$BRANCH"
	trap 'git -C "$wt" am --abort >/dev/null 2>&1 || true; stop_census' EXIT
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' "${patches[@]}" | sort -u > "$wt.paths"
	git -C "$wt" sparse-checkout set --no-cone --stdin < "$wt.paths"
	git -C "$wt" checkout -q series-reviewed
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
	: > "$wt.left"
	[ ${#left[@]} -eq 0 ] || printf '%s\n' "${left[@]}" > "$wt.left"
	echo "$am_key" > "$wt.key"
fi
[ ${#left[@]} -eq 0 ] ||
	log "series: Linux $kver, not $CONV_BASE: ${#left[@]} of ${#patches[@]} reviewed patches do not apply and are left out: ${left[*]}"
wait "$census_pid" || die "census failed (see above)"
t_census=$SECONDS

# --- drafts from the Coccinelle rules ---------------------------------------
work=$OUT/series-work
rm -rf "$work" "$OUT/series"
mkdir -p "$work" "$OUT/series"
# The census ran the rules in patch mode too.
cp "$OUT/census/smallbuf.diff" "$OUT/census/redundant.diff" "$work/"
# --- export -----------------------------------------------------------------
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
/usr/bin/python3 "$TOP/cocci/series.py" "$KTREE" "$work" "$BRANCH" "$BASE_TAG" \
	series-reviewed "$OUT/census.txt" "$OUT/census.csv" "$OUT/series" \
	"$name" "$email" "$CONV"
log "series: $(ls "$OUT/series" | wc -l) sets in $OUT/series, $((SECONDS - start)) s (census and reviewed patches side by side $((t_census - start)) s, export $((SECONDS - t_census)) s)"
if [ -z "$name" ] || [ -z "$email" ]; then
	echo "series: written unsigned (no git user.name/user.email); to sign it off as yourself: git config --global user.name 'Your Name'; git config --global user.email you@example.org; make"
fi
