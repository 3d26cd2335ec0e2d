#ifndef DF2NINJA_ROOTPATH_H
#define DF2NINJA_ROOTPATH_H

#include <stdbool.h>
#include <sys/types.h>

struct err;
struct strv;

/*
 * paths inside a root filesystem (or a build context) held as a dirfd: the
 * dirfd is '/', symlinks are followed but never lead out of it and ".."
 * stops at it, as openat2's RESOLVE_IN_ROOT does. Paths are relative to
 * the root; a leading '/' is the same as none.
 */

/* openat2(rootfd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
 * or the same done by hand where there is no openat2 (ENOSYS: old kernels,
 * valgrind, seccomp): the fd, or -1 with errno set (no struct err) */
int rootpath_open(int rootfd, const char *path, int flags, mode_t mode);

enum {
	ROOTPATH_NOFOLLOW = 1,	/* a final symlink is not followed */
	ROOTPATH_MISSING_OK = 2,	/* a missing component ends the walk */
};

/*
 * resolve path the way rootpath_open would and say where it leads: *out
 * gets the clean relative path with no symlinks in it ("" is the root;
 * caller frees). Every symlink followed is appended to links (may be NULL)
 * as the relative path of the link. When a component is missing, with
 * ROOTPATH_MISSING_OK the rest is appended lexically and *exists (may be
 * NULL) is false; without it the error has errnum ENOENT.
 */
int rootpath_resolve(int rootfd, const char *path, int flags, char **out,
		     bool *exists, struct strv *links, struct err **errp);

/*
 * open the directory at path, a resolved path (no symlinks: see
 * rootpath_resolve), making the missing ones with mode, owned by uid:gid
 * (-1: left to the process), their times those of their making. Each
 * directory made is appended to made (may be NULL). Returns an O_DIRECTORY
 * fd, or -1 with *errp set.
 */
int rootpath_mkdirs(int rootfd, const char *path, mode_t mode, uid_t uid,
		    gid_t gid, struct strv *made, struct err **errp);

/* "a/b" from "a/b/c", "" from "c" (caller frees) */
char *rootpath_dirname(const char *path);
/* the part after the last '/' (a pointer into path) */
const char *rootpath_basename(const char *path);
/* a and b joined by '/', either may be "" (caller frees) */
char *rootpath_join(const char *a, const char *b);

#endif
