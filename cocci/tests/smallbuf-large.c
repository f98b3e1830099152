// SPDX-License-Identifier: GPL-2.0
/* Larger than PAGE_SIZE: converted, and reported (the free must run in process context). */
#define THUD_BUF_SIZE	(4 * PAGE_SIZE)

static int thud_fw(struct thud *t)
{
	u8 *buf;
	dma_addr_t dma;

	buf = kmalloc(THUD_BUF_SIZE, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(t->dev, buf, THUD_BUF_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(t->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	thud_hw(t, dma);
	dma_unmap_single(t->dev, dma, THUD_BUF_SIZE, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
