// SPDX-License-Identifier: GPL-2.0
/* Field buffer mapped again into its handle field for every transfer:
 * the handle of the allocation serves for its whole life.
 */
static int corn_init(struct corn *c)
{
	c->cmd = kzalloc(32, GFP_KERNEL | GFP_DMA);
	if (!c->cmd)
		return -ENOMEM;
	c->cmd_dma = dma_map_single(c->dev, c->cmd, 32, DMA_TO_DEVICE);
	if (dma_mapping_error(c->dev, c->cmd_dma)) {
		kfree(c->cmd);
		return -ENOMEM;
	}
	return 0;
}

static int corn_xfer(struct corn *c)
{
	dma_unmap_single(c->dev, c->cmd_dma, 32, DMA_TO_DEVICE);
	c->cmd[0] = 1;
	c->cmd_dma = dma_map_single(c->dev, c->cmd, 32, DMA_TO_DEVICE);
	return corn_hw(c, c->cmd_dma);
}

static void corn_exit(struct corn *c)
{
	dma_unmap_single(c->dev, c->cmd_dma, 32, DMA_TO_DEVICE);
	kfree(c->cmd);
}
