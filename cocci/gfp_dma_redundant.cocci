// SPDX-License-Identifier: GPL-2.0-only
/// Remove GFP_DMA / GFP_DMA32 from allocators that ignore or reject zone
/// flags: the coherent and pool allocators pick memory for the device's
/// coherent mask themselves.  dma_alloc_attrs() strips __GFP_DMA and
/// __GFP_DMA32; the noncoherent and page allocators warn about them.
//
// Confidence: High
// Copyright: (C) 2026 dma-smallbuf project
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@r depends on context || org || report@
identifier fn = {dma_alloc_coherent, dmam_alloc_coherent, dma_alloc_attrs,
                 dma_alloc_wc, dma_alloc_noncoherent, dma_alloc_pages,
                 dma_pool_alloc, dma_pool_zalloc, dma_alloc_noncontiguous,
                 dma_smallbuf_alloc, dma_smallbuf_zalloc};
expression list ES;
expression F;
position p;
@@

  fn(ES, F@p, ...)

@depends on context@
identifier r.fn;
expression list ES;
expression F;
position r.p;
@@

* fn(ES, F@p, ...)

@script:python depends on report@
p << r.p;
fn << r.fn;
F << r.F;
@@
import re
if re.search(r'\bGFP_DMA(32)?\b', F):
    coccilib.report.print_report(p[0], "redundant: %s() ignores zone flags in %s" % (fn, F))

@script:python depends on org@
p << r.p;
fn << r.fn;
F << r.F;
@@
import re
if re.search(r'\bGFP_DMA(32)?\b', F):
    coccilib.org.print_todo(p[0], "redundant: %s() ignores zone flags in %s" % (fn, F))

// The line changes, so checkpatch --strict sees it: a handle passed as
// &(x->y) loses its parentheses, in calls that lose a zone flag only.
@pc depends on patch@
identifier fn = {dma_alloc_coherent, dmam_alloc_coherent, dma_alloc_attrs,
                 dma_alloc_wc, dma_alloc_noncoherent, dma_alloc_pages,
                 dma_pool_alloc, dma_pool_zalloc, dma_alloc_noncontiguous,
                 dma_smallbuf_alloc, dma_smallbuf_zalloc};
identifier flag = {GFP_DMA, GFP_DMA32};
expression list ES;
position p;
@@

  fn@p(ES, <+... flag ...+>, ...)

@depends on patch@
identifier pc.fn;
position pc.p;
expression X;
identifier f;
@@

  fn@p(...,
(
- &(X->f)
+ &X->f
|
- &(X.f)
+ &X.f
)
  , ...)

// A parenthesised (F | GFP_DMA) argument loses its parentheses too.
@depends on patch@
identifier fn = {dma_alloc_coherent, dmam_alloc_coherent, dma_alloc_attrs,
                 dma_alloc_wc, dma_alloc_noncoherent, dma_alloc_pages,
                 dma_pool_alloc, dma_pool_zalloc, dma_alloc_noncontiguous,
                 dma_smallbuf_alloc, dma_smallbuf_zalloc};
expression list ES;
expression F;
@@

  fn(ES,
(
- (F | GFP_DMA)
+ F
|
- (GFP_DMA | F)
+ F
|
- (F | GFP_DMA32)
+ F
|
- (GFP_DMA32 | F)
+ F
)
  , ...)

@depends on patch@
identifier fn = {dma_alloc_coherent, dmam_alloc_coherent, dma_alloc_attrs,
                 dma_alloc_wc, dma_alloc_noncoherent, dma_alloc_pages,
                 dma_pool_alloc, dma_pool_zalloc, dma_alloc_noncontiguous,
                 dma_smallbuf_alloc, dma_smallbuf_zalloc};
expression list ES;
expression F;
@@

  fn(ES, <+...
(
- F | GFP_DMA
+ F
|
- GFP_DMA | F
+ F
|
- F | GFP_DMA32
+ F
|
- GFP_DMA32 | F
+ F
)
  ...+>, ...)
