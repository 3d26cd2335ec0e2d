#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/err.h"
#include "../util/fs.h"
#include "../util/buf.h"
#include "../oci/digest.h"
#include "plan.h"

static const char *
kind_key(enum step_kind k)
{
	switch (k) {
	case STEP_FROM:
		return "from";
	case STEP_RUN:
		return "run";
	case STEP_COPY:
		return "copy";
	case STEP_ADD:
		return "add";
	case STEP_WORKDIR:
		return "workdir";
	case STEP_CONFIG:
		return "config";
	}
	return "?";
}

struct pj *
plan_begin(struct resolver *r, struct step *st, const struct step *prev)
{
	struct stage *s = st->stage;
	struct pj *p = pj_object(&r->arena);

	pj_set(&r->arena, p, "version", pj_int(&r->arena, PLAN_VERSION));
	pj_set(&r->arena, p, "kind", pj_string(&r->arena, kind_key(st->kind)));
	pj_set(&r->arena, p, "stage", pj_string(&r->arena, s->id));
	pj_set(&r->arena, p, "step", pj_int(&r->arena, st->num));
	pj_set(&r->arena, p, "instruction",
			    resolve_str(r, st->instr->original ?
					st->instr->original : ""));
	if (prev)
		pj_set(&r->arena, p, "parent", pj_string(&r->arena, prev->name));
	else if (s->parent)
		pj_set(&r->arena, p, "parent",
				    pj_string(&r->arena, stage_last_step(s->parent)->name));
	else
		pj_set(&r->arena, p, "parent", pj_null(&r->arena));
	pj_set(&r->arena, p, "config", r->ops ? r->ops : pj_array(&r->arena));
	r->ops = pj_array(&r->arena);
	return p;
}

static int
by_index(const void *a, const void *b)
{
	const struct stage *x = *(struct stage *const *)a;
	const struct stage *y = *(struct stage *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

int
plan_end(struct resolver *r, struct step *st, struct pj *plan)
{
	pj_set(&r->arena, plan, "expand", pj_bool(&r->arena, r->used_raw));
	if (r->used_raw) {
		char esc[2] = { r->df->escape ? r->df->escape : '\\', '\0' };

		pj_set(&r->arena, plan, "escape", pj_string(&r->arena, esc));
	}
	r->used_raw = false;
	if (r->bad_utf8)
		return resolve_fail(r, st->instr, "a value of step '%s' is not "
				    "valid UTF-8", st->name);
	st->plan = pj_dump(&r->arena, plan);
	pj_reset(&r->arena);
	r->ops = pj_array(&r->arena);
	if (st->ndeps > 1)
		qsort(st->deps, st->ndeps, sizeof(*st->deps), by_index);
	return 0;
}

/* one --output value: "type=oci,dest=x", or a bare path for type=local */
static int
output(struct resolver *r, const char *spec, struct pj *outs)
{
	const struct gen_opts *o = r->opts;
	autofree char *copy = xstrdup(spec);
	const char *type = NULL, *dest = NULL, *name = NULL, *tar = NULL;
	char *field, *save = NULL;
	struct pj *out;

	if (!strchr(spec, '=')) {
		if (!strcmp(spec, "-") || !*spec)
			return err_make(r->errp, 0, "--output '%s': writing the "
					"image to stdout is not supported yet",
					spec);
		type = "local";
		dest = spec;
	} else {
		for (field = strtok_r(copy, ",", &save); field;
		     field = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(field, '=');
			const char **slot;

			if (!eq)
				return err_make(r->errp, 0, "--output '%s': '%s' "
						"is not key=value", spec, field);
			*eq = '\0';
			if (!strcmp(field, "type"))
				slot = &type;
			else if (!strcmp(field, "dest"))
				slot = &dest;
			else if (!strcmp(field, "name"))
				slot = &name;
			else if (!strcmp(field, "tar"))
				slot = &tar;
			else
				return err_make(r->errp, 0, "--output '%s': key "
						"'%s' is not supported", spec,
						field);
			*slot = eq + 1;
		}
	}
	if (!type)
		return err_make(r->errp, 0, "--output '%s' has no type= "
				"(oci, docker or local)", spec);
	if (strcmp(type, "oci") && strcmp(type, "docker") &&
	    strcmp(type, "local") && strcmp(type, "registry"))
		return err_make(r->errp, 0, "--output type '%s' is not "
				"supported yet (use oci, docker, local or "
				"registry)", type);
	if (!strcmp(type, "registry")) {
		/* pushed to name=REF: no dest, no tarball */
		if (!name || !*name)
			return err_make(r->errp, 0, "--output '%s' needs a "
					"name=REF", spec);
		if (dest || tar)
			return err_make(r->errp, 0, "--output '%s': dest= and "
					"tar= do not apply to type=registry",
					spec);
		out = pj_object(&r->arena);
		pj_set(&r->arena, out, "type", pj_string(&r->arena, type));
		pj_set(&r->arena, out, "name", resolve_str(r, name));
		pj_push(&r->arena, outs, out);
		return 0;
	}
	if (!dest || !*dest)
		return err_make(r->errp, 0, "--output '%s' needs a dest=",
				spec);
	if (tar && strcmp(tar, "true") && strcmp(tar, "false"))
		return err_make(r->errp, 0, "--output '%s': tar takes true or "
				"false", spec);
	if (tar && !strcmp(type, "local"))
		return err_make(r->errp, 0, "--output '%s': tar= does not "
				"apply to type=local", spec);
	if (name && !strcmp(type, "local"))
		return err_make(r->errp, 0, "--output '%s': name= does not "
				"apply to type=local", spec);
	out = pj_object(&r->arena);
	pj_set(&r->arena, out, "type", pj_string(&r->arena, type));
	if (o->cwd && dest[0] != '/') {
		char *abs = fs_join(o->cwd, dest);

		pj_set(&r->arena, out, "dest", resolve_str(r, abs));
		free(abs);
	} else {
		pj_set(&r->arena, out, "dest", resolve_str(r, dest));
	}
	if (name)
		pj_set(&r->arena, out, "name", resolve_str(r, name));
	if (tar)
		pj_set(&r->arena, out, "tar", pj_bool(&r->arena, !strcmp(tar, "true")));
	pj_push(&r->arena, outs, out);
	return 0;
}

/*
 * the digest of the plans of every step whose history the image holds: the
 * target's steps and those of the stages it is built FROM. The export
 * assembles the history from those steps' states, but a step that reran
 * with only a new history (a reworded RUN) leaves its stamp alone, so
 * nothing but this digest in the export plan makes the export rerun.
 */
static struct pj *
chain_digest(struct resolver *r, const struct stage *t)
{
	struct digest *dg = digest_new();
	char d[DIGEST_LEN];

	/* streamed: a long FROM chain's plans add up to many megabytes */
	for (const struct stage *s = t; s; s = s->parent)
		for (size_t i = s->nsteps; i-- > 0;)
			if (s->steps[i].plan)
				digest_update(dg, s->steps[i].plan,
					      strlen(s->steps[i].plan));
	digest_final(dg, d);
	return pj_string(&r->arena, d);
}

int
plan_export(struct resolver *r)
{
	const struct gen_opts *o = r->opts;
	struct stage *t = r->g->target;
	struct pj *p = pj_object(&r->arena), *outs = pj_array(&r->arena), *tags = pj_array(&r->arena);
	size_t i;

	pj_set(&r->arena, p, "version", pj_int(&r->arena, PLAN_VERSION));
	pj_set(&r->arena, p, "stage", pj_string(&r->arena, t->id));
	pj_set(&r->arena, p, "last", pj_string(&r->arena, stage_last_step(t)->name));
	pj_set(&r->arena, p, "chain", chain_digest(r, t));
	pj_set(&r->arena, p, "outputs", outs);
	pj_set(&r->arena, p, "tags", tags);
	for (i = 0; i < o->outputs.n; i++)
		if (output(r, o->outputs.v[i], outs) < 0) {
			return -1;
		}
	if (!o->outputs.n) {
		struct pj *out = pj_object(&r->arena);
		char *dest = fs_join(o->builddir_rel ? o->builddir_rel :
				     ".df2ninja", "image");

		pj_set(&r->arena, out, "type", pj_string(&r->arena, "oci"));
		pj_set(&r->arena, out, "dest", resolve_str(r, dest));
		pj_push(&r->arena, outs, out);
		free(dest);
	}
	for (i = 0; i < o->tags.n; i++)
		pj_push(&r->arena, tags, resolve_str(r, o->tags.v[i]));
	if (r->bad_utf8) {
		return err_make(r->errp, 0, "an --output or tag is not valid "
				"UTF-8");
	}
	r->g->export_plan = pj_dump(&r->arena, p);
	pj_reset(&r->arena);
	return 0;
}
