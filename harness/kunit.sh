#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the dma_smallbuf KUnit suite through the tree's own kunit.py in QEMU.
#
#   harness/kunit.sh NAME [EXTRA.kunitconfig ...]
#
# Builds in build/kunit-NAME (kept, so a second run only relinks), boots
# qemu-system-x86_64 under TCG with more than 4 GiB of RAM and 2 vCPUs, and
# records the case counts for 'make check'.  The kernel log is also scanned:
# a lockdep, KASAN, DMA-API or sleep-in-atomic report fails the run even
# when every case passed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

name=$1
shift
arch=${ARCH:-x86_64}
bdir=$BUILD/kunit-$name
json=$OUT/kunit-$name.json
mkdir -p "$OUT"

configs=(--kunitconfig="$TOP/kunit/.kunitconfig")
for c in "$@"; do
	configs+=(--kunitconfig="$c")
done

log "kunit $name: building in $bdir and booting qemu-system-$arch (TCG)"
start=$SECONDS
rc=0
(cd "$KTREE" && python3 tools/testing/kunit/kunit.py run \
	--arch="$arch" --build_dir="$bdir" "${configs[@]}" \
	--jobs="$(nproc)" --timeout=2400 --json="$json" \
	--qemu_args="-m 6G -smp 2") || rc=$?
log "kunit $name: kunit.py exited $rc after $((SECONDS - start)) s"

[ -s "$json" ] || { record "kunit-$name" 0 1; die "kunit $name: no results (build or boot failed)"; }
mkdir -p "$OUT/results"
exec python3 "$TOP/harness/kunit-results.py" "$name" "$json" "$bdir/test.log" "$OUT/results"
