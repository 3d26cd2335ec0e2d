#ifndef DF2NINJA_GRAPH_PLANFILL_H
#define DF2NINJA_GRAPH_PLANFILL_H

/*
 * Writing plans: the contract they follow, and the structs the resolver
 * fills, are in src/plan/plan.h.
 */

#include "resolve.h"

/* the common fields of st's plan p, which follows prev (NULL for a
 * FROM); takes the pending config operations */
void planfill_begin(struct resolver *r, struct step *st, const struct step *prev,
		struct step_plan *p);
/* set "expand", write p into st->plan and free what it held; sorts
 * st->deps */
int planfill_end(struct resolver *r, struct step *st, struct step_plan *p);
/* the export plan of r->g->target into r->g->export_plan */
int planfill_export(struct resolver *r);

#endif
