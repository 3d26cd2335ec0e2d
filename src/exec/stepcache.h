#ifndef DF2NINJA_STEPCACHE_H
#define DF2NINJA_STEPCACHE_H

#include <stdbool.h>

#include "oci/digest.h"

struct cachecfg;
struct err;
struct step_ctx;

/*
 * A step's result shared through an OCI registry (cachecfg.h says which):
 * under the tag "step-<key hex>" (cachekey.h) of the cache's repository,
 * an OCI image manifest whose config has the media type
 * STEPCACHE_CONFIG_TYPE and whose one layer is the step's layer as the
 * export packs it (gzip, mtimes clamped to SOURCE_DATE_EPOCH when the
 * build sets it). The config is JSON: "key", "step" (the step's name),
 * "instruction", "diff_id" and "sum" (layer_sum.h) of the layer,
 * "history" (the step's own history entries), and the state it left:
 * "config" (without history) and "env". Any OCI 1.1 registry stores it
 * (distribution 2.8 too); `skopeo inspect` lists it.
 */
#define STEPCACHE_CONFIG_TYPE "application/vnd.df2ninja.step.v1+json"

/*
 * look key up in every --cache-from dir, then registry, in order, a
 * registry with one GET of its manifest (http_set_quick: under 2 s). On
 * a hit the layer is downloaded (digest-checked) and unpacked in the
 * store, and c->st gets it as a base layer (with its sum) and the step's
 * history entries: the cache it came from is returned (cfg's string), the
 * step is done. A miss, and any failure (a registry that cannot be
 * reached, a broken entry), is NULL: the step runs. A registry that
 * cannot be reached is said once per build (a marker in
 * <builddir>/cache/) and not asked again by that build.
 */
const char *stepcache_lookup(struct step_ctx *c, const struct cachecfg *cfg,
			     const char key[DIGEST_LEN]);

/*
 * note the key of the step of c, <builddir>/cache/<flat>.key, for its
 * push edge (cachepush.h): "<key>\n", then "from <cache>\n" when the
 * step came from that cache (which needs no push of it); when the step
 * has no key, remove the file
 */
int stepcache_note_key(const struct step_ctx *c, const char *key,
		       const char *from, struct err **errp);

/* where a step's key is noted; caller frees */
char *stepcache_key_path(const char *builddir, const char *flat);
/* this build found a cache out of reach: ask it no more */
bool stepcache_unreachable(const char *builddir);

#endif
