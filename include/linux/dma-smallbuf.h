/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small coherent DMA buffers that honour the device's DMA mask.
 *
 * dma_smallbuf replaces the kmalloc(GFP_DMA) + dma_map_single() pair: one
 * call returns a CPU address and a DMA handle the device can reach, from
 * per-device dma_pool size classes, or from dma_alloc_coherent() above
 * DMA_SMALLBUF_MAX_SIZE.  See Documentation/core-api/dma-smallbuf.rst.
 */
#ifndef _LINUX_DMA_SMALLBUF_H
#define _LINUX_DMA_SMALLBUF_H

#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/types.h>
#include <asm/page.h>

struct device;

/*
 * Buffers come in power-of-two size classes from DMA_SMALLBUF_MIN_SIZE (at
 * least 32 bytes and at least ARCH_DMA_MINALIGN) up to DMA_SMALLBUF_MAX_SIZE.
 */
#define DMA_SMALLBUF_MIN_SHIFT	(ARCH_DMA_MINALIGN > 32 ? \
				 ilog2(ARCH_DMA_MINALIGN) : 5)
#define DMA_SMALLBUF_MIN_SIZE	BIT(DMA_SMALLBUF_MIN_SHIFT)

/* Largest size served from a pool; larger buffers use dma_alloc_coherent(). */
#define DMA_SMALLBUF_MAX_SIZE	PAGE_SIZE

/**
 * struct dma_smallbuf_stats - what one device holds, see dma_smallbuf_get_stats()
 * @live: buffers handed out and not yet freed
 * @requested: bytes the live buffers were asked for
 * @backing: bytes of coherent memory taken from the DMA API to back them,
 *	including free blocks kept in the size-class pools
 * @parked: free blocks set aside because the device's mask was narrowed
 *	and they are no longer reachable
 * @fallback: live buffers served by dma_alloc_coherent() because their
 *	size class had no pool yet and the caller could not sleep
 * @errors: frees refused by CONFIG_DMA_SMALLBUF_DEBUG (double free, wrong
 *	size, mismatched handle)
 */
struct dma_smallbuf_stats {
	unsigned long live;
	u64 requested;
	u64 backing;
	unsigned long parked;
	unsigned long fallback;
	unsigned long errors;
};

#ifdef CONFIG_DMA_SMALLBUF

void *dma_smallbuf_alloc(struct device *dev, size_t size, gfp_t gfp,
			 dma_addr_t *dma);
void *dma_smallbuf_zalloc(struct device *dev, size_t size, gfp_t gfp,
			  dma_addr_t *dma);
void dma_smallbuf_free(struct device *dev, size_t size, void *vaddr,
		       dma_addr_t dma);
unsigned long dma_smallbuf_release(struct device *dev);
int dma_smallbuf_get_stats(struct device *dev, struct dma_smallbuf_stats *st);

#else /* !CONFIG_DMA_SMALLBUF */

static inline void *dma_smallbuf_alloc(struct device *dev, size_t size,
				       gfp_t gfp, dma_addr_t *dma)
{
	return NULL;
}

static inline void *dma_smallbuf_zalloc(struct device *dev, size_t size,
					gfp_t gfp, dma_addr_t *dma)
{
	return NULL;
}

static inline void dma_smallbuf_free(struct device *dev, size_t size,
				     void *vaddr, dma_addr_t dma)
{
}

static inline unsigned long dma_smallbuf_release(struct device *dev)
{
	return 0;
}

static inline int dma_smallbuf_get_stats(struct device *dev,
					 struct dma_smallbuf_stats *st)
{
	return -ENODEV;
}

#endif /* CONFIG_DMA_SMALLBUF */

#endif /* _LINUX_DMA_SMALLBUF_H */
