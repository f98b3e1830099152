#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile our kernel sources with W=1 and sparse (C=2) in the kunit build
# directories that 'make check' builds anyway: x86_64's plain one (with
# the edu suite) and s390's debug one (CONFIG_DMA_SMALLBUF_DEBUG, a
# big-endian cross build); any warning fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

pass=0 fail=0
for build in x86_64: s390:debug; do
	arch=${build%%:*} variant=${build#*:}
	name=$arch${variant:+-$variant}
	kunit_setup "$arch" "$variant"
	objs=(lib/dma_smallbuf.o lib/dma_smallbuf_kunit.o)
	[ "$name" != x86_64 ] || objs+=(lib/dma_smallbuf_edu_kunit.o)
	bdir=$kunit_bdir
	if [ ! -f "$bdir/.config" ]; then
		(cd "$KTREE" && python3 tools/testing/kunit/kunit.py config "${kunit_opts[@]}") >/dev/null
	fi
	out=$(make -s -C "$KTREE" O="$bdir" ARCH="$arch" CROSS_COMPILE="$kunit_cross" \
		W=1 C=2 -j"$(nproc)" "${objs[@]}" 2>&1) || true
	bad=$(echo "$out" | grep -E 'warning|error' || true)
	for o in "${objs[@]}"; do
		[ -f "$bdir/$o" ] || bad+=$'\n'"$o was not built"
	done
	if [ -n "$bad" ]; then
		fail=$((fail + 1))
		echo "warnings ($name config):"
		echo "$bad" | sed 's/^/    /'
	else
		pass=$((pass + 1))
	fi
done
echo "warnings: $pass passed, $fail failed"
record warnings "$pass" "$fail"
[ "$fail" -eq 0 ]
