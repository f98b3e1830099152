#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the spatch diffs into one commit per driver and a format-patch series.

series.py KTREE WORK SERIES_BRANCH BRANCH BASE_TAG SOB CENSUS_TXT CENSUS_CSV OUTDIR
"""
import collections
import csv
import os
import re
import subprocess
import sys
import tempfile

IDENT = ['-c', 'user.name=dma-smallbuf harness', '-c', 'user.email=dma-smallbuf@localhost',
         '-c', 'commit.gpgsign=false']


def die(msg):
    sys.exit('series.py: error: ' + msg)


def git(ktree, *args, env=None, inp=None):
    r = subprocess.run(['git', '-C', ktree] + IDENT + list(args), capture_output=True,
                       text=True, env=env, input=inp)
    if r.returncode:
        die('git %s: %s' % (' '.join(args), r.stderr.strip()))
    return r.stdout


def split_diff(path):
    """{file: diff text} from spatch output."""
    out, cur = {}, None
    if not os.path.exists(path):
        return out
    with open(path, errors='replace') as f:
        for line in f:
            m = re.match(r'^--- (\S+)', line)
            if m and not line.startswith('--- a/'):
                cur = m.group(1)
                out[cur] = ''
            if cur:
                out[cur] += line
    return out


def apply(ktree, work, path, text, diff):
    src = os.path.join(work, 'src.c')
    with open(src, 'w') as f:
        f.write(text)
    r = subprocess.run(['patch', '-s', '-o', src + '.new', src], input=diff, text=True,
                       capture_output=True)
    if r.returncode:
        die('%s: spatch diff does not apply: %s' % (path, r.stdout + r.stderr))
    with open(src + '.new') as f:
        return f.read()


def add_include(text):
    if '<linux/dma-smallbuf.h>' in text:
        return text
    lines = text.split('\n')
    idx = [i for i, l in enumerate(lines) if l.startswith('#include <linux/')]
    if not idx:
        return None
    # keep an alphabetical block alphabetical where possible
    at = idx[-1] + 1
    for i in idx:
        if lines[i] > '#include <linux/dma-smallbuf.h>':
            at = i
            break
    lines.insert(at, '#include <linux/dma-smallbuf.h>')
    return '\n'.join(lines)


def kconfig_symbol(ktree, path):
    """(Kconfig path, symbol) whose object builds path, or None."""
    d, base = os.path.split(path)
    obj = os.path.splitext(base)[0] + '.o'
    try:
        mk = open(os.path.join(ktree, d, 'Makefile')).read().replace('\\\n', ' ')
    except OSError:
        return None
    sym = None
    m = re.search(r'obj-\$\(CONFIG_(\w+)\)\s*[+:]?=.*?\b%s\b' % re.escape(obj), mk)
    if m:
        sym = m.group(1)
    else:
        m = re.search(r'^(\S+)-(?:y|objs)\s*[+:]?=.*?\b%s\b' % re.escape(obj), mk, re.M)
        if m:
            m2 = re.search(r'obj-\$\(CONFIG_(\w+)\)\s*[+:]?=.*?\b%s\.o\b' % re.escape(m.group(1)), mk)
            sym = m2.group(1) if m2 else None
    if not sym:
        return None
    for kd in (d, os.path.dirname(d)):
        kc = os.path.join(kd, 'Kconfig')
        if os.path.exists(os.path.join(ktree, kc)) and \
                re.search(r'^config %s$' % sym, open(os.path.join(ktree, kc)).read(), re.M):
            return kc, sym
    return None


def add_select(text, sym):
    lines = text.split('\n')
    for i, l in enumerate(lines):
        if l == 'config ' + sym:
            j = i + 1
            while j < len(lines) and lines[j].startswith('\t') and \
                    re.match(r'\t(bool|tristate|depends|select|default|prompt|def_)', lines[j]):
                j += 1
            if '\tselect DMA_SMALLBUF' not in lines[i:j]:
                lines.insert(j, '\tselect DMA_SMALLBUF')
            return '\n'.join(lines)
    return None


def prefix(path):
    """Subject prefix in the usual style of the subsystem, from the path."""
    parts = path.split('/')
    base = re.sub(r'\.[ch]$', '', parts[-1])
    dirs = parts[:-1]
    rules = [(['drivers', 'net', 'ethernet'], 'net: ethernet'),
             (['drivers', 'net', 'wireless'], 'wifi'),
             (['drivers', 'gpu', 'drm'], 'drm'),
             (['drivers', 'usb', 'gadget'], 'usb: gadget'),
             (['drivers', 'video', 'fbdev'], 'fbdev'),
             (['drivers', 'dma'], 'dmaengine'),
             (['sound', 'soc'], 'ASoC'),
             (['sound'], 'ALSA'),
             (['drivers', 'staging'], 'staging'),
             (['drivers'], '')]
    for pre, name in rules:
        if dirs[:len(pre)] == pre:
            rest = dirs[len(pre):]
            break
    else:
        pre, name, rest = [], dirs[0], dirs[1:]
    if not name:
        name, rest = rest[0], rest[1:]
    last = rest[-1] if rest else ''
    token = re.split(r'[-_]', last)[0] if last else ''
    if last and token and base.startswith(token):
        drv = last
    else:
        drv = re.sub(r'^(spi|snd|mmc|i2c)[-_]', '', base)
        drv = re.sub(r'[-_](core|main|gadget|utils)$', '', drv)
        if name in ('usb', 'firmware', 'gpu') and last and last != drv:
            drv = last
    if name == 'drm':
        return 'drm/%s:' % drv
    return '%s: %s:' % (name, drv)


def dma_mask(ktree, d):
    bits = set()
    for root, _, fs in os.walk(os.path.join(ktree, d)):
        for f in fs:
            if f.endswith('.c'):
                t = open(os.path.join(root, f), errors='replace').read()
                for m in re.finditer(r'dma_(?:coerce_mask_and_coherent|set_mask_and_coherent|set_coherent_mask|set_mask)\s*\([^;]*?DMA_BIT_MASK\((\d+)\)', t, re.S):
                    bits.add(int(m.group(1)))
        break
    if not bits:
        return ('The driver does not set a DMA mask, so the bus default '
                '(32 bits for most platform and PCI devices) applies.')
    return 'The driver sets a %s-bit DMA mask.' % '/'.join(str(b) for b in sorted(bits))


def wrap(s):
    return re.sub(r'(.{1,72})(?: +|$)', lambda m: m.group(1) + '\n', s).rstrip()


def main():
    (ktree, work, sbranch, branch, base, sob, ctxt, ccsv, outdir) = sys.argv[1:]
    small = split_diff(os.path.join(work, 'smallbuf.diff'))
    red = split_diff(os.path.join(work, 'redundant.diff'))
    groups = collections.OrderedDict()
    for f in sorted(set(small) | set(red)):
        groups.setdefault(os.path.dirname(f), []).append(f)
    parent = git(ktree, 'rev-parse', branch).strip()
    if git(ktree, 'rev-parse', branch + '^').strip() != git(ktree, 'rev-parse', base + '^{commit}').strip():
        die('%s is not one commit on top of %s' % (branch, base))
    env = dict(os.environ, GIT_INDEX_FILE=os.path.join(work, 'index'))
    skipped, made = [], []
    for d, files in groups.items():
        git(ktree, 'read-tree', parent, env=env)
        touched, conv, funcs, flags = [], [], set(), set()
        ok = True
        for f in files:
            text = git(ktree, 'show', '%s:%s' % (branch, f))
            new = text
            if f in small:
                new = apply(ktree, work, f, new, small[f])
                new2 = add_include(new)
                ks = kconfig_symbol(ktree, f)
                if new2 is None or ks is None:
                    skipped.append((f, 'no #include block or Kconfig symbol found'))
                    ok = False
                    break
                new = new2
                conv.append((f, ks))
            if f in red:
                new = apply(ktree, work, f, new, red[f])
                for l in red[f].splitlines():
                    if l.startswith('-'):
                        flags.update(re.findall(r'\bGFP_DMA32\b|\bGFP_DMA\b', l))
                funcs.update(re.findall(r'\b(dmam?_alloc_\w+|dma_pool_\w*alloc)\b', red[f]))
            touched.append((f, new))
        if not ok:
            continue
        for f, new in touched:
            blob = git(ktree, 'hash-object', '-w', '--stdin', '--path=' + f, inp=new).strip()
            git(ktree, 'update-index', '--cacheinfo', '100644,%s,%s' % (blob, f), env=env)
        kfiles = []
        for f, (kc, sym) in conv:
            kt = git(ktree, 'cat-file', 'blob', ':' + kc, env=env)
            kn = add_select(kt, sym)
            blob = git(ktree, 'hash-object', '-w', '--stdin', '--path=' + kc, inp=kn).strip()
            git(ktree, 'update-index', '--cacheinfo', '100644,%s,%s' % (blob, kc), env=env)
            kfiles.append(kc)
        tree = git(ktree, 'write-tree', env=env).strip()
        pre = prefix(files[0])
        if conv:
            subj = '%s use dma_smallbuf_alloc() for small DMA buffers' % pre
            why = ('The driver allocates small buffers with kmalloc(GFP_DMA) and maps them '
                   'with dma_map_single() for their whole life.  GFP_DMA picks ZONE_DMA '
                   '(16 MB on x86_64, 2 GB on s390), which has nothing to do with the '
                   "device's mask.  dma_smallbuf_alloc() returns a coherent buffer below "
                   "the device's coherent DMA mask from a per-device pool, so the mapping, "
                   'its error check and the syncs go away; dma_smallbuf_free() replaces '
                   'dma_unmap_single() + kfree().  Select DMA_SMALLBUF for it.')
        else:
            fl = ' and '.join(sorted(flags)) or 'GFP_DMA'
            subj = '%s drop %s from %s()' % (pre, fl, '() and '.join(sorted(funcs)))
            fs = sorted(funcs)
            verb = 'returns' if len(fs) == 1 else 'return'
            why = ('%s() %s memory that the device reaches through its coherent '
                   'DMA mask, whatever zone flags the caller passes: dma_alloc_attrs() '
                   'clears __GFP_DMA, __GFP_DMA32 and __GFP_HIGHMEM before choosing '
                   'the memory, and a dma_pool takes its pages from dma_alloc_coherent().  '
                   '%s therefore changes nothing but suggests a limit the code does '
                   'not have.  Remove it; the remaining flags are unchanged.'
                   % ('() and '.join(fs), verb, fl))
            if any('noncoherent' in f or 'pages' in f for f in fs):
                why += ('  dma_alloc_noncoherent() and dma_alloc_pages() even warn '
                        'about zone flags.')
        if len(subj) > 75:
            subj = '%s drop redundant zone flags from DMA allocators' % pre
        cc = subprocess.run(['perl', 'scripts/get_maintainer.pl', '--no-rolestats', '--no-git',
                             '--no-git-fallback'] +
                            sum([['-f', f] for f in files], []), cwd=ktree,
                            capture_output=True, text=True).stdout
        ccs = [c.strip() for c in cc.splitlines() if '@' in c]
        msg = '%s\n\n%s\n\n%s\n\n%s%s\n' % (
            subj, wrap(dma_mask(ktree, d)), wrap(why),
            ''.join('Cc: %s\n' % c for c in ccs), sob)
        parent = git(ktree, 'commit-tree', tree, '-p', parent, inp=msg).strip()
        made.append((subj, files + kfiles))
    git(ktree, 'branch', '-f', sbranch, parent)
    os.makedirs(outdir, exist_ok=True)
    git(ktree, 'format-patch', '-q', '--cover-letter', '-o', outdir,
        '%s..%s' % (base, sbranch))
    with open(ctxt) as f:
        census = f.read()
    rows = list(csv.DictReader(open(ccsv)))
    cls = collections.Counter(r['class'] for r in rows)
    cover = [p for p in os.listdir(outdir) if p.startswith('0000-')][0]
    cp = os.path.join(outdir, cover)
    t = open(cp).read()
    t = t.replace('*** SUBJECT HERE ***', 'dma_smallbuf: small coherent DMA buffers, and drivers off GFP_DMA')
    blurb = ('This series adds dma_smallbuf_alloc(), small coherent buffers below the '
             "device's coherent DMA mask from per-device pools, and moves drivers off "
             'GFP_DMA where the Coccinelle rules in the dma-smallbuf project can prove '
             'the change: kmalloc(GFP_DMA) + dma_map_single() becomes dma_smallbuf_alloc(), '
             'and zone flags passed to allocators that ignore them are dropped.\n\n'
             'Census of the tree (every line git grep finds):\n\n' + census +
             ('\nSkipped by the generator:\n' + ''.join('  %s: %s\n' % s for s in skipped)
              if skipped else ''))
    paras = blurb.split('\n\n')
    blurb = '\n\n'.join([wrap(paras[0])] + paras[1:])
    t = t.replace('*** BLURB HERE ***', blurb)
    open(cp, 'w').write(t)
    patched = collections.Counter()
    for _, fs in made:
        for f in fs:
            patched[f] += 1
    print('series: %d patches (1 allocator + %d drivers) in %s' % (len(made) + 1, len(made), outdir))
    print('series: %d sites found in %d files; class counts:' % (len(rows), len({r['file'] for r in rows})))
    for c, n in cls.most_common():
        print('  %-18s %4d' % (c, n))
    conv_sites = sum(1 for r in rows if r['class'] in ('convertible', 'redundant') and r['file'] in patched)
    print('series: %d sites converted by patches, %d left' % (conv_sites, len(rows) - conv_sites))
    for s in skipped:
        print('series: skipped %s: %s' % s)


if __name__ == '__main__':
    main()
