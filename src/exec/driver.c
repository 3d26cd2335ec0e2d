#include <errno.h>
#include <signal.h>
#include <stdio.h>
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
step_load_image(struct step_ctx *c, const char *ref, bool pull, struct image *img,
		struct err **errp)
{
	if ((image_in_is_local(ref) ? image_in_load(&c->store, ref, img, errp) :
	     registry_load(&c->store, c->plan.builddir, ref, pull || pin_refresh(), img,
			   errp)) < 0)
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

/* the message for a failed step: where, what, the log, how to debug it */
static void
report_failure(struct step_ctx *c, struct err *e)
{
	autofree char *where = stepplan_where(&c->plan), *label = stepplan_label(&c->plan);
	autofree char *target = NULL, *log = NULL;
	const char *instr = c->plan.sp.instruction;

	fflush(stdout);
	fprintf(stderr, "df2ninja: %s: error: %s %s failed: %s\n", where, label, instr,
		e ? e->msg : "unknown error");
	if (e && e->errnum == EINVAL && userns_hint())
		fprintf(stderr, "df2ninja: %s\n", userns_hint());
	if (c->plan.sp.kind == PLAN_RUN) {
		log = stepplan_log_path(&c->plan);
		fprintf(stderr, "df2ninja: the whole log: %s\n", log);
	}
	if (c->plan.step > 0) {
		autofree char *bflag = strcmp(c->plan.builddir, ".df2ninja") != 0 ?
				       xasprintf("-B %s ", c->plan.builddir) : xstrdup("");

		target = xasprintf("%s/%d", c->plan.stage, c->plan.step);
		if (c->up.upper)
			fprintf(stderr, "df2ninja: a shell where it failed: df2ninja shell %s%s --failed\n",
				bflag, target);
		fprintf(stderr, "df2ninja: rerun this step alone: ninja %s\n", target);
	}
}

int
step_exec(const char *plan_path, const char *out, const char *depfile)
{
	struct step_ctx c;
	struct err *e = NULL;
	int r, lock = -1;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.depfile = depfile;
	c.status = 1;
	r = stepplan_load(plan_path, &c.plan, &e);
	if (r == 0 && c.plan.is_export)
		r = err_make(&e, 0, "plan '%s' is the export's, not a step's", plan_path);
	if (r < 0) {
		r = err_report(e);
		stepplan_fini(&c.plan);
		return r;
	}
	lock = buildlock_take(c.plan.builddir, &e);
	if (lock < 0 || store_open(&c.store, &e) < 0 ||
	    store_check_idmap(&c.store, userns_idmap(), &e) < 0)
		goto fail;
	/* the state this step starts from */
	if (c.plan.sp.parent) {
		if (state_load(c.plan.builddir, c.plan.sp.parent, &c.st, &e) < 0)
			goto fail;
		state_set_parent(&c.st, c.plan.sp.parent);
	} else {
		state_init(&c.st);
	}
	if (ops_apply(&c.st, &c.plan.sp, &e) < 0)
		goto fail;
	switch (c.plan.sp.kind) {
	case PLAN_FROM:
		r = step_from(&c, &e);
		break;
	case PLAN_RUN:
		r = step_run(&c, &e);
		break;
	case PLAN_COPY:
	case PLAN_ADD:
		r = step_copy(&c, &e);
		break;
	case PLAN_WORKDIR:
		r = step_workdir(&c, &e);
		break;
	case PLAN_CONFIG:
		r = 0;
		break;
	}
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
	report_failure(&c, e);
	err_free(e);
	r = c.status;
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
