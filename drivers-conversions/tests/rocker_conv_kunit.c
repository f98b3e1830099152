// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time check of the rocker conversion to dma_smallbuf, run under
 * qemu-system-x86_64 -device rocker,len-ports=N.  Built into the kernel
 * after the rocker driver, so it runs once the device has been probed:
 * the probe runs the DMA self-test through a dma_smallbuf buffer and
 * creates one netdev per port through the command ring.
 *
 * Copyright (C) 2026 dma-smallbuf project
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-smallbuf.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

/* Must match len-ports= of the QEMU device (harness/conversions-qemu.sh). */
#define ROCKER_CONV_PORTS	2
#define ROCKER_CONV_MAX_PORTS	8

/* rocker_probe() allocates 32 command and 32 event buffers. */
#define ROCKER_CONV_MIN_LIVE	64
/* rocker_port_open() adds 64 tx and 64 rx descriptor buffers per port. */
#define ROCKER_CONV_PORT_BUFS	128

static bool rocker_conv_is_rocker(struct net_device *dev)
{
	struct device *parent = dev->dev.parent;

	return parent && parent->driver &&
	       !strcmp(parent->driver->name, "rocker");
}

static int rocker_conv_ports(struct net_device **devs, int max)
{
	struct net_device *dev;
	int n = 0;

	rtnl_lock();
	for_each_netdev(&init_net, dev) {
		if (!rocker_conv_is_rocker(dev))
			continue;
		if (n < max) {
			dev_hold(dev);
			devs[n] = dev;
		}
		n++;
	}
	rtnl_unlock();
	return n;
}

static void rocker_conv_put(struct net_device **devs, int n)
{
	while (n-- > 0)
		dev_put(devs[n]);
}

/* The driver probed, and it created one netdev per port. */
static void rocker_conv_probe_test(struct kunit *test)
{
	struct net_device *devs[ROCKER_CONV_MAX_PORTS];
	int n;

	n = rocker_conv_ports(devs, ARRAY_SIZE(devs));
	rocker_conv_put(devs, min_t(int, n, ARRAY_SIZE(devs)));
	KUNIT_EXPECT_EQ_MSG(test, n, ROCKER_CONV_PORTS,
			    "rocker netdevs found (driver probe failed?)");
}

/* The ring buffers the device uses are dma_smallbuf buffers. */
static void rocker_conv_smallbuf_test(struct kunit *test)
{
	struct net_device *devs[ROCKER_CONV_MAX_PORTS];
	struct dma_smallbuf_stats st = {};
	int n;

	n = rocker_conv_ports(devs, ARRAY_SIZE(devs));
	if (n < 1)
		KUNIT_FAIL_AND_ABORT(test, "no rocker netdev");
	KUNIT_EXPECT_EQ(test, dma_smallbuf_get_stats(devs[0]->dev.parent, &st),
			0);
	kunit_info(test, "%s: %lu live buffers, %lu errors, %llu bytes of pages\n",
		   dev_name(devs[0]->dev.parent), st.live, st.errors,
		   st.backing);
	KUNIT_EXPECT_GE(test, st.live, ROCKER_CONV_MIN_LIVE);
	KUNIT_EXPECT_EQ(test, st.errors, 0);
	rocker_conv_put(devs, min_t(int, n, ARRAY_SIZE(devs)));
}

/* Every port comes up: dev_change_flags(IFF_UP) opens it, the link is up. */
static void rocker_conv_up_test(struct kunit *test)
{
	struct net_device *devs[ROCKER_CONV_MAX_PORTS];
	struct dma_smallbuf_stats st = {};
	int i, n, t, err;

	n = rocker_conv_ports(devs, ARRAY_SIZE(devs));
	KUNIT_ASSERT_EQ(test, n, ROCKER_CONV_PORTS);
	for (i = 0; i < n; i++) {
		rtnl_lock();
		err = dev_change_flags(devs[i], devs[i]->flags | IFF_UP, NULL);
		rtnl_unlock();
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s up", devs[i]->name);
		KUNIT_EXPECT_TRUE_MSG(test, netif_running(devs[i]),
				      "%s not running", devs[i]->name);
	}
	/*
	 * The link-up event comes through the event ring; opening a port
	 * allocated its tx and rx descriptor buffers.
	 */
	for (i = 0; i < n; i++) {
		for (t = 0; t < 100 && !netif_carrier_ok(devs[i]); t++)
			msleep(20);
		KUNIT_EXPECT_TRUE_MSG(test, netif_carrier_ok(devs[i]),
				      "%s: no carrier", devs[i]->name);
	}
	if (n > 0) {
		KUNIT_EXPECT_EQ(test,
				dma_smallbuf_get_stats(devs[0]->dev.parent, &st),
				0);
		kunit_info(test, "%d ports up: %lu live buffers\n", n, st.live);
		KUNIT_EXPECT_GE(test, st.live,
				ROCKER_CONV_MIN_LIVE + n * ROCKER_CONV_PORT_BUFS);
	}
	for (i = 0; i < n; i++) {
		rtnl_lock();
		err = dev_change_flags(devs[i], devs[i]->flags & ~IFF_UP, NULL);
		rtnl_unlock();
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s down", devs[i]->name);
	}
	rocker_conv_put(devs, n);
}

static struct kunit_case rocker_conv_cases[] = {
	KUNIT_CASE(rocker_conv_probe_test),
	KUNIT_CASE(rocker_conv_smallbuf_test),
	KUNIT_CASE(rocker_conv_up_test),
	{}
};

static struct kunit_suite rocker_conv_suite = {
	.name = "rocker_dma_smallbuf",
	.test_cases = rocker_conv_cases,
};

kunit_test_suite(rocker_conv_suite);

MODULE_DESCRIPTION("Boot-time check of rocker on dma_smallbuf");
MODULE_LICENSE("GPL");
