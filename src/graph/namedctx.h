#ifndef DF2NINJA_NAMEDCTX_H
#define DF2NINJA_NAMEDCTX_H

#include "graph.h"

struct err;

/*
 * the --build-context that ref names, or NULL: both names compared as
 * Docker's familiar form without ":latest" (BuildKit's NamedContext:
 * "alpine", "alpine:latest" and "docker.io/library/alpine" are one
 * name). "scratch" and "context" never name one.
 */
const struct named_context *namedctx_find(const struct gen_opts *o,
					  const char *ref);

/* every --build-context NAME is an image name other than scratch and
 * context; a docker-image:// value is an image reference */
int namedctx_check(const struct gen_opts *o, struct err **errp);

#endif
