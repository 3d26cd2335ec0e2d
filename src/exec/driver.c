#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/ops.h"
#include "exec/step.h"
#include "image/image.h"
#include "image/image_in.h"
#include "image/layer.h"
#include "registry/pin.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

int
step_load_image(struct step_ctx *c, const char *ref, struct image *img,
		struct err **errp)
{
	if ((image_in_is_local(ref) ? image_in_load(&c->store, ref, img, errp) :
	     registry_load(&c->store, c->plan.builddir, ref, img, errp)) < 0)
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
step_commit(struct step_ctx *c, const char *created_by, struct err **errp)
{
	char sum[DIGEST_LEN];
	char *dir = NULL;

	if (upper_commit(&c->up, sum, &dir, errp) < 0)
		return -1;
	if (dir)
		state_add_step_layer(&c->st, sum, dir);
	if (config_add_history(&c->st.config, created_by, "df2ninja", dir == NULL, errp) < 0) {
		free(dir);
		return -1;
	}
	c->kept = dir;
	return 0;
}

/* what the message for a failed step names: where, what, the log, how to
 * debug it */
static void
describe_failure(struct step_ctx *c, struct step_failure *f)
{
	f->where = stepplan_where(&c->plan);
	f->label = stepplan_label(&c->plan);
	f->instruction = xstrdup(c->plan.instruction ? c->plan.instruction : c->plan.kind);
	if (strcmp(c->plan.kind, "run") == 0)
		f->log = stepplan_log_path(&c->plan);
	f->builddir = xstrdup(c->plan.builddir);
	if (c->plan.step > 0)
		f->target = xasprintf("%s/%d", c->plan.stage, c->plan.step);
	f->has_upper = c->up.upper != NULL;
}

void
step_failure_fini(struct step_failure *f)
{
	free(f->where);
	free(f->label);
	free(f->instruction);
	free(f->log);
	free(f->builddir);
	free(f->target);
	memset(f, 0, sizeof(*f));
}

int
step_exec(const char *plan_path, const char *out, const char *depfile,
	  struct step_failure *f, struct err **errp)
{
	struct step_ctx c;
	struct err *e = NULL;
	int r, lock = -1;

	memset(&c, 0, sizeof(c));
	memset(f, 0, sizeof(*f));
	c.out = out;
	c.depfile = depfile;
	c.status = 1;
	if (stepplan_load(plan_path, &c.plan, errp) < 0) {
		stepplan_fini(&c.plan);
		return -1;
	}
	lock = buildlock_take(c.plan.builddir, &e);
	if (lock < 0 || store_open(&c.store, &e) < 0 ||
	    store_check_idmap(&c.store, userns_idmap(), &e) < 0)
		goto fail;
	if (ops_start_state(&c.plan, &c.st, &e) < 0)
		goto fail;
	if (strcmp(c.plan.kind, "from") == 0)
		r = step_from(&c, &e);
	else if (strcmp(c.plan.kind, "run") == 0)
		r = step_run(&c, &e);
	else if (strcmp(c.plan.kind, "copy") == 0 || strcmp(c.plan.kind, "add") == 0)
		r = step_copy(&c, &e);
	else if (strcmp(c.plan.kind, "workdir") == 0)
		r = step_workdir(&c, &e);
	else if (strcmp(c.plan.kind, "config") == 0)
		r = 0;
	else
		r = err_make(&e, 0, "plan: unknown step kind '%s'; rerun df2ninja", c.plan.kind);
	if (r < 0)
		goto fail;
	/* the state first, the stamp last: a stamp names a complete state */
	if (state_save(c.plan.builddir, c.plan.name, &c.st, &e) < 0 ||
	    state_stamp(&c.st, out, &e) < 0)
		goto fail;
	if (c.up.keep)
		upper_prune(&c.up, c.kept);
	upper_forget_failure(c.plan.builddir, c.plan.name);
	r = 0;
	goto done;
fail:
	describe_failure(&c, f);
	if (!e)
		err_make(&e, 0, "unknown error");
	err_set_status(&e, c.status);
	*errp = steal_pointer(&e);
	r = -1;
done:
	free(c.kept);
	upper_fini(&c.up);
	state_fini(&c.st);
	store_close(&c.store);
	stepplan_fini(&c.plan);
	if (lock >= 0)
		close(lock);
	return r;
}
