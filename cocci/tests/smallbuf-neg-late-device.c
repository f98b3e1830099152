// SPDX-License-Identifier: GPL-2.0
/* The device of the mapping is looked up after the allocation: the
 * allocation cannot take it, stays, reported. */
static int grault_cmd(struct grault *g, int idx)
{
	struct grault_chan *ch;
	dma_addr_t dma;
	u8 *buf;
	int ret;

	buf = kmalloc(32, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	ch = &g->chan[idx];
	dma = dma_map_single(ch->dev, buf, 32, DMA_TO_DEVICE);
	if (dma_mapping_error(ch->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	ret = grault_hw(ch, dma);
	dma_unmap_single(ch->dev, dma, 32, DMA_TO_DEVICE);
	kfree(buf);
	return ret;
}
