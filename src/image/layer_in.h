#ifndef DF2NINJA_LAYER_IN_H
#define DF2NINJA_LAYER_IN_H

#include <stddef.h>
#include <stdint.h>

#include "oci/digest.h"

struct archive_entry;
struct err;

/*
 * a layer tar being read in one pass: libarchive's "raw" format undoes
 * the compression (gzip, bzip2, xz, zstd or none, from the content), each
 * decompressed block is hashed and then handed, without a copy, to a
 * second libarchive reader that parses the tar. Runs under tarlocale's
 * read locale.
 */
struct layer_in;

/* start reading fd (not closed, not seeked) */
int layer_in_open(int fd, struct layer_in **inp, struct err **errp);
/* the next entry (owned by in, valid until the next call): 1, or 0 at
 * the end of the archive */
int layer_in_next(struct layer_in *in, struct archive_entry **ep,
		  struct err **errp);
/* the next block of the current entry's data at *offset (holes in a
 * sparse file are skipped offsets): 1, or 0 at its end */
int layer_in_data(struct layer_in *in, const void **buf, size_t *len,
		  int64_t *offset, struct err **errp);
/* read the rest of the stream (padding after the end of the archive
 * included) and give the diff id, the digest of every decompressed byte */
int layer_in_finish(struct layer_in *in, char diff_id[DIGEST_LEN],
		    struct err **errp);
/* accepts NULL */
void layer_in_free(struct layer_in *in);

#endif
