#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check drivers-conversions/STATUS.md against the census and the series.

    status-check.py STATUS.md CENSUS.csv SERIES

Every census site of a class the conversions must account for (convertible,
redundant, broken-dma32-slab, streaming-drop) needs exactly one row
"| file:line | function | class | decision | tested how |".  Every row must
name a census site (any class) with its function and class, a decision that
is "converted by PATCH: ..." (PATCH listed in SERIES and touching the file;
any other PATCH the decision names must too)
or "left: <reason>", and how it was tested.  A site the census does not
list (a flag its grep leaves out, such as __GFP_DMA) may have a row with
class "not in census" if a patch converts it.  Every patch in SERIES must be
named by a row.  Prints one line per problem, naming STATUS.md and the row;
the last line is "status: N passed, N failed" (one case per census site or
row).
"""
import csv
import os
import re
import sys

from status_table import table_rows

ACCOUNT = ('convertible', 'redundant', 'broken-dma32-slab', 'streaming-drop')


def main():
    status, census, series = sys.argv[1:4]
    conv = os.path.dirname(os.path.abspath(series))
    sites = {}
    with open(census, newline='') as f:
        for r in csv.DictReader(f):
            sites['%s:%s' % (r['file'], r['line'])] = r
    patches = []
    with open(series) as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if line:
                patches.append(line[0])
    touched = {}
    for p in patches:
        with open(os.path.join(conv, p)) as f:
            touched[p] = set(re.findall(r'^diff --git a/(\S+) ', f.read(), re.M))

    problems, rows, named, nrows = [], {}, set(), 0
    for n, c in table_rows(status):
        where = '%s:%d' % (status, n)
        nrows += 1
        if len(c) != 5:
            problems.append((where, '%s: %d columns, expected 5' % (where, len(c))))
            continue
        site, func, cls, decision, tested = c
        site = site.strip('`')
        if site in rows:
            problems.append((where, '%s: %s already has a row at line %d' % (where, site, rows[site])))
            continue
        rows[site] = n
        s = sites.get(site)
        if s is None and cls == 'not in census' and ':' in site:
            # A zone flag the census does not see (e.g. __GFP_DMA, which
            # its grep leaves out): the row must name the patch that
            # converts it, and that patch must touch the file.
            fn = func.strip('`').split()[0] if func else ''
            s = {'file': site.rsplit(':', 1)[0], 'function': fn, 'class': cls}
            if not decision.startswith('converted by'):
                problems.append((where, '%s: %s is not a census site; only a '
                                 'converted one may have a row' % (where, site)))
        if s is None:
            problems.append((where, '%s: %s is not a census site (out of date line number?)'
                             % (where, site)))
            continue
        fn = func.strip('`').split()[0] if func else ''
        if fn != s['function']:
            problems.append((where, '%s: %s is in %s(), the row says %r'
                            % (where, site, s['function'], func)))
        if cls != s['class']:
            problems.append((where, '%s: %s: census class is %s, the row says %r'
                            % (where, site, s['class'], cls)))
        m = re.match(r'converted by `?([\w./-]+\.patch)`?', decision)
        if m:
            # The first patch converts the site; others the row names
            # (a bug fix that precedes it, say) must touch the file too.
            for p in re.findall(r'`?([\w./-]+\.patch)`?', decision):
                named.add(p)
                if p not in touched:
                    problems.append((where, '%s: %s is not in %s' % (where, p, series)))
                elif s['file'] not in touched[p]:
                    problems.append((where, '%s: %s does not touch %s' % (where, p, s['file'])))
        elif not re.match(r'left: \S', decision):
            problems.append((where, '%s: decision must be "converted by PATCH: ..." or '
                            '"left: <reason>", got %r' % (where, decision[:60])))
        if not tested:
            problems.append((where, '%s: %s: "tested how" is empty' % (where, site)))

    missing = [k for k, s in sorted(sites.items()) if s['class'] in ACCOUNT and k not in rows]
    for k in missing:
        problems.append((k, '%s: no row for census site %s (%s, %s)'
                        % (status, k, sites[k]['function'], sites[k]['class'])))
    for p in patches:
        if p not in named:
            problems.append(('patch ' + p, '%s: no row names %s from %s' % (status, p, series)))
    for _, msg in problems:
        print(msg)
    total = nrows + len(missing) + len(patches)
    failed = len({k for k, _ in problems})
    print('status: %d rows for %d census sites of classes %s; %d patches'
          % (len(rows), sum(s['class'] in ACCOUNT for s in sites.values()),
             ', '.join(ACCOUNT), len(patches)))
    print('status: %d passed, %d failed' % (total - failed, failed))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
