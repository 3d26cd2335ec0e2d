#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/err.h"
#include "buildargs.h"

static const char *const platform_args[] = {
	"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
	"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
	"TARGETSTAGE",
};

#define NPLATFORM (countof(platform_args))

bool
buildargs_is_proxy(const char *name)
{
	static const char *const names[] = {
		"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
	};

	for (size_t i = 0; i < 5; i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

void
buildargs_declare(struct resolver *r, const struct instr *in)
{
	for (size_t i = 0; i < in->args.n; i++) {
		const char *w = in->args.v[i], *eq = strchr(w, '=');
		char *name = eq ? xstrndup(w, (size_t)(eq - w)) : xstrdup(w);

		if (symtab_get(&r->declared, name)) {
			free(name);
			continue;
		}
		strv_push(&r->declared_names, name);
		symtab_put(&r->declared, name, name);
	}
}

int
buildargs_build(struct resolver *r)
{
	const struct gen_opts *o = r->opts;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct platform p;

	for (size_t i = 0; i < o->build_args.n; i++) {
		const char *a = o->build_args.v[i], *eq = strchr(a, '=');
		autofree char *name = eq ? xstrndup(a, (size_t)(eq - a)) :
				      xstrdup(a);
		const char *v = eq ? eq + 1 : getenv(name);

		if (!*name)
			return err_make(r->errp, 0, "invalid build arg '%s': "
					"no name", a);
		if (v)
			vars_set(&r->bargs, name, v);
	}
	/* as buildx passes its environment's SOURCE_DATE_EPOCH as the build
	 * arg, unless one is given */
	if (sde && *sde && !vars_get(&r->bargs, "SOURCE_DATE_EPOCH"))
		vars_set(&r->bargs, "SOURCE_DATE_EPOCH", sde);
	if (!o->platform)
		return 0;
	/* each of a list (cli/platforms.h checks them) */
	if (!strchr(o->platform, ',') && platform_parse(o->platform, &p) < 0)
		return err_make(r->errp, 0, "failed to parse platform '%s'",
				o->platform);
	return 0;
}

/* defaultArgs, then buildMetaArgs */
int
buildargs_global(struct resolver *r)
{
	const struct dockerfile *df = r->df;
	const struct platform *h = &r->host, *t = &r->target;
	const char *target = r->opts->target;
	const char *values[NPLATFORM];
	struct expander x = { &r->global, false, df->escape, false };
	size_t i, j;

	if (!target || !*target)
		target = r->g->stages[r->g->nstages - 1].name;
	values[0] = r->host_str;
	values[1] = h->os;
	values[2] = h->arch;
	values[3] = h->variant;
	values[4] = r->target_str;
	values[5] = t->os;
	values[6] = t->arch;
	values[7] = t->variant;
	values[8] = target ? target : "";
	for (i = 0; i < NPLATFORM; i++) {
		const char *bv = vars_get(&r->bargs, platform_args[i]);

		env_set(&r->global, platform_args[i], bv ? bv : values[i], false);
	}
	for (i = 0; i < df->ninstrs && df->instrs[i].kind == INSTR_ARG; i++) {
		const struct instr *in = &df->instrs[i];

		for (j = 0; j < in->args.n; j++) {
			const char *w = in->args.v[j], *eq = strchr(w, '=');
			autofree char *name = eq ? xstrndup(w, (size_t)(eq - w)) :
					      xstrdup(w);
			const char *bv = vars_get(&r->bargs, name);
			struct err *e = NULL;
			bool deferred;
			char *v;

			if (bv) {
				env_set(&r->global, name, bv, false);
				continue;
			}
			if (!eq)
				continue;
			if (expand_word(&x, eq + 1, &v, &deferred, &e) < 0)
				return resolve_fail_err(r, in, e);
			env_set(&r->global, name, v, false);
			free(v);
		}
	}
	return 0;
}

void
buildargs_warn_unused(struct resolver *r)
{
	for (size_t i = 0; i < r->bargs.n; i++) {
		const char *name = r->bargs.v[i].name;
		/* the export consumes SOURCE_DATE_EPOCH (planfill_export) */
		bool predefined = buildargs_is_proxy(name) ||
				  !strcmp(name, "SOURCE_DATE_EPOCH");

		for (size_t j = 0; j < NPLATFORM && !predefined; j++)
			predefined = !strcmp(name, platform_args[j]);
		if (predefined || symtab_get(&r->declared, name))
			continue;
		strv_push(&r->g->warnings, xasprintf("%s: build arg '%s' was "
						     "not consumed", resolve_name(r),
						     name));
	}
}
