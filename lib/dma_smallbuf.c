// SPDX-License-Identifier: GPL-2.0
/*
 * dma_smallbuf: small coherent DMA buffers that honour the device's mask.
 *
 * Each device gets, on first use, one dma_pool per power-of-two size class
 * from DMA_SMALLBUF_MIN_SIZE to DMA_SMALLBUF_MAX_SIZE; larger buffers come
 * straight from dma_alloc_coherent().  The pools get their pages from
 * dma_alloc_coherent() on the same device, so every block lies below the
 * device's coherent DMA mask and bus limit at the time its page was taken.
 *
 * A small per-CPU cache of free blocks sits in front of every pool, so that
 * the common alloc/free pair touches no shared cache line and takes no lock
 * but a local one.  Every block handed out is checked against the device's
 * current limit: blocks taken under a wider mask that the device can no
 * longer reach are parked until the device is released, never handed out.
 *
 * The per-device state hangs off struct device and is published once with
 * a release/acquire pair, so the hot path finds it without any lock.  It is
 * torn down by devres when the device is bound to a driver, or by
 * dma_smallbuf_release().
 */

#define pr_fmt(fmt) "dma_smallbuf: " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dma-smallbuf.h>
#include <linux/dmapool.h>
#include <linux/export.h>
#include <linux/llist.h>
#include <linux/local_lock.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poison.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#define SB_NR_CLASSES	(PAGE_SHIFT - DMA_SMALLBUF_MIN_SHIFT + 1)
/* Statistics slot for buffers above DMA_SMALLBUF_MAX_SIZE. */
#define SB_LARGE	SB_NR_CLASSES
#define SB_NR_STATS	(SB_NR_CLASSES + 1)

/* Free blocks cached per CPU and size class, and how many move at once. */
#define SB_CACHE_SIZE	16
#define SB_BATCH	(SB_CACHE_SIZE / 2)

#define SB_ZONE_FLAGS	(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

struct sb_block {
	void *vaddr;
	dma_addr_t dma;
};

struct sb_pcpu {
	local_lock_t lock;
	struct {
		unsigned int nr;
		struct sb_block blk[SB_CACHE_SIZE];
	} cache[SB_NR_CLASSES];
	/* Per-CPU deltas: a buffer may be freed on another CPU. */
	long live[SB_NR_STATS];
	s64 requested[SB_NR_STATS];
};

/* A free block kept out of circulation; lives inside the block itself. */
struct sb_parked {
	struct sb_parked *next;
	dma_addr_t dma;
};

/* A fallback buffer waiting for process context to be freed. */
struct sb_deferred {
	struct llist_node node;
	dma_addr_t dma;
	size_t size;
};

struct sb_class {
	struct dma_pool *pool;		/* NULL until first created */
	bool want_pool;			/* asked for in atomic context */
	spinlock_t lock;		/* protects @parked, @nr_parked */
	struct sb_parked *parked;
	unsigned long nr_parked;
	atomic_long_t out;		/* blocks taken from @pool */
	atomic_long_t peak;		/* most blocks ever taken at once */
};

struct dma_smallbuf {
	struct device *dev;
	struct sb_pcpu __percpu *pcpu;
	struct sb_class class[SB_NR_CLASSES];
	struct mutex create_lock;	/* serialises dma_pool_create() */
	struct work_struct work;	/* pools and frees for atomic callers */
	struct llist_head deferred;
	struct xarray fallback;		/* vaddr -> class of fallback buffers */
	atomic_long_t nr_fallback;
	atomic_long_t large_backing;
	atomic_long_t errors;
	struct dentry *debugfs;
	bool managed;			/* released by devres */
	bool dying;
#ifdef CONFIG_DMA_SMALLBUF_DEBUG
	struct xarray live;		/* vaddr -> struct sb_record */
#endif
};

#ifdef CONFIG_DMA_SMALLBUF_DEBUG
struct sb_record {
	size_t size;
	dma_addr_t dma;
};
#endif

static struct dentry *sb_debugfs_root;

static inline size_t sb_class_size(unsigned int c)
{
	return DMA_SMALLBUF_MIN_SIZE << c;
}

static inline unsigned int sb_size_to_class(size_t size)
{
	unsigned int shift = fls_long(size - 1);

	return max_t(unsigned int, shift, DMA_SMALLBUF_MIN_SHIFT) -
	       DMA_SMALLBUF_MIN_SHIFT;
}

/* The highest DMA address this device can reach in a coherent buffer. */
static u64 sb_limit(struct device *dev)
{
	if (!dev->dma_mask || !dev->coherent_dma_mask)
		return 0;
	return min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

static inline bool sb_reachable(dma_addr_t dma, size_t size, u64 limit)
{
	return dma <= limit && size - 1 <= limit - dma;
}

static void sb_account(struct dma_smallbuf *sb, unsigned int slot, long nr,
		       s64 bytes)
{
	struct sb_pcpu *pc;
	unsigned long flags;

	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	pc->live[slot] += nr;
	pc->requested[slot] += bytes;
	local_unlock_irqrestore(&sb->pcpu->lock, flags);
}

static void sb_park(struct sb_class *cls, void *vaddr, dma_addr_t dma)
{
	struct sb_parked *p = vaddr;
	unsigned long flags;

	spin_lock_irqsave(&cls->lock, flags);
	p->dma = dma;
	p->next = cls->parked;
	cls->parked = p;
	cls->nr_parked++;
	spin_unlock_irqrestore(&cls->lock, flags);
}

/* Blocks leave and re-enter the pool only through these two. */
static void *sb_pool_get(struct sb_class *cls, gfp_t gfp, dma_addr_t *dma)
{
	long out, peak;
	void *vaddr;

	vaddr = dma_pool_alloc(cls->pool, gfp, dma);
	if (!vaddr)
		return NULL;
	out = atomic_long_inc_return(&cls->out);
	peak = atomic_long_read(&cls->peak);
	while (out > peak && !atomic_long_try_cmpxchg(&cls->peak, &peak, out))
		;
	return vaddr;
}

static void sb_pool_put(struct sb_class *cls, void *vaddr, dma_addr_t dma)
{
	dma_pool_free(cls->pool, vaddr, dma);
	atomic_long_dec(&cls->out);
}

static struct dma_pool *sb_create_pool(struct dma_smallbuf *sb, unsigned int c)
{
	struct sb_class *cls = &sb->class[c];
	struct dma_pool *pool;
	char name[32];

	mutex_lock(&sb->create_lock);
	pool = cls->pool;
	if (!pool && !sb->dying) {
		snprintf(name, sizeof(name), "dma_smallbuf-%zu", sb_class_size(c));
		/* Aligned to its size: a block never crosses a page. */
		pool = dma_pool_create(name, sb->dev, sb_class_size(c),
				       sb_class_size(c), 0);
		if (pool) {
			/* Pairs with the acquire in sb_pool_alloc(). */
			smp_store_release(&cls->pool, pool);
		}
	}
	mutex_unlock(&sb->create_lock);
	return pool;
}

static void sb_debugfs_add(struct dma_smallbuf *sb);

/*
 * Process-context work on behalf of callers that could not sleep: create
 * the pools they asked for, free fallback buffers, add the debugfs entry.
 */
static void sb_work(struct work_struct *work)
{
	struct dma_smallbuf *sb = container_of(work, struct dma_smallbuf, work);
	struct sb_deferred *d, *tmp;
	struct llist_node *list;
	unsigned int c;

	for (c = 0; c < SB_NR_CLASSES; c++)
		if (READ_ONCE(sb->class[c].want_pool))
			sb_create_pool(sb, c);

	list = llist_del_all(&sb->deferred);
	llist_for_each_entry_safe(d, tmp, list, node)
		dma_free_coherent(sb->dev, d->size, d, d->dma);

	if (!sb->debugfs && !sb->dying)
		sb_debugfs_add(sb);
}

static void sb_defer_free(struct dma_smallbuf *sb, size_t size, void *vaddr,
			  dma_addr_t dma)
{
	struct sb_deferred *d = vaddr;

	d->dma = dma;
	d->size = size;
	llist_add(&d->node, &sb->deferred);
	schedule_work(&sb->work);
}

static unsigned long sb_destroy(struct dma_smallbuf *sb);

static void sb_devres_release(struct device *dev, void *res)
{
	sb_destroy(*(struct dma_smallbuf **)res);
}

static struct dma_smallbuf *sb_create(struct device *dev, gfp_t gfp)
{
	struct dma_smallbuf **node = NULL;
	struct dma_smallbuf *sb, *old = NULL;
	unsigned int c;
	int cpu;

	gfp &= ~__GFP_ZERO;
	sb = kzalloc(sizeof(*sb), gfp);
	if (!sb)
		return NULL;
	sb->pcpu = alloc_percpu_gfp(struct sb_pcpu, gfp);
	if (!sb->pcpu)
		goto fail;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(sb->pcpu, cpu)->lock);
	for (c = 0; c < SB_NR_CLASSES; c++)
		spin_lock_init(&sb->class[c].lock);
	sb->dev = dev;
	mutex_init(&sb->create_lock);
	INIT_WORK(&sb->work, sb_work);
	init_llist_head(&sb->deferred);
	xa_init_flags(&sb->fallback, XA_FLAGS_LOCK_IRQ);
#ifdef CONFIG_DMA_SMALLBUF_DEBUG
	xa_init_flags(&sb->live, XA_FLAGS_LOCK_IRQ);
#endif

	/*
	 * Managed resources on an unbound device would make a later probe
	 * fail ("Resources present before probing"), so only a device that
	 * has a driver gets devres; others call dma_smallbuf_release().
	 */
	sb->managed = !!READ_ONCE(dev->driver);
	if (sb->managed) {
		node = devres_alloc(sb_devres_release, sizeof(*node), gfp);
		if (!node)
			goto fail;
		*node = sb;
	}

	if (!try_cmpxchg_release(&dev->dma_smallbuf, &old, sb)) {
		/* Somebody else won the race: use theirs. */
		devres_free(node);
		free_percpu(sb->pcpu);
		kfree(sb);
		return old;
	}
	if (node)
		devres_add(dev, node);
	schedule_work(&sb->work);
	return sb;

fail:
	free_percpu(sb->pcpu);
	kfree(sb);
	return NULL;
}

static inline struct dma_smallbuf *sb_get(struct device *dev, gfp_t gfp)
{
	/* Pairs with the release in sb_create(): *sb is initialised. */
	struct dma_smallbuf *sb = smp_load_acquire(&dev->dma_smallbuf);

	return likely(sb) ? sb : sb_create(dev, gfp);
}

#ifdef CONFIG_DMA_SMALLBUF_DEBUG
static bool sb_debug_track(struct dma_smallbuf *sb, size_t size, void *vaddr,
			   dma_addr_t dma, gfp_t gfp)
{
	struct sb_record *rec = kmalloc(sizeof(*rec), gfp & ~__GFP_ZERO);
	unsigned long flags;
	int err;

	if (!rec)
		return false;
	rec->size = size;
	rec->dma = dma;
	xa_lock_irqsave(&sb->live, flags);
	err = xa_err(__xa_store(&sb->live, (unsigned long)vaddr, rec, gfp));
	xa_unlock_irqrestore(&sb->live, flags);
	if (err)
		kfree(rec);
	return !err;
}

/* Returns false, after one WARN, if the free must not go ahead. */
static bool sb_debug_untrack(struct dma_smallbuf *sb, size_t size,
			     void *vaddr, dma_addr_t dma)
{
	struct device *dev = sb->dev;
	struct sb_record *rec;
	unsigned long flags;

	xa_lock_irqsave(&sb->live, flags);
	rec = xa_load(&sb->live, (unsigned long)vaddr);
	if (!rec) {
		xa_unlock_irqrestore(&sb->live, flags);
		dev_WARN(dev, "dma_smallbuf_free(%zu, %p): not allocated, or freed twice\n",
			 size, vaddr);
		goto refuse;
	}
	if (rec->size != size || rec->dma != dma) {
		xa_unlock_irqrestore(&sb->live, flags);
		dev_WARN(dev, "dma_smallbuf_free(%zu, %p, %pad): allocated as (%zu, %pad)\n",
			 size, vaddr, &dma, rec->size, &rec->dma);
		goto refuse;
	}
	__xa_erase(&sb->live, (unsigned long)vaddr);
	xa_unlock_irqrestore(&sb->live, flags);
	kfree(rec);
	if (size <= DMA_SMALLBUF_MAX_SIZE)
		memset(vaddr, POISON_FREE, sb_class_size(sb_size_to_class(size)));
	return true;

refuse:
	atomic_long_inc(&sb->errors);
	return false;
}

static void sb_debug_destroy(struct dma_smallbuf *sb)
{
	struct sb_record *rec;
	unsigned long idx;

	xa_for_each(&sb->live, idx, rec)
		kfree(rec);
	xa_destroy(&sb->live);
}
#else
static inline bool sb_debug_track(struct dma_smallbuf *sb, size_t size,
				  void *vaddr, dma_addr_t dma, gfp_t gfp)
{
	return true;
}

static inline bool sb_debug_untrack(struct dma_smallbuf *sb, size_t size,
				    void *vaddr, dma_addr_t dma)
{
	return true;
}

static inline void sb_debug_destroy(struct dma_smallbuf *sb)
{
}
#endif

static void *sb_alloc_large(struct dma_smallbuf *sb, size_t size, gfp_t gfp,
			    u64 limit, dma_addr_t *dma)
{
	void *vaddr = dma_alloc_coherent(sb->dev, size, dma, gfp);

	if (!vaddr)
		return NULL;
	if (WARN_ON_ONCE(!sb_reachable(*dma, size, limit))) {
		dma_free_coherent(sb->dev, size, vaddr, *dma);
		return NULL;
	}
	atomic_long_add(PAGE_SIZE << get_order(size), &sb->large_backing);
	sb_account(sb, SB_LARGE, 1, size);
	return vaddr;
}

static void *sb_fallback_erase(struct dma_smallbuf *sb, void *vaddr)
{
	unsigned long flags;
	void *entry;

	xa_lock_irqsave(&sb->fallback, flags);
	entry = __xa_erase(&sb->fallback, (unsigned long)vaddr);
	xa_unlock_irqrestore(&sb->fallback, flags);
	return entry;
}

/*
 * A size class has no pool yet and the caller cannot sleep: serve this one
 * buffer from dma_alloc_coherent() and let the work item create the pool.
 */
static void *sb_alloc_fallback(struct dma_smallbuf *sb, unsigned int c,
			       size_t size, gfp_t gfp, u64 limit,
			       dma_addr_t *dma)
{
	size_t csize = sb_class_size(c);
	unsigned long flags;
	void *vaddr;
	int err;

	WRITE_ONCE(sb->class[c].want_pool, true);
	schedule_work(&sb->work);

	vaddr = dma_alloc_coherent(sb->dev, csize, dma, gfp);
	if (!vaddr)
		return NULL;
	/* Interrupts may be off: the _irq variants would turn them on. */
	xa_lock_irqsave(&sb->fallback, flags);
	err = xa_err(__xa_store(&sb->fallback, (unsigned long)vaddr,
				xa_mk_value(c), gfp));
	xa_unlock_irqrestore(&sb->fallback, flags);
	if (WARN_ON_ONCE(!sb_reachable(*dma, csize, limit)) || err) {
		if (!err)
			sb_fallback_erase(sb, vaddr);
		sb_defer_free(sb, csize, vaddr, *dma);
		return NULL;
	}
	atomic_long_inc(&sb->nr_fallback);
	sb_account(sb, c, 1, size);
	return vaddr;
}

static bool sb_free_fallback(struct dma_smallbuf *sb, unsigned int c,
			     size_t size, void *vaddr, dma_addr_t dma)
{
	if (!sb_fallback_erase(sb, vaddr))
		return false;
	atomic_long_dec(&sb->nr_fallback);
	sb_account(sb, c, -1, -(s64)size);
	/* dma_free_coherent() may not be called with interrupts off. */
	sb_defer_free(sb, sb_class_size(c), vaddr, dma);
	return true;
}

/* Take a block from this CPU's cache; NULL if it holds none in reach. */
static void *sb_cache_alloc(struct dma_smallbuf *sb, unsigned int c,
			    size_t size, u64 limit, dma_addr_t *dma)
{
	size_t csize = sb_class_size(c);
	struct sb_block *blk;
	struct sb_pcpu *pc;
	unsigned long flags;
	void *vaddr = NULL;

	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	while (pc->cache[c].nr) {
		blk = &pc->cache[c].blk[--pc->cache[c].nr];
		if (likely(sb_reachable(blk->dma, csize, limit))) {
			vaddr = blk->vaddr;
			*dma = blk->dma;
			pc->live[c]++;
			pc->requested[c] += size;
			break;
		}
		sb_park(&sb->class[c], blk->vaddr, blk->dma);
	}
	local_unlock_irqrestore(&sb->pcpu->lock, flags);
	return vaddr;
}

/* Refill this CPU's cache from the pool and hand out one block. */
static void *sb_pool_alloc(struct dma_smallbuf *sb, unsigned int c,
			   size_t size, gfp_t gfp, u64 limit, dma_addr_t *dma)
{
	struct sb_class *cls = &sb->class[c];
	size_t csize = sb_class_size(c);
	struct sb_block batch[SB_BATCH];
	gfp_t more = (gfp & ~(__GFP_DIRECT_RECLAIM | __GFP_HIGH)) | __GFP_NOWARN;
	struct sb_pcpu *pc;
	unsigned long flags;
	unsigned int n = 0, i;
	void *vaddr;

	/* Pairs with the release in sb_create_pool(). */
	if (!smp_load_acquire(&cls->pool) &&
	    (!gfpflags_allow_blocking(gfp) || !sb_create_pool(sb, c)))
		return sb_alloc_fallback(sb, c, size, gfp, limit, dma);

	/*
	 * Blocks out of reach were taken under a wider mask; park them.  The
	 * pool's free list holds finitely many, and pages it adds come from
	 * dma_alloc_coherent() under the current mask, so this ends.
	 */
	while (n < SB_BATCH) {
		vaddr = sb_pool_get(cls, n ? more : gfp, &batch[n].dma);
		if (!vaddr)
			break;
		if (!sb_reachable(batch[n].dma, csize, limit)) {
			sb_park(cls, vaddr, batch[n].dma);
			continue;
		}
		batch[n++].vaddr = vaddr;
	}
	if (!n)
		return NULL;

	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	for (i = 1; i < n; i++) {
		if (pc->cache[c].nr < SB_CACHE_SIZE)
			pc->cache[c].blk[pc->cache[c].nr++] = batch[i];
		else
			sb_pool_put(cls, batch[i].vaddr, batch[i].dma);
	}
	pc->live[c]++;
	pc->requested[c] += size;
	local_unlock_irqrestore(&sb->pcpu->lock, flags);

	*dma = batch[0].dma;
	return batch[0].vaddr;
}

static void sb_free(struct dma_smallbuf *sb, size_t size, void *vaddr,
		    dma_addr_t dma)
{
	struct sb_class *cls;
	struct sb_pcpu *pc;
	unsigned long flags;
	unsigned int c, i;

	if (unlikely(size > DMA_SMALLBUF_MAX_SIZE)) {
		dma_free_coherent(sb->dev, size, vaddr, dma);
		atomic_long_sub(PAGE_SIZE << get_order(size), &sb->large_backing);
		sb_account(sb, SB_LARGE, -1, -(s64)size);
		return;
	}

	c = sb_size_to_class(size);
	if (unlikely(atomic_long_read(&sb->nr_fallback)) &&
	    sb_free_fallback(sb, c, size, vaddr, dma))
		return;

	cls = &sb->class[c];
	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	if (unlikely(pc->cache[c].nr == SB_CACHE_SIZE)) {
		for (i = 0; i < SB_BATCH; i++) {
			struct sb_block *blk = &pc->cache[c].blk[--pc->cache[c].nr];

			sb_pool_put(cls, blk->vaddr, blk->dma);
		}
	}
	pc->cache[c].blk[pc->cache[c].nr].vaddr = vaddr;
	pc->cache[c].blk[pc->cache[c].nr].dma = dma;
	pc->cache[c].nr++;
	pc->live[c]--;
	pc->requested[c] -= size;
	local_unlock_irqrestore(&sb->pcpu->lock, flags);
}

/* Everything but a cache hit: checks, warnings, refills, large buffers. */
static noinline void *sb_alloc_slow(struct device *dev, size_t size,
				    gfp_t gfp, dma_addr_t *dma,
				    unsigned long caller)
{
	struct dma_smallbuf *sb;
	unsigned int c;
	void *vaddr;
	u64 limit;

	if (WARN_ON_ONCE(!dev || !dma))
		return NULL;
	limit = sb_limit(dev);
	if (unlikely(!limit)) {
		dev_warn_ratelimited(dev, "dma_smallbuf_alloc: device has no usable coherent DMA mask\n");
		return NULL;
	}
	if (unlikely(!size)) {
		dev_warn_ratelimited(dev, "dma_smallbuf_alloc: size 0 from %pS\n",
				     (void *)caller);
		return NULL;
	}
	if (unlikely(gfp & SB_ZONE_FLAGS)) {
		dev_warn_once(dev, "dma_smallbuf_alloc: zone flags %#x from %pS ignored, the DMA mask decides\n",
			      (__force unsigned int)(gfp & SB_ZONE_FLAGS),
			      (void *)caller);
		gfp &= ~SB_ZONE_FLAGS;
	}

	sb = sb_get(dev, gfp);
	if (unlikely(!sb))
		return NULL;

	if (unlikely(size > DMA_SMALLBUF_MAX_SIZE)) {
		vaddr = sb_alloc_large(sb, size, gfp, limit, dma);
	} else {
		c = sb_size_to_class(size);
		vaddr = sb_cache_alloc(sb, c, size, limit, dma);
		if (!vaddr)
			vaddr = sb_pool_alloc(sb, c, size, gfp & ~__GFP_ZERO,
					      limit, dma);
		if (vaddr && want_init_on_alloc(gfp))
			memset(vaddr, 0, size);
	}
	if (vaddr && unlikely(!sb_debug_track(sb, size, vaddr, *dma, gfp))) {
		sb_free(sb, size, vaddr, *dma);
		vaddr = NULL;
	}
	return vaddr;
}

/**
 * dma_smallbuf_alloc - allocate a small coherent buffer the device can reach
 * @dev: device the buffer is for
 * @size: bytes wanted; not 0
 * @gfp: allocation flags (GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, ...)
 * @dma: where to store the buffer's DMA address
 *
 * Returns a buffer of at least @size bytes whose DMA address @dma satisfies
 * @dma + @size - 1 <= the device's coherent DMA mask (and bus limit).  No
 * dma_map_single() or dma_sync_*() is needed: the memory is coherent.
 *
 * Buffers up to %DMA_SMALLBUF_MAX_SIZE come from per-device dma_pools of
 * power-of-two sizes, created on first use; they are aligned to their size
 * rounded up to a power of two (so at least as well as kmalloc()) and never
 * cross a page boundary.  Larger buffers come from dma_alloc_coherent().
 *
 * Zone modifiers in @gfp (%GFP_DMA, %GFP_DMA32, __GFP_HIGHMEM) are ignored,
 * with a one-time warning: the device's mask decides where the memory is.
 *
 * Context: any context if @gfp does not allow blocking, including the first
 * allocation on a device; process context otherwise.
 * Return: the buffer's CPU address, or %NULL on failure, on a device with
 * no usable coherent DMA mask, or for @size 0 (the last two with a
 * warning).  Free it with dma_smallbuf_free().
 */
void *dma_smallbuf_alloc(struct device *dev, size_t size, gfp_t gfp,
			 dma_addr_t *dma)
{
	struct dma_smallbuf *sb;
	struct sb_pcpu *pc;
	unsigned long flags;
	unsigned int c, nr;
	void *vaddr = NULL;

	/* One test for everything unusual; size - 1 also catches size 0. */
	if (unlikely(!dev || !dma || size - 1 >= DMA_SMALLBUF_MAX_SIZE ||
		     (gfp & SB_ZONE_FLAGS) ||
		     IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG)))
		return sb_alloc_slow(dev, size, gfp, dma, _RET_IP_);
	/* Pairs with the release in sb_create(). */
	sb = smp_load_acquire(&dev->dma_smallbuf);
	if (unlikely(!sb))
		return sb_alloc_slow(dev, size, gfp, dma, _RET_IP_);

	c = sb_size_to_class(size);
	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	nr = pc->cache[c].nr;
	/* A device without a usable mask has limit 0: nothing is in reach. */
	if (likely(nr) && likely(sb_reachable(pc->cache[c].blk[nr - 1].dma,
					      sb_class_size(c), sb_limit(dev)))) {
		pc->cache[c].nr = --nr;
		vaddr = pc->cache[c].blk[nr].vaddr;
		*dma = pc->cache[c].blk[nr].dma;
		pc->live[c]++;
		pc->requested[c] += size;
	}
	local_unlock_irqrestore(&sb->pcpu->lock, flags);
	if (unlikely(!vaddr))
		return sb_alloc_slow(dev, size, gfp, dma, _RET_IP_);
	if (want_init_on_alloc(gfp))
		memset(vaddr, 0, size);
	return vaddr;
}
EXPORT_SYMBOL_GPL(dma_smallbuf_alloc);

/**
 * dma_smallbuf_zalloc - allocate a zeroed small coherent buffer
 * @dev: device the buffer is for
 * @size: bytes wanted; not 0
 * @gfp: allocation flags
 * @dma: where to store the buffer's DMA address
 *
 * As dma_smallbuf_alloc(), with the first @size bytes set to zero.
 *
 * Context: as dma_smallbuf_alloc().
 * Return: the buffer's CPU address, or %NULL.
 */
void *dma_smallbuf_zalloc(struct device *dev, size_t size, gfp_t gfp,
			  dma_addr_t *dma)
{
	return dma_smallbuf_alloc(dev, size, gfp | __GFP_ZERO, dma);
}
EXPORT_SYMBOL_GPL(dma_smallbuf_zalloc);

/* Everything but a push into a cache with room. */
static noinline void sb_free_slow(struct device *dev, size_t size,
				  void *vaddr, dma_addr_t dma)
{
	struct dma_smallbuf *sb;

	if (unlikely(!vaddr))
		return;
	if (WARN_ON_ONCE(!dev || !size))
		return;
	/* Pairs with the release in sb_create(). */
	sb = smp_load_acquire(&dev->dma_smallbuf);
	if (unlikely(!sb)) {
		dev_WARN_ONCE(dev, 1, "%s(%zu, %p): device has no buffers, released?\n",
			      __func__, size, vaddr);
		return;
	}
	if (sb_debug_untrack(sb, size, vaddr, dma))
		sb_free(sb, size, vaddr, dma);
}

/**
 * dma_smallbuf_free - free a buffer from dma_smallbuf_alloc()
 * @dev: device it was allocated for
 * @size: the size it was allocated with
 * @vaddr: its CPU address; %NULL is a no-op
 * @dma: its DMA address
 *
 * The arguments are those of dma_free_coherent().  With
 * CONFIG_DMA_SMALLBUF_DEBUG, a double free, a wrong @size or a @dma that
 * does not belong to @vaddr is refused with a warning, and freed buffers
 * are poisoned.
 *
 * Context: any context for buffers up to %DMA_SMALLBUF_MAX_SIZE; process
 * context for larger ones, as for dma_free_coherent().
 */
void dma_smallbuf_free(struct device *dev, size_t size, void *vaddr,
		       dma_addr_t dma)
{
	struct dma_smallbuf *sb;
	struct sb_pcpu *pc;
	unsigned long flags;
	unsigned int c, nr;

	if (unlikely(!dev || !vaddr || size - 1 >= DMA_SMALLBUF_MAX_SIZE ||
		     IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG)))
		goto slow;
	/* Pairs with the release in sb_create(). */
	sb = smp_load_acquire(&dev->dma_smallbuf);
	if (unlikely(!sb || atomic_long_read(&sb->nr_fallback)))
		goto slow;

	c = sb_size_to_class(size);
	local_lock_irqsave(&sb->pcpu->lock, flags);
	pc = this_cpu_ptr(sb->pcpu);
	nr = pc->cache[c].nr;
	if (likely(nr < SB_CACHE_SIZE)) {
		pc->cache[c].blk[nr].vaddr = vaddr;
		pc->cache[c].blk[nr].dma = dma;
		pc->cache[c].nr = nr + 1;
		pc->live[c]--;
		pc->requested[c] -= size;
	}
	local_unlock_irqrestore(&sb->pcpu->lock, flags);
	if (likely(nr < SB_CACHE_SIZE))
		return;
slow:
	sb_free_slow(dev, size, vaddr, dma);
}
EXPORT_SYMBOL_GPL(dma_smallbuf_free);

static void sb_sum(struct dma_smallbuf *sb, long *live, s64 *requested)
{
	unsigned int s;
	int cpu;

	memset(live, 0, sizeof(*live) * SB_NR_STATS);
	memset(requested, 0, sizeof(*requested) * SB_NR_STATS);
	for_each_possible_cpu(cpu) {
		struct sb_pcpu *pc = per_cpu_ptr(sb->pcpu, cpu);

		for (s = 0; s < SB_NR_STATS; s++) {
			live[s] += READ_ONCE(pc->live[s]);
			requested[s] += READ_ONCE(pc->requested[s]);
		}
	}
}

/* Pages a pool holds: it grows only when every block it has is taken. */
static u64 sb_class_backing(struct dma_smallbuf *sb, unsigned int c)
{
	unsigned long per_page = PAGE_SIZE / sb_class_size(c);

	return (u64)DIV_ROUND_UP(atomic_long_read(&sb->class[c].peak), per_page) *
	       PAGE_SIZE;
}

/**
 * dma_smallbuf_get_stats - report what a device holds
 * @dev: the device
 * @st: filled in with totals over all size classes
 *
 * The figures are sums of per-CPU counters, exact when no allocation or
 * free runs concurrently.  Backing memory counts every page the size-class
 * pools hold (pools only grow), every page of fallback and large buffers.
 *
 * Context: any context.
 * Return: 0, or -ENODEV if the device has no dma_smallbuf state (nothing
 * was ever allocated, or it was released); @st is zeroed then.
 */
int dma_smallbuf_get_stats(struct device *dev, struct dma_smallbuf_stats *st)
{
	/* Pairs with the release in sb_create(). */
	struct dma_smallbuf *sb = smp_load_acquire(&dev->dma_smallbuf);
	s64 requested[SB_NR_STATS];
	long live[SB_NR_STATS];
	unsigned int c;

	memset(st, 0, sizeof(*st));
	if (!sb)
		return -ENODEV;
	sb_sum(sb, live, requested);
	for (c = 0; c < SB_NR_STATS; c++) {
		st->live += live[c];
		st->requested += requested[c];
	}
	for (c = 0; c < SB_NR_CLASSES; c++) {
		st->backing += sb_class_backing(sb, c);
		st->parked += READ_ONCE(sb->class[c].nr_parked);
	}
	st->fallback = atomic_long_read(&sb->nr_fallback);
	st->backing += (u64)st->fallback * PAGE_SIZE +
		       atomic_long_read(&sb->large_backing);
	st->errors = atomic_long_read(&sb->errors);
	return 0;
}
EXPORT_SYMBOL_GPL(dma_smallbuf_get_stats);

static int sb_stats_show(struct seq_file *m, void *unused)
{
	struct dma_smallbuf *sb = m->private;
	s64 requested[SB_NR_STATS];
	long live[SB_NR_STATS];
	unsigned int c;

	sb_sum(sb, live, requested);
	seq_puts(m, "class\tlive\trequested\tbacking\tparked\n");
	for (c = 0; c < SB_NR_CLASSES; c++)
		seq_printf(m, "%zu\t%ld\t%lld\t%llu\t%lu\n", sb_class_size(c),
			   live[c], requested[c], sb_class_backing(sb, c),
			   READ_ONCE(sb->class[c].nr_parked));
	seq_printf(m, "large\t%ld\t%lld\t%ld\t0\n", live[SB_LARGE],
		   requested[SB_LARGE], atomic_long_read(&sb->large_backing));
	seq_printf(m, "fallback\t%ld\nerrors\t%ld\n",
		   atomic_long_read(&sb->nr_fallback),
		   atomic_long_read(&sb->errors));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sb_stats);

static void sb_debugfs_add(struct dma_smallbuf *sb)
{
	if (!sb_debugfs_root)
		return;
	sb->debugfs = debugfs_create_dir(dev_name(sb->dev), sb_debugfs_root);
	debugfs_create_file("stats", 0400, sb->debugfs, sb, &sb_stats_fops);
}

/* Give every cached and parked block back to its pool. */
static void sb_drain(struct dma_smallbuf *sb)
{
	struct sb_parked *p, *next;
	unsigned int c;
	int cpu;

	for (c = 0; c < SB_NR_CLASSES; c++) {
		struct sb_class *cls = &sb->class[c];

		for_each_possible_cpu(cpu) {
			struct sb_pcpu *pc = per_cpu_ptr(sb->pcpu, cpu);

			while (pc->cache[c].nr) {
				struct sb_block *blk = &pc->cache[c].blk[--pc->cache[c].nr];

				sb_pool_put(cls, blk->vaddr, blk->dma);
			}
		}
		for (p = cls->parked; p; p = next) {
			next = p->next;
			sb_pool_put(cls, p, p->dma);
		}
		cls->parked = NULL;
		cls->nr_parked = 0;
	}
}

static unsigned long sb_destroy(struct dma_smallbuf *sb)
{
	s64 requested[SB_NR_STATS];
	long live[SB_NR_STATS];
	unsigned long total = 0;
	unsigned int c;

	WRITE_ONCE(sb->dev->dma_smallbuf, NULL);
	mutex_lock(&sb->create_lock);
	sb->dying = true;
	mutex_unlock(&sb->create_lock);
	cancel_work_sync(&sb->work);
	sb_work(&sb->work);		/* free what was deferred */
	debugfs_remove_recursive(sb->debugfs);

	sb_drain(sb);
	sb_sum(sb, live, requested);
	for (c = 0; c < SB_NR_STATS; c++) {
		if (!live[c])
			continue;
		total += live[c];
		dev_warn(sb->dev, "dma_smallbuf: %ld buffers of %s %zu bytes (%lld bytes) still allocated at release, leaking them\n",
			 live[c], c == SB_LARGE ? "more than" : "up to",
			 c == SB_LARGE ? DMA_SMALLBUF_MAX_SIZE : sb_class_size(c),
			 requested[c]);
	}
	/* A pool with blocks in use keeps its pages: nothing is freed twice. */
	for (c = 0; c < SB_NR_CLASSES; c++)
		dma_pool_destroy(sb->class[c].pool);
	xa_destroy(&sb->fallback);
	sb_debug_destroy(sb);
	free_percpu(sb->pcpu);
	kfree(sb);
	return total;
}

/**
 * dma_smallbuf_release - free a device's pools now
 * @dev: the device
 *
 * For a device bound to a driver this happens by itself when the driver
 * is unbound (devres).  A device without a driver must call this before it
 * goes away.  Buffers still allocated are reported and leaked, never freed
 * behind their owner's back.  Freeing one afterwards warns, as long as the
 * device has not allocated again; after that only CONFIG_DMA_SMALLBUF_DEBUG
 * catches it.
 *
 * Context: process context; no allocation or free on @dev may run
 * concurrently.
 * Return: the number of buffers that were still allocated.
 */
unsigned long dma_smallbuf_release(struct device *dev)
{
	struct dma_smallbuf *sb;

	might_sleep();
	sb = READ_ONCE(dev->dma_smallbuf);
	if (!sb)
		return 0;
	if (sb->managed)
		devres_destroy(dev, sb_devres_release, NULL, NULL);
	return sb_destroy(sb);
}
EXPORT_SYMBOL_GPL(dma_smallbuf_release);

static int __init dma_smallbuf_init(void)
{
	sb_debugfs_root = debugfs_create_dir("dma_smallbuf", NULL);
	return 0;
}
core_initcall(dma_smallbuf_init);
