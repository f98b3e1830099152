# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the harness scripts; sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=${OUT:-$TOP/out}
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
# The kernel tree we work in: the user's own (KDIR=) or Debian's linux-source.
KTREE=${KDIR:-$BUILD/linux-source-6.12}
# Branch in $KTREE that carries our series on top of the base commit.
BRANCH=dma-smallbuf
BASE_TAG=dma-smallbuf-base

die() {
	echo "error: $*" >&2
	exit 1
}

log() {
	echo ">>> $*" >&2
}

# Run "git" in the kernel tree with a fixed identity, so commits made by
# the harness never depend on the user's configuration.
kgit() {
	git -C "$KTREE" -c user.name="dma-smallbuf harness" \
		-c user.email="dma-smallbuf@localhost" -c commit.gpgsign=false "$@"
}

# put PATH FILE: in the scratch index named by GIT_INDEX_FILE, PATH gets
# FILE's contents (used to build commits without touching the work tree).
put() {
	local blob
	blob=$(kgit hash-object -w --path="$1" -- "$2")
	kgit update-index --add --cacheinfo "100644,$blob,$1"
}

# kunit_run TAG ARGS...: "kunit.py run ARGS..." in the kernel tree, its
# output (stdout and stderr) on stdout; logs how long it took and leaves
# its exit status in kunit_rc (the caller decides what a failure means).
kunit_run() {
	local tag=$1 start=$SECONDS
	shift
	kunit_rc=0
	(cd "$KTREE" && python3 tools/testing/kunit/kunit.py run "$@" 2>&1) || kunit_rc=$?
	log "$tag: kunit.py exited $kunit_rc after $((SECONDS - start)) s"
}

# Write one result line "NAME PASSED FAILED" for make check to sum.
record() {
	mkdir -p "$OUT/results"
	echo "$1 $2 $3 ${4:-0}" > "$OUT/results/$1"
}

# The harness calls the kernel's make with explicit arguments; keep the
# outer make's variables (ARCH=..., -j) from leaking into it.
unset MAKEFLAGS MFLAGS MAKELEVEL ARCH
