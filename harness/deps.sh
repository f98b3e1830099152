#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, if any is missing.
# As root: apt-get; otherwise via sudo; without either, say what to install.
set -euo pipefail

pkgs=(linux-source-6.12 python3-ply build-essential bc bison flex libelf-dev libssl-dev
      cpio rsync python3 qemu-system-x86 qemu-system-arm qemu-system-misc
      gcc-aarch64-linux-gnu gcc-s390x-linux-gnu gcc-arm-linux-gnueabi gcc-powerpc-linux-gnu
      gcc-mips-linux-gnu sparse coccinelle patch git git-email
      libmailtools-perl python3-git ccache)

# With KDIR= the user's own tree replaces Debian's source package.
if [ -n "${KDIR:-}" ]; then
	pkgs=("${pkgs[@]:1}")
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null; then
	sudo=(sudo)
else
	echo "error: missing packages: ${missing[*]}" >&2
	echo "       install them with: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo ">>> installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null
