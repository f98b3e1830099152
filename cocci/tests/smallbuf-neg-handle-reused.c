// SPDX-License-Identifier: GPL-2.0
/* The handle variable serves another mapping between the allocation and
 * the buffer's own mapping: set at the allocation, it would be
 * overwritten.  Stays. */
static int garply_send(struct garply *g)
{
	dma_addr_t dma;
	u8 *buf;

	buf = kmalloc(16, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(g->dev, g->hdr, 8, DMA_TO_DEVICE);
	garply_hw(g, dma);
	dma_unmap_single(g->dev, dma, 8, DMA_TO_DEVICE);
	dma = dma_map_single(g->dev, buf, 16, DMA_TO_DEVICE);
	if (dma_mapping_error(g->dev, dma)) {
		kfree(buf);
		return -ENOMEM;
	}
	garply_hw(g, dma);
	dma_unmap_single(g->dev, dma, 16, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
