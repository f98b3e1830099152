#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every line git grep finds must be in out/census.csv exactly once, with a
# known class; needs-human rows must say why.
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/harness/census.sh"
# The test's own grep, not the one census.sh saved.
grep_out=$(mktemp)
trap 'rm -f "$grep_out"' EXIT
git -C "$KTREE" grep -nwE 'GFP_DMA|GFP_DMA32|__GFP_DMA|__GFP_DMA32|SLAB_CACHE_DMA|SLAB_CACHE_DMA32' "$BRANCH" -- '*.c' '*.h' |
	sed "s/^$BRANCH://" > "$grep_out"
[ -s "$grep_out" ] || die "git grep found nothing in $KTREE"
# On Debian's 6.12 tree (no KDIR=) at most 10 % of the lines may be needs-human.
/usr/bin/python3 - "$grep_out" "$OUT/census.csv" "$OUT" "$TOP/cocci/README.md" "${KDIR:+other}" <<'PY'
import collections, csv, re, sys
grep, csvf, out, readme, other = sys.argv[1:]
classes = {'convertible', 'redundant', 'broken-dma32-slab', 'streaming-drop',
           'streaming-bus', 'cpu-only', 'mask-zone',
           'memory-limit', 'core', 'comment', 'needs-human'}
want = collections.Counter()
for l in open(grep, errors='replace'):
    f, n, _ = l.split(':', 2)
    want[(f, n)] += 1
got = collections.Counter()
bad = []
for r in csv.DictReader(open(csvf)):
    got[(r['file'], r['line'])] += 1
    if r['class'] not in classes:
        bad.append('%s:%s: unknown class %r' % (r['file'], r['line'], r['class']))
    if r['class'] == 'needs-human' and not r['reason']:
        bad.append('%s:%s: needs-human without a reason' % (r['file'], r['line']))
for k in want:
    if got[k] != want[k]:
        bad.append('%s:%s: in grep %d times, in census %d times' % (k[0], k[1], want[k], got[k]))
for k in got:
    if k not in want:
        bad.append('%s:%s: in census but not in grep' % k)
doc = open(readme).read()
rows = list(csv.DictReader(open(csvf)))
for c in sorted({r['class'] for r in rows}):
    if not re.search(r'^\| `%s` \|' % re.escape(c), doc, re.M):
        bad.append('%s: class %s is not documented in the classes table' % (readme, c))
human = sum(r['class'] == 'needs-human' for r in rows)
print('census-test: %d of %d lines needs-human (%.1f %%)' % (human, len(rows), 100.0 * human / max(1, len(rows))))
if not other and human * 10 > len(rows):
    bad.append('%s: %d of %d lines are needs-human, more than 10 %%' % (csvf, human, len(rows)))
for b in bad:
    print('census-test: ' + b)
print('census-test: %d lines, %d problems' % (sum(want.values()), len(bad)))
import os
os.makedirs(out + '/results', exist_ok=True)
open(out + '/results/census-test', 'w').write('census-test %d %d 0\n' % (0 if bad else 1, 1 if bad else 0))
sys.exit(1 if bad else 0)
PY
