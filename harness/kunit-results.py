#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the KUnit cases in kunit.py's JSON and scan the kernel log.

Usage: kunit-results.py NAME RESULTS.json TEST.log RESULTS_DIR

Writes RESULTS_DIR/kunit-NAME as "kunit-NAME PASSED FAILED SKIPPED" and
exits non-zero if anything failed.  The kernel log counts as one more case,
"kernel log clean": it fails on reports that do not fail a KUnit case by
themselves (lockdep, KASAN, DMA-API debug, sleeping in atomic context, a
WARNING from outside dma_smallbuf, whose own warnings the suite provokes, an
Intel IOMMU DMA fault, or QEMU's edu device complaining about an address,
"EDU: clamping DMA ...": kunit.py logs QEMU's output with the kernel's).
The file in a WARNING line is lib/dma_smallbuf.c, or a relative path
ending in it when ccache rewrote the compiler's paths (harness/common.sh).
The edu suite's figures lines (buffers the device copied, data mismatches,
per method) are printed.
"""
import json
import re
import sys

BAD = re.compile(r'BUG: |KASAN|possible circular locking|inconsistent lock state|'
                 r'possible recursive locking|DMA-API: device driver|Kernel panic|'
                 r'sleeping function called from invalid context|'
                 r'WARNING: .* at (?!(?:\S*/)?lib/dma_smallbuf\.c:)|EDU: |DMAR: \[DMA ')
FIGURES = re.compile(r'# (\w+): figures: (.*)')


def walk(group, prefix, counts, failed):
    for case in group.get('test_cases', []):
        status = case['status']
        name = prefix + case['name']
        if status == 'PASS':
            counts[0] += 1
        elif status == 'SKIP':
            counts[2] += 1
        else:
            counts[1] += 1
            failed.append(name)
    for sub in group.get('sub_groups', []):
        walk(sub, prefix + sub['name'] + '.', counts, failed)


def main():
    name, jpath, logpath, outdir = sys.argv[1:5]
    with open(jpath) as f:
        results = json.load(f)
    counts, failed = [0, 0, 0], []
    walk(results, '', counts, failed)
    if sum(counts) == 0:
        failed.append('(no test cases ran)')
        counts[1] += 1

    try:
        with open(logpath, errors='replace') as f:
            lines = f.readlines()
        bad = [line.rstrip() for line in lines if BAD.search(line)]
    except FileNotFoundError:
        lines, bad = [], ['%s: missing' % logpath]
    figures = [m.group(2) for m in map(FIGURES.search, lines) if m]
    for line in figures:
        print('kunit-%s: edu %s' % (name, line))
    if bad:
        counts[1] += 1
        failed.append('kernel log clean')
        print('kunit-%s: kernel log reports:' % name)
        for line in bad[:20]:
            print('    ' + line)
    else:
        counts[0] += 1

    for f in failed:
        print('kunit-%s: FAILED %s' % (name, f))
    print('kunit-%s: %d passed, %d failed, %d skipped'
          % (name, counts[0], counts[1], counts[2]))
    with open('%s/kunit-%s' % (outdir, name), 'w') as f:
        f.write('kunit-%s %d %d %d\n' % (name, *counts))
    return 1 if counts[1] else 0


if __name__ == '__main__':
    sys.exit(main())
