// SPDX-License-Identifier: GPL-2.0
/* Buffer and handle in struct fields, freed in the remove path. */
struct corge {
	struct device *dev;
	struct corge_desc *desc;
	dma_addr_t desc_dma;
};

static int corge_probe_desc(struct corge *c)
{
	c->desc = kzalloc(sizeof(*c->desc), GFP_KERNEL | GFP_DMA);
	if (!c->desc)
		return -ENOMEM;
	c->desc_dma = dma_map_single(c->dev, c->desc, sizeof(*c->desc),
				     DMA_BIDIRECTIONAL);
	if (dma_mapping_error(c->dev, c->desc_dma)) {
		kfree(c->desc);
		return -ENOMEM;
	}
	return 0;
}

static void corge_kick(struct corge *c)
{
	c->desc->ctrl = 1;
	dma_sync_single_for_device(c->dev, c->desc_dma, sizeof(*c->desc),
				   DMA_BIDIRECTIONAL);
	corge_write(c, c->desc_dma);
}

static void corge_remove_desc(struct corge *c)
{
	dma_unmap_single(c->dev, c->desc_dma, sizeof(*c->desc),
			 DMA_BIDIRECTIONAL);
	kfree(c->desc);
}
