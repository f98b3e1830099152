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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import census_follow  # noqa: E402
import census_sizes  # noqa: E402

CLASSES = [
    ('convertible', 'kmalloc(GFP_DMA) + dma_map_single(): dma_smallbuf_alloc()'),
    ('redundant', 'zone flag passed to an allocator that ignores it'),
    ('broken-dma32-slab', 'GFP_DMA32 reaching slab (kmalloc family, dma_pool): slab cannot serve it'),
    ('streaming-drop', 'streaming DMA buffer: dropping GFP_DMA is enough'),
    ('streaming-bus', 'a bus maps the buffer for its controller (SPI, I2C, regmap, USB, SDIO/MMC, SCSI): dropping GFP_DMA is enough'),
    ('cpu-only', 'the buffer never reaches a device: GFP_DMA does nothing useful'),
    ('mask-zone', 'zone picked by hand from a device mask or for a subsystem allocator that maps the memory'),
    ('memory-limit', 'physical address below a limit (s390 31-bit, ISA 16 MB, 30/32-bit devices, firmware)'),
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
CORE_DIRS = ('mm/', 'net/core/skbuff.c', 'lib/scatterlist.c', 'kernel/dma/', 'include/linux/gfp', 'include/linux/slab.h',
             'include/linux/mmzone.h', 'include/trace/', 'tools/', 'lib/dma_smallbuf',
             'include/linux/dma-smallbuf.h', 'lib/test_', 'arch/')
# The zone flags the census counts: the GFP_* names and the __GFP_* bits
# under them, which some drivers pass directly.
FLAG_RE = r'\b(__GFP_DMA32|__GFP_DMA|GFP_DMA32|GFP_DMA|SLAB_CACHE_DMA32|SLAB_CACHE_DMA)\b'
S390_DIRS = ('arch/s390/', 'drivers/s390/', 'net/iucv/')
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
    if stripped.startswith(('*', '/*', '//')) and not re.search(FLAG_RE, code if not stripped.startswith('*') else ''):
        return True
    return not re.search(FLAG_RE, code)


def cleared_or_tested(text):
    """Whether the line only clears or tests the zone flags
    (gfp &= ~(__GFP_DMA | ...), if (gfp & __GFP_DMA)) and requests none."""
    code = re.sub(r'/\*.*?\*/|//.*$|"(\\.|[^"\\])*"', ' ', text)
    if not re.search(FLAG_RE, code):
        return False
    if re.match(r'\s*(if\s*\(\s*)?(\w*BUG_ON|WARN_ON\w*|VM_WARN\w*)\s*\(', code):
        return True    # an assertion about the flags
    code = re.sub(r'(~|(?<!&)&=?)\s*(\([^()]*(\)|$)|\w+)', ' ', code)
    return not re.search(FLAG_RE, code)


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
                m2 = re.search(FLAG_RE, text)
                flag = m2.group(1) if m2 else ''
            if not func:
                func = enclosing_function(ktree, fl, ln)
            cls, reason = classify(ktree, fl, ln, text, flag, call, stream, swap, recs)
            rows.append([fl, ln, func, call, size, cls, reason, subsystem(fl, mnt)] +
                        costs(ktree, fl, ln, text, call, cls, reason))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'census.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['file', 'line', 'function', 'allocator', 'size', 'class', 'reason', 'subsystem',
                    'size_bytes', 'kmalloc_bytes', 'page_bytes', 'ccw_device', 'live'])
        w.writerows(rows)
    write_mix(os.path.join(outdir, 'census-mix.csv'), rows)
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
        s390_table(f, rows)
        f.write('\nBy subsystem (lines; class counts):\n')
        for sub, cnt in sorted(bysub.items(), key=lambda x: (-sum(x[1].values()), x[0])):
            f.write('  %4d  %s: %s\n' % (sum(cnt.values()), sub,
                                         ', '.join('%s %d' % (c, cnt[c]) for c in names if cnt[c])))


PAGES = {'__get_free_pages', 'alloc_pages', 'get_zeroed_page', '__get_free_page',
         'alloc_pages_node', 'alloc_page', 'get_free_pages', '__alloc_pages',
         'alloc_pages_exact', 'iommu_alloc_pages', 'page_frag_alloc'}
SRC = [None]


def src(ktree):
    if SRC[0] is None:
        SRC[0] = census_follow.Source(ktree)
    return SRC[0]


def device_in_reach(ktree, fl):
    """' (...)' saying whether a struct device with a DMA mask is in reach."""
    s = src(ktree)
    masks = set()
    for g in [fl] + s.dir_files(fl):
        for line in s.lines(g):
            if re.search(r'dma_set_(coherent_)?mask|dma_set_mask_and_coherent|dma_coerce_mask', line):
                m = re.search(r'DMA_BIT_MASK\s*\(\s*(\d+)\s*\)', line)
                masks.add(int(m.group(1)) if m else 0)
    if not masks:
        return 'no struct device with a DMA mask in the driver'
    known = sorted(m for m in masks if m)
    return ('a struct device is in reach: the driver sets its DMA mask (%s), so '
            'dma_smallbuf_alloc() or dma_alloc_coherent() on it can replace the zone'
            % (', '.join('%d-bit' % m for m in known) if known else 'mask from a variable'))


# A channel-subsystem device at hand: a ccw_device, a subchannel (the
# css gives both a 31-bit coherent DMA mask) or a 3270 view, whose
# raw3270 holds the ccw_device.
S390_DEV = re.compile(r'\bstruct (ccw_device|subchannel|raw3270_view|raw3270)\b|->cdev\b|\bcdev\b|'
                      r'\bsch\b|\bto_subchannel\s*\(|\bccw_device_\w+\s*\(')


def s390_hvcall(ktree, fl, ln):
    """(F, where) if the buffer allocated at fl:ln reaches an s390
    hypervisor call (census_follow.HVCALL), else None."""
    s = src(ktree)
    calls = [c for c in re.findall(r'\b(\w+)\s*\(', census_follow.statement(s.lines(fl), ln))
             if c in ALLOCS]
    if not calls:
        return None
    r = census_follow.Follower(s).follow(fl, ln, calls[0])
    if r and r[0] == 'phys':
        # its physical address goes into a block that a hypervisor call
        # in the same function takes (extmem.c: qin->qoutptr)
        g, n = r[2].rsplit(':', 1)
        h = s.function_at(g, int(n))
        m = [m for _, t in (s.body(g, h) if h else []) for m in [census_follow.HVCALL.search(t)] if m]
        if m:
            return m[0].group(1), r[2]
    return (r[1], r[2]) if r and r[0] == 'hvcall' else None


def ccw_in_reach(ktree, fl, ln):
    """Whether an s390 site's buffer is for a hypervisor call, or else
    whether a channel-subsystem device is at hand: in its function, in its
    file, or not at all."""
    hv = s390_hvcall(ktree, fl, ln)
    if hv:
        return 'hypervisor', 'hypervisor call: %s() at %s takes the buffer by address, ' \
            'not a channel program; no device\'s DMA mask applies (the page allocator or ' \
            'a 31-bit pool without a device)' % hv
    s = src(ktree)
    f = s.function_at(fl, ln)
    if f and any(S390_DEV.search(t) for _, t in s.body(fl, f)):
        return 'function', 'a ccw_device or subchannel is at hand in %s() (its coherent DMA ' \
            'mask is 31 bits: dma_smallbuf_alloc() on it fits)' % f[0]
    if any(S390_DEV.search(t) for t in s.lines(fl)):
        return 'file', 'the file uses a ccw_device or subchannel, not this function (it could ' \
            'be passed in)'
    return 'none', 'no ccw_device in reach (no struct device: the page allocator or ' \
        'a 31-bit pool without a device)'


def limit_of(ktree, fl, detail, flag):
    if fl.startswith(S390_DIRS) or 'iucv' in fl or census_follow.HVCALL.match(detail + '('):
        return 's390 31-bit (below 2 GB)'
    if detail in ('isa_virt_to_bus', 'set_dma_addr', 'virt_to_bus') or isa_file(ktree, fl):
        return 'ISA DMA 16 MB'
    if detail.startswith('lv1_') or detail == 'ps3_mm_phys_to_lpar':
        return 'PS3 hypervisor (lv1) takes the physical address: the region the hypervisor maps'
    if detail == '__psp_pa':
        return 'AMD PSP firmware takes the physical address'
    return ('physical address from %s() to hardware or firmware: the limit is the '
            'zone\'s, %s' % (detail, '4 GB (ZONE_DMA32)' if flag.endswith('32') else
                             'ZONE_DMA (16 MB on x86, up to 4 GB on arm64)'))


def memory_limit(ktree, fl, ln, detail, where, flag):
    lim = limit_of(ktree, fl, detail, flag)
    if lim.startswith('s390'):
        return 'memory-limit', '%s: %s() at %s; %s' % (lim, detail, where, ccw_in_reach(ktree, fl, ln)[1])
    return 'memory-limit', '%s: %s() at %s; %s' % (lim, detail, where, device_in_reach(ktree, fl))


def write_mix(path, rows):
    """The benchmark's size mix: every kmalloc-family GFP_DMA site of
    constant size once (bench/run.sh reads it)."""
    mix = collections.Counter(r[8] for r in rows
                              if r[3] in KMALLOC and isinstance(r[8], int) and r[5] not in ('comment', 'broken-dma32-slab')
                              and not r[3].startswith('kmem_cache'))
    with open(path, 'w', newline='') as f:
        f.write('# Sizes of the kmalloc-family GFP_DMA sites of constant size, each site once\n'
                '# (written by cocci/census.py from out/census.csv).\n')
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['size', 'count'])
        w.writerows(sorted(mix.items()))


def s390_table(f, rows):
    """The memory-limit allocation sites: what kmalloc takes for them and
    what the page allocator would take, per driver and overall."""
    sites = [r for r in rows if r[5] == 'memory-limit' and r[8] != '']
    f.write('\nMemory-limit allocations: kmalloc size class against the page allocator\n'
            '(PAGE_SIZE << get_order(size), 4 KB pages), per buffer; "sizeof" and\n'
            '"runtime" sizes are not evaluated and not in the byte totals.\n\n')
    f.write('  %-44s %5s %5s %6s %10s %10s %5s  %s\n'
            % ('driver (directory)', 'sites', 'const', 'ccw', 'kmalloc', 'pages', 'x', 'live buffers'))
    bydrv = collections.OrderedDict()
    for r in sorted(sites, key=lambda r: os.path.dirname(r[0])):
        bydrv.setdefault(os.path.dirname(r[0]), []).append(r)
    tot = collections.Counter()
    for d, rs in bydrv.items():
        const = [r for r in rs if isinstance(r[8], int)]
        kb = sum(r[9] for r in const)
        pb = sum(r[10] for r in const)
        ccw = sum(1 for r in rs if r[11] == 'function')
        live = collections.Counter(r[12] for r in rs)
        tot.update({'sites': len(rs), 'const': len(const), 'ccw': ccw, 'kb': kb, 'pb': pb})
        tot.update({'live ' + k: v for k, v in live.items()})
        f.write('  %-44s %5d %5d %6d %10d %10d %5s  %s\n'
                % (d, len(rs), len(const), ccw, kb, pb, '%.1f' % (pb / kb) if kb else '-',
                   ', '.join('%s %d' % kv for kv in sorted(live.items()))))
    f.write('  %-44s %5d %5d %6d %10d %10d %5s  %s\n'
            % ('total', tot['sites'], tot['const'], tot['ccw'], tot['kb'], tot['pb'],
               '%.1f' % (tot['pb'] / tot['kb']) if tot['kb'] else '-',
               ', '.join('%s %d' % (k[5:], v) for k, v in sorted(tot.items()) if k.startswith('live '))))
    s390 = [r for r in sites if r[0].startswith(('arch/s390/', 'drivers/s390/', 'net/iucv/'))
            or 'iucv' in r[0]]
    c = [r for r in s390 if isinstance(r[8], int)]
    f.write('\n  s390 only: %d allocation sites, %d of constant size: kmalloc %d bytes, page '
            'allocator %d bytes per set of one buffer each (%d more); %d sites have a ccw_device '
            'in their function.\n'
            % (len(s390), len(c), sum(r[9] for r in c), sum(r[10] for r in c),
               sum(r[10] - r[9] for r in c), sum(1 for r in s390 if r[11] == 'function')))


ALLOCS = set(census_sizes.SIZE_ARG) | set(census_sizes.PAGE_CALLS) | KMALLOC


def costs(ktree, fl, ln, text, call, cls, reason):
    """[size_bytes, kmalloc_bytes, page_bytes, ccw_device, live] of a
    site: bytes where the size is constant ("sizeof" or "runtime"
    otherwise), what kmalloc and the page allocator take for it, and for
    memory-limit sites whether a ccw_device is at hand and how many
    buffers live."""
    s = src(ktree)
    calls = [c for c in re.findall(r'\b(\w+)\s*\(', census_follow.statement(s.lines(fl), ln))
             if c in ALLOCS]
    if cls == 'comment' or not (call in ALLOCS or calls):
        return ['', '', '', '', '']
    sz = SIZES[0] or census_sizes.Sizes(s)
    SIZES[0] = sz
    expr, val = sz.site(fl, ln, call if call in ALLOCS else calls[0])
    if val == 'sizeof' and (fl, ln) in probed():
        val = probed()[(fl, ln)]
    kb = pb = ''
    if isinstance(val, int):
        pb = census_sizes.get_order_bytes(val)
        kb = pb if (call or calls[0]) in census_sizes.PAGE_CALLS else census_sizes.kmalloc_class(val)
    ccw = live = ''
    if cls == 'memory-limit':
        if 'go to the hypervisor' in reason:
            ccw = 'hypervisor'
        elif fl.startswith(('arch/s390/', 'drivers/s390/')) or reason.startswith('s390'):
            ccw = ccw_in_reach(ktree, fl, ln)[0]
        live = live_count(s, fl, ln)
    return [val, kb, pb, ccw, live]


SIZES = [None]
PROBED = []


def probed():
    """{(file, line): bytes} from the compiler probe (harness/sizes.sh):
    the files named by $CENSUS_SIZES, space-separated."""
    if not PROBED:
        got = {}
        for path in os.environ.get('CENSUS_SIZES', '').split():
            try:
                with open(path, newline='') as f:
                    for r in csv.DictReader(f):
                        got[(r['file'], int(r['line']))] = int(r['bytes'])
            except (OSError, KeyError, ValueError) as e:
                die('%s: unreadable sizes file: %s' % (path, e))
        PROBED.append(got)
    return PROBED[0]


def live_count(s, fl, ln):
    """How many buffers of a site live at once, from where it is:
    'per device', 'per system', 'per request' or 'unknown'."""
    f = s.function_at(fl, ln)
    if not f:
        return 'unknown'
    head = ' '.join(s.lines(fl)[max(0, f[1] - 2):f[1]])
    name = f[0]
    if '__init' in head or re.search(r'(^|_)(init|setup)$', name) and 'dev' not in name:
        return 'per system'
    if re.search(r'probe|alloc_dev|alloc_device|_new_device|attach|create|setup_device|_online|add_device|init_dev|alloc_card|_init', name):
        return 'per device'
    if re.search(r'build_cp|start_io|_io$|request|req|cmd|xmit|_tx|_rx|send|write|read|ioctl|transfer', name):
        return 'per request'
    return 'unknown'


def classify(ktree, fl, ln, text, flag, call, stream, swap, recs):
    if is_comment(text, flag):
        return 'comment', 'mentioned in a comment or string'
    if cleared_or_tested(text):
        d = variable(ktree, fl, ln, text, flag)
        if d and d[0] == 'mask-zone':
            return d
        return 'core', 'zone flag cleared or tested, not requested: zone handling, no allocation'
    if fl.startswith(('arch/s390/', 'drivers/s390/')):
        # arch/s390/mm/ is zone code, but for its DIAG buffers (extmem.c)
        col, why = ccw_in_reach(ktree, fl, ln)
        if col == 'hypervisor':
            return 'memory-limit', 's390 31-bit (below 2 GB): hypervisor call buffer; ' + why
        if not fl.startswith('arch/s390/mm/'):
            return 'memory-limit', 's390 31-bit (below 2 GB): channel programs and control ' \
                'blocks; ' + why
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
        if 'iucv' in fl:
            return 'memory-limit', 's390 31-bit (below 2 GB): IUCV buffers go to the hypervisor ' \
                'by address; no struct device'
        return 'memory-limit', 'ISA DMA 16 MB: ISA bus code, no struct device with a mask'
    if isa_file(ktree, fl):
        return 'memory-limit', 'ISA DMA 16 MB: ISA DMA controller (request_dma / isa_virt_to_bus)'
    sw = None
    for (f2, l2), v in swap.items():
        if f2 == fl and recs and call in KMALLOC and l2 <= ln and ln - l2 <= 3:
            sw = v
    if sw and sw[0]:
        return 'convertible', 'dma_smallbuf.cocci converts it'
    if call in KMALLOC and stream == 'stream':
        why = sw[1] if sw else 'not mapped once after the allocation'
        return 'streaming-drop', 'streaming DMA API maps it; %s' % why
    lim = retry_limit(ktree, fl, ln)
    if lim:
        return 'memory-limit', ('%d-bit device: the buffer is allocated again with %s when a '
                                'mapping lands above the limit; %s'
                                % (lim, flag, device_in_reach(ktree, fl)))
    if fl.startswith('drivers/iommu/'):
        return 'memory-limit', ('IOMMU page tables: the IOMMU walks them by physical address '
                                '(its own limit, e.g. 32-bit); the IOMMU\'s struct device is in '
                                'reach, but page-table pages need the page allocator')
    if call in ('kmem_cache_create', 'kmem_cache_create_usercopy'):
        phys = [m.group(1) for t in src(ktree).lines(fl) for m in [census_follow.PHYS.search(t)] if m]
        if phys:
            return memory_limit(ktree, fl, ln, phys[0], fl, flag)
    if not call:
        d = variable(ktree, fl, ln, text, flag)
        if d:
            return d
    decided = follow(ktree, fl, ln, text, flag, call)
    if decided:
        return decided
    if not recs:
        if fl.endswith('.h'):
            return 'needs-human', 'macro or header: flag in a definition'
        return 'needs-human', 'not parsed by spatch (macro or preprocessor)'
    if call in KMALLOC:
        return 'needs-human', 'GFP_DMA slab memory: not followed to a device, the CPU or a physical address'
    if call in ('kmem_cache_create', 'kmem_cache_create_usercopy'):
        return 'needs-human', 'GFP_DMA slab cache: check what its objects are for'
    if call in PAGES:
        return 'needs-human', 'page allocator with a zone flag: not followed to a device or a physical address'
    if not call:
        return 'needs-human', 'flag kept in a variable or initialiser'
    return 'needs-human', 'flag passed through %s()' % call


LIMIT_CMP = re.compile(r'DMA_BIT_MASK\s*\(\s*(\d+)\s*\)|1ULL?\s*<<\s*(\d+)\)')


def retry_limit(ktree, fl, ln):
    """Bits of the device limit if the site's function, or a function of
    the file it calls, compares a DMA address against an address limit
    below 32 bits (the b43/b44 retry with GFP_DMA); else None."""
    s = src(ktree)
    f = s.function_at(fl, ln)
    if not f:
        return None
    body = [t for _, t in s.body(fl, f)]
    texts = list(body)
    names = {h[0]: h for h in s.functions(fl)}
    for t in body:
        for m in re.finditer(r'\b(\w+)\s*\(', t):
            h = names.get(m.group(1))
            if h and h is not f:
                texts += [u for _, u in s.body(fl, h)]
    for t in texts:
        for m in LIMIT_CMP.finditer(t):
            bits = int(m.group(1) or m.group(2))
            if bits < 32 and re.search(r'[<>]=?', t):
                return bits
    return None


def variable(ktree, fl, ln, text, flag):
    """Decide a flag kept in a variable, a field or an initialiser."""
    s = src(ktree)
    if re.search(r'\bgfp_flags\s*=', text) and fl.startswith(('drivers/media/', 'drivers/staging/media/', 'samples/v4l/')):
        ops = set()
        for g in [fl] + s.dir_files(fl):
            for t in s.lines(g):
                ops |= set(re.findall(r'\bvb2_(dma_sg|dma_contig|vmalloc)_memops\b', t))
        if ops == {'dma_contig'}:
            return 'redundant', ('vb2 queue gfp_flags with vb2_dma_contig_memops: videobuf2 passes '
                                 'them to dma_alloc_attrs(), which ignores %s' % flag)
        if 'dma_sg' in ops:
            return 'mask-zone', ('vb2 queue gfp_flags with vb2_dma_sg_memops: videobuf2 allocates '
                                 'pages with them and maps them with dma_map_sgtable(); the zone '
                                 'stands for the device\'s mask (%s)' % device_in_reach(ktree, fl))
        if ops == {'vmalloc'}:
            return 'cpu-only', 'vb2 queue gfp_flags with vb2_vmalloc_memops: vmalloc memory, no zone'
        return 'mask-zone', ('vb2 queue gfp_flags with the memops chosen at run time: '
                             'vb2-dma-sg maps its pages with dma_map_sgtable(), '
                             'vb2-dma-contig ignores the zone')
    f = s.function_at(fl, ln)
    vm = re.match(r'\s*(?:[\w\s]*\b(?:gfp_t|int|unsigned)\s+)?(\w+)\s*\|?=', text)
    body = s.body(fl, f) if f else []
    if any(re.search(r'coherent_dma_mask|dma_mask|DMA_BIT_MASK|dma_bits|addressing_limited', t)
           and re.search(r'\b(if|while)\b|[&<>]', t) for _, t in body):
        return 'mask-zone', ('zone picked by hand from the device\'s DMA mask in %s(): what '
                             'dma_alloc_pages() / dma_alloc_noncontiguous() do for the device'
                             % f[0])
    if f and vm:
        var = vm.group(1)
        for n, t in body:
            if n <= ln:
                continue
            for cm in re.finditer(r'\b(\w+)\s*\(', t):
                args = census_follow.split_args(t[cm.end():])
                if not any(re.search(r'\b%s\b' % var, a) for a in args):
                    continue
                c2 = cm.group(1)
                if c2 in REDUNDANT:
                    return 'redundant', '%s() at line %d gets %s through %s and ignores it' % (c2, n, flag, var)
                if c2 in KMALLOC or c2 in PAGES:
                    d = follow(ktree, fl, n, t, flag, c2)
                    if d:
                        return d[0], '%s() at line %d gets %s through %s; %s' % (c2, n, flag, var, d[1])
                    return None
    near = s.lines(fl)[max(0, ln - 7):ln]
    stored = re.search(r'(\w|\])\s*\|?=[^=]|\?[^:]*:|^\s*#\s*define', text)
    if stored and any(re.search(r'\b(if|while)\b|\?', t) and
                      re.search(r'mask|DMA_BIT_MASK|dma_width|dma32|addr_bits|limit|'
                                r'dma_addressing_limited|dma_direct', t, re.I)
                      for t in near + [text]):
        return 'mask-zone', ('zone picked by hand from a device\'s DMA limit%s: what '
                             'dma_alloc_pages() / dma_alloc_noncontiguous() do for the device'
                             % (' in %s()' % f[0] if f else ''))
    return None


def follow(ktree, fl, ln, text, flag, call):
    """Decide a site by where its memory goes (census_follow); None if
    nothing decisive is found."""
    s = src(ktree)
    fol = census_follow.Follower(s)
    if call in KMALLOC or call in PAGES or call in ('alloc_skb', 'kmem_cache_alloc_node'):
        r = fol.follow(fl, ln, call)
        if r:
            kind, detail, where = r
            if kind in ('phys', 'hvcall'):
                return memory_limit(ktree, fl, ln, detail, where, flag)
            if kind == 'stream':
                return 'streaming-drop', ('streaming DMA API: %s() at %s (followed through the '
                                          'driver); swiotlb bounces what the device cannot reach'
                                          % (detail, where))
            if kind == 'bus':
                return 'streaming-bus', '%s at %s: %s' % (detail, where, census_follow.BUS_WHY[detail])
        if call in KMALLOC and fol.cpu_only(fl, ln, call):
            return 'cpu-only', 'the buffer stays in %s() and only the CPU reads or writes it' \
                % (s.function_at(fl, ln) or ('?',))[0]
    return None


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
        # "static int foo(...", or the name alone at column 0 with the
        # return type on the line above ("query_segment_type (struct ...").
        m = re.match(r'^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)\s*\([^;]*$', l)
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
