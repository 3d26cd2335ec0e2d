#ifndef DF2NINJA_TREE_H
#define DF2NINJA_TREE_H

#include <stdbool.h>

struct err;

/*
 * safe operations inside a directory tree through dirfds, for writing
 * layers: nothing here follows a symlink or leaves the tree.
 */

/*
 * open (O_RDONLY | O_DIRECTORY) the directory path, a clean relative path
 * ("" is rootfd itself), under rootfd into *fdp. A symlink on the way is
 * refused, whatever it points to. With create, missing directories are made
 * with mode 0755. On failure (*errp)->errnum says why
 * (ELOOP for a symlink on the way).
 */
int tree_open_dir(int rootfd, const char *path, bool create, int *fdp,
		  struct err **errp);

/* remove name in dirfd and everything below it without following
 * symlinks; a missing name is fine */
int tree_remove(int dirfd, const char *name, struct err **errp);
/* the same for a path (used for staging directories) */
int tree_remove_path(const char *path, struct err **errp);

#endif
