# SPDX-License-Identifier: GPL-2.0
# Benchmark of dma_smallbuf against the allocators it replaces (bench/).
# 'make bench' is not a pass/fail test and is not in CHECKS; bench-parse
# checks the report script without booting anything.

.PHONY: bench bench-parse

bench: tree
	@bench/run.sh

bench-parse:
	@bench/test-report.sh

CHECKS += bench-parse
