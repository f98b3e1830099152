#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Put the benchmark into $KTREE as one commit on top of the dma-smallbuf
# branch, on the scratch branch dma-smallbuf-bench, and check it out.
# The series itself (branch dma-smallbuf) never carries the benchmark.
set -euo pipefail
. "$(dirname "$0")/../harness/common.sh"

BENCH_BRANCH=dma-smallbuf-bench
kgit rev-parse -q --verify "refs/heads/$BRANCH" >/dev/null ||
	die "$KTREE has no $BRANCH branch; run 'make tree' first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
kgit read-tree "$BRANCH"

put lib/dma_smallbuf_bench.c "$TOP/bench/dma_smallbuf_bench.c"
{ kgit show "$BRANCH:kernel/dma/Kconfig"; echo
  grep -v '^#' "$TOP/bench/Kconfig.dma_smallbuf_bench"; } > "$tmp/Kconfig"
put kernel/dma/Kconfig "$tmp/Kconfig"
kgit show "$BRANCH:lib/Makefile" > "$tmp/Makefile"
grep -q 'dma_smallbuf.o' "$tmp/Makefile" ||
	die "$KTREE: lib/Makefile on $BRANCH does not build dma_smallbuf.o"
echo 'obj-$(CONFIG_DMA_SMALLBUF_BENCH) += dma_smallbuf_bench.o' >> "$tmp/Makefile"
put lib/Makefile "$tmp/Makefile"

tree=$(kgit write-tree)
unset GIT_INDEX_FILE
if [ "$(kgit rev-parse -q --verify "$BENCH_BRANCH^{tree}" 2>/dev/null)" = "$tree" ] &&
   [ "$(kgit rev-parse "$BENCH_BRANCH^")" = "$(kgit rev-parse "$BRANCH")" ]; then
	commit=$(kgit rev-parse "$BENCH_BRANCH")
else
	commit=$(kgit commit-tree "$tree" -p "$BRANCH" \
		-m "dma_smallbuf: benchmark (scratch, not for upstream)")
fi
kgit checkout -q -f -B "$BENCH_BRANCH" "$commit"
log "$KTREE: $(kgit log --oneline -1)"
