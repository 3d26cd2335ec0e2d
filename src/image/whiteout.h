#ifndef DF2NINJA_WHITEOUT_H
#define DF2NINJA_WHITEOUT_H

#include <stdbool.h>
#include <sys/stat.h>

struct err;

/*
 * the two spellings of a deletion: in a layer tar (OCI image spec,
 * "Whiteouts") ".wh.NAME" hides NAME of the layers below and a
 * ".wh..wh..opq" entry hides everything below its directory; in an
 * overlayfs upper directory NAME is a character device 0:0 and the
 * directory carries the xattr overlay.opaque = "y".
 */
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

enum whiteout_kind {
	WHITEOUT_NONE,		/* an ordinary name */
	WHITEOUT_FILE,		/* ".wh.NAME" */
	WHITEOUT_OPAQUE_DIR,	/* ".wh..wh..opq" */
	WHITEOUT_META,		/* other ".wh..wh.*": aufs bookkeeping, skipped */
	WHITEOUT_BAD,		/* ".wh.", ".wh.." or ".wh..." */
};

/* classify base, the last component of an entry name; for WHITEOUT_FILE
 * *target (may be NULL) points at NAME inside base */
enum whiteout_kind whiteout_parse(const char *base, const char **target);

/* true when sb describes an overlayfs whiteout (character device 0:0) */
bool whiteout_is_overlay(const struct stat *sb);
/* create the overlayfs whiteout name in dirfd */
int whiteout_make(int dirfd, const char *name, struct err **errp);

/* mark directory fd opaque for overlayfs: trusted.overlay.opaque, or
 * user.overlay.opaque when userxattr (overlay mounted with "userxattr",
 * as in a user namespace) */
int whiteout_set_opaque(int fd, bool userxattr, struct err **errp);
/* *opaque = whether directory fd is opaque in either xattr namespace */
int whiteout_is_opaque(int fd, bool *opaque, struct err **errp);

/* true for the xattrs overlayfs keeps for itself (trusted.overlay.* and
 * user.overlay.*): they never go into a tar, and never come out of one */
bool whiteout_is_overlay_xattr(const char *name);

#endif
