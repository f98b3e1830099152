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

# series_mail PATCH: the patch as git am takes it.  Patches in the repo have
# no From: (whoever runs 'make' becomes the author when they are exported);
# scratch commits that never leave the tree get the harness identity.
series_mail() {
	grep -q '^From: ' "$1" || echo "From: dma-smallbuf harness <dma-smallbuf@localhost>"
	cat "$1"
}

# A report line of spatch (-D report), FILE:LINE:COL-COL: MESSAGE; the
# rest of a run with -D report -D patch is the diff.
SPATCH_REPORT_LINE='^[^ +@-][^ ]*\.[ch]:[0-9]+:[0-9]+-[0-9]+: '

# spatch_each RULE OUT ERR [SPATCH-OPTION...] -- FILE...: run spatch with
# RULE (a .cocci file) on each FILE as a group of its own (--file-groups),
# two jobs at a time, from the current directory; OUT gets the output, ERR
# the errors.  spatch treats the files of one call as one group, under one
# timeout: for dma_smallbuf.cocci, which follows a buffer across a file,
# the 39 files of the 6.12 census as one group hit that timeout; as 39
# groups they take 28 s (one call per file: 45 s, it starts up 39 times).
spatch_each() {
	local rule=$1 out=$2 err=$3 opts=() groups rc=0
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] || die "spatch_each: no -- before the files"
	shift
	groups=$(mktemp)
	printf '%s\n\n' "$@" > "$groups"
	spatch "${opts[@]}" --jobs 2 --sp-file "$rule" --file-groups "$groups" > "$out" 2> "$err" || rc=$?
	rm -f "$groups"
	return "$rc"
}

# sizes_commit: the key of the sizes cache, out/sizes/KEY-ARCH.csv.  The
# base commit and a hash of what the branch changes outside the allocator's
# own .c files, documentation and semantic patch: a new allocator does not
# change any driver's sizeof(), a header or Kconfig change may.
sizes_commit() {
	echo "$(git -C "$KTREE" rev-parse "$BASE_TAG^{commit}" | cut -c1-12)-$(git -C "$KTREE" diff \
		"$BASE_TAG" "$BRANCH" -- . ':!lib/dma_smallbuf*.c' ':!Documentation' ':!scripts/coccinelle' |
		sha1sum | cut -c1-12)"
}

# put PATH FILE: in the scratch index named by GIT_INDEX_FILE, PATH gets
# FILE's contents (used to build commits without touching the work tree).
put() {
	local blob
	blob=$(kgit hash-object -w --path="$1" -- "$2")
	kgit update-index --add --cacheinfo "100644,$blob,$1"
}

# kunit_setup ARCH [debug]: kunit_opts gets kunit.py's options that make
# the kernel build (architecture, cross compiler, build directory
# build/kunit-ARCH[-debug], kunitconfigs), kunit_bdir that directory,
# kunit_cross the CROSS_COMPILE prefix (empty on x86_64).  Every
# boot of a build passes the same options, so no boot reconfigures it.
#
# The builds: plain (the allocator as shipped, fast paths in use) and
# debug (kunit/debug.kunitconfig: CONFIG_DMA_SMALLBUF_DEBUG, every call on
# the slow path with live buffers tracked, and KASAN).  The kernel's lock
# and DMA checkers (kunit/checks.kunitconfig: lockdep, sleep-in-atomic,
# DMA-API debug, list debugging) are in every debug build and in x86_64's
# plain one, where they watch the fast paths and the edu device's DMA;
# KASAN is left out there, as it makes that build half as long again.
# The edu suite is in the plain x86_64 and arm64 builds.  The plain x86_64
# build also has the network stack and the rocker driver
# (kunit/rocker-x86_64.kunitconfig), the base of the rocker conversion test.
kunit_setup() {
	local arch=$1 variant=${2:-} k=$TOP/kunit
	kunit_bdir=$BUILD/kunit-$arch${variant:+-$variant}
	kunit_opts=(--arch="$arch" --build_dir="$kunit_bdir" --kunitconfig="$k/.kunitconfig")
	case "$variant" in
	"")	[ "$arch" != x86_64 ] ||
		kunit_opts+=(--kunitconfig="$k/checks.kunitconfig" --kunitconfig="$k/rocker-x86_64.kunitconfig") ;;
	debug)	kunit_opts+=(--kunitconfig="$k/debug.kunitconfig" --kunitconfig="$k/checks.kunitconfig") ;;
	*)	die "unknown kunit variant '$variant' (want: debug)" ;;
	esac
	case "$arch" in
	x86_64)	kunit_cross= ;;
	arm64)	kunit_cross=aarch64-linux-gnu- ;;
	s390)	kunit_cross=s390x-linux-gnu- ;;
	*)	die "unsupported kunit ARCH '$arch' (want x86_64, arm64 or s390)" ;;
	esac
	[ -z "$kunit_cross" ] || kunit_opts+=(--cross_compile="$kunit_cross")
	[ -n "$variant" ] || [ ! -f "$k/edu-$arch.kunitconfig" ] ||
		kunit_opts+=(--kunitconfig="$k/edu.kunitconfig" --kunitconfig="$k/edu-$arch.kunitconfig")
}

# edu_args ARCH BITS BACKEND: edu_qemu and edu_kernel get the QEMU and
# kernel arguments of a boot with QEMU's edu device at a BITS-bit dma_mask
# behind DMA back end BACKEND (direct, swiotlb or iommu), which the edu
# suite checks it got.
edu_args() {
	local p=dma_smallbuf_edu_kunit
	edu_qemu="-device edu,dma_mask=$(printf '%#x' $(((1 << $2) - 1)))"
	edu_kernel="$p.mask_bits=$2 $p.backend=$3"
	case "$1/$3" in
	*/direct) ;;
	*/swiotlb) edu_kernel+=" swiotlb=force" ;;
	x86_64/iommu)
		edu_qemu="-machine q35 -device intel-iommu $edu_qemu"
		edu_kernel+=" intel_iommu=on iommu.passthrough=0" ;;
	*)	die "edu_args: no DMA back end '$3' on $1 (want direct, swiotlb; iommu on x86_64)" ;;
	esac
}

# kunit_run TAG ARGS...: "kunit.py run ARGS..." in the kernel tree, its
# output (stdout and stderr) on stdout; logs how long it took and leaves
# its exit status in kunit_rc (the caller decides what a failure means).
# kunit_cmd=build or kunit_cmd=exec runs that subcommand instead of run.
kunit_run() {
	local tag=$1 start=$SECONDS
	shift
	kunit_rc=0
	(cd "$KTREE" && python3 tools/testing/kunit/kunit.py "${kunit_cmd:-run}" "$@" 2>&1) ||
		kunit_rc=$?
	log "$tag: kunit.py exited $kunit_rc after $((SECONDS - start)) s"
}

# Write one result line "NAME PASSED FAILED" for make check to sum.
record() {
	mkdir -p "$OUT/results"
	echo "$1 $2 $3 ${4:-0}" > "$OUT/results/$1"
}

# record_report NAME TOOL RC REPORT: print a checker's REPORT, whose last
# line is "WORD: N passed, N failed", record those counts as NAME and exit
# with the checker's status RC.
record_report() {
	local counts
	echo "$4"
	counts=$(tail -1 <<<"$4" | sed -nE 's/^[a-z]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
	[ -n "$counts" ] || die "$2 printed no result line (exit $3)"
	# shellcheck disable=SC2086
	record "$1" $counts
	exit "$3"
}

# Kernel builds go through ccache (Debian's /usr/lib/ccache wrappers, cross
# compilers included) with its cache outside the repository, so a second
# checkout or a rerun recompiles little.  Paths under the checkout are made
# relative, so another clone of the repository hits the same entries.
# NO_CCACHE=1 builds without it.
if [ -z "${NO_CCACHE:-}" ] && [ -d /usr/lib/ccache ]; then
	case ":$PATH:" in
	*:/usr/lib/ccache:*) ;;
	*) PATH=/usr/lib/ccache:$PATH ;;
	esac
	export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dma-smallbuf-ccache}
	export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
fi

# The harness calls the kernel's make with explicit arguments; keep the
# outer make's variables (ARCH=..., -j) from leaking into it.
unset MAKEFLAGS MFLAGS MAKELEVEL ARCH
