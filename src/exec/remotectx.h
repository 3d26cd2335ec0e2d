#ifndef DF2NINJA_REMOTECTX_H
#define DF2NINJA_REMOTECTX_H

#include <stdbool.h>

struct err;

/*
 * A build context that is no directory, as `docker build` takes one: a
 * Git URL ("#ref:subdir" included), an http(s) URL of a tar archive, or a
 * local file that is one (plain or compressed, told by its content).
 * It is fetched once, at generation, into the build dir, and that copy is
 * the context from then on (the regeneration edge reads it, not the URL):
 *   - a Git repository: gitsrc.h's tree of the ref's commit, kept per
 *     commit, so that generating again at the same commit gives the same
 *     context, times included;
 *   - an archive: unpacked into <builddir>/context/<its digest's first 16
 *     hex digits>, once per content.
 */

/* path names such a context ("-", stdin, included: remotectx_fetch
 * refuses it); an existing directory never does, whatever its name */
bool remotectx_is(const char *path);

/*
 * fetch path into builddir (which exists): *dir gets the directory of the
 * context (caller frees). Errors name path: what git or the server said,
 * a download that is no tar archive, "-".
 */
int remotectx_fetch(const char *builddir, const char *path, char **dir,
		    struct err **errp);

#endif
