// SPDX-License-Identifier: GPL-2.0
/*
 * dma_smallbuf: small coherent DMA buffers that honour the device's mask.
 *
 * Buffers of up to DMA_SMALLBUF_MAX_SIZE come from power-of-two size
 * classes of DMA_SMALLBUF_MIN_SIZE bytes and up.  A class takes whole
 * pages from dma_alloc_coherent() on the device and cuts them into blocks,
 * as dma_pool does; like dma_pool, it keeps the link and the DMA address of
 * a free block inside the block.  Free blocks sit on one short list per CPU
 * (behind a local lock) and one list per class (behind a spinlock).  Larger
 * buffers come straight from dma_alloc_coherent().
 *
 * dma_pool itself is not used underneath: dma_pool_create() sleeps, so the
 * first allocation of a class in atomic context would need a second
 * allocator beside it, and dma_pool moves one block per lock round trip,
 * where the per-CPU lists here move whole lists at once.
 *
 * Reach: every block is checked when it is handed out against
 * min(coherent_dma_mask, bus_dma_limit) over its whole length.  Pages are
 * taken under the mask of the moment, so blocks out of reach exist only
 * after the driver narrowed its mask; they are set aside, a bounded number
 * per locked step, and return to use when the mask is widened again.
 *
 * Lifetime: the per-device state is created by the first allocation, in
 * any context, and hangs off struct device.  The driver core releases it
 * (dma_smallbuf_release()) after devres_release_all() when a driver is
 * unbound or fails to probe, before the bus's dma_configure() when a
 * driver is bound, and in device_del().  So devm actions may still
 * allocate and free while they run at unbind, and blocks taken under one
 * DMA configuration are never handed out under the next.  Release unhooks
 * the state, waits for an RCU grace period (every fast path runs in an RCU
 * read-side section) and for slow paths that hold a reference, then frees
 * it: a late free on the device finds no state and is refused with a
 * warning, never applied to freed memory.
 */

#define pr_fmt(fmt) "dma_smallbuf: " fmt

#include <linux/completion.h>
#include <linux/cpuhotplug.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dma-smallbuf.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#define SB_NR_CLASSES	(PAGE_SHIFT - DMA_SMALLBUF_MIN_SHIFT + 1)

#define SB_ZONE_FLAGS	(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)

/* The beginning of a free block. */
struct sb_free {
	struct sb_free *next;
	dma_addr_t dma;
};

/*
 * One CPU's free blocks of one class, and its share of the requested
 * bytes.  Live buffers need no counter: a block the class cut is either
 * free (on a CPU's list, on the class list or set aside) or live.
 */
struct sb_cpu {
	struct sb_free *head;
	struct sb_free *tail;		/* valid while @head is not NULL */
	unsigned int room;		/* cpu_max minus the blocks on the list */
	/* A delta: a buffer may be freed on another CPU than it came from. */
	long requested;
};

/* A page cut into blocks; the class owns it until the device is released. */
struct sb_page {
	struct sb_page *next;
	void *vaddr;
	dma_addr_t dma;
};

struct sb_class {
	unsigned int cpu_max;		/* blocks a CPU keeps, DMA_SMALLBUF_CPU_BYTES */
	spinlock_t lock;		/* protects everything below */
	struct sb_free *free;
	struct sb_free *aside;		/* out of reach when last looked at */
	struct sb_free *aside_tail;
	unsigned long nr_free;
	unsigned long nr_aside;
	u64 aside_limit;		/* the limit @aside was set aside under */
	struct sb_page *pages;
	unsigned long nr_pages;
};

struct dma_smallbuf {
	/* Per class, NULL until the class is first used; first, for the fast paths. */
	struct sb_cpu __percpu *cpu[SB_NR_CLASSES];
	struct device *dev;
	struct list_head node;		/* on sb_all */
	refcount_t users;		/* the device's, and slow paths' */
	struct completion idle;
	atomic_t zone_flags;		/* zone modifiers callers passed */
	atomic_t warned_reach;
	atomic_long_t large_live;
	atomic_long_t large_requested;
	atomic_long_t large_backing;
	atomic_long_t errors;
#ifdef CONFIG_DMA_SMALLBUF_DEBUG
	struct xarray live;		/* vaddr -> struct sb_record */
#endif
	struct sb_class class[SB_NR_CLASSES];
};

#ifdef CONFIG_DMA_SMALLBUF_DEBUG
struct sb_record {
	size_t size;
	dma_addr_t dma;
};
#endif

/* Every state, for CPU hot-unplug; also serialises publishing and release. */
static LIST_HEAD(sb_all);
static DEFINE_SPINLOCK(sb_all_lock);

/*
 * Protects every device's lists on this CPU.  Taken before the device's
 * state is looked up: the section it makes is an RCU read-side section
 * (interrupts off, or a spinlock on PREEMPT_RT), which release waits for.
 */
static DEFINE_PER_CPU(local_lock_t, sb_cpu_lock) = INIT_LOCAL_LOCK(sb_cpu_lock);

static inline size_t sb_class_size(unsigned int c)
{
	return DMA_SMALLBUF_MIN_SIZE << c;
}

/* For 1 <= @size <= DMA_SMALLBUF_MAX_SIZE: the smallest class that holds it. */
static inline unsigned int sb_size_to_class(size_t size)
{
	return __fls((size - 1) | (DMA_SMALLBUF_MIN_SIZE - 1)) + 1 -
	       DMA_SMALLBUF_MIN_SHIFT;
}

/* The highest DMA address this device can reach in a coherent buffer. */
static inline u64 sb_limit(struct device *dev)
{
	if (!dev->dma_mask || !dev->coherent_dma_mask)
		return 0;
	return min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

static inline bool sb_reachable(dma_addr_t dma, size_t size, u64 limit)
{
	return dma <= limit && size - 1 <= limit - dma;
}

/*
 * sb_reachable(@dma, class size, sb_limit(@dev)) for a block of class @c,
 * in fewer instructions: a block lies inside one page, so its last byte's
 * address cannot wrap around.
 */
static __always_inline bool sb_block_in_reach(struct device *dev,
					      dma_addr_t dma, unsigned int c)
{
	u64 last = dma + sb_class_size(c) - 1;

	return likely(dev->dma_mask) && last <= dev->coherent_dma_mask &&
	       (likely(!dev->bus_dma_limit) || last <= dev->bus_dma_limit);
}

/*
 * Allocations the caller made with GFP_NOIO or GFP_NOFS must not recurse
 * into I/O or filesystems from the allocations done on its behalf (the
 * state, the per-CPU lists, page tables of remapped memory).
 */
static unsigned int sb_scope_save(gfp_t gfp)
{
	if (!gfpflags_allow_blocking(gfp))
		return memalloc_flags_save(0);
	if (!(gfp & __GFP_IO))
		return memalloc_flags_save(PF_MEMALLOC_NOIO);
	if (!(gfp & __GFP_FS))
		return memalloc_flags_save(PF_MEMALLOC_NOFS);
	return memalloc_flags_save(0);
}

static void sb_put(struct dma_smallbuf *sb)
{
	if (refcount_dec_and_test(&sb->users))
		complete(&sb->idle);
}

/* The device's state with a reference held, or NULL. */
static struct dma_smallbuf *sb_find(struct device *dev)
{
	struct dma_smallbuf *sb;

	rcu_read_lock();
	sb = rcu_dereference(dev->dma_smallbuf);
	if (sb && !refcount_inc_not_zero(&sb->users))
		sb = NULL;
	rcu_read_unlock();
	return sb;
}

/* The device's state with a reference held, made if there is none. */
static struct dma_smallbuf *sb_get(struct device *dev, gfp_t gfp)
{
	struct dma_smallbuf *sb, *old;
	unsigned long flags;
	unsigned int c;

	sb = sb_find(dev);
	if (sb)
		return sb;

	sb = kzalloc(sizeof(*sb), gfp);
	if (!sb)
		return NULL;
	sb->dev = dev;
	refcount_set(&sb->users, 2);
	init_completion(&sb->idle);
	for (c = 0; c < SB_NR_CLASSES; c++) {
		spin_lock_init(&sb->class[c].lock);
		sb->class[c].cpu_max = max(DMA_SMALLBUF_CPU_BYTES / sb_class_size(c),
					   DMA_SMALLBUF_CPU_MIN);
	}
#ifdef CONFIG_DMA_SMALLBUF_DEBUG
	xa_init_flags(&sb->live, XA_FLAGS_LOCK_IRQ);
#endif

	spin_lock_irqsave(&sb_all_lock, flags);
	old = rcu_dereference_protected(dev->dma_smallbuf,
					lockdep_is_held(&sb_all_lock));
	if (!old) {
		list_add(&sb->node, &sb_all);
		rcu_assign_pointer(dev->dma_smallbuf, sb);
	}
	spin_unlock_irqrestore(&sb_all_lock, flags);
	if (!old)
		return sb;
	/* Another CPU made one meanwhile: use it. */
	kfree(sb);
	return sb_find(dev);
}

/* Class @c's per-CPU lists, or NULL before its first use. */
static inline struct sb_cpu __percpu *sb_cpu_lists(struct dma_smallbuf *sb,
						   unsigned int c)
{
	/* Pairs with cmpxchg_release() in sb_make_cpu_lists(): initialised. */
	return smp_load_acquire(&sb->cpu[c]);
}

/* Blocks on one CPU's list of @cls. */
static inline unsigned int sb_cpu_nr(struct sb_class *cls, struct sb_cpu *cpu)
{
	return cls->cpu_max - cpu->room;
}

/* Class @c's per-CPU lists, made on its first use. */
static struct sb_cpu __percpu *sb_make_cpu_lists(struct dma_smallbuf *sb,
						 unsigned int c, gfp_t gfp)
{
	struct sb_cpu __percpu *pcpu = sb_cpu_lists(sb, c);
	int cpu;

	if (likely(pcpu))
		return pcpu;
	/*
	 * The per-CPU allocator takes a mutex under which it allocates with
	 * GFP_KERNEL: a caller that must not recurse into I/O or filesystems
	 * gets its atomic path instead.
	 */
	if ((gfp & (__GFP_IO | __GFP_FS)) != (__GFP_IO | __GFP_FS))
		gfp = GFP_NOWAIT;
	pcpu = alloc_percpu_gfp(struct sb_cpu, gfp);
	if (!pcpu)
		return NULL;
	for_each_possible_cpu(cpu)
		per_cpu_ptr(pcpu, cpu)->room = sb->class[c].cpu_max;
	if (cmpxchg_release(&sb->cpu[c], NULL, pcpu)) {
		free_percpu(pcpu);
		pcpu = sb_cpu_lists(sb, c);
	}
	return pcpu;
}

/* Move one CPU's whole list to the class list.  cls->lock is held. */
static void sb_cpu_flush(struct sb_class *cls, struct sb_cpu *cpu)
{
	if (!cpu->head)
		return;
	cpu->tail->next = cls->free;
	cls->free = cpu->head;
	cls->nr_free += sb_cpu_nr(cls, cpu);
	cpu->head = NULL;
	cpu->room = cls->cpu_max;
}

static void sb_set_aside(struct sb_class *cls, struct sb_free *first,
			 struct sb_free *last, unsigned long nr, u64 limit)
{
	last->next = cls->aside;
	if (!cls->aside)
		cls->aside_tail = last;
	cls->aside = first;
	cls->nr_aside += nr;
	cls->aside_limit = limit;
}

static inline void sb_cpu_push(struct sb_cpu *cpu, struct sb_free *blk)
{
	blk->next = cpu->head;
	if (!cpu->head)
		cpu->tail = blk;
	cpu->head = blk;
	cpu->room--;
}

/* Append the @n blocks from @first to @last to a CPU's list. */
static inline void sb_cpu_append(struct sb_cpu *cpu, struct sb_free *first,
				 struct sb_free *last, unsigned int n)
{
	last->next = NULL;
	if (cpu->head)
		cpu->tail->next = first;
	else
		cpu->head = first;
	cpu->tail = last;
	cpu->room -= n;
}

/*
 * Take a block from this CPU's list, refilled from the class list.  A list
 * whose first block is out of reach was freed under a wider mask: it goes
 * back to the class as a whole, to be sorted there.  The list is filled
 * from the front of the class list (most recently freed first) in runs of
 * blocks in reach, one splice per run; at most cpu_max blocks are looked
 * at, and those out of reach are set aside.  NULL if no block in reach
 * was found; *@more then says whether the class list has blocks left to
 * look at.  sb_cpu_lock is held.
 */
static struct sb_free *sb_take_locked(struct sb_class *cls, struct sb_cpu *cpu,
				      size_t csize, size_t size, u64 limit,
				      bool *more)
{
	unsigned int scan = cls->cpu_max, n;
	struct sb_free *blk, *first, *last;

	spin_lock(&cls->lock);
	if (cpu->head && !sb_reachable(cpu->head->dma, csize, limit))
		sb_cpu_flush(cls, cpu);
	/* The mask was widened: what was set aside may be in reach again. */
	if (cls->aside && limit > cls->aside_limit) {
		cls->aside_tail->next = cls->free;
		cls->free = cls->aside;
		cls->nr_free += cls->nr_aside;
		cls->aside = NULL;
		cls->nr_aside = 0;
	}
	while (cpu->room && cls->free && scan) {
		first = cls->free;
		last = NULL;
		n = 0;
		for (blk = first; blk && n < min(cpu->room, scan) &&
		     sb_reachable(blk->dma, csize, limit); blk = blk->next) {
			last = blk;
			n++;
		}
		if (n) {
			cls->free = blk;
			cls->nr_free -= n;
			scan -= n;
			sb_cpu_append(cpu, first, last, n);
		} else {
			cls->free = first->next;
			cls->nr_free--;
			scan--;
			sb_set_aside(cls, first, first, 1, limit);
		}
	}
	*more = !!cls->free;
	spin_unlock(&cls->lock);
	blk = cpu->head;
	if (blk) {
		cpu->head = blk->next;
		cpu->room++;
		cpu->requested += size;
	}
	return blk;
}

/* sb_take_locked() on this CPU's list of class @c. */
static struct sb_free *sb_take(struct dma_smallbuf *sb, unsigned int c,
			       size_t size, u64 limit, bool *more)
{
	struct sb_free *blk;
	unsigned long flags;

	local_lock_irqsave(&sb_cpu_lock, flags);
	blk = sb_take_locked(&sb->class[c], this_cpu_ptr(sb->cpu[c]),
			     sb_class_size(c), size, limit, more);
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	return blk;
}

static void sb_warn_reach(struct dma_smallbuf *sb, dma_addr_t dma, u64 limit)
{
	if (!atomic_xchg(&sb->warned_reach, 1))
		dev_warn(sb->dev, "dma_smallbuf_alloc: dma_alloc_coherent() returned %pad, beyond the device's limit %#llx\n",
			 &dma, limit);
}

/*
 * Cut a new page into blocks: the first is handed out, the others go to
 * the class list.  A page out of reach (per-device coherent memory ignores
 * the mask) is kept, its blocks set aside, and the allocation fails.
 */
static struct sb_free *sb_grow(struct dma_smallbuf *sb, unsigned int c,
			       size_t size, gfp_t gfp, u64 limit)
{
	struct sb_class *cls = &sb->class[c];
	size_t csize = sb_class_size(c);
	struct sb_free *blk, *first, *last;
	struct sb_page *pg;
	struct sb_cpu *cpu;
	unsigned long flags;
	bool reach;
	size_t off;

	pg = kmalloc(sizeof(*pg), gfp);
	if (!pg)
		return NULL;
	pg->vaddr = dma_alloc_coherent(sb->dev, PAGE_SIZE, &pg->dma, gfp);
	if (!pg->vaddr) {
		kfree(pg);
		return NULL;
	}
	reach = sb_reachable(pg->dma, PAGE_SIZE, limit);
	if (!reach)
		sb_warn_reach(sb, pg->dma, limit);

	/* Thread the blocks from the second (or, out of reach, the first). */
	first = pg->vaddr + (reach ? csize : 0);
	last = pg->vaddr + PAGE_SIZE - csize;
	for (off = reach ? csize : 0; off < PAGE_SIZE; off += csize) {
		blk = pg->vaddr + off;
		blk->dma = pg->dma + off;
		blk->next = (void *)blk + csize;
	}

	spin_lock_irqsave(&cls->lock, flags);
	pg->next = cls->pages;
	cls->pages = pg;
	cls->nr_pages++;
	if (!reach) {
		sb_set_aside(cls, first, last, PAGE_SIZE / csize, limit);
	} else if (csize < PAGE_SIZE) {
		last->next = cls->free;
		cls->free = first;
		cls->nr_free += PAGE_SIZE / csize - 1;
	}
	spin_unlock_irqrestore(&cls->lock, flags);
	if (!reach)
		return NULL;

	local_lock_irqsave(&sb_cpu_lock, flags);
	cpu = this_cpu_ptr(sb->cpu[c]);
	cpu->requested += size;
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	blk = pg->vaddr;
	blk->dma = pg->dma;
	return blk;
}

/* @stepped: sb_alloc_refill() already took one step through the class list. */
static void *sb_alloc_block(struct dma_smallbuf *sb, size_t size, gfp_t gfp,
			    u64 limit, dma_addr_t *dma, bool stepped)
{
	bool more = !stepped || gfpflags_allow_blocking(gfp);
	unsigned int c = sb_size_to_class(size);
	struct sb_free *blk = NULL;

	if (!sb_make_cpu_lists(sb, c, gfp))
		return NULL;
	/*
	 * Interrupts are off for one bounded step at a time; an atomic caller
	 * takes one step, a caller that may sleep goes on through the class
	 * list rather than take a new page while free blocks in reach are left.
	 */
	while (more && !(blk = sb_take(sb, c, size, limit, &more)) && more &&
	       gfpflags_allow_blocking(gfp))
		cond_resched();
	if (!blk)
		blk = sb_grow(sb, c, size, gfp, limit);
	if (!blk)
		return NULL;
	*dma = blk->dma;
	return blk;
}

static void *sb_alloc_large(struct dma_smallbuf *sb, size_t size, gfp_t gfp,
			    u64 limit, dma_addr_t *dma)
{
	void *vaddr = dma_alloc_coherent(sb->dev, size, dma, gfp);

	if (!vaddr)
		return NULL;
	if (!sb_reachable(*dma, size, limit)) {
		sb_warn_reach(sb, *dma, limit);
		/* dma_free_coherent() needs interrupts on: else keep it. */
		if (!irqs_disabled())
			dma_free_coherent(sb->dev, size, vaddr, *dma);
		return NULL;
	}
	atomic_long_inc(&sb->large_live);
	atomic_long_add(size, &sb->large_requested);
	atomic_long_add(PAGE_SIZE << get_order(size), &sb->large_backing);
	return vaddr;
}

/* A freed block onto a CPU's list with room. */
static __always_inline void sb_cpu_put(struct sb_cpu *cpu, struct sb_free *blk,
				       dma_addr_t dma, size_t size)
{
	blk->dma = dma;
	sb_cpu_push(cpu, blk);
	cpu->requested -= size;
}

/* A freed block onto this CPU's list, which goes to the class when full. */
static void sb_free_locked(struct dma_smallbuf *sb, unsigned int c,
			   struct sb_cpu *cpu, struct sb_free *blk,
			   dma_addr_t dma, size_t size)
{
	struct sb_class *cls = &sb->class[c];

	/* Full: the older blocks go to the class, the one freed now stays. */
	if (!cpu->room) {
		spin_lock(&cls->lock);
		sb_cpu_flush(cls, cpu);
		spin_unlock(&cls->lock);
	}
	sb_cpu_put(cpu, blk, dma, size);
}

static void sb_free_block(struct dma_smallbuf *sb, size_t size, void *vaddr,
			  dma_addr_t dma)
{
	unsigned int c = sb_size_to_class(size);
	unsigned long flags;

	if (!sb_cpu_lists(sb, c)) {
		dev_warn_ratelimited(sb->dev, "dma_smallbuf_free(%zu, %p): no buffer of that size was ever allocated\n",
				     size, vaddr);
		atomic_long_inc(&sb->errors);
		return;
	}
	if (want_init_on_free())
		memset(vaddr, 0, sb_class_size(c));
	local_lock_irqsave(&sb_cpu_lock, flags);
	sb_free_locked(sb, c, this_cpu_ptr(sb->cpu[c]), vaddr, dma, size);
	local_unlock_irqrestore(&sb_cpu_lock, flags);
}

#ifdef CONFIG_DMA_SMALLBUF_DEBUG
static bool sb_debug_track(struct dma_smallbuf *sb, size_t size, void *vaddr,
			   dma_addr_t dma, gfp_t gfp)
{
	struct sb_record *rec = kmalloc(sizeof(*rec), gfp);
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

/* Returns false, after one warning, if the free must not go ahead. */
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

static void sb_free_any(struct dma_smallbuf *sb, size_t size, void *vaddr,
			dma_addr_t dma)
{
	if (size <= DMA_SMALLBUF_MAX_SIZE) {
		sb_free_block(sb, size, vaddr, dma);
		return;
	}
	dma_free_coherent(sb->dev, size, vaddr, dma);
	atomic_long_dec(&sb->large_live);
	atomic_long_sub(size, &sb->large_requested);
	atomic_long_sub(PAGE_SIZE << get_order(size), &sb->large_backing);
}

static void sb_warn_zone(struct dma_smallbuf *sb, gfp_t gfp,
			 unsigned long caller)
{
	unsigned int flags = (__force unsigned int)(gfp & SB_ZONE_FLAGS);

	/* Once per device and flag, so that every offender is named. */
	if (flags & ~atomic_fetch_or(flags, &sb->zone_flags))
		dev_warn(sb->dev, "dma_smallbuf_alloc: zone flags %#x from %pS ignored, the DMA mask decides\n",
			 flags, (void *)caller);
}

/*
 * Everything but a hit on this CPU's list or a refill from the class list
 * (@stepped: one step of that was taken).
 */
static noinline void *sb_alloc_slow(struct device *dev, size_t size,
				    gfp_t gfp, dma_addr_t *dma,
				    unsigned long caller, bool stepped)
{
	bool zero = want_init_on_alloc(gfp);
	struct dma_smallbuf *sb;
	void *vaddr = NULL;
	unsigned int scope;
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
	might_alloc(gfp);

	scope = sb_scope_save(gfp);
	sb = sb_get(dev, gfp & ~(SB_ZONE_FLAGS | __GFP_ZERO));
	if (!sb)
		goto out;
	if (unlikely(gfp & SB_ZONE_FLAGS))
		sb_warn_zone(sb, gfp, caller);
	gfp &= ~(SB_ZONE_FLAGS | __GFP_ZERO);

	if (size > DMA_SMALLBUF_MAX_SIZE)
		vaddr = sb_alloc_large(sb, size, gfp, limit, dma);
	else
		vaddr = sb_alloc_block(sb, size, gfp, limit, dma, stepped);
	if (vaddr && unlikely(!sb_debug_track(sb, size, vaddr, *dma, gfp))) {
		sb_free_any(sb, size, vaddr, *dma);
		vaddr = NULL;
	}
	sb_put(sb);
out:
	memalloc_flags_restore(scope);
	/* A zeroed buffer is zeroed to its end: the device sees the block. */
	if (vaddr && zero)
		memset(vaddr, 0, size > DMA_SMALLBUF_MAX_SIZE ? size :
				 sb_class_size(sb_size_to_class(size)));
	return vaddr;
}

/* Out of line, so that the fast path saves no registers for memset(). */
static noinline void *sb_zero_block(struct sb_free *blk, unsigned int c)
{
	return memset(blk, 0, sb_class_size(c));
}

/*
 * A miss on this CPU's list: refill it from the class list, with
 * interrupts off throughout, so that no reference on the state is needed.
 * What that cannot serve (no state yet, no free block in reach) goes to
 * the slow path.
 */
static noinline void *sb_alloc_refill(struct device *dev, size_t size,
				      gfp_t gfp, dma_addr_t *dma,
				      unsigned long caller)
{
	unsigned int c = sb_size_to_class(size);
	u64 limit = sb_limit(dev);
	struct sb_cpu __percpu *pcpu;
	struct sb_free *blk = NULL;
	struct dma_smallbuf *sb;
	unsigned long flags;
	bool more;

	local_lock_irqsave(&sb_cpu_lock, flags);
	sb = rcu_dereference_check(dev->dma_smallbuf, rcu_read_lock_any_held());
	pcpu = sb && limit ? sb_cpu_lists(sb, c) : NULL;
	if (pcpu)
		blk = sb_take_locked(&sb->class[c], this_cpu_ptr(pcpu),
				     sb_class_size(c), size, limit, &more);
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	if (!blk)
		return sb_alloc_slow(dev, size, gfp, dma, caller, !!pcpu);
	*dma = blk->dma;
	if (want_init_on_alloc(gfp))
		return sb_zero_block(blk, c);
	return blk;
}

/**
 * dma_smallbuf_alloc - allocate a small coherent buffer the device can reach
 * @dev: device the buffer is for
 * @size: bytes wanted; not 0
 * @gfp: allocation flags (GFP_KERNEL, GFP_NOIO, GFP_ATOMIC, GFP_NOWAIT, ...)
 * @dma: where to store the buffer's DMA address
 *
 * Returns a buffer of at least @size bytes whose DMA address @dma satisfies
 * @dma + @size - 1 <= min(coherent DMA mask, bus limit) of @dev at the time
 * of the call.  No dma_map_single() or dma_sync_*() is needed: the memory
 * is coherent.
 *
 * Up to %DMA_SMALLBUF_MAX_SIZE, the buffer is a block of the power-of-two
 * size class that holds @size (at least %DMA_SMALLBUF_MIN_SIZE bytes):
 * its CPU and DMA addresses are aligned to the class size and it never
 * crosses a page boundary.  Larger buffers come from dma_alloc_coherent(),
 * with its alignment: the DMA address to the smallest power-of-two number
 * of pages that holds @size, the CPU address to a page.
 *
 * Zone modifiers in @gfp (%GFP_DMA, %GFP_DMA32, __GFP_HIGHMEM) are ignored,
 * with one warning per device and flag: the device's mask decides where
 * the memory is.  With __GFP_ZERO (or init_on_alloc) the whole block is
 * zeroed, not only @size bytes.
 *
 * Context: Process context if @gfp allows blocking.  Otherwise any context
 * but NMI, also for the first allocation on a device; on PREEMPT_RT not in
 * hard interrupt context nor under a raw spinlock, as it takes spinlocks.
 * Return: the buffer's CPU address, or %NULL on failure, on a device with
 * no usable coherent DMA mask, or for @size 0 (the last two with a
 * warning).  Free it with dma_smallbuf_free().
 */
void *dma_smallbuf_alloc(struct device *dev, size_t size, gfp_t gfp,
			 dma_addr_t *dma)
{
	struct sb_cpu __percpu *pcpu;
	struct sb_free *blk = NULL;
	struct dma_smallbuf *sb;
	struct sb_cpu *cpu;
	unsigned long flags;
	unsigned int c;

	/* One test for everything unusual; size - 1 also catches size 0. */
	if (unlikely(!dev || !dma || size - 1 >= DMA_SMALLBUF_MAX_SIZE ||
		     (gfp & SB_ZONE_FLAGS) ||
		     IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG)))
		return sb_alloc_slow(dev, size, gfp, dma, _RET_IP_, false);

	c = sb_size_to_class(size);
	local_lock_irqsave(&sb_cpu_lock, flags);
	sb = rcu_dereference_check(dev->dma_smallbuf, rcu_read_lock_any_held());
	pcpu = likely(sb) ? sb_cpu_lists(sb, c) : NULL;
	if (likely(pcpu)) {
		cpu = this_cpu_ptr(pcpu);
		blk = cpu->head;
		/* A device without a usable mask reaches no block. */
		if (likely(blk) && likely(sb_block_in_reach(dev, blk->dma, c))) {
			cpu->head = blk->next;
			cpu->room++;
			cpu->requested += size;
		} else {
			blk = NULL;
		}
	}
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	if (unlikely(!blk))
		return sb_alloc_refill(dev, size, gfp, dma, _RET_IP_);
	*dma = blk->dma;
	if (unlikely(want_init_on_alloc(gfp)))
		return sb_zero_block(blk, c);
	return blk;
}
EXPORT_SYMBOL_GPL(dma_smallbuf_alloc);

/**
 * dma_smallbuf_zalloc - allocate a zeroed small coherent buffer
 * @dev: device the buffer is for
 * @size: bytes wanted; not 0
 * @gfp: allocation flags
 * @dma: where to store the buffer's DMA address
 *
 * As dma_smallbuf_alloc(), with the whole buffer, up to the end of its
 * size class, set to zero.
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

/* Everything but a push onto this CPU's list with room. */
static noinline void sb_free_slow(struct device *dev, size_t size,
				  void *vaddr, dma_addr_t dma,
				  unsigned long caller)
{
	struct dma_smallbuf *sb;

	if (unlikely(!vaddr))
		return;
	if (WARN_ON_ONCE(!dev || !size))
		return;
	sb = sb_find(dev);
	if (unlikely(!sb)) {
		dev_warn_ratelimited(dev, "dma_smallbuf_free(%zu, %p) from %pS: device has no dma_smallbuf state (released?), buffer ignored\n",
				     size, vaddr, (void *)caller);
		return;
	}
	if (sb_debug_untrack(sb, size, vaddr, dma))
		sb_free_any(sb, size, vaddr, dma);
	sb_put(sb);
}

/*
 * A free that the fast path did not finish: this CPU's list is full (it
 * goes to the class first), or there is no state or no list of that size
 * (the slow path refuses it with a warning).  Interrupts stay off, so no
 * reference on the state is needed.
 */
static noinline void sb_free_flush(struct device *dev, size_t size,
				   void *vaddr, dma_addr_t dma,
				   unsigned long caller)
{
	unsigned int c = sb_size_to_class(size);
	struct sb_cpu __percpu *pcpu;
	struct dma_smallbuf *sb;
	unsigned long flags;

	local_lock_irqsave(&sb_cpu_lock, flags);
	sb = rcu_dereference_check(dev->dma_smallbuf, rcu_read_lock_any_held());
	pcpu = sb ? sb_cpu_lists(sb, c) : NULL;
	if (pcpu)
		sb_free_locked(sb, c, this_cpu_ptr(pcpu), vaddr, dma, size);
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	if (!pcpu)
		sb_free_slow(dev, size, vaddr, dma, caller);
}

/* The fast path with init_on_free: wipe the block, then free it. */
static noinline void sb_free_wipe(struct device *dev, size_t size,
				  void *vaddr, dma_addr_t dma,
				  unsigned long caller)
{
	memset(vaddr, 0, sb_class_size(sb_size_to_class(size)));
	sb_free_flush(dev, size, vaddr, dma, caller);
}

/**
 * dma_smallbuf_free - free a buffer from dma_smallbuf_alloc()
 * @dev: device it was allocated for
 * @size: the size it was allocated with
 * @vaddr: its CPU address; %NULL is a no-op
 * @dma: its DMA address
 *
 * The arguments are those of dma_free_coherent().  The buffer must be
 * freed before the device's state is released (see dma_smallbuf_release());
 * a free that finds no state is refused with a warning.  With
 * CONFIG_DMA_SMALLBUF_DEBUG, a double free, a wrong @size or a @dma that
 * does not belong to @vaddr is refused with a warning, and freed buffers
 * are poisoned.  With init_on_free, the block is zeroed.
 *
 * Context: up to %DMA_SMALLBUF_MAX_SIZE, any context but NMI (on
 * PREEMPT_RT, not hard interrupt context nor under a raw spinlock).
 * Larger buffers: process context with interrupts enabled, as for
 * dma_free_coherent().
 */
void dma_smallbuf_free(struct device *dev, size_t size, void *vaddr,
		       dma_addr_t dma)
{
	struct sb_cpu __percpu *pcpu;
	struct dma_smallbuf *sb;
	struct sb_cpu *cpu;
	unsigned long flags;
	bool done = false;
	unsigned int c;

	if (unlikely(!dev || !vaddr || size - 1 >= DMA_SMALLBUF_MAX_SIZE ||
		     IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG)))
		goto slow;
	/* Out of line, so that the push below saves no registers. */
	if (want_init_on_free()) {
		sb_free_wipe(dev, size, vaddr, dma, _RET_IP_);
		return;
	}
	c = sb_size_to_class(size);
	local_lock_irqsave(&sb_cpu_lock, flags);
	sb = rcu_dereference_check(dev->dma_smallbuf, rcu_read_lock_any_held());
	pcpu = likely(sb) ? sb_cpu_lists(sb, c) : NULL;
	if (likely(pcpu)) {
		cpu = this_cpu_ptr(pcpu);
		if (likely(cpu->room)) {
			sb_cpu_put(cpu, vaddr, dma, size);
			done = true;
		}
	}
	local_unlock_irqrestore(&sb_cpu_lock, flags);
	if (likely(done))
		return;
	sb_free_flush(dev, size, vaddr, dma, _RET_IP_);
	return;
slow:
	sb_free_slow(dev, size, vaddr, dma, _RET_IP_);
}
EXPORT_SYMBOL_GPL(dma_smallbuf_free);

/*
 * Blocks of class @c on the CPUs' lists (*@cached) and the bytes their
 * live buffers were asked for, summed over all possible CPUs.
 */
static long sb_class_requested(struct dma_smallbuf *sb, unsigned int c,
			       unsigned long *cached)
{
	struct sb_cpu __percpu *pcpu = sb_cpu_lists(sb, c);
	long requested = 0;
	int cpu;

	*cached = 0;
	if (!pcpu)
		return 0;
	for_each_possible_cpu(cpu) {
		struct sb_cpu *pc = per_cpu_ptr(pcpu, cpu);

		*cached += sb_cpu_nr(&sb->class[c], pc);
		requested += READ_ONCE(pc->requested);
	}
	return requested;
}

/* Live blocks: every block cut is free somewhere or handed out.  Locked. */
static long sb_class_live(struct sb_class *cls, size_t csize,
			  unsigned long cached)
{
	return (long)(cls->nr_pages * (PAGE_SIZE / csize) - cls->nr_free -
		      cls->nr_aside - cached);
}

static void sb_class_stats(struct dma_smallbuf *sb, unsigned int c,
			   struct dma_smallbuf_stats *st)
{
	struct sb_class *cls = &sb->class[c];
	unsigned long cached, flags;
	long live;

	if (!sb_cpu_lists(sb, c))
		return;
	st->requested += sb_class_requested(sb, c, &cached);
	st->cached += (u64)cached * sb_class_size(c);
	st->percpu += (u64)sizeof(struct sb_cpu) * num_possible_cpus();
	spin_lock_irqsave(&cls->lock, flags);
	st->backing += (u64)cls->nr_pages * PAGE_SIZE;
	st->parked += cls->nr_aside;
	live = sb_class_live(cls, sb_class_size(c), cached);
	spin_unlock_irqrestore(&cls->lock, flags);
	/* Blocks moving between lists meanwhile can make it look negative. */
	st->live += max(live, 0L);
}

/**
 * dma_smallbuf_get_stats - report what a device holds
 * @dev: the device
 * @st: filled in with totals over all size classes
 *
 * The figures are read from per-CPU and per-class counters, exact when
 * no allocation or free runs concurrently.
 *
 * Context: any context but NMI.
 * Return: 0, -ENODEV if the device has no dma_smallbuf state (nothing was
 * allocated since it was bound or last released), or -EINVAL for a %NULL
 * argument; @st, if not %NULL, is zeroed on error.
 */
int dma_smallbuf_get_stats(struct device *dev, struct dma_smallbuf_stats *st)
{
	struct dma_smallbuf *sb;
	unsigned int c;

	if (WARN_ON_ONCE(!dev || !st)) {
		if (st)
			memset(st, 0, sizeof(*st));
		return -EINVAL;
	}
	memset(st, 0, sizeof(*st));
	sb = sb_find(dev);
	if (!sb)
		return -ENODEV;
	for (c = 0; c < SB_NR_CLASSES; c++)
		sb_class_stats(sb, c, st);
	st->live += atomic_long_read(&sb->large_live);
	st->requested += atomic_long_read(&sb->large_requested);
	st->backing += atomic_long_read(&sb->large_backing);
	st->errors = atomic_long_read(&sb->errors);
	st->zone_flags = (__force gfp_t)atomic_read(&sb->zone_flags);
	sb_put(sb);
	return 0;
}
EXPORT_SYMBOL_GPL(dma_smallbuf_get_stats);

/* Free everything; pages of a class with buffers still out are leaked. */
static unsigned long sb_destroy(struct dma_smallbuf *sb)
{
	unsigned long total = 0;
	struct sb_page *pg, *next;
	unsigned int c;
	long live;

	for (c = 0; c < SB_NR_CLASSES; c++) {
		struct sb_class *cls = &sb->class[c];
		unsigned long cached;
		long requested;

		requested = sb_class_requested(sb, c, &cached);
		live = sb_class_live(cls, sb_class_size(c), cached);
		if (live) {
			total += abs(live);
			dev_warn(sb->dev, "dma_smallbuf: %ld buffers of up to %zu bytes (%ld bytes) still allocated at release, leaking %lu pages\n",
				 live, sb_class_size(c), requested, cls->nr_pages);
		}
		for (pg = cls->pages; pg; pg = next) {
			next = pg->next;
			if (!live)
				dma_free_coherent(sb->dev, PAGE_SIZE, pg->vaddr, pg->dma);
			kfree(pg);
		}
		free_percpu(sb->cpu[c]);
	}
	live = atomic_long_read(&sb->large_live);
	if (live) {
		total += live;
		dev_warn(sb->dev, "dma_smallbuf: %ld buffers of more than %lu bytes (%ld bytes) still allocated at release, leaking them\n",
			 live, DMA_SMALLBUF_MAX_SIZE,
			 atomic_long_read(&sb->large_requested));
	}
	sb_debug_destroy(sb);
	kfree(sb);
	return total;
}

/**
 * dma_smallbuf_release - free a device's dma_smallbuf state now
 * @dev: the device
 *
 * The driver core calls this when a driver is unbound or fails to probe
 * (after devres_release_all()), before a driver is bound (before the bus's
 * dma_configure()), and in device_del().  Call it yourself only for a
 * device that is never registered, or to drop the state early.
 *
 * Waits for allocations and frees running concurrently on @dev to finish,
 * then frees all memory.  Buffers still allocated are reported and leaked,
 * never freed behind their owner's back.  A free that comes later finds no
 * state and is refused with a warning, as long as nothing allocated on
 * @dev again (which makes a new state: a buffer of the old one freed into
 * it is caught only by CONFIG_DMA_SMALLBUF_DEBUG).
 *
 * Context: process context.
 * Return: the number of buffers that were still allocated.
 */
unsigned long dma_smallbuf_release(struct device *dev)
{
	struct dma_smallbuf *sb;
	unsigned long flags;

	might_sleep();
	if (WARN_ON_ONCE(!dev))
		return 0;
	if (!rcu_access_pointer(dev->dma_smallbuf))
		return 0;
	spin_lock_irqsave(&sb_all_lock, flags);
	sb = rcu_dereference_protected(dev->dma_smallbuf,
				       lockdep_is_held(&sb_all_lock));
	if (sb) {
		list_del(&sb->node);
		RCU_INIT_POINTER(dev->dma_smallbuf, NULL);
	}
	spin_unlock_irqrestore(&sb_all_lock, flags);
	if (!sb)
		return 0;
	/* No fast path can still see it; wait for the slow ones. */
	synchronize_rcu();
	sb_put(sb);
	wait_for_completion(&sb->idle);
	return sb_destroy(sb);
}
EXPORT_SYMBOL_GPL(dma_smallbuf_release);

/* A CPU went away: its lists go to the classes, for the other CPUs. */
static int sb_cpu_dead(unsigned int cpu)
{
	struct dma_smallbuf *sb;
	unsigned int c;

	spin_lock_irq(&sb_all_lock);
	list_for_each_entry(sb, &sb_all, node) {
		for (c = 0; c < SB_NR_CLASSES; c++) {
			struct sb_class *cls = &sb->class[c];
			struct sb_cpu __percpu *pcpu = sb_cpu_lists(sb, c);

			if (!pcpu)
				continue;
			spin_lock(&cls->lock);
			sb_cpu_flush(cls, per_cpu_ptr(pcpu, cpu));
			spin_unlock(&cls->lock);
		}
	}
	spin_unlock_irq(&sb_all_lock);
	return 0;
}

static int __init dma_smallbuf_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					    "dma_smallbuf:dead", NULL,
					    sb_cpu_dead);

	return ret < 0 ? ret : 0;
}
core_initcall(dma_smallbuf_init);
