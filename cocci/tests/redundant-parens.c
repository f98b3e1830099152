// SPDX-License-Identifier: GPL-2.0
/* As in lpc32xx_udc: a parenthesised flag argument. */
static int moo_probe_rings(struct moo *priv, struct device *dev)
{
	priv->tx_desc = dma_alloc_coherent(dev, 16 * 64, &priv->tx_base,
					   GFP_DMA | GFP_KERNEL);
	if (!priv->tx_desc)
		return -ENOMEM;
	priv->rx_desc = dmam_alloc_coherent(dev, 16 * 64, &priv->rx_base,
					    (GFP_KERNEL | GFP_DMA));
	if (!priv->rx_desc)
		return -ENOMEM;
	return 0;
}
