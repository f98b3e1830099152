#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make $KTREE a git tree with a base commit tagged dma-smallbuf-base.
#
# Default: unpack Debian's linux-source-6.12 under build/ and commit it.
# KDIR=/path: use the user's own kernel git tree; its HEAD becomes the base.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ -n "${KDIR:-}" ]; then
	[ -f "$KDIR/Makefile" ] && [ -d "$KDIR/kernel/dma" ] ||
		die "KDIR=$KDIR is not a kernel source tree (no Makefile or kernel/dma/)"
	git -C "$KDIR" rev-parse --git-dir >/dev/null 2>&1 ||
		die "KDIR=$KDIR is not a git repository; run 'git init' and commit it first"
	if ! kgit rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null; then
		[ -z "$(kgit status --porcelain --untracked-files=no)" ] ||
			die "KDIR=$KDIR has uncommitted changes; commit or stash them first"
		kgit tag "$BASE_TAG" HEAD
		log "tagged $(kgit rev-parse --short HEAD) in $KDIR as $BASE_TAG"
	fi
	exit 0
fi

if kgit rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	exit 0
fi

[ -f "$KSRC_TARBALL" ] ||
	die "$KSRC_TARBALL missing: install the linux-source-6.12 package (make deps)"
log "unpacking $KSRC_TARBALL into $BUILD"
rm -rf "$KTREE"
mkdir -p "$BUILD"
tar -C "$BUILD" -xJf "$KSRC_TARBALL"
[ -f "$KTREE/Makefile" ] || die "$KSRC_TARBALL did not unpack to $KTREE"

# Debian's top-level .gitignore ends with "/*", which ignores the whole
# tree; drop that block so the tree can be committed and diffed.
sed -i '/^# Debian packaging: ignore everything/,$d' "$KTREE/.gitignore"

log "committing the base tree (about a minute)"
git -C "$KTREE" init -q -b master
kgit add -A
kgit commit -q -m "Linux $(make -s -C "$KTREE" kernelversion) (Debian linux-source)"
kgit tag "$BASE_TAG"
