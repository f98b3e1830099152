// SPDX-License-Identifier: GPL-2.0
/* Error paths with goto, as in rocker's DMA test. */
static int bar_selftest(struct bar *bar)
{
	struct device *dev = &bar->pdev->dev;
	u32 *buf;
	dma_addr_t handle;
	int err;

	buf = kzalloc(64, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;

	handle = dma_map_single(dev, buf, 64, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, handle)) {
		err = -EIO;
		goto free_buf;
	}

	err = bar_run(bar, handle);
	if (err)
		goto unmap;
	err = bar_check(buf);

unmap:
	dma_unmap_single(dev, handle, 64, DMA_BIDIRECTIONAL);
free_buf:
	kfree(buf);
	return err;
}
