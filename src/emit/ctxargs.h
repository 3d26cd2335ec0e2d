#ifndef DF2NINJA_CTXARGS_H
#define DF2NINJA_CTXARGS_H

#include "graph/graph.h"

struct err;
struct genpaths;
struct strv;

/*
 * the --build-context NAME=VALUE values (specs, as given from the cwd):
 * VALUE is a directory, docker-image://REF or oci-layout://PATH[:TAG|
 * @DIGEST]; git and URL contexts are refused. *out gets one entry per
 * value (strings owned by *owned), *recorded the values as gen.args keeps
 * them (a dir relative to the output's dir, an OCI layout's path
 * absolute). A NAME given twice is refused; graph_build checks that NAME
 * is an image name, and a docker-image:// reference.
 */
int ctxargs_resolve(const struct genpaths *gp, const struct strv *specs,
		    struct named_context **out, size_t *n, struct strv *owned,
		    struct strv *recorded, struct err **errp);

#endif
