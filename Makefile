# SPDX-License-Identifier: GPL-2.0
#
# dma-smallbuf: prepare a kernel tree, install the allocator into it and
# run everything.  'make' is the main job, 'make check' runs every test.
#
# KDIR=/path/to/linux  work in your own kernel git tree instead of Debian's
#                      linux-source-6.12 unpacked under build/.

SHELL := /bin/bash
export KDIR

# Architecture for 'make kunit' / 'make kunit-debug': x86_64, arm64, s390.
ARCH ?= x86_64

# Test targets summed by 'make check', in order.  Each area's fragment in
# harness/*.mk adds its own targets and appends its checks.  One KUnit
# build per architecture (see kunit_setup in harness/common.sh): x86_64
# plain with lockdep and DMA-API debug, arm64 plain, s390 debug (with
# KASAN).  The other
# three stay runnable: 'make kunit-debug ARCH=x86_64', 'make kunit
# ARCH=s390', ...
CHECKS := checkpatch kunit-x86_64 kunit-arm64 kunit-debug-s390 warnings

.PHONY: all deps tree kunit kunit-debug checkpatch warnings check clean

all: tree

deps:
	@harness/deps.sh

tree: deps
	@harness/prepare-tree.sh
	@harness/install-tree.sh

kunit: kunit-$(ARCH)
kunit-debug: kunit-debug-$(ARCH)

kunit-%: tree
	@harness/kunit.sh $*

kunit-debug-%: tree
	@harness/kunit.sh $* debug

checkpatch: tree
	@harness/checkpatch.sh

warnings: tree
	@harness/warnings.sh

include $(sort $(wildcard harness/*.mk))

check:
	@harness/check.sh $(CHECKS)

clean:
	rm -rf out
