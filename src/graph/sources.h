#ifndef DF2NINJA_SOURCES_H
#define DF2NINJA_SOURCES_H

#include "graph.h"

struct err;

/* what one step reads from outside its stage */
enum sources_kind {
	SOURCES_STAGE,		/* name is a stage id */
	SOURCES_IMAGE,		/* name is an image reference, as resolved */
	SOURCES_CONTEXT,	/* name is a --build-context directory */
};

typedef void sources_fn(void *ctx, enum sources_kind kind, const char *name,
			const char *how);

/*
 * call fn for each source st reads, as its plan names it: its FROM base
 * (how "FROM"; scratch is none), COPY --from and ADD --from ("COPY
 * --from", "ADD --from"), RUN --mount from= ("RUN --mount"). The strings
 * live only during the call. A step without a plan reads nothing; a plan
 * that does not decode is an error (a bug).
 */
int sources_walk(const struct step *st, sources_fn *fn, void *ctx,
		 struct err **errp);

#endif
