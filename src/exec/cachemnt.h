#ifndef DF2NINJA_CACHEMNT_H
#define DF2NINJA_CACHEMNT_H

#include <stdbool.h>

#include "plan/plan.h"

struct err;

/* what a RUN --mount=type=cache needs from the store */
struct cachemnt_req {
	const char *store;		/* the store's root; caches are in
					 * <store>/cache */
	const char *key;		/* the cache's identity: its id, and
					 * what seeds it (cachemnt_key) */
	enum plan_sharing sharing;
	long mode, uid, gid;		/* of a new cache's top directory */
	int seedfd;			/* a root filesystem (from=) that a new
					 * cache copies rel of, or -1 */
	const char *seed_name;		/* for messages: "stage 'x'" */
	const char *rel;		/* the seeded path, relative, clean
					 * ("" is all of seedfd) */
};

/* a held cache: its directory, and what to let go of afterwards */
struct cachemnt {
	char *dir;		/* the directory to mount (below rel) */
	int lockfd;		/* shared "locked" or "private": the lock
				 * held until the step ends, or -1 */
	char *tmp;		/* a private instance to remove, or NULL */
};

/*
 * the key of a cache as BuildKit keys it: its id alone, or with what
 * seeds it: the identity of the from= state (from, may be NULL) and,
 * for a mount of the whole cache (no source) with mode, uid or gid, that
 * directory's mode and owner (BuildKit makes it in a state of its own,
 * so each set of them is a cache of its own). Caller frees.
 */
char *cachemnt_key(const char *id, const char *from, bool has_owner,
		   long mode, long uid, long gid);

/*
 * the directory of cache r->key in the store, made on first use: a copy
 * of r->rel of r->seedfd when there is one, else an empty directory with
 * r's mode and owner. "locked" holds an exclusive lock until the step
 * ends (cachemnt_release); "private" in use elsewhere gets a new instance
 * of its own, made the same way, removed afterwards. On error cm holds
 * what to release.
 */
int cachemnt_get(const struct cachemnt_req *r, struct cachemnt *cm,
		 struct err **errp);

/*
 * the host path of rel in the cache cm (symlinks resolved inside the
 * cache, never out of it); an error naming id when it does not exist.
 * Caller frees.
 */
int cachemnt_path(const struct cachemnt *cm, const char *rel, const char *id,
		  char **out, struct err **errp);

#endif
