#include <stdbool.h>
#include <stddef.h>

#include "util/alloc.h"
#include "width.h"

size_t
width_chains(const struct graph *g)
{
	autofree bool *continued = xcalloc(g->nstages + 1, sizeof(*continued));
	size_t n = 0;

	for (size_t i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];
		size_t p = s->parent ? (size_t)(s->parent - g->stages) : 0;

		if (!s->needed)
			continue;
		if (s->parent && s->parent->needed && !continued[p])
			continued[p] = true;
		else
			n++;
		for (size_t j = 0; j < s->nsteps; j++)
			n += (size_t)s->steps[j].is_link + (size_t)s->steps[j].has_gitref;
	}
	return n;
}
