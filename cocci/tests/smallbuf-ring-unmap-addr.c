// SPDX-License-Identifier: GPL-2.0
/* Ring buffers: buffer and handle are locals of the allocation loop, kept
 * in the ring's descriptor info (the handle with dma_unmap_addr_set()) and
 * unmapped and freed through it, in the rollback and in another function.
 * The skb mapped elsewhere has a data field too: another struct. */
struct garply_desc_info {
	char *data;
	size_t data_size;
	dma_addr_t mapaddr;
};

static int garply_ring_bufs_alloc(struct garply *g, struct garply_ring *ring,
				  int direction, size_t buf_size)
{
	int i, err;

	for (i = 0; i < ring->size; i++) {
		struct garply_desc_info *desc_info = &ring->desc_info[i];
		dma_addr_t dma_handle;
		char *buf;

		buf = kzalloc(buf_size, GFP_KERNEL | GFP_DMA);
		if (!buf) {
			err = -ENOMEM;
			goto rollback;
		}
		dma_handle = dma_map_single(g->dev, buf, buf_size, direction);
		if (dma_mapping_error(g->dev, dma_handle)) {
			kfree(buf);
			err = -EIO;
			goto rollback;
		}
		desc_info->data = buf;
		desc_info->data_size = buf_size;
		dma_unmap_addr_set(desc_info, mapaddr, dma_handle);
		ring->desc[i].addr = dma_handle;
	}
	return 0;

rollback:
	for (i--; i >= 0; i--) {
		struct garply_desc_info *desc_info = &ring->desc_info[i];

		dma_unmap_single(g->dev, dma_unmap_addr(desc_info, mapaddr),
				 desc_info->data_size, direction);
		kfree(desc_info->data);
	}
	return err;
}

static void garply_ring_bufs_free(struct garply *g, struct garply_ring *ring,
				  int direction)
{
	int i;

	for (i = 0; i < ring->size; i++) {
		struct garply_desc_info *desc_info = &ring->desc_info[i];

		dma_unmap_single(g->dev, dma_unmap_addr(desc_info, mapaddr),
				 desc_info->data_size, direction);
		kfree(desc_info->data);
	}
}

static int garply_rx_map(struct garply *g, struct sk_buff *skb, size_t len)
{
	dma_addr_t dma = dma_map_single(g->dev, skb->data, len, DMA_FROM_DEVICE);

	return dma_mapping_error(g->dev, dma);
}
