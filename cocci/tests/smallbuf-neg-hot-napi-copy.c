// SPDX-License-Identifier: GPL-2.0
/* Receive buffer the NAPI poll copies into an skb: stays streaming,
 * reported with the reason.
 */
#define THUD_RX_SIZE	1536

static int thud_poll(struct napi_struct *napi, int budget)
{
	struct thud *t = container_of(napi, struct thud, napi);
	struct sk_buff *skb = napi_alloc_skb(napi, THUD_RX_SIZE);

	if (!skb)
		return 0;
	skb_put_data(skb, t->rx, thud_rx_len(t));
	napi_gro_receive(napi, skb);
	return 1;
}

static int thud_open(struct thud *t)
{
	t->rx = kmalloc(THUD_RX_SIZE, GFP_KERNEL | GFP_DMA);
	if (!t->rx)
		return -ENOMEM;
	t->rx_dma = dma_map_single(t->dev, t->rx, THUD_RX_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(t->dev, t->rx_dma)) {
		kfree(t->rx);
		return -ENOMEM;
	}
	netif_napi_add_weight(t->ndev, &t->napi, thud_poll, 16);
	return 0;
}

static void thud_close(struct thud *t)
{
	dma_unmap_single(t->dev, t->rx_dma, THUD_RX_SIZE, DMA_FROM_DEVICE);
	kfree(t->rx);
}
