# SPDX-License-Identifier: GPL-2.0
#
# dma-smallbuf: prepare a kernel tree, install the allocator into it and
# run everything.  'make' is the main job, 'make check' runs every test.
#
# KDIR=/path/to/linux  work in your own kernel git tree instead of Debian's
#                      linux-source-6.12 unpacked under build/.

SHELL := /bin/bash
export KDIR

# Test targets summed by 'make check', in order.  Each area's fragment in
# harness/*.mk adds its own targets and appends its checks.
CHECKS := checkpatch kunit kunit-debug warnings

.PHONY: all deps tree kunit kunit-debug checkpatch warnings check clean

all: kunit

deps:
	@harness/deps.sh

tree: deps
	@harness/prepare-tree.sh
	@harness/install-tree.sh

kunit: tree
	@harness/kunit.sh x86_64

kunit-debug: tree
	@harness/kunit.sh x86_64-debug $(CURDIR)/kunit/debug.kunitconfig

checkpatch: tree
	@harness/checkpatch.sh

warnings: tree
	@harness/warnings.sh

include $(sort $(wildcard harness/*.mk))

check:
	@harness/check.sh $(CHECKS)

clean:
	rm -rf out
