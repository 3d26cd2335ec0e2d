#ifndef DF2NINJA_CACHELOCAL_H
#define DF2NINJA_CACHELOCAL_H

#include <jansson.h>

struct err;
struct store;

/*
 * the step cache (stepcache.h) in a local OCI image layout dir
 * (--cache-to type=local,dest=DIR, --cache-from type=local,src=DIR): the
 * same entries as in a registry, listed in index.json under the ref name
 * "step-<key hex>"
 */

/* the entry of key in dir: 1 with *m (the manifest) and the blobs it
 * names copied into the store, each checked against its digest; 0 when
 * dir has none; -1 on failure */
int cachelocal_get(const struct store *st, const char *dir, const char *key,
		   json_t **m, struct err **errp);
/* add the entry of key (its manifest, manifest_size bytes, and the
 * blobs it names, in the store) to dir */
int cachelocal_put(const struct store *st, const char *dir, const char *key,
		   const char *manifest, long long manifest_size,
		   struct err **errp);

#endif
