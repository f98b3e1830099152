// SPDX-License-Identifier: GPL-2.0
/* kmemdup: the copy is kept after the allocation. */
static int garply_load(struct garply *g, const struct garply_cfg *cfg)
{
	struct garply_cfg *c;
	dma_addr_t c_dma;

	c = kmemdup(cfg, sizeof(*cfg), GFP_KERNEL | GFP_DMA);
	if (!c)
		return -ENOMEM;
	c_dma = dma_map_single(g->dev, c, sizeof(*cfg), DMA_TO_DEVICE);
	if (dma_mapping_error(g->dev, c_dma)) {
		kfree(c);
		return -ENOMEM;
	}
	garply_hw(g, c_dma);
	dma_unmap_single(g->dev, c_dma, sizeof(*cfg), DMA_TO_DEVICE);
	kfree(c);
	return 0;
}
