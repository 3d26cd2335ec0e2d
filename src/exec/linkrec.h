#ifndef DF2NINJA_LINKREC_H
#define DF2NINJA_LINKREC_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci/digest.h"

struct err;

/*
 * COPY --link (BuildKit copies onto scratch and merges the result): the
 * record the link edge leaves in its stamp, "<layer sum> <key>\n". The
 * layer is <builddir>/layers/<step name>.link.<sum hex>; the key is the
 * digest of what the copy took from the step below (its words expanded
 * in that env, WORKDIR), so the step's edge knows whether the layer
 * still fits what it is stacked on.
 */

/* write the record at stamp, only when it changed (restat) */
int linkrec_write(const char *stamp, const char *sum, const char *key,
		  struct err **errp);
/* read the record at stamp; false when it is missing or malformed */
bool linkrec_read(const char *stamp, char sum[DIGEST_LEN],
		  char key[DIGEST_LEN]);
/* the layer dir of step name with sum (caller frees) */
char *linkrec_layer_dir(const char *builddir, const char *name,
			const char *sum);
/* the name its upper.h dirs go by: "<step name>.link" (caller frees) */
char *linkrec_upper_name(const char *name);

/* the step name is no --link copy (any more): remove the link layers and
 * upper dirs of an earlier generation's, <name>.link.* */
void linkrec_forget(const char *builddir, const char *name);

/*
 * --chown with --link, as BuildKit's llb.WithUser: "user[:group]", each
 * part digits, "root" (0) or empty (0); a numeric user alone gives the
 * gid too. A name is an error: the copy is made on scratch, which has no
 * /etc/passwd to look it up in.
 */
int linkrec_chown(const char *spec, uid_t *uid, gid_t *gid, struct err **errp);

#endif
