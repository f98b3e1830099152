#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sizes of census sites that are compile-time constants (sizeof() ...),
# computed by the compiler of the architecture that builds each file:
# s390 for arch/s390, drivers/s390 and net/iucv, x86_64 for the rest.
# Each architecture gets a defconfig tree prepared in build/sizes-ARCH;
# results are cached in out/sizes/KEY-ARCH.csv (KEY: sizes_commit in
# common.sh, the tree without the allocator), which 'make census' reads.
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/harness/census.sh"
commit=$(sizes_commit)
mkdir -p "$OUT/sizes"
probe_key=$(cat "$TOP"/cocci/census_probe.py "$TOP"/cocci/census_sizes.py \
	"$TOP"/cocci/census_follow.py "$TOP/harness/sizes.sh" | sha1sum | cut -d' ' -f1)
pass=0 fail=0
for arch in x86_64 s390; do
	res=$OUT/sizes/$commit-$arch.csv
	if [ -s "$res" ] && [ "$(cat "$res.key" 2>/dev/null)" = "$probe_key" ]; then
		log "sizes: $arch up to date ($res)"
		pass=$((pass + 1))
		continue
	fi
	case $arch in
	x86_64) kargs=(ARCH=x86_64) ;;
	s390)   kargs=(ARCH=s390 CROSS_COMPILE=s390x-linux-gnu-) ;;
	esac
	obj=$BUILD/sizes-$arch
	mkdir -p "$obj"
	start=$SECONDS
	if [ ! -s "$obj/.config" ]; then
		make -s -C "$KTREE" O="$obj" "${kargs[@]}" defconfig >/dev/null ||
			die "sizes: make defconfig for $arch failed in $obj"
	fi
	# One small object gives the kernel's compiler command for this arch.
	make -s -C "$KTREE" O="$obj" "${kargs[@]}" -j"$(nproc)" lib/ctype.o >/dev/null ||
		die "sizes: building lib/ctype.o for $arch failed in $obj (see make -C $KTREE O=$obj ${kargs[*]} lib/ctype.o)"
	[ -s "$obj/lib/.ctype.o.cmd" ] || die "sizes: $obj/lib/.ctype.o.cmd missing after the build"
	# The fixture first: a probe that reports wrong sizes must fail here.
	fix=$(mktemp -d)
	mkdir -p "$fix/drivers/census-fixture"
	cp "$TOP/cocci/tests/sizes/probe.c" "$fix/drivers/census-fixture/"
	printf 'file,line,function,allocator,size,class,reason,subsystem,size_bytes\n%s\n%s\n%s\n' \
		'drivers/census-fixture/probe.c,16,f,kmalloc,,needs-human,,,sizeof' \
		'drivers/census-fixture/probe.c,17,f,kmalloc,,needs-human,,,sizeof' \
		'drivers/census-fixture/probe.c,26,f,kzalloc,,needs-human,,,sizeof' > "$fix/census.csv"
	fixarch=$arch
	[ "$arch" = x86_64 ] || sed -i "s|drivers/census-fixture|arch/$arch/census-fixture|" "$fix/census.csv"
	[ "$arch" = x86_64 ] || { mkdir -p "$fix/arch/$arch"; mv "$fix/drivers/census-fixture" "$fix/arch/$arch/"; }
	/usr/bin/python3 "$TOP/cocci/census_probe.py" "$fix" "$obj" "$fixarch" \
		"$obj/lib/.ctype.o.cmd" "$fix/census.csv" "$fix/out.csv" 2> "$fix/log" || true
	if sed "s|arch/$arch/census-fixture|drivers/census-fixture|" "$fix/out.csv" 2>/dev/null |
		cmp -s - "$TOP/cocci/tests/sizes/probe.expected"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "sizes: $arch: fixture cocci/tests/sizes/probe.c: got $(tr '\n' ' ' < "$fix/out.csv" 2>/dev/null), want $(tr '\n' ' ' < "$TOP/cocci/tests/sizes/probe.expected"); $(cat "$fix/log")" >&2
	fi
	rm -rf "$fix"
	/usr/bin/python3 "$TOP/cocci/census_probe.py" "$KTREE" "$obj" "$arch" \
		"$obj/lib/.ctype.o.cmd" "$OUT/census.csv" "$res.tmp" 2> "$OUT/sizes/$arch.log" ||
		{ cat "$OUT/sizes/$arch.log" >&2; die "sizes: probe for $arch failed"; }
	mv "$res.tmp" "$res"
	echo "$probe_key" > "$res.key"
	log "sizes: $arch: $(tail -1 "$OUT/sizes/$arch.log" | sed 's/^census_probe.py: //') ($((SECONDS - start)) s; skipped sites in $OUT/sizes/$arch.log)"
done
# The census picks the new sizes up.
"$TOP/harness/census.sh"
record sizes "$pass" "$fail"
[ "$fail" -eq 0 ]
