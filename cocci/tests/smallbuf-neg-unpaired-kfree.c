// SPDX-License-Identifier: GPL-2.0
/* A kfree() not preceded by the unmap: the rule cannot see every path. */
static int eggs_cmd(struct eggs *e)
{
	u8 *buf;
	dma_addr_t dma;

	buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(e->dev, buf, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(e->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	if (eggs_hw(e, dma)) {
		kfree(buf);
		return -EIO;
	}
	dma_unmap_single(e->dev, dma, 64, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
