# SPDX-License-Identifier: GPL-2.0
# Coccinelle rules, their fixtures, the GFP_DMA census and the series.

.PHONY: cocci-deps cocci-test census census-test series series-test

all: series

cocci-deps:
	@command -v spatch >/dev/null || { \
		if [ "$$(id -u)" -eq 0 ]; then s=; else s=sudo; fi; \
		$$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$$s apt-get install -y -qq --no-install-recommends coccinelle patch >/dev/null; }

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
