// SPDX-License-Identifier: GPL-2.0
/* sizeof(*p) size and GFP_ATOMIC. */
static int baz_status(struct baz *baz)
{
	struct baz_status *st;
	dma_addr_t st_dma;
	int ret;

	st = kmalloc(sizeof(*st), GFP_ATOMIC | GFP_DMA);
	if (!st)
		return -ENOMEM;
	st_dma = dma_map_single(baz->dev, st, sizeof(*st), DMA_FROM_DEVICE);
	if (dma_mapping_error(baz->dev, st_dma)) {
		kfree(st);
		return -EIO;
	}
	ret = baz_read_status(baz, st_dma);
	dma_sync_single_for_cpu(baz->dev, st_dma, sizeof(*st), DMA_FROM_DEVICE);
	if (!ret)
		ret = st->code;
	dma_unmap_single(baz->dev, st_dma, sizeof(*st), DMA_FROM_DEVICE);
	kfree(st);
	return ret;
}
