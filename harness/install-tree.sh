#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install this repo's kernel sources into $KTREE as one commit on top of
# the base tag, on branch dma-smallbuf: the series' first patch.
#
# The commit is built in a scratch index and checked out afterwards, so
# git rewrites only the files that changed and kernel builds stay
# incremental (include/linux/device.h is touched only when it differs).
set -euo pipefail
. "$(dirname "$0")/common.sh"

kgit rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
	die "$KTREE has no $BASE_TAG tag; run 'make tree' first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
kgit read-tree "$BASE_TAG"

# edit PATH ANCHOR LINES SED-SCRIPT: PATH from the base, edited.  The
# anchor must exist and the script must add exactly LINES lines (each of
# its commands matched), so a tree unlike 6.12 (6.1 works too) fails here
# with a message instead of building without us.
edit() {
	local path=$1 anchor=$2 lines=$3 script=$4 f=$tmp/edit added
	kgit show "$BASE_TAG:$path" > "$f.orig" 2>/dev/null ||
		die "$KTREE: $path missing at $BASE_TAG"
	grep -q -- "$anchor" "$f.orig" ||
		die "$KTREE/$path: cannot find '$anchor' to hook dma_smallbuf into"
	sed "$script" "$f.orig" > "$f"
	added=$(diff "$f.orig" "$f" | grep -c '^>' || true)
	[ "$added" -eq "$lines" ] ||
		die "$KTREE/$path: hooking dma_smallbuf in added $added lines, not $lines: a line the hook looks for differs in this kernel version (see harness/install-tree.sh)"
	put "$path" "$f"
}

put include/linux/dma-smallbuf.h "$TOP/include/linux/dma-smallbuf.h"
put lib/dma_smallbuf.c "$TOP/lib/dma_smallbuf.c"
put lib/dma_smallbuf_kunit.c "$TOP/kunit/dma_smallbuf_kunit.c"
put lib/dma_smallbuf_edu_kunit.c "$TOP/kunit/dma_smallbuf_edu_kunit.c"
# The page tells maintainers to run it with make coccicheck.
put scripts/coccinelle/api/dma_smallbuf.cocci "$TOP/cocci/dma_smallbuf.cocci"

# The Kconfig entries join the DMA mapping ones.
kconfig=$tmp/Kconfig
{ kgit show "$BASE_TAG:kernel/dma/Kconfig"; echo
  grep -v '^#' "$TOP/lib/Kconfig.dma_smallbuf"; } > "$kconfig"
put kernel/dma/Kconfig "$kconfig"
edit lib/Makefile '^obj-' 4 '$a \
\
obj-$(CONFIG_DMA_SMALLBUF) += dma_smallbuf.o\
obj-$(CONFIG_DMA_SMALLBUF_KUNIT_TEST) += dma_smallbuf_kunit.o\
obj-$(CONFIG_DMA_SMALLBUF_EDU_KUNIT_TEST) += dma_smallbuf_edu_kunit.o'
edit include/linux/device.h 'struct list_head	dma_pools;' 5 \
	'/^struct device_private;/a struct dma_smallbuf;
/^ \* @dma_pools:/a \ * @dma_smallbuf: Small-buffer pools, see dma_smallbuf_alloc().
/struct list_head	dma_pools;/a #ifdef CONFIG_DMA_SMALLBUF\n\tstruct dma_smallbuf __rcu *dma_smallbuf;\n#endif'
# The driver core releases the state: after devres at unbind, before the
# bus sets up DMA for a new driver, and when the device goes away.
edit drivers/base/dd.c '^	devres_release_all(dev);$' 3 \
	'/^#include <linux\/dma-map-ops.h>$/a #include <linux/dma-smallbuf.h>
/^static void device_unbind_cleanup(struct device \*dev)$/,/^}/s/^	devres_release_all(dev);$/&\n\tdma_smallbuf_release(dev);/
/^	if (dev->bus->dma_configure) {$/i \	dma_smallbuf_release(dev);'
edit drivers/base/core.c '^	bus_remove_device(dev);$' 2 \
	'/^#include <linux\/dma-map-ops.h>/a #include <linux/dma-smallbuf.h>
/^void device_del(struct device \*dev)$/,/^}/s/^\tbus_remove_device(dev);$/&\n\tdma_smallbuf_release(dev);/'

rst=$TOP/Documentation/core-api/dma-smallbuf.rst
if [ -e "$rst" ]; then
	put Documentation/core-api/dma-smallbuf.rst "$rst"
	edit Documentation/core-api/index.rst '^   dma-api-howto$' 1 \
		'/^   dma-api-howto$/a \   dma-smallbuf'
fi

tree=$(kgit write-tree)
unset GIT_INDEX_FILE
if [ "$(kgit rev-parse -q --verify "$BRANCH^{tree}" 2>/dev/null)" = "$tree" ] &&
   [ "$(kgit rev-parse "$BRANCH^")" = "$(kgit rev-parse "$BASE_TAG^{commit}")" ] &&
   kgit cat-file commit "$BRANCH" | sed '1,/^$/d' | cmp -s - "$TOP/harness/allocator-commit.txt"; then
	commit=$(kgit rev-parse "$BRANCH")
else
	commit=$(kgit commit-tree "$tree" -p "$BASE_TAG" -F "$TOP/harness/allocator-commit.txt")
fi
kgit checkout -q -f -B "$BRANCH" "$commit"
log "$KTREE: $(kgit log --oneline -1)"
