#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build Documentation/core-api with the tree's own Sphinx setup and check
# the dma_smallbuf page, one case each:
#
#   htmldocs         make htmldocs SPHINXDIRS=core-api succeeds (output in
#                    build/docs, so the tree stays clean)
#   sphinx-warnings  no Sphinx or kernel-doc warning names our files
#   page             the page is in the core-api toctree and its API
#                    reference holds every function and the stats struct
#   kernel-doc       scripts/kernel-doc -none, and -none -Wall, print
#                    nothing for lib/dma_smallbuf.c and dma-smallbuf.h
#   file-refs        documentation-file-ref-check finds no broken
#                    Documentation/ reference in our files
#   rst              checkpatch --strict, SPDX first line, no trailing
#                    whitespace or CR in the page
#
# Only core-api is built (SPHINXDIRS is the tree's documented way to build
# a subset); a cold build takes a minute or two, later runs re-read only
# our page.
set -euo pipefail
. "$(dirname "$0")/common.sh"

rst=Documentation/core-api/dma-smallbuf.rst
sources=(lib/dma_smallbuf.c include/linux/dma-smallbuf.h)
# A warning is ours when it names one of our files, the page or a symbol.
ours='dma[-_]smallbuf'
bdir=$BUILD/docs
html=$bdir/Documentation/output/core-api
log=$OUT/docs-htmldocs.log

# Debian's Sphinx, and PyYAML for the netlink specs htmldocs always builds.
pkgs=(python3-sphinx python3-yaml)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] && sudo=() || sudo=(sudo)
	log "installing ${missing[*]}"
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
# python3 in PATH may be one that cannot see Debian's python3-* packages.
export PATH=/usr/bin:$PATH

[ -f "$TOP/$rst" ] || die "$TOP/$rst: missing"
cmp -s "$TOP/$rst" "$KTREE/$rst" ||
	die "$KTREE/$rst differs from $TOP/$rst; run 'make tree'"

pass=0 fail=0
result() {	# result NAME OK [DETAILS]
	if [ "$2" = ok ]; then
		pass=$((pass + 1))
		echo "docs: $1: ok"
	else
		fail=$((fail + 1))
		echo "docs: $1: FAILED"
		[ -z "${3:-}" ] || echo "$3" | sed 's/^/    /'
	fi
}

# htmldocs writes the netlink spec pages into the source tree (6.12 has no
# way to send them to O=); remove the ones this run created.
ynl_dir=$KTREE/Documentation/networking/netlink_spec
ynl=("$ynl_dir/index.rst")
for y in "$KTREE"/Documentation/netlink/specs/*.yaml; do
	ynl+=("$ynl_dir/$(basename "${y%.yaml}").rst")
done
created=()
for f in "${ynl[@]}"; do
	[ -e "$f" ] || created+=("$f")
done
cleanup() {
	[ ${#created[@]} -eq 0 ] || rm -f "${created[@]}"
}
trap cleanup EXIT

# Sphinx reports a page's warnings only when it reads the page; make it
# read ours every time (kernel-doc'ed sources are dependencies of it).
touch "$KTREE/$rst"
mkdir -p "$bdir" "$OUT"
log "docs: make htmldocs SPHINXDIRS=core-api O=$bdir"
start=$SECONDS
rc=0
(cd "$KTREE" && make -j2 O="$bdir" PYTHON3=/usr/bin/python3 \
	SPHINXBUILD=/usr/bin/sphinx-build htmldocs SPHINXDIRS=core-api) \
	> "$log" 2>&1 || rc=$?
log "docs: htmldocs exited $rc after $((SECONDS - start)) s (log: $log)"
cleanup
created=()

if [ "$rc" -eq 0 ]; then
	result htmldocs ok
else
	result htmldocs fail "$(tail -20 "$log")"
fi

warn=$(grep -iE 'warning|error|critical|severe' "$log" | grep -E "$ours" || true)
if [ "$rc" -eq 0 ] && [ -z "$warn" ]; then
	result sphinx-warnings ok
else
	result sphinx-warnings fail "${warn:-no build, no verdict}"
fi

bad=""
if [ ! -f "$html/dma-smallbuf.html" ]; then
	bad="$html/dma-smallbuf.html was not written"
else
	for id in dma_smallbuf_alloc dma_smallbuf_zalloc dma_smallbuf_free \
		  dma_smallbuf_release dma_smallbuf_get_stats dma_smallbuf_stats; do
		grep -q "id=\"c\.$id\"" "$html/dma-smallbuf.html" ||
			bad+="dma-smallbuf.html: no API entry for $id"$'\n'
	done
	grep -q 'href="dma-smallbuf.html"' "$html/index.html" ||
		bad+="core-api/index.html: no link to dma-smallbuf.html (toctree)"
fi
[ -z "$bad" ] && result page ok || result page fail "$bad"

bad=""
for f in "${sources[@]}"; do
	for w in "" -Wall; do
		out=$("$KTREE/scripts/kernel-doc" -none $w "$TOP/$f" 2>&1) ||
			out+=$'\n'"(kernel-doc exited $?)"
		[ -z "$out" ] || bad+="kernel-doc -none $w $f:"$'\n'"$out"$'\n'
	done
done
[ -z "$bad" ] && result kernel-doc ok || result kernel-doc fail "$bad"

out=$(cd "$KTREE" && scripts/documentation-file-ref-check 2>&1 | grep -E "$ours" || true)
[ -z "$out" ] && result file-refs ok || result file-refs fail "$out"

bad=""
[ "$(head -n1 "$TOP/$rst")" = ".. SPDX-License-Identifier: GPL-2.0" ] ||
	bad+="$rst:1: first line must be '.. SPDX-License-Identifier: GPL-2.0'"$'\n'
out=$(grep -nE '[[:space:]]$' "$TOP/$rst" || true)
[ -z "$out" ] || bad+="$rst: trailing whitespace or CR on lines:"$'\n'"$out"$'\n'
if ! out=$("$KTREE/scripts/checkpatch.pl" --strict --no-summary --no-tree \
		-f "$TOP/$rst" 2>&1); then
	bad+="checkpatch --strict $rst:"$'\n'"$out"
fi
[ -z "$bad" ] && result rst ok || result rst fail "$bad"

echo "docs: $pass passed, $fail failed; HTML in $html/dma-smallbuf.html"
record docs "$pass" "$fail"
[ "$fail" -eq 0 ]
