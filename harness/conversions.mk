# SPDX-License-Identifier: GPL-2.0
# Driver conversions (drivers-conversions/): STATUS.md accounts for the
# census (harness/conversions-status.sh); every patch of the series
# applies, builds with W=1 and sparse where its Kconfig symbol is enabled,
# adds no warning and is checkpatch-clean (harness/conversions.sh); the
# converted rocker driver runs in QEMU (harness/conversions-qemu.sh, a copy
# of the x86_64 KUnit build, beside the file builds: check-conversions.sh), and
# that test fails when the device cannot reach the buffer
# (harness/conversions-qemu-selftest.sh); the harness fails its failing
# fixtures (harness/conversions-selftest.sh); every kmalloc-family call
# and slab cache that keeps a zone flag after the series has its row in
# STATUS.md (harness/conversions-count.sh).

CHECKS += check-conversions

.PHONY: check-conversions conversions-build conversions-qemu conversions-selftest \
	conversions-status conversions-qemu-selftest conversions-count

check-conversions: tree census
	@harness/check-conversions.sh

# The parts on their own.
conversions-build: tree
	@harness/conversions.sh

conversions-qemu: tree
	@harness/conversions-qemu.sh

conversions-qemu-selftest: tree
	@harness/conversions-qemu-selftest.sh

conversions-selftest: tree
	@harness/conversions-selftest.sh

conversions-count: tree
	@harness/conversions-count.sh

conversions-status: census
	@harness/conversions-status.sh
