#ifndef DF2NINJA_CACHEPUSH_H
#define DF2NINJA_CACHEPUSH_H

struct err;

/*
 * the push edge of a step (`df2ninja exec cachepush`, in ninja's pool
 * registry, which no step waits for): its layer (packed as the export
 * packs it), its entry's config and manifest (stepcache.h) to every
 * --cache-to registry, tagged by the key the step noted, then out written
 * (the key). A step with no key, or no --cache-to: out only. A failed
 * push is a warning on stderr, out left unwritten (the next build tries
 * again) and 0 returned: never a failed build. -1 only for a plan or a
 * state that cannot be read.
 */
int cachepush_exec(const char *plan, const char *out, struct err **errp);

#endif
