# SPDX-License-Identifier: GPL-2.0
# Coccinelle rules, their fixtures, the GFP_DMA census and the series.

.PHONY: cocci-deps cocci-test census census-test series series-test

all: series

# spatch and patch come with the rest in harness/deps.sh.
cocci-deps: deps

cocci-test: cocci-deps
	@harness/cocci-test.sh

census: tree cocci-deps
	@harness/census.sh

census-test: tree cocci-deps
	@harness/census-test.sh

series: tree cocci-deps
	@harness/series.sh

series-test: series
	@harness/series-test.sh

CHECKS += cocci-test census-test series-test

# sizeof() sizes of the census, from the compiler of each architecture
# (cached in out/sizes/ by the tree without the allocator, and architecture): a defconfig tree
# prepared per architecture, 2 min 37 s cold for both without ccache
# (2026-12-04).  'make census' says when it runs without these sizes.
.PHONY: sizes
sizes: census
	@harness/sizes.sh

CHECKS += sizes

# The swap rule must reproduce the hand-made conversions of cocci/repro.list.
.PHONY: cocci-repro
cocci-repro: tree cocci-deps
	@harness/cocci-repro.sh

CHECKS += cocci-repro
