// SPDX-License-Identifier: GPL-2.0
/* The handle as &(x->y) on a line that changes: checkpatch --strict wants
 * &x->y.  A call without a zone flag is left alone.
 */
static int grault_probe(struct grault *gdev)
{
	gdev->ddr = dma_alloc_coherent(gdev->dev, GRAULT_DDR_SIZE,
				       &(gdev->ddr_paddr), GFP_KERNEL | GFP_DMA);
	if (!gdev->ddr)
		return -ENOMEM;
	gdev->regs = dma_alloc_coherent(gdev->dev, 64, &(gdev->regs_paddr),
					GFP_KERNEL);
	return gdev->regs ? 0 : -ENOMEM;
}
