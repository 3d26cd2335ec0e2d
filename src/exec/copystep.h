#ifndef DF2NINJA_COPYSTEP_H
#define DF2NINJA_COPYSTEP_H

struct copy_source;
struct err;
struct ignore;
struct plan_source;
struct plan_strs;
struct state;
struct step_ctx;

/* load what a COPY --from or RUN --mount from= names (a stage's state,
 * or an image, pulled or imported) into s; *name gets its name for
 * messages ("stage 'x'", "image 'y'"; caller frees) */
int step_source_state(struct step_ctx *c, const struct plan_source *from,
		      struct state *s, char **name, struct err **errp);

/* the build context ctx as a COPY source: opened (src->fd, the caller
 * closes it), with its ignore file (dockerignore, when not NULL, else
 * ctx's .dockerignore; *ign, for ignore_free) and df2ninja's own files */
int step_context_source(const char *ctx, const char *dockerignore,
			const struct plan_strs *own, struct copy_source *src,
			struct ignore **ign, struct err **errp);

/* COPY and ADD: the sources into the step's layer (a depfile of what was
 * read from the context at c->depfile). With --link (and no --chmod, as
 * BuildKit) the layer is a copy made on scratch, stacked on the state:
 * the one the link edge made (c->layer, linkrec.h) when it fits, else
 * made here */
int step_copy(struct step_ctx *c, struct err **errp);
/* the link edge of a COPY --link: its layer made on scratch, its record
 * written to the stamp c->out (a depfile at c->depfile); c->kept gets the
 * layer dir. The state is not touched */
int step_link(struct step_ctx *c, struct err **errp);
/* WORKDIR: the working directory set, and made in the step's layer */
int step_workdir(struct step_ctx *c, struct err **errp);

#endif
