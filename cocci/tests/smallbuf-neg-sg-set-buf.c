// SPDX-License-Identifier: GPL-2.0
/* Buffer also put in a scatterlist with sg_set_buf(): stays, reported with the reason. */
static int fred_sgset(struct fred *f)
{
	struct scatterlist sg;
	dma_addr_t dma;
	u8 *buf;
	int ret;

	buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(f->dev, buf, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(f->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	sg_set_buf(&sg, buf, 64);
	ret = fred_hw(f, dma);
	dma_unmap_single(f->dev, dma, 64, DMA_TO_DEVICE);
	kfree(buf);
	return ret;
}
