// SPDX-License-Identifier: GPL-2.0
/* Buffer in a local, stored in a struct that also gets the handle; freed
 * through the struct in another function (the iphase tx_init() pattern).
 */
struct quux_desc {
	struct quux_trailer *trailer;
	dma_addr_t dma_addr;
};

static int quux_init(struct quux *q)
{
	int i;

	for (i = 0; i < q->num; i++) {
		struct quux_trailer *t;

		t = kmalloc(sizeof(*t), GFP_KERNEL | GFP_DMA);
		if (!t)
			goto err;
		q->desc[i].trailer = t;
		q->desc[i].dma_addr = dma_map_single(&q->pdev->dev, t,
						     sizeof(*t), DMA_TO_DEVICE);
	}
	return 0;
err:
	while (--i >= 0) {
		struct quux_desc *d = q->desc + i;

		dma_unmap_single(&q->pdev->dev, d->dma_addr,
				 sizeof(*d->trailer), DMA_TO_DEVICE);
		kfree(d->trailer);
	}
	return -ENOMEM;
}

static void quux_free(struct quux *q)
{
	int i;

	for (i = 0; i < q->num; i++) {
		struct quux_desc *d = q->desc + i;

		dma_unmap_single(&q->pdev->dev, d->dma_addr,
				 sizeof(*d->trailer), DMA_TO_DEVICE);
		kfree(d->trailer);
	}
}
