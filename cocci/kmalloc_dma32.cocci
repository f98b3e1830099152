// SPDX-License-Identifier: GPL-2.0-only
/// Report the kmalloc family called with GFP_DMA32: slab has no DMA32
/// caches, so the flag cannot be honoured (mm/slub.c warns and the
/// memory may lie above 4 GB).  Use dma_smallbuf_alloc() or the page
/// allocator instead; the fix depends on the device, so this only reports.
//
// Confidence: High
// Copyright: (C) 2026 dma-smallbuf project
// Options: --no-includes --include-headers

virtual context
virtual org
virtual report
virtual patch

@r@
identifier fn = {kmalloc, kzalloc, kcalloc, kmalloc_array, kmemdup, krealloc,
                 kmalloc_node, kzalloc_node, kvmalloc, kvzalloc, devm_kmalloc,
                 devm_kzalloc, devm_kcalloc, kmalloc_array_node, kcalloc_node,
                 kmem_cache_alloc, kmem_cache_zalloc, kstrdup};
position p;
@@

  fn(..., <+... GFP_DMA32@p ...+>, ...)

@depends on context@
identifier r.fn;
position r.p;
@@

* fn(..., <+... GFP_DMA32@p ...+>, ...)

@script:python depends on report@
p << r.p;
fn << r.fn;
@@
coccilib.report.print_report(p[0], "broken: %s() cannot serve GFP_DMA32, slab has no DMA32 caches" % fn)

@script:python depends on org@
p << r.p;
fn << r.fn;
@@
coccilib.org.print_todo(p[0], "broken: %s() cannot serve GFP_DMA32, slab has no DMA32 caches" % fn)
