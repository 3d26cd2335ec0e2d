#ifndef DF2NINJA_GRAPH_META_H
#define DF2NINJA_GRAPH_META_H

#include "resolve.h"

/*
 * apply the metadata instruction in (ENV, LABEL, ARG, USER, CMD,
 * ENTRYPOINT, SHELL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, ONBUILD,
 * MAINTAINER) to stage s: update its scope (ENV, ARG, CMD seen) and
 * append its operation (plan.h) to r->ops
 */
int meta_instr(struct resolver *r, struct stage *s, const struct instr *in);
/* true for the instructions meta_instr takes */
bool meta_is_config(enum instr_kind k);

#endif
