#ifndef DF2NINJA_REGISTRY_PIN_H
#define DF2NINJA_REGISTRY_PIN_H

#include "oci/digest.h"

struct err;
struct image;
struct ref;
struct store;

/*
 * A tag is resolved once per build and recorded, so that a rebuild gets
 * the same image: <builddir>/pulls/<ref_file_name()>.digest
 * holds "sha256:<hex>\n", the digest of the image manifest the tag gave
 * (the host platform's, for an index; another platform's record is
 * <name>@linux_arm64.digest). A refresh (FROM of a build
 * generated with --pull, or DF2NINJA_PULL=1 in the environment) resolves
 * the tag again and records the new answer.
 */

/* the record of r's tag in builddir; caller frees */
char *pin_path(const char *builddir, const struct ref *r);
/* the digest recorded at path: 0, or 1 when there is none; a record
 * that is not a digest is an error */
int pin_read(const char *path, char digest[DIGEST_LEN], struct err **errp);
/* record digest at path (atomically: a reader sees the old or the new
 * record, never half of one) */
int pin_write(const char *path, const char *digest, struct err **errp);
/* true when DF2NINJA_PULL=1: tags are resolved again */
bool pin_refresh(void);

/*
 * what FROM and COPY --from do with a registry reference: pull ref into
 * the store (registry_pull) and describe it in img like image_in_load,
 * with the tag's record in builddir used (or made) as above; platform
 * ("linux/arm64"; NULL: the host's) picks an index's entry; refresh: the
 * tag is resolved again even when it has a record. One process
 * at a time resolves a given reference in builddir; the others wait and
 * use its record. Progress of long downloads is printed to stdout.
 * img must be zeroed or image_init()ed.
 */
int registry_load(const struct store *st, const char *builddir,
		  const char *ref, const char *platform, bool refresh,
		  struct image *img, struct err **errp);
/*
 * registry_load for generation: the manifest and config only (into the
 * store, so the FROM step finds them), no progress; offline: the tag's
 * record and the store alone answer (1 when there is no record)
 */
int registry_load_config(const struct store *st, const char *builddir,
			 const char *ref, bool refresh, bool offline,
			 struct image *img, struct err **errp);

#endif
