// SPDX-License-Identifier: GPL-2.0
/* Two buffers in one function. */
static int qux_xfer(struct qux *q)
{
	u8 *tx, *rx;
	dma_addr_t tx_dma, rx_dma;
	int ret = -ENOMEM;

	tx = kzalloc(32, GFP_KERNEL | GFP_DMA);
	if (!tx)
		return -ENOMEM;
	tx_dma = dma_map_single(q->dev, tx, 32, DMA_TO_DEVICE);
	if (dma_mapping_error(q->dev, tx_dma)) {
		kfree(tx);
		return -ENOMEM;
	}
	rx = kmalloc(32, GFP_KERNEL | GFP_DMA);
	if (!rx)
		goto out_tx;
	rx_dma = dma_map_single(q->dev, rx, 32, DMA_FROM_DEVICE);
	if (dma_mapping_error(q->dev, rx_dma)) {
		kfree(rx);
		goto out_tx;
	}
	ret = qux_hw(q, tx_dma, rx_dma);
	dma_unmap_single(q->dev, rx_dma, 32, DMA_FROM_DEVICE);
	kfree(rx);
out_tx:
	dma_unmap_single(q->dev, tx_dma, 32, DMA_TO_DEVICE);
	kfree(tx);
	return ret;
}
