// SPDX-License-Identifier: GPL-2.0
/* The page allocator and dma_alloc_coherent: not reported by this rule. */
static int tock_alloc(struct tock *t)
{
	t->page = alloc_pages(GFP_KERNEL | GFP_DMA32, 1);
	t->buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	return t->page && t->buf ? 0 : -ENOMEM;
}
