// SPDX-License-Identifier: GPL-2.0-only
/// Replace kmalloc(..., GFP_DMA) + dma_map_single() of a small buffer by
/// dma_smallbuf_alloc(), and the matching dma_unmap_single() + kfree() by
/// dma_smallbuf_free().  The dma_mapping_error() check and the
/// dma_sync_single_*() calls on the handle go away: the buffer is coherent
/// and within the device's coherent DMA mask.
///
/// A site is converted only when the rule sees the whole life of the
/// buffer: allocated by kmalloc / kzalloc / kcalloc / kmalloc_array /
/// kmemdup with GFP_DMA (and reclaim flags besides), mapped once with
/// dma_map_single() right after, with any size (one that may exceed
/// PAGE_SIZE is reported: dma_smallbuf_free() must then run in process
/// context), and every kfree() of it preceded by a
/// dma_unmap_single() of the handle.  Buffer and handle are locals (freed
/// in the same function) or fields of one struct (freed anywhere in the
/// file).  Any other site is reported with the reason, never patched.
//
// Confidence: Moderate
// Copyright: (C) 2026 dma-smallbuf project
// Comments: the driver must 'select DMA_SMALLBUF' and include
//           <linux/dma-smallbuf.h>; the dma-smallbuf series generator
//           adds both.
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import re

CUTOFF = 4096
uses = []        # (file, function, line, what, expr) of map/sg calls
stores = []      # (file, function, line, field, local) of C->field = local;
pairs = {}       # candidate -> [(unmap function, kfree function, dev, size, fb, fh, kind)]
unmaps = set()   # (function, handle name, kind) of the dma_unmap_single() calls to remove
frees = {}       # (function, buffer name, kind) of a kfree() to replace -> (dev, size, fb, fh)

def last_name(e):
    """('local', name) of a local, ('field', name) of X->name / X.name."""
    e = strip_parens(e)
    f = field(e)
    if f:
        return ('field', f[1])
    return ('local', e) if re.fullmatch(r'\w+', e) else (None, None)

def pair_part(p, e, table):
    k, n = last_name(e)
    return (p[0].current_element, n, k) in table
accepted = {}    # candidate -> set of (kind, line) of matched unmap/kfree
errlines = {}    # candidate -> kfree lines inside the mapping error check
bad = {}         # candidate -> reason
mode = [None]    # 'report' or 'org' once known; nothing is printed in patch mode
ignored = set()  # candidates without GFP_DMA

def warn(pa, msg):
    # Printed here, not in finalize: with --jobs the state of the workers is lost.
    if mode[0] == 'org':
        coccilib.org.print_todo(pa[0], msg)
    elif mode[0] == 'report':
        coccilib.report.print_report(pa[0], msg)

def key(pa):
    return (pa[0].file, int(pa[0].line))

def strip_parens(s):
    s = s.strip()
    while s.startswith('(') and s.endswith(')'):
        s = s[1:-1].strip()
    return s

def macro_value(name, text, depth=0):
    """Value of an object-like macro defined in text, or None."""
    m = re.search(r'^#\s*define\s+%s\s+(.+?)\s*(/[*/].*)?$' % name, text, re.M)
    if not m or depth > 4:
        return None
    return const_value(m.group(1), text, depth + 1)

def const_value(expr, text, depth=0):
    """Value of an integer constant expression of numbers and macros."""
    if depth > 4 or not re.fullmatch(r'[\w\s()+*/<>-]+', expr):
        return None
    out = []
    for tok in re.findall(r'0x[0-9a-fA-F]+|\d+[uUlL]*|\w+|<<|>>|\S', expr):
        if re.fullmatch(r'0x[0-9a-fA-F]+|\d+[uUlL]*', tok):
            out.append(str(int(tok.rstrip('uUlL'), 0)))
        elif tok in ('PAGE_SIZE', 'SZ_4K'):
            out.append('4096')
        elif re.fullmatch(r'SZ_\d+', tok):
            out.append(tok[3:])
        elif re.fullmatch(r'[A-Z_][A-Z0-9_]*', tok):
            v = macro_value(tok, text, depth)
            if v is None:
                return None
            out.append(str(v))
        elif re.fullmatch(r'\w+', tok):
            return None
        else:
            out.append(tok.replace('/', '/' * 2))
    try:
        return int(eval(' '.join(out), {'__builtins__': {}}))
    except Exception:
        return None

def size_ok(sz, path):
    """True if sz is sizeof(...) or an integer constant <= CUTOFF."""
    s = strip_parens(sz)
    if re.fullmatch(r'sizeof\s*\(.*\)|sizeof\s+[\w>.*-]+', s):
        return True
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        text = ''
    v = const_value(s, text)
    return v is not None and 0 < v <= CUTOFF

def strip_dma(f):
    """Flags without GFP_DMA, or None if nothing but zone flags is left."""
    parts = [p.strip() for p in strip_parens(f).split('|')]
    rest = [p for p in parts if p not in ('GFP_DMA', '__GFP_DMA')]
    if len(rest) == len(parts) or not rest or 'GFP_DMA32' in rest:
        return None
    return ' | '.join(rest)

def field(e):
    """('container', 'field') of X->f or X.f, else None."""
    m = re.fullmatch(r'(.+?)\s*(->|\.)\s*(\w+)', strip_parens(e))
    return (m.group(1), m.group(3)) if m else None

def stored(pa, x):
    """The field a local x is stored into in the allocation's function."""
    for (fl, fn, line, f, y) in stores:
        if fl == pa[0].file and fn == pa[0].current_element and y == x and line >= int(pa[0].line):
            return f
    return None

def same_buffer(kind, e, fb, fn, func):
    if kind == 'local':
        return strip_parens(e) == fb and fn == func
    f = field(e)
    return f is not None and f[1] == fb

@script:python depends on org@
@@
mode[0] = 'org'

@script:python depends on report@
@@
mode[0] = 'report'

// Each file starts afresh.

@script:python@
@@
uses.clear()
stores.clear()
pairs.clear()
unmaps.clear()
frees.clear()
accepted.clear()
errlines.clear()
bad.clear()
ignored.clear()

// ---------------------------------------------------------------------
// Candidates: allocation with GFP_DMA, then dma_map_single() of the
// buffer.  For kcalloc / kmalloc_array the mapped size is n * size.

@cand@
expression B, H, D, SZ, N, DIR, SRC, F, E;
identifier alloc = {kmalloc, kzalloc};
identifier arr = {kcalloc, kmalloc_array};
position pa, pm;
@@

(
  B = alloc(SZ, F)@pa;
|
  B = kmemdup(SRC, SZ, F)@pa;
|
  B = arr(N, SZ, F)@pa;
)
  ... when != B = E
      when != D = E
      when != dma_map_single(...)
(
  H = dma_map_single(D, B, SZ, DIR)@pm;
|
  H = dma_map_single(D, B, N * SZ, DIR)@pm;
)

// Every other place the file maps the buffer or hands it to a
// scatterlist: a second mapping (maybe for another device) rules the
// conversion out.

@use@
expression X, E;
position p;
identifier fn =~ "^(dma_map_single|dma_map_single_attrs|sg_init_one|sg_set_buf|virt_to_phys|__pa|virt_to_page)$";
@@

(
  fn(X, E, ...)@p
|
  fn(E)@p
)

@script:python@
E << use.E;
fn << use.fn;
p << use.p;
@@
uses.append((p[0].file, p[0].current_element, int(p[0].line), fn, E))

// Stores of a local into a struct field: a buffer kept in a local with
// its handle in a struct (or the reverse) is followed through the field.

@store@
expression C;
identifier f, x;
position ps;
@@

(
  C->f = x@ps;
|
  C.f = x@ps;
)

@script:python@
f << store.f;
x << store.x;
ps << store.ps;
@@
stores.append((ps[0].file, ps[0].current_element, int(ps[0].line), f, x))

@script:python kind@
B << cand.B;
H << cand.H;
SZ << cand.SZ;
F << cand.F;
pa << cand.pa;
pm << cand.pm;
fb;
fh;
k;
F2;
@@
reason = None
f2 = strip_dma(F)
func = pa[0].current_element
if not re.search(r'\bGFP_DMA\b', F):
    reason = 'ignore'
elif f2 is None:
    reason = "flags %s: no GFP_DMA next to reclaim flags" % F
elif re.fullmatch(r'\w+', strip_parens(B)) and re.fullmatch(r'\w+', strip_parens(H)):
    kk, b, h = 'local', strip_parens(B), strip_parens(H)
elif field(B) and field(H) and field(B)[0] == field(H)[0]:
    kk, b, h = 'field', field(B)[1], field(H)[1]
elif re.fullmatch(r'\w+', strip_parens(B)) and field(H) and stored(pa, strip_parens(B)):
    # buffer in a local, kept in a field of the struct that holds the handle
    kk, b, h = 'field', stored(pa, strip_parens(B)), field(H)[1]
elif field(B) and re.fullmatch(r'\w+', strip_parens(H)) and stored(pa, strip_parens(H)):
    # handle in a local, kept in a field of the struct that holds the buffer
    kk, b, h = 'field', field(B)[1], stored(pa, strip_parens(H))
else:
    reason = "buffer %s and handle %s are neither locals nor fields of one struct" % (B, H)
if reason is None:
    for (fl, fn, line, what, e) in uses:
        if fl == pa[0].file and line != int(pm[0].line) and same_buffer(kk, e, b, fn, func):
            reason = "buffer also passed to %s() at line %d" % (what, line)
            break
if reason is not None:
    bad[key(pa)] = reason
    if reason == 'ignore':
        ignored.add(key(pa))
    accepted.setdefault(key(pa), set())
    coccinelle.fb = coccinelle.fh = coccinelle.k = cocci.make_ident("x")
    coccinelle.F2 = cocci.make_expr("0")
else:
    accepted.setdefault(key(pa), set())
    coccinelle.fb = cocci.make_ident(b)
    coccinelle.fh = cocci.make_ident(h)
    coccinelle.k = cocci.make_ident(kk)
    coccinelle.F2 = cocci.make_expr(f2)

// The dma_unmap_single() + kfree() pairs of a candidate.

@freem@
identifier kind.fb, kind.fh;
expression C, D2, S2, DIR2, E;
position pu, pk;
@@

(
  dma_unmap_single(D2, fh, S2, DIR2)@pu;
  ... when != fb = E
  kfree(fb)@pk;
|
  dma_unmap_single(D2, C->fh, S2, DIR2)@pu;
  ... when != C->fb = E
  kfree(C->fb)@pk;
|
  dma_unmap_single(D2, C.fh, S2, DIR2)@pu;
  ... when != C.fb = E
  kfree(C.fb)@pk;
)

@script:python freechk@
pa << cand.pa;
k << kind.k;
fh << kind.fh;
fb << kind.fb;
pu << freem.pu;
pk << freem.pk;
D2 << freem.D2;
S2 << freem.S2;
@@
if key(pa) in bad or (k == 'local' and
                      pu[0].current_element != pa[0].current_element):
    cocci.include_match(False)
else:
    accepted[key(pa)] |= {('u', int(pu[0].line)), ('k', int(pk[0].line))}
    pairs.setdefault(key(pa), []).append((pu[0].current_element, pk[0].current_element,
                                          D2, S2, fb, fh, k))

// kfree() inside the dma_mapping_error() branch goes with the branch.

@errk@
expression cand.D, cand.H, E;
position cand.pm, pk;
@@

  H = dma_map_single(...)@pm;
  if (\(dma_mapping_error(D, H)\|unlikely(dma_mapping_error(D, H))\))
  { <+... kfree(E)@pk; ...+> }

@script:python@
pa << cand.pa;
pk << errk.pk;
@@
errlines.setdefault(key(pa), set()).add(int(pk[0].line))

// Any other kfree() / dma_unmap_single() of the buffer or handle means
// the rule does not see every path: report, do not patch.

@left@
identifier kind.fb, kind.fh;
expression C, E;
position p;
@@

(
  \(kfree\|kfree_sensitive\|kvfree\|kfree_const\|devm_kfree\)(..., fb)@p
|
  \(kfree\|kfree_sensitive\|kvfree\|kfree_const\|devm_kfree\)(..., C->fb)@p
|
  \(kfree\|kfree_sensitive\|kvfree\|kfree_const\|devm_kfree\)(..., C.fb)@p
|
  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, fh, ...)@p
|
  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, C->fh, ...)@p
|
  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, C.fh, ...)@p
)

@script:python@
pa << cand.pa;
k << kind.k;
p << left.p;
@@
line = int(p[0].line)
kk = key(pa)
if kk not in bad and (k != 'local' or p[0].current_element == pa[0].current_element):
    if (('u', line) not in accepted[kk] and ('k', line) not in accepted[kk]
            and line not in errlines.get(kk, set())):
        bad[kk] = "free or unmap at line %d is not a dma_unmap_single() + kfree() pair" % line

@script:python ok@
pa << cand.pa;
SZ << cand.SZ;
okf;
@@
kk = key(pa)
if kk not in bad and not accepted[kk]:
    bad[kk] = "no dma_unmap_single() + kfree() of the buffer found"
if kk in bad:
    if kk not in ignored:
        warn(pa, "not converted: " + bad[kk])
    cocci.include_match(False)
else:
    if not size_ok(SZ, pa[0].file):
        # dma_smallbuf serves any size; above PAGE_SIZE it is
        # dma_alloc_coherent() memory, freed in process context only.
        warn(pa, "note: size %s may exceed PAGE_SIZE: dma_smallbuf_free() must then "
                 "run in process context" % SZ)
    for (fu, fk, d2, s2, fb2, fh2, k2) in pairs.get(kk, []):
        unmaps.add((fu, fh2, k2))
        frees[(fk, fb2, k2)] = (d2, s2, fb2, fh2)
    coccinelle.okf = cocci.make_ident(pa[0].current_element)

// ---------------------------------------------------------------------
// Patch mode.  Sites are found again by pattern, in the function of the
// allocation (locals) or anywhere in the file (fields); positions cannot
// be inherited over modifications.

@depends on patch@
expression cand.D, cand.H;
identifier ok.okf;
position pm : script:python(okf) { pm[0].current_element == okf };
statement S;
@@

  H = dma_map_single(D, ...)@pm;
- if (\(dma_mapping_error(D, H)\|unlikely(dma_mapping_error(D, H))\)) S

@depends on patch@
identifier kind.fh, kind.k, ok.okf;
expression C, D2, S2, DIR2;
position p : script:python(k, okf) { k == "local" and p[0].current_element == okf };
position q : script:python(k) { k == "field" };
@@

(
- dma_sync_single_for_cpu(D2, fh, S2, DIR2)@p;
|
- dma_sync_single_for_device(D2, fh, S2, DIR2)@p;
|
- dma_sync_single_for_cpu(D2, C->fh, S2, DIR2)@q;
|
- dma_sync_single_for_device(D2, C->fh, S2, DIR2)@q;
|
- dma_sync_single_for_cpu(D2, C.fh, S2, DIR2)@q;
|
- dma_sync_single_for_device(D2, C.fh, S2, DIR2)@q;
)

// The unmap and the kfree of an accepted pair are rewritten apart, found
// by function and name (line numbers change with each rewrite): a kfree() also reached on paths that do not unmap (an error path
// that jumps past the mapping) is still the buffer's only free.

@depends on patch@
expression D2, H2, S2, DIR2;
position p : script:python(H2) { pair_part(p, H2, unmaps) };
@@

- dma_unmap_single(D2, H2, S2, DIR2)@p;

@kf depends on patch@
expression X;
position p : script:python(X) { pair_part(p, X, frees) };
@@

  kfree(X)@p;

@script:python kfcall@
X << kf.X;
p << kf.p;
call;
@@
k2, n2 = last_name(X)
d2, s2, fb2, fh2 = frees[(p[0].current_element, n2, k2)]
x = strip_parens(X)
h = re.sub(r'(->|\.)\s*%s$' % fb2, lambda m: m.group(1) + fh2, x) if field(x) else fh2
coccinelle.call = cocci.make_expr("dma_smallbuf_free(%s, %s, %s, %s)" % (d2, s2, x, h))

@depends on patch@
expression kf.X, kfcall.call;
position kf.p;
@@

- kfree(X)@p;
+ call;

@depends on patch@
expression cand.B, cand.H, cand.D, cand.SZ, kind.F2;
identifier ok.okf;
position pa : script:python(okf) { pa[0].current_element == okf };
statement S;
@@

(
- B = kzalloc(SZ, ...)@pa;
+ B = dma_smallbuf_zalloc(D, SZ, F2, &H);
|
- B = kmalloc(SZ, ...)@pa;
+ B = dma_smallbuf_alloc(D, SZ, F2, &H);
)
  ...
- H = dma_map_single(...);

@depends on patch@
expression cand.B, cand.H, cand.D, cand.SZ, cand.N, kind.F2;
identifier ok.okf;
position pa : script:python(okf) { pa[0].current_element == okf };
statement S;
@@

(
- B = kcalloc(N, SZ, ...)@pa;
+ B = dma_smallbuf_zalloc(D, N * SZ, F2, &H);
|
- B = kmalloc_array(N, SZ, ...)@pa;
+ B = dma_smallbuf_alloc(D, N * SZ, F2, &H);
)
  ...
- H = dma_map_single(...);

@depends on patch@
expression cand.B, cand.H, cand.D, cand.SZ, cand.SRC, kind.F2;
identifier ok.okf;
position pa : script:python(okf) { pa[0].current_element == okf };
statement S;
@@

- B = kmemdup(SRC, SZ, ...)@pa;
+ B = dma_smallbuf_alloc(D, SZ, F2, &H);
  if (!B) S
+ memcpy(B, SRC, SZ);
  ...
- H = dma_map_single(...);

// ---------------------------------------------------------------------
// Context, report and org modes.

@depends on context@
position cand.pa;
identifier ok.okf;
expression B;
@@

* B = \(kmalloc\|kzalloc\|kcalloc\|kmalloc_array\|kmemdup\)(...)@pa;

@script:python depends on report@
pa << cand.pa;
okf << ok.okf;
@@
coccilib.report.print_report(pa[0], "convertible: GFP_DMA buffer mapped with dma_map_single(), use dma_smallbuf_alloc()")

@script:python depends on org@
pa << cand.pa;
okf << ok.okf;
@@
coccilib.org.print_todo(pa[0], "convertible: GFP_DMA buffer mapped with dma_map_single(), use dma_smallbuf_alloc()")

