// SPDX-License-Identifier: GPL-2.0
/* No GFP_DMA: not ours. */
static int jam_cmd(struct jam *j)
{
	u8 *buf;
	dma_addr_t dma;

	buf = kmalloc(64, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(j->dev, buf, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(j->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	jam_hw(j, dma);
	dma_unmap_single(j->dev, dma, 64, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
