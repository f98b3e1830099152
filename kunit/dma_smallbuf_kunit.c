// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for dma_smallbuf: every buffer must be reachable by its
 * device, writable over its whole length, aligned as promised and disjoint
 * from every other live buffer, whatever the device's coherent DMA mask.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-smallbuf.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/platform_device.h>
#include <linux/poison.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>

#define SZ_4G_MASK	DMA_BIT_MASK(32)

struct sb_buf {
	void *vaddr;
	dma_addr_t dma;
	size_t size;
};

static void sb_release_action(void *dev)
{
	dma_smallbuf_release(dev);
}

/*
 * A device of the kunit bus with its own dma_mask.  Returns NULL if the DMA
 * API refuses a mask of @bits here: on arm64 and s390 no mask below the
 * end of ZONE_DMA is supported.
 */
static struct device *sb_try_device(struct kunit *test, unsigned int bits)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct device *dev;
	char name[16];
	u64 *mask;

	/* kunit registers a driver of the same name: make it unique. */
	snprintf(name, sizeof(name), "sb%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	mask = kunit_kzalloc(test, sizeof(*mask), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	dev->dma_mask = mask;
	/* Runs before the device is unregistered: actions run in reverse. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sb_release_action, dev), 0);
	if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits)))
		return NULL;
	return dev;
}

static struct device *sb_test_device(struct kunit *test, unsigned int bits)
{
	struct device *dev = sb_try_device(test, bits);

	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "%u-bit DMA mask refused", bits);
	return dev;
}

/* The narrowest of the usual small masks this platform supports. */
static struct device *sb_narrow_device(struct kunit *test)
{
	static const unsigned int bits[] = { 24, 30, 31, 32 };
	struct device *dev;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		dev = sb_try_device(test, bits[i]);
		if (dev)
			return dev;
	}
	return sb_test_device(test, 32);
}

/* Alignment of the DMA address; the CPU address of a large one: a page. */
static size_t sb_align_of(size_t size)
{
	if (size > DMA_SMALLBUF_MAX_SIZE)
		return PAGE_SIZE << get_order(size);
	return max_t(size_t, roundup_pow_of_two(size), DMA_SMALLBUF_MIN_SIZE);
}

static u8 sb_pattern(unsigned int i)
{
	return 0x5a ^ (i * 37);
}

/*
 * Check one buffer just after allocation.  Returns NULL or a description
 * of the first thing that is wrong.
 */
static const char *sb_check(struct device *dev, const struct sb_buf *b)
{
	u64 limit = min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
	size_t align = sb_align_of(b->size);

	if (!b->vaddr)
		return "allocation failed";
	if (b->dma > limit || b->size - 1 > limit - b->dma)
		return "not reachable under the coherent DMA mask";
	if (!IS_ALIGNED(b->dma, align) ||
	    !IS_ALIGNED((unsigned long)b->vaddr, min_t(size_t, align, PAGE_SIZE)))
		return "not aligned to its size class";
	if (b->size <= PAGE_SIZE &&
	    (((unsigned long)b->vaddr ^ ((unsigned long)b->vaddr + b->size - 1)) & PAGE_MASK))
		return "crosses a page boundary";
	if (!get_dma_ops(dev) && !is_vmalloc_addr(b->vaddr) &&
	    b->dma != phys_to_dma(dev, virt_to_phys(b->vaddr)))
		return "DMA handle does not match the physical address";
	return NULL;
}

static int sb_cmp_dma(const void *a, const void *b)
{
	const struct sb_buf *x = a, *y = b;

	if (x->dma == y->dma)
		return 0;
	return x->dma < y->dma ? -1 : 1;
}

/*
 * Allocate @n buffers of @size, fill each with its own pattern, then check
 * them all: reachable, aligned, intact (so writable and not overlapped),
 * and disjoint in DMA space.  Frees them.  Returns the number of failures.
 */
static unsigned int sb_fill_check(struct kunit *test, struct device *dev,
				  size_t size, unsigned int n, gfp_t gfp,
				  dma_addr_t *top)
{
	struct sb_buf *b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	const char *why = NULL;
	unsigned int i, bad = 0, where = 0;
	size_t j;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		b[i].size = size;
		b[i].vaddr = dma_smallbuf_alloc(dev, size, gfp, &b[i].dma);
		why = sb_check(dev, &b[i]);
		if (why) {
			bad++;
			where = i;
			break;
		}
		memset(b[i].vaddr, sb_pattern(i), size);
		if (top)
			*top = max(*top, b[i].dma);
	}
	n = why ? i : n;
	for (i = 0; i < n && !why; i++) {
		const u8 *p = b[i].vaddr;

		for (j = 0; j < size; j++) {
			if (p[j] != sb_pattern(i)) {
				why = "contents changed: overlaps another buffer";
				bad++;
				where = i;
				break;
			}
		}
	}
	if (!why) {
		sort(b, n, sizeof(*b), sb_cmp_dma, NULL);
		for (i = 1; i < n; i++) {
			if (b[i - 1].dma + size > b[i].dma) {
				why = "DMA ranges overlap";
				bad++;
				where = i;
				break;
			}
		}
	}
	if (why)
		KUNIT_FAIL(test, "mask %#llx size %zu buffer %u: %s (dma %pad)",
			   dev->coherent_dma_mask, size, where, why, &b[where].dma);
	for (i = 0; i < n; i++)
		dma_smallbuf_free(dev, size, b[i].vaddr, b[i].dma);
	kunit_kfree(test, b);
	return bad;
}

/* Enough buffers that every pool class spans many pages. */
static unsigned int sb_count_for(size_t size)
{
	if (size > DMA_SMALLBUF_MAX_SIZE)
		return max_t(unsigned int, SZ_1M / size, 16);
	return clamp_t(unsigned int, SZ_1M / size, 256, 1024);
}

static const unsigned int sb_mask_bits[] = { 24, 30, 31, 32, 36, 40, 64 };

static void sb_mask_desc(const unsigned int *bits, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u-bit", *bits);
}

KUNIT_ARRAY_PARAM(sb_mask, sb_mask_bits, sb_mask_desc);

static const size_t sb_odd_sizes[] = { 1, 7, 33, 100, 4095, 4096, 5000, 65536 };

/*
 * A mask the DMA API refuses on this platform: force it anyway.  Memory
 * below it may not exist at all, so every allocation must fail cleanly or
 * be reachable; none may be out of reach.
 */
static void sb_forced_mask(struct kunit *test, unsigned int bits)
{
	struct device *dev = sb_try_device(test, 64);
	unsigned int i, failed = 0, total = 0;
	size_t size;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	*dev->dma_mask = DMA_BIT_MASK(bits);
	dev->coherent_dma_mask = DMA_BIT_MASK(bits);
	for (size = 1; size <= 4 * PAGE_SIZE; size = size * 3 + 1) {
		for (i = 0; i < 16; i++, total++) {
			struct sb_buf b = { .size = size };
			const char *why;

			b.vaddr = dma_smallbuf_alloc(dev, size, GFP_KERNEL | __GFP_NOWARN,
						     &b.dma);
			if (!b.vaddr) {
				failed++;
				continue;
			}
			why = sb_check(dev, &b);
			KUNIT_EXPECT_NULL_MSG(test, why, "forced %u-bit mask, size %zu: %s",
					      bits, size, why);
			dma_smallbuf_free(dev, size, b.vaddr, b.dma);
		}
	}
	kunit_info(test, "%s: %u-bit mask refused by the DMA API; forced, %u of %u allocations failed cleanly, none out of reach",
		   utsname()->machine, bits, failed, total);
}

static void sb_test_mask_matrix(struct kunit *test)
{
	unsigned int bits = *(const unsigned int *)test->param_value;
	struct device *dev = sb_try_device(test, bits);
	struct dma_smallbuf_stats st;
	unsigned int i, bad = 0;
	dma_addr_t top = 0;
	size_t size;

	if (!dev) {
		sb_forced_mask(test, bits);
		return;
	}
	for (size = DMA_SMALLBUF_MIN_SIZE; size <= DMA_SMALLBUF_MAX_SIZE; size <<= 1)
		bad += sb_fill_check(test, dev, size, sb_count_for(size), GFP_KERNEL, &top);
	for (i = 0; i < ARRAY_SIZE(sb_odd_sizes); i++)
		bad += sb_fill_check(test, dev, sb_odd_sizes[i],
				     sb_count_for(sb_odd_sizes[i]), GFP_KERNEL, &top);
	KUNIT_EXPECT_EQ(test, bad, 0);

	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.requested, 0);
	KUNIT_EXPECT_EQ(test, st.parked, 0);
	kunit_info(test, "%s: %u-bit mask: highest DMA address %pad, %llu bytes of pool pages",
		   utsname()->machine, bits, &top, st.backing);
}

/* Where this architecture's zones lie: what GFP_DMA would have meant. */
static void sb_test_zones(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_DMA_SMALLBUF_KUNIT_TEST)
	struct zone *zone;

	for_each_populated_zone(zone)
		kunit_info(test, "%s: zone %-7s %#llx-%#llx", utsname()->machine,
			   zone->name, (u64)PFN_PHYS(zone->zone_start_pfn),
			   (u64)PFN_PHYS(zone_end_pfn(zone)) - 1);
	kunit_info(test, "%s: DMA_SMALLBUF_MIN_SIZE %lu, ARCH_DMA_MINALIGN %d, PAGE_SIZE %lu",
		   utsname()->machine, DMA_SMALLBUF_MIN_SIZE, (int)ARCH_DMA_MINALIGN,
		   PAGE_SIZE);
#else
	kunit_skip(test, "zone report needs the suite built in");
#endif
}

static bool sb_ram_above_4g(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT > SZ_4G + SZ_512M;
}

/*
 * The last byte of ZONE_DMA and of memory, from the zone list.  Only a
 * built-in suite can walk the zones; elsewhere this returns false.
 */
static bool sb_zone_limits(u64 *dma_end, u64 *mem_end)
{
#if IS_BUILTIN(CONFIG_DMA_SMALLBUF_KUNIT_TEST) && defined(CONFIG_ZONE_DMA)
	struct zone *zone;

	*dma_end = 0;
	*mem_end = 0;
	for_each_populated_zone(zone) {
		u64 end = PFN_PHYS(zone_end_pfn(zone)) - 1;

		if (zone_idx(zone) == ZONE_DMA)
			*dma_end = end;
		*mem_end = max(*mem_end, end);
	}
	return *dma_end != 0;
#else
	return false;
#endif
}

static unsigned int sb_count_above(const struct sb_buf *b, unsigned int n,
				   u64 mask)
{
	unsigned int i, above = 0;

	for (i = 0; i < n; i++)
		above += b[i].dma + b[i].size - 1 > mask;
	return above;
}

/*
 * Narrowing the mask: later buffers obey the new mask.  Narrow to 32 bits
 * if the wide-mask buffers went above 4 GiB, else to 31 bits (s390 hands
 * out memory from 2 GiB up first): either way, some blocks in the caches
 * and pools are then out of reach and must not be handed out again.  With
 * @bus the device's mask stays and the bus limit narrows instead.
 */
static void sb_narrow(struct kunit *test, bool bus)
{
	const size_t sizes[] = { 64, 256, 4096 };
	const unsigned int n = 512, total = n * ARRAY_SIZE(sizes);
	struct device *dev = sb_test_device(test, 64);
	struct dma_smallbuf_stats st;
	unsigned int i, s, high, bits = 32;
	struct sb_buf *b;

	b = kunit_kcalloc(test, total, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (i = 0; i < n; i++) {
			struct sb_buf *x = &b[s * n + i];

			x->size = sizes[s];
			x->vaddr = dma_smallbuf_alloc(dev, x->size, GFP_KERNEL, &x->dma);
			KUNIT_ASSERT_NOT_NULL(test, x->vaddr);
		}
	}
	high = sb_count_above(b, total, DMA_BIT_MASK(bits));
	if (!high) {
		bits = 31;
		high = sb_count_above(b, total, DMA_BIT_MASK(bits));
	}
	kunit_info(test, "%s: %u of %u buffers out of reach of a %u-bit mask",
		   utsname()->machine, high, total, bits);
	if (sb_ram_above_4g())
		KUNIT_EXPECT_GT_MSG(test, high, 0,
				    "no buffer above 2 GiB: the test proves nothing");

	/* Give half back, so that the caches and pools hold high blocks. */
	for (i = 0; i < total; i += 2)
		dma_smallbuf_free(dev, b[i].size, b[i].vaddr, b[i].dma);

	if (bus)
		dev->bus_dma_limit = DMA_BIT_MASK(bits);
	else
		KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits)), 0);
	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, sizes[s], 2 * n,
						    GFP_KERNEL, NULL), 0);

	for (i = 1; i < total; i += 2)
		dma_smallbuf_free(dev, b[i].size, b[i].vaddr, b[i].dma);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	if (high)
		KUNIT_EXPECT_GT(test, st.parked, 0);
	/* And after all the high buffers came back, still only low ones. */
	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, sizes[s], 2 * n,
						    GFP_KERNEL, NULL), 0);
	dev->bus_dma_limit = 0;
}

static void sb_test_narrow_mask(struct kunit *test)
{
	sb_narrow(test, false);
}

/* The same with the bus limit narrowed: the fast path reads it as well. */
static void sb_test_narrow_bus_limit(struct kunit *test)
{
	sb_narrow(test, true);
}

/* A bus limit narrower than the device mask is honoured too. */
static void sb_test_bus_limit(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 64);

	dev->bus_dma_limit = DMA_BIT_MASK(31);
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 512, 256, GFP_KERNEL, NULL), 0);
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 8192, 16, GFP_KERNEL, NULL), 0);
	dev->bus_dma_limit = 0;
}

static void sb_test_no_mask(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	dma_addr_t dma;
	u64 *mask = dev->dma_mask;

	dev->dma_mask = NULL;
	KUNIT_EXPECT_NULL(test, dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &dma));
	KUNIT_EXPECT_NULL(test, dma_smallbuf_zalloc(dev, 8192, GFP_KERNEL, &dma));
	dev->dma_mask = mask;
	dev->coherent_dma_mask = 0;
	KUNIT_EXPECT_NULL(test, dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &dma));
	/* Refused before any per-device state was made. */
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);
}

static void sb_test_size_zero(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	dma_addr_t dma;

	KUNIT_EXPECT_NULL(test, dma_smallbuf_alloc(dev, 0, GFP_KERNEL, &dma));
	KUNIT_EXPECT_NULL(test, dma_smallbuf_zalloc(dev, 0, GFP_ATOMIC, &dma));
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);
	/* Freeing NULL is a no-op, as for kfree(). */
	dma_smallbuf_free(dev, 64, NULL, 0);
}

static void sb_test_large(struct kunit *test)
{
	const size_t sizes[] = { DMA_SMALLBUF_MAX_SIZE + 1, 3 * PAGE_SIZE,
				 SZ_64K, SZ_1M };
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, sizes[i], 8,
						    GFP_KERNEL, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.backing, 0);
}

/* Zone modifiers are ignored: the mask decides, not ZONE_DMA. */
static void sb_test_zone_flags(struct kunit *test)
{
	const gfp_t flags[] = { GFP_KERNEL | GFP_DMA, GFP_KERNEL | GFP_DMA32,
				GFP_KERNEL | __GFP_HIGHMEM };
	struct device *dev = sb_test_device(test, 64);
	struct device *narrow = sb_narrow_device(test);
	u64 dma_end, mem_end;
	dma_addr_t top = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct sb_buf b = { .size = 2048 };

		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 2048, 256, flags[i], &top), 0);
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, narrow, 512, 64, flags[i], NULL), 0);
		b.vaddr = dma_smallbuf_alloc(dev, b.size, flags[i], &b.dma);
		KUNIT_EXPECT_NULL(test, sb_check(dev, &b));
		top = max(top, b.dma);
		dma_smallbuf_free(dev, b.size, b.vaddr, b.dma);
	}
	/*
	 * Had GFP_DMA been honoured, nothing could lie above ZONE_DMA.  Where
	 * the zones cannot be read, ZONE_DMA ends below 4 GiB everywhere.
	 */
	if (!sb_zone_limits(&dma_end, &mem_end)) {
		dma_end = SZ_4G_MASK;
		mem_end = sb_ram_above_4g() ? U64_MAX : 0;
	}
	kunit_info(test, "%s: highest buffer %pad with GFP_DMA and friends, ZONE_DMA ends at %#llx",
		   utsname()->machine, &top, dma_end);
	if (mem_end > dma_end + SZ_256M)
		KUNIT_EXPECT_GT(test, (u64)top, dma_end);
}

/* The first allocation of a class on a fresh device, under a spinlock. */
static void sb_test_atomic_first(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct sb_buf b[3] = { { .size = 64 }, { .size = 4096 }, { .size = 100 } };
	struct dma_smallbuf_stats st;
	unsigned long flags;
	spinlock_t lock;	/* only held, to make the context atomic */
	unsigned int i;

	spin_lock_init(&lock);
	spin_lock_irqsave(&lock, flags);
	b[0].vaddr = dma_smallbuf_alloc(dev, b[0].size, GFP_ATOMIC, &b[0].dma);
	b[1].vaddr = dma_smallbuf_zalloc(dev, b[1].size, GFP_NOWAIT, &b[1].dma);
	b[2].vaddr = dma_smallbuf_alloc(dev, b[2].size, GFP_ATOMIC, &b[2].dma);
	/* Nothing in there may have turned interrupts back on. */
	KUNIT_EXPECT_TRUE(test, irqs_disabled());
	spin_unlock_irqrestore(&lock, flags);

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		KUNIT_EXPECT_NULL_MSG(test, sb_check(dev, &b[i]), "size %zu", b[i].size);
		if (b[i].vaddr)
			memset(b[i].vaddr, 0xa5, b[i].size);
	}
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 3);
	/* One page per class, taken with GFP_ATOMIC: 64, 4096 and 128 bytes. */
	KUNIT_EXPECT_EQ(test, st.backing, 3 * PAGE_SIZE);

	spin_lock_irqsave(&lock, flags);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		dma_smallbuf_free(dev, b[i].size, b[i].vaddr, b[i].dma);
	KUNIT_EXPECT_TRUE(test, irqs_disabled());
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);

	/* Atomic and sleeping callers share the classes. */
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 64, 300, GFP_ATOMIC, NULL), 0);
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 64, 300, GFP_KERNEL, NULL), 0);
}

struct sb_worker {
	struct device *dev;
	struct completion done;
	unsigned int seed;
	unsigned long allocs, frees, errors;
};

#define SB_RING 48

static int sb_worker_fn(void *data)
{
	static const size_t sizes[] = { 8, 32, 64, 100, 256, 512, 1500, 2048, 4096 };
	struct sb_worker *w = data;
	struct sb_buf ring[SB_RING] = {};
	unsigned int i, k;

	for (i = 0; i < 20000; i++) {
		struct sb_buf *b = &ring[i % SB_RING];
		u8 tag = i / SB_RING + w->seed;

		if (b->vaddr) {
			if (memchr_inv(b->vaddr, (u8)(tag - 1), b->size))
				w->errors++;
			dma_smallbuf_free(w->dev, b->size, b->vaddr, b->dma);
			w->frees++;
		}
		b->size = sizes[(i * 7 + w->seed) % ARRAY_SIZE(sizes)];
		b->vaddr = dma_smallbuf_alloc(w->dev, b->size,
					      i & 1 ? GFP_ATOMIC : GFP_KERNEL, &b->dma);
		if (sb_check(w->dev, b)) {
			w->errors++;
			b->vaddr = NULL;
			continue;
		}
		w->allocs++;
		memset(b->vaddr, tag, b->size);
		if (!(i & 255))
			cond_resched();
	}
	for (k = 0; k < SB_RING; k++) {
		if (!ring[k].vaddr)
			continue;
		dma_smallbuf_free(w->dev, ring[k].size, ring[k].vaddr, ring[k].dma);
		w->frees++;
	}
	complete(&w->done);
	return 0;
}

/* Every CPU allocating and freeing at once: nothing lost, nothing shared. */
static void sb_test_concurrent(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	unsigned int nr = num_online_cpus(), i = 0;
	unsigned long allocs = 0, frees = 0, errors = 0;
	struct dma_smallbuf_stats st;
	struct sb_worker *w;
	int cpu;

	w = kunit_kcalloc(test, nr, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (i == nr)
			break;
		w[i].dev = dev;
		w[i].seed = i * 13;
		init_completion(&w[i].done);
		t = kthread_create_on_cpu(sb_worker_fn, &w[i], cpu, "sb_test/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		wake_up_process(t);
		i++;
	}
	nr = i;
	for (i = 0; i < nr; i++) {
		wait_for_completion(&w[i].done);
		allocs += w[i].allocs;
		frees += w[i].frees;
		errors += w[i].errors;
	}
	kunit_info(test, "%u CPUs: %lu allocations, %lu frees", nr, allocs, frees);
	KUNIT_EXPECT_EQ(test, errors, 0);
	KUNIT_EXPECT_EQ(test, allocs, frees);
	KUNIT_EXPECT_GT(test, allocs, 0);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.requested, 0);
	/* Freed blocks went back to their classes, not leaked. */
	KUNIT_EXPECT_EQ(test, dma_smallbuf_release(dev), 0);
}

/* Release with buffers outstanding: reported, nothing freed twice. */
static void sb_test_release_outstanding(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	struct sb_buf b[4] = { { .size = 64 }, { .size = 64 }, { .size = 1024 },
			       { .size = 3 * PAGE_SIZE } };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		b[i].vaddr = dma_smallbuf_alloc(dev, b[i].size, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NULL(test, sb_check(dev, &b[i]));
	}
	dma_smallbuf_free(dev, b[0].size, b[0].vaddr, b[0].dma);

	KUNIT_EXPECT_EQ(test, dma_smallbuf_release(dev), 3);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);
	/* A late free is refused with a warning, not applied to freed pools. */
	dma_smallbuf_free(dev, b[1].size, b[1].vaddr, b[1].dma);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);
	/* The leaked buffers are still ours to write: nothing reused them. */
	memset(b[1].vaddr, 0x11, b[1].size);
	memset(b[2].vaddr, 0x22, b[2].size);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_release(dev), 0);

	/* The device starts afresh. */
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 64, 256, GFP_KERNEL, NULL), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(b[1].vaddr, 0x11, b[1].size));
	KUNIT_EXPECT_FALSE(test, memchr_inv(b[2].vaddr, 0x22, b[2].size));
}

/*
 * A driver whose probe registers a devm action before its first
 * allocation; the action sends a last command in a small buffer at unbind.
 */
struct sb_drvdata {
	struct device *dev;
	struct sb_buf buf[2];
};

static int sb_probe_stats;		/* dma_smallbuf_get_stats() in probe */
static unsigned int sb_last_commands;	/* devm actions that got a buffer */

static void sb_last_command(void *data)
{
	struct sb_drvdata *d = data;
	dma_addr_t dma;
	void *cmd;

	cmd = dma_smallbuf_alloc(d->dev, 64, GFP_KERNEL, &dma);
	if (!cmd)
		return;
	memset(cmd, 0xc3, 64);
	dma_smallbuf_free(d->dev, 64, cmd, dma);
	sb_last_commands++;
}

static int sb_probe(struct platform_device *pdev)
{
	struct sb_drvdata *d = devm_kzalloc(&pdev->dev, sizeof(*d), GFP_KERNEL);
	struct dma_smallbuf_stats st;
	unsigned int i;
	int ret;

	if (!d)
		return -ENOMEM;
	d->dev = &pdev->dev;
	sb_probe_stats = dma_smallbuf_get_stats(&pdev->dev, &st);
	ret = devm_add_action_or_reset(&pdev->dev, sb_last_command, d);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(d->buf); i++) {
		d->buf[i].size = 128;
		d->buf[i].vaddr = dma_smallbuf_alloc(&pdev->dev, 128, GFP_KERNEL,
						     &d->buf[i].dma);
		if (!d->buf[i].vaddr)
			return -ENOMEM;
	}
	platform_set_drvdata(pdev, d);
	return 0;
}

static void sb_remove(struct platform_device *pdev)
{
	struct sb_drvdata *d = platform_get_drvdata(pdev);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->buf); i++)
		dma_smallbuf_free(&pdev->dev, d->buf[i].size, d->buf[i].vaddr,
				  d->buf[i].dma);
}

static struct platform_driver sb_driver = {
	.probe = sb_probe,
	.remove_new = sb_remove,
	.driver = { .name = "dma_smallbuf_kunit" },
};

/*
 * The driver core owns the state's lifetime: a state made before the bind
 * is gone when probe runs (blocks taken before the bus's dma_configure()
 * are never handed out after it); devm actions may allocate at unbind, and
 * the state goes after them, so the device can be probed again.
 */
static void sb_test_driver_lifetime(struct kunit *test)
{
	struct platform_device_info info = {
		.name = "dma_smallbuf_kunit",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct dma_smallbuf_stats st;
	struct platform_device *pdev;
	struct device *dev;
	struct sb_buf b = { .size = 256 };

	pdev = platform_device_register_full(&info);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
	dev = &pdev->dev;
	sb_last_commands = 0;

	/* Unbound: a state with cached blocks, taken before any bind. */
	b.vaddr = dma_smallbuf_alloc(dev, b.size, GFP_KERNEL, &b.dma);
	KUNIT_EXPECT_NULL(test, sb_check(dev, &b));
	dma_smallbuf_free(dev, b.size, b.vaddr, b.dma);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);

	KUNIT_ASSERT_EQ(test, platform_driver_register(&sb_driver), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &sb_driver.driver);
	KUNIT_EXPECT_EQ(test, sb_probe_stats, -ENODEV);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 2);

	device_release_driver(dev);
	KUNIT_EXPECT_EQ(test, sb_last_commands, 1);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);

	/* Nothing was left behind: the device can be probed again. */
	KUNIT_EXPECT_EQ(test, device_attach(dev), 1);
	KUNIT_EXPECT_EQ(test, sb_probe_stats, -ENODEV);
	device_release_driver(dev);
	KUNIT_EXPECT_EQ(test, sb_last_commands, 2);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);

	platform_device_unregister(pdev);
	platform_driver_unregister(&sb_driver);
}

struct sb_hammer {
	struct device *dev;
	atomic_t stop;
	unsigned long rounds, errors;
	struct completion done;
};

static int sb_hammer_fn(void *data)
{
	struct sb_hammer *h = data;
	struct sb_buf b = { .size = 64 };

	while (!atomic_read(&h->stop)) {
		b.vaddr = dma_smallbuf_alloc(h->dev, b.size,
					     h->rounds & 1 ? GFP_ATOMIC : GFP_KERNEL, &b.dma);
		if (sb_check(h->dev, &b)) {
			h->errors++;
		} else {
			memset(b.vaddr, 0x77, b.size);
			if (memchr_inv(b.vaddr, 0x77, b.size))
				h->errors++;
			dma_smallbuf_free(h->dev, b.size, b.vaddr, b.dma);
		}
		h->rounds++;
		cond_resched();
	}
	complete(&h->done);
	return 0;
}

/*
 * Release while another CPU allocates and frees on the device: the release
 * waits for them, a late call finds no state or a new one, every buffer
 * is valid, and nothing touches freed memory (KASAN checks that in the
 * debug runs, lockdep and the log scan in the x86_64 run too).
 */
static void sb_test_release_race(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct sb_hammer h = { .dev = dev };
	struct task_struct *t;
	unsigned int i;
	int cpu;

	init_completion(&h.done);
	cpu = cpumask_last(cpu_online_mask);
	t = kthread_create_on_cpu(sb_hammer_fn, &h, cpu, "sb_hammer/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wake_up_process(t);
	for (i = 0; i < 100; i++) {
		dma_smallbuf_release(dev);
		usleep_range(200, 400);
	}
	atomic_set(&h.stop, 1);
	wait_for_completion(&h.done);
	kunit_info(test, "%lu rounds against 100 releases on CPU %d", h.rounds, cpu);
	KUNIT_EXPECT_GT(test, h.rounds, 0);
	/* Every buffer handed out meanwhile was whole and in reach. */
	KUNIT_EXPECT_EQ(test, h.errors, 0);
}

/* NULL where a device or a result belongs: an error and a warning. */
static void sb_test_null_args(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st = { .live = 1 };
	dma_addr_t dma;

	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(NULL, &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_release(NULL), 0);
	KUNIT_EXPECT_NULL(test, dma_smallbuf_alloc(NULL, 64, GFP_KERNEL, &dma));
	KUNIT_EXPECT_NULL(test, dma_smallbuf_alloc(dev, 64, GFP_KERNEL, NULL));
	dma_smallbuf_free(NULL, 64, &st, 0);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), -ENODEV);
}

static unsigned int sb_cpu_max(size_t csize)
{
	return max_t(unsigned int, DMA_SMALLBUF_CPU_BYTES / csize, DMA_SMALLBUF_CPU_MIN);
}

/*
 * Per-CPU memory: a device that uses one size class costs at most 128
 * bytes per possible CPU, and a first 4 KiB buffer takes one page.
 */
static void sb_test_percpu_cost(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	struct sb_buf b = { .size = 4096 };

	b.vaddr = dma_smallbuf_alloc(dev, b.size, GFP_KERNEL, &b.dma);
	KUNIT_ASSERT_NULL(test, sb_check(dev, &b));
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	kunit_info(test, "%s: %llu per-CPU bytes over %u possible CPUs for one class",
		   utsname()->machine, st.percpu, num_possible_cpus());
	KUNIT_EXPECT_GT(test, st.percpu, 0);
	KUNIT_EXPECT_LE(test, st.percpu, 128ULL * num_possible_cpus());
	KUNIT_EXPECT_EQ(test, st.backing, PAGE_SIZE);
	dma_smallbuf_free(dev, b.size, b.vaddr, b.dma);
}

/*
 * One CPU's list holds at most DMA_SMALLBUF_CPU_BYTES (or CPU_MIN blocks)
 * per class; when it overflows, the older blocks go and the one freed last
 * stays, and the one freed before it is the next to come back.
 */
static void sb_test_cpu_list_bound(struct kunit *test)
{
	static const size_t sizes[] = { 16, 64, 512, 4096 };
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	unsigned int i, s, n, max;
	struct sb_buf *b, x;
	u64 cached;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		/* The lists of the classes done before stay as they are. */
		if (dma_smallbuf_get_stats(dev, &st))
			st.cached = 0;
		cached = st.cached;
		max = sb_cpu_max(sizes[s]);
		n = 4 * max + 1;
		b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, b);
		migrate_disable();
		for (i = 0; i < n; i++) {
			b[i].size = sizes[s];
			b[i].vaddr = dma_smallbuf_alloc(dev, sizes[s], GFP_KERNEL, &b[i].dma);
		}
		for (i = 0; i < n; i++)
			dma_smallbuf_free(dev, sizes[s], b[i].vaddr, b[i].dma);
		x.size = sizes[s];
		x.vaddr = dma_smallbuf_alloc(dev, sizes[s], GFP_KERNEL, &x.dma);
		KUNIT_EXPECT_PTR_EQ(test, x.vaddr, b[n - 1].vaddr);
		x.vaddr = dma_smallbuf_alloc(dev, sizes[s], GFP_KERNEL, &x.dma);
		KUNIT_EXPECT_PTR_EQ(test, x.vaddr, b[n - 2].vaddr);
		dma_smallbuf_free(dev, sizes[s], b[n - 2].vaddr, b[n - 2].dma);
		dma_smallbuf_free(dev, sizes[s], b[n - 1].vaddr, b[n - 1].dma);
		migrate_enable();
		KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
		KUNIT_EXPECT_EQ(test, st.live, 0);
		KUNIT_EXPECT_LE_MSG(test, st.cached - cached, (u64)max * sizes[s],
				    "size %zu: more cached than one CPU may keep", sizes[s]);
		KUNIT_EXPECT_GT(test, st.cached, cached);
		kunit_kfree(test, b);
	}
}

static long sb_alloc_free_on(void *data)
{
	struct device *dev = data;
	struct sb_buf b[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(b); i++)
		b[i].vaddr = dma_smallbuf_alloc(dev, 256, GFP_KERNEL, &b[i].dma);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		dma_smallbuf_free(dev, 256, b[i].vaddr, b[i].dma);
	return 0;
}

/* A CPU that goes offline gives its free blocks back. */
static void sb_test_cpu_offline(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	unsigned int cpu;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CPU hotplug and two CPUs");
	cpu = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, sb_alloc_free_on, dev), 0);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_GT(test, st.cached, 0);
	ret = remove_cpu(cpu);
	if (ret)
		kunit_skip(test, "CPU %u cannot go offline: %d", cpu, ret);
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.cached, 0);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	/* The blocks are the class's again: no new page for them. */
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 256, 8, GFP_KERNEL, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.backing, PAGE_SIZE);
}

static void sb_test_zalloc(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	const size_t sizes[] = { 48, 700, 4096, 6000 };
	unsigned int i, r;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (r = 0; r < 32; r++) {
			dma_addr_t dma;
			u8 *p = dma_smallbuf_zalloc(dev, sizes[i], GFP_KERNEL, &dma);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_FALSE_MSG(test, memchr_inv(p, 0, sizes[i]),
					       "size %zu not zeroed", sizes[i]);
			memset(p, 0xff, sizes[i]);
			dma_smallbuf_free(dev, sizes[i], p, dma);
		}
	}
}

/* With init_on_free=1, a freed block keeps nothing of its data. */
static void sb_test_init_on_free(struct kunit *test)
{
	struct device *dev;
	dma_addr_t dma;
	u8 *p;

	if (!want_init_on_free())
		kunit_skip(test, "boot with init_on_free=1");
	dev = sb_test_device(test, 32);
	p = dma_smallbuf_alloc(dev, 200, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 256);
	dma_smallbuf_free(dev, 200, p, dma);
	/* Past the link and DMA address a free block carries. */
	KUNIT_EXPECT_FALSE(test, memchr_inv(p + sizeof(void *) + sizeof(dma_addr_t), 0,
					    256 - sizeof(void *) - sizeof(dma_addr_t)));
}

/*
 * A GFP_NOFS or GFP_NOIO caller may be reclaiming itself: nothing done on
 * its behalf, the first allocation included, may recurse into the
 * filesystem.  Lockdep (in the runs with the kernel's checkers)
 * reports it if anything does.
 */
static void sb_test_noio(struct kunit *test)
{
	const gfp_t flags[] = { GFP_NOFS, GFP_NOIO };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct device *dev = sb_test_device(test, 32);
		struct sb_buf b[2] = { { .size = 64 }, { .size = 8192 } };
		unsigned int j;

		fs_reclaim_acquire(GFP_KERNEL);
		for (j = 0; j < ARRAY_SIZE(b); j++)
			b[j].vaddr = dma_smallbuf_alloc(dev, b[j].size, flags[i], &b[j].dma);
		fs_reclaim_release(GFP_KERNEL);
		for (j = 0; j < ARRAY_SIZE(b); j++) {
			KUNIT_EXPECT_NULL(test, sb_check(dev, &b[j]));
			dma_smallbuf_free(dev, b[j].size, b[j].vaddr, b[j].dma);
		}
	}
}

/* Zone flags are named once per device, not once for the whole kernel. */
static void sb_test_zone_warn_per_device(struct kunit *test)
{
	struct device *a = sb_test_device(test, 32), *b = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;
	struct sb_buf x = { .size = 64 }, y = { .size = 64 };

	x.vaddr = dma_smallbuf_alloc(a, 64, GFP_KERNEL | GFP_DMA, &x.dma);
	y.vaddr = dma_smallbuf_alloc(b, 64, GFP_KERNEL | GFP_DMA, &y.dma);
	KUNIT_EXPECT_NULL(test, sb_check(a, &x));
	KUNIT_EXPECT_NULL(test, sb_check(b, &y));
	dma_smallbuf_free(a, 64, x.vaddr, x.dma);
	dma_smallbuf_free(b, 64, y.vaddr, y.dma);
	x.vaddr = dma_smallbuf_alloc(a, 64, GFP_KERNEL | GFP_DMA32, &x.dma);
	dma_smallbuf_free(a, 64, x.vaddr, x.dma);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(a, &st), 0);
	KUNIT_EXPECT_TRUE(test, st.zone_flags == (GFP_DMA | GFP_DMA32));
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(b, &st), 0);
	KUNIT_EXPECT_TRUE(test, st.zone_flags == GFP_DMA);
}

/* Small buffers share pages: 16-byte classes, not ARCH_DMA_MINALIGN. */
static void sb_test_min_size(struct kunit *test)
{
	const unsigned int n = PAGE_SIZE / 16;
	struct device *dev = sb_test_device(test, 32);
	struct dma_smallbuf_stats st;

	KUNIT_EXPECT_EQ(test, DMA_SMALLBUF_MIN_SIZE, 16);
	/* On one CPU: blocks on another CPU's list would need a second page. */
	migrate_disable();
	KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 1, n, GFP_KERNEL, NULL), 0);
	migrate_enable();
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.backing, PAGE_SIZE);
}

/* A zeroed buffer is zeroed to the end of its block: the device sees it all. */
static void sb_test_zalloc_block(struct kunit *test)
{
	struct device *dev = sb_test_device(test, 32);
	dma_addr_t dma;
	u8 *p, *q;

	migrate_disable();
	p = dma_smallbuf_alloc(dev, 100, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xff, 128);
	dma_smallbuf_free(dev, 100, p, dma);
	q = dma_smallbuf_zalloc(dev, 100, GFP_KERNEL, &dma);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_FALSE(test, memchr_inv(q, 0, 128));
	dma_smallbuf_free(dev, 100, q, dma);
}

/* Hold @n buffers of @size. */
static void sb_hold(struct kunit *test, struct device *dev, struct sb_buf *b,
		    unsigned int n, size_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		b[i].size = size;
		b[i].vaddr = dma_smallbuf_alloc(dev, size, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NOT_NULL(test, b[i].vaddr);
	}
}

static void sb_free_all(struct device *dev, struct sb_buf *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dma_smallbuf_free(dev, b[i].size, b[i].vaddr, b[i].dma);
}

/*
 * A mask that puts some of @b out of reach: 32 bits if any lies above
 * 4 GiB, else 31 bits (s390 hands out memory from 2 GiB up first), else 0.
 */
static unsigned int sb_narrow_bits(const struct sb_buf *b, unsigned int n)
{
	if (sb_count_above(b, n, DMA_BIT_MASK(32)))
		return 32;
	if (sb_count_above(b, n, DMA_BIT_MASK(31)))
		return 31;
	return 0;
}

/*
 * After the mask is narrowed, one atomic allocation with interrupts off
 * looks at a list's worth of the class's blocks at most: it does not walk
 * every out-of-reach block the device has.
 */
static void sb_test_narrow_bounded(struct kunit *test)
{
	const unsigned int n = 2048;
	struct device *dev = sb_test_device(test, 64);
	struct sb_buf *b, x = { .size = 64 };
	struct dma_smallbuf_stats st;
	unsigned int above, bits;
	unsigned long flags;

	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* On one CPU, so that only its list holds blocks. */
	migrate_disable();
	sb_hold(test, dev, b, n, 64);
	bits = sb_narrow_bits(b, n);
	above = bits ? sb_count_above(b, n, DMA_BIT_MASK(bits)) : 0;
	sb_free_all(dev, b, n);
	if (above < n / 2) {
		migrate_enable();
		kunit_skip(test, "only %u of %u buffers above 2 GiB", above, n);
	}
	KUNIT_EXPECT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits)), 0);
	local_irq_save(flags);
	x.vaddr = dma_smallbuf_alloc(dev, 64, GFP_ATOMIC, &x.dma);
	local_irq_restore(flags);
	migrate_enable();
	KUNIT_EXPECT_NULL(test, sb_check(dev, &x));
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	kunit_info(test, "%s: %u of %u free blocks out of reach of %u bits; one allocation set aside %lu",
		   utsname()->machine, above, n, bits, st.parked);
	KUNIT_EXPECT_LE(test, st.parked, sb_cpu_max(64));
	dma_smallbuf_free(dev, 64, x.vaddr, x.dma);
}

/*
 * Narrowing and widening the mask again and again: set-aside blocks come
 * back when the mask allows, so the device does not grow with each cycle.
 */
static void sb_test_narrow_widen(struct kunit *test)
{
	const unsigned int n = 1024;
	struct device *dev = sb_test_device(test, 64);
	struct dma_smallbuf_stats st;
	unsigned int cycle, bits;
	u64 backing = 0;
	struct sb_buf *b;

	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	sb_hold(test, dev, b, n, 256);
	bits = sb_narrow_bits(b, n);
	sb_free_all(dev, b, n);
	if (!bits)
		kunit_skip(test, "no buffer above 2 GiB");

	migrate_disable();
	for (cycle = 0; cycle < 4; cycle++) {
		KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits)), 0);
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 256, n, GFP_KERNEL, NULL), 0);
		KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
		KUNIT_EXPECT_EQ(test, sb_fill_check(test, dev, 256, n, GFP_KERNEL, NULL), 0);
		KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
		/* Widened: nothing stays set aside once the class was used. */
		KUNIT_EXPECT_EQ(test, st.parked, 0);
		kunit_info(test, "%s: %u bits, cycle %u: %llu bytes of pages",
			   utsname()->machine, bits, cycle, st.backing);
		if (!cycle)
			backing = st.backing;
		KUNIT_EXPECT_EQ_MSG(test, st.backing, backing, "cycle %u grew", cycle);
	}
	migrate_enable();
}

/*
 * CONFIG_DMA_SMALLBUF_DEBUG tracks every buffer in an xarray: a zeroed
 * buffer's __GFP_ZERO must not reach the xarray's node allocations (slab
 * warns about __GFP_ZERO on a cache with a constructor).
 */
static void sb_test_debug_zalloc_many(struct kunit *test)
{
	const unsigned int n = 4096;
	struct device *dev;
	struct sb_buf *b;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG))
		kunit_skip(test, "needs CONFIG_DMA_SMALLBUF_DEBUG");
	dev = sb_test_device(test, 32);
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		b[i].size = 16;
		b[i].vaddr = dma_smallbuf_zalloc(dev, 16, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NOT_NULL(test, b[i].vaddr);
	}
	sb_free_all(dev, b, n);
}

static void sb_test_debug_double_free(struct kunit *test)
{
	struct device *dev;
	struct dma_smallbuf_stats st;
	dma_addr_t a_dma, b_dma, c_dma;
	u8 *a, *b, *c;

	if (!IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG))
		kunit_skip(test, "needs CONFIG_DMA_SMALLBUF_DEBUG");
	dev = sb_test_device(test, 32);

	a = dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &a_dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	dma_smallbuf_free(dev, 64, a, a_dma);
	/* Poisoned (or, with init_on_free, wiped) past the free-list link. */
	KUNIT_EXPECT_FALSE(test, memchr_inv(a + 16, want_init_on_free() ? 0 : POISON_FREE,
					    64 - 16));
	dma_smallbuf_free(dev, 64, a, a_dma);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.errors, 1);
	KUNIT_EXPECT_EQ(test, st.live, 0);

	/* Had the second free gone through, the block would be handed out twice. */
	b = dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &b_dma);
	c = dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &c_dma);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_NE(test, b, c);
	dma_smallbuf_free(dev, 64, b, b_dma);
	dma_smallbuf_free(dev, 64, c, c_dma);
}

static void sb_test_debug_mismatch(struct kunit *test)
{
	struct device *dev;
	struct dma_smallbuf_stats st;
	dma_addr_t dma;
	u8 *a;

	if (!IS_ENABLED(CONFIG_DMA_SMALLBUF_DEBUG))
		kunit_skip(test, "needs CONFIG_DMA_SMALLBUF_DEBUG");
	dev = sb_test_device(test, 32);

	a = dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0x3c, 64);
	dma_smallbuf_free(dev, 32, a, dma);		/* wrong size */
	dma_smallbuf_free(dev, 64, a, dma + 64);	/* wrong handle */
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.errors, 2);
	KUNIT_EXPECT_EQ(test, st.live, 1);
	/* Refused frees left the buffer alone. */
	KUNIT_EXPECT_FALSE(test, memchr_inv(a, 0x3c, 64));
	dma_smallbuf_free(dev, 64, a, dma);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, st.errors, 2);
	KUNIT_EXPECT_EQ(test, st.live, 0);
}

static struct kunit_case dma_smallbuf_cases[] = {
	KUNIT_CASE(sb_test_zones),
	KUNIT_CASE_PARAM(sb_test_mask_matrix, sb_mask_gen_params),
	KUNIT_CASE(sb_test_narrow_mask),
	KUNIT_CASE(sb_test_narrow_bus_limit),
	KUNIT_CASE(sb_test_bus_limit),
	KUNIT_CASE(sb_test_no_mask),
	KUNIT_CASE(sb_test_size_zero),
	KUNIT_CASE(sb_test_large),
	KUNIT_CASE(sb_test_zone_flags),
	KUNIT_CASE(sb_test_atomic_first),
	KUNIT_CASE(sb_test_concurrent),
	KUNIT_CASE(sb_test_release_outstanding),
	KUNIT_CASE(sb_test_driver_lifetime),
	KUNIT_CASE(sb_test_release_race),
	KUNIT_CASE(sb_test_null_args),
	KUNIT_CASE(sb_test_percpu_cost),
	KUNIT_CASE(sb_test_cpu_list_bound),
	KUNIT_CASE(sb_test_cpu_offline),
	KUNIT_CASE(sb_test_init_on_free),
	KUNIT_CASE(sb_test_noio),
	KUNIT_CASE(sb_test_zone_warn_per_device),
	KUNIT_CASE(sb_test_min_size),
	KUNIT_CASE(sb_test_zalloc_block),
	KUNIT_CASE(sb_test_narrow_bounded),
	KUNIT_CASE(sb_test_narrow_widen),
	KUNIT_CASE(sb_test_zalloc),
	KUNIT_CASE(sb_test_debug_zalloc_many),
	KUNIT_CASE(sb_test_debug_double_free),
	KUNIT_CASE(sb_test_debug_mismatch),
	{}
};

static struct kunit_suite dma_smallbuf_suite = {
	.name = "dma_smallbuf",
	.test_cases = dma_smallbuf_cases,
};

kunit_test_suite(dma_smallbuf_suite);

MODULE_DESCRIPTION("KUnit tests for dma_smallbuf");
MODULE_LICENSE("GPL");
