#ifndef DF2NINJA_REGISTRY_FETCH_H
#define DF2NINJA_REGISTRY_FETCH_H

#include <stddef.h>

#include "oci/digest.h"
#include "registry/progress.h"

struct err;
struct registry_client;
struct store;

/* one blob to download */
struct fetch_item {
	char digest[DIGEST_LEN];
	long long size;		/* from its descriptor: never more is read */
	const char *label;	/* "layer 2/5", for progress and errors */
};

/* blobs of one image downloaded at once */
#define FETCH_PARALLEL 4

/*
 * download the n blobs from c's repository into the store, FETCH_PARALLEL
 * at a time over one curl multi handle. Each streams into a staged store
 * blob, hashed as it arrives, and is committed only when it has exactly
 * its size and hashes to its digest. A transfer that breaks resumes with
 * a Range request where it stopped (or starts over when the server
 * ignores Range); 429, 5xx and transport errors are retried with backoff
 * (http.h), a 401 is answered once. progress (may be NULL) hears about
 * transfers lasting over a second. On failure every unfinished blob is
 * dropped (committed ones are complete and verified) and the error names
 * the blob.
 */
int fetch_blobs(const struct store *st, struct registry_client *c,
		const struct fetch_item *items, size_t n, progress_fn progress,
		void *progress_ctx, struct err **errp);

#endif
