#include <stdlib.h>

#include "exec/history.h"
#include "exec/mnt.h"
#include "exec/stepctx.h"
#include "image/image.h"
#include "image/image_in.h"
#include "image/layer.h"
#include "registry/pin.h"
#include "sandbox/userns.h"
#include "util/err.h"

int
step_load_image(struct step_ctx *c, const char *ref, const char *platform, bool pull,
		struct image *img, struct err **errp)
{
	if ((image_in_is_local(ref) ? image_in_load_platform(&c->store, ref, platform, img, errp) :
	     registry_load(&c->store, c->plan.builddir, ref, platform, pull || pin_refresh(),
			   img, errp)) < 0)
		return -1;
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct image_layer *l = &img->layers[i];

		if (layer_unpack_blob(&c->store, l->digest, l->size, l->diff_id,
				      userns_is_rootless() ? LAYER_USERXATTR : 0, errp) < 0)
			return err_wrap(errp, "'%s': layer %zu of %zu", ref, i + 1, img->n_layers);
	}
	return 0;
}

int
step_begin_root(struct step_ctx *c, struct mnt *root, struct err **errp)
{
	if (upper_begin(&c->up, c->plan.builddir, c->plan.name, errp) < 0)
		return -1;
	return mnt_state(root, &c->plan, "root", &c->st, &c->store, c->up.upper,
			 c->up.work, errp);
}

int
step_commit(struct step_ctx *c, const char *created_by, struct err **errp)
{
	char sum[DIGEST_LEN];
	char *dir = NULL;

	if (upper_commit(&c->up, sum, &dir, errp) < 0)
		return -1;
	if (dir)
		state_add_step_layer(&c->st, sum, dir);
	config_add_history(&c->st.config, created_by, HISTORY_COMMENT, dir == NULL);
	c->kept = dir;
	return 0;
}
