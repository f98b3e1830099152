// SPDX-License-Identifier: GPL-2.0
/* GFP_DMA memory never given to the DMA API (virt_to_phys): stays. */
static int xyzzy_isa(struct xyzzy *x)
{
	u8 *buf;

	buf = kmalloc(512, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	xyzzy_write(x, virt_to_phys(buf));
	kfree(buf);
	return 0;
}
