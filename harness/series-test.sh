#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# git am the generated series, in order, onto a fresh branch from the base
# of dma-smallbuf; every patch must apply, and after patch 1 the tree must
# be dma-smallbuf's, and every driver patch must be checkpatch --strict
# clean.  One case per patch.
set -euo pipefail
. "$(dirname "$0")/common.sh"

IDENT=(-c user.name="dma-smallbuf harness" -c user.email=dma-smallbuf@localhost -c commit.gpgsign=false)

[ -d "$OUT/series" ] || "$TOP/harness/series.sh"
ls "$OUT"/series/0001-*.patch >/dev/null 2>&1 || die "$OUT/series has no patch 1"
# git am runs in a sparse worktree holding only the files the series
# touches, so the main tree's checkout (and the kernel builds that use it)
# is never disturbed.
wt=$BUILD/series-am
kgit worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
kgit worktree prune
kgit worktree add -q --no-checkout -B cocci-series-am "$wt" "$BRANCH^"
trap 'git -C "$wt" am --abort >/dev/null 2>&1 || true' EXIT
sed -n 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' "$OUT"/series/0*.patch | sort -u > "$wt.paths"
git -C "$wt" sparse-checkout set --no-cone --stdin < "$wt.paths"
git -C "$wt" checkout -q cocci-series-am
pass=0 fail=0
for p in "$OUT"/series/0*.patch; do
	case $(basename "$p") in 0000-*) continue ;; esac
	if ! git -C "$wt" "${IDENT[@]}" am -q "$p" >/dev/null 2>&1; then
		fail=$((fail + 1))
		echo "series-test: $(basename "$p") does not apply"
		git -C "$wt" am --abort
		break
	fi
	# Driver patches must be checkpatch --strict clean (patch 1 is the
	# checkpatch target's).
	case $(basename "$p") in
	0001-*) cp_out= ;;
	*) cp_out=$(cd "$KTREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --no-summary -q "$p" 2>&1) || true ;;
	esac
	if [ -n "$cp_out" ]; then
		fail=$((fail + 1))
		echo "series-test: $(basename "$p"): checkpatch --strict:"
		echo "$cp_out" | sed 's/^/    /'
	else
		pass=$((pass + 1))
	fi
	if [ "$(basename "$p")" = "$(ls "$OUT"/series/0001-*.patch | xargs basename)" ] &&
	   [ "$(git -C "$wt" rev-parse HEAD^{tree})" != "$(kgit rev-parse "$BRANCH^{tree}")" ]; then
		echo "series-test: tree after patch 1 differs from $BRANCH"
		fail=$((fail + 1))
	fi
done
total=$(ls "$OUT"/series/0*.patch | grep -vc /0000-)
[ "$pass" -eq "$total" ] || [ "$fail" -gt 0 ] || fail=1
echo "series-test: $pass of $total patches applied and passed checkpatch"
record series-test "$pass" "$fail"
[ "$fail" -eq 0 ]
