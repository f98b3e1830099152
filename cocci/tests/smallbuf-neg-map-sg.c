// SPDX-License-Identifier: GPL-2.0
/* Buffer given to dma_map_sg(): stays. */
static int fred_sg(struct fred *f)
{
	struct scatterlist sg;
	u8 *buf;
	int n;

	buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	sg_init_one(&sg, buf, 64);
	n = dma_map_sg(f->dev, &sg, 1, DMA_TO_DEVICE);
	if (!n) {
		kfree(buf);
		return -EIO;
	}
	fred_hw(f, &sg);
	dma_unmap_sg(f->dev, &sg, 1, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
