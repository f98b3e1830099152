// SPDX-License-Identifier: GPL-2.0
/* kmalloc and the page allocator honour GFP_DMA: untouched. */
static int neigh_alloc(struct neigh *n)
{
	n->buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	n->page = alloc_pages(GFP_KERNEL | GFP_DMA, 0);
	n->c = dma_alloc_coherent(n->dev, 64, &n->c_dma, GFP_KERNEL);
	return 0;
}
