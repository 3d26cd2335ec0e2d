#ifndef DF2NINJA_PACKJOBS_H
#define DF2NINJA_PACKJOBS_H

#include <time.h>

#include "oci/digest.h"

struct err;
struct store;

/*
 * Packing the step layers of an export, several at once. Each layer is
 * its own tar, gzip stream and blob, so they are independent; what makes
 * a layer slow is as much the wait for the disk (each blob is synced
 * before its name points at it) as the CPU, so a few threads more than
 * the cores overlap the waits. The results land in the jobs, in their
 * order, whatever order the threads finish in.
 */
struct pack_job {
	const char *dir;		/* in: the layer dir */
	char diff_id[DIGEST_LEN];	/* out */
	char digest[DIGEST_LEN];	/* out: the gzip blob */
	char sum[DIGEST_LEN];		/* out: layer_sum_dir() of the same walk */
	long long size;			/* out: the blob's */
};

/* pack every job's dir into st with clamp (may be NULL); on an error,
 * that of the first job that failed, in job order */
int pack_jobs_run(const struct store *st, struct pack_job *jobs, size_t n,
		  const time_t *clamp, struct err **errp);

#endif
