#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's console lines into bench.csv, bench.txt and bench.png.

Usage:
  report.py mix CENSUS.csv FALLBACK.csv
      Print the size mix as "SIZE:WEIGHT,..." for dma_smallbuf_bench.mix=,
      from CENSUS.csv if it exists, else from FALLBACK.csv; say which on
      stderr.
  report.py report CONSOLE.log ICOUNT.log PERCPU.log OUTDIR [--mix-source T]
                   [--machine T] [--no-png]
      Parse the "dma_smallbuf_bench: R ..." lines of CONSOLE.log (the full
      run), ICOUNT.log (bench_single and bench_burst under qemu -icount)
      and PERCPU.log (bench_percpu with more possible than online CPUs)
      and write OUTDIR/bench.csv, OUTDIR/bench.txt and OUTDIR/bench.png
      (gnuplot).  Fails, naming the logs, if any figure, method or size is
      missing, or if a log holds a figure that does not belong in it.

The census CSV needs a header row with a size column ("size", "size_bytes",
"bytes" or any name ending in "size") and may have a count column
("count", "sites", "calls", "occurrences", "weight", "n"; default 1 per
row) and a "constant" column (yes/no).  Rows whose size is not an integer
literal are not constant and are left out, as are sizes above 4096.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

METHODS = ['kmalloc_dma_map', 'kmalloc_map', 'dma_pool', 'dma_alloc_coherent',
           'dma_smallbuf']
SIZES = ['32', '64', '100', '128', '256', '512', '1024', '2048', '4096']
FIGURES = {
    # figure: (unit, sizes, what)
    'single': ('ns/pair', SIZES, 'one CPU, ns per alloc+free pair (median)'),
    'insns': ('insns/pair', SIZES, 'one CPU, guest instructions per alloc+free pair '
              '(qemu -icount shift=0: deterministic)'),
    'parallel': ('pairs/s', SIZES, 'all CPUs at once, total alloc+free pairs per second'),
    'burst': ('ns/pair', SIZES, 'burst: N held then freed, ns per pair (median)'),
    'burst_insns': ('insns/pair', SIZES, 'burst: N held then freed, guest instructions per '
                    'pair (qemu -icount shift=0: deterministic)'),
    'memory': ('backing/requested', SIZES + ['mix'],
               'memory: page-allocator bytes per requested byte, N live buffers'),
}
# Figures of dma_smallbuf alone, from the boot with more possible than
# online CPUs: figure: (unit, "sizes" (which state), what).
SB_FIGURES = {
    'percpu': ('bytes/possible CPU', ['one_class', 'all_classes'],
               "per-CPU memory of one device, per possible CPU (dma_smallbuf_get_stats() percpu)"),
    'cached': ('bytes', ['online', 'offline'],
               "free memory on the CPUs' lists of one device (dma_smallbuf_get_stats() cached)"),
}
# Which figures each log holds, and their names in the report.
LOG_FIGURES = {
    'console': {f: f for f in ('single', 'parallel', 'burst', 'memory')},
    'icount': {'single': 'insns', 'burst': 'burst_insns'},
    'percpu': {'percpu': 'percpu', 'cached': 'cached'},
}
# gnuplot line styles: dma_smallbuf stands out.
STYLE = {
    'kmalloc_dma_map': 'lc rgb "#1f77b4" pt 1',
    'kmalloc_map': 'lc rgb "#17becf" pt 2',
    'dma_pool': 'lc rgb "#2ca02c" pt 6',
    'dma_alloc_coherent': 'lc rgb "#ff7f0e" pt 4',
    'dma_smallbuf': 'lc rgb "#d62728" lw 3 pt 7',
}
MAX_SIZE = 4096
TARGET_SINGLE_INSNS = 0.75
TARGET_BURST_INSNS = 1.0
TARGET_PERCPU = 128
TARGET_PARALLEL = 1.5
TARGET_MEMORY = 1.35

LINE = re.compile(r'dma_smallbuf_bench: R (\w+) (\w+) (\w+) ([0-9.]+)((?: \w+=-?[0-9.]+)*)\s*$')
INFO = re.compile(r'dma_smallbuf_bench: I ((?:\w+=\S+ ?)*)')


class BenchError(Exception):
    pass


def parse_int(text):
    text = text.strip()
    if re.fullmatch(r'[0-9]+', text):
        return int(text)
    if re.fullmatch(r'0[xX][0-9a-fA-F]+', text):
        return int(text, 16)
    return None


def read_mix(path):
    """[(size, weight)] from a census or mix CSV; BenchError if unusable."""
    try:
        with open(path, newline='') as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise BenchError('%s: cannot read: %s' % (path, e.strerror))
    rows = [r for r in rows if r and not r[0].lstrip().startswith('#')]
    if not rows:
        raise BenchError('%s: empty, expected a header row and data rows' % path)
    head = [h.strip().lower() for h in rows[0]]
    size_col = next((i for i, h in enumerate(head)
                     if h in ('size', 'size_bytes', 'bytes') or h.endswith('size')), None)
    if size_col is None:
        raise BenchError('%s: no size column in header %s' % (path, rows[0]))
    count_col = next((i for i, h in enumerate(head)
                      if h in ('count', 'sites', 'calls', 'occurrences', 'weight', 'n')),
                     None)
    const_col = next((i for i, h in enumerate(head) if h in ('constant', 'const')), None)
    weights = {}
    for lineno, r in enumerate(rows[1:], 2):
        if size_col >= len(r):
            raise BenchError('%s:%d: no size field' % (path, lineno))
        if const_col is not None and const_col < len(r) and \
                r[const_col].strip().lower() in ('no', 'false', '0', 'n'):
            continue
        size = parse_int(r[size_col])
        if size is None or size == 0 or size > MAX_SIZE:
            continue
        weight = 1
        if count_col is not None:
            weight = parse_int(r[count_col]) if count_col < len(r) else None
            if weight is None:
                raise BenchError('%s:%d: count %r is not an integer'
                                 % (path, lineno, r[count_col] if count_col < len(r) else ''))
        weights[size] = weights.get(size, 0) + weight
    mix = sorted((s, w) for s, w in weights.items() if w > 0)
    if not mix:
        raise BenchError('%s: no row with a constant size from 1 to %d' % (path, MAX_SIZE))
    if len(mix) > 64:
        # The kernel side takes at most 64 sizes: keep the heaviest.
        mix = sorted(sorted(mix, key=lambda sw: -sw[1])[:64])
    return mix


def cmd_mix(args):
    if os.path.exists(args.census):
        mix = read_mix(args.census)
        src = '%s (%d constant sizes)' % (args.census, len(mix))
    else:
        mix = read_mix(args.fallback)
        src = '%s (fixed mix: %s not found)' % (args.fallback, args.census)
    print('size mix from %s' % src, file=sys.stderr)
    print(','.join('%d:%d' % sw for sw in mix))
    return 0


def parse_log(path, icount_path, percpu_path):
    """{(figure, method, size): (value, {extra})}, {info} from the console logs.

    The "single" and "burst" lines of the -icount boot are instruction
    counts: with shift=0 one instruction is one ns of virtual time.
    """
    results, info = {}, {}
    read_log(path, results, info, LOG_FIGURES['console'])
    read_log(icount_path, results, {}, LOG_FIGURES['icount'])
    read_log(percpu_path, results, {}, LOG_FIGURES['percpu'])
    want = [(fig, meth, size) for fig, (_, sizes, _) in FIGURES.items()
            for meth in METHODS for size in sizes]
    want += [(fig, 'dma_smallbuf', size) for fig, (_, sizes, _) in SB_FIGURES.items()
             for size in sizes]
    missing = ['%s %s %s' % k for k in want if k not in results]
    if missing:
        raise BenchError('%s, %s, %s: %d results missing (did the benchmark finish?): %s%s'
                         % (path, icount_path, percpu_path, len(missing),
                            ', '.join(missing[:8]), ' ...' if len(missing) > 8 else ''))
    for size in SB_FIGURES['percpu'][1]:
        extra = results[('percpu', 'dma_smallbuf', size)][1]
        for key in ('possible', 'online'):
            if key not in extra:
                raise BenchError('%s: percpu %s line without %s=' % (percpu_path, size, key))
    for size, keys in (('online', ('cpus', 'bound_per_cpu')), ('offline', ('cpus',))):
        extra = results[('cached', 'dma_smallbuf', size)][1]
        for key in keys:
            if key not in extra:
                raise BenchError('%s: cached %s line without %s=' % (percpu_path, size, key))
    return results, info


def read_log(path, results, info, rename):
    """Add the result lines of one console log; figures renamed by @rename."""
    try:
        f = open(path, errors='replace')
    except OSError as e:
        raise BenchError('%s: cannot read: %s' % (path, e.strerror))
    with f:
        for line in f:
            m = INFO.search(line)
            if m:
                info.update(kv.split('=', 1) for kv in m.group(1).split())
                continue
            if 'dma_smallbuf_bench: R ' not in line:
                continue
            m = LINE.search(line)
            if not m:
                raise BenchError('%s: malformed result line: %s' % (path, line.strip()))
            fig, meth, size, value, extra = m.groups()
            if fig not in rename:
                raise BenchError('%s: unexpected figure %r in this log (it holds %s)'
                                 % (path, fig, ', '.join(sorted(rename))))
            fig = rename[fig]
            results[(fig, meth, size)] = (float(value), dict(
                kv.split('=', 1) for kv in extra.split()))


def write_csv(results, path):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['figure', 'method', 'size', 'value', 'unit', 'details'])
        for fig, (unit, sizes, _) in FIGURES.items():
            for size in sizes:
                for meth in METHODS:
                    value, extra = results[(fig, meth, size)]
                    w.writerow([fig, meth, size, '%g' % value, unit,
                                ' '.join('%s=%s' % kv for kv in sorted(extra.items()))])
        for fig, (unit, sizes, _) in SB_FIGURES.items():
            for size in sizes:
                value, extra = results[(fig, 'dma_smallbuf', size)]
                w.writerow([fig, 'dma_smallbuf', size, '%g' % value, unit,
                            ' '.join('%s=%s' % kv for kv in sorted(extra.items()))])


def fmt(v):
    if v >= 100000:
        return '%.3gM' % (v / 1e6) if v < 1e9 else '%.3gG' % (v / 1e9)
    if v >= 100:
        return '%.0f' % v
    if v >= 10:
        return '%.1f' % v
    return '%.2f' % v


def ratios(results, fig):
    return {s: results[(fig, 'dma_smallbuf', s)][0] / results[(fig, 'dma_pool', s)][0]
            for s in SIZES}


def targets(results):
    """[(name, ok, text)] for the issue's targets."""
    out = []
    # Instructions under -icount: deterministic, free of host noise.  The
    # time ratios (paired: both methods timed back to back) are shown too.
    ri = ratios(results, 'insns')
    paired = {s: float(results[('single', 'dma_smallbuf', s)][1]['paired_vs_pool'])
              for s in SIZES}
    worst = max(ri, key=ri.get)
    out.append(('single', ri[worst] <= TARGET_SINGLE_INSNS,
                'one CPU: dma_smallbuf <= %.2fx dma_pool in guest instructions per pair at '
                'every size: worst %.2fx at %s bytes (%.0f against %.0f)%s; time, paired: '
                '%.2f-%.2fx'
                % (TARGET_SINGLE_INSNS, ri[worst], worst,
                   results[('insns', 'dma_smallbuf', worst)][0],
                   results[('insns', 'dma_pool', worst)][0],
                   '' if ri[worst] <= TARGET_SINGLE_INSNS else '; missed at ' + ', '.join(
                       '%s (%.2fx)' % (s, ri[s]) for s in SIZES if ri[s] > TARGET_SINGLE_INSNS),
                   min(paired.values()), max(paired.values()))))
    r = ratios(results, 'parallel')
    worst = min(r, key=r.get)
    out.append(('parallel', r[worst] >= TARGET_PARALLEL,
                'all CPUs: dma_smallbuf throughput >= %.1fx dma_pool at every size: worst %.2fx at %s bytes%s'
                % (TARGET_PARALLEL, r[worst], worst,
                   '' if r[worst] >= TARGET_PARALLEL else ', missed at ' + ', '.join(
                       '%s (%.2fx)' % (s, r[s]) for s in SIZES if r[s] < TARGET_PARALLEL))))
    rb = ratios(results, 'burst_insns')
    worst = max(rb, key=rb.get)
    out.append(('burst', rb[worst] <= TARGET_BURST_INSNS,
                'burst: dma_smallbuf <= %.1fx dma_pool in guest instructions per pair at every '
                'size: worst %.2fx at %s bytes (%.0f against %.0f)%s'
                % (TARGET_BURST_INSNS, rb[worst], worst,
                   results[('burst_insns', 'dma_smallbuf', worst)][0],
                   results[('burst_insns', 'dma_pool', worst)][0],
                   '' if rb[worst] <= TARGET_BURST_INSNS else '; missed at ' + ', '.join(
                       '%s (%.2fx)' % (s, rb[s]) for s in SIZES if rb[s] > TARGET_BURST_INSNS))))
    one, extra = results[('percpu', 'dma_smallbuf', 'one_class')]
    spare = int(extra['possible']) > int(extra['online'])
    out.append(('percpu', one <= TARGET_PERCPU and spare,
                'per-CPU: one device using one size class <= %d bytes per possible CPU: '
                '%.0f bytes (%s possible CPUs, %s online; all classes %.0f)%s'
                % (TARGET_PERCPU, one, extra['possible'], extra['online'],
                   results[('percpu', 'dma_smallbuf', 'all_classes')][0],
                   '' if spare else '; not from a boot with more possible than online CPUs')))
    on, extra = results[('cached', 'dma_smallbuf', 'online')]
    off = results[('cached', 'dma_smallbuf', 'offline')][0]
    cpus, bound = int(extra['cpus']), float(extra['bound_per_cpu'])
    out.append(('cached', on <= bound * cpus and on - off > 0,
                "cached: free memory on the CPUs' lists <= bound x online CPUs and given back "
                'when a CPU goes offline: %.0f <= %.0f x %d = %.0f bytes %s; %.0f bytes given '
                'back (%.0f left on the %d CPUs online)'
                % (on, bound, cpus, bound * cpus, 'yes' if on <= bound * cpus else 'NO',
                   on - off, off, cpus - 1)))
    sb = results[('memory', 'dma_smallbuf', 'mix')][0]
    co = results[('memory', 'dma_alloc_coherent', 'mix')][0]
    out.append(('memory', sb <= TARGET_MEMORY,
                'size mix: dma_smallbuf backing <= %.2fx requested: %.3fx '
                '(dma_alloc_coherent %.2fx, dma_pool %.3fx, kmalloc %.3fx)'
                % (TARGET_MEMORY, sb, co, results[('memory', 'dma_pool', 'mix')][0],
                   results[('memory', 'kmalloc_dma_map', 'mix')][0])))
    return out


def write_txt(results, info, path, machine, mix_source):
    cols = ['kmalloc_dma', 'kmalloc', 'dma_pool', 'coherent', 'smallbuf']
    lines = ['dma_smallbuf benchmark', '',
             'machine:  %s' % machine,
             'guest:    qemu-system-x86_64, TCG (no KVM), %s vCPUs, %s MiB RAM, '
             'swiotlb active: %s' % (info.get('cpus', '?'), info.get('ram_mib', '?'),
                                     'yes' if info.get('swiotlb') == '1' else 'no'),
             'device:   32-bit streaming and coherent DMA mask; kmalloc_dma = '
             'kmalloc(GFP_KERNEL|GFP_DMA)+dma_map_single, kmalloc = '
             'kmalloc(GFP_KERNEL)+dma_map_single (bounces through swiotlb when above 4 GiB), '
             'dma_pool = pre-created pool of the exact size (align %s), coherent = '
             'dma_alloc_coherent, smallbuf = dma_smallbuf_alloc' % 8,
             'size mix: %s' % mix_source,
             'Only ratios mean anything: all figures come from one boot under TCG, '
             'methods interleaved; absolute times are not those of hardware.', '']
    for fig, (unit, sizes, what) in FIGURES.items():
        higher = fig == 'parallel'
        lines.append('%s [%s]%s' % (what, unit, '  (higher is better)' if higher else
                                    '  (lower is better)'))
        lines.append('%6s ' % 'size' + ' '.join('%11s' % c for c in cols) +
                     ' | %9s %12s %9s' % ('sb/pool', 'sb/kmal_dma', 'sb/kmal'))
        for size in sizes:
            v = [results[(fig, m, size)][0] for m in METHODS]
            sb = v[4]
            lines.append('%6s ' % size + ' '.join('%11s' % fmt(x) for x in v) +
                         ' | %8.2fx %11.2fx %8.2fx' % (sb / v[2], sb / v[0], sb / v[1]))
        if fig == 'single':
            lines.append('       (paired: median over repetitions of dma_smallbuf/dma_pool '
                         'timed back to back: %s)' % ', '.join(
                             '%s %sx' % (size, results[('single', 'dma_smallbuf', size)][1].get(
                                 'paired_vs_pool', '?')) for size in sizes))
        if fig == 'burst':
            n = results[('burst', 'dma_smallbuf', SIZES[0])][1].get('n', '?')
            lines.append('       (N = %s; first burst on a fresh device and pool, in ns/pair: %s)'
                         % (n, ', '.join('%s %s' % (m, fmt(float(
                             results[('burst', m, '4096')][1].get('cold', 'nan'))))
                             for m in ('dma_pool', 'dma_smallbuf'))) + ' at 4096 bytes')
        if fig == 'memory':
            n = results[('memory', 'dma_smallbuf', SIZES[0])][1].get('n', '?')
            nm = results[('memory', 'dma_smallbuf', 'mix')][1].get('n', '?')
            above = results[('memory', 'kmalloc_map', '32')][1].get('above4g', '?')
            lines.append('       (N = %s live buffers per size, %s for the mix; kmalloc = whole slab '
                         'folios holding the buffers, dma_pool = its pages, coherent = '
                         'PAGE_SIZE << get_order(size), smallbuf = dma_smallbuf_get_stats(); '
                         '%s of %s kmalloc(GFP_KERNEL) buffers of 32 bytes lay above 4 GiB '
                         'and were bounced)' % (n, nm, above, n))
        lines.append('')
    pc = {k: results[('percpu', 'dma_smallbuf', k)] for k in SB_FIGURES['percpu'][1]}
    lines.append('%s [%s]  (lower is better)' % (SB_FIGURES['percpu'][2], SB_FIGURES['percpu'][0]))
    for k, label in (('one_class', 'one size class used'), ('all_classes', 'every size class used')):
        v, extra = pc[k]
        lines.append('  %-22s %8.0f bytes per possible CPU, %s bytes on %s possible CPUs (%s online)'
                     % (label, v, extra.get('total', '?'), extra['possible'], extra['online']))
    lines.append('')
    on, eon = results[('cached', 'dma_smallbuf', 'online')]
    off, eoff = results[('cached', 'dma_smallbuf', 'offline')]
    bound, cpus = float(eon['bound_per_cpu']), int(eon['cpus'])
    lines.append('%s [%s]' % (SB_FIGURES['cached'][2], SB_FIGURES['cached'][0]))
    lines.append("  every online CPU's lists filled: %8.0f bytes on %d CPUs (%.0f per CPU; bound %.0f "
                 'per CPU: per class max(DMA_SMALLBUF_CPU_BYTES, DMA_SMALLBUF_CPU_MIN blocks))'
                 % (on, cpus, on / cpus, bound))
    lines.append('  one CPU offline:                 %8.0f bytes on the %s CPUs left, %.0f given back'
                 % (off, eoff.get('cpus', '?'), on - off))
    lines.append('')
    lines.append('targets')
    for name, ok, text in targets(results):
        lines.append('  %-4s %s' % ('met' if ok else 'MISS', text))
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def write_png(results, path, title):
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        raise BenchError('gnuplot not found: install the Debian package gnuplot-nox')
    sizes = sorted(SIZES, key=int)
    with tempfile.TemporaryDirectory() as tmp:
        for fig in FIGURES:
            with open(os.path.join(tmp, fig + '.dat'), 'w') as f:
                f.write('size ' + ' '.join(METHODS) + '\n')
                for size in sizes + (['mix'] if fig == 'memory' else []):
                    vals = [results[(fig, m, size)][0] for m in METHODS]
                    if fig == 'parallel':
                        vals = [v / 1e6 for v in vals]
                    f.write(size + ' ' + ' '.join('%g' % v for v in vals) + '\n')
        plots = [('single', 'one CPU: ns per alloc+free pair (lower is better)', True),
                 ('insns', 'one CPU: guest instructions per pair (qemu -icount)', True),
                 ('parallel', 'all CPUs: million pairs/s (higher is better)', True),
                 ('burst', 'burst of N held then freed: ns per pair', True),
                 ('burst_insns', 'burst: guest instructions per pair (qemu -icount)', True),
                 ('memory', 'memory: backing bytes / requested bytes', True)]
        gp = ['set terminal pngcairo size 1400,2000 font ",10"',
              'set output "%s"' % path, 'set termoption noenhanced',
              'set multiplot layout 4,2 title "%s"' % title.replace('"', "'"),
              'set key top left font ",8"',
              'set grid ytics',
              'set xlabel "buffer size (bytes)"', 'set style data linespoints']
        for fig, ylabel, logy in plots:
            gp.append('set title "%s"' % ylabel)
            gp.append('set logscale y' if logy else 'unset logscale y')
            gp.append('plot ' + ', '.join(
                '"%s/%s.dat" using 0:%d:xtic(1) title "%s" %s'
                % (tmp, fig, i + 2, m, STYLE[m]) for i, m in enumerate(METHODS)))
        gp.append('unset multiplot')
        proc = subprocess.run([gnuplot], input='\n'.join(gp) + '\n', text=True,
                              capture_output=True)
        if proc.returncode != 0 or not os.path.exists(path):
            raise BenchError('gnuplot failed: %s' % proc.stderr.strip())


def cmd_report(args):
    results, info = parse_log(args.log, args.icount_log, args.percpu_log)
    os.makedirs(args.outdir, exist_ok=True)
    write_csv(results, os.path.join(args.outdir, 'bench.csv'))
    write_txt(results, info, os.path.join(args.outdir, 'bench.txt'), args.machine,
              args.mix_source)
    if not args.no_png:
        write_png(results, os.path.join(args.outdir, 'bench.png'),
                  'dma_smallbuf vs kmalloc+dma_map_single, dma_pool, dma_alloc_coherent '
                  '(QEMU TCG, %s vCPUs, one boot)' % info.get('cpus', '?'))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('mix')
    p.add_argument('census')
    p.add_argument('fallback')
    p.set_defaults(func=cmd_mix)
    p = sub.add_parser('report')
    p.add_argument('log')
    p.add_argument('icount_log')
    p.add_argument('percpu_log')
    p.add_argument('outdir')
    p.add_argument('--machine', default='unknown')
    p.add_argument('--mix-source', default='unknown')
    p.add_argument('--no-png', action='store_true')
    p.set_defaults(func=cmd_report)
    args = ap.parse_args()
    try:
        return args.func(args)
    except BenchError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
