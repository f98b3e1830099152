// SPDX-License-Identifier: GPL-2.0
/* Size known only at run time: converted, and reported because it may exceed PAGE_SIZE. */
static int spam_io(struct spam *s, size_t len)
{
	u8 *buf;
	dma_addr_t dma;

	buf = kmalloc(len, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(s->dev, buf, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(s->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	spam_hw(s, dma, len);
	dma_unmap_single(s->dev, dma, len, DMA_FROM_DEVICE);
	kfree(buf);
	return 0;
}
