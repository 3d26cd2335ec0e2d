#include <jansson.h>

#include "plan/decode.h"
#include "plan/pj.h"
#include "plan/plan.h"
#include "util/err.h"
#include "sources.h"

/* a source of COPY --from or RUN --mount from= */
static void
source(const struct plan_source *src, sources_fn *fn, void *ctx, const char *how)
{
	if (src->stage)
		fn(ctx, SOURCES_STAGE, src->stage, how);
	else if (src->image)
		fn(ctx, SOURCES_IMAGE, src->image, how);
}

int
sources_walk(const struct step *st, sources_fn *fn, void *ctx, struct err **errp)
{
	struct pjarena arena = PJARENA_INIT;
	struct step_plan sp;
	json_error_t jerr;
	json_t *j;
	int r = -1;

	if (!st->plan)
		return 0;
	j = json_loads(st->plan, 0, &jerr);
	if (!j)
		return err_make(errp, 0, "BUG: the plan of '%s' is no JSON: %s",
				st->name, jerr.text);
	if (plan_decode_step(st->name, j, &arena, &sp, errp) < 0)
		goto out;
	switch (sp.kind) {
	case PLAN_FROM:
		if (sp.from.base == PLAN_BASE_STAGE)
			fn(ctx, SOURCES_STAGE, sp.from.stage, "FROM");
		else if (sp.from.base == PLAN_BASE_IMAGE)
			fn(ctx, SOURCES_IMAGE, sp.from.ref, "FROM");
		else if (sp.from.base == PLAN_BASE_CONTEXT)
			fn(ctx, SOURCES_CONTEXT, sp.from.context, "FROM");
		break;
	case PLAN_COPY:
	case PLAN_ADD:
		if (sp.copy.has_from)
			source(&sp.copy.from, fn, ctx,
			       sp.kind == PLAN_ADD ? "ADD --from" : "COPY --from");
		break;
	case PLAN_RUN:
		for (size_t i = 0; i < sp.run.nmounts; i++)
			if (sp.run.mounts[i].has_from)
				source(&sp.run.mounts[i].from, fn, ctx, "RUN --mount");
		break;
	case PLAN_WORKDIR:
	case PLAN_CONFIG:
		break;
	}
	r = 0;
out:
	json_decref(j);
	pj_fini(&arena);
	return r;
}
