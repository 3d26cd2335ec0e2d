#include <stdlib.h>
#include <string.h>

#include "exec/baseinfo.h"
#include "image/config.h"
#include "image/image.h"
#include "image/image_in.h"
#include "registry/pin.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"

/* a local reference with its relative path made relative to where
 * df2ninja runs; caller frees */
static char *
local_ref(const struct baseinfo *bi, const char *ref)
{
	const char *sep = strstr(ref, "://");
	const char *path = sep + 3;

	if (*path == '/' || !bi->out_dir)
		return xstrdup(ref);
	return xasprintf("%.*s%s/%s", (int)(path - ref), ref, bi->out_dir, path);
}

static bool
gen_offline(void)
{
	const char *v = getenv("DF2NINJA_GEN_PULL");

	return v && strcmp(v, "0") == 0;
}

int
baseinfo_onbuild(void *ctx, const char *ref, const char *platform,
		 struct strv *onbuild, struct err **errp)
{
	struct baseinfo *bi = ctx;
	struct image img;
	int r;

	(void)platform;	/* only the host's is built (a FROM --platform
			 * other than it is refused) */
	/* an OCI layout is described from its files alone */
	if (strncmp(ref, "oci-layout://", strlen("oci-layout://")) != 0 && !bi->has_store) {
		if (store_open(&bi->store, errp) < 0)
			return -1;
		bi->has_store = true;
	}
	/* filled by the loader: a local one zeroes it first */
	memset(&img, 0, sizeof(img));
	if (image_in_is_local(ref)) {
		autofree char *local = local_ref(bi, ref);

		r = image_in_describe(bi->has_store ? &bi->store : NULL, local, &img, errp);
	} else {
		r = registry_load_config(&bi->store, bi->builddir, ref,
					 bi->pull || pin_refresh(), gen_offline(),
					 &img, errp);
		if (r == 1)
			r = err_make(errp, 0, "'%s' is not known offline", ref);
	}
	if (r == 0 && config_onbuild_list(&img.config, onbuild) < 0)
		r = err_make(errp, 0, "'%s': an OnBuild trigger of its config is "
			     "not a string", ref);
	image_fini(&img);
	return r;
}

void
baseinfo_fini(struct baseinfo *bi)
{
	if (bi->has_store)
		store_close(&bi->store);
	bi->has_store = false;
}
