#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the dma_smallbuf KUnit suites through the tree's own kunit.py in QEMU.
#
#   harness/kunit.sh ARCH [debug]
#
# ARCH is x86_64, arm64 or s390.  "debug" adds kunit/debug.kunitconfig
# (CONFIG_DMA_SMALLBUF_DEBUG, DMA_API_DEBUG, KASAN, lockdep); the plain run
# boots with init_on_free=1.  Builds in
# build/kunit-ARCH[-debug] (kept, so a second run only relinks), boots QEMU
# under TCG with more than 4 GiB of RAM and 2 vCPUs, and records the case
# counts for 'make check'.  The plain x86_64 and arm64 builds have the edu
# suite too, and their boot QEMU's edu PCI device, dma-direct, with edu's
# default 28-bit mask on x86_64 and 32 bits on arm64 (no RAM lies below
# 1 GiB on arm64 virt); harness/kunit-edu.sh boots the same kernels over
# other back ends and masks.  The kernel log is scanned as well: a lockdep,
# KASAN, DMA-API or sleep-in-atomic report, or edu complaining in QEMU's
# output, fails the run even when every case passed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:?usage: kunit.sh ARCH [debug]}
name=$arch${2:+-$2}
kunit_setup "$arch" "${2:-}"
edu_qemu="" edu_kernel=""
case "$name" in
x86_64)	edu_args "$arch" 28 direct ;;
arm64)	edu_args "$arch" 32 direct ;;
esac
# The plain runs wipe freed memory (init_on_free=1), so the fast path's
# wipe is tested; the debug runs poison it instead.
kargs=()
[ -n "${2:-}" ] || kargs=(--kernel_args=init_on_free=1)

json=$OUT/kunit-$name.json
mkdir -p "$OUT/results"
rm -f "$json"

log "kunit $name: building in $kunit_bdir, booting QEMU (TCG, 6 GiB, 2 vCPUs)"
kunit_run "kunit $name" "${kunit_opts[@]}" \
	--jobs="$(nproc)" --timeout=2400 --json="$json" "${kargs[@]}" \
	--qemu_args="-m 6G -smp 2 $edu_qemu" ${edu_kernel:+--kernel_args="$edu_kernel"}

if [ ! -s "$json" ]; then
	record "kunit-$name" 0 1
	die "kunit $name: no results (build or boot failed, see above)"
fi
exec python3 "$TOP/harness/kunit-results.py" "$name" "$json" "$kunit_bdir/test.log" "$OUT/results"
