#ifndef DF2NINJA_PACKMEMO_H
#define DF2NINJA_PACKMEMO_H

#include <stdbool.h>
#include <time.h>

#include "oci/digest.h"
#include "util/buf.h"

struct err;
struct store;
struct strv;

/*
 * What packing step layers gave, kept across exports: packing (tar,
 * gzip, two digests) is the slow part of an export, and a layer dir,
 * named by its sum, packs to the same blob as long as it is the same dir
 * (the sum leaves the mtimes out: a dir removed and made again by a
 * rerun has the same sum and new mtimes) and the clamp is the same: the
 * key (packmemo_key) says both. One file for the build dir,
 * <builddir>/out/packed-layers, rather than one per layer, as every new
 * file costs an inode (slow on ext4 without a journal). A line per layer:
 * "<sum> <key> <diff id> <blob digest> <size> <layer dir>", the dir last
 * as the build dir's path may hold spaces. An entry is used only when its
 * key matches and its blob is in the store with that size; an entry whose
 * layer dir is gone is dropped when the memo is saved.
 */
struct packmemo {
	char *path;
	char *text;		/* as loaded, or NULL */
	struct buf next;	/* the entries of this export */
};

void packmemo_load(struct packmemo *m, const char *builddir);
/* the key of layer dir packed with clamp (may be NULL): the dir's inode
 * number and ctime (a rename or a new entry changes the ctime), and the
 * clamp; a new string with no blank */
char *packmemo_key(const char *dir, const time_t *clamp);
/* the entry for sum and key, if it is there and its blob is in st */
bool packmemo_find(const struct packmemo *m, const struct store *st,
		   const char *sum, const char *key, char diff_id[DIGEST_LEN],
		   char digest[DIGEST_LEN], long long *size);
/* append the blob digest of every loaded entry to out */
void packmemo_blobs(const struct packmemo *m, struct strv *out);
/* an entry of this export */
void packmemo_add(struct packmemo *m, const char *sum, const char *key,
		  const char *diff_id, const char *digest, long long size,
		  const char *dir);
/* write this export's entries, and the earlier ones whose layer dirs are
 * still there (another target's), when that changes the file */
int packmemo_save(struct packmemo *m, struct err **errp);
void packmemo_fini(struct packmemo *m);

#endif
