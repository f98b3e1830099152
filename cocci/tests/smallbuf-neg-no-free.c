// SPDX-License-Identifier: GPL-2.0
/* Field buffer whose free the file does not show: stays. */
static int ham_init(struct ham *h)
{
	h->buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!h->buf)
		return -ENOMEM;
	h->buf_dma = dma_map_single(h->dev, h->buf, 64, DMA_FROM_DEVICE);
	return dma_mapping_error(h->dev, h->buf_dma);
}
