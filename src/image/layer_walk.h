#ifndef DF2NINJA_LAYER_WALK_H
#define DF2NINJA_LAYER_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct err;

/*
 * The entries of a layer directory (an overlayfs upper dir a step left),
 * in the order and form its tar holds them (layer.h, "Writing"): depth
 * first, a directory's entries in strcmp order of their tar names, a
 * directory right before its contents; an overlayfs whiteout as an empty
 * file ".wh.NAME" and an opaque directory followed by ".wh..wh..opq" (both
 * mode 0, owner 0:0); sockets left out; a second path to an inode as a
 * hard link to the first. Nothing here depends on the tar writer, so a
 * step can name its layer by content without loading libarchive
 * (layer_sum_dir), and the export writes the tar from the same walk.
 */
struct layer_entry {
	const char *path;	/* relative: "etc", "etc/passwd" */
	mode_t type;		/* S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR,
				 * S_IFBLK or S_IFIFO */
	mode_t perm;		/* the 07777 bits */
	uid_t uid;
	gid_t gid;
	long long size;		/* the data's length, 0 but for a file */
	unsigned rdev_major, rdev_minor;
	const char *symlink;	/* a symlink's target, else NULL */
	const char *hardlink;	/* the inode's first path, else NULL */
	const char *caps;	/* the security.capability xattr, else NULL */
	size_t caps_len;
	time_t mtime;		/* to the second; not in the sum (layer_sum.h) */
};

typedef int layer_visit_fn(void *ctx, const struct layer_entry *e,
			   struct err **errp);
typedef int layer_data_fn(void *ctx, const void *data, size_t len,
			  struct err **errp);

/* call visit for every entry of dir, in tar order, and data with a
 * regular file's size bytes right after its entry, piece by piece (a file
 * that shrank meanwhile is an error); *empty (may be NULL) says whether
 * there was no entry. Errors name the entry. */
int layer_walk(const char *dir, layer_visit_fn *visit, layer_data_fn *data,
	       void *ctx, bool *empty, struct err **errp);

#endif
