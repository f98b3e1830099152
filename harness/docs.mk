# SPDX-License-Identifier: GPL-2.0
# The documentation page: build Documentation/core-api with the tree's
# Sphinx and check that nothing warns about our files (harness/docs.sh).

CHECKS += docs

.PHONY: docs

docs: tree
	@harness/docs.sh
