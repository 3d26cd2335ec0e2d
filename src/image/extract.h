#ifndef DF2NINJA_EXTRACT_H
#define DF2NINJA_EXTRACT_H

#include <stdbool.h>

#include "oci/digest.h"

struct archive_entry;
struct err;
struct layer_in;

/*
 * writing the entries of a layer tar into a directory tree, safely (see
 * layer.h): every path goes through tree_open_dir(), so nothing is created
 * through a symlink or outside the tree.
 */
enum extract_mode {
	EXTRACT_OVERLAY,	/* whiteouts become overlayfs whiteouts */
	EXTRACT_APPLY,		/* whiteouts delete from the tree */
};

struct extract;

/* extract into rootfd (borrowed: it must stay open until extract_free) */
struct extract *extract_new(int rootfd, enum extract_mode mode, bool userxattr);
/* write entry e, reading its data from in; errors name the entry */
int extract_entry(struct extract *x, struct layer_in *in,
		  struct archive_entry *e, struct err **errp);
/* set the times of the directories written, once nothing else will
 * change them */
int extract_finish(struct extract *x, struct err **errp);
/* accepts NULL */
void extract_free(struct extract *x);

/* all of the above for the layer read from fd: every entry into rootfd,
 * then the directory times; diff_id receives the layer's diff id */
int extract_layer(int fd, int rootfd, enum extract_mode mode, bool userxattr,
		  char diff_id[DIGEST_LEN], struct err **errp);

#endif
