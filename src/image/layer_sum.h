#ifndef DF2NINJA_LAYER_SUM_H
#define DF2NINJA_LAYER_SUM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "digest.h"

struct err;
struct layer_entry;

/*
 * The sum of a layer directory: a sha256 over the mtime every tar entry
 * gets (layer_epoch) and, for every entry layer_walk gives, a record of
 * its tar name, type, mode bits, owner, size, device numbers, link
 * targets and security.capability value, followed by the file's data.
 * The tar of the directory is a function of exactly these, so equal sums
 * mean equal tars (for a given libarchive), yet the sum needs no tar
 * writer: a step names its layer by the sum without loading libarchive,
 * whose dependencies (libxml2, ICU, libstdc++) cost about 1.6 ms of
 * relocations at every process start here. The export packs the layer
 * and computes its diff id from the same walk, the sum along with it, so
 * a layer dir changed since its step ran is caught there.
 */
struct layer_sum;

struct layer_sum *layer_sum_new(time_t epoch);
/* an entry's record; its data follows with layer_sum_data */
void layer_sum_entry(struct layer_sum *s, const struct layer_entry *e);
void layer_sum_data(struct layer_sum *s, const void *data, size_t len);
/* the sum, "sha256:<hex>"; s is freed */
void layer_sum_final(struct layer_sum *s, char out[DIGEST_LEN]);
/* s is freed (after an error) */
void layer_sum_free(struct layer_sum *s);

/* the sum of dir; *empty (may be NULL) says whether dir has no entries */
int layer_sum_dir(const char *dir, char sum[DIGEST_LEN], bool *empty,
		  struct err **errp);

#endif
