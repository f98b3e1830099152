#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write out/series/: one patch set per maintainer tree.

series.py KTREE WORK BRANCH BASE_TAG REVIEWED CENSUS_TXT CENSUS_CSV OUTDIR NAME EMAIL

BRANCH is the allocator commit on BASE_TAG; REVIEWED is BRANCH plus the
reviewed patches of drivers-conversions/ (git am in series order);
WORK holds the spatch diffs from which drafts are made for the files no
reviewed patch touches.  Every set is rebuilt from those commits on the
base (or on the allocator when it calls dma_smallbuf) and exported with
git format-patch --cover-letter --base, From: and Signed-off-by: being
NAME <EMAIL>; with NAME empty the series is written unsigned.
"""
import collections
import concurrent.futures
import csv
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
from status_table import decisions  # noqa: E402

IDENT = ['-c', 'user.name=dma-smallbuf harness', '-c', 'user.email=dma-smallbuf@localhost',
         '-c', 'commit.gpgsign=false']


def die(msg):
    sys.exit('series.py: error: ' + msg)


def git(ktree, *args, env=None, inp=None, ident=None):
    r = subprocess.run(['git', '-C', ktree] + (ident or IDENT) + list(args),
                       capture_output=True, text=True, env=env, input=inp)
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
        # a composite object: name-y, name-objs or name-$(CONFIG_...)
        m = re.search(r'^[ \t]*(\S+)-(?:y|objs|\$\(CONFIG_\w+\))\s*[+:]?=.*?\b%s\b' % re.escape(obj),
                      mk, re.M)
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
    s = re.sub(r'(.{1,72})(?: +|$)', lambda m: m.group(1) + '\n', s).rstrip()
    return '\n'.join(l.rstrip() for l in s.split('\n'))


HARNESS = 'dma-smallbuf harness <dma-smallbuf@localhost>'

# Maintainer trees: (path prefix, set name, subject tag, label in the cover).
TREES = [('drivers/net/wireless/', 'wireless', 'wireless-next', 'wireless'),
         ('drivers/net/', 'net', 'net-next', 'net'),
         ('drivers/atm/', 'net', 'net-next', 'net'),
         ('drivers/crypto/', 'crypto', '', 'crypto'),
         ('drivers/dma/', 'dmaengine', '', 'dmaengine'),
         ('drivers/firmware/tegra/', 'tegra', '', 'firmware: tegra'),
         ('drivers/gpu/', 'drm', '', 'drm'),
         ('drivers/staging/media/', 'media', '', 'media'),
         ('drivers/media/', 'media', '', 'media'),
         ('drivers/mtd/', 'mtd', '', 'mtd'),
         ('drivers/spi/', 'spi', '', 'spi'),
         ('drivers/usb/', 'usb', '', 'usb'),
         ('drivers/video/', 'fbdev', '', 'fbdev'),
         ('drivers/tty/', 'tty', '', 'tty'),
         ('drivers/base/regmap/', 'regmap', '', 'regmap'),
         ('drivers/firmware/cirrus/', 'asoc', '', 'ASoC'),
         ('include/sound/', 'asoc', '', 'ASoC'),
         ('sound/soc/', 'asoc', '', 'ASoC'),
         ('sound/', 'sound', '', 'ALSA')]


def tree_of(path):
    """(set, subject tag, label) of the maintainer tree that takes path."""
    for pre, name, tag, label in TREES:
        if path.startswith(pre):
            return name, tag, label
    parts = path.split('/')
    name = parts[1] if parts[0] in ('drivers', 'arch') and len(parts) > 2 else parts[0]
    return name, '', name


class Commit:
    def __init__(self, ktree, sha, rfc=False):
        self.sha, self.rfc = sha, rfc
        # The harness identity signs scratch commits only; never export it.
        self.msg = re.sub(r'^Signed-off-by: %s\n' % re.escape(HARNESS), '',
                          git(ktree, 'log', '-1', '--format=%B', sha).rstrip() + '\n',
                          flags=re.M).rstrip() + '\n'
        self.subject = self.msg.split('\n', 1)[0]
        self.raw = [l for l in git(ktree, 'diff-tree', '-r', '--no-commit-id', sha).splitlines() if l]
        self.paths = [l.split('\t', 1)[1] for l in self.raw]
        diff = git(ktree, 'show', '--format=', sha)
        self.smallbuf = bool(re.search(r'^\+.*\bdma_smallbuf_\w+\(', diff, re.M))
        self.fix = bool(re.search(r'^Fixes: [0-9a-f]{12} \(".*"\)$', self.msg, re.M))
        cfiles = [p for p in self.paths if p.endswith('.c')] or self.paths
        self.tree = tree_of(cfiles[0])


def tree_edit(ktree, tree, changes):
    """The tree that is tree (None: empty) with changes applied, {path:
    (mode, blob) or None to delete}; None if nothing is left in it.  Reads
    and writes only the trees on the changed paths, not the whole index."""
    here, below = {}, {}
    for path, v in changes.items():
        head, _, rest = path.partition('/')
        if rest:
            below.setdefault(head, {})[rest] = v
        else:
            here[head] = v
    entries = {}
    for line in (git(ktree, 'ls-tree', '-z', tree).split('\0') if tree else []):
        if line:
            meta, name = line.split('\t', 1)
            entries[name] = meta
    for name, v in here.items():
        if v is None:
            entries.pop(name, None)
        else:
            entries[name] = '%s blob %s' % v
    for name, ch in below.items():
        old = entries.get(name, '').split()
        sub = tree_edit(ktree, old[2] if old and old[1] == 'tree' else None, ch)
        if sub is None:
            entries.pop(name, None)
        else:
            entries[name] = '040000 tree %s' % sub
    if not entries:
        return None
    return git(ktree, 'mktree', '-z',
               inp=''.join('%s\t%s\0' % (m, n) for n, m in entries.items())).strip()


def rebuild(ktree, work, commits, parent, env_ident):
    """Commit each of commits' changes, in order, on parent; returns the tip."""
    env = dict(os.environ, **env_ident)
    tree = git(ktree, 'rev-parse', parent + '^{tree}').strip()
    for c in commits:
        changes = {}
        for l in c.raw:
            meta, path = l.split('\t', 1)
            _, new_mode, _, new_blob, status = meta[1:].split()
            changes[path] = None if status == 'D' else (new_mode, new_blob)
        tree = tree_edit(ktree, tree, changes)
        parent = git(ktree, 'commit-tree', tree, '-p', parent, '-F', '-',
                     env=env, inp=c.msg).strip()
    return parent


def fixes_first(name, commits):
    """Fixes before the other patches, each group in series order; a fix may
    not jump over a patch that touches one of its files."""
    fixes = [c for c in commits if c.fix]
    rest = [c for c in commits if not c.fix]
    for i, c in enumerate(commits):
        if not c.fix:
            continue
        for j in commits[:i]:
            if not j.fix and set(j.paths) & set(c.paths):
                die('set %s: fix "%s" touches %s, also changed by "%s" before it in '
                    'drivers-conversions/series; list the fix first' %
                    (name, c.subject, ', '.join(sorted(set(j.paths) & set(c.paths))), j.subject))
    return fixes + rest


def maintainers(ktree, paths):
    """(To, Cc) from the tree's get_maintainer.pl: maintainers, then
    reviewers and lists."""
    def run(*opts):
        r = subprocess.run(['perl', 'scripts/get_maintainer.pl', '--no-rolestats',
                            '--no-git', '--no-git-fallback'] + list(opts) +
                           sum([['-f', p] for p in paths], []), cwd=ktree,
                           capture_output=True, text=True)
        if r.returncode:
            die('get_maintainer.pl %s: %s' % (' '.join(paths), r.stderr.strip()))
        return [a.strip() for a in r.stdout.splitlines() if '@' in a]
    to = run('--m', '--no-r', '--no-l')
    cc = [a for a in run('--no-m', '--r', '--l') if a not in to]
    if not to:
        to, cc = cc[:1], cc[1:]
    return to, cc


def left_files(status):
    """{file: 'file:line'} for the files of STATUS.md rows whose decision
    is 'left: ...': a site reviewed and kept as it is gets no draft."""
    if not os.path.exists(status):
        return {}
    left = {}
    for site, (_, decision) in sorted(decisions(status).items(), key=lambda r: r[1][0]):
        if decision.startswith('left:'):
            left.setdefault(site.rsplit(':', 1)[0], site)
    return left


def draft_commits(ktree, work, branch, skip, left):
    """One RFC commit per driver directory from the spatch diffs, for files
    no reviewed patch touches and STATUS.md does not leave as they are; on
    branch series-drafts from branch."""
    small = split_diff(os.path.join(work, 'smallbuf.diff'))
    red = split_diff(os.path.join(work, 'redundant.diff'))
    groups = collections.OrderedDict()
    for f in sorted(set(small) | set(red)):
        if f in skip:
            continue
        if f in left:
            print('series: no draft for %s: drivers-conversions/STATUS.md leaves it '
                  '(row %s)' % (f, left[f]))
            continue
        groups.setdefault(os.path.dirname(f), []).append(f)
    parent = git(ktree, 'rev-parse', branch).strip()
    env = dict(os.environ, GIT_INDEX_FILE=os.path.join(work, 'index'))
    skipped = []
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
                    skipped.append((f, 'no #include <linux/...> line to add the header to'
                                    if new2 is None else
                                    'no Kconfig symbol found for it in its Makefile'))
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
        for f, (kc, sym) in conv:
            kt = git(ktree, 'cat-file', 'blob', ':' + kc, env=env)
            kn = add_select(kt, sym)
            blob = git(ktree, 'hash-object', '-w', '--stdin', '--path=' + kc, inp=kn).strip()
            git(ktree, 'update-index', '--cacheinfo', '100644,%s,%s' % (blob, kc), env=env)
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
            fs = sorted(funcs)
            subj = '%s drop %s from %s()' % (pre, fl, '() and '.join(fs))
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
        note = ('Generated by the dma-smallbuf Coccinelle rules (cocci/dma_smallbuf.cocci, '
                'cocci/gfp_dma_redundant.cocci); not reviewed by hand and not build-tested '
                'on its own.')
        msg = '%s\n\n%s\n\n%s\n\n%s\n' % (subj, wrap(dma_mask(ktree, d)), wrap(why), wrap(note))
        parent = git(ktree, 'commit-tree', tree, '-p', parent, inp=msg).strip()
    git(ktree, 'branch', '-f', 'series-drafts', parent)
    return 'series-drafts', skipped


def rev_list(ktree, rng):
    return git(ktree, 'rev-list', '--reverse', rng).split()


WHY = ('GFP_DMA selects ZONE_DMA, whose size depends on the architecture (16 MB on '
       'x86, 2 GB on s390, firmware-defined on arm64) and says nothing about the '
       "device's DMA mask.  The DMA API already allocates below the device's mask: "
       'dma_alloc_attrs() clears the zone modifiers, so they are dead weight on '
       'dma_alloc_coherent(), dma_alloc_wc() and dma_pool_alloc() (whose page header '
       'kmalloc() gets them too, and slab warns about GFP_DMA32 there when it needs '
       'a new slab).  Streaming buffers are bounced by swiotlb where needed, and '
       'small buffers that the device and the CPU share for their whole life belong '
       'in coherent memory.  Once kmalloc(GFP_DMA) has no users left, slab can stop '
       'being zone-aware, as discussed when Baoquan He posted "Don\'t use kmalloc() '
       'with GFP_DMA" in February 2022.')

TESTED = ('Each patch was applied with git am in this order on %s and every .c file '
          'it touches was built with W=1 and sparse (C=1) for a configuration that '
          'enables its driver (x86_64 allmodconfig where COMPILE_TEST reaches it, '
          'else the driver\'s architecture with a cross compiler), with no new '
          'warning against the unpatched file; checkpatch --strict is clean.')


def cover_blurb(name, label, cs, base_subj, alloc_subj, dep, extra, rfc):
    lines = []
    n = len(cs)
    fixes = [i + 1 for i, c in enumerate(cs) if c.fix]
    what = ('This series moves %s off GFP_DMA and GFP_DMA32 where the zone flag is '
            'not what the device needs.' % ('%d %s driver%s' % (n, label, 's' if n > 1 else '')))
    if fixes:
        what += ('  Patch%s %s fix%s bugs found on the way; they come first, each on its '
                 'own with a Fixes: tag, so that they can be taken (and backported) '
                 'without the rest.' % ('es' if len(fixes) > 1 else '',
                                        ', '.join(str(i) for i in fixes),
                                        '' if len(fixes) > 1 else 'es'))
    if rfc:
        what = ('RFC: these patches were generated by the Coccinelle rules of the '
                'dma-smallbuf project for census sites that no reviewed patch covers.  '
                'Nobody has checked them against the hardware documentation yet; '
                'comments on whether the zone flag is needed are welcome.')
    lines.append(wrap(what))
    lines.append(wrap(WHY))
    if dep:
        nums = [str(i + 1) for i, c in enumerate(cs) if c.smallbuf]
        idx = ' and '.join(nums) if len(nums) < 3 else ', '.join(nums[:-1]) + ' and ' + nums[-1]
        lines.append(wrap('Dependency: patch%s %s call%s dma_smallbuf_alloc(), which is '
                          'not in mainline: it is added by "%s", posted as its own set '
                          '(directory 01-dma-smallbuf), which must be applied first; the '
                          'prerequisite-patch-id below identifies it.  The other patches '
                          'do not depend on it.' %
                          ('es' if len(nums) > 1 else '', idx, '' if len(nums) > 1 else 's',
                           alloc_subj)))
    else:
        lines.append(wrap('Dependency: none.  These patches do not use the dma_smallbuf '
                          'allocator and apply on their own.'))
    if rfc:
        lines.append(wrap('How tested: generated and applied with git am on %s; not '
                          'build-tested on their own.' % base_subj))
    else:
        t = TESTED % base_subj
        if any('rocker' in p for c in cs for p in c.paths):
            t += ('  The rocker patches were also run: the converted driver boots under '
                  'qemu-system-x86_64 with -device rocker, probes (its DMA self-test '
                  'passes) and brings up both ports.  QEMU emulates none of the other '
                  'devices, so those patches are build-tested only, as each message says.')
        else:
            t += ('  QEMU emulates none of these devices, so the patches are '
                  'build-tested only, as each message says.')
        lines.append(wrap('How tested: ' + t))
    if extra:
        lines.append(extra.strip())
    return '\n\n'.join(lines)


def main():
    (ktree, work, branch, base, reviewed, ctxt, ccsv, outdir, name, email,
     notes) = sys.argv[1:]
    alloc = git(ktree, 'rev-parse', branch).strip()
    base_c = git(ktree, 'rev-parse', base + '^{commit}').strip()
    if git(ktree, 'rev-parse', branch + '^').strip() != base_c:
        die('%s is not one commit on top of %s' % (branch, base))
    base_subj = '"%s"' % git(ktree, 'log', '-1', '--format=%s', base_c).strip()
    alloc_c = Commit(ktree, alloc)
    rev = [Commit(ktree, s) for s in rev_list(ktree, '%s..%s' % (branch, reviewed))]
    covered = {p for c in rev for p in c.paths} | set(alloc_c.paths)
    left = left_files(os.path.join(notes, 'STATUS.md'))
    dbranch, skipped = draft_commits(ktree, work, branch, covered, left)
    drafts = [Commit(ktree, s, rfc=True) for s in rev_list(ktree, '%s..%s' % (branch, dbranch))]

    # Group into sets: reviewed ones in order of first appearance, then RFC.
    sets = collections.OrderedDict()
    for c in rev + drafts:
        key = c.tree[0] + ('-rfc' if c.rfc else '')
        sets.setdefault(key, []).append(c)
    owner = {}
    for key, cs in sets.items():
        for c in cs:
            for p in c.paths:
                if owner.setdefault(p, key) != key:
                    die('%s is changed in two patch sets, %s and %s' % (p, owner[p], key))

    signed = bool(name and email)
    ident = '%s <%s>' % (name, email) if signed else HARNESS
    env_ident = {}
    if signed:
        env_ident = {'GIT_AUTHOR_NAME': name, 'GIT_AUTHOR_EMAIL': email,
                     'GIT_COMMITTER_NAME': name, 'GIT_COMMITTER_EMAIL': email}
    fp_ident = (['-c', 'user.name=' + name, '-c', 'user.email=' + email,
                 '-c', 'commit.gpgsign=false'] if signed else IDENT)
    os.makedirs(outdir, exist_ok=True)
    alloc_tip = rebuild(ktree, work, [alloc_c], base_c, env_ident)
    plan = [('dma-smallbuf', [alloc_c], base_c, alloc_tip, '', 'dma-smallbuf', False)]
    for key, cs in sets.items():
        rfc = key.endswith('-rfc')
        cs = fixes_first(key, cs)
        dep = any(c.smallbuf for c in cs)
        parent = alloc_tip if dep else base_c
        tip = rebuild(ktree, work, cs, parent, env_ident)
        plan.append((key, cs, parent, tip, cs[0].tree[1], cs[0].tree[2], rfc))

    # get_maintainer.pl reads MAINTAINERS anew each time: two at a time.
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        addrs = list(ex.map(lambda p: maintainers(ktree, sorted({f for c in p[1] for f in c.paths})),
                            plan))
    made = []
    for i, (key, cs, parent, tip, tag, label, rfc) in enumerate(plan):
        git(ktree, 'branch', '-f', 'series/' + key, tip)
        d = os.path.join(outdir, '%02d-%s' % (i + 1, key))
        paths = sorted({p for c in cs for p in c.paths})
        to, cc = addrs[i]
        sp = ' '.join(x for x in ('RFC' if rfc else '', 'PATCH', tag) if x)
        args = ['format-patch', '-q', '--cover-letter', '--base=' + base_c,
                '--subject-prefix=' + sp, '-o', d] + (['-s'] if signed else [])
        args += ['--to=' + a for a in to] + ['--cc=' + a for a in cc]
        git(ktree, *(args + ['%s..%s' % (parent, tip)]), ident=fp_ident)
        extra = ''
        nf = os.path.join(notes, key + '.cover')
        if os.path.exists(nf):
            extra = open(nf).read()
        if key == 'dma-smallbuf':
            title = alloc_c.subject
            with open(ctxt) as f:
                census = f.read()
            blurb = (wrap('The allocator the driver sets in this directory\'s siblings '
                          'depend on: dma_smallbuf_alloc() returns a small coherent buffer '
                          "below the device's coherent DMA mask from per-device pools, in "
                          'place of kmalloc(GFP_DMA) + dma_map_single().  It adds '
                          'lib/dma_smallbuf.c, its Kconfig entries, the '
                          'Documentation/core-api/dma-smallbuf.rst page and a KUnit suite.') +
                     '\n\n' + wrap('How tested: the KUnit suite under QEMU (TCG) for '
                                   'x86_64, arm64 and s390, with and without '
                                   'CONFIG_DMA_SMALLBUF_DEBUG, KASAN, lockdep and '
                                   'CONFIG_DMA_API_DEBUG; W=1 and sparse builds; '
                                   'checkpatch --strict; the documentation built with '
                                   'Sphinx.') +
                     '\n\nCensus of GFP_DMA users in the base tree:\n\n' + census.rstrip())
        else:
            title = '%s: %smove small DMA buffers off GFP_DMA' % (
                label, 'fix DMA mapping bugs and ' if any(c.fix for c in cs) else '')
            blurb = cover_blurb(key, label, cs, base_subj, alloc_c.subject,
                                parent == alloc_tip, extra, rfc)
        files = sorted(os.listdir(d))
        cover = os.path.join(d, files[0])
        t = open(cover).read()
        if '*** SUBJECT HERE ***' not in t or '*** BLURB HERE ***' not in t:
            die('%s: git format-patch wrote no cover letter template' % cover)
        t = t.replace('*** SUBJECT HERE ***', title).replace('*** BLURB HERE ***', blurb)
        open(cover, 'w').write(t)
        if not signed:
            # The scratch identity must not leave: no From:, and the cover
            # letter's shortlog names no author.
            for f in files:
                fp = os.path.join(d, f)
                t = open(fp).read().replace('From: %s\n' % HARNESS, '', 1)
                t = re.sub(r'^%s (\(\d+\):)$' % re.escape(HARNESS.split(' <')[0]),
                           r'Unsigned \1', t, flags=re.M)
                open(fp, 'w').write(t)
        made.append((d, len(files) - 1, to))

    rows = list(csv.DictReader(open(ccsv)))
    print('series: %d sets, %d patches (the allocator, %d reviewed, %d RFC drafts) in %s' % (
        len(made), sum(m[1] for m in made), len(rev), len(drafts), outdir))
    for d, n, to in made:
        print('  %-24s %2d patch%s  To: %s' % (os.path.basename(d), n, 'es' if n > 1 else '  ',
                                               ', '.join(to)))
    print('series: census: %d sites in %d files' % (len(rows), len({r['file'] for r in rows})))
    for s in skipped:
        print('series: draft skipped %s: %s' % s)
    print('series: From: and Signed-off-by: %s' % (ident if signed else 'none (unsigned)'))


if __name__ == '__main__':
    main()
