#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-conversions: the six parts of the conversions check (see
# harness/conversions.mk), the status of each in its own result file; exits
# non-zero if any part failed.
#
# The rocker QEMU kernel (in the main checkout, from a copy of the x86_64
# KUnit build) is built at a lower priority while harness/conversions.sh
# applies the series in its own worktree and compiles the touched files;
# its output is printed when it is done.
set -euo pipefail
. "$(dirname "$0")/common.sh"

h=$TOP/harness
qlog=$OUT/conversions-qemu.log
mkdir -p "$OUT"
rc=0
"$h/conversions-status.sh" || rc=1
# Both in the background and waited for, so that an interrupt (Ctrl-C, a
# CI timeout) is acted on at once: background jobs ignore SIGINT, so the
# trap sends SIGTERM to the whole process group (make, kunit.py, QEMU).
nice -n 10 "$h/conversions-qemu.sh" >"$qlog" 2>&1 &
qpid=$!
"$h/conversions.sh" &
cpid=$!
trap 'trap - INT TERM; kill -TERM 0; exit 130' INT TERM
wait "$cpid" || rc=1
"$h/conversions-count.sh" || rc=1
log "check-conversions: waiting for the rocker QEMU test (log: ${qlog#"$TOP"/})"
wait "$qpid" || rc=1
cat "$qlog"
"$h/conversions-qemu-selftest.sh" || rc=1
"$h/conversions-selftest.sh" || rc=1
exit "$rc"
