#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the converted rocker driver under qemu-system-x86_64 (TCG) with an
# emulated rocker switch and check that it probes, that its DMA self-test
# passes through the dma_smallbuf buffers, and that its ports come up.
#
#   harness/conversions-qemu.sh [FROM_BRANCH]
#
# FROM_BRANCH (default "conversions", made by harness/conversions.sh) is the
# tree branch with the series applied.  The KUnit test
# drivers-conversions/tests/rocker_conv_kunit.c is committed on top of it on
# branch conversions-qemu (reset every run) and the kernel is built and
# booted through the tree's kunit.py in build/rocker-x86_64 (kept, so a
# second run is incremental).  One result case: conversions-qemu-rocker.
set -euo pipefail
. "$(dirname "$0")/common.sh"

from=${1:-conversions}
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

kgit rev-parse -q --verify "refs/heads/$from" >/dev/null ||
	die "$name: no branch '$from' in $KTREE (run harness/conversions.sh first)"
grep -q "ROCKER_CONV_PORTS	$ports\$" "$tests/rocker_conv_kunit.c" ||
	die "$name: $tests/rocker_conv_kunit.c does not expect $ports ports"

# Install the test on a branch of its own, never on the series.
kgit checkout -q -f -B conversions-qemu "$from"
trap 'kgit checkout -q -f "$BRANCH"' EXIT
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

mkdir -p "$OUT/results"
rm -f "$json"
log "$name: building in $bdir, booting QEMU (TCG, 2 GiB, 2 vCPUs, rocker with $ports ports)"
start=$SECONDS
kunit_run "$name" \
	--arch=x86_64 --build_dir="$bdir" --kunitconfig="$tests/rocker.kunitconfig" \
	--jobs=2 --timeout=900 --json="$json" \
	--qemu_args="-m 2G -smp 2 -device rocker,name=sw1,len-ports=$ports"

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
