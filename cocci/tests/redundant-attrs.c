// SPDX-License-Identifier: GPL-2.0
/* dma_alloc_attrs / dma_alloc_wc / dma_alloc_noncoherent, three flags. */
static int baa_alloc(struct baa *b, struct device *dev)
{
	b->a = dma_alloc_attrs(dev, 4096, &b->a_dma,
			       GFP_KERNEL | GFP_DMA | __GFP_NOWARN, 0);
	b->w = dma_alloc_wc(dev, 4096, &b->w_dma, GFP_KERNEL | GFP_DMA);
	b->n = dma_alloc_noncoherent(dev, 4096, &b->n_dma, DMA_TO_DEVICE,
				     GFP_KERNEL | GFP_DMA32);
	return b->a && b->w && b->n ? 0 : -ENOMEM;
}
