#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict on our kernel sources, and on the allocator patch
# as the tree carries it (commit message included).  One case per file.
set -euo pipefail
. "$(dirname "$0")/common.sh"

cd "$TOP"
# spdxcheck.py needs Debian's python3-ply, not whatever python3 is first in PATH.
export PATH=/usr/bin:$PATH
pass=0 fail=0
check() {
	local what=$1
	shift
	if out=$("$KTREE/scripts/checkpatch.pl" --strict --no-summary \
		--ignore FILE_PATH_CHANGES "$@" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "checkpatch: $what:"
		echo "$out" | sed 's/^/    /'
	fi
}
for f in include/linux/dma-smallbuf.h lib/dma_smallbuf.c kunit/dma_smallbuf_kunit.c \
	 bench/dma_smallbuf_bench.c drivers-conversions/tests/rocker_conv_kunit.c; do
	check "$f" --no-tree -f "$f"
done
cd "$KTREE"
# The tree's commit is a scratch commit without Signed-off-by; the exported
# patch in out/series/ carries the runner's (make series-test checks it).
check "allocator patch" --no-signoff -g "$BRANCH"
echo "checkpatch: $pass passed, $fail failed"
record checkpatch "$pass" "$fail"
[ "$fail" -eq 0 ]
