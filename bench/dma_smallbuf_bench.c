// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark dma_smallbuf against the allocators it replaces.
 *
 * Every method runs on one device with a 32-bit DMA mask (streaming and
 * coherent), so that with memory above 4 GiB kmalloc() + dma_map_single()
 * bounces through swiotlb, as it does on such machines:
 *
 *   kmalloc_dma_map     kmalloc(GFP_KERNEL | GFP_DMA) + dma_map_single()
 *   kmalloc_map         kmalloc(GFP_KERNEL) + dma_map_single()
 *   dma_pool            dma_pool_alloc() on a pre-created pool of the size
 *   dma_alloc_coherent  dma_alloc_coherent()
 *   dma_smallbuf        dma_smallbuf_alloc()
 *
 * Figures, printed as "dma_smallbuf_bench: R FIGURE METHOD SIZE VALUE
 * [KEY=VALUE...]" lines for bench/report.py:
 *
 *   single    ns per alloc+free pair on one CPU, median of the repetitions
 *   parallel  alloc+free pairs per second, one thread on every online CPU
 *   burst     ns per pair when BURST_N buffers are held, then freed
 *   memory    bytes taken from the page allocator per requested byte with
 *             MEM_N live buffers (size "mix": the mix= parameter)
 *   percpu    dma_smallbuf only: per-CPU bytes of one device per possible
 *             CPU, with one size class used and with all ("size" is
 *             one_class or all_classes)
 *   cached    dma_smallbuf only: bytes of free blocks on the CPUs' lists
 *             with every online CPU's lists full ("online"), and after
 *             one CPU went offline ("offline")
 *
 * Methods are interleaved within each repetition so that noise from the
 * host hits all of them alike: only ratios measured in one boot mean
 * anything, above all under QEMU TCG.  Not a pass/fail test: a case fails
 * only when an allocation fails.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dma-smallbuf.h>
#include <linux/dmapool.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#define BENCH_REPS		21	/* single-CPU repetitions */
#define BENCH_REP_NS		(10 * NSEC_PER_MSEC)
#define BENCH_PAR_REPS		7	/* all-CPU repetitions */
#define BENCH_PAR_NS		(100 * NSEC_PER_MSEC)
#define BENCH_BURST_REPS	7
#define BURST_N			512
#define MEM_N			1024	/* live buffers per fixed size */
#define MIX_N			2048	/* live buffers for the size mix */
#define MIX_MAX			64	/* entries in the size mix */
/* dma_pool blocks get kmalloc()'s minimum alignment, nothing more. */
#define POOL_ALIGN		ARCH_KMALLOC_MINALIGN

static char *mix;
module_param(mix, charp, 0444);
MODULE_PARM_DESC(mix, "size mix for the memory figure: SIZE:WEIGHT,...");

enum bench_method {
	BM_KMALLOC_DMA,
	BM_KMALLOC,
	BM_POOL,
	BM_COHERENT,
	BM_SMALLBUF,
	BM_NR
};

static const char * const bm_name[BM_NR] = {
	[BM_KMALLOC_DMA] = "kmalloc_dma_map",
	[BM_KMALLOC] = "kmalloc_map",
	[BM_POOL] = "dma_pool",
	[BM_COHERENT] = "dma_alloc_coherent",
	[BM_SMALLBUF] = "dma_smallbuf",
};

struct bench_buf {
	void *vaddr;
	dma_addr_t dma;
};

struct bench_ctx {
	struct device *dev;
	struct dma_pool *pool;
	enum bench_method m;
	size_t size;
};

static const size_t bench_sizes[] = { 32, 64, 128, 256, 512, 1024, 2048, 4096, 100 };

static void bench_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu", *size);
}

KUNIT_ARRAY_PARAM(bench_size, bench_sizes, bench_size_desc);

static int bench_alloc(const struct bench_ctx *c, struct bench_buf *b)
{
	gfp_t gfp = GFP_KERNEL;

	switch (c->m) {
	case BM_KMALLOC_DMA:
		gfp |= GFP_DMA;
		fallthrough;
	case BM_KMALLOC:
		b->vaddr = kmalloc(c->size, gfp);
		if (!b->vaddr)
			return -ENOMEM;
		b->dma = dma_map_single(c->dev, b->vaddr, c->size, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(c->dev, b->dma)) {
			kfree(b->vaddr);
			return -EIO;
		}
		return 0;
	case BM_POOL:
		b->vaddr = dma_pool_alloc(c->pool, gfp, &b->dma);
		break;
	case BM_COHERENT:
		b->vaddr = dma_alloc_coherent(c->dev, c->size, &b->dma, gfp);
		break;
	case BM_SMALLBUF:
		b->vaddr = dma_smallbuf_alloc(c->dev, c->size, gfp, &b->dma);
		break;
	default:
		return -EINVAL;
	}
	return b->vaddr ? 0 : -ENOMEM;
}

static void bench_free(const struct bench_ctx *c, struct bench_buf *b)
{
	switch (c->m) {
	case BM_KMALLOC_DMA:
	case BM_KMALLOC:
		dma_unmap_single(c->dev, b->dma, c->size, DMA_BIDIRECTIONAL);
		kfree(b->vaddr);
		break;
	case BM_POOL:
		dma_pool_free(c->pool, b->vaddr, b->dma);
		break;
	case BM_COHERENT:
		dma_free_coherent(c->dev, c->size, b->vaddr, b->dma);
		break;
	case BM_SMALLBUF:
		dma_smallbuf_free(c->dev, c->size, b->vaddr, b->dma);
		break;
	default:
		break;
	}
}

static void bench_release_action(void *dev)
{
	dma_smallbuf_release(dev);
}

/* A fresh device of the kunit bus with a 32-bit DMA mask. */
static struct device *bench_device(struct kunit *test)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct device *dev;
	char name[16];
	u64 *mask;

	snprintf(name, sizeof(name), "sbbench%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	mask = kunit_kzalloc(test, sizeof(*mask), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	dev->dma_mask = mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bench_release_action, dev), 0);
	return dev;
}

static void bench_pool_destroy(void *pool)
{
	dma_pool_destroy(pool);
}

static struct dma_pool *bench_pool(struct kunit *test, struct device *dev,
				   size_t size)
{
	struct dma_pool *pool;
	char name[32];

	snprintf(name, sizeof(name), "sbbench-%zu", size);
	pool = dma_pool_create(name, dev, size, POOL_ALIGN, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bench_pool_destroy, pool), 0);
	return pool;
}

/* The contexts of all methods for one size, on one device. */
static void bench_ctxs(struct kunit *test, struct device *dev, size_t size,
		       struct bench_ctx *c)
{
	struct dma_pool *pool = bench_pool(test, dev, size);
	unsigned int m;

	for (m = 0; m < BM_NR; m++)
		c[m] = (struct bench_ctx){ .dev = dev, .pool = pool, .m = m, .size = size };
}

/* ns for @n alloc+free pairs, or 0 if an allocation failed. */
static u64 bench_pairs(const struct bench_ctx *c, unsigned long n)
{
	struct bench_buf b;
	unsigned long i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++) {
		if (bench_alloc(c, &b))
			return 0;
		bench_free(c, &b);
	}
	return max_t(u64, ktime_get_ns() - t0, 1);
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 bench_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), bench_cmp_u64, NULL);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void bench_print_env(struct kunit *test, struct device *dev)
{
	struct sysinfo si;

	si_meminfo(&si);
	pr_info("dma_smallbuf_bench: I cpus=%u ram_mib=%lu swiotlb=%d page_size=%lu\n",
		num_online_cpus(), (si.totalram * si.mem_unit) >> 20,
		is_swiotlb_active(dev), PAGE_SIZE);
}

/* ns per alloc+free pair on this CPU, methods interleaved. */
static void bench_single(struct kunit *test)
{
	const size_t size = *(const size_t *)test->param_value;
	struct device *dev = bench_device(test);
	u64 t[BM_NR][BENCH_REPS], paired[BENCH_REPS], ns;
	unsigned long n[BM_NR];
	struct bench_ctx c[BM_NR];
	unsigned int m, r, k;

	bench_ctxs(test, dev, size, c);
	if (size == bench_sizes[0])
		bench_print_env(test, dev);

	/* Calibrate: enough pairs per repetition to dwarf the timer. */
	for (m = 0; m < BM_NR; m++) {
		for (n[m] = 64; ; n[m] *= 2) {
			ns = bench_pairs(&c[m], n[m]);
			KUNIT_ASSERT_NE_MSG(test, ns, 0, "%s %zu: allocation failed",
					    bm_name[m], size);
			if (ns >= BENCH_REP_NS)
				break;
		}
	}
	for (r = 0; r < BENCH_REPS; r++) {
		for (k = 0; k < BM_NR; k++) {
			m = (r + k) % BM_NR;
			ns = bench_pairs(&c[m], n[m]);
			KUNIT_ASSERT_NE_MSG(test, ns, 0, "%s %zu: allocation failed",
					    bm_name[m], size);
			t[m][r] = div64_u64(ns * 1000, n[m]);	/* ps per pair */
		}
		/* dma_smallbuf against dma_pool within one repetition. */
		paired[r] = div64_u64(t[BM_SMALLBUF][r] * 1000, t[BM_POOL][r]);
		cond_resched();
	}
	ns = bench_median(paired, BENCH_REPS);
	for (m = 0; m < BM_NR; m++) {
		u64 med = bench_median(t[m], BENCH_REPS);

		pr_info("dma_smallbuf_bench: R single %s %zu %llu.%03llu min=%llu.%03llu max=%llu.%03llu reps=%u pairs=%lu paired_vs_pool=%llu.%03llu\n",
			bm_name[m], size, med / 1000, med % 1000,
			t[m][0] / 1000, t[m][0] % 1000,
			t[m][BENCH_REPS - 1] / 1000, t[m][BENCH_REPS - 1] % 1000,
			BENCH_REPS, n[m], m == BM_SMALLBUF ? ns / 1000 : 0,
			m == BM_SMALLBUF ? ns % 1000 : 0);
	}
}

struct bench_thread {
	const struct bench_ctx *c;
	struct completion *start;
	struct completion done;
	u64 deadline;
	u64 end;
	unsigned long pairs;
	int err;
};

static int bench_thread_fn(void *data)
{
	struct bench_thread *bt = data;
	struct bench_buf b;
	unsigned int i;

	wait_for_completion(bt->start);
	do {
		for (i = 0; i < 32; i++) {
			bt->err = bench_alloc(bt->c, &b);
			if (bt->err)
				goto out;
			bench_free(bt->c, &b);
		}
		bt->pairs += 32;
		bt->end = ktime_get_ns();
	} while (bt->end < bt->deadline);
out:
	complete(&bt->done);
	return 0;
}

/* Total pairs per second with one thread on every online CPU, 0 on error. */
static u64 bench_parallel_once(struct kunit *test, const struct bench_ctx *c,
			       struct bench_thread *bt, unsigned int nthreads)
{
	DECLARE_COMPLETION_ONSTACK(start);
	unsigned long pairs = 0;
	struct task_struct *task;
	unsigned int i = 0;
	u64 t0, end = 0;
	int cpu, err = 0;

	for_each_online_cpu(cpu) {
		if (i == nthreads)
			break;
		bt[i] = (struct bench_thread){ .c = c, .start = &start };
		init_completion(&bt[i].done);
		task = kthread_create(bench_thread_fn, &bt[i], "sbbench/%d", cpu);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
		i++;
	}
	/* Threads already started must finish before @start goes away. */
	nthreads = i;
	t0 = ktime_get_ns();
	for (i = 0; i < nthreads; i++)
		bt[i].deadline = err ? 0 : t0 + BENCH_PAR_NS;
	complete_all(&start);
	for (i = 0; i < nthreads; i++) {
		wait_for_completion(&bt[i].done);
		pairs += bt[i].pairs;
		end = max(end, bt[i].end);
		err = err ?: bt[i].err;
	}
	if (err || end <= t0)
		return 0;
	return div64_u64((u64)pairs * NSEC_PER_SEC, end - t0);
}

/* Pairs per second with every online CPU at once, methods interleaved. */
static void bench_parallel(struct kunit *test)
{
	const size_t size = *(const size_t *)test->param_value;
	struct device *dev = bench_device(test);
	unsigned int nthreads = num_online_cpus();
	u64 t[BM_NR][BENCH_PAR_REPS];
	struct bench_ctx c[BM_NR];
	struct bench_thread *bt;
	unsigned int m, r, k;

	bench_ctxs(test, dev, size, c);
	bt = kunit_kcalloc(test, nthreads, sizeof(*bt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bt);
	for (r = 0; r < BENCH_PAR_REPS; r++) {
		for (k = 0; k < BM_NR; k++) {
			m = (r + k) % BM_NR;
			t[m][r] = bench_parallel_once(test, &c[m], bt, nthreads);
			KUNIT_ASSERT_NE_MSG(test, t[m][r], 0, "%s %zu: allocation failed",
					    bm_name[m], size);
		}
	}
	for (m = 0; m < BM_NR; m++)
		pr_info("dma_smallbuf_bench: R parallel %s %zu %llu cpus=%u reps=%u min=%llu max=%llu\n",
			bm_name[m], size, bench_median(t[m], BENCH_PAR_REPS), nthreads,
			BENCH_PAR_REPS, t[m][0], t[m][BENCH_PAR_REPS - 1]);
}

/* ns for BURST_N allocations held, then freed in the same order. */
static u64 bench_burst_once(const struct bench_ctx *c, struct bench_buf *b)
{
	unsigned int i, j;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < BURST_N; i++) {
		if (bench_alloc(c, &b[i])) {
			for (j = 0; j < i; j++)
				bench_free(c, &b[j]);
			return 0;
		}
	}
	for (i = 0; i < BURST_N; i++)
		bench_free(c, &b[i]);
	return max_t(u64, ktime_get_ns() - t0, 1);
}

/*
 * Burst: hold BURST_N buffers, then free them.  The first repetition runs
 * on a fresh device and pool, so it includes pool growth ("cold").
 */
static void bench_burst(struct kunit *test)
{
	const size_t size = *(const size_t *)test->param_value;
	struct device *dev = bench_device(test);
	u64 t[BM_NR][BENCH_BURST_REPS], cold[BM_NR];
	struct bench_ctx c[BM_NR];
	struct bench_buf *b;
	unsigned int m, r, k;

	bench_ctxs(test, dev, size, c);
	b = kunit_kcalloc(test, BURST_N, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (r = 0; r <= BENCH_BURST_REPS; r++) {
		for (k = 0; k < BM_NR; k++) {
			u64 ns;

			m = (r + k) % BM_NR;
			ns = bench_burst_once(&c[m], b);
			KUNIT_ASSERT_NE_MSG(test, ns, 0, "%s %zu: allocation failed",
					    bm_name[m], size);
			ns = div64_u64(ns * 1000, BURST_N);	/* ps per pair */
			if (r == 0)
				cold[m] = ns;
			else
				t[m][r - 1] = ns;
		}
		cond_resched();
	}
	for (m = 0; m < BM_NR; m++) {
		u64 med = bench_median(t[m], BENCH_BURST_REPS);

		pr_info("dma_smallbuf_bench: R burst %s %zu %llu.%03llu cold=%llu.%03llu n=%u reps=%u\n",
			bm_name[m], size, med / 1000, med % 1000,
			cold[m] / 1000, cold[m] % 1000, BURST_N, BENCH_BURST_REPS);
	}
}

static int bench_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Bytes of the page allocator that hold @n live buffers of @c's methods:
 * slab folios for kmalloc (every folio a buffer lies in, whole), pages for
 * dma_pool (each pool page is one page: it grows only when full),
 * PAGE_SIZE << get_order(size) for dma_alloc_coherent, and the allocator's
 * own count for dma_smallbuf (taken by the caller).
 */
static u64 bench_backing(const struct bench_ctx *c, const struct bench_buf *b,
			 unsigned int n, unsigned long *keys)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		switch (c[i].m) {
		case BM_KMALLOC_DMA:
		case BM_KMALLOC:
			keys[i] = (unsigned long)virt_to_folio(b[i].vaddr);
			break;
		case BM_COHERENT:
			bytes += PAGE_SIZE << get_order(c[i].size);
			keys[i] = 0;
			break;
		default:
			keys[i] = (unsigned long)b[i].vaddr & PAGE_MASK;
			break;
		}
	}
	if (c[0].m == BM_COHERENT)
		return bytes;
	sort(keys, n, sizeof(*keys), bench_cmp_ulong, NULL);
	for (i = 0; i < n; i++) {
		if (i && keys[i] == keys[i - 1])
			continue;
		if (c[0].m == BM_KMALLOC || c[0].m == BM_KMALLOC_DMA)
			bytes += folio_size((struct folio *)keys[i]);
		else
			bytes += PAGE_SIZE;
	}
	return bytes;
}

/*
 * Memory for @n live buffers, buffer i allocated through @byc[m * n + i]:
 * one line per method.  @label names the size ("mix" for the mix).
 */
static void bench_memory_run(struct kunit *test, struct device *dev,
			     struct bench_ctx *byc, unsigned int n,
			     const char *label)
{
	struct dma_smallbuf_stats st;
	struct bench_buf *b;
	unsigned long *keys;
	unsigned int m, i, j, above;
	u64 requested, backing;

	b = kvcalloc(n, sizeof(*b), GFP_KERNEL);
	keys = kvcalloc(n, sizeof(*keys), GFP_KERNEL);
	if (!b || !keys) {
		kvfree(b);
		kvfree(keys);
		KUNIT_FAIL(test, "out of memory for %u buffers", n);
		return;
	}
	for (m = 0; m < BM_NR; m++) {
		struct bench_ctx *c = &byc[m * n];

		requested = 0;
		above = 0;
		for (i = 0; i < n; i++) {
			if (bench_alloc(&c[i], &b[i])) {
				for (j = 0; j < i; j++)
					bench_free(&c[j], &b[j]);
				KUNIT_FAIL(test, "%s %s: allocation %u failed",
					   bm_name[m], label, i);
				goto out;
			}
			requested += c[i].size;
			if (virt_to_phys(b[i].vaddr) + c[i].size - 1 > DMA_BIT_MASK(32))
				above++;
		}
		if (m == BM_SMALLBUF) {
			KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
			KUNIT_EXPECT_EQ(test, st.requested, requested);
			backing = st.backing;
		} else {
			backing = bench_backing(c, b, n, keys);
		}
		pr_info("dma_smallbuf_bench: R memory %s %s %llu.%03llu backing=%llu requested=%llu n=%u above4g=%u\n",
			bm_name[m], label, div64_u64(backing, requested),
			div64_u64((backing % requested) * 1000, requested),
			backing, requested, n, above);
		for (i = 0; i < n; i++)
			bench_free(&c[i], &b[i]);
	}
out:
	kvfree(b);
	kvfree(keys);
}

/* Memory with MEM_N live buffers of one size, on a fresh device. */
static void bench_memory(struct kunit *test)
{
	const size_t size = *(const size_t *)test->param_value;
	struct device *dev = bench_device(test);
	struct bench_ctx c[BM_NR], *byc;
	unsigned int m, i;
	char label[16];

	bench_ctxs(test, dev, size, c);
	byc = kunit_kcalloc(test, BM_NR * MEM_N, sizeof(*byc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, byc);
	for (m = 0; m < BM_NR; m++)
		for (i = 0; i < MEM_N; i++)
			byc[m * MEM_N + i] = c[m];
	snprintf(label, sizeof(label), "%zu", size);
	bench_memory_run(test, dev, byc, MEM_N, label);
}

/*
 * Memory for the size mix of the mix= parameter: MIX_N live buffers, each
 * size as often as its weight says, sizes interleaved; one exact pool per
 * size for dma_pool.
 */
static void bench_memory_mix(struct kunit *test)
{
	unsigned int sizes[MIX_MAX], weights[MIX_MAX], count[MIX_MAX];
	unsigned int nmix = 0, m, i, j, n = 0;
	struct dma_pool *pools[MIX_MAX];
	u64 total = 0, acc = 0;
	struct bench_ctx *byc;
	struct device *dev;
	char *buf, *p, *tok;

	if (!mix || !*mix)
		kunit_skip(test, "no size mix given (dma_smallbuf_bench.mix=SIZE:WEIGHT,...)");
	buf = kunit_kstrdup(test, mix, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	p = buf;
	while ((tok = strsep(&p, ",")) && *tok) {
		char *w = strchr(tok, ':');

		KUNIT_ASSERT_LT_MSG(test, nmix, MIX_MAX, "mix: more than %d sizes", MIX_MAX);
		KUNIT_ASSERT_NOT_NULL_MSG(test, w, "mix: '%s' is not SIZE:WEIGHT", tok);
		*w++ = '\0';
		KUNIT_ASSERT_EQ_MSG(test, kstrtouint(tok, 10, &sizes[nmix]), 0,
				    "mix: bad size '%s'", tok);
		KUNIT_ASSERT_EQ_MSG(test, kstrtouint(w, 10, &weights[nmix]), 0,
				    "mix: bad weight '%s'", w);
		KUNIT_ASSERT_TRUE_MSG(test, sizes[nmix] && sizes[nmix] <= PAGE_SIZE,
				      "mix: size %u not in 1..%lu", sizes[nmix], PAGE_SIZE);
		total += weights[nmix++];
	}
	KUNIT_ASSERT_GT_MSG(test, total, 0, "mix: no weight");

	/* Largest remainder would be fairer; cumulative rounding is enough. */
	for (i = 0; i < nmix; i++) {
		u64 cum = div64_u64((acc + weights[i]) * MIX_N, total);

		count[i] = max_t(u64, cum - div64_u64(acc * MIX_N, total), 1);
		acc += weights[i];
		n += count[i];
	}

	dev = bench_device(test);
	for (i = 0; i < nmix; i++)
		pools[i] = bench_pool(test, dev, sizes[i]);
	byc = kunit_kcalloc(test, BM_NR * n, sizeof(*byc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, byc);
	for (m = 0; m < BM_NR; m++) {
		unsigned int left[MIX_MAX], k = 0;

		memcpy(left, count, sizeof(left));
		/* Round robin over the sizes until every count is used up. */
		while (k < n) {
			for (j = 0; j < nmix; j++) {
				if (!left[j])
					continue;
				left[j]--;
				byc[m * n + k++] = (struct bench_ctx){
					.dev = dev, .pool = pools[j], .m = m,
					.size = sizes[j] };
			}
		}
	}
	bench_memory_run(test, dev, byc, n, "mix");
}

/* Blocks of one class a CPU keeps on its list at most (lib/dma_smallbuf.c). */
static unsigned int bench_cpu_max(size_t csize)
{
	return max_t(unsigned int, DMA_SMALLBUF_CPU_BYTES / csize, DMA_SMALLBUF_CPU_MIN);
}

struct bench_held {
	void *vaddr;
	dma_addr_t dma;
	size_t size;
};

/* One CPU's part of bench_percpu(): what it must free after the figures. */
struct bench_fill {
	struct device *dev;
	struct bench_held *held;
	unsigned int nheld;
};

/*
 * Fill this CPU's list of every class to the brim.  A free onto a full list
 * moves the list to the class and leaves the freed block alone on it, so
 * once a free is seen not to add its block to the cached bytes, cpu_max - 1
 * more frees fill the list exactly.  Within cpu_max + 1 frees one must
 * flush, so 2 * cpu_max blocks are enough; those not freed stay in
 * @f->held.
 */
static long bench_fill_lists(void *data)
{
	struct bench_fill *f = data;
	struct dma_smallbuf_stats st;
	unsigned int max, n, left;
	struct bench_held *h;
	bool seen;
	size_t size;
	u64 before;

	for (size = DMA_SMALLBUF_MIN_SIZE; size <= DMA_SMALLBUF_MAX_SIZE; size <<= 1) {
		max = bench_cpu_max(size);
		h = &f->held[f->nheld];
		for (n = 0; n < 2 * max; n++) {
			h[n].size = size;
			h[n].vaddr = dma_smallbuf_alloc(f->dev, size, GFP_KERNEL, &h[n].dma);
			if (!h[n].vaddr) {
				f->nheld += n;
				return -ENOMEM;
			}
		}
		seen = false;
		left = max - 1;
		while (n && !(seen && !left)) {
			if (dma_smallbuf_get_stats(f->dev, &st))
				break;
			before = st.cached;
			n--;
			dma_smallbuf_free(f->dev, size, h[n].vaddr, h[n].dma);
			if (dma_smallbuf_get_stats(f->dev, &st))
				break;
			if (seen)
				left--;
			else
				seen = st.cached != before + size;
		}
		f->nheld += n;
		if (!seen || left)
			return -EAGAIN;
	}
	return 0;
}

static void bench_free_held(struct device *dev, struct bench_fill *fill,
			    unsigned int nfill)
{
	struct bench_held *h;
	unsigned int i;

	for (i = 0; i < nfill; i++) {
		while (fill[i].nheld) {
			h = &fill[i].held[--fill[i].nheld];
			dma_smallbuf_free(dev, h->size, h->vaddr, h->dma);
		}
	}
}

/*
 * Per-CPU memory of one device, from a boot with more possible than online
 * CPUs: the per-CPU lists of one size class after one allocation, and of
 * every class, per possible CPU.  Then the free memory on the CPUs' lists
 * with every online CPU's lists filled to their bound, and after one CPU
 * went offline.
 */
static void bench_percpu(struct kunit *test)
{
	unsigned int possible = num_possible_cpus(), online = num_online_cpus();
	struct dma_smallbuf_stats st;
	struct bench_fill *fill;
	unsigned int cpu, nfill = 0, per_cpu_held = 0;
	u64 bound = 0, cached;
	struct bench_buf b;
	struct device *dev;
	size_t size;
	long ret;

	if (possible <= online || online < 2)
		kunit_skip(test, "%u possible, %u online CPUs: needs 2 online, more possible",
			   possible, online);
	dev = bench_device(test);

	b.vaddr = dma_smallbuf_alloc(dev, 64, GFP_KERNEL, &b.dma);
	KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
	dma_smallbuf_free(dev, 64, b.vaddr, b.dma);
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	pr_info("dma_smallbuf_bench: R percpu dma_smallbuf one_class %llu possible=%u online=%u total=%llu\n",
		div_u64(st.percpu, possible), possible, online, st.percpu);

	for (size = DMA_SMALLBUF_MIN_SIZE; size <= DMA_SMALLBUF_MAX_SIZE; size <<= 1) {
		bound += (u64)bench_cpu_max(size) * size;
		per_cpu_held += 2 * bench_cpu_max(size);
	}
	fill = kunit_kcalloc(test, online, sizeof(*fill), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fill);
	for_each_online_cpu(cpu) {
		struct bench_fill *f = &fill[nfill++];

		f->dev = dev;
		f->held = kunit_kcalloc(test, per_cpu_held, sizeof(*f->held), GFP_KERNEL);
		ret = f->held ? work_on_cpu(cpu, bench_fill_lists, f) : -ENOMEM;
		if (ret) {
			bench_free_held(dev, fill, nfill);
			KUNIT_FAIL(test, "CPU %u: lists not filled: %ld", cpu, ret);
			return;
		}
	}
	KUNIT_ASSERT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	cached = st.cached;
	pr_info("dma_smallbuf_bench: R percpu dma_smallbuf all_classes %llu possible=%u online=%u total=%llu\n",
		div_u64(st.percpu, possible), possible, online, st.percpu);
	pr_info("dma_smallbuf_bench: R cached dma_smallbuf online %llu cpus=%u per_cpu=%llu bound_per_cpu=%llu backing=%llu\n",
		cached, online, div_u64(cached, online), bound, st.backing);

	cpu = cpumask_last(cpu_online_mask);
	ret = remove_cpu(cpu);
	if (ret) {
		bench_free_held(dev, fill, nfill);
		KUNIT_FAIL(test, "CPU %u did not go offline: %ld", cpu, ret);
		return;
	}
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(dev, &st), 0);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	pr_info("dma_smallbuf_bench: R cached dma_smallbuf offline %llu cpus=%u given_back=%lld bound_per_cpu=%llu backing=%llu\n",
		st.cached, online - 1, (s64)(cached - st.cached), bound, st.backing);

	bench_free_held(dev, fill, nfill);
}

static struct kunit_case bench_cases[] = {
	KUNIT_CASE_PARAM(bench_single, bench_size_gen_params),
	KUNIT_CASE_PARAM(bench_parallel, bench_size_gen_params),
	KUNIT_CASE_PARAM(bench_burst, bench_size_gen_params),
	KUNIT_CASE_PARAM(bench_memory, bench_size_gen_params),
	KUNIT_CASE(bench_memory_mix),
	KUNIT_CASE(bench_percpu),
	{}
};

static struct kunit_suite bench_suite = {
	.name = "dma_smallbuf_bench",
	.test_cases = bench_cases,
};

kunit_test_suite(bench_suite);

MODULE_DESCRIPTION("Benchmark of dma_smallbuf against kmalloc+dma_map_single, dma_pool and dma_alloc_coherent");
MODULE_LICENSE("GPL");
