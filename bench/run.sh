#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the benchmark kernel in build/bench-x86_64 (kept: reruns are
# incremental), boot it under qemu-system-x86_64 (TCG) with one vCPU per
# host core (at least 2) and 6 GiB of RAM three times (all figures; one-CPU
# and burst under -icount; per-CPU memory with 64 possible CPUs), and turn
# the consoles into out/bench.csv, out/bench.txt and out/bench.png.
set -euo pipefail
. "$(dirname "$0")/../harness/common.sh"

bdir=$BUILD/bench-x86_64
log_file=$OUT/bench-console.log
icount_log=$OUT/bench-icount.log
percpu_log=$OUT/bench-percpu.log
mkdir -p "$OUT"

if ! command -v gnuplot >/dev/null; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	log "installing gnuplot-nox"
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
		--no-install-recommends gnuplot-nox >/dev/null
fi

# The size mix: every constant-size kmalloc-family GFP_DMA site of the
# census once (out/census-mix.csv, written by make census), if there is one.
mix_msg=$(mktemp)
trap 'rm -f "$mix_msg"' EXIT
mix=$(python3 "$TOP/bench/report.py" mix "$OUT/census-mix.csv" "$TOP/bench/size-mix.csv" \
	2>"$mix_msg") || { cat "$mix_msg" >&2; die "bench: no usable size mix"; }
mix_source=$(sed 's/^size mix from //' "$mix_msg")
log "bench: size mix from $mix_source"

"$TOP/bench/install.sh"

cpus=$(nproc)
[ "$cpus" -ge 2 ] || cpus=2
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2
log "bench: building in $bdir and booting qemu-system-x86_64 (TCG, $cpus vCPUs, 6 GiB)"
kunit_run bench \
	--arch=x86_64 --build_dir="$bdir" --kunitconfig="$TOP/bench/bench.kunitconfig" \
	--jobs="$jobs" --timeout=3600 --raw_output=all \
	--kernel_args="dma_smallbuf_bench.mix=$mix" \
	--qemu_args="-m 6G -smp $cpus" > "$log_file"
log "bench: console in $log_file"
grep -q 'dma_smallbuf_bench: R ' "$log_file" ||
	{ tail -20 "$log_file" >&2; die "bench: no results in $log_file (build or boot failed)"; }

# bench_exec LOG QEMU_ARGS KERNEL_ARGS GLOB: boot the kernel built above
# once more (kunit.py exec: no configure, no build), only the cases GLOB
# matches.
bench_exec() {
	local start=$SECONDS rc=0
	(cd "$KTREE" && python3 tools/testing/kunit/kunit.py exec \
		--arch=x86_64 --build_dir="$bdir" --timeout=1800 --raw_output=all \
		--qemu_args="$2" --kernel_args="$3" "$4" 2>&1) > "$1" || rc=$?
	log "bench: kunit.py exec exited $rc after $((SECONDS - start)) s; console in $1"
}

# Host load makes TCG timings noisy and TCG's cost of an instruction
# depends on where the code lies; a second boot with -icount (one guest
# instruction = one ns of virtual time, single-threaded TCG) counts
# instructions per pair instead, deterministically: bench_single and
# bench_burst (the glob matches these two cases only).
log "bench: one-CPU and burst figures again under qemu -icount shift=0"
bench_exec "$icount_log" "-m 6G -smp $cpus -icount shift=0" "" 'dma_smallbuf_bench.bench_[bs][ui]*'

# Per-CPU memory is paid for every possible CPU: a third boot with 64
# possible CPUs (CONFIG_NR_CPUS=64 in bench.kunitconfig), $cpus online.
# Not "-smp $cpus,maxcpus=64": QEMU lists the 62 absent CPUs in the MADT
# as disabled, and x86 Linux counts disabled entries as hotpluggable only
# when it detects a hypervisor (acpi_is_processor_usable()), which it does
# not under TCG: possible would stay $cpus.  64 present CPUs with all but
# $cpus left offline at boot (maxcpus=) are 64 possible.
log "bench: per-CPU memory with -smp 64 and maxcpus=$cpus"
bench_exec "$percpu_log" "-m 6G -smp 64" "maxcpus=$cpus" 'dma_smallbuf_bench.bench_percpu'

machine="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 "$TOP/bench/report.py" report "$log_file" "$icount_log" "$percpu_log" "$OUT" \
	--machine "$machine" --mix-source "$mix_source"
cat "$OUT/bench.txt"
log "bench: wrote $OUT/bench.csv, $OUT/bench.txt, $OUT/bench.png"
