#ifndef DF2NINJA_REGISTRY_PROGRESS_H
#define DF2NINJA_REGISTRY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* where one blob transfer stands */
struct progress {
	const char *label;	/* "layer 2/5" */
	const char *digest;
	long long done, total;	/* bytes */
	double rate;		/* bytes per second: recent, or overall
				 * once finished */
	double elapsed;		/* seconds since the transfer began */
	bool finished;
};

/* called for a long transfer at most once a second, and once more when
 * it has finished */
typedef void (*progress_fn)(void *ctx, const struct progress *p);

/* seconds on the monotonic clock, for rates and elapsed times */
double progress_now(void);
/* "12.3 MiB" (binary units, B below 1 KiB) into out */
void progress_size(struct buf *out, double bytes);
/*
 * one line (no newline) for p of the image called name:
 *   "name: layer 2/5 sha256:0123456789ab: 12.3 MiB of 40.0 MiB, 5.1 MiB/s"
 *   "name: layer 2/5 sha256:0123456789ab: done, 40.0 MiB in 7.8 s, 5.1 MiB/s"
 */
void progress_format(const struct progress *p, const char *name,
		     struct buf *out);
/* a progress_fn printing progress_format() lines to stdout, prefixed with
 * "df2ninja: "; ctx is the image name (const char *) */
void progress_print(void *ctx, const struct progress *p);

#endif
