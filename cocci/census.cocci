// SPDX-License-Identifier: GPL-2.0-only
/// Census of zone-flag uses: every GFP_DMA, GFP_DMA32, __GFP_DMA,
/// __GFP_DMA32, SLAB_CACHE_DMA and SLAB_CACHE_DMA32 in code, with the
/// function it is in, the call it is passed to, that call's size argument,
/// and whether the memory is then given to the streaming DMA API.  Output
/// lines (report and org mode):
///   FILE:LINE:COL-COL: census: FLAG|FUNCTION|CALL|SIZE|STREAM
/// harness/census.py classifies them (make census).
//
// Confidence: High
// Copyright: (C) 2026 dma-smallbuf project
// Options: --no-includes --include-headers

virtual report
virtual org

@initialize:python@
@@
import re
SIZE_ARG = {'kmalloc': 0, 'kzalloc': 0, 'kmalloc_node': 0, 'kzalloc_node': 0,
            'kcalloc': 1, 'kmalloc_array': 1, 'kmemdup': 1, 'krealloc': 1,
            'kvmalloc': 0, 'kvzalloc': 0, 'devm_kmalloc': 1, 'devm_kzalloc': 1,
            'dma_alloc_coherent': 1, 'dmam_alloc_coherent': 1,
            'dma_alloc_attrs': 1, 'dma_alloc_wc': 1, 'dma_alloc_noncoherent': 1,
            'dma_alloc_pages': 1, 'kmem_cache_create': 1,
            '__get_free_pages': 1, 'alloc_pages': 1, 'get_free_pages': 1}
streamed = set()     # (file, alloc call line)
calls = {}           # flag position -> calls it is an argument of
seen = set()         # (file, line, col) already printed

def split_args(es):
    out, depth, cur = [], 0, ''
    for ch in es:
        if ch in '([{':
            depth += 1
        elif ch in ')]}':
            depth -= 1
        if ch == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out

def emit(p, flag, call, args, stream):
    k = (p[0].file, p[0].line, p[0].column)
    if k in seen:
        return
    seen.add(k)
    size = ''
    if call in SIZE_ARG and SIZE_ARG[call] < len(args):
        size = args[SIZE_ARG[call]]
    size = re.sub(r'\s+', ' ', size).replace('|', '/')
    msg = "census: %s|%s|%s|%s|%s" % (flag, p[0].current_element, call, size,
                                     'stream' if stream else '')
    if report:
        coccilib.report.print_report(p[0], msg)
    else:
        coccilib.org.print_todo(p[0], msg)

// Allocations whose buffer is then given to the streaming DMA API.
@st exists@
expression B, E;
identifier fn =~ "^(kmalloc|kzalloc|kcalloc|kmalloc_array|kmemdup|krealloc|kmalloc_node|kzalloc_node|devm_kmalloc|devm_kzalloc|devm_kcalloc|kmem_cache_alloc|kmem_cache_zalloc|__get_free_pages|__get_free_page|get_zeroed_page|kstrdup)$";
position pc;
@@

  B = fn(...)@pc;
  ... when != B = E
(
  dma_map_single(E, B, ...)
|
  dma_map_single_attrs(E, B, ...)
|
  sg_init_one(E, B, ...)
|
  sg_set_buf(E, B, ...)
)

@script:python@
pc << st.pc;
@@
streamed.add((pc[0].file, pc[0].line))

// Flags passed to a call: the innermost call is matched first.
@c@
identifier fn;
expression list ES;
identifier flag = {GFP_DMA, GFP_DMA32, __GFP_DMA, __GFP_DMA32, SLAB_CACHE_DMA, SLAB_CACHE_DMA32};
position p, pc;
@@

  fn(ES, <+... flag@p ...+>, ...)@pc

@script:python@
p << c.p;
pc << c.pc;
fn << c.fn;
flag << c.flag;
ES << c.ES;
@@
calls.setdefault((p[0].file, p[0].line, p[0].column), []).append(
    ((int(pc[0].line), int(pc[0].column)), fn, split_args(ES), pc[0].line, flag, p))

@c0@
identifier fn;
identifier flag = {GFP_DMA, GFP_DMA32, __GFP_DMA, __GFP_DMA32, SLAB_CACHE_DMA, SLAB_CACHE_DMA32};
position p, pc;
@@

  fn(<+... flag@p ...+>, ...)@pc

@script:python@
p << c0.p;
pc << c0.pc;
fn << c0.fn;
flag << c0.flag;
@@
calls.setdefault((p[0].file, p[0].line, p[0].column), []).append(
    ((int(pc[0].line), int(pc[0].column)), fn, [], pc[0].line, flag, p))

// Flags anywhere else: assignments, initialisers, conditions.
@o@
identifier flag = {GFP_DMA, GFP_DMA32, __GFP_DMA, __GFP_DMA32, SLAB_CACHE_DMA, SLAB_CACHE_DMA32};
position p;
@@

  flag@p

@script:python@
p << o.p;
flag << o.flag;
@@
k = (p[0].file, p[0].line, p[0].column)
if k in calls:
    # innermost call: the one that starts last
    start, fn, args, line, fl, pp = max(calls[k], key=lambda c: (c[0], len(c[2])))
    emit(p, flag, fn, args, (p[0].file, line) in streamed)
else:
    emit(p, flag, '', [], False)
