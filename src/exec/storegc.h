#ifndef DF2NINJA_STOREGC_H
#define DF2NINJA_STOREGC_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct store;

/*
 * `df2ninja gc`, BuildKit's `builder prune` for the store: keep what a
 * live registered build dir references (gcrefs.h, storereg.h), remove
 * the rest, least recently used first. Unreferenced are unpacked layers,
 * blobs (with their diff id records), flattened copies, and cache mounts
 * (BuildKit prunes those too). An item's last use is the last step of a
 * gone build dir known to have referenced it (its refs, written by gc
 * and by the export), else when it entered the store (its ctime; a
 * cache mount's is renewed at each mount). The caller holds the store's
 * lock exclusively (store_open_exclusive): no step runs meanwhile.
 */

enum storegc_kind {
	STOREGC_LAYER,
	STOREGC_BLOB,
	STOREGC_FLAT,
	STOREGC_CACHE,
	STOREGC_NKINDS,
};

struct storegc_opts {
	/* keep unreferenced items used less than this many seconds ago
	 * (0: none) */
	long long keep_duration;
	/* stop once the store holds at most this many bytes, referenced
	 * data included (0: no limit, remove everything unreferenced) */
	long long keep_storage;
};

struct storegc_report {
	long long freed;		/* bytes: apparent sizes of files */
	long long kept;			/* bytes left in the store */
	size_t removed[STOREGC_NKINDS];
	size_t builddirs;		/* live registered build dirs */
};

int storegc_run(const struct store *st, const struct storegc_opts *o,
		struct storegc_report *rep, struct err **errp);

/* the record for builddir of what it references, for gc to go by once the
 * build dir is gone (the export writes it) */
int storegc_note_refs(const struct store *st, const char *builddir,
		      struct err **errp);

#endif
