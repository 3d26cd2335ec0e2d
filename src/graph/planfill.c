#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/buf.h"
#include "util/epoch.h"
#include "oci/digest.h"
#include "plan/encode.h"
#include "plan/names.h"
#include "planfill.h"

static enum plan_kind
kind_of(enum step_kind k)
{
	switch (k) {
	case STEP_FROM:
		return PLAN_FROM;
	case STEP_RUN:
		return PLAN_RUN;
	case STEP_COPY:
		return PLAN_COPY;
	case STEP_ADD:
		return PLAN_ADD;
	case STEP_WORKDIR:
		return PLAN_WORKDIR;
	case STEP_CONFIG:
		break;
	}
	return PLAN_CONFIG;
}

void
planfill_begin(struct resolver *r, struct step *st, const struct step *prev,
	   struct step_plan *p)
{
	struct stage *s = st->stage;

	memset(p, 0, sizeof(*p));
	p->kind = kind_of(st->kind);
	p->stage = s->id;
	p->num = st->num;
	p->instruction = resolve_str(r, st->instr->original ?
				     st->instr->original : "");
	if (prev)
		p->parent = prev->name;
	else if (s->parent)
		p->parent = stage_last_step(s->parent)->name;
	p->ops = r->ops;
	p->nops = r->nops;
}

static int
by_index(const void *a, const void *b)
{
	const struct stage *x = *(struct stage *const *)a;
	const struct stage *y = *(struct stage *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

int
planfill_end(struct resolver *r, struct step *st, struct step_plan *p)
{
	struct pj *j;

	p->expand = r->used_raw;
	p->escape = r->df->escape ? r->df->escape : '\\';
	r->used_raw = false;
	j = r->bad_utf8 ? NULL : plan_encode_step(&r->arena, p);
	if (!j)
		return resolve_fail(r, st->instr, "a value of step '%s' is not "
				    "valid UTF-8", st->name);
	st->plan = pj_dump(&r->arena, j);
	pj_reset(&r->arena);
	r->nops = 0;
	if (st->ndeps > 1)
		qsort(st->deps, st->ndeps, sizeof(*st->deps), by_index);
	return 0;
}

/* one --output value: "type=oci,dest=x", or a bare path for type=local */
static int
output(struct resolver *r, const char *spec, struct plan_output *out)
{
	const struct gen_opts *o = r->opts;
	autofree char *copy = xstrdup(spec);
	const char *type = NULL, *dest = NULL, *name = NULL, *tar = NULL, *load = NULL;
	char *field, *save = NULL;
	int kind;

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
			else if (!strcmp(field, "load"))
				slot = &load;
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
	kind = plan_value(&plan_output_names, type);
	if (kind < 0)
		return err_make(r->errp, 0, "--output type '%s' is not "
				"supported yet (use oci, docker, local or "
				"registry)", type);
	out->type = (enum plan_output_type)kind;
	if (out->type == PLAN_OUTPUT_REGISTRY) {
		/* pushed to name=REF: no dest, no tarball */
		if (!name || !*name)
			return err_make(r->errp, 0, "--output '%s' needs a "
					"name=REF", spec);
		if (dest || tar)
			return err_make(r->errp, 0, "--output '%s': dest= and "
					"tar= do not apply to type=registry",
					spec);
		out->name = resolve_str(r, name);
		return 0;
	}
	if (!dest || !*dest)
		return err_make(r->errp, 0, "--output '%s' needs a dest=",
				spec);
	/* load=true: --load, a docker archive handed to docker load */
	if (load && (strcmp(load, "true") || out->type != PLAN_OUTPUT_DOCKER))
		return err_make(r->errp, 0, "--output '%s': load= takes true, "
				"with type=docker", spec);
	out->load = load != NULL;
	if (tar && strcmp(tar, "true") && strcmp(tar, "false"))
		return err_make(r->errp, 0, "--output '%s': tar takes true or "
				"false", spec);
	if (tar && out->type == PLAN_OUTPUT_LOCAL)
		return err_make(r->errp, 0, "--output '%s': tar= does not "
				"apply to type=local", spec);
	if (name && out->type == PLAN_OUTPUT_LOCAL)
		return err_make(r->errp, 0, "--output '%s': name= does not "
				"apply to type=local", spec);
	if (o->cwd && dest[0] != '/') {
		char *abs = fs_join(o->cwd, dest);

		out->dest = resolve_str(r, abs);
		free(abs);
	} else {
		out->dest = resolve_str(r, dest);
	}
	if (name)
		out->name = resolve_str(r, name);
	out->has_tar = tar != NULL;
	out->tar = tar && !strcmp(tar, "true");
	return 0;
}

/*
 * the digest of the plans of every step whose history the image holds: the
 * target's steps and those of the stages it is built FROM. The export
 * assembles the history from those steps' states, but a step that reran
 * with only a new history (a reworded RUN) leaves its stamp alone, so
 * nothing but this digest in the export plan makes the export rerun.
 */
static const char *
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
	return resolve_str(r, d);
}

/* a multi-platform build: this graph's image, then its siblings' */
static void
export_platforms(struct resolver *r, struct export_plan *p)
{
	const struct gen_opts *o = r->opts;

	p->nplatforms = o->nsiblings + 1;
	p->platforms = pj_alloc(&r->arena, p->nplatforms, sizeof(*p->platforms));
	p->platforms[0] = (struct plan_export_platform){
		resolve_str(r, r->target_str), p->stage, p->last, p->chain,
	};
	for (size_t i = 0; i < o->nsiblings; i++) {
		const struct graph *g = o->siblings[i];

		p->platforms[i + 1] = (struct plan_export_platform){
			resolve_str(r, g->platform), resolve_str(r, g->target->id),
			resolve_str(r, stage_last_step(g->target)->name),
			chain_digest(r, g->target),
		};
	}
}

/* getBuildArgValue: the build arg SOURCE_DATE_EPOCH, else a global ARG's
 * value; checked here, so that the export has nothing left to refuse */
static int
source_date_epoch(struct resolver *r, struct export_plan *p)
{
	const char *v = vars_get(&r->bargs, "SOURCE_DATE_EPOCH");
	const struct envvar *gv = env_get(&r->global, "SOURCE_DATE_EPOCH");
	time_t t;

	if (!v && gv)
		v = gv->value;
	if (epoch_parse(v, &t, &p->has_epoch, r->errp) < 0)
		return -1;
	p->epoch = (long long)t;
	return 0;
}

int
planfill_export(struct resolver *r)
{
	const struct gen_opts *o = r->opts;
	struct stage *t = r->g->target;
	struct export_plan p;
	struct pj *j;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.stage = t->id;
	p.last = stage_last_step(t)->name;
	p.chain = chain_digest(r, t);
	p.noutputs = o->outputs.n ? o->outputs.n : 1;
	p.outputs = pj_alloc(&r->arena, p.noutputs, sizeof(*p.outputs));
	for (i = 0; i < o->outputs.n; i++)
		if (output(r, o->outputs.v[i], &p.outputs[i]) < 0)
			return -1;
		else if (o->outputs_in_context)
			p.outputs[i].in_context = o->outputs_in_context[i];
	if (!o->outputs.n) {
		char *dest = fs_join(o->builddir_rel ? o->builddir_rel :
				     ".df2ninja", "image");

		p.outputs[0].type = PLAN_OUTPUT_OCI;
		p.outputs[0].dest = resolve_str(r, dest);
		free(dest);
	}
	p.tags.n = o->tags.n;
	p.tags.v = pj_alloc(&r->arena, o->tags.n, sizeof(*p.tags.v));
	for (i = 0; i < o->tags.n; i++)
		p.tags.v[i] = resolve_str(r, o->tags.v[i]);
	if (source_date_epoch(r, &p) < 0)
		return -1;
	/* --label K alone is K="" (docker's ConvertKVStringsToMap) */
	p.labels.n = o->labels.n;
	p.labels.v = pj_alloc(&r->arena, o->labels.n, sizeof(*p.labels.v));
	for (i = 0; i < o->labels.n; i++) {
		autofree char *kv = strchr(o->labels.v[i], '=') ?
				    xstrdup(o->labels.v[i]) :
				    xasprintf("%s=", o->labels.v[i]);

		p.labels.v[i] = resolve_str(r, kv);
	}
	p.iidfile = o->iidfile ? resolve_str(r, o->iidfile) : NULL;
	p.quiet = o->quiet;
	p.metadata_file = o->metadata_file ? resolve_str(r, o->metadata_file) : NULL;
	if (o->nsiblings)
		export_platforms(r, &p);
	j = r->bad_utf8 ? NULL : plan_encode_export(&r->arena, &p);
	if (!j) {
		return err_make(r->errp, 0, "an --output or tag is not valid "
				"UTF-8");
	}
	r->g->export_plan = pj_dump(&r->arena, j);
	pj_reset(&r->arena);
	return 0;
}
