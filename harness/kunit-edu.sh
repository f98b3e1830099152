#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The dma_smallbuf suites over the DMA back ends a driver meets, with QEMU's
# edu PCI device copying every buffer by DMA (kunit/dma_smallbuf_edu_kunit.c).
#
#   harness/kunit-edu.sh ARCH BOOT...
#
# BOOT is BACKEND-BITS, BACKEND one of direct, swiotlb (swiotlb=force) or
# iommu (x86_64 q35 with intel-iommu, translated), BITS edu's dma_mask; or
# negative-BITS, the negative control (below).  The boots reuse the build of
# harness/kunit.sh ARCH: one 'kunit.py build' with the same options (nothing
# to do after 'make kunit-ARCH'), then one 'kunit.py exec' per boot, which
# changes only QEMU's and the kernel's arguments.  Each boot (TCG, 6 GiB,
# 2 vCPUs) runs the mask suite and the edu suite, its log is scanned like
# every kunit boot's (harness/kunit-results.py: an "EDU: clamping DMA" from
# QEMU fails it too), and it records its own line kunit-ARCH-BACKEND-eduBITS.
#
# negative-BITS boots dma-direct with dma_smallbuf_edu_kunit.unreachable=1,
# which hands edu dma_smallbuf buffers allocated for a 64-bit device, beyond
# edu's BITS bits.  Its line, kunit-ARCH-negative-eduBITS, passes only if
# that run fails for the right reason: edu_dma_smallbuf fails with data
# mismatches, QEMU clamped an address, and the control case passed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

arch=${1:?usage: kunit-edu.sh ARCH BOOT...}
shift
[ $# -gt 0 ] || die "kunit-edu.sh: no BOOT given (e.g. direct-32 swiotlb-32 iommu-28 negative-28)"
kunit_setup "$arch"
mkdir -p "$OUT/results"

name_of() {
	echo "$arch-${1%-*}-edu${1##*-}"
}

for b; do
	[[ "$b" =~ ^(direct|swiotlb|iommu|negative)-[0-9]+$ ]] ||
		die "kunit-edu.sh: bad BOOT '$b' (want direct|swiotlb|iommu|negative-BITS)"
done

log "kunit-edu $arch: the kernel of 'make kunit-$arch' in $kunit_bdir"
kunit_cmd=build kunit_run "kunit-edu $arch build" "${kunit_opts[@]}" --jobs="$(nproc)"
if [ "$kunit_rc" -ne 0 ]; then
	for b; do record "kunit-$(name_of "$b")" 0 1; done
	die "kunit-edu $arch: kunit.py build failed (see above)"
fi

# boot NAME BITS BACKEND [KERNEL-ARGS [SUITE-GLOB]]: one boot, its JSON and
# its log (kernel and QEMU output) in out/kunit-NAME.{json,log}.
boot() {
	local json=$OUT/kunit-$1.json
	edu_args "$arch" "$2" "$3"
	rm -f "$json"
	log "kunit $1: $3, edu dma_mask $2 bits (TCG, 6 GiB, 2 vCPUs)"
	kunit_cmd=exec kunit_run "kunit $1" "${kunit_opts[@]}" --timeout=2400 --json="$json" \
		--qemu_args="-m 6G -smp 2 $edu_qemu" --kernel_args="$edu_kernel${4:+ $4}" ${5:+"$5"}
	cp "$kunit_bdir/test.log" "$OUT/kunit-$1.log"
	[ -s "$json" ] || log "kunit $1: no results (boot failed, see above)"
}

# The run must fail, and because edu read other memory than the buffers.
negative() {
	local name=$1 bits=$2 scratch=$OUT/kunit-edu-negative bad=() rc=0
	local log=$OUT/kunit-$name.log
	boot "$name" "$bits" direct dma_smallbuf_edu_kunit.unreachable=1 'dma_smallbuf_edu*'
	rm -rf "$scratch"
	mkdir -p "$scratch"
	if [ -s "$OUT/kunit-$name.json" ]; then
		echo "kunit-$name: the run below must fail"
		python3 "$TOP/harness/kunit-results.py" "$name" "$OUT/kunit-$name.json" \
			"$log" "$scratch" | sed 's/^/    /' || rc=$?
		[ "$rc" -ne 0 ] || bad+=("the run passed with buffers beyond edu's reach")
	else
		bad+=("no results: the boot failed instead")
	fi
	grep -qE 'not ok [0-9]+ edu_dma_smallbuf' "$log" ||
		bad+=("edu_dma_smallbuf did not fail")
	grep -qE 'dma_smallbuf: [0-9]+-byte buffer: data mismatch' "$log" ||
		bad+=("no data mismatch reported for a dma_smallbuf buffer")
	grep -q 'EDU: clamping DMA' "$log" ||
		bad+=("QEMU's edu clamped no address")
	grep -E ' ok [0-9]+ edu_kmalloc_map_single' "$log" | grep -vq 'not ok' ||
		bad+=("the control edu_kmalloc_map_single did not pass")
	if [ ${#bad[@]} -gt 0 ]; then
		printf 'FAIL kunit-%s: %s\n' "$name" "${bad[@]}" >&2
		echo "    (log: $log)" >&2
		record "kunit-$name" 0 1
		return 1
	fi
	echo "PASS kunit-$name: the edu suite fails when dma_smallbuf buffers are beyond edu's mask"
	record "kunit-$name" 1 0
}

status=0
for b; do
	name=$(name_of "$b")
	bits=${b##*-}
	case "$b" in
	negative-*)
		negative "$name" "$bits" || status=1 ;;
	*)	boot "$name" "$bits" "${b%-*}"
		if [ -s "$OUT/kunit-$name.json" ]; then
			python3 "$TOP/harness/kunit-results.py" "$name" "$OUT/kunit-$name.json" \
				"$OUT/kunit-$name.log" "$OUT/results" || status=1
		else
			record "kunit-$name" 0 1
			status=1
		fi ;;
	esac
done
exit "$status"
