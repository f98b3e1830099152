# SPDX-License-Identifier: GPL-2.0
# The edu suite over the DMA back ends (harness/kunit-edu.sh): the kernels
# of kunit-x86_64 and kunit-arm64 booted again with other QEMU and kernel
# arguments, one result line per boot named by back end and edu's mask
# (kunit-x86_64 and kunit-arm64 themselves are dma-direct, 28 and 32 bits).
# negative-28 is the negative control: it passes when the suite fails.

EDU_BOOTS_x86_64 := direct-32 direct-36 swiotlb-32 iommu-28 negative-28
EDU_BOOTS_arm64 := swiotlb-32

CHECKS += kunit-edu-x86_64 kunit-edu-arm64

.PHONY: kunit-edu kunit-edu-x86_64 kunit-edu-arm64

kunit-edu: kunit-edu-$(ARCH)

kunit-edu-x86_64 kunit-edu-arm64: kunit-edu-%: tree
	@harness/kunit-edu.sh $* $(EDU_BOOTS_$*)
