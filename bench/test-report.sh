#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test bench/report.py without booting: the report from recorded console
# logs (full run, -icount run, per-CPU run) has every figure x method x
# size and the six targets judged on them, incomplete, malformed or
# swapped logs are refused with the log named, and the size mix is read
# from a census.
set -euo pipefail
. "$(dirname "$0")/../harness/common.sh"

report=$TOP/bench/report.py
data=$TOP/bench/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "bench-parse: FAILED $*"; }

logs=("$data/console.log" "$data/icount.log" "$data/percpu.log")

# 1. Complete logs: every figure x method x size in the CSV, targets in the table.
if python3 "$report" report "${logs[@]}" "$tmp/out" --no-png >"$tmp/msg" 2>&1; then
	missing=$(python3 - "$tmp/out/bench.csv" <<'PY'
import csv, sys
rows = {(r['figure'], r['method'], r['size']) for r in csv.DictReader(open(sys.argv[1]))}
methods = ['kmalloc_dma_map', 'kmalloc_map', 'dma_pool', 'dma_alloc_coherent', 'dma_smallbuf']
sizes = ['32', '64', '100', '128', '256', '512', '1024', '2048', '4096']
want = {(f, m, s) for f in ('single', 'insns', 'parallel', 'burst', 'burst_insns', 'memory')
        for m in methods for s in sizes + (['mix'] if f == 'memory' else [])}
want |= {('percpu', 'dma_smallbuf', s) for s in ('one_class', 'all_classes')}
want |= {('cached', 'dma_smallbuf', s) for s in ('online', 'offline')}
print(' '.join(sorted('/'.join(k) for k in want - rows)))
PY
)
	if [ -n "$missing" ]; then
		bad "complete log: bench.csv lacks $missing"
	elif [ "$(grep -cE '^  (met|MISS) ' "$tmp/out/bench.txt")" -ne 6 ]; then
		bad "complete log: bench.txt does not state the 6 targets"
	elif ! grep -q "^  one size class used  *32 bytes per possible CPU, 2048 bytes on 64 possible CPUs (2 online)" "$tmp/out/bench.txt" ||
	     ! grep -q "^  met  per-CPU: .*: 32 bytes (64 possible CPUs, 2 online" "$tmp/out/bench.txt" ||
	     ! grep -q "^  met  cached: .* given back" "$tmp/out/bench.txt"; then
		bad "complete log: per-CPU or cached section or verdict wrong: $(grep -A12 '^per-CPU' "$tmp/out/bench.txt")"
	else
		ok
	fi
else
	bad "complete log refused: $(cat "$tmp/msg")"
fi

# 2. A result missing: refused, naming the log and the missing result.
grep -v 'R single dma_pool 100 ' "$data/console.log" > "$tmp/short.log"
if python3 "$report" report "$tmp/short.log" "${logs[@]:1}" "$tmp/short" --no-png >"$tmp/msg" 2>&1; then
	bad "log without 'single dma_pool 100' accepted"
elif ! grep -q "short.log, .*icount.log, .*percpu.log: 1 results missing.*single dma_pool 100" "$tmp/msg"; then
	bad "log without 'single dma_pool 100': unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 3. A malformed result line: refused.
sed '0,/R memory dma_smallbuf mix /s/R memory dma_smallbuf mix [0-9.]*/R memory dma_smallbuf mix oops/' \
	"$data/console.log" > "$tmp/malformed.log"
if python3 "$report" report "$tmp/malformed.log" "${logs[@]:1}" "$tmp/malformed" --no-png >"$tmp/msg" 2>&1; then
	bad "malformed result line accepted"
elif ! grep -q "malformed.log: malformed result line" "$tmp/msg"; then
	bad "malformed result line: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 4. The full run's log given as the -icount log: refused, naming the figure.
if python3 "$report" report "$data/console.log" "$data/console.log" "$data/percpu.log" \
	"$tmp/swapped" --no-png >"$tmp/msg" 2>&1; then
	bad "full-run log accepted as the -icount log"
elif ! grep -q "console.log: unexpected figure 'parallel'" "$tmp/msg"; then
	bad "full-run log as the -icount log: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 4a. The -icount log without a burst line: refused, naming the figure.
grep -v 'R burst dma_smallbuf 512 ' "$data/icount.log" > "$tmp/noburst.log"
if python3 "$report" report "$data/console.log" "$tmp/noburst.log" "$data/percpu.log" \
	"$tmp/noburst" --no-png >"$tmp/msg" 2>&1; then
	bad "-icount log without 'burst dma_smallbuf 512' accepted"
elif ! grep -q "noburst.log, .*: 1 results missing.*burst_insns dma_smallbuf 512" "$tmp/msg"; then
	bad "-icount log without a burst line: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 4b. The per-CPU log without its one_class line: refused, naming the logs.
grep -v 'R percpu dma_smallbuf one_class ' "$data/percpu.log" > "$tmp/nopercpu.log"
if python3 "$report" report "${logs[@]:0:2}" "$tmp/nopercpu.log" "$tmp/nopercpu" --no-png \
	>"$tmp/msg" 2>&1; then
	bad "per-CPU log without 'percpu dma_smallbuf one_class' accepted"
elif ! grep -q "nopercpu.log: 1 results missing.*percpu dma_smallbuf one_class" "$tmp/msg"; then
	bad "per-CPU log without its one_class line: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 4c. A per-CPU figure in the full run's log: refused (it needs the boot
#     with more possible than online CPUs).
{ cat "$data/console.log"; grep 'R percpu ' "$data/percpu.log"; } > "$tmp/mixed.log"
if python3 "$report" report "$tmp/mixed.log" "${logs[@]:1}" "$tmp/mixed" --no-png \
	>"$tmp/msg" 2>&1; then
	bad "percpu line in the full run's log accepted"
elif ! grep -q "mixed.log: unexpected figure 'percpu'" "$tmp/msg"; then
	bad "percpu line in the full run's log: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

# 4d. The verdicts follow the figures: 200 bytes per possible CPU, from a
#     boot without spare possible CPUs, and a CPU going offline giving
#     nothing back are missed targets.
on=$(sed -n 's/.*R cached dma_smallbuf online \([0-9]*\) .*/\1/p' "$data/percpu.log")
sed -e 's/R percpu dma_smallbuf one_class [0-9]* possible=[0-9]*/R percpu dma_smallbuf one_class 200 possible=2/' \
    -e "s/R cached dma_smallbuf offline [0-9]*/R cached dma_smallbuf offline $on/" \
	"$data/percpu.log" > "$tmp/worse.log"
if ! python3 "$report" report "${logs[@]:0:2}" "$tmp/worse.log" "$tmp/worse" --no-png \
	>"$tmp/msg" 2>&1; then
	bad "per-CPU log with worse figures refused: $(cat "$tmp/msg")"
elif ! grep -q "^  MISS per-CPU: .*: 200 bytes .*not from a boot with more possible" "$tmp/worse/bench.txt" ||
     ! grep -q "^  MISS cached: .*; 0 bytes given back" "$tmp/worse/bench.txt"; then
	bad "worse per-CPU figures not judged missed: $(grep -E '^  (met|MISS) ' "$tmp/worse/bench.txt")"
else
	ok
fi

# 4e. The mix from a census: constant sizes up to 4096 only, counts summed.
mix=$(python3 "$report" mix "$data/census.csv" "$TOP/bench/size-mix.csv" 2>"$tmp/msg") || true
if [ "$mix" = "64:4,256:2" ] && grep -q "census.csv (2 constant sizes)" "$tmp/msg"; then
	ok
else
	bad "mix from census: got '$mix' ($(cat "$tmp/msg")), want '64:4,256:2'"
fi

# 5. The census as cocci/census.py writes it: one row per call site, no
#    count column, sizeof() and variables are not constant.
mix=$(python3 "$report" mix "$data/census-cocci.csv" "$TOP/bench/size-mix.csv" 2>"$tmp/msg") || true
if [ "$mix" = "1:1,4:1,16:1,48:1,64:1" ]; then
	ok
else
	bad "mix from census-cocci.csv: got '$mix' ($(cat "$tmp/msg")), want '1:1,4:1,16:1,48:1,64:1'"
fi

# 6. No census: the fixed mix, and the message says so.
mix=$(python3 "$report" mix "$tmp/none.csv" "$TOP/bench/size-mix.csv" 2>"$tmp/msg") || true
if [[ "$mix" == 8:4,16:6,32:10,* ]] && grep -q "fixed mix: .*none.csv not found" "$tmp/msg"; then
	ok
else
	bad "mix without census: got '$mix' ($(cat "$tmp/msg"))"
fi

# 7. A census without a size column: refused, naming the file.
printf 'file,count\na.c,3\n' > "$tmp/nosize.csv"
if python3 "$report" mix "$tmp/nosize.csv" "$TOP/bench/size-mix.csv" >/dev/null 2>"$tmp/msg"; then
	bad "census without a size column accepted"
elif ! grep -q "nosize.csv: no size column" "$tmp/msg"; then
	bad "census without a size column: unclear error: $(cat "$tmp/msg")"
else
	ok
fi

echo "bench-parse: $pass passed, $fail failed"
record bench-parse "$pass" "$fail"
[ "$fail" -eq 0 ]
