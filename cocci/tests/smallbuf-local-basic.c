// SPDX-License-Identifier: GPL-2.0
/* Local buffer: allocate, map, use, unmap, free in one function. */
static int foo_send_cmd(struct foo *foo, u8 cmd)
{
	u8 *buf;
	dma_addr_t dma;
	int ret;

	buf = kmalloc(16, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	buf[0] = cmd;
	dma = dma_map_single(foo->dev, buf, 16, DMA_TO_DEVICE);
	if (dma_mapping_error(foo->dev, dma)) {
		kfree(buf);
		return -ENOMEM;
	}
	ret = foo_hw_xfer(foo, dma, 16);
	dma_unmap_single(foo->dev, dma, 16, DMA_TO_DEVICE);
	kfree(buf);
	return ret;
}
