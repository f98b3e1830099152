// SPDX-License-Identifier: GPL-2.0
/* Fixture for harness/sizes.sh: sizes the compiler must report. */
#include <linux/slab.h>

struct census_fixture {
	u32 a;
	u64 b;
};

void *census_fixture_alloc(void);
void *census_fixture_alloc(void)
{
	struct census_fixture *p;
	char *q;

	p = kmalloc(sizeof(*p), GFP_KERNEL | GFP_DMA);
	q = kmalloc(3 * sizeof(struct census_fixture) + sizeof(long),
		    GFP_KERNEL | GFP_DMA);
	kfree(q);
	return p;
}

struct census_fixture *census_fixture_decl(void);
struct census_fixture *census_fixture_decl(void)
{
	struct census_fixture *r = kzalloc(sizeof(*r) * 2, GFP_KERNEL | GFP_DMA);

	return r;
}
