// SPDX-License-Identifier: GPL-2.0
/* Field buffer mapped again into another handle field: which handle the
 * hardware uses is not seen, so it stays (reported with the reason).
 */
static int waldo_init(struct waldo *w)
{
	w->cmd = kzalloc(32, GFP_KERNEL | GFP_DMA);
	if (!w->cmd)
		return -ENOMEM;
	w->cmd_dma = dma_map_single(w->dev, w->cmd, 32, DMA_TO_DEVICE);
	if (dma_mapping_error(w->dev, w->cmd_dma)) {
		kfree(w->cmd);
		return -ENOMEM;
	}
	return 0;
}

static int waldo_xfer(struct waldo *w)
{
	w->cmd_dma2 = dma_map_single(w->dev, w->cmd, 32, DMA_TO_DEVICE);
	return waldo_hw(w, w->cmd_dma2);
}

static void waldo_exit(struct waldo *w)
{
	dma_unmap_single(w->dev, w->cmd_dma, 32, DMA_TO_DEVICE);
	kfree(w->cmd);
}
