// SPDX-License-Identifier: GPL-2.0
/* As in sun6i-dma and prestera: dma_pool_alloc() with zone flags. */
static void *oink_lli(struct oink *o, dma_addr_t *p)
{
	void *a = dma_pool_alloc(o->pool, GFP_DMA32 | GFP_NOWAIT, p);

	if (!a)
		a = dma_pool_zalloc(o->pool, GFP_ATOMIC | GFP_DMA, p);
	return a;
}
