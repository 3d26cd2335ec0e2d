#ifndef DF2NINJA_CTXLAYER_H
#define DF2NINJA_CTXLAYER_H

struct err;
struct step_ctx;

/*
 * FROM a directory --build-context: the files of the directory ctx
 * (after its .dockerignore, root's) as one layer over c's state, a
 * depfile of what was read at c->depfile, created_by its history entry
 */
int ctxlayer_from(struct step_ctx *c, const char *ctx, const char *created_by,
		  struct err **errp);

#endif
