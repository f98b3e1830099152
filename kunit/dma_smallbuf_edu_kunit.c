// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for dma_smallbuf with a device that really does DMA: QEMU's
 * "edu" PCI device copies every buffer into its own 4 KiB buffer and back
 * into a second buffer, and the CPU compares.  edu clamps each address to
 * its dma_mask (28 bits unless QEMU is told otherwise), so a buffer the
 * device cannot reach shows up as wrong data, whatever DMA layer (dma-direct,
 * swiotlb, an IOMMU) lies in between.
 *
 * Boot QEMU with "-device edu,dma_mask=M" and the kernel with
 *   dma_smallbuf_edu_kunit.mask_bits=N	(M = 2^N - 1: edu cannot tell)
 *   dma_smallbuf_edu_kunit.backend=B	(direct, swiotlb or iommu: expected)
 * The test-only switch dma_smallbuf_edu_kunit.unreachable=1 hands edu
 * dma_smallbuf buffers allocated for a 64-bit device instead; the suite
 * must then report data mismatches (the harness checks that it does).
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-smallbuf.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_IDENT		0x00	/* 0xRRrr00ed: version RR.rr */
#define EDU_REG_LIVE		0x04	/* reads back the inverse */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_RUN		BIT(0)	/* cleared by edu when done */
#define EDU_CMD_TO_RAM		BIT(1)	/* edu buffer -> RAM; else RAM -> edu */
#define EDU_BUF			0x40000	/* edu's own buffer, as edu addresses it */
/*
 * edu's buffer is 4 KiB, and a transfer that does not fit stops QEMU; older
 * QEMUs also refuse one that ends on the buffer's last byte (their range
 * check wants the end strictly inside): move at most 4095 bytes a command.
 */
#define EDU_CHUNK		4095
#define EDU_TIMEOUT_S		10	/* edu takes 100 ms per command */

static unsigned int mask_bits;
module_param(mask_bits, uint, 0444);
MODULE_PARM_DESC(mask_bits, "edu's DMA mask in bits, as given to QEMU (required)");

static char *backend;
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend, "expected DMA back end: direct, swiotlb or iommu (required)");

static bool unreachable;
module_param(unreachable, bool, 0444);
MODULE_PARM_DESC(unreachable,
		 "test only: hand edu dma_smallbuf buffers of a 64-bit device, which must fail");

/* Sizes of every size class, and a few above PAGE_SIZE. */
static const size_t edu_sizes[] = {
	1, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 5000, 8192, 16385,
};

struct edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	int mask_err;		/* dma_set_mask_and_coherent()'s verdict */
};

static struct edu *edu_dev;	/* the bound device, NULL until probed */

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu *edu;
	int ret;

	if (edu_dev)
		return -EBUSY;	/* one is enough */
	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	edu->regs = pcim_iomap_region(pdev, 0, "dma_smallbuf_edu");
	if (IS_ERR(edu->regs))
		return PTR_ERR(edu->regs);
	pci_set_master(pdev);
	/* A refused mask is a test failure, reported by edu_setup. */
	edu->mask_err = mask_bits >= 1 && mask_bits <= 64 ?
		dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(mask_bits)) : -EINVAL;
	edu->pdev = pdev;
	pci_set_drvdata(pdev, edu);
	edu_dev = edu;
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	if (edu_dev == pci_get_drvdata(pdev))
		edu_dev = NULL;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "dma_smallbuf_edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

/* The DMA layer between the driver and edu, as the DMA API sees it. */
static const char *edu_backend(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (domain)
		return iommu_is_dma_domain(domain) ? "iommu" : "iommu-identity";
	return is_swiotlb_force_bounce(dev) ? "swiotlb" : "direct";
}

static struct edu *edu_get(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL_MSG(test, edu_dev,
				  "no edu PCI device (%04x:%04x) bound: boot QEMU with -device edu",
				  EDU_VENDOR, EDU_DEVICE);
	KUNIT_ASSERT_TRUE_MSG(test, mask_bits >= 1 && mask_bits <= 64,
			      "boot with dma_smallbuf_edu_kunit.mask_bits=N, N (1 to 64) = bits of edu's dma_mask");
	KUNIT_ASSERT_EQ_MSG(test, edu_dev->mask_err, 0,
			    "the DMA API refused a %u-bit mask for edu", mask_bits);
	return edu_dev;
}

/* One edu command: @len bytes between RAM at @ram and edu's buffer. */
static int edu_dma(struct edu *edu, dma_addr_t ram, size_t len, bool to_ram)
{
	u64 cmd;

	writeq(to_ram ? EDU_BUF : ram, edu->regs + EDU_REG_DMA_SRC);
	writeq(to_ram ? ram : EDU_BUF, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_CNT);
	writeq(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0), edu->regs + EDU_REG_DMA_CMD);
	return readq_poll_timeout(edu->regs + EDU_REG_DMA_CMD, cmd, !(cmd & EDU_CMD_RUN),
				  1000, EDU_TIMEOUT_S * USEC_PER_SEC);
}

/*
 * edu copies @size bytes from @src into its buffer and from there to @dst,
 * in chunks that cover the first and the last byte.  Returns the number of
 * chunks, or a negative error if edu did not finish a command.
 */
static int edu_copy(struct kunit *test, struct edu *edu, dma_addr_t src, dma_addr_t dst,
		    size_t size)
{
	size_t off, len;
	int chunks = 0, ret;

	for (off = 0; off < size; off += len) {
		len = min_t(size_t, size - off, EDU_CHUNK);
		ret = edu_dma(edu, src + off, len, false);
		if (!ret)
			ret = edu_dma(edu, dst + off, len, true);
		if (ret) {
			KUNIT_FAIL(test, "edu did not finish a %zu-byte command within %u s",
				   len, EDU_TIMEOUT_S);
			return ret;
		}
		chunks++;
	}
	return chunks;
}

/* A pattern that differs per buffer, so stale data in edu never matches. */
static u8 edu_pattern(unsigned int seed, size_t i)
{
	return (u8)(seed * 0x9e + i * 0x3b + (i >> 8) * 0x17 + 1);
}

static void edu_fill(u8 *buf, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		buf[i] = edu_pattern(seed, i);
}

struct edu_figures {
	const char *method;
	unsigned int buffers, chunks, mismatches, errors;
	size_t bytes;
	dma_addr_t highest;	/* highest handle + size - 1 handed to edu */
};

/* Compares @dst with the pattern; counts and names a mismatching buffer. */
static void edu_compare(struct kunit *test, struct edu_figures *fig, const u8 *dst,
			size_t size, unsigned int seed, dma_addr_t src_dma, dma_addr_t dst_dma)
{
	size_t i, bad = 0, first = size;

	for (i = 0; i < size; i++) {
		if (dst[i] != edu_pattern(seed, i)) {
			if (!bad++)
				first = i;
		}
	}
	fig->buffers++;
	fig->bytes += size;
	fig->highest = max(fig->highest, src_dma + size - 1);
	fig->highest = max(fig->highest, dst_dma + size - 1);
	if (!bad)
		return;
	fig->mismatches++;
	kunit_info(test,
		   "%s: %zu-byte buffer: data mismatch, %zu bytes wrong, first at %zu (%02x, expected %02x); device read %pad, wrote %pad\n",
		   fig->method, size, bad, first, dst[first], edu_pattern(seed, first),
		   &src_dma, &dst_dma);
}

static void edu_report(struct kunit *test, struct edu *edu, struct edu_figures *fig)
{
	kunit_info(test,
		   "figures: method=%s back_end=%s mask_bits=%u buffers=%u chunks=%u bytes=%zu mismatches=%u errors=%u highest=%pad\n",
		   fig->method, edu_backend(&edu->pdev->dev), mask_bits, fig->buffers,
		   fig->chunks, fig->bytes, fig->mismatches, fig->errors, &fig->highest);
	KUNIT_EXPECT_EQ_MSG(test, fig->errors, 0, "%s: allocation or mapping errors",
			    fig->method);
	KUNIT_EXPECT_EQ_MSG(test, fig->mismatches, 0,
			    "%s: edu read or wrote other memory than the buffer (data mismatch)",
			    fig->method);
}

static void edu_release_action(void *dev)
{
	dma_smallbuf_release(dev);
}

/* A kunit device with a 64-bit mask: its buffers may lie beyond edu's reach. */
static struct device *edu_wide_device(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "dma_smallbuf_edu_wide");
	u64 *mask;

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	mask = kunit_kzalloc(test, sizeof(*mask), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	dev->dma_mask = mask;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, edu_release_action, dev), 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	return dev;
}

/* The device, its identity and the DMA layer in between. */
static void edu_setup(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct device *dev = &edu->pdev->dev;
	u32 ident = readl(edu->regs + EDU_REG_IDENT);

	KUNIT_EXPECT_EQ_MSG(test, ident & 0xff, 0xed, "edu identification register reads %#x",
			    ident);
	writel(0x5a5a1234, edu->regs + EDU_REG_LIVE);
	KUNIT_EXPECT_EQ(test, readl(edu->regs + EDU_REG_LIVE), ~0x5a5a1234U);
	KUNIT_EXPECT_EQ(test, dma_get_mask(dev), DMA_BIT_MASK(mask_bits));
	KUNIT_EXPECT_EQ(test, dev->coherent_dma_mask, DMA_BIT_MASK(mask_bits));
	kunit_info(test, "edu %s version %u.%u, mask %u bits, back end %s, %s\n",
		   pci_name(edu->pdev), ident >> 24, (ident >> 16) & 0xff, mask_bits,
		   edu_backend(dev), dev_is_dma_coherent(dev) ? "coherent" : "non-coherent");
	KUNIT_ASSERT_NOT_NULL_MSG(test, backend,
				  "boot with dma_smallbuf_edu_kunit.backend=direct|swiotlb|iommu");
	KUNIT_EXPECT_STREQ_MSG(test, edu_backend(dev), backend,
			       "the DMA back end is not the one this boot was meant to test");
}

/* Counts edu's chunks, or an error if it did not finish a command. */
static void edu_copy_count(struct kunit *test, struct edu *edu, struct edu_figures *fig,
			   dma_addr_t src, dma_addr_t dst, size_t size)
{
	int chunks = edu_copy(test, edu, src, dst, size);

	if (chunks < 0)
		fig->errors++;
	else
		fig->chunks += chunks;
}

static void edu_smallbuf_one(struct kunit *test, struct edu *edu, struct device *src_dev,
			     struct edu_figures *fig, size_t size, unsigned int seed)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t src_dma, dst_dma;
	u8 *src, *dst;

	src = dma_smallbuf_alloc(src_dev, size, GFP_KERNEL, &src_dma);
	if (!src)
		goto fail;
	dst = dma_smallbuf_alloc(dev, size, GFP_KERNEL, &dst_dma);
	if (!dst) {
		dma_smallbuf_free(src_dev, size, src, src_dma);
		goto fail;
	}
	edu_fill(src, size, seed);
	memset(dst, (u8)~edu_pattern(seed, 0), size);
	edu_copy_count(test, edu, fig, src_dma, dst_dma, size);
	edu_compare(test, fig, dst, size, seed, src_dma, dst_dma);
	dma_smallbuf_free(dev, size, dst, dst_dma);
	dma_smallbuf_free(src_dev, size, src, src_dma);
	return;
fail:
	kunit_info(test, "%zu bytes: dma_smallbuf_alloc() failed\n", size);
	fig->errors++;
}

/* dma_smallbuf_alloc() buffers, filled, copied by edu, compared. */
static void edu_dma_smallbuf(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct device *src_dev = unreachable ? edu_wide_device(test) : &edu->pdev->dev;
	struct edu_figures fig = { .method = "dma_smallbuf" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edu_sizes); i++)
		edu_smallbuf_one(test, edu, src_dev, &fig, edu_sizes[i], i);
	edu_report(test, edu, &fig);
}

static void edu_map_one(struct kunit *test, struct edu *edu, struct edu_figures *fig,
			size_t size, unsigned int seed)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t src_dma, dst_dma;
	u8 *src, *dst;

	src = kmalloc(size, GFP_KERNEL | GFP_DMA);
	dst = kmalloc(size, GFP_KERNEL | GFP_DMA);
	if (!src || !dst)
		goto fail;
	edu_fill(src, size, seed);
	memset(dst, (u8)~edu_pattern(seed, 0), size);
	src_dma = dma_map_single(dev, src, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src_dma))
		goto fail;
	dst_dma = dma_map_single(dev, dst, size, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dst_dma)) {
		dma_unmap_single(dev, src_dma, size, DMA_TO_DEVICE);
		goto fail;
	}
	edu_copy_count(test, edu, fig, src_dma, dst_dma, size);
	dma_unmap_single(dev, dst_dma, size, DMA_FROM_DEVICE);
	dma_unmap_single(dev, src_dma, size, DMA_TO_DEVICE);
	edu_compare(test, fig, dst, size, seed, src_dma, dst_dma);
	kfree(dst);
	kfree(src);
	return;
fail:
	kunit_info(test, "%zu bytes: kmalloc() or dma_map_single() failed\n", size);
	fig->errors++;
	kfree(dst);
	kfree(src);
}

/* The old way as the control: kmalloc(GFP_DMA) and dma_map_single(). */
static void edu_kmalloc_map_single(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct edu_figures fig = { .method = "kmalloc_map_single" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edu_sizes); i++)
		edu_map_one(test, edu, &fig, edu_sizes[i], i + ARRAY_SIZE(edu_sizes));
	edu_report(test, edu, &fig);
}

static int edu_suite_init(struct kunit_suite *suite)
{
	/* Probes synchronously: edu_dev is set on return if edu is there. */
	return pci_register_driver(&edu_driver);
}

static void edu_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&edu_driver);
}

static struct kunit_case edu_cases[] = {
	KUNIT_CASE(edu_setup),
	KUNIT_CASE_SLOW(edu_dma_smallbuf),
	KUNIT_CASE_SLOW(edu_kmalloc_map_single),
	{ }
};

static struct kunit_suite edu_suite = {
	.name = "dma_smallbuf_edu",
	.suite_init = edu_suite_init,
	.suite_exit = edu_suite_exit,
	.test_cases = edu_cases,
};

kunit_test_suite(edu_suite);

MODULE_DESCRIPTION("KUnit tests for dma_smallbuf with QEMU's edu PCI device");
MODULE_LICENSE("GPL");
