// SPDX-License-Identifier: GPL-2.0
/* Reply buffer a tasklet compares against the expected answer: stays
 * streaming, reported with the reason.
 */
#define BABAR_REPLY_SIZE	32

static void babar_tasklet(struct tasklet_struct *t)
{
	struct babar *b = from_tasklet(b, t, done);

	if (memcmp(b->want, b->reply, BABAR_REPLY_SIZE))
		babar_error(b);
}

static int babar_init(struct babar *b)
{
	b->reply = kzalloc(BABAR_REPLY_SIZE, GFP_KERNEL | GFP_DMA);
	if (!b->reply)
		return -ENOMEM;
	b->reply_dma = dma_map_single(b->dev, b->reply, BABAR_REPLY_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(b->dev, b->reply_dma)) {
		kfree(b->reply);
		return -ENOMEM;
	}
	tasklet_setup(&b->done, babar_tasklet);
	return 0;
}

static void babar_exit(struct babar *b)
{
	dma_unmap_single(b->dev, b->reply_dma, BABAR_REPLY_SIZE, DMA_FROM_DEVICE);
	kfree(b->reply);
}
