# SPDX-License-Identifier: GPL-2.0
"""Sizes of zone-flag allocations and what they cost (used by census.py).

For an allocation site: the size expression, its value in bytes when it is
an integer constant expression of literals and object-like macros (looked
up in the file, its directory and the headers it includes, for the
architecture that builds the file), the kmalloc size class that serves it,
and what the page allocator would take instead (PAGE_SIZE << get_order()).
sizeof() is not evaluated here: its size is "sizeof" (a compile-time
constant the census does not know), a size that depends on run-time values
is "runtime".
"""
import os
import re

import census_follow

PAGE_SIZE = 4096
# kmalloc caches (mm/slab_common.c kmalloc_info[]) with KMALLOC_MIN_SIZE 8:
# x86_64, arm64 without DMA bouncing, s390.
KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]
SIZE_ARG = {'kmalloc': 0, 'kzalloc': 0, 'kmalloc_node': 0, 'kzalloc_node': 0,
            'kcalloc': (0, 1), 'kmalloc_array': (0, 1), 'kmemdup': 1, 'krealloc': 1,
            'devm_kmalloc': 1, 'devm_kzalloc': 1, 'devm_kcalloc': (1, 2),
            'kmem_cache_create': 1, 'kmem_cache_create_usercopy': 1,
            'alloc_skb': 0, '__alloc_skb': 0}
PAGE_CALLS = {'__get_free_pages': 1, 'alloc_pages': 1, 'alloc_pages_node': 2,
              '__get_free_page': None, 'get_zeroed_page': None, 'alloc_page': None,
              'alloc_pages_exact': 0}


def arch_of(fl):
    m = re.match(r'arch/(\w+)/', fl)
    if m:
        return m.group(1)
    if fl.startswith(('drivers/s390/', 'net/iucv/')):
        return 's390'
    return 'x86'


def probe_arch(fl):
    """The architecture harness/sizes.sh compiles fl for: s390 or x86_64
    (other architectures' own code is not probed: '')."""
    a = arch_of(fl)
    if a == 's390':
        return 's390'
    return 'x86_64' if a == 'x86' else ''


def get_order_bytes(size):
    """PAGE_SIZE << get_order(size)."""
    b = PAGE_SIZE
    while b < size:
        b <<= 1
    return b


def kmalloc_class(size):
    """Bytes kmalloc() takes for size: its cache, or whole pages above 8 KB."""
    for s in KMALLOC_SIZES:
        if size <= s:
            return s
    return get_order_bytes(size)


class Sizes:
    def __init__(self, src):
        self.src = src
        self.incs = {}

    def headers(self, fl):
        """fl, its directory's headers and the headers it includes."""
        if fl in self.incs:
            return self.incs[fl]
        arch = arch_of(fl)
        out = [fl] + [g for g in self.src.dir_files(fl) if g.endswith('.h')]
        raw = self.src.lines(fl)
        for line in raw:
            m = re.match(r'\s*#\s*include\s+([<"])([\w/.-]+)[>"]', line)
            if not m:
                continue
            name = m.group(2)
            if m.group(1) == '"':
                out.append(os.path.normpath(os.path.join(os.path.dirname(fl), name)))
            elif name.startswith('asm/'):
                out.append('arch/%s/include/%s' % (arch, name))
                out.append('include/asm-generic/' + name[4:])
            else:
                out.append('include/' + name)
        self.incs[fl] = out
        return out

    def macro(self, name, fl):
        for g in self.headers(fl):
            for line in self.src.lines(g):
                m = re.match(r'\s*#\s*define\s+%s\s+(.+?)\s*$' % re.escape(name), line)
                if m:
                    return m.group(1)
        return None

    def value(self, expr, fl, depth=0):
        """Integer value of a constant expression, or None."""
        expr = expr.strip()
        if depth > 6 or not expr or not re.fullmatch(r'[\w\s()+*/<>&|~-]+', expr):
            return None
        out = []
        for tok in re.findall(r'0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\w+|<<|>>|\S', expr):
            if re.fullmatch(r'0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*', tok):
                out.append(str(int(tok.rstrip('uUlL'), 0)))
            elif tok in ('PAGE_SIZE', 'SZ_4K'):
                out.append(str(PAGE_SIZE))
            elif tok == 'PAGE_SHIFT':
                out.append('12')
            elif re.fullmatch(r'SZ_\d+[KMG]?', tok):
                n = int(re.sub(r'\D', '', tok))
                out.append(str(n * {'K': 1024, 'M': 1 << 20, 'G': 1 << 30}.get(tok[-1], 1)))
            elif tok in ('u', 'unsigned', 'int', 'long', 'size_t', 'UL', 'ULL'):
                continue
            elif re.fullmatch(r'[A-Za-z_]\w*', tok):
                v = self.macro(tok, fl)
                if v is None:
                    return None
                v = self.value(v, fl, depth + 1)
                if v is None:
                    return None
                out.append(str(v))
            else:
                out.append('//' if tok == '/' else tok)
        try:
            return int(eval(' '.join(out), {'__builtins__': {}}))
        except Exception:
            return None

    def site(self, fl, ln, call):
        """(size expression, bytes or 'sizeof' or 'runtime') of the
        allocation call at fl:ln; ('', '') if no size is found."""
        lines = self.src.lines(fl)
        if not lines or ln > len(lines):
            return '', ''
        st = census_follow.statement(lines, ln)
        expr = None
        for m in re.finditer(r'\b(\w+)\s*\(', st):
            name = m.group(1)
            if call and name != call:
                continue
            args = census_follow.split_args(st[m.end():])
            if name in SIZE_ARG:
                i = SIZE_ARG[name]
                if isinstance(i, tuple):
                    if i[1] < len(args):
                        expr = '(%s) * (%s)' % (args[i[0]].strip(), args[i[1]].strip())
                elif i < len(args):
                    expr = args[i].strip()
            elif name in PAGE_CALLS:
                i = PAGE_CALLS[name]
                if i is None:
                    expr = 'PAGE_SIZE'
                elif i < len(args):
                    expr = args[i].strip() if name == 'alloc_pages_exact' else \
                        'PAGE_SIZE << (%s)' % args[i].strip()
            if expr is not None:
                break
        if expr is None:
            return '', ''
        expr = re.sub(r'\s+', ' ', expr)
        v = self.value(expr, fl)
        if v is not None and v > 0:
            return expr, v
        rest = re.sub(r'sizeof\s*\((?:[^()]|\([^()]*\))*\)', '1', expr)
        if rest != expr and self.value(rest, fl) is not None:
            return expr, 'sizeof'
        return expr, 'runtime'
