#ifndef DF2NINJA_LAYER_SUM_H
#define DF2NINJA_LAYER_SUM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "oci/digest.h"

struct err;
struct layer_entry;

/*
 * The sum of a layer directory: a sha256 over, for every entry layer_walk
 * gives, a record of its tar name, type, mode bits, owner, size, device
 * numbers, link targets and security.capability value, followed by the
 * file's data. It leaves out the mtimes: a step that reruns and writes the
 * same bytes (at a later time) gives the same sum, hence the same identity,
 * and the steps after it are skipped (early cutoff); the step then keeps
 * the layer dir of its earlier run, mtimes and all (upper.h), as BuildKit
 * reuses a cached layer. The tar of the directory is a function of exactly
 * these, the mtimes and the export's clamp (layer_pack_dir), so equal sums
 * and mtimes mean equal tars (for a given libarchive), yet the sum needs no tar
 * writer: a step names its layer by the sum without loading libarchive,
 * whose dependencies (libxml2, ICU, libstdc++) cost about 1.6 ms of
 * relocations at every process start here. The export packs the layer
 * and computes its diff id from the same walk, the sum along with it, so
 * a layer dir changed since its step ran is caught there.
 */

/* a digest (digest.h) to make a sum with: its data is digest_update()d
 * after each entry's record, and digest_final() gives the sum */
struct digest *layer_sum_new(void);
/* an entry's record */
void layer_sum_entry(struct digest *d, const struct layer_entry *e);

/* the sum of dir; *empty (may be NULL) says whether dir has no entries */
int layer_sum_dir(const char *dir, char sum[DIGEST_LEN], bool *empty,
		  struct err **errp);

#endif
