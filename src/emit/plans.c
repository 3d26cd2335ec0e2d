#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/err.h"
#include "../util/fs.h"
#include "emit.h"

/* write data to dir/rel unless it already holds it, making directories */
static int
write_plan(const char *dir, const char *rel, const char *data,
	   struct err **errp)
{
	autofree char *path = fs_join(dir, rel);
	autofree char *parent = fs_dirname(path);

	if (fs_mkdir_p(parent, errp) < 0)
		return -1;
	return fs_write_if_changed(path, data, strlen(data), NULL, errp);
}

int
emit_plans(const struct graph *g, const char *builddir_path,
	   struct err **errp)
{
	const char *df = g->df && g->df->name ? g->df->name : "Dockerfile";
	struct buf where = BUF_INIT;
	size_t i, j;
	char *rel;
	int r = 0;

	if (!g->export_plan)
		return err_make(errp, 0, "BUG: the graph has no export plan");
	for (i = 0; i < g->nstages && r == 0; i++) {
		const struct stage *s = &g->stages[i];

		if (!s->needed)
			continue;
		for (j = 0; j < s->nsteps && r == 0; j++) {
			const struct step *st = &s->steps[j];

			if (!st->plan || !st->name) {
				r = err_make(errp, 0, "BUG: step %zu of stage "
					     "'%s' has no plan", j, s->id);
				break;
			}
			rel = xasprintf("plans/%s.json", st->name);
			r = write_plan(builddir_path, rel, st->plan, errp);
			free(rel);
			buf_printf(&where, "%s\t%s:%d\n", st->name, df,
				   st->instr ? st->instr->line : 0);
		}
	}
	if (r == 0)
		r = write_plan(builddir_path, "plans/export.json",
			       g->export_plan, errp);
	if (r == 0)
		r = write_plan(builddir_path, "plans/where.tsv",
			       buf_str(&where), errp);
	buf_fini(&where);
	if (r < 0)
		err_wrap(errp, "writing the plans");
	return r;
}
