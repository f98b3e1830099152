#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The swap rule alone must reproduce the hand-made dma_smallbuf
# conversions listed in cocci/repro.list: run on the unpatched file of the
# tree (branch dma-smallbuf, which the patches apply to) with the patches
# that come before it in drivers-conversions/series and touch the same
# file applied (the fixes the reviewed patch was made on), it must remove
# the same allocation, map, unmap and free lines as the reviewed patch, and
# add as many dma_smallbuf_*alloc() and dma_smallbuf_free() calls.  One
# case per patch; "not-yet" entries are skipped with their reason, and fail
# once the rule reproduces them (the list must then say so).  A "partial"
# entry is a patch the rule reproduces in part, the rest (the reason says
# what) being a hand-made change a rule should not make: what the rule
# removes must be some of the lines the patch removes, with no more
# dma_smallbuf calls, and not all of them (it would then be "reproduce").
# Last, the coccicheck commands of the page run on the tree.
set -euo pipefail
. "$(dirname "$0")/common.sh"

command -v spatch >/dev/null || die "spatch not found: install coccinelle (make cocci-deps)"
[ "$(git -C "$KTREE" symbolic-ref -q --short HEAD)" = "$BRANCH" ] ||
	die "$KTREE is not on branch $BRANCH; run 'make tree'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0 part=0
while read -r patch expect; do
	case $patch in ''|'#'*) continue ;; esac
	pf=$TOP/drivers-conversions/$patch
	[ -s "$pf" ] || die "cocci/repro.list: $patch: no such patch in drivers-conversions/"
	grep -q "^$patch\b" "$TOP/drivers-conversions/series" ||
		die "cocci/repro.list: $patch: not in drivers-conversions/series"
	before=$(awk -v p="$patch" '$1 == p { exit } /^[^#]/ && NF { print $1 }' \
		"$TOP/drivers-conversions/series")
	ok=1 sub=0 bad=0
	for f in $(sed -n 's|^diff --git a/\(\S*\.c\) .*|\1|p' "$pf"); do
		[ -s "$KTREE/$f" ] || die "cocci/repro.list: $patch: $f not in $KTREE"
		mkdir -p "$tmp/$(dirname "$f")"
		cp "$KTREE/$f" "$tmp/$f"
		for q in $before; do
			grep -q "^diff --git a/$f " "$TOP/drivers-conversions/$q" || continue
			(cd "$tmp" && git apply --include="$f" "$TOP/drivers-conversions/$q") ||
				die "cocci/repro.list: $patch: earlier $q does not apply to $f"
			echo "    $patch: $f with earlier $q applied"
		done
		if ! (cd "$tmp" && spatch --very-quiet --no-includes --include-headers \
			--sp-file "$TOP/cocci/dma_smallbuf.cocci" -D patch "$f") \
			> "$tmp/rule.diff" 2> "$tmp/rule.err"; then
			echo "    $patch: spatch failed on $f: $(grep -v '^warning' "$tmp/rule.err" | tail -2)"
			ok=0
			continue
		fi
		rc=0
		/usr/bin/python3 - "$pf" "$f" "$tmp/rule.diff" > "$tmp/out" <<'PY' || rc=$?
import re, sys
patch, fl, rule = sys.argv[1:]
CALL = re.compile(r'\b(kmalloc|kzalloc|kcalloc|kmalloc_array|kmemdup|dma_map_single|'
                  r'dma_unmap_single|kfree|kfree_sensitive)\s*\(')


def parse(text, only):
    """(removed allocation/map/free lines, added alloc calls, added frees)
    of file only in a unified diff, counting only hunks that add a
    dma_smallbuf_ call."""
    sec, cur = None, None
    removed, alloc, free = set(), 0, 0
    hunks = []
    for line in text.split('\n'):
        m = re.match(r'^(?:diff --git a/|--- (?:a/)?)(\S+)', line)
        if m and (line.startswith('diff') or sec is None):
            sec = m.group(1).split('/', 1)[-1] if not line.startswith('diff') else m.group(1)
            continue
        m = re.match(r'^@@ -(\d+)', line)
        if m:
            cur = {'old': int(m.group(1)), 'rm': [], 'add': []}
            hunks.append((sec, cur))
            continue
        if cur is None or line.startswith(('+++', '---')):
            continue
        if line.startswith('-'):
            cur['rm'].append((cur['old'], line[1:]))
            cur['old'] += 1
        elif line.startswith('+'):
            cur['add'].append(line[1:])
        else:
            cur['old'] += 1
    for sec, h in hunks:
        if not (sec == only or sec.endswith('/' + only) or only.endswith(sec)):
            continue
        added = '\n'.join(h['add'])
        if 'dma_smallbuf_' not in added:
            continue
        removed |= {n for n, t in h['rm'] if CALL.search(t)}
        alloc += len(re.findall(r'dma_smallbuf_z?alloc\(', added))
        free += len(re.findall(r'dma_smallbuf_free\(', added))
    return removed, alloc, free


want = parse(open(patch).read(), fl)
got = parse(open(rule).read(), fl)
if not want[0] and not got[0]:
    print('%s: %s: no dma_smallbuf conversion here, none by the rule' % (patch, fl))
    sys.exit(0)
if want != got:
    print('%s: rule on %s: removes lines %s, adds %d alloc / %d free; reviewed patch: '
          'lines %s, %d alloc / %d free'
          % (patch, fl, sorted(got[0]), got[1], got[2], sorted(want[0]), want[1], want[2]))
    # 2: the rule does a part of the patch and nothing else
    sys.exit(2 if got[0] and got[0] <= want[0] and got[1] <= want[1] and got[2] <= want[2]
             else 1)
print('%s: %s: same %d lines, %d alloc, %d free' % (patch, fl, len(want[0]), want[1], want[2]))
PY
		sed 's/^/    /' "$tmp/out"
		case $rc in
		0) ;;
		2) ok=0 sub=1 ;;
		*) ok=0 bad=1 ;;
		esac
	done
	case $expect in
	reproduce)
		if [ "$ok" = 1 ]; then pass=$((pass + 1)); echo "cocci-repro: $patch reproduced"
		else fail=$((fail + 1)); echo "cocci-repro: $patch NOT reproduced (cocci/repro.list says it is)"; fi ;;
	partial:*)
		if [ "$ok" = 1 ]; then fail=$((fail + 1)); echo "cocci-repro: $patch is reproduced in full now: mark it 'reproduce' in cocci/repro.list"
		elif [ "$sub" = 1 ] && [ "$bad" = 0 ]; then
			pass=$((pass + 1)) part=$((part + 1))
			echo "cocci-repro: $patch reproduced in part; by hand: ${expect#partial: }"
		else fail=$((fail + 1)); echo "cocci-repro: $patch NOT reproduced in part (cocci/repro.list says it is)"; fi ;;
	not-yet:*)
		if [ "$ok" = 1 ]; then fail=$((fail + 1)); echo "cocci-repro: $patch is reproduced now: mark it 'reproduce' in cocci/repro.list"
		else skip=$((skip + 1)); echo "cocci-repro: $patch skipped, ${expect#not-yet: }"; fi ;;
	*) die "cocci/repro.list: $patch: want 'reproduce', 'partial: <what is by hand>' or 'not-yet: <reason>', got '$expect'" ;;
	esac
done < "$TOP/cocci/repro.list"

# The page's two coccicheck commands, on the tree as the series leaves it
# (scripts/coccinelle/api/dma_smallbuf.cocci) and on one driver directory:
# report mode names iphase's site, patch mode converts it.
cc=scripts/coccinelle/api/dma_smallbuf.cocci
ok=1
cmp -s "$KTREE/$cc" "$TOP/cocci/dma_smallbuf.cocci" ||
	{ echo "    $KTREE/$cc differs from cocci/dma_smallbuf.cocci: run 'make tree'"; ok=0; }
for mode in report patch; do
	make -s -C "$KTREE" coccicheck COCCI="$cc" MODE=$mode M=drivers/atm/ J=2 \
		> "$tmp/coccicheck.$mode" 2>&1 || { echo "    coccicheck MODE=$mode failed:"; tail -5 "$tmp/coccicheck.$mode"; ok=0; }
done
grep -qE '^drivers/atm/iphase\.c:[0-9]+:[0-9-]+: convertible: ' "$tmp/coccicheck.report" ||
	{ echo "    coccicheck MODE=report: no convertible line for drivers/atm/iphase.c"; ok=0; }
grep -qE '^\+.*= dma_smallbuf_(z)?alloc\(' "$tmp/coccicheck.patch" ||
	{ echo "    coccicheck MODE=patch: no dma_smallbuf_alloc() in the diff for drivers/atm/"; ok=0; }
if [ "$ok" = 1 ]; then pass=$((pass + 1)); echo "cocci-repro: make coccicheck COCCI=$cc M=drivers/atm/ reports and converts iphase"
else fail=$((fail + 1)); echo "cocci-repro: make coccicheck COCCI=$cc FAILED"; fi

[ "$part" -eq 0 ] || echo "cocci-repro: $part of the $pass passed in part"
echo "cocci-repro: $pass passed, $fail failed, $skip skipped"
record cocci-repro "$pass" "$fail" "$skip"
[ "$fail" -eq 0 ]
