// SPDX-License-Identifier: GPL-2.0
/* kmalloc_array into fields of an embedded struct (a.b), freed elsewhere. */
struct quux_ring {
	__le64 *slots;
	dma_addr_t slots_dma;
};

struct quux {
	struct device *dev;
	struct quux_ring ring;
};

static int quux_ring_init(struct quux *q)
{
	q->ring.slots = kmalloc_array(8, sizeof(__le64), GFP_KERNEL | GFP_DMA);
	if (!q->ring.slots)
		return -ENOMEM;
	q->ring.slots_dma = dma_map_single(q->dev, q->ring.slots,
					   8 * sizeof(__le64), DMA_TO_DEVICE);
	if (dma_mapping_error(q->dev, q->ring.slots_dma)) {
		kfree(q->ring.slots);
		return -ENOMEM;
	}
	return 0;
}

static void quux_ring_exit(struct quux *q)
{
	dma_unmap_single(q->dev, q->ring.slots_dma, 8 * sizeof(__le64),
			 DMA_TO_DEVICE);
	kfree(q->ring.slots);
}
