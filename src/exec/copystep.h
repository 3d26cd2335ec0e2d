#ifndef DF2NINJA_COPYSTEP_H
#define DF2NINJA_COPYSTEP_H

struct err;
struct step_ctx;

/* COPY and ADD: the sources into the step's layer (a depfile of what was
 * read from the context at c->depfile) */
int step_copy(struct step_ctx *c, struct err **errp);
/* WORKDIR: the working directory set, and made in the step's layer */
int step_workdir(struct step_ctx *c, struct err **errp);

#endif
