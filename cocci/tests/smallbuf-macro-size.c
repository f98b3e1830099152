// SPDX-License-Identifier: GPL-2.0
/* Size from a macro of the file, flags in the other order, no error check. */
#define WALDO_CMD_SIZE	(2 * 64)

static void waldo_cmd(struct waldo *w)
{
	void *cmd;
	dma_addr_t cmd_dma;

	cmd = kmalloc(WALDO_CMD_SIZE, GFP_DMA | GFP_NOIO);
	if (!cmd)
		return;
	cmd_dma = dma_map_single(w->dev, cmd, WALDO_CMD_SIZE, DMA_TO_DEVICE);
	waldo_hw(w, cmd_dma);
	dma_unmap_single(w->dev, cmd_dma, WALDO_CMD_SIZE, DMA_TO_DEVICE);
	kfree(cmd);
}
