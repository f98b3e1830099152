#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Classify every GFP_DMA / GFP_DMA32 / SLAB_CACHE_DMA(32) line of a tree.

census.py KTREE GREP REPORTS OUTDIR

GREP is the output of git grep -nwE (FILE:LINE:TEXT), the ground truth.
REPORTS holds the report-mode output of census.cocci, dma_smallbuf.cocci
and gfp_dma_redundant.cocci.  Writes OUTDIR/census.csv and census.txt.
Every grep line gets exactly one class; a line that does not is an error.
"""
import collections
import csv
import fnmatch
import os
import re
import sys

CLASSES = [
    ('convertible', 'kmalloc(GFP_DMA) + dma_map_single(): dma_smallbuf_alloc()'),
    ('redundant', 'zone flag passed to an allocator that ignores it'),
    ('broken-dma32-slab', 'GFP_DMA32 reaching slab (kmalloc family, dma_pool): slab cannot serve it'),
    ('streaming-drop', 'streaming DMA buffer: dropping GFP_DMA is enough'),
    ('memory-limit', 'no device: s390 31-bit or ISA memory limit'),
    ('core', 'zone implementation: mm, DMA core, arch, headers'),
    ('comment', 'comment or string only, no use'),
    ('needs-human', 'needs a human, see reason'),
]
KMALLOC = {'kmalloc', 'kzalloc', 'kcalloc', 'kmalloc_array', 'kmemdup',
           'krealloc', 'kmalloc_node', 'kzalloc_node', 'kvmalloc', 'kvzalloc',
           'devm_kmalloc', 'devm_kzalloc', 'kmem_cache_alloc', 'kmem_cache_zalloc',
           'kstrdup', 'kmalloc_array_node', 'kcalloc_node', 'devm_kcalloc',
           'devm_kmalloc_array', 'kmemdup_nul'}
REDUNDANT = {'dma_alloc_coherent', 'dmam_alloc_coherent', 'dma_alloc_attrs',
             'dma_alloc_wc', 'dma_alloc_noncoherent', 'dma_alloc_pages',
             'dma_pool_alloc', 'dma_pool_zalloc', 'dma_alloc_noncontiguous',
             'dma_smallbuf_alloc', 'dma_smallbuf_zalloc'}
# dma_pool_alloc() hands its gfp to dma_alloc_coherent() (which ignores zone
# flags) but also to kmalloc() for a new page's header (mm/dmapool.c).
POOL = {'dma_pool_alloc', 'dma_pool_zalloc'}
SIZE_ARG = {'kmalloc': 0, 'kzalloc': 0, 'kmalloc_node': 0, 'kzalloc_node': 0,
            'kcalloc': 1, 'kmalloc_array': 1, 'kmemdup': 1, 'krealloc': 1,
            'devm_kmalloc': 1, 'devm_kzalloc': 1, 'dma_alloc_coherent': 1,
            'dmam_alloc_coherent': 1, 'dma_alloc_attrs': 1, 'dma_alloc_wc': 1,
            'dma_alloc_noncoherent': 1, 'kmem_cache_create': 1,
            '__get_free_pages': 1, 'alloc_pages': 1}
CORE_DIRS = ('mm/', 'kernel/dma/', 'include/linux/gfp', 'include/linux/slab.h',
             'include/linux/mmzone.h', 'include/trace/', 'tools/', 'lib/dma_smallbuf',
             'include/linux/dma-smallbuf.h', 'lib/test_', 'arch/')
LIMIT_RE = re.compile(r'^(drivers/s390/|arch/s390/|net/iucv/|drivers/isdn/)|/isa/|isa\b')
ISA_RE = re.compile(r'\b(isa_virt_to_bus|request_dma|set_dma_addr|claim_dma_lock|isa_register_driver)\b')


def die(msg):
    sys.exit('census.py: error: ' + msg)


def maintainers(ktree):
    """[(pattern, section name)] from MAINTAINERS."""
    out, name = [], None
    with open(os.path.join(ktree, 'MAINTAINERS'), errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                name = None
            elif re.match(r'^[A-Z]:\t', line):
                if line.startswith('F:\t') and name:
                    out.append((line[3:].strip(), name))
            elif not line.startswith('\t'):
                name = line.strip()
    return out


def subsystem(path, mnt, cache={}):
    if path not in cache:
        best, bestlen = '', -1
        for pat, name in mnt:
            p = pat + '*' if pat.endswith('/') else pat
            if fnmatch.fnmatchcase(path, p) or (not any(c in pat for c in '*?[') and path.startswith(pat.rstrip('/') + '/')):
                if len(pat) > bestlen:
                    best, bestlen = name, len(pat)
        cache[path] = best or 'THE REST'
    return cache[path]


def is_comment(text, flag_col_text):
    code = re.sub(r'/\*.*?\*/|//.*$|"(\\.|[^"\\])*"', ' ', text)
    stripped = text.strip()
    if stripped.startswith(('*', '/*', '//')) and not re.search(r'\b(GFP_DMA|GFP_DMA32|SLAB_CACHE_DMA|SLAB_CACHE_DMA32)\b', code if not stripped.startswith('*') else ''):
        return True
    return not re.search(r'\b(GFP_DMA|GFP_DMA32|SLAB_CACHE_DMA|SLAB_CACHE_DMA32)\b', code)


def main():
    if len(sys.argv) != 5:
        die('usage: census.py KTREE GREP REPORTS OUTDIR')
    ktree, grep, reports, outdir = sys.argv[1:]
    mnt = maintainers(ktree)
    census = collections.defaultdict(list)   # (file, line) -> records
    swap = {}                                 # (file, line) -> (ok, reason)
    rep_re = re.compile(r'^(\S+?):(\d+):[\d-]+: (.*)$')
    with open(reports, errors='replace') as f:
        for line in f:
            m = rep_re.match(line.strip())
            if not m:
                continue
            fl, ln, msg = m.group(1), int(m.group(2)), m.group(3)
            if msg.startswith('census: '):
                census[(fl, ln)].append(msg[8:].split('|'))
            elif msg.startswith('convertible:'):
                swap[(fl, ln)] = (True, '')
            elif msg.startswith('not converted: '):
                swap[(fl, ln)] = (False, msg[15:])
    rows = []
    with open(grep, errors='replace') as f:
        for g in f:
            m = re.match(r'^([^:]+):(\d+):(.*)$', g.rstrip('\n'))
            if not m:
                die('%s: cannot parse grep line: %r' % (grep, g))
            fl, ln, text = m.group(1), int(m.group(2)), m.group(3)
            recs = census.get((fl, ln), [])
            flag, func, call, size, stream = recs[0] if recs else ('', '', '', '', '')
            if not flag:
                m2 = re.search(r'\b(GFP_DMA32|GFP_DMA|SLAB_CACHE_DMA32|SLAB_CACHE_DMA)\b', text)
                flag = m2.group(1) if m2 else ''
            if not func:
                func = enclosing_function(ktree, fl, ln)
            cls, reason = classify(ktree, fl, ln, text, flag, call, stream, swap, recs)
            rows.append([fl, ln, func, call, size, cls, reason, subsystem(fl, mnt)])
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'census.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['file', 'line', 'function', 'allocator', 'size', 'class', 'reason', 'subsystem'])
        w.writerows(rows)
    names = [c for c, _ in CLASSES]
    bycls = collections.Counter(r[5] for r in rows)
    bysub = collections.defaultdict(collections.Counter)
    for r in rows:
        bysub[r[7]][r[5]] += 1
    for r in rows:
        if r[5] not in names:
            die('%s:%s: class %r unknown' % (r[0], r[1], r[5]))
    with open(os.path.join(outdir, 'census.txt'), 'w') as f:
        f.write('GFP_DMA census: %d lines in %d files\n\nBy class:\n' %
                (len(rows), len({r[0] for r in rows})))
        for c, desc in CLASSES:
            f.write('  %-18s %4d  %s\n' % (c, bycls[c], desc))
        f.write('\nNeeds a human, by reason:\n')
        for reason, n in collections.Counter(r[6].split(':')[0] for r in rows if r[5] == 'needs-human').most_common():
            f.write('  %4d  %s\n' % (n, reason))
        f.write('\nBy subsystem (lines; class counts):\n')
        for sub, cnt in sorted(bysub.items(), key=lambda x: (-sum(x[1].values()), x[0])):
            f.write('  %4d  %s: %s\n' % (sum(cnt.values()), sub,
                                         ', '.join('%s %d' % (c, cnt[c]) for c in names if cnt[c])))


def classify(ktree, fl, ln, text, flag, call, stream, swap, recs):
    if is_comment(text, flag):
        return 'comment', 'mentioned in a comment or string'
    if fl.startswith(('arch/s390/', 'drivers/s390/')) and not fl.startswith('arch/s390/mm/'):
        return 'memory-limit', 's390: channel programs and control blocks below 2 GB'
    if fl.startswith(CORE_DIRS):
        return 'core', 'zone implementation or architecture code'
    if call in POOL and flag == 'GFP_DMA32':
        return 'broken-dma32-slab', ('%s() passes GFP_DMA32 on to the kmalloc() of its page '
                                     'header (pool_alloc_page()), which slab cannot serve' % call)
    if call in REDUNDANT:
        return 'redundant', '%s() ignores %s' % (call, flag)
    if call in KMALLOC and flag == 'GFP_DMA32':
        return 'broken-dma32-slab', '%s() cannot serve GFP_DMA32' % call
    if LIMIT_RE.search(fl):
        return 'memory-limit', 'address limit of the platform (s390 IUCV, ISA), no struct device'
    if isa_file(ktree, fl):
        return 'memory-limit', 'ISA DMA controller (request_dma / isa_virt_to_bus): 16 MB limit'
    sw = None
    for (f2, l2), v in swap.items():
        if f2 == fl and recs and call in KMALLOC and l2 <= ln and ln - l2 <= 3:
            sw = v
    if sw and sw[0]:
        return 'convertible', 'dma_smallbuf.cocci converts it'
    if call in KMALLOC and stream == 'stream':
        why = sw[1] if sw else 'not mapped once after the allocation'
        return 'streaming-drop', 'streaming DMA API maps it; %s' % why
    if not recs:
        if fl.endswith('.h'):
            return 'needs-human', 'macro or header: flag in a definition'
        return 'needs-human', 'not parsed by spatch (macro or preprocessor)'
    if call in KMALLOC:
        return 'needs-human', 'GFP_DMA slab memory not seen given to the DMA API in its function'
    if call in ('kmem_cache_create', 'kmem_cache_create_usercopy'):
        return 'needs-human', 'GFP_DMA slab cache: check what its objects are for'
    if call in ('__get_free_pages', 'alloc_pages', 'get_zeroed_page', '__get_free_page',
                'alloc_pages_node', 'alloc_page', 'get_free_pages', '__alloc_pages'):
        return 'needs-human', 'page allocator with a zone flag: check the device mask'
    if not call:
        return 'needs-human', 'flag kept in a variable or initialiser'
    return 'needs-human', 'flag passed through %s()' % call


def enclosing_function(ktree, fl, ln, cache={}):
    """Name of the C function around line ln, by looking upwards for a
    definition at column 0; '' outside functions.  For files spatch did not
    read (see harness/census.sh)."""
    if fl not in cache:
        try:
            with open(os.path.join(ktree, fl), errors='replace') as f:
                cache[fl] = f.read().split('\n')
        except OSError:
            cache[fl] = []
    lines = cache[fl]
    for i in range(min(ln, len(lines)) - 1, -1, -1):
        l = lines[i]
        if l.startswith('}') and i < ln - 1:
            return ''
        m = re.match(r'^[A-Za-z_][\w \t*]*?\b(\w+)\s*\([^;]*$', l)
        if m and m.group(1) not in ('if', 'for', 'while', 'switch', 'return', 'sizeof'):
            return m.group(1)
    return ''


def isa_file(ktree, fl, cache={}):
    if fl not in cache:
        try:
            with open(os.path.join(ktree, fl), errors='replace') as f:
                cache[fl] = bool(ISA_RE.search(f.read()))
        except OSError:
            cache[fl] = False
    return cache[fl]


if __name__ == '__main__':
    main()
