// SPDX-License-Identifier: GPL-2.0
/* kcalloc: n * size. */
static int grault_ring(struct grault *g)
{
	__le32 *ring;
	dma_addr_t ring_dma;

	ring = kcalloc(16, sizeof(*ring), GFP_KERNEL | GFP_DMA);
	if (!ring)
		return -ENOMEM;
	ring_dma = dma_map_single(g->dev, ring, 16 * sizeof(*ring), DMA_TO_DEVICE);
	if (dma_mapping_error(g->dev, ring_dma)) {
		kfree(ring);
		return -ENOMEM;
	}
	grault_hw(g, ring_dma);
	dma_unmap_single(g->dev, ring_dma, 16 * sizeof(*ring), DMA_TO_DEVICE);
	kfree(ring);
	return 0;
}
