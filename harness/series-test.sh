#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check every patch set of out/series/ as a maintainer would get it.  Per
# set, one result case each:
#   apply      git am of the set, in order, on the base (after the
#              allocator set when the cover letter names it as
#              prerequisite); the tree must then be the set's branch
#              series/<set> (the allocator set's: dma-smallbuf)
#   identity   no trace of the harness identity in any file of the set
#   signoff    with a git identity (user.name/user.email), every From: and
#              the last Signed-off-by: of every patch are that identity;
#              without one, no patch has a From: or Signed-off-by: line
#   checkpatch checkpatch.pl --strict is silent on every patch
#   sendemail  git send-email --dry-run (nothing is sent) accepts the set
#              with the To:/Cc: of its cover letter
set -euo pipefail
. "$(dirname "$0")/common.sh"

HARNESS_RE='dma-smallbuf harness|dma-smallbuf@localhost'
IDENT=(-c user.name="dma-smallbuf harness" -c user.email=dma-smallbuf@localhost -c commit.gpgsign=false)
S=$OUT/series

[ -d "$S" ] || "$TOP/harness/series.sh"
ls -d "$S"/01-dma-smallbuf >/dev/null 2>&1 || die "$S has no 01-dma-smallbuf set"
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
signed=
[ -n "$name" ] && [ -n "$email" ] && signed="$name <$email>"

# git am runs in a sparse worktree holding only the files the series
# touches, so the main tree's checkout is never disturbed.
wt=$BUILD/series-am
kgit worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
kgit worktree prune
kgit worktree add -q --no-checkout -B series-am "$wt" "$BASE_TAG"
trap 'git -C "$wt" am --abort >/dev/null 2>&1 || true' EXIT
sed -n 's|^diff --git a/\([^ ]*\) b/.*|/\1|p' "$S"/*/0*.patch | sort -u > "$wt.paths"
git -C "$wt" sparse-checkout set --no-cone --stdin < "$wt.paths"
git -C "$wt" checkout -q series-am

# Unsigned, there is no Signed-off-by for checkpatch to find.
cp_sob=(--no-signoff)
[ -z "$signed" ] || cp_sob=(--signoff)
# Debian's tree is one commit without history, where checkpatch cannot look
# up the ids of Fixes: tags; in a KDIR= tree with history it does.
kgit rev-parse -q --verify "$BASE_TAG^" >/dev/null || cp_sob+=(--ignore UNKNOWN_COMMIT_ID)
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {	# SET CHECK MESSAGE
	fail=$((fail + 1))
	echo "FAIL series-test: $1: $2: $3"
}

# header FILE NAME: the (unfolded) value of a mail header.
header() {
	python3 -c 'import email, sys
m = email.message_from_file(open(sys.argv[1]))
print(" ".join((m.get(sys.argv[2]) or "").split()))' "$1" "$2"
}

# am SET: git am the set's patches (without a From: line when unsigned,
# the scratch commit gets the harness identity).
am() {
	local p
	for p in "$1"/0*.patch; do
		case $(basename "$p") in 0000-*) continue ;; esac
		series_mail "$p" | git -C "$wt" "${IDENT[@]}" am -q >"$wt.am" 2>&1 || {
			sed 's/^/    /' "$wt.am"
			git -C "$wt" am --abort >/dev/null 2>&1 || true
			return 1
		}
	done
}

# checkpatch of every patch, two at a time, before the per-set checks read
# the results.  The allocator adds files with no MAINTAINERS entry of their
# own (as in 'make checkpatch'); every other warning counts.
cpd=$OUT/series-test-checkpatch
rm -rf "$cpd"
mkdir -p "$cpd"
cp_run() {	# PATCH
	local ign=()
	case "$1" in */[0-9][0-9]-dma-smallbuf/*) ign=(--ignore FILE_PATH_CHANGES) ;; esac
	(cd "$KTREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		--no-summary -q "${cp_sob[@]}" "${ign[@]}" "$1" >"$cpd/$(cp_name "$1")" 2>&1) || true
}
cp_name() {	# PATCH: its result file's name
	local d
	d=$(dirname "$1")
	echo "$(basename "$d")_$(basename "$1")"
}
n=0
for p in "$S"/*/0*.patch; do
	case $(basename "$p") in 0000-*) continue ;; esac
	cp_run "$p" &
	n=$((n + 1))
	[ $((n % 2)) -ne 0 ] || wait
done
wait

alloc=$S/01-dma-smallbuf
for d in "$S"/*/; do
	d=${d%/}
	set=$(basename "$d")
	key=${set#[0-9][0-9]-}
	cover=$(ls "$d"/0000-cover-letter.patch 2>/dev/null) || {
		bad "$set" apply "no cover letter"
		continue
	}
	mapfile -t pats < <(ls "$d"/0*.patch | grep -v /0000-)
	[ ${#pats[@]} -gt 0 ] || { bad "$set" apply "no patches"; continue; }

	# apply
	git -C "$wt" checkout -q -f -B series-am "$BASE_TAG"
	want=$(kgit rev-parse "series/$key^{tree}" 2>/dev/null || echo none)
	[ "$key" = dma-smallbuf ] && want=$(kgit rev-parse "$BRANCH^{tree}")
	msg=
	if grep -q '^prerequisite-patch-id: ' "$cover" && [ "$d" != "$alloc" ]; then
		am "$alloc" || msg="the allocator set does not apply"
	fi
	[ -n "$msg" ] || am "$d" || msg="git am failed (above)"
	if [ -z "$msg" ] && [ "$(git -C "$wt" rev-parse HEAD^{tree})" != "$want" ]; then
		msg="the tree after git am differs from branch series/$key"
	fi
	grep -q '^base-commit: ' "$cover" || msg="${msg:+$msg; }no base-commit: trailer"
	if [ -z "$msg" ]; then ok; else bad "$set" apply "$msg"; fi

	# identity
	if hits=$(grep -lE "$HARNESS_RE" "$d"/*.patch); then
		bad "$set" identity "harness identity in: $(echo "$hits" | xargs -n1 basename | tr '\n' ' ')"
	else
		ok
	fi

	# signoff
	msg=
	for p in "$cover" "${pats[@]}"; do
		from=$(header "$p" From)
		sobs=$(sed -n '/^---$/q; s/^Signed-off-by: //p' "$p")
		if [ -n "$signed" ]; then
			[ "$from" = "$signed" ] || msg+="$(basename "$p"): From: '$from', want '$signed'; "
			[ "$p" = "$cover" ] && continue
			[ "$(echo "$sobs" | tail -1)" = "$signed" ] ||
				msg+="$(basename "$p"): last Signed-off-by: '$(echo "$sobs" | tail -1)'; "
		elif [ -n "$from" ] || [ -n "$sobs" ]; then
			msg+="$(basename "$p"): unsigned series with From: '$from' / Signed-off-by: '$sobs'; "
		fi
	done
	if [ -z "$msg" ]; then ok; else bad "$set" signoff "$msg"; fi

	# checkpatch (run above)
	msg=
	for p in "${pats[@]}"; do
		cp_out=$(cat "$cpd/$(cp_name "$p")")
		if [ -n "$cp_out" ]; then
			echo "$(basename "$p"):"
			echo "$cp_out" | sed 's/^/    /'
			msg+="$(basename "$p") "
		fi
	done
	if [ -z "$msg" ]; then ok; else bad "$set" checkpatch "$msg(above)"; fi

	# sendemail: a dry run, nothing leaves the machine.
	to=$(header "$cover" To) cc=$(header "$cover" Cc)
	sargs=(--dry-run --confirm=never --suppress-cc=all --no-signed-off-by-cc
	       --from="${signed:-series-test <series-test@localhost>}")
	[ -n "$to" ] && sargs+=(--to="$to")
	[ -n "$cc" ] && sargs+=(--cc="$cc")
	if out=$(git send-email "${sargs[@]}" "$d"/*.patch </dev/null 2>&1) &&
	   [ "$(grep -c '^Result: OK' <<<"$out")" -eq $(( ${#pats[@]} + 1 )) ] && [ -n "$to" ]; then
		ok
	else
		echo "$out" | tail -20 | sed 's/^/    /'
		bad "$set" sendemail "git send-email --dry-run refused the set${to:+ }${to:-: the cover letter has no To:}"
	fi
done
echo "series-test: $(ls -d "$S"/*/ | wc -l) sets: $pass passed, $fail failed (${signed:-unsigned})"
record series-test "$pass" "$fail"
[ "$fail" -eq 0 ]
