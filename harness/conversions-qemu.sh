#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the converted rocker driver under qemu-system-x86_64 (TCG) with an
# emulated rocker switch and check that it probes, that its DMA self-test
# passes through the dma_smallbuf buffers, and that its ports come up.
#
#   harness/conversions-qemu.sh [DIFF]
#
# In the kernel tree, branch conversions-qemu is reset to dma-smallbuf and
# gets every patch of drivers-conversions/series (CONV_SERIES=FILE: another
# series), then the KUnit test drivers-conversions/tests/rocker_conv_kunit.c,
# then DIFF if given (a test-only change, see conversions-qemu-selftest.sh);
# the tree is left on dma-smallbuf.  The kernel is the x86_64 KUnit kernel
# (the configuration of 'make kunit-x86_64', which has the network stack and
# the rocker driver) plus drivers-conversions/tests/rocker.kunitconfig (the
# test), built through kunit.py in build/rocker-x86_64: a copy of
# build/kunit-x86_64 when that exists and this does not, so that only the
# series' files and the test are compiled.  Only the rocker suite runs.
# One result case: conversions-qemu-rocker.
set -euo pipefail
. "$(dirname "$0")/common.sh"

series=${CONV_SERIES:-$TOP/drivers-conversions/series}
diff=${1:-}
name=conversions-qemu-rocker
ports=2
tests=$TOP/drivers-conversions/tests
bdir=$BUILD/rocker-x86_64
json=$OUT/$name.json
rdir=$KTREE/drivers/net/ethernet/rocker

fail() {
	echo "FAIL $name: $*" >&2
	record "$name" 0 1
	exit 1
}

mkdir -p "$OUT/results"
[ -r "$series" ] || die "$name: cannot read the series file $series"
[ -z "$diff" ] || [ -f "$diff" ] || die "$name: no such diff: $diff"
grep -q "ROCKER_CONV_PORTS	$ports\$" "$tests/rocker_conv_kunit.c" ||
	die "$name: $tests/rocker_conv_kunit.c does not expect $ports ports"
kgit rev-parse -q --verify "refs/heads/$BRANCH" >/dev/null ||
	die "no branch $BRANCH in $KTREE (run 'make tree')"
[ -z "$(kgit status --porcelain --untracked-files=no)" ] ||
	die "$KTREE has uncommitted changes; refusing to reset branch conversions-qemu"

# The KUnit build of the same tree is the starting point: the two
# configurations differ by the test's symbol, so the copy compiles the
# series' files and the test, not a whole kernel.
kx=$BUILD/kunit-x86_64
if [ ! -f "$bdir/.config" ] && [ -f "$kx/.config" ]; then
	log "$name: starting from a copy of ${kx#"$TOP"/}"
	rm -rf "$bdir"
	cp -a "$kx" "$bdir"
fi
kunit_setup x86_64
opts=()
for o in "${kunit_opts[@]}"; do
	case "$o" in
	--build_dir=*) opts+=(--build_dir="$bdir") ;;
	*) opts+=("$o") ;;
	esac
done

kgit am --abort >/dev/null 2>&1 || true
kgit checkout -q -f -B conversions-qemu "$BRANCH"
# Leave the tree on dma-smallbuf for the other targets.
trap 'kgit am --abort >/dev/null 2>&1 || true; kgit checkout -q -f "$BRANCH"' EXIT
kgit clean -q -fd drivers/net/ethernet/rocker
sed -e 's/#.*//' "$series" | while read -r p _; do
	[ -n "$p" ] || continue
	[ -f "$(dirname "$series")/$p" ] || die "$name: $series names no such patch: $p"
	series_mail "$(dirname "$series")/$p" | kgit am -q >"$OUT/$name.am" 2>&1 || {
		sed 's/^/    /' "$OUT/$name.am" >&2
		fail "$p does not apply (above)"
	}
done

# The test gets a commit of its own, never part of a patch.
cp "$tests/rocker_conv_kunit.c" "$rdir/rocker_conv_kunit.c"
cat >> "$rdir/Kconfig" <<'KCONFIG'

config ROCKER_CONV_KUNIT_TEST
	bool "Boot-time KUnit check of rocker on dma_smallbuf"
	depends on KUNIT=y && ROCKER=y
	help
	  Checks that the emulated rocker switch probed, uses dma_smallbuf
	  buffers, and that its ports come up.  For the dma-smallbuf harness.
KCONFIG
echo 'obj-$(CONFIG_ROCKER_CONV_KUNIT_TEST) += rocker_conv_kunit.o' >> "$rdir/Makefile"
kgit add drivers/net/ethernet/rocker
kgit commit -q -m "rocker: boot-time KUnit check (dma-smallbuf harness, not for upstream)"
if [ -n "$diff" ]; then
	# patch(1), not git apply: a test diff may name only its context.
	(cd "$KTREE" && patch -p1 -s --no-backup-if-mismatch) <"$diff" ||
		die "$name: $diff does not apply"
	kgit commit -q -a -m "$(basename "$diff") (dma-smallbuf harness, not for upstream)"
fi

rm -f "$json"
log "$name: building in $bdir, booting QEMU (TCG, 2 GiB, 2 vCPUs, rocker with $ports ports)"
start=$SECONDS
kunit_run "$name" "${opts[@]}" --kunitconfig="$tests/rocker.kunitconfig" \
	--jobs=2 --timeout=900 --json="$json" \
	--qemu_args="-m 2G -smp 2 -device rocker,name=sw1,len-ports=$ports" \
	rocker_dma_smallbuf

# The kunitconfig must really have been applied (kunit.py warns, not fails).
for sym in ROCKER DMA_SMALLBUF ROCKER_CONV_KUNIT_TEST PCI_MSI; do
	grep -q "^CONFIG_$sym=y" "$bdir/.config" 2>/dev/null ||
		fail "CONFIG_$sym is not enabled in $bdir/.config"
done
testlog=$bdir/test.log
[ -s "$testlog" ] || fail "no kernel log $testlog (build or boot failed, see above)"

# The driver's own probe and self-test errors (rocker_main.c).
errs=$(grep -E "rocker [0-9a-f:.]+: .*(failed|unexpected|no interrupt received|invalid PCI)" \
	"$testlog" || true)
[ -z "$errs" ] || fail "rocker reported errors in the boot log:"$'\n'"$errs"
grep -qE 'BUG: |Kernel panic|WARNING: ' "$testlog" &&
	fail "kernel BUG/WARNING in $testlog: $(grep -E 'BUG: |Kernel panic|WARNING: ' "$testlog" | head -3)"

# Every case of the suite must have run and passed.
[ -s "$json" ] || fail "no KUnit results in $json"
/usr/bin/python3 - "$json" <<'PY' || fail "KUnit suite rocker_dma_smallbuf did not pass (see $testlog)"
import json, sys
want = {'rocker_conv_probe_test', 'rocker_conv_smallbuf_test', 'rocker_conv_up_test'}
def walk(g):
    for c in g.get('test_cases', []):
        yield c['name'], c['status']
    for s in g.get('sub_groups', []):
        yield from walk(s)
got = dict(walk(json.load(open(sys.argv[1]))))
bad = {n: got.get(n, 'MISSING') for n in want if got.get(n) != 'PASS'}
for n, s in sorted(bad.items()):
    print(f'  {n}: {s}', file=sys.stderr)
sys.exit(1 if bad else 0)
PY
[ "$kunit_rc" -eq 0 ] || fail "kunit.py exited $kunit_rc"
echo "PASS $name: rocker probed, DMA self-test passed, $ports ports up ($((SECONDS - start)) s)"
record "$name" 1 0
