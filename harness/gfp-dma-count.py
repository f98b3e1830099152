#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""List the kmalloc-family calls with a zone flag and the DMA slab caches.

    gfp-dma-count.py TREE [REV]

TREE is a kernel git tree, REV a commit in it (default HEAD); the files are
read from the commit, not the work tree.
Prints one line per kmalloc-family call (kmalloc, kzalloc, kcalloc,
kmalloc_array, kmemdup, krealloc, their _node, devm_ and kmem_cache_
variants) whose arguments name GFP_DMA, GFP_DMA32, __GFP_DMA or
__GFP_DMA32, and per kmem_cache_create() or KMEM_CACHE() with
SLAB_CACHE_DMA or SLAB_CACHE_DMA32:

    KIND FILE:LINE ALLOCATOR AREA

KIND is "call" or "cache", LINE the line of the flag (the census's
numbering), AREA
"s390" for s390 and IUCV code, else "other".  Comments and flags that are
cleared ("& ~GFP_DMA") are not counted; a flag kept in a variable is not
seen (the census classes those sites).  The last line is
"total: N calls (N outside s390), N caches".
"""
import os
import re
import subprocess
import sys

from status_table import decisions

KMALLOC = re.compile(
    r'\b((?:devm_)?(?:k[mz]alloc(?:_array)?(?:_node)?|kcalloc(?:_node)?'
    r'|kmemdup(?:_nul)?|krealloc(?:_array)?)'
    r'|kmem_cache_z?alloc(?:_node|_lru)?)\s*\(')
CACHE = re.compile(r'\b(kmem_cache_create(?:_usercopy)?|KMEM_CACHE(?:_USERCOPY)?)\s*\(')
ZONE = re.compile(r'\b(__)?GFP_DMA(32)?\b')
SLAB = re.compile(r'\bSLAB_CACHE_DMA(32)?\b')
CLEARED = re.compile(r'~\s*(\w+|\()')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', re.S)


def blank(m):
    """Comments and strings become spaces, newlines kept (line numbers hold)."""
    return re.sub(r'[^\n]', ' ', m.group(0))


def args(text, start):
    """The text between the '(' at start-1 and its closing ')'."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == '(':
            depth += 1
        elif text[i] == ')':
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:]


def uncleared(a):
    """a with every "~FLAG" and "~(...)" blanked: flags cleared, not passed."""
    while True:
        m = CLEARED.search(a)
        if not m:
            return a
        end = m.end()
        if m.group(1) == '(':
            end += len(args(a, end)) + 1
        a = a[:m.start()] + ' ' * (end - m.start()) + a[end:]


def area(path):
    if (path.startswith(('arch/s390/', 'drivers/s390/', 'net/iucv/'))
            or 'iucv' in os.path.basename(path)):
        return 's390'
    return 'other'


def git(tree, *argv):
    return subprocess.run(['git', '-C', tree] + list(argv), check=True,
                          stdout=subprocess.PIPE).stdout.decode(errors='replace')


def scan(tree, rev, path):
    """(line, kind, allocator, arguments with blanks collapsed) per site."""
    text = COMMENT.sub(blank, git(tree, 'show', f'{rev}:{path}'))
    found = []
    for kind, rx, flag in (('call', KMALLOC, ZONE), ('cache', CACHE, SLAB)):
        for m in rx.finditer(text):
            a = args(text, m.end())
            f = flag.search(uncleared(a))
            if f:
                # The line of the flag, as the census numbers its sites.
                line = text.count('\n', 0, m.end() + f.start()) + 1
                found.append((line, kind, m.group(1), ' '.join(a.split())))
    return sorted(found)


def sites(tree, rev):
    """Every site at rev: (path, line, kind, allocator, arguments)."""
    # Our own files (the allocator's tests) are not the tree's users.
    paths = git(tree, 'grep', '-l', '-E', r'GFP_DMA|SLAB_CACHE_DMA', rev, '--',
                '*.[ch]', ':!tools/', ':!Documentation/', ':!scripts/',
                ':!samples/', ':!lib/dma_smallbuf*').split()
    return [(path,) + s for path in sorted(p.split(':', 1)[1] for p in paths)
            for s in scan(tree, rev, path)]


def totals(found):
    calls = [s for s in found if s[2] == 'call']
    other = [s for s in calls if area(s[0]) == 'other']
    caches = len(found) - len(calls)
    return f'{len(calls)} calls ({len(other)} outside s390), {caches} caches'


def compare(tree, base, tip, status):
    """Counts before and after the series; a STATUS.md row for what stays."""
    before, after = sites(tree, base), sites(tree, tip)
    print(f'before the series ({base}): {totals(before)}')
    print(f'after the series ({tip}): {totals(after)}')
    changed = set(git(tree, 'diff', '--name-only', base, tip).split())
    # A site in a file the series changed keeps its unpatched line number:
    # found by its call (same allocator and arguments) in the unpatched file.
    unmatched = {}
    for s in before:
        unmatched.setdefault((s[0],) + s[2:], []).append(s[1])
    rows = decisions(status)
    ok = bad = 0
    for path, line, kind, alloc, a in after:
        lines = unmatched.get((path, kind, alloc, a), [])
        if path in changed:
            if not lines:
                print(f'FAIL {path}:{line} (after the series): {alloc}() with a zone flag '
                      'that the unpatched file does not have')
                bad += 1
                continue
            line = lines.pop(0)
        site = f'{path}:{line}'
        row = rows.get(site)
        if not row:
            print(f'FAIL {site}: {alloc}() keeps its zone flag ({kind}, {area(path)}) '
                  f'and {status} has no row for it')
            bad += 1
        elif not row[1].startswith('left:'):
            print(f'FAIL {status}:{row[0]}: the row for {site} says "{row[1][:40]}...", '
                  'but the flag is still there after the series')
            bad += 1
        else:
            ok += 1
    print(f'count: {ok} passed, {bad} failed')
    return bad == 0


def main():
    argv = sys.argv[1:]
    if len(argv) not in (1, 2, 4) or not os.path.isdir(argv[0]):
        sys.exit('usage: gfp-dma-count.py TREE [REV]\n'
                 '       gfp-dma-count.py TREE BASE TIP STATUS.md\n'
                 '(TREE: a kernel git tree)')
    if len(argv) == 4:
        sys.exit(0 if compare(*argv) else 1)
    found = sites(argv[0], argv[1] if len(argv) == 2 else 'HEAD')
    for path, line, kind, alloc, _ in found:
        print(f'{kind} {path}:{line} {alloc} {area(path)}')
    print(f'total: {totals(found)}')


if __name__ == '__main__':
    main()
