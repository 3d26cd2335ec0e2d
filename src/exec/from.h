#ifndef DF2NINJA_FROM_H
#define DF2NINJA_FROM_H

struct err;
struct step_ctx;

/*
 * FROM: c->st becomes the base's state: scratch's, the parent stage's
 * (loaded by the driver already) or an image's, whose layers are unpacked
 */
int step_from(struct step_ctx *c, struct err **errp);

#endif
