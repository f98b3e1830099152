/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small coherent DMA buffers that honour the device's DMA mask.
 *
 * dma_smallbuf replaces the kmalloc(GFP_DMA) + dma_map_single() pair: one
 * call returns a CPU address and a DMA handle the device can reach, from
 * per-device power-of-two size classes cut from coherent pages, or from
 * dma_alloc_coherent() above DMA_SMALLBUF_MAX_SIZE.  See
 * Documentation/core-api/dma-smallbuf.rst.
 */
#ifndef _LINUX_DMA_SMALLBUF_H
#define _LINUX_DMA_SMALLBUF_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/page.h>

struct device;

/*
 * Buffers come in power-of-two size classes from DMA_SMALLBUF_MIN_SIZE up
 * to DMA_SMALLBUF_MAX_SIZE.  16 bytes hold the link and DMA address a free
 * block carries.  Coherent memory needs no cache-line padding, so the
 * classes do not follow ARCH_DMA_MINALIGN.
 */
#define DMA_SMALLBUF_MIN_SHIFT	4
#define DMA_SMALLBUF_MIN_SIZE	BIT(DMA_SMALLBUF_MIN_SHIFT)

/* Largest size served from a class; larger buffers use dma_alloc_coherent(). */
#define DMA_SMALLBUF_MAX_SIZE	PAGE_SIZE

/*
 * Free blocks one CPU keeps per size class and device: DMA_SMALLBUF_CPU_BYTES
 * worth, but at least DMA_SMALLBUF_CPU_MIN blocks.
 */
#define DMA_SMALLBUF_CPU_BYTES	2048
#define DMA_SMALLBUF_CPU_MIN	4

/**
 * struct dma_smallbuf_stats - what one device holds, see dma_smallbuf_get_stats()
 * @live: buffers handed out and not yet freed
 * @requested: bytes the live buffers were asked for
 * @backing: bytes of coherent memory taken from the DMA API to back them:
 *	every page the size classes hold, and large buffers rounded up to a
 *	power-of-two number of pages
 * @cached: bytes of free blocks kept on the CPUs' lists
 * @percpu: bytes of per-CPU memory the device's lists take, over all
 *	possible CPUs
 * @parked: free blocks set aside because the device's mask was narrowed
 *	and they were out of its reach
 * @errors: frees refused (by CONFIG_DMA_SMALLBUF_DEBUG: double free, wrong
 *	size, mismatched handle; or of a size never allocated)
 * @zone_flags: zone modifiers (%GFP_DMA, ...) callers passed, each warned
 *	about once
 */
struct dma_smallbuf_stats {
	unsigned long live;
	u64 requested;
	u64 backing;
	u64 cached;
	u64 percpu;
	unsigned long parked;
	unsigned long errors;
	gfp_t zone_flags;
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
