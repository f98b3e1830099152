#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every fixture in cocci/tests/: NAME.c is the input, the rule is
# named by the prefix (smallbuf-, redundant-, dma32-).  Patch-mode rules
# must turn NAME.c into NAME.res exactly (NAME.res = NAME.c for a case that
# must stay untouched); report-only rules must print NAME.report.  With
# both, the rule runs once in both modes, as make census runs it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

command -v spatch >/dev/null || die "spatch not found: install coccinelle (make cocci-deps)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for c in "$TOP"/cocci/tests/*.c; do
	name=$(basename "$c" .c)
	case $name in
	smallbuf-*) rule=dma_smallbuf ;;
	redundant-*) rule=gfp_dma_redundant ;;
	dma32-*) rule=kmalloc_dma32 ;;
	*) die "$c: name must start with smallbuf-, redundant- or dma32-" ;;
	esac
	res=${c%.c}.res rep=${c%.c}.report
	[ -e "$res" ] || [ -e "$rep" ] || die "$c: no expected result $res or $rep"
	ok=1
	cp "$c" "$tmp/$name.c"
	sp=(spatch --very-quiet --no-includes --include-headers --sp-file "$TOP/cocci/$rule.cocci")
	if [ -e "$res" ] && [ -e "$rep" ]; then
		# Both, in one run, as make census runs the swap rule: the
		# report lines and the diff told apart by their form.
		(cd "$tmp" && "${sp[@]}" -D report -D patch "$name.c" > "$name.both" 2> "$name.err") || ok=0
		grep -vE "$SPATCH_REPORT_LINE" "$tmp/$name.both" > "$tmp/$name.diff" || true
		{ grep -E "$SPATCH_REPORT_LINE" "$tmp/$name.both" || true; } |
			sed 's/:[0-9]*-[0-9]*: /: /' | sort > "$tmp/$name.rep"
	elif [ -e "$res" ]; then
		(cd "$tmp" && "${sp[@]}" -D patch "$name.c" > "$name.diff" 2> "$name.err") || ok=0
	else
		(cd "$tmp" && "${sp[@]}" -D report "$name.c" 2> "$name.err" |
			sed 's/:[0-9]*-[0-9]*: /: /' | sort > "$name.rep") || ok=0
	fi
	if [ -e "$res" ]; then
		[ ! -s "$tmp/$name.diff" ] || (cd "$tmp" && patch -s "$name.c" < "$name.diff") || ok=0
		diff -u "$res" "$tmp/$name.c" > "$tmp/$name.out" || ok=0
	fi
	[ ! -e "$rep" ] || diff -u "$rep" "$tmp/$name.rep" >> "$tmp/$name.out" || ok=0
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "cocci-test: $name FAILED:"
		sed 's/^/    /' "$tmp/$name.out" "$tmp/$name.err"
	fi
done
echo "cocci-test: $pass passed, $fail failed"
record cocci-test "$pass" "$fail"
[ "$fail" -eq 0 ]
