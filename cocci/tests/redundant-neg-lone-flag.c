// SPDX-License-Identifier: GPL-2.0
/* GFP_DMA alone: no reclaim flag to keep, left for a human. */
static int lone_alloc(struct lone *l)
{
	l->c = dma_alloc_coherent(l->dev, 64, &l->c_dma, GFP_DMA);
	return l->c ? 0 : -ENOMEM;
}
