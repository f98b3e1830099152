#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the dma_smallbuf KUnit suite through the tree's own kunit.py in QEMU.
#
#   harness/kunit.sh ARCH [debug]
#
# ARCH is x86_64, arm64 or s390.  "debug" adds kunit/debug.kunitconfig
# (CONFIG_DMA_SMALLBUF_DEBUG, DMA_API_DEBUG, KASAN, lockdep); the plain run
# boots with init_on_free=1.  Builds in
# build/kunit-ARCH[-debug] (kept, so a second run only relinks), boots QEMU
# under TCG with more than 4 GiB of RAM and 2 vCPUs, and records the case
# counts for 'make check'.  The kernel log is scanned as well: a lockdep,
# KASAN, DMA-API or sleep-in-atomic report fails the run even when every
# case passed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:?usage: kunit.sh ARCH [debug]}
name=$arch${2:+-$2}
configs=(--kunitconfig="$TOP/kunit/.kunitconfig")
# The plain runs wipe freed memory (init_on_free=1), so the fast path's
# wipe is tested; the debug runs poison it instead.
kargs=()
case "${2:-}" in
"")	kargs=(--kernel_args=init_on_free=1) ;;
debug)	configs+=(--kunitconfig="$TOP/kunit/debug.kunitconfig")
	# Not every architecture has KASAN under QEMU: see the per-arch file.
	[ -f "$TOP/kunit/debug-$arch.kunitconfig" ] &&
		configs+=(--kunitconfig="$TOP/kunit/debug-$arch.kunitconfig") ;;
*)	die "kunit.sh: unknown variant '$2' (want: debug)" ;;
esac
case "$arch" in
x86_64)	cross=() ;;
arm64)	cross=(--cross_compile=aarch64-linux-gnu-) ;;
s390)	cross=(--cross_compile=s390x-linux-gnu-) ;;
*)	die "kunit.sh: unsupported ARCH '$arch' (want x86_64, arm64 or s390)" ;;
esac

bdir=$BUILD/kunit-$name
json=$OUT/kunit-$name.json
mkdir -p "$OUT/results"
rm -f "$json"

log "kunit $name: building in $bdir, booting QEMU (TCG, 6 GiB, 2 vCPUs)"
kunit_run "kunit $name" \
	--arch="$arch" "${cross[@]}" --build_dir="$bdir" "${configs[@]}" \
	--jobs="$(nproc)" --timeout=2400 --json="$json" "${kargs[@]}" \
	--qemu_args="-m 6G -smp 2"

if [ ! -s "$json" ]; then
	record "kunit-$name" 0 1
	die "kunit $name: no results (build or boot failed, see above)"
fi
exec python3 "$TOP/harness/kunit-results.py" "$name" "$json" "$bdir/test.log" "$OUT/results"
