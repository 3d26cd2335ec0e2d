#ifndef DF2NINJA_FS_H
#define DF2NINJA_FS_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* write all of data to fd, again after EINTR or a short write; 0, or -1
 * with errno set */
int fs_write_all(int fd, const char *data, size_t len);
/* read all of path into *data (NUL-terminated, owned by the caller) */
int fs_read_file(const char *path, char **data, size_t *len, struct err **errp);
/*
 * make path hold exactly data: unless it already does, write
 * path.tmp.<pid> and rename it into place, so a reader never sees half a file and an unchanged
 * file keeps its mtime. *changed (may be NULL) says whether it was written.
 */
int fs_write_if_changed(const char *path, const char *data, size_t len,
			bool *changed, struct err **errp);
/*
 * fs_write_if_changed for name below the directory dirfd (or AT_FDCWD);
 * dirpath (may be NULL) names that directory in messages. is_new says the
 * caller has just made the directory, so name cannot exist yet: it is then
 * created in place, with no compare and no temporary.
 */
int fs_write_if_changed_at(int dirfd, const char *dirpath, const char *name,
			   const char *data, size_t len, bool is_new,
			   bool *changed, struct err **errp);
/* fs_write_atomic's flags */
enum fs_write_flags {
	/* leave a file that holds data already alone (its mtime kept) */
	FS_WRITE_IF_CHANGED = 1 << 0,
	/* mode 0644 whatever the umask (else 0644 less the umask) */
	FS_WRITE_0644 = 1 << 1,
};
/*
 * make path hold data: write path.tmp.<pid> and rename it over path, so a
 * reader sees the old file or the new one, never half of one. flags from
 * enum fs_write_flags. The fs_write_if_changed* functions end the same way.
 */
int fs_write_atomic(const char *path, const char *data, size_t len,
		    unsigned flags, struct err **errp);
/* path exists and is not a regular file (after symlinks): a device, a
 * FIFO, a socket (--iidfile /dev/stdout). A file the user named that is
 * one is written in place, never renamed over (as root, replacing
 * /dev/null would break the machine) */
bool fs_is_special(const char *path);
/*
 * write data to a file the user named (--iidfile, --metadata-file): in
 * place when fs_is_special, else as fs_write_atomic (flags 0)
 */
int fs_write_named(const char *path, const char *data, size_t len, struct err **errp);
/* mkdir -p path (mode 0755) */
int fs_mkdir_p(const char *path, struct err **errp);
/*
 * make path a directory only its owner can enter: create it 0700 (and its
 * missing parents 0755), or take group and other access away from an
 * existing one of ours. Fails, naming path, when it is someone else's and
 * open to others. For the trees that hold images' files (setuid programs,
 * device nodes): only their top needs to be private. One stat when path
 * is private already.
 */
int fs_private_dir(const char *path, struct err **errp);
/*
 * mkdir -p rel below the directory dirfd (or AT_FDCWD); dirpath (may be
 * NULL) names that directory in messages. *created (may be NULL) says
 * whether this call made rel itself, which is then empty.
 */
int fs_mkdirat_p(int dirfd, const char *dirpath, const char *rel,
		 bool *created, struct err **errp);
/* the directory part of path ("." when there is none); caller frees */
char *fs_dirname(const char *path);
/* a joined with b by one '/'; b absolute wins; caller frees */
char *fs_join(const char *a, const char *b);
/* the absolute, symlink-free path of an existing path; caller frees */
int fs_realpath(const char *path, char **out, struct err **errp);
/* the path of target relative to directory dir (both absolute and
 * normalised); caller frees */
char *fs_relpath(const char *target, const char *dir);

#endif
