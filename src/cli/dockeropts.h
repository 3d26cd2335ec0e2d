#ifndef DF2NINJA_DOCKEROPTS_H
#define DF2NINJA_DOCKEROPTS_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct option;

/*
 * the options of `docker build` and `docker buildx build` that df2ninja
 * has no use for: each is accepted where it means nothing without a
 * daemon (--rm, --compress, --provenance=false, ...) or refused with a
 * one-line reason, so that a docker build command line never meets
 * "unknown option".
 */

/* append their getopt entries (val: val_base + i) to opts at *n; the
 * caller leaves room for dockeropts_count() of them */
void dockeropts_longopts(struct option *opts, size_t *n, int val_base);
size_t dockeropts_count(void);
/* the entry i given by val - val_base, with the value given (NULL: none):
 * 0 when df2ninja accepts it as meaning nothing here, else -1 with *errp
 * saying why it is refused */
int dockeropts_check(size_t i, const char *value, struct err **errp);
/* the index of the short option c (-c, -m) among them, or -1 */
long dockeropts_short(int c);

#endif
