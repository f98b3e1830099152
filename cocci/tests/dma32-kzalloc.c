// SPDX-License-Identifier: GPL-2.0
/* kzalloc / kmalloc_array with GFP_DMA32: slab cannot serve it. */
static int tick_alloc(struct tick *t)
{
	t->fw = kzalloc(256, GFP_KERNEL | GFP_DMA32);
	t->tbl = kmalloc_array(8, sizeof(u64), GFP_DMA32 | GFP_KERNEL);
	return t->fw && t->tbl ? 0 : -ENOMEM;
}
