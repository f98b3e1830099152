// SPDX-License-Identifier: GPL-2.0-only
/// Replace kmalloc(..., GFP_DMA) + dma_map_single() of a small buffer by
/// dma_smallbuf_alloc(), and the matching dma_unmap_single() + kfree() by
/// dma_smallbuf_free().  The dma_mapping_error() check and the
/// dma_sync_single_*() calls on the handle go away: the buffer is coherent
/// and within the device's coherent DMA mask.
///
/// A site is converted only when the rule sees the whole life of the
/// buffer: allocated by kmalloc / kzalloc / kcalloc / kmalloc_array /
/// kmemdup with GFP_DMA (and reclaim flags besides), then mapped with
/// dma_map_single() (other buffers may be mapped in between, and the
/// mapping may cover only a part of it: the whole allocation becomes
/// coherent), with any size (one that may exceed PAGE_SIZE is reported:
/// dma_smallbuf_free() must then run in process context), and every
/// kfree() or kfree_sensitive() of it preceded by a dma_unmap_single() of
/// the handle (kfree_sensitive() becomes memzero_explicit() +
/// dma_smallbuf_free()).  Buffer and handle are locals (freed in the same
/// function) or fields of one struct (freed anywhere in the file), a
/// local being followed into the field it is stored in (x->f = local,
/// dma_unmap_addr_set()).  A field buffer mapped anew for every transfer
/// (same device, into its handle field or into a local set once) keeps
/// the handle of the allocation instead.  The mapping check goes with its
/// branch, also as err = dma_mapping_error(); if (err) ... (err = 0 stays
/// where err may be non-zero before).  A buffer that also reaches another
/// mapping, virt_to_page(), virt_to_phys(), __pa(), sg_set_buf() or
/// sg_init_one() is refused with the reason, and so is one the CPU copies
/// out (memcpy(), memcmp(), skb_put_data(), copy_to_user(), ...) in a
/// function the file registers as an interrupt handler, NAPI poll,
/// tasklet or BH work item, or in one of the file's functions these call:
/// coherent memory is uncached on non-coherent SoCs.  Any other site is
/// reported with the reason, never patched.
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
uses = []        # (file, function, line, what, expr, first arg) of map/sg calls
released = {'u': set(), 'k': set()}  # field names unmapped ('u') and kfree()d ('k') in the file
stores = []      # (file, function, line, field, local) of C->field = local;
pairs = {}       # candidate -> [(unmap function, kfree function, dev, size, fb, fh, kind)]
unmaps = set()   # (function, handle name, kind) of the dma_unmap_single() calls to remove
frees = {}       # (function, buffer name, kind) of a kfree() to replace -> (dev, size, fb, fh)

def last_name(e):
    """('local', name) of a local, ('field', name) of X->name / X.name /
    dma_unmap_addr(X, name)."""
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
sizes = {}       # candidate -> (allocated size, mapped size)
ftypes = {}      # (file, line, field) -> struct types of X->field there
assigns = []     # (file, function, line, name) of name = ...
fieldat = {}     # candidate -> {field: line where the candidate sets it}
zeroed = set()   # (file, line) of err = dma_mapping_error() where err is 0 before
gotos_left = set()  # (function, label) of the gotos left after the rewrite
bad = {}         # candidate -> reason
mode = [None]    # 'report' or 'org' once known; nothing is printed in patch mode
ignored = set()  # candidates without GFP_DMA
hotreg = {}      # (file, name) -> (registering call, line): interrupt handlers, NAPI polls, tasklets
bhwork = {}      # (file, work field) -> (name, line) of INIT_WORK() of a work queued on a BH workqueue
bhqueued = set() # (file, work field) queued on system_bh_wq / system_bh_highpri_wq
callees = {}     # (file, function) -> names it calls
cpureads = []    # (file, function, line, call, expr) of a bulk copy out of expr
maplhs = {}      # (file, line) of a dma_map_single() -> what its result is stored in
remaps = {}      # candidate -> [(function, line, handle kind)] of its accepted mappings anew
remapfn = set()  # (function, handle kind) of the mappings anew to rewrite

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
    """('container', 'field') of X->f, X.f or dma_unmap_addr(X, f), else None."""
    e = strip_parens(e)
    m = re.fullmatch(r'dma_unmap_addr\s*\((.+),\s*(\w+)\s*\)', e)
    if m:
        return (m.group(1).strip(), m.group(2))
    m = re.fullmatch(r'(.+?)\s*(->|\.)\s*(\w+)', e)
    return (m.group(1), m.group(3)) if m else None

def tidy(e):
    """e as the kernel writes it: spatch prints p->dev as p -> dev."""
    return re.sub(r'\s*(->|\.)\s*', r'\1', e.strip())

def same_expr(a, b):
    return re.sub(r'\s+', '', strip_parens(a)) == re.sub(r'\s+', '', strip_parens(b))

def unmap_addr_field(f, path):
    """The file, or header next to it, declaring DEFINE_DMA_UNMAP_ADDR(f), or None."""
    d = os.path.dirname(path) or '.'
    names = [os.path.basename(path)] + sorted(n for n in os.listdir(d) if n.endswith('.h'))
    for name in names:
        try:
            with open(os.path.join(d, name), errors='replace') as fh:
                if re.search(r'DEFINE_DMA_UNMAP_ADDR\s*\(\s*%s\s*\)' % f, fh.read()):
                    return name
        except OSError:
            pass
    return None

NOPE = 'smallbuf_no_such_name'

# Why a buffer that reaches these calls cannot be coherent memory.
USE_WHY = {
    'sg_init_one': 'a scatterlist entry is built from the struct page of the buffer, '
                   'which coherent memory need not have',
    'sg_set_buf': 'a scatterlist entry is built from the struct page of the buffer, '
                  'which coherent memory need not have',
    'virt_to_page': 'coherent memory need not be in the linear map, so it may have no struct page',
    'virt_to_phys': 'the CPU physical address is not the DMA address of coherent memory, '
                    'which need not be in the linear map',
    '__pa': 'the CPU physical address is not the DMA address of coherent memory, '
            'which need not be in the linear map',
}

def stored(pa, x, wanted):
    """(field, line) of wanted (names unmapped or freed in the file) a local
    x is stored into after the allocation, in its function."""
    for (fl, fn, line, f, y) in stores:
        if (fl == pa[0].file and fn == pa[0].current_element and y == x
                and line >= int(pa[0].line) and f in wanted):
            return (f, line)
    return None

def hot_paths(fl):
    """{function: why it is hot} of the file: what it registers as an
    interrupt handler (hard or threaded), NAPI poll, tasklet or BH work
    item, and the functions of the file these call, directly or not."""
    hot, regs = {}, dict(hotreg)
    for (f, w), (name, line) in bhwork.items():
        if f == fl and (f, w) in bhqueued:
            regs.setdefault((f, name), ('INIT_WORK', line))
    for (f, name), (reg, line) in regs.items():
        if f == fl and (f, name) in callees:
            kind = HOT_KIND[re.sub(r'^devm_|_(weight|tx)$', '', reg)]
            hot[name] = "%s(), %s (%s() at line %d)" % (name, kind, reg, line)
    todo = list(hot)
    while todo:
        caller = todo.pop()
        for g in sorted(callees.get((fl, caller), ())):
            if g not in hot and (fl, g) in callees:
                hot[g] = "%s(), called from %s" % (g, hot[caller])
                todo.append(g)
    return hot

HOT_KIND = {
    'request_irq': 'an interrupt handler',
    'request_threaded_irq': 'an interrupt handler',
    'netif_napi_add': 'a NAPI poll',
    'tasklet_setup': 'a tasklet',
    'tasklet_init': 'a tasklet',
    'INIT_WORK': 'a BH work item',
}

def is_buffer(pa, e, fl, fn, line, func, vlb, vb):
    """e at line of function fn in file fl is the candidate's buffer: its
    local vlb in the function of the allocation, or its field vb (of the
    same struct type, where known)."""
    fe = field(e)
    return ((strip_parens(e) == vlb and fn == func) or
            bool(fe and fe[1] == vb and same_struct(fl, fieldat[key(pa)][vb], vb, line)))

def same_struct(fl, l1, f, l2):
    """False when field f at lines l1 and l2 of file fl is known to belong
    to two different struct types; unknown types are taken as the same."""
    t1, t2 = ftypes.get((fl, l1, f)), ftypes.get((fl, l2, f))
    return not (t1 and t2 and not (t1 & t2))

def our_field(pa, p, f):
    """The field f at position p is the candidate's (its struct type, where known)."""
    ref = fieldat.get(key(pa), {}).get(f)
    return ref is None or same_struct(p[0].file, ref, f, int(p[0].line))

def accept(pa, pu, pk, d2, s2, b, h, kind, kf):
    """Take an unmap + kfree pair of candidate pa; the free gets the
    allocated size, which the unmap says unless only a part was mapped."""
    kk = key(pa)
    if kk in bad:
        return
    asz, msz = sizes[kk]
    if same_expr(asz, msz) or same_expr(s2, asz):
        size = s2
    elif pk[0].current_element == pa[0].current_element:
        size = asz
    else:
        bad[kk] = ("%s bytes mapped of %s allocated, and the buffer is freed in %s(), "
                   "where the allocated size is not known" % (tidy(msz), tidy(asz), pk[0].current_element))
        return
    accepted[kk] |= {('u', int(pu[0].line)), ('k', int(pk[0].line))}
    pairs.setdefault(kk, []).append((pu[0].current_element, pk[0].current_element,
                                     d2, size, b, h, kind, kf == 'kfree_sensitive'))

FIELD, LOCAL = 'field', 'local'

def remap_in(p, hk):
    """p is in a function where an accepted buffer is mapped anew, its
    handle kept in a hk (FIELD or LOCAL)."""
    return (p[0].current_element, hk) in remapfn

def remap_unmap(pa, p):
    """The dma_unmap_single() of the handle field at p is in a function that
    maps the buffer anew into that field: it goes with the mapping."""
    fn = p[0].current_element
    if not any(f == fn and k == FIELD for (f, l, k) in remaps.get(key(pa), [])):
        return False
    accepted[key(pa)].add(('u', int(p[0].line)))
    return True

def left_over(pa, p):
    """A free or unmap of the buffer at p that no accepted pair explains."""
    line = int(p[0].line)
    kk = key(pa)
    if kk not in bad and ('u', line) not in accepted[kk] and ('k', line) not in accepted[kk] \
            and line not in errlines.get(kk, set()):
        bad[kk] = "free or unmap at line %d is not a dma_unmap_single() + kfree() pair" % line

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
released['u'].clear()
released['k'].clear()
pairs.clear()
unmaps.clear()
frees.clear()
accepted.clear()
errlines.clear()
sizes.clear()
assigns.clear()
ftypes.clear()
fieldat.clear()
zeroed.clear()
gotos_left.clear()
bad.clear()
ignored.clear()
hotreg.clear()
bhwork.clear()
bhqueued.clear()
callees.clear()
maplhs.clear()
remaps.clear()
remapfn.clear()
cpureads.clear()

// ---------------------------------------------------------------------
// Candidates: allocation with GFP_DMA, then dma_map_single() of the
// buffer, maybe of a part of it (MS): the whole allocation becomes
// coherent.  Other buffers may be mapped in between.

@cand@
expression B, H, D, SZ, N, DIR, SRC, F, E, E3, MS;
identifier alloc = {kmalloc, kzalloc};
identifier arr = {kcalloc, kmalloc_array};
position pa, pm, pb, ph;
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
      when != dma_map_single(E3, B, ...)
  H@ph = dma_map_single(D, B@pb, MS, DIR)@pm;

// Every other place the file maps the buffer or hands it to a
// scatterlist: a second mapping (maybe for another device) rules the
// conversion out.

@use@
expression X, E;
position p;
identifier fn =~ "^(dma_map_single|dma_map_single_attrs|sg_init_one|sg_set_buf)$";
identifier fn1 =~ "^(virt_to_phys|__pa|virt_to_page)$";
@@

(
  fn(X, E@p, ...)
|
  fn1(E@p)
)

@script:python@
E << use.E;
X << use.X = "";
fn << use.fn = "";
fn1 << use.fn1 = "";
p << use.p;
@@
uses.append((p[0].file, p[0].current_element, int(p[0].line), fn or fn1, E, X))

// What each mapping of the file stores its handle in: a buffer kept in a
// field and mapped anew for every transfer, into the handle field of its
// first mapping or into a local, gets that handle for its whole life.

@maplhs@
expression L, X, E;
position p;
@@

  L = \(dma_map_single\|dma_map_single_attrs\)(X, E@p, ...)

@script:python@
L << maplhs.L;
p << maplhs.p;
@@
maplhs[(p[0].file, int(p[0].line))] = strip_parens(L)

// The struct type of X in X->f, where the file declares X: fields of
// the same name in other structs are other buffers.

@ftype@
type T;
T *C;
identifier f;
position p;
@@

(
  C->f@p
|
  dma_unmap_addr(C, f)@p
|
  dma_unmap_addr_set(C, f, ...)@p
)

@script:python@
T << ftype.T;
f << ftype.f;
p << ftype.p;
@@
t = re.sub(r'\b(const|volatile)\b', '', T).split()
ftypes.setdefault((p[0].file, int(p[0].line), f), set()).add(' '.join(t))

// Assignments: the device expression, evaluated at the allocation now,
// must not depend on a local set between it and the mapping, and the
// handle, set at the allocation now, must not be set in between.

@assign@
identifier x;
expression C, E;
position p;
@@

(
  x@p = E
|
  C->x@p = E
|
  C.x@p = E
)

@script:python@
x << assign.x;
C << assign.C = "";
p << assign.p;
@@
assigns.append((p[0].file, p[0].current_element, int(p[0].line), x, bool(C)))

// Field names the file unmaps and frees: a local stored into one of
// them is followed through it.

@relu@
expression C, E;
identifier f;
@@

  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, \(C->f\|C.f\|dma_unmap_addr(C, f)\), ...)

@script:python@
f << relu.f;
@@
released['u'].add(f)

@relk@
expression C;
identifier f;
@@

  \(kfree\|kfree_sensitive\)(\(C->f\|C.f\))

@script:python@
f << relk.f;
@@
released['k'].add(f)

// Stores of a local into a struct field: a buffer kept in a local with
// its handle in a struct (or the reverse, or both kept in a struct and
// freed in another function) is followed through the field.

@store@
expression C;
identifier f, x;
position ps;
@@

(
  C->f = x@ps;
|
  C.f = x@ps;
|
  dma_unmap_addr_set(C, f, x)@ps;
)

@script:python@
f << store.f;
x << store.x;
ps << store.ps;
@@
stores.append((ps[0].file, ps[0].current_element, int(ps[0].line), f, x))

// Hot paths, where the file shows them: functions it registers as an
// interrupt handler, NAPI poll, tasklet or BH work item, and the
// functions of the file they call.  A buffer the CPU copies out there
// stays streaming: coherent memory is uncached on non-coherent SoCs.
// Writes into it are cheap (write-combined) and are not counted.

@hotreg depends on cand@
identifier reg =~ "^((devm_)?request_(threaded_)?irq|netif_napi_add(_weight|_tx)?|tasklet_(setup|init))$";
expression h;
position p;
@@

  reg@p(..., h, ...)

@script:python@
reg << hotreg.reg;
h << hotreg.h;
p << hotreg.p;
@@
m = re.fullmatch(r'&?\s*(\w+)', h.strip())
if m:
    hotreg.setdefault((p[0].file, m.group(1)), (reg, int(p[0].line)))

// Work items queued on a BH workqueue, which replaced tasklets (6.9):
// INIT_WORK(&x->w, fn) with queue_work(system_bh_wq, &y->w), by field.

@bhinit depends on cand@
expression W;
identifier h;
position p;
@@

  INIT_WORK@p(W, h)

@script:python@
W << bhinit.W;
h << bhinit.h;
p << bhinit.p;
@@
f = field(strip_parens(W).lstrip('&'))
if f:
    bhwork.setdefault((p[0].file, f[1]), (h, int(p[0].line)))

@bhq depends on cand@
expression W;
identifier q = {system_bh_wq, system_bh_highpri_wq};
position p;
@@

  queue_work@p(q, W)

@script:python@
W << bhq.W;
p << bhq.p;
@@
f = field(strip_parens(W).lstrip('&'))
if f:
    bhqueued.add((p[0].file, f[1]))

@fncalls depends on cand@
identifier g;
position p;
@@

  g@p(...)

@script:python@
g << fncalls.g;
p << fncalls.p;
@@
callees.setdefault((p[0].file, p[0].current_element), set()).add(g)

@cpuread depends on cand@
expression D, X, N, M;
identifier cp = {memcpy, memcmp, skb_put_data, skb_copy_to_linear_data, copy_to_user, memcpy_toio};
position p;
@@

(
  cp@p(D, X, ...)
|
  sg_copy_from_buffer@p(D, N, X, M)
)

@script:python@
cp << cpuread.cp = "sg_copy_from_buffer";
X << cpuread.X;
D << cpuread.D;
p << cpuread.p;
@@
srcs = [X, D] if cp == 'memcmp' else [X]
for e in srcs:
    # a part of the buffer: X + offset, &X[i]
    e = re.sub(r'^&\s*(.*?)\s*\[.*\]$', r'\1', strip_parens(e))
    e = re.sub(r'\s*\+.*$', '', e)
    cpureads.append((p[0].file, p[0].current_element, int(p[0].line),
                     cp, e))

@script:python kind@
B << cand.B;
H << cand.H;
D << cand.D;
SZ << cand.SZ;
N << cand.N = "";
MS << cand.MS;
F << cand.F;
pa << cand.pa;
pm << cand.pm;
pb << cand.pb;
ph << cand.ph;
fb;
fh;
lb;
lh;
k;
F2;
@@
reason = None
f2 = strip_dma(F)
func = pa[0].current_element
b, h = strip_parens(B), strip_parens(H)
bl, hl = re.fullmatch(r'\w+', b), re.fullmatch(r'\w+', h)
sb = stored(pa, b, released['k']) if bl else None
sh = stored(pa, h, released['u']) if hl else None
kk, vb, vh, vlb, vlh = None, NOPE, NOPE, NOPE, NOPE
if not re.search(r'\bGFP_DMA\b', F):
    reason = 'ignore'
elif f2 is None:
    reason = "flags %s: no GFP_DMA next to reclaim flags" % F
elif bl and hl and sb and sh:
    # both in locals, kept in fields of a struct that is freed elsewhere
    kk, vb, vh, vlb, vlh = 'field', sb[0], sh[0], b, h
    fieldat[key(pa)] = {sb[0]: sb[1], sh[0]: sh[1]}
elif bl and hl:
    kk, vlb, vlh = 'local', b, h
elif field(B) and field(H) and field(B)[0] == field(H)[0]:
    kk, vb, vh = 'field', field(B)[1], field(H)[1]
    fieldat[key(pa)] = {vb: int(pa[0].line), vh: int(pm[0].line)}
elif bl and field(H) and sb:
    # buffer in a local, kept in a field of the struct that holds the handle
    kk, vb, vh, vlb = 'field', sb[0], field(H)[1], b
    fieldat[key(pa)] = {vb: sb[1], vh: int(pm[0].line)}
elif field(B) and hl and sh:
    # handle in a local, kept in a field of the struct that holds the buffer
    kk, vb, vh, vlh = 'field', field(B)[1], sh[0], h
    fieldat[key(pa)] = {vb: int(pa[0].line), vh: sh[1]}
else:
    reason = "buffer %s and handle %s are neither locals nor fields of one struct" % (B, H)
if reason is None and vh != NOPE:
    decl = unmap_addr_field(vh, pa[0].file)
    if decl:
        reason = ("handle field %s is declared with DEFINE_DMA_UNMAP_ADDR() in %s, compiled "
                  "out without CONFIG_NEED_DMA_MAP_STATE: make it a dma_addr_t first"
                  % (vh, decl))
if reason is None:
    # the names D is built from (ce in ce->dev, pdev in &pdev->dev)
    roots = set(re.findall(r'(?<![\w>.])([A-Za-z_]\w*)\b(?!\s*\()', tidy(D)))
    hname = (False, h) if hl else (True, field(H)[1]) if field(H) else None
    for (fl, fn, line, x, isf) in assigns:
        if fl != pa[0].file or fn != func or not int(pa[0].line) < line < int(ph[0].line):
            continue
        if not isf and x in roots:
            reason = ("device %s depends on %s, set at line %d, after the allocation"
                      % (tidy(D), x, line))
            break
        if (isf, x) == hname:
            reason = ("handle %s is set at line %d, between the allocation and the mapping"
                      % (tidy(H), line))
            break
if reason is None:
    for (fl, fn, line, what, e, x) in uses:
        if fl != pa[0].file or line == int(pb[0].line):
            continue
        if not is_buffer(pa, e, fl, fn, line, func, vlb, vb):
            continue
        fe = field(e)
        lhs = maplhs.get((fl, line), '')
        fl_ = field(lhs)
        if not what.startswith('dma_map_single'):
            reason = "buffer reaches %s() at line %d: %s" % (what, line, USE_WHY[what])
        elif (same_expr(x, D) and kk == 'field' and fn != func and fe and
              ((fl_ and fl_[1] == vh and same_expr(fl_[0], fe[0])) or
               (re.fullmatch(r'\w+', lhs) and
                # a local set once there: its unmaps are of this mapping
                [a[3] for a in assigns if a[:2] == (fl, fn) and not a[4]].count(lhs) == 1))):
            # mapped anew for a transfer: the handle of the allocation serves
            remaps.setdefault(key(pa), []).append(
                (fn, line, FIELD if fl_ else LOCAL))
            continue
        elif same_expr(x, D):
            reason = "buffer mapped again with %s() at line %d" % (what, line)
        else:
            reason = ("buffer also mapped for another device, %s, with %s() at line %d: "
                      "coherent memory is allocated for one device, %s"
                      % (tidy(x), what, line, tidy(D)))
        break
if reason is None:
    hot = hot_paths(pa[0].file)
    for (fl, fn, line, what, e) in cpureads:
        if fl != pa[0].file or fn not in hot or not is_buffer(pa, e, fl, fn, line, func, vlb, vb):
            continue
        reason = ("the CPU copies it with %s() at line %d, in %s: coherent memory is "
                  "uncached on non-coherent SoCs, keep it streaming" % (what, line, hot[fn]))
        break
accepted.setdefault(key(pa), set())
sizes[key(pa)] = ("%s * %s" % (N, SZ) if N else SZ, MS)
if reason is not None:
    bad[key(pa)] = reason
    if reason == 'ignore':
        ignored.add(key(pa))
    coccinelle.fb = coccinelle.fh = coccinelle.lb = coccinelle.lh = coccinelle.k = \
        cocci.make_ident(NOPE)
    coccinelle.F2 = cocci.make_expr("0")
else:
    coccinelle.fb = cocci.make_ident(vb)
    coccinelle.fh = cocci.make_ident(vh)
    coccinelle.lb = cocci.make_ident(vlb)
    coccinelle.lh = cocci.make_ident(vlh)
    coccinelle.k = cocci.make_ident(kk)
    coccinelle.F2 = cocci.make_expr(f2)

// The dma_unmap_single() + kfree() pairs of a candidate: of the locals in
// the function of the allocation, of the fields anywhere in the file.
// The handle must survive to the kfree(): dma_smallbuf_free() takes it.

@freeml@
identifier kind.lb, kind.lh;
identifier kf = {kfree, kfree_sensitive};
expression D2, S2, DIR2, E;
position pu, pk;
@@

  dma_unmap_single(D2, lh, S2, DIR2)@pu;
  ... when != lb = E
      when != lh = E
  kf(lb)@pk;

@script:python@
pa << cand.pa;
lb << kind.lb;
lh << kind.lh;
kf << freeml.kf;
pu << freeml.pu;
pk << freeml.pk;
D2 << freeml.D2;
S2 << freeml.S2;
@@
if pu[0].current_element == pa[0].current_element == pk[0].current_element:
    accept(pa, pu, pk, D2, S2, lb, lh, 'local', kf)

@freemf@
identifier kind.fb, kind.fh;
identifier kf = {kfree, kfree_sensitive};
expression C, D2, S2, DIR2, E;
position pu, pk;
@@

(
  dma_unmap_single(D2, \(C->fh\|dma_unmap_addr(C, fh)\), S2, DIR2)@pu;
  ... when != C->fb = E
      when != C->fh = E
      when != dma_unmap_addr_set(C, fh, E)
  kf(C->fb)@pk;
|
  dma_unmap_single(D2, C.fh, S2, DIR2)@pu;
  ... when != C.fb = E
      when != C.fh = E
  kf(C.fb)@pk;
)

@script:python@
pa << cand.pa;
fb << kind.fb;
fh << kind.fh;
kf << freemf.kf;
pu << freemf.pu;
pk << freemf.pk;
D2 << freemf.D2;
S2 << freemf.S2;
@@
if our_field(pa, pu, fh) and our_field(pa, pk, fb):
    accept(pa, pu, pk, D2, S2, fb, fh, 'field', kf)

// kfree() inside the dma_mapping_error() branch goes with the branch,
// which is removed.

@errk@
expression cand.D, cand.H, E, E2;
identifier ERR;
position cand.pm, pk;
@@

  H = dma_map_single(...)@pm;
  ... when != H = E2
(
  if (\(dma_mapping_error(D, H)\|unlikely(dma_mapping_error(D, H))\))
  { <+... \(kfree\|kfree_sensitive\)(E)@pk; ...+> }
|
  ERR = dma_mapping_error(D, H);
  if (\(ERR\|unlikely(ERR)\))
  { <+... \(kfree\|kfree_sensitive\)(E)@pk; ...+> }
)

@script:python@
pa << cand.pa;
pk << errk.pk;
@@
errlines.setdefault(key(pa), set()).add(int(pk[0].line))

// Any other kfree() / dma_unmap_single() of the buffer or handle means
// the rule does not see every path: report, do not patch.

@leftl@
identifier kind.lb, kind.lh;
expression E;
position p;
@@

(
  \(kfree\|kfree_sensitive\|kvfree\|kfree_const\|devm_kfree\)(..., lb)@p
|
  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, lh, ...)@p
)

@script:python@
pa << cand.pa;
p << leftl.p;
@@
if p[0].current_element == pa[0].current_element:
    left_over(pa, p)

@leftf@
identifier kind.fb, kind.fh;
expression C, E;
position p, pu;
@@

(
  \(kfree\|kfree_sensitive\|kvfree\|kfree_const\|devm_kfree\)(..., \(C->fb\|C.fb\))@p
|
  \(dma_unmap_single\|dma_unmap_single_attrs\)(E, \(C->fh\|C.fh\|dma_unmap_addr(C, fh)\), ...)@p@pu
)

@script:python@
pa << cand.pa;
fb << kind.fb;
fh << kind.fh;
p << leftf.p;
pu << leftf.pu = [];
@@
if our_field(pa, p, fb) and our_field(pa, p, fh) and not (pu and remap_unmap(pa, p)):
    left_over(pa, p)

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
    if not size_ok(sizes[kk][0], pa[0].file):
        # dma_smallbuf serves any size; above PAGE_SIZE it is
        # dma_alloc_coherent() memory, freed in process context only.
        warn(pa, "note: size %s may exceed PAGE_SIZE: dma_smallbuf_free() must then "
                 "run in process context" % sizes[kk][0])
    for (fu, fk, d2, s2, b2, h2, k2, sens) in pairs.get(kk, []):
        unmaps.add((fu, h2, k2))
        frees[(fk, b2, k2)] = (d2, s2, b2, h2, sens)
    for (fn, line, hk) in remaps.get(kk, []):
        remapfn.add((fn, hk))
    coccinelle.okf = cocci.make_ident(pa[0].current_element)

// ---------------------------------------------------------------------
// Patch mode.  Sites are found again by pattern, in the function of the
// allocation (locals) or anywhere in the file (fields); positions cannot
// be inherited over modifications.

// err = dma_mapping_error(); if (err) ... can go only where err is known
// to be 0 (set to 0 and not written since); elsewhere it becomes err = 0.

@errzero@
identifier ERR;
expression D, H, E;
type T;
position pe;
@@

(
  T ERR = 0;
|
  ERR = 0;
)
  ... when != ERR = E
      when != &ERR
  ERR = dma_mapping_error(D, H)@pe;

@script:python@
pe << errzero.pe;
@@
zeroed.add(key(pe))

@depends on patch@
expression cand.D, cand.H, E;
identifier ok.okf, ERR;
position pm : script:python(okf) { pm[0].current_element == okf };
position pe : script:python() { key(pe) in zeroed };
position pn : script:python() { key(pn) not in zeroed };
statement S;
@@

  H = dma_map_single(D, ...)@pm;
  ... when != H = E
(
- if (\(dma_mapping_error(D, H)\|unlikely(dma_mapping_error(D, H))\)) S
|
- ERR = dma_mapping_error(D, H)@pe;
- if (\(ERR\|unlikely(ERR)\)) S
|
- ERR = dma_mapping_error(D, H)@pn;
+ ERR = 0;
- if (\(ERR\|unlikely(ERR)\)) S
)

@depends on patch@
identifier kind.fh, kind.lh, ok.okf;
expression C, D2, S2, DIR2;
position p : script:python(okf) { p[0].current_element == okf };
@@

(
- dma_sync_single_for_cpu(D2, lh, S2, DIR2)@p;
|
- dma_sync_single_for_device(D2, lh, S2, DIR2)@p;
|
- dma_sync_single_for_cpu(D2, \(C->fh\|C.fh\|dma_unmap_addr(C, fh)\), S2, DIR2);
|
- dma_sync_single_for_device(D2, \(C->fh\|C.fh\|dma_unmap_addr(C, fh)\), S2, DIR2);
)

// A mapping anew of an accepted buffer: the handle of the allocation
// serves for its whole life.  Into the handle field, the mapping, its
// check and the unmaps of the field in that function go; into a local,
// the local gets the handle, and its check and unmap go.

@depends on patch@
identifier kind.fb, kind.fh, ok.okf;
expression C, D2, MS2, DIR2, D3, MS3, DIR3;
position p : script:python() { remap_in(p, FIELD) };
position q : script:python() { remap_in(q, FIELD) };
statement S;
@@

(
- C->fh = dma_map_single(D2, C->fb, MS2, DIR2)@p;
- if (\(dma_mapping_error(D2, C->fh)\|unlikely(dma_mapping_error(D2, C->fh))\)) S
|
- C->fh = dma_map_single(D2, C->fb, MS2, DIR2)@p;
|
- dma_unmap_single(D3, C->fh, MS3, DIR3)@q;
)

@rmloc depends on patch@
identifier kind.fb, kind.fh, ok.okf, h2;
expression C, D2, MS2, DIR2;
position p : script:python() { remap_in(p, LOCAL) };
@@

- h2 = dma_map_single(D2, C->fb, MS2, DIR2)@p;
+ h2 = C->fh;

@depends on patch@
identifier rmloc.h2;
expression D2, MS3, DIR3;
position p : script:python() { remap_in(p, LOCAL) };
statement S;
@@

(
- if (\(dma_mapping_error(D2, h2)\|unlikely(dma_mapping_error(D2, h2))\))@p S
|
- dma_unmap_single(D2, h2, MS3, DIR3)@p;
)

// The handle now lives as long as the buffer and is needed to free it:
// dma_unmap_addr_set() stores nothing without CONFIG_NEED_DMA_MAP_STATE.

@depends on patch@
identifier kind.fh, kind.lh, ok.okf;
expression C;
position p : script:python(okf) { p[0].current_element == okf };
@@

- dma_unmap_addr_set(C, fh, lh)@p;
+ C->fh = lh;

// The unmap and the kfree of an accepted pair are rewritten apart, found
// by function and name (line numbers change with each rewrite): a kfree()
// also reached on paths that do not unmap (an error path that jumps past
// the mapping) is still the buffer's only free.

@depends on patch@
expression D2, H2, S2, DIR2;
position p : script:python(H2) { pair_part(p, H2, unmaps) };
@@

- dma_unmap_single(D2, H2, S2, DIR2)@p;

@kf depends on patch@
expression X;
identifier kfn = {kfree, kfree_sensitive};
position p : script:python(X) { pair_part(p, X, frees) };
@@

  kfn(X)@p;

@script:python kfcall@
X << kf.X;
kfn << kf.kfn;
p << kf.p;
call;
zero;
@@
k2, n2 = last_name(X)
d2, s2, fb2, fh2, sens = frees[(p[0].current_element, n2, k2)]
x = strip_parens(X)
h = re.sub(r'(->|\.)\s*%s$' % fb2, lambda m: m.group(1) + fh2, x) if field(x) else fh2
coccinelle.call = cocci.make_expr("dma_smallbuf_free(%s, %s, %s, %s)" % (d2, s2, x, h))
coccinelle.zero = cocci.make_expr("memzero_explicit(%s, %s)" % (x, s2))
if (kfn == 'kfree_sensitive') != sens:
    cocci.include_match(False)

@depends on patch@
expression kf.X, kfcall.call, kfcall.zero;
position kf.p;
@@

(
- kfree(X)@p;
+ call;
|
- kfree_sensitive(X)@p;
+ zero;
+ call;
)

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

// ---------------------------------------------------------------------
// A label that only the removed mapping checks jumped to is left unused
// (-Wunused-label, an error with CONFIG_WERROR): it goes too.  Last in the
// file: a script rule that drops a match would take the environments of
// ok.okf away from the rules after it (the report above).

@lgoto depends on patch@
identifier ok.okf, L;
@@

okf(...) { <+... goto L; ...+> }

@script:python depends on patch@
okf << ok.okf;
L << lgoto.L;
@@
gotos_left.add((okf, L))

@llabel depends on patch@
identifier ok.okf, L;
@@

okf(...) { <+... L: ...+> }

@script:python ldead depends on patch@
okf << ok.okf;
L << llabel.L;
L2;
@@
if (okf, L) in gotos_left:
    cocci.include_match(False)
else:
    coccinelle.L2 = cocci.make_ident(L)

@depends on patch@
identifier ok.okf, ldead.L2;
@@

okf(...) { <...
- L2:
  ...> }
