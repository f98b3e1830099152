// SPDX-License-Identifier: GPL-2.0
/* Key material freed with kfree_sensitive(): cleared with memzero_explicit()
 * before the buffer goes back to the pool. */
static int key_load(struct keyeng *k, const u8 *key)
{
	u8 *buf;
	dma_addr_t dma;
	int ret;

	buf = kmalloc(32, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, key, 32);
	dma = dma_map_single(k->dev, buf, 32, DMA_TO_DEVICE);
	if (dma_mapping_error(k->dev, dma)) {
		kfree_sensitive(buf);
		return -EIO;
	}
	ret = keyeng_hw(k, dma);
	dma_unmap_single(k->dev, dma, 32, DMA_TO_DEVICE);
	kfree_sensitive(buf);
	return ret;
}
