// SPDX-License-Identifier: GPL-2.0
/* Status buffer the interrupt handler copies out, through a helper of the
 * file: coherent memory is uncached on non-coherent SoCs, so it stays
 * streaming (reported with the reason).
 */
#define PLUGH_STATUS_SIZE	256

static void plugh_read_status(struct plugh *p, u8 *out)
{
	memcpy(out, p->status + 4, PLUGH_STATUS_SIZE - 4);
}

static irqreturn_t plugh_irq(int irq, void *data)
{
	struct plugh *p = data;

	dma_sync_single_for_cpu(p->dev, p->status_dma, PLUGH_STATUS_SIZE, DMA_FROM_DEVICE);
	plugh_read_status(p, p->last);
	return IRQ_HANDLED;
}

static int plugh_probe(struct plugh *p)
{
	p->status = kmalloc(PLUGH_STATUS_SIZE, GFP_KERNEL | GFP_DMA);
	if (!p->status)
		return -ENOMEM;
	p->status_dma = dma_map_single(p->dev, p->status, PLUGH_STATUS_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(p->dev, p->status_dma)) {
		kfree(p->status);
		return -ENOMEM;
	}
	return devm_request_irq(p->dev, p->irq, &plugh_irq, 0, "plugh", p);
}

static void plugh_remove(struct plugh *p)
{
	dma_unmap_single(p->dev, p->status_dma, PLUGH_STATUS_SIZE, DMA_FROM_DEVICE);
	kfree(p->status);
}
