#ifndef DF2NINJA_BUILDDIR_H
#define DF2NINJA_BUILDDIR_H

struct err;

/*
 * make the build dir at path, or take the one there: it and its layers/
 * and state/ end up private (fs_private_dir), as the steps' layers hold
 * the images' setuid programs and device nodes; someone else's open
 * build dir is refused, naming it
 */
int builddir_make(const char *path, struct err **errp);

#endif
