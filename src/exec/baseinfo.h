#ifndef DF2NINJA_BASEINFO_H
#define DF2NINJA_BASEINFO_H

#include <stdbool.h>

#include "image/store.h"

struct err;
struct strv;

/*
 * What generation learns of a base image before any step runs: its
 * config's OnBuild triggers (gen_opts.base_config). The config comes from
 * an oci-layout:// or docker-archive:// file, or for a registry reference
 * from the store through the build dir's record of the tag (registry/pin.h),
 * else from the registry (manifest and config only, kept in the store and
 * recorded, so the FROM step uses the same image). DF2NINJA_GEN_PULL=0
 * asks no registry: the record and the store alone answer.
 */
struct baseinfo {
	const char *out_dir;	/* where ninja runs: local paths are
				 * relative to it */
	const char *builddir;	/* the build dir, as df2ninja reaches it */
	bool pull;		/* --pull: tags are resolved again */
	struct store store;	/* opened on first use */
	bool has_store;
};

/* gen_opts.base_config with ctx a struct baseinfo */
int baseinfo_onbuild(void *ctx, const char *ref, const char *platform,
		     struct strv *onbuild, struct err **errp);
/* close what bi opened */
void baseinfo_fini(struct baseinfo *bi);

#endif
