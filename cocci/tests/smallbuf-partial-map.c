// SPDX-License-Identifier: GPL-2.0
/* Only a part of the buffer is mapped (as much as this request uses), the
 * mapping error is kept in err and checked later: the whole allocation
 * becomes coherent and is freed with its allocated size. */
static int waldo_key(struct waldo *w, const u8 *key, unsigned int keylen)
{
	dma_addr_t dma;
	int err = 0;
	u8 *buf;

	buf = kzalloc(48, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	if (keylen > 32) {
		err = -EINVAL;
		goto out;
	}
	memcpy(buf, key, keylen);
	dma = dma_map_single(w->dev, buf, keylen, DMA_TO_DEVICE);
	err = dma_mapping_error(w->dev, dma);
	if (err) {
		dev_err(w->dev, "cannot map key\n");
		goto out;
	}
	if (waldo_run(w, dma, keylen))
		err = -EIO;
	dma_unmap_single(w->dev, dma, keylen, DMA_TO_DEVICE);
out:
	kfree(buf);
	return err;
}

/* Here err may be non-zero before the mapping: it is set to 0, as the
 * successful dma_mapping_error() did. */
static int waldo_iv(struct waldo *w, const u8 *iv)
{
	dma_addr_t dma;
	u8 *buf;
	int err;

	err = waldo_prepare(w);
	buf = kmalloc(16, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, iv, 16);
	dma = dma_map_single(w->dev, buf, 16, DMA_TO_DEVICE);
	err = dma_mapping_error(w->dev, dma);
	if (err)
		goto out;
	waldo_run(w, dma, 16);
	dma_unmap_single(w->dev, dma, 16, DMA_TO_DEVICE);
out:
	kfree(buf);
	return err;
}
