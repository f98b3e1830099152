#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile our kernel sources with W=1 and sparse (C=2) in the kunit build
# directories, with and without CONFIG_DMA_SMALLBUF_DEBUG; any warning fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

pass=0 fail=0
for variant in "" debug; do
	name=x86_64${variant:+-$variant}
	kunit_setup x86_64 "$variant"
	objs=(lib/dma_smallbuf.o lib/dma_smallbuf_kunit.o)
	# The edu suite is in the plain build only (see kunit_setup).
	[ -n "$variant" ] || objs+=(lib/dma_smallbuf_edu_kunit.o)
	bdir=$kunit_bdir
	if [ ! -f "$bdir/.config" ]; then
		(cd "$KTREE" && python3 tools/testing/kunit/kunit.py config "${kunit_opts[@]}") >/dev/null
	fi
	out=$(make -s -C "$KTREE" O="$bdir" W=1 C=2 -j"$(nproc)" "${objs[@]}" 2>&1) || true
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
