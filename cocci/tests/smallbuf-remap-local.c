// SPDX-License-Identifier: GPL-2.0
/* Field buffer mapped once at allocation, then anew for each command into
 * a local handle, checked and unmapped: the local gets the handle of the
 * allocation.
 */
#define GRAULT_CMD_SIZE	16

static int grault_init(struct grault *g)
{
	g->cmd = kmalloc(GRAULT_CMD_SIZE, GFP_KERNEL | GFP_DMA);
	if (!g->cmd)
		return -ENOMEM;
	g->cmd_dma = dma_map_single(g->dev, g->cmd, GRAULT_CMD_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(g->dev, g->cmd_dma)) {
		kfree(g->cmd);
		return -ENOMEM;
	}
	return 0;
}

static int grault_send(struct grault *g, u8 op)
{
	dma_addr_t dma;
	int ret;

	g->cmd[0] = op;
	dma = dma_map_single(g->dev, g->cmd, GRAULT_CMD_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(g->dev, dma))
		return -ENOMEM;
	ret = grault_hw(g, dma);
	dma_unmap_single(g->dev, dma, GRAULT_CMD_SIZE, DMA_TO_DEVICE);
	return ret;
}

static void grault_exit(struct grault *g)
{
	dma_unmap_single(g->dev, g->cmd_dma, GRAULT_CMD_SIZE, DMA_TO_DEVICE);
	kfree(g->cmd);
}
