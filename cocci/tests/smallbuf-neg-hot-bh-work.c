// SPDX-License-Identifier: GPL-2.0
/* Bounce buffer a BH work item (what replaced tasklets) copies out into
 * the request's scatterlist: stays streaming, reported with the reason.
 */
#define FRED_BOUNCE_SIZE	4096

static void fred_finish_bh_work(struct work_struct *t)
{
	struct fred *f = from_work(f, t, finish_bh_work);

	sg_copy_from_buffer(f->sg, f->sg_len, f->bounce, f->len);
	fred_done(f);
}

static irqreturn_t fred_irq(int irq, void *data)
{
	struct fred *f = data;

	queue_work(system_bh_wq, &f->finish_bh_work);
	return IRQ_HANDLED;
}

static int fred_setup(struct fred *f)
{
	f->bounce = kmalloc(FRED_BOUNCE_SIZE, GFP_KERNEL | GFP_DMA);
	if (!f->bounce)
		return -ENOMEM;
	f->bounce_dma = dma_map_single(f->dev, f->bounce, FRED_BOUNCE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(f->dev, f->bounce_dma)) {
		kfree(f->bounce);
		return -ENOMEM;
	}
	INIT_WORK(&f->finish_bh_work, fred_finish_bh_work);
	return request_irq(f->irq, fred_irq, 0, "fred", f);
}

static void fred_teardown(struct fred *f)
{
	dma_unmap_single(f->dev, f->bounce_dma, FRED_BOUNCE_SIZE, DMA_FROM_DEVICE);
	kfree(f->bounce);
}
