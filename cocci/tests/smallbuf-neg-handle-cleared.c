// SPDX-License-Identifier: GPL-2.0
/* The handle is cleared between the unmap and the kfree():
 * dma_smallbuf_free() would get 0.  Stays, reported. */
static int fred_init(struct fred *f)
{
	f->buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!f->buf)
		return -ENOMEM;
	f->dma = dma_map_single(f->dev, f->buf, 64, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(f->dev, f->dma))
		goto free;
	if (f->dma & 0xffff)
		goto unmap;
	return 0;
unmap:
	dma_unmap_single(f->dev, f->dma, 64, DMA_BIDIRECTIONAL);
	f->dma = 0;
free:
	kfree(f->buf);
	f->buf = NULL;
	return -EIO;
}

static void fred_exit(struct fred *f)
{
	dma_unmap_single(f->dev, f->dma, 64, DMA_BIDIRECTIONAL);
	kfree(f->buf);
}
