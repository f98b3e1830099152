// SPDX-License-Identifier: GPL-2.0
/* Buffer in a struct field, handle in a local that is then stored in the
 * same struct; freed through the struct in another function.
 */
#define CORGE_CMD_SIZE	64

static int corge_start(struct corge *c)
{
	dma_addr_t dma;

	c->cmd = kzalloc(CORGE_CMD_SIZE, GFP_KERNEL | GFP_DMA);
	if (!c->cmd)
		return -ENOMEM;
	dma = dma_map_single(c->dev, c->cmd, CORGE_CMD_SIZE, DMA_BIDIRECTIONAL);
	c->cmd_dma = dma;
	corge_hw_start(c, dma);
	return 0;
}

static void corge_stop(struct corge *c)
{
	dma_unmap_single(c->dev, c->cmd_dma, CORGE_CMD_SIZE, DMA_BIDIRECTIONAL);
	kfree(c->cmd);
}
