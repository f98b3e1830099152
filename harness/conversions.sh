#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check every driver conversion in drivers-conversions/series, in order.
#
#   harness/conversions.sh
#
# In a worktree of the kernel tree, build/conversions-src (kept between
# runs; the main checkout is left alone), branch "conversions" is reset to
# dma-smallbuf on every run and each patch must
#   apply       git am, in series order;
#   build       every .c file it touches compiles with W=1 for a config in
#               which the file's Kconfig symbol is enabled: x86_64
#               allmodconfig if COMPILE_TEST reaches it, else the driver's
#               own architecture's allmodconfig with Debian's cross compiler,
#               or the configuration the series line names (below); for
#               a patch that changes only headers, the .c files that
#               include them (see includers()) are built instead; the
#               object must exist and be newer than the build's start; a
#               patch that calls dma_smallbuf_*() must select DMA_SMALLBUF;
#   warnings    no compiler or sparse (C=1) warning that the unpatched file
#               did not have (compared with line numbers stripped; the
#               unpatched file is built only when the patched one warns);
#   checkpatch  scripts/checkpatch.pl --strict reports nothing.
# The files are built once the whole series is applied, one make run per
# configuration (make -k -Otarget: each object's messages stay together and
# are the file's); a file that a later patch changes again is also built
# as its earlier patch left it, so every patch is known to build.
# One result case per patch per check: out/results/conversions-CHECK.
#
# A series line is "PATCH" or "PATCH CONFIG", CONFIG being ARCH or
# ARCH/NAME: allmodconfig of ARCH with drivers-conversions/configs/NAME.config
# as KCONFIG_ALLCONFIG, for drivers that only a machine type outside
# allmodconfig's choices builds (e.g. "mips/nintendo64").
# Build directories build/allmod-ARCH[-NAME] are kept between runs;
# allmodconfig is taken without CONFIG_WERROR so that warnings are
# compared, not fatal.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# CONV_SERIES=FILE checks another series (patch paths relative to its
# folder), e.g. the harness's own failing fixtures.
SERIES=${CONV_SERIES:-$TOP/drivers-conversions/series}
CONV=$(cd "$(dirname "$SERIES")" && pwd)
CONFIGS=$TOP/drivers-conversions/configs
# The tree branch the series is applied on (reset from dma-smallbuf).
CBRANCH=${CONV_BRANCH:-conversions}
WORK=$OUT/conversions
CHECKS_CONV=(apply build warnings checkpatch)
declare -A pass fail
for c in "${CHECKS_CONV[@]}"; do pass[$c]=0 fail[$c]=0; done
failures=()

# Cross compilers per kernel ARCH, and the Debian package that has each.
declare -A CROSS=([x86_64]="" [arm64]=aarch64-linux-gnu- [arm]=arm-linux-gnueabi-
	[s390]=s390x-linux-gnu- [mips]=mips-linux-gnu- [powerpc]=powerpc-linux-gnu-)
declare -A CROSS_PKG=([arm64]=gcc-aarch64-linux-gnu [arm]=gcc-arm-linux-gnueabi
	[s390]=gcc-s390x-linux-gnu [mips]=gcc-mips-linux-gnu [powerpc]=gcc-powerpc-linux-gnu)
# Tried in this order for a driver that x86_64 allmodconfig does not reach.
ARCH_ORDER=(x86_64 arm64 s390 arm powerpc mips)

result() {	# CHECK PATCH ok|"reason"
	if [ "$3" = ok ]; then
		pass[$1]=$((pass[$1] + 1))
	else
		fail[$1]=$((fail[$1] + 1))
		failures+=("$2: $1: $3")
		echo "FAIL $2: $1: $3" >&2
	fi
}

finish() {
	local c total=0
	for c in "${CHECKS_CONV[@]}"; do
		record "conversions-$c" "${pass[$c]}" "${fail[$c]}"
		total=$((total + fail[$c]))
	done
	echo
	echo "=== check-conversions: ${#patches[@]} patches ==="
	for c in "${CHECKS_CONV[@]}"; do
		printf '%-12s %3d passed %3d failed\n' "$c" "${pass[$c]}" "${fail[$c]}"
	done
	if [ "$total" -ne 0 ]; then
		echo "failures:"
		printf '  %s\n' "${failures[@]}"
	fi
	[ "$total" -eq 0 ]
}

# --- the series file -------------------------------------------------------
[ -f "$SERIES" ] || die "$SERIES: no series file"
patches=()
declare -A pconfig
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	line=${line%%#*}
	line=$(echo "$line" | xargs)
	[ -z "$line" ] && continue
	read -r pf cfg extra <<<"$line"
	[ -z "${extra:-}" ] || die "$SERIES:$n: expected 'PATCH [CONFIG]', got '$line'"
	[ -f "$CONV/$pf" ] || die "$SERIES:$n: no such patch: $CONV/$pf"
	case "$pf" in
	*.patch) ;;
	*) die "$SERIES:$n: '$pf' is not a .patch file" ;;
	esac
	if [ -n "${cfg:-}" ]; then
		[ -n "${CROSS[${cfg%%/*}]+x}" ] ||
			die "$SERIES:$n: unknown ARCH '${cfg%%/*}' (known: ${ARCH_ORDER[*]})"
		case "$cfg" in
		*/*) [ -f "$CONFIGS/${cfg#*/}.config" ] ||
			die "$SERIES:$n: no config fragment $CONFIGS/${cfg#*/}.config" ;;
		esac
		pconfig[$pf]=$cfg
	fi
	patches+=("$pf")
done < "$SERIES"
[ ${#patches[@]} -gt 0 ] || die "$SERIES: lists no patch"

# --- Kconfig symbol of an object --------------------------------------------
# Follows obj-$(CONFIG_X) += file.o and composite objects (foo-y += file.o,
# foo-objs := file.o, foo-$(CONFIG_Y) += file.o) up to the obj- line.
# Prints the symbols (without CONFIG_) that must all be enabled.
kconfig_symbols() {	# DIR OBJNAME [DEPTH]
	local dir=$1 obj=$2 depth=${3:-0} mk line lhs sym
	mk=$KTREE/$dir/Makefile
	[ -f "$mk" ] || mk=$KTREE/$dir/Kbuild
	[ -f "$mk" ] || return 1
	[ "$depth" -lt 4 ] || return 1
	# Join continuation lines, then find the assignment naming OBJ.o.
	line=$(sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$mk" |
		grep -E "^[[:space:]]*[A-Za-z0-9_.\$()-]+[[:space:]]*[:+]?=.*(^|[[:space:]=])$obj\.o([[:space:]]|\$)" |
		head -1)
	[ -n "$line" ] || return 1
	lhs=$(echo "$line" | sed -E 's/^[[:space:]]*([^[:space:]:+=]+).*/\1/')
	case "$lhs" in
	obj-y | obj-m) return 0 ;;
	obj-\$\(CONFIG_*\)) echo "$lhs" | sed -E 's/.*CONFIG_([A-Za-z0-9_]+)\).*/\1/'; return 0 ;;
	esac
	# Composite object: foo-y / foo-objs / foo-$(CONFIG_Y).
	sym=$(echo "$lhs" | sed -nE 's/.*-\$\(CONFIG_([A-Za-z0-9_]+)\)$/\1/p')
	[ -n "$sym" ] && echo "$sym"
	lhs=$(echo "$lhs" | sed -E 's/-(y|objs|\$\(CONFIG_[A-Za-z0-9_]+\))$//')
	kconfig_symbols "$dir" "$lhs" $((depth + 1))
}

# --- users of a header ------------------------------------------------------
# The .c files that include one of the headers named on stdin, directly or
# through one other header ("#include <linux/x.h>" for include/linux/x.h,
# '#include "x.h"' in the header's own folder), sorted.  At most MAX_USERS
# of them are built for a patch that changes only headers.
MAX_USERS=10
includers() {
	local h pat hdrs=() next=() depth
	mapfile -t hdrs
	for depth in 1 2; do
		next=()
		for h in "${hdrs[@]}"; do
			case "$h" in
			include/*) pat="^#[[:space:]]*include[[:space:]]*<${h#include/}>" ;;
			*) pat="^#[[:space:]]*include[[:space:]]*\"$(basename "$h")\"" ;;
			esac
			# shellcheck disable=SC2046
			mapfile -t -O "${#next[@]}" next < <(kgit grep -l -E "$pat" -- \
				$(case "$h" in include/*) echo '*.c' '*.h' ;;
				  *) echo "$(dirname "$h")/*.c" "$(dirname "$h")/*.h" ;; esac))
		done
		printf '%s\n' "${next[@]}" | grep '\.c$' || true
		mapfile -t hdrs < <(printf '%s\n' "${next[@]}" | grep '\.h$' || true)
		[ ${#hdrs[@]} -gt 0 ] || break
	done | sort -u
}

# --- build directories ------------------------------------------------------
# A configuration is ARCH or ARCH/NAME (see the top); its build directory:
cfg_dir() {	# CONFIG
	echo "$BUILD/allmod-${1/\//-}"
}

kmake() {	# CONFIG ARGS...
	local arch=${1%%/*} dir
	dir=$(cfg_dir "$1")
	shift
	make -C "$KTREE" O="$dir" ARCH="$arch" \
		CROSS_COMPILE="${CROSS[$arch]}" -j2 "$@"
}

# allmodconfig for CONFIG with the current tree, again only when a Kconfig
# file changed since the last one (a patch that adds 'select ...'): a new
# .config makes the next build run syncconfig and recheck the tree, about
# half a minute per file.  'make prepare' once per run.
prepare_arch() {	# CONFIG
	local cfg=$1 arch=${1%%/*} tag=${1/\//-} head last
	if [ -n "${CROSS[$arch]}" ] && ! command -v "${CROSS[$arch]}gcc" >/dev/null; then
		log "installing ${CROSS_PKG[$arch]} for $arch"
		apt-get update -qq || return 1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${CROSS_PKG[$arch]}" >/dev/null || return 1
	fi
	mkdir -p "$(cfg_dir "$cfg")"
	head=$(kgit rev-parse HEAD)
	last=$(cat "$WORK/allmod-$tag.head" 2>/dev/null || true)
	if [ -n "$last" ] && [ -f "$WORK/prepared-$tag" ] &&
	   [ -z "$(kgit diff --name-only "$last" "$head" -- '*Kconfig*')" ]; then
		return 0
	fi
	# Without CONFIG_WERROR: warnings are compared, not fatal.
	echo "# CONFIG_WERROR is not set" > "$WORK/allmod-$tag.config"
	case "$cfg" in
	*/*) cat "$CONFIGS/${cfg#*/}.config" >> "$WORK/allmod-$tag.config" ;;
	esac
	kmake "$cfg" KCONFIG_ALLCONFIG="$WORK/allmod-$tag.config" allmodconfig \
		>/dev/null 2>"$WORK/allmod-$tag.err" || {
		cat "$WORK/allmod-$tag.err" >&2
		return 1
	}
	# (a marker file: pick_arch runs in a subshell)
	if [ ! -f "$WORK/prepared-$tag" ]; then
		log "$cfg: make prepare in ${BUILD#"$TOP"/}/allmod-$tag"
		kmake "$cfg" prepare >"$WORK/prepare-$tag.log" 2>&1 || {
			tail -20 "$WORK/prepare-$tag.log" >&2
			return 1
		}
		touch "$WORK/prepared-$tag"
	fi
	echo "$head" > "$WORK/allmod-$tag.head"
}

# Prints the first configuration that enables all SYMS: the one the series
# names for the patch, else the first architecture's allmodconfig.
pick_arch() {	# FILE CONFIG SYMS...
	local file=$1 named=$2 arch sym ok cands=()
	shift 2
	if [ -n "$named" ]; then
		cands=("$named")
	else
		case "$file" in
		arch/*) arch=${file#arch/}; arch=${arch%%/*}
			[ "$arch" = x86 ] && arch=x86_64
			cands=("$arch") ;;
		*/s390/*) cands=(s390) ;;
		*)	cands=("${ARCH_ORDER[@]}") ;;
		esac
	fi
	for arch in "${cands[@]}"; do
		[ -n "${CROSS[${arch%%/*}]+x}" ] || continue
		prepare_arch "$arch" || { log "$arch: allmodconfig/prepare failed"; continue; }
		ok=1
		for sym in "$@"; do
			grep -qE "^CONFIG_$sym=(y|m)$" "$(cfg_dir "$arch")/.config" || ok=
		done
		if [ -n "$ok" ]; then
			echo "$arch"
			return 0
		fi
		log "$file: $arch allmodconfig does not enable: $(for s in "$@"; do
			grep -qE "^CONFIG_$s=(y|m)$" "$(cfg_dir "$arch")/.config" || printf 'CONFIG_%s ' "$s"
		done)"
	done
	return 1
}

# Compile FILEs (of CONFIG) with W=1 and sparse in one make run (-k, output
# of each object kept together with -Otarget).  For each FILE, bok[FILE] is
# 1 if its object was built anew, and $WORK/TAG.<file>.w has its warnings
# (line numbers stripped, sorted): the warnings make printed while building
# that object, or naming the file itself.  Objects rebuilt besides (what the
# first W=1 C=1 build of a fresh directory redoes of 'prepare', arm64's
# vDSO) are not the file's.
batch_build() {	# CONFIG TAG FILE...
	local cfg=$1 tag=$2 f dir objs=()
	shift 2
	dir=$(cfg_dir "$cfg")
	touch "$WORK/stamp"
	sleep 1
	for f; do
		touch "$KTREE/$f"
		rm -f "$dir/${f%.c}.o"
		objs+=("${f%.c}.o")
	done
	log "$cfg: W=1 C=1 build of ${#objs[@]} file(s) ($tag)"
	kmake "$cfg" -k -Otarget W=1 C=1 "${objs[@]}" >"$WORK/$tag.$cfg_tag.log" 2>&1 || true
	# An object that make reaches through two directories can be built
	# twice at once under -j2 (arch/mips/alchemy/common/dbdma.o): once
	# more, alone and serially, what was not built.
	for f; do
		[ ! "$dir/${f%.c}.o" -nt "$WORK/stamp" ] || continue
		log "$f: not built in the batch; again on its own (-j1)"
		kmake "$cfg" -j1 W=1 C=1 "${f%.c}.o" >>"$WORK/$tag.$cfg_tag.log" 2>&1 || true
	done
	python3 - "$KTREE" "$WORK/$tag.$cfg_tag.log" "$WORK/$tag" "$@" <<'PY'
import re, sys
ktree, log, prefix, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
want = {f[:-2]: [] for f in files}
head = re.compile(r'^  [A-Z0-9_]+( \[M\])? +(\S+)\.[co]$')
warn = re.compile(r'^(\S+?):[0-9]+(?::[0-9]+)?: ((?:warning|error):.*)$')
cur = None
for line in open(log, errors='replace'):
    line = line.rstrip('\n')
    m = head.match(line)
    if m:
        cur = m.group(2)
        continue
    m = warn.match(line)
    if not m:
        continue
    path = re.sub(r'^\./', '', m.group(1).replace(ktree + '/', ''))
    owner = path[:-2] if path.endswith('.c') and path[:-2] in want else cur
    if owner in want:
        want[owner].append('%s: %s' % (m.group(1), m.group(2)))
for f in files:
    with open('%s.%s.w' % (prefix, f.replace('/', '_')), 'w') as out:
        out.writelines(l + '\n' for l in sorted(set(want[f[:-2]])))
PY
	for f; do
		bok[$f]=
		if [ "$dir/${f%.c}.o" -nt "$WORK/stamp" ]; then
			bok[$f]=1
		else
			log "$f: object not built ($cfg), make said:"
			grep -E "${f%.c}|error" "$WORK/$tag.$cfg_tag.log" | tail -30 >&2 || true
		fi
	done
}

# Debian's tree is one commit without history, where checkpatch cannot look
# up the ids of Fixes: tags (they were checked against torvalds/linux by
# hand); in a KDIR= tree with history it does.
CP_HIST=()
kgit rev-parse -q --verify "$BASE_TAG^" >/dev/null || CP_HIST=(--ignore UNKNOWN_COMMIT_ID)

# --- the run ----------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
export PATH=/usr/bin:$PATH	# checkpatch's spdxcheck.py needs python3-ply
kgit rev-parse -q --verify "refs/heads/$BRANCH" >/dev/null ||
	die "no branch $BRANCH in $KTREE (run 'make tree')"
# The series is applied in a worktree of the tree, build/conversions-src,
# kept between runs; the main checkout stays on dma-smallbuf, free for the
# rocker QEMU test that harness/check-conversions.sh runs at the same time.
wt=$BUILD/conversions-src
if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	log "checking out the tree in ${wt#"$TOP"/} (a worktree of ${KTREE#"$TOP"/})"
	rm -rf "$wt"
	kgit worktree prune
	kgit worktree add -q -f --detach "$wt" "$BRANCH"
fi
KTREE=$wt
kgit am --abort >/dev/null 2>&1 || true
kgit checkout -q -f -B "$CBRANCH" "$BRANCH"
trap 'kgit am --abort >/dev/null 2>&1 || true' EXIT
log "check-conversions: ${#patches[@]} patches on branch $CBRANCH (from $BRANCH) in ${wt#"$TOP"/}"

# 1. In series order: checkpatch, git am, what each patch touches.
declare -A commit_of pfiles phdrs preasons last_of
built=()	# patches with .c files to build
applied=1
for p in "${patches[@]}"; do
	pfile=$CONV/$p
	tag=$(echo "$p" | tr / _)
	log "=== $p"

	# checkpatch: independent of the tree state.  The patches carry no
	# Signed-off-by; 'make series' adds the runner's when it exports them.
	if cp_out=$(cd "$KTREE" && scripts/checkpatch.pl --strict --no-signoff "${CP_HIST[@]}" \
		--no-summary "$pfile" 2>&1) &&
		! grep -qE '^(ERROR|WARNING|CHECK):' <<<"$cp_out"; then
		result checkpatch "$p" ok
	else
		echo "$cp_out" | sed 's/^/    /' >&2
		result checkpatch "$p" "checkpatch.pl --strict reported problems (above)"
	fi

	if [ -z "$applied" ]; then
		for c in apply build warnings; do
			result "$c" "$p" "not tried: an earlier patch did not apply"
		done
		continue
	fi
	if ! series_mail "$pfile" | kgit am -q >"$WORK/$tag.am" 2>&1; then
		sed 's/^/    /' "$WORK/$tag.am" >&2
		kgit am --abort >/dev/null 2>&1 || true
		result apply "$p" "git am failed (above)"
		for c in build warnings; do
			result "$c" "$p" "not tried: the patch did not apply"
		done
		applied=
		continue
	fi
	result apply "$p" ok

	mapfile -t files < <(kgit diff --name-only --diff-filter=M HEAD~1 HEAD -- '*.c')
	mapfile -t added < <(kgit diff --name-only --diff-filter=A HEAD~1 HEAD -- '*.c')
	if [ ${#files[@]} -eq 0 ] && [ ${#added[@]} -eq 0 ]; then
		# A patch to a header alone: its users are built instead.
		mapfile -t files < <(kgit diff --name-only --diff-filter=M HEAD~1 HEAD -- '*.h' |
			includers | head -"$MAX_USERS")
		[ ${#files[@]} -eq 0 ] ||
			log "$p changes only headers; building the files that include them: ${files[*]}"
	fi
	if [ ${#files[@]} -eq 0 ] && [ ${#added[@]} -eq 0 ]; then
		result build "$p" "the patch touches no .c file"
		result warnings "$p" "the patch touches no .c file"
		continue
	fi
	if [ ${#added[@]} -gt 0 ]; then
		result build "$p" "adds .c files (${added[*]}); a conversion should not"
		result warnings "$p" "not tried: the patch adds .c files"
		continue
	fi
	commit_of[$p]=$(kgit rev-parse HEAD)
	pfiles[$p]="${files[*]}"
	phdrs[$p]=$(kgit diff --name-only --diff-filter=M HEAD~1 HEAD -- '*.h' | xargs)
	preasons[$p]=
	# A driver that calls the allocator must select it.
	if kgit diff HEAD~1 HEAD -- '*.c' | grep -qE '^\+.*\bdma_smallbuf_[a-z]+\(' &&
		! kgit diff HEAD~1 HEAD -- '*Kconfig*' | grep -qE '^\+[[:space:]]*select DMA_SMALLBUF$'; then
		preasons[$p]+="the patch calls dma_smallbuf_*() but adds no 'select DMA_SMALLBUF' to a Kconfig;"
	fi
	for f in "${files[@]}"; do
		last_of[$f]=$p
	done
	built+=("$p")
done

# 2. The configuration of each file, at the tip of the series (the
# allmodconfig of the last patch's Kconfig files).
declare -A fcfg bok
for p in "${built[@]}"; do
	for f in ${pfiles[$p]}; do
		[ -z "${fcfg[$f]+x}" ] || continue
		fcfg[$f]=
		obj=$(basename "$f" .c)
		if ! syms=$(kconfig_symbols "$(dirname "$f")" "$obj"); then
			preasons[$p]+="$f: cannot find $obj.o in $(dirname "$f")/Makefile;"
			continue
		fi
		mapfile -t syms <<<"$syms"
		[ -z "${syms[0]:-}" ] && syms=()
		if ! arch=$(pick_arch "$f" "${pconfig[$p]:-}" "${syms[@]}"); then
			preasons[$p]+="$f: CONFIG_${syms[*]} not enabled by allmodconfig of any of: ${pconfig[$p]:-${ARCH_ORDER[*]}};"
			continue
		fi
		log "$f: CONFIG_${syms[*]:-(always)} enabled in $arch allmodconfig"
		grep -qE '^CONFIG_DMA_SMALLBUF=y$' "$(cfg_dir "$arch")/.config" ||
			preasons[$p]+="$f: CONFIG_DMA_SMALLBUF not enabled in $arch allmodconfig;"
		fcfg[$f]=$arch
	done
done

# 3. Builds, one make run per configuration: every file as the series
# leaves it; a file that a later patch touches again also as its earlier
# patch left it (one file at a time: rare); then, for the files that
# warned, the unpatched file (against the unpatched headers), to tell new
# warnings from old ones.
declare -A fstate	# PATCH|FILE -> warnings file of the state that patch left
mapfile -t cfgs < <(printf '%s\n' "${fcfg[@]}" | sed '/^$/d' | sort -u)
for cfg in "${cfgs[@]}"; do
	cfg_tag=${cfg/\//-}
	mapfile -t fs < <(for f in "${!fcfg[@]}"; do [ "${fcfg[$f]}" != "$cfg" ] || echo "$f"; done | sort)
	batch_build "$cfg" after "${fs[@]}"
	for f in "${fs[@]}"; do
		[ -z "${bok[$f]}" ] || fstate[${last_of[$f]}|$f]=$WORK/after.$(echo "$f" | tr / _).w
	done
done
for p in "${built[@]}"; do
	for f in ${pfiles[$p]}; do
		[ -n "${fcfg[$f]}" ] && [ "${last_of[$f]}" != "$p" ] || continue
		cfg_tag=${fcfg[$f]/\//-}
		log "$f: as $p leaves it (a later patch changes it again)"
		# shellcheck disable=SC2086
		kgit checkout -q "${commit_of[$p]}" -- "$f" ${phdrs[$p]}
		batch_build "${fcfg[$f]}" "mid-$(echo "$p" | tr / _)" "$f"
		# shellcheck disable=SC2086
		kgit checkout -q HEAD -- "$f" ${phdrs[$p]}
		if [ -n "${bok[$f]}" ]; then
			fstate[$p|$f]=$WORK/mid-$(echo "$p" | tr / _).$(echo "$f" | tr / _).w
		else
			preasons[$p]+="$f: W=1 C=1 build failed for ${fcfg[$f]} as $p leaves it;"
		fi
	done
done
# Files that warned in any state they were built in.
declare -A warned
for k in "${!fstate[@]}"; do
	[ ! -s "${fstate[$k]}" ] || warned[${k#*|}]=1
done
for cfg in "${cfgs[@]}"; do
	cfg_tag=${cfg/\//-}
	mapfile -t fs < <(for f in "${!warned[@]}"; do [ "${fcfg[$f]}" != "$cfg" ] || echo "$f"; done | sort)
	[ ${#fs[@]} -gt 0 ] || continue
	hdrs=()
	for p in "${built[@]}"; do
		for f in "${fs[@]}"; do
			# shellcheck disable=SC2206
			[[ " ${pfiles[$p]} " != *" $f "* ]] || hdrs+=(${phdrs[$p]})
		done
	done
	kgit checkout -q "$BRANCH" -- "${fs[@]}" "${hdrs[@]}"
	batch_build "$cfg" before "${fs[@]}"
	kgit checkout -q HEAD -- "${fs[@]}" "${hdrs[@]}"
	touch "${fs[@]/#/$KTREE/}"
done

# 4. Results per patch.
first_of() {	# FILE: the first patch that touches it
	local p
	for p in "${built[@]}"; do
		[[ " ${pfiles[$p]} " != *" $1 "* ]] || { echo "$p"; return; }
	done
}
for p in "${built[@]}"; do
	build_ok=1 warn_ok=1 wreasons=()
	[ -z "${preasons[$p]}" ] || build_ok=
	for f in ${pfiles[$p]}; do
		if [ -z "${fcfg[$f]}" ]; then
			[ "$(first_of "$f")" = "$p" ] ||
				preasons[$p]+="$f: no configuration builds it (see $(first_of "$f"));"
			build_ok= warn_ok=
			continue
		fi
		if [ -z "${fstate[$p|$f]+x}" ]; then
			[ "${last_of[$f]}" != "$p" ] ||
				preasons[$p]+="$f: W=1 C=1 build failed for ${fcfg[$f]};"
			build_ok= warn_ok=
			continue
		fi
		[ -s "${fstate[$p|$f]}" ] || continue
		before=$WORK/before.$(echo "$f" | tr / _).w
		if [ -z "${bok[$f]}" ] || [ ! -f "$before" ]; then
			wreasons+=("$f: the unpatched file does not build for ${fcfg[$f]}")
			warn_ok=
			continue
		fi
		new=$(comm -13 "$before" "${fstate[$p|$f]}" || true)
		if [ -n "$new" ]; then
			echo "$new" | sed 's/^/    /' >&2
			wreasons+=("$f: new warnings for ${fcfg[$f]} (above)")
			warn_ok=
		fi
	done
	if [ -n "$build_ok" ] && [ -z "${preasons[$p]}" ]; then
		result build "$p" ok
	else
		result build "$p" "${preasons[$p]%;}"
	fi
	if [ -n "$warn_ok" ] && [ ${#wreasons[@]} -eq 0 ]; then
		result warnings "$p" ok
	else
		result warnings "$p" "$(IFS=';'; echo "${wreasons[*]:-not compared: the patched file did not build}")"
	fi
done
finish
