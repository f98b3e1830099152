// SPDX-License-Identifier: GPL-2.0
/* Two buffers allocated first and mapped later, the second one only in
 * part (its used length) and after the first; each mapping is checked
 * after the descriptor is written. */
static int thud_hash(struct thud *t, unsigned int bs, unsigned int ds)
{
	dma_addr_t addr_pad, addr_res;
	void *pad, *res;
	int j, err;

	pad = kcalloc(2, bs, GFP_KERNEL | GFP_DMA);
	if (!pad)
		return -ENOMEM;
	res = kzalloc(ds, GFP_KERNEL | GFP_DMA);
	if (!res) {
		err = -ENOMEM;
		goto err_free_pad;
	}
	addr_res = dma_map_single(t->dev, res, ds, DMA_FROM_DEVICE);
	t->desc->dst = addr_res;
	if (dma_mapping_error(t->dev, addr_res)) {
		err = -EINVAL;
		goto err_free_res;
	}
	j = thud_pad(pad, 2 * bs);
	addr_pad = dma_map_single(t->dev, pad, j * 4, DMA_TO_DEVICE);
	t->desc->src = addr_pad;
	if (dma_mapping_error(t->dev, addr_pad)) {
		err = -EINVAL;
		goto err_unmap_res;
	}
	err = thud_run(t);
	dma_unmap_single(t->dev, addr_pad, j * 4, DMA_TO_DEVICE);
err_unmap_res:
	dma_unmap_single(t->dev, addr_res, ds, DMA_FROM_DEVICE);
err_free_res:
	kfree(res);
err_free_pad:
	kfree(pad);
	return err;
}
