#include <stdbool.h>
#include <strings.h>

#include "util/err.h"
#include "nocache.h"
#include "resolve.h"

static void
mark_stage(struct stage *s)
{
	for (size_t i = 0; i < s->nsteps; i++)
		s->steps[i].no_cache = true;
}

int
nocache_mark(struct resolver *r)
{
	const struct gen_opts *o = r->opts;
	struct graph *g = r->g;

	for (size_t i = 0; o->no_cache && i < g->nstages; i++)
		mark_stage(&g->stages[i]);
	for (size_t k = 0; k < o->no_cache_filter.n; k++) {
		const char *want = o->no_cache_filter.v[k];
		bool found = false;

		for (size_t i = 0; i < g->nstages; i++) {
			struct stage *s = &g->stages[i];

			if (s->name && strcasecmp(s->name, want) == 0) {
				mark_stage(s);
				found = true;
			}
		}
		if (!found)
			return err_make(r->errp, 0, "--no-cache-filter '%s': no "
					"stage is named so", want);
	}
	return 0;
}
