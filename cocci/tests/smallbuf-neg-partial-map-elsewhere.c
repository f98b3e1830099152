// SPDX-License-Identifier: GPL-2.0
/* Part of a struct's buffer is mapped, and the buffer is freed in another
 * function, where the allocated size is not known: stays, reported. */
static int xyzzy_init(struct xyzzy *x, size_t len)
{
	x->buf = kmalloc(len, GFP_KERNEL | GFP_DMA);
	if (!x->buf)
		return -ENOMEM;
	x->dma = dma_map_single(x->dev, x->buf, x->used, DMA_FROM_DEVICE);
	if (dma_mapping_error(x->dev, x->dma)) {
		kfree(x->buf);
		return -EIO;
	}
	return 0;
}

static void xyzzy_exit(struct xyzzy *x)
{
	dma_unmap_single(x->dev, x->dma, x->used, DMA_FROM_DEVICE);
	kfree(x->buf);
}
