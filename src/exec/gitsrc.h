#ifndef DF2NINJA_GITSRC_H
#define DF2NINJA_GITSRC_H

#include <stdbool.h>

struct err;

/*
 * ADD <git URL> and a Git build context: the repository's tree at a ref,
 * checked out with the git program (gitcmd.h).
 *
 * The ref ("#ref" of the URL; the remote's HEAD without one) is resolved
 * to a commit with `git ls-remote` (a full commit name is taken as it
 * is): by the step, or, for a step with an edge of its own for it
 * (`df2ninja exec gitref`, graph.h has_gitref), by that edge, which writes
 * it to <builddir>/steps/<step name>.ref for the step to read. The tree of a commit is kept in
 * <builddir>/git/<digest of the remote>/<commit>[.git], so that an
 * unchanged commit is never fetched again and gives the same files, times
 * included (those of the checkout, as BuildKit's default "checkout"
 * mtime), and so the same layer. A fetch is shallow where the server
 * allows it. Without keep_git_dir the .git directory is removed.
 */

/*
 * the tree of url (giturl.h) in builddir: *dir gets the path of the
 * directory to copy (the checkout, or "#ref:subdir"'s directory in it;
 * caller frees). pin: the content of the step's .ref file
 * (gitsrc_resolve), or NULL to ask the remote. checksum (or NULL): hex digits the commit's
 * name must start with (ADD --checksum). Errors name the URL: a ref the
 * remote does not have, a subdir the commit does not have, a checksum
 * that does not match, what git said.
 */
int gitsrc_fetch(const char *builddir, const char *url, const char *pin,
		 const char *checksum, bool keep_git_dir, char **dir,
		 struct err **errp);
/* *pin (caller frees): "<commit>\t<the remote's ref name>\n", what
 * url's ref names now; errors as gitsrc_fetch's */
int gitsrc_resolve(const char *url, char **pin, struct err **errp);
/* <builddir>/steps/<name>.ref, the commit the gitref edge of step name
 * found; caller frees */
char *gitsrc_ref_path(const char *builddir, const char *name);

#endif
