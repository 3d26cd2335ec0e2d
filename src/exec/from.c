#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/ctxlayer.h"
#include "exec/from.h"
#include "exec/stepctx.h"
#include "image/image.h"
#include "image/imgindex.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/vars.h"

/* set every name of the image config's Env in the state env */
static void
env_from_config(struct state *s)
{
	struct strv env = STRV_INIT;

	config_env_list(&s->config, &env);
	for (size_t i = 0; i < env.n; i++) {
		char *eq = strchr(env.v[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		vars_set(&s->env, env.v[i], eq + 1);
	}
	strv_fini(&env);
}

/* the image's triggers are those generation made steps of this stage */
static int
check_onbuild(const struct from_plan *f, const struct image *img, struct err **errp)
{
	struct strv have = STRV_INIT;
	bool same;

	if (config_onbuild_list(&img->config, &have) < 0) {
		strv_fini(&have);
		return err_make(errp, 0, "'%s': an OnBuild trigger of its config is not a string",
				f->ref);
	}
	same = have.n == f->onbuild.n;
	for (size_t i = 0; same && i < have.n; i++)
		same = strcmp(have.v[i], f->onbuild.v[i]) == 0;
	strv_fini(&have);
	if (same)
		return 0;
	if (!f->onbuild.n)
		return err_make(errp, 0, "'%s' has ONBUILD triggers, which df2ninja did not see "
				"when it generated this build (the image could not be read "
				"then, or it changed); run df2ninja again to make them steps "
				"of this stage", f->ref);
	return err_make(errp, 0, "the ONBUILD triggers of '%s' are not those df2ninja "
			"saw when it generated this build (the image changed); run "
			"df2ninja again", f->ref);
}

/* the config's architecture, os and variant are those of p */
static void
set_platform(struct image_config *cfg, const struct platform *p)
{
	json_object_set_new(cfg->json, "architecture", json_string(p->arch));
	json_object_set_new(cfg->json, "os", json_string(p->os));
	if (p->variant[0])
		json_object_set_new(cfg->json, "variant", json_string(p->variant));
	else
		json_object_del(cfg->json, "variant");
}

/* import a local image for platform (NULL: the host's) and unpack its
 * layers for overlayfs */
static int
from_image(struct step_ctx *c, const struct from_plan *f, const char *platform,
	   struct err **errp)
{
	struct image img;
	int r = -1;

	/* filled by the loader: a local one zeroes it first */
	memset(&img, 0, sizeof(img));
	if (step_load_image(c, f->ref, platform, f->pull, &img, errp) < 0 ||
	    check_onbuild(f, &img, errp) < 0)
		goto out;
	state_fini(&c->st);
	memset(&c->st, 0, sizeof(c->st));
	config_copy(&c->st.config, &img.config);
	/* rootfs is rebuilt at export from the layers */
	json_object_del(c->st.config.json, "rootfs");
	/* its triggers ran as this stage's first steps: not passed on */
	json_object_del(json_object_get(c->st.config.json, "config"), "OnBuild");
	config_drop_legacy(&c->st.config);
	env_from_config(&c->st);
	if (!vars_get(&c->st.env, "PATH")) {
		vars_set(&c->st.env, "PATH", DEFAULT_PATH);
		config_env_set(&c->st.config, "PATH", DEFAULT_PATH);
	}
	state_add_image_layers(&c->st, &img);
	r = 0;
out:
	image_fini(&img);
	return r;
}

int
step_from(struct step_ctx *c, struct err **errp)
{
	const struct from_plan *f = &c->plan.sp.from;
	struct platform want, host;
	const char *foreign = NULL;	/* f->platform when it is not the host's */

	platform_host(&host);
	want = host;
	if (f->platform) {
		if (platform_parse(f->platform, &want) < 0)
			return err_make(errp, 0, "malformed platform '%s'", f->platform);
		if (!platform_equal(&want, &host))
			foreign = f->platform;
	}
	switch (f->base) {
	case PLAN_BASE_SCRATCH:
	case PLAN_BASE_CONTEXT:
		state_fini(&c->st);
		state_init(&c->st);
		/* BuildKit's empty image has it, and the stage's platform */
		config_set_str(&c->st.config, "WorkingDir", "/");
		set_platform(&c->st.config, &want);
		if (f->base == PLAN_BASE_CONTEXT)
			return ctxlayer_from(c, f->context, c->plan.sp.instruction, errp);
		return 0;
	case PLAN_BASE_STAGE: {
		/*
		 * the driver loaded the parent stage's last state already. Its
		 * ONBUILD triggers run as this stage's first steps (the
		 * resolver put them there) and, as in Docker, are not passed
		 * on to what is built on this stage
		 */
		json_t *inner = json_object_get(c->st.config.json, "config");

		if (json_is_object(inner))
			json_object_del(inner, "OnBuild");
		/* BuildKit sets the image's Env again over the parent's state
		 * env: an ENV wins over an ARG of the same name */
		env_from_config(&c->st);
		return 0;
	}
	case PLAN_BASE_IMAGE:
		/* generated with --pull: the tag is resolved again */
		return from_image(c, f, foreign, errp);
	}
	BUG("FROM base %d", (int)f->base);
}
