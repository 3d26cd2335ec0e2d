#ifndef DF2NINJA_UNTAR_H
#define DF2NINJA_UNTAR_H

#include <stdbool.h>

struct digest;
struct err;

/*
 * ADD's local archives: a tar, plain or compressed with gzip, bzip2, xz or
 * zstd, told by its content and never by its name, is unpacked instead of
 * copied (BuildKit's isArchivePath + unpack).
 */

/* *is: the regular file open at fd (read from its start, and left
 * wherever reading stopped) is such an archive with at least one entry.
 * Fails only when libarchive cannot be loaded. */
int untar_is_archive(int fd, bool *is, struct err **errp);

/*
 * unpack the archive at fd into the directory destfd (which is the root
 * for everything in it: entry names are cleaned and may not climb out with
 * "..", symlinks met on the way are followed but never lead out of destfd).
 * Existing entries are replaced, directories merged, as "tar -x" does.
 * Owners come from the archive unless uid/gid are >= 0 (--chown); dest
 * is the absolute path of destfd for messages and the digest, which gets
 * every entry written (not its times).
 */
int untar_extract(int fd, int destfd, const char *dest, long uid, long gid,
		  struct digest *dg, struct err **errp);

#endif
