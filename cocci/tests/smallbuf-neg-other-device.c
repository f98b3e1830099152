// SPDX-License-Identifier: GPL-2.0
/* Buffer also mapped for the DMA engine's device: stays. */
static int plugh_xfer(struct plugh *p, struct dma_chan *chan)
{
	u8 *buf;
	dma_addr_t dma, chan_dma;

	buf = kmalloc(64, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(p->dev, buf, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(p->dev, dma)) {
		kfree(buf);
		return -EIO;
	}
	chan_dma = dma_map_single(chan->device->dev, buf, 64, DMA_TO_DEVICE);
	plugh_hw(p, dma, chan_dma);
	dma_unmap_single(chan->device->dev, chan_dma, 64, DMA_TO_DEVICE);
	dma_unmap_single(p->dev, dma, 64, DMA_TO_DEVICE);
	kfree(buf);
	return 0;
}
