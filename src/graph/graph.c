#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dockerfile/parse.h"
#include "oci/ref.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/vars.h"
#include "graph/directives.h"
#include "buildargs.h"
#include "check.h"
#include "imgtrig.h"
#include "meta.h"
#include "namedctx.h"
#include "nocache.h"
#include "planfill.h"
#include "resolve.h"
#include "steps.h"

const char *
step_kind_name(enum step_kind k)
{
	switch (k) {
	case STEP_FROM:
		return "FROM";
	case STEP_RUN:
		return "RUN";
	case STEP_COPY:
		return "COPY";
	case STEP_ADD:
		return "ADD";
	case STEP_WORKDIR:
		return "WORKDIR";
	case STEP_CONFIG:
		return "CONFIG";
	}
	return "?";
}

void
graph_free(struct graph *g)
{
	size_t i, j;

	if (!g)
		return;
	for (i = 0; i < g->nstages; i++) {
		struct stage *s = &g->stages[i];

		for (j = 0; j < s->nsteps; j++) {
			free(s->steps[j].name);
			free(s->steps[j].plan);
			free(s->steps[j].watch);
			free(s->steps[j].deps);
		}
		free(s->steps);
		free(s->name);
		free(s->id);
		free(s->base);
		free(s->platform);
	}
	for (i = 0; i < g->ntrigdfs; i++)
		dockerfile_free(g->trigdfs[i]);
	free(g->trigdfs);
	free(g->stages);
	free(g->export_plan);
	strv_fini(&g->platforms);
	free(g->ptargets);
	free(g->platform);
	strv_fini(&g->warnings);
	free(g);
}

/* plans are JSON: their text must be UTF-8 */
static int
check_utf8(struct resolver *r, const struct instr *in)
{
	size_t i;
	bool ok = !in->original || pj_utf8(in->original);

	for (i = 0; ok && i < in->args.n; i++)
		ok = pj_utf8(in->args.v[i]);
	for (i = 0; ok && i < in->flags.n; i++)
		ok = pj_utf8(in->flags.v[i]);
	for (i = 0; ok && i < in->nheredocs; i++)
		ok = pj_utf8(in->heredocs[i].name) &&
		     (!in->heredocs[i].content || pj_utf8(in->heredocs[i].content));
	return ok ? 0 : resolve_fail(r, in, "the instruction is not valid "
				     "UTF-8");
}

/* pass 1, BuildKit's instructions.Parse: every instruction on its own */
static int
check_all(struct resolver *r, size_t *nstages)
{
	const struct dockerfile *df = r->df;
	size_t i;

	*nstages = 0;
	for (i = 0; i < df->ninstrs; i++) {
		const struct instr *in = &df->instrs[i];
		struct flags f;
		int rc = check_instr(r, in, &f);

		flags_fini(&f);
		if (rc < 0 || check_utf8(r, in) < 0 ||
		    (in->sub && check_utf8(r, in->sub) < 0))
			return -1;
		if (in->kind == INSTR_FROM)
			(*nstages)++;
		else if (!*nstages && in->kind != INSTR_ARG)
			return resolve_fail(r, in, "%s before the first FROM: "
					    "only ARG can come before FROM",
					    instr_name(in->kind));
		if (in->kind == INSTR_ARG)
			buildargs_declare(r, in);
		else if (in->kind == INSTR_ONBUILD && in->sub->kind == INSTR_ARG)
			buildargs_declare(r, in->sub);
	}
	if (!*nstages)
		return err_make(r->errp, 0, "%s: there is nothing to build: the "
				"Dockerfile has no FROM", resolve_name(r));
	return 0;
}

static bool
valid_stage_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (s++; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !isdigit((unsigned char)*s) &&
		    *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* names the generated build gives targets of its own */
static bool
reserved(const char *name, int index)
{
	char own[32];

	if (!strcmp(name, "image") || !strcmp(name, "all") ||
	    !strcmp(name, "clean") || !strcmp(name, "default"))
		return true;
	if (strncmp(name, "stage-", 6) || !name[6] ||
	    strspn(name + 6, "0123456789") != strlen(name + 6))
		return false;
	snprintf(own, sizeof(own), "stage-%d", index);
	return strcmp(name, own) != 0;
}

/* pass 2: stage names and ids, before any FROM is resolved */
static int
name_stages(struct resolver *r)
{
	const struct dockerfile *df = r->df;
	struct graph *g = r->g;
	size_t i, k = 0;

	for (i = 0; i < df->ninstrs; i++) {
		const struct instr *in = &df->instrs[i];
		struct stage *s, *dup;
		char *name;

		if (in->kind != INSTR_FROM)
			continue;
		s = &g->stages[k];
		s->index = (int)k++;
		s->from = in;
		if (in->args.n != 3) {
			s->id = xasprintf("stage-%d", s->index);
			symtab_put(&r->ids, s->id, s);
			continue;
		}
		name = ascii_lower_dup(in->args.v[2]);
		if (!valid_stage_name(name)) {
			free(name);
			return resolve_fail(r, in, "invalid name for build stage: "
					    "'%s', name can't start with a number "
					    "or contain symbols", in->args.v[2]);
		}
		if (!strcmp(name, "scratch") || !strcmp(name, "context")) {
			resolve_fail(r, in, "stage name '%s' is reserved by the "
				     "Dockerfile syntax; rename the stage (FROM "
				     "... AS other)", name);
			free(name);
			return -1;
		}
		if (namedctx_find(r->opts, name)) {
			resolve_fail(r, in, "--build-context '%s' would replace the "
				     "stage '%s', which is not supported; rename "
				     "the stage or the context", name, name);
			free(name);
			return -1;
		}
		if (reserved(name, s->index)) {
			resolve_fail(r, in, "stage name '%s' is reserved for a "
				     "target of the generated build; rename the "
				     "stage (FROM ... AS other)", name);
			free(name);
			return -1;
		}
		dup = symtab_get(&r->ids, name);
		if (dup) {
			/* BuildKit only warns (lint rule DuplicateStageName):
			 * --from, --target and later FROMs name the last stage
			 * so named; the earlier one keeps its number as id */
			strv_push(&g->warnings, xasprintf("%s:%d: duplicate stage "
				  "name '%s' (also at line %d), stage names "
				  "should be unique", resolve_name(r), in->line,
				  name, dup->from->line));
			s->id = dup->id;	/* the table's key: keep it */
			dup->id = xasprintf("stage-%d", dup->index);
			symtab_put(&r->ids, dup->id, dup);
		} else {
			s->id = xstrdup(name);
		}
		s->name = name;
		symtab_put(&r->ids, s->id, s);
	}
	return 0;
}

/* a multi-platform build's subgraph: its own stages' ids end in the
 * suffix; the old ids stay the table's keys (what --from names) */
static void
suffix_ids(struct resolver *r)
{
	const struct gen_opts *o = r->opts;

	for (size_t i = 0; o->id_suffix && i < r->g->nstages; i++) {
		struct stage *s = &r->g->stages[i];

		if (o->shared && o->shared[i])
			continue;
		strv_push(&r->old_ids, s->id);
		s->id = xasprintf("%s%s", s->id, o->id_suffix);
	}
}

static int
expand_global(struct resolver *r, const struct instr *in, const char *word,
	      char **out)
{
	struct expander x = { &r->global, false, r->df->escape, false };
	struct err *e = NULL;
	bool deferred;

	if (expand_word(&x, word, out, &deferred, &e) < 0)
		return resolve_fail_err(r, in, e);
	return 0;
}

/*
 * the file of a local image reference (oci-layout://PATH[:TAG][@DIGEST]:
 * PATH/index.json; docker-archive://PATH[:NAME]: PATH), as ninja sees it
 * from the output's directory; NULL for a registry reference
 */
static char *
local_image_file(const char *ref)
{
	static const char oci[] = "oci-layout://", docker[] = "docker-archive://";
	bool is_oci = strncmp(ref, oci, strlen(oci)) == 0;
	const char *path;
	autofree char *file = NULL;

	if (!is_oci && strncmp(ref, docker, strlen(docker)) != 0)
		return NULL;
	path = ref + (is_oci ? strlen(oci) : strlen(docker));
	file = xstrndup(path, strcspn(path, ":@"));
	if (is_oci) {
		char *index = fs_join(file, "index.json");

		free(file);
		file = index;
	}
	return steal_pointer(&file);
}

/* FROM's --platform: the stage's platform, when not the target's (one
 * not the host's runs its RUN steps under QEMU: exec/emulate.h) */
static int
stage_platform(struct resolver *r, struct stage *s, const char *flag)
{
	struct sstate *ss = resolve_ss(r, s);
	struct platform p;
	autofree char *v = NULL;
	char buf[96];

	if (!flag)
		return 0;
	if (expand_global(r, s->from, flag, &v) < 0)
		return -1;
	if (!*v)
		return resolve_fail(r, s->from, "empty platform value from "
				    "expression %s", flag);
	if (platform_parse(v, &p) < 0)
		return resolve_fail(r, s->from, "failed to parse platform %s", v);
	if (!platform_equal(&p, &r->target)) {
		platform_format(&p, buf);
		ss->foreign = s->from;
		ss->foreign_platform = xstrdup(buf);
	}
	return 0;
}

/* the instructions stage s runs: the triggers of its parent stage (only
 * its own ONBUILDs: BuildKit clears inherited ones) or of its base image,
 * then its own */
static void
collect(struct resolver *r, struct stage *s, size_t first, size_t end)
{
	struct sstate *ss = resolve_ss(r, s);
	const struct sstate *ps = s->parent ? resolve_ss(r, s->parent) : NULL;
	const struct dockerfile *df = r->df;
	const struct instr **obs;
	size_t n = end - first, i, k = 0, ntrig = 0;

	obs = xcalloc((ps ? ps->ncmds : ss->nimgtrig) + 1, sizeof(*obs));
	for (i = 0; ps && i < ps->ncmds; i++)
		if (ps->cmds[i] == ps->shown[i] &&
		    ps->cmds[i]->kind == INSTR_ONBUILD)
			obs[ntrig++] = ps->cmds[i];
	for (i = 0; !ps && i < ss->nimgtrig; i++)
		obs[ntrig++] = ss->imgtrig[i];
	ss->trig = xcalloc(ntrig ? ntrig : 1, sizeof(*ss->trig));
	ss->cmds = xcalloc(n + ntrig + 1, sizeof(*ss->cmds));
	ss->shown = xcalloc(n + ntrig + 1, sizeof(*ss->shown));
	for (i = 0; i < ntrig; i++) {
		const struct instr *ob = obs[i];

		ss->trig[i] = *ob->sub;
		if (ob->nheredocs) {
			ss->trig[i].heredocs = ob->heredocs;
			ss->trig[i].nheredocs = ob->nheredocs;
		}
		ss->cmds[k] = &ss->trig[i];
		ss->shown[k++] = ob;
	}
	ss->ntrig = ntrig;
	free(obs);
	for (i = first; i < end; i++) {
		ss->cmds[k] = &df->instrs[i];
		ss->shown[k++] = &df->instrs[i];
	}
	ss->ncmds = k;
}

/* the steps of s with their kinds and names; plans come later */
static void
lay_out(struct resolver *r, struct stage *s)
{
	struct sstate *ss = resolve_ss(r, s);
	const struct instr *trailing = NULL;
	size_t i, k = 1;

	s->nnumbered = 1;
	for (i = 0; i < ss->ncmds; i++) {
		if (steps_is_step(ss->cmds[i]->kind)) {
			s->nnumbered++;
			trailing = NULL;
		} else if (!trailing) {
			trailing = ss->shown[i];
		}
	}
	ss->has_config = trailing != NULL;
	s->nsteps = (size_t)s->nnumbered + ss->has_config;
	s->steps = xcalloc(s->nsteps, sizeof(*s->steps));
	s->steps[0].kind = STEP_FROM;
	s->steps[0].instr = s->from;
	for (i = 0; i < ss->ncmds; i++) {
		enum instr_kind kind = ss->cmds[i]->kind;

		if (!steps_is_step(kind))
			continue;
		s->steps[k].kind = kind == INSTR_RUN ? STEP_RUN :
				   kind == INSTR_COPY ? STEP_COPY :
				   kind == INSTR_ADD ? STEP_ADD : STEP_WORKDIR;
		s->steps[k++].instr = ss->shown[i];
	}
	if (ss->has_config) {
		s->steps[k].kind = STEP_CONFIG;
		s->steps[k].instr = trailing;
	}
	for (i = 0; i < s->nsteps; i++) {
		struct step *st = &s->steps[i];

		st->stage = s;
		if (st->kind == STEP_CONFIG) {
			st->name = xasprintf("%s/config", s->id);
		} else {
			st->num = (int)i + 1;
			st->name = xasprintf("%s/%02d", s->id, st->num);
		}
	}
}

/* a FROM that names no earlier stage: scratch, a --build-context or an
 * image reference */
static int
base_image(struct resolver *r, struct stage *s)
{
	const struct named_context *nc = namedctx_find(r->opts, s->base);
	const char *why;
	char *lower;
	struct stage *st;

	if (!strcmp(s->base, "scratch"))
		return 0;
	if (nc && nc->kind == NAMED_CONTEXT_DIR) {
		/* an empty image holding the dir's files, as scratch is */
		resolve_ss(r, s)->ctxdir = nc->value;
		return 0;
	}
	if (nc) {
		/* --build-context NAME=docker-image://REF: FROM REF */
		free(s->base);
		s->base = xstrdup(nc->value);
	}
	resolve_ss(r, s)->from_image = true;
	if (ref_check(s->base, &why) == 0)
		return 0;
	lower = ascii_lower_dup(s->base);
	st = symtab_get(&r->ids, lower);
	free(lower);
	if (st && st->index < s->index)
		return resolve_fail(r, s->from, "invalid image reference '%s': "
				    "%s (stage names are lower-case: did you "
				    "mean '%s'?)", s->base, why, st->id);
	return resolve_fail(r, s->from, "invalid image reference '%s': %s",
			    s->base, why);
}

/* the ONBUILD triggers of an image s is FROM, when it can be read */
static int
base_triggers(struct resolver *r, struct stage *s)
{
	struct sstate *ss = resolve_ss(r, s);
	autofree char *ref = NULL;

	if (!ss->from_image || ss->ctxdir || !strcmp(s->base, "scratch"))
		return 0;
	ref = ref_localize(s->base, r->opts->context_rel);
	return imgtrig_load(r, s, ref, ss->foreign ? ss->foreign_platform :
			    r->target_str);
}

/* the last stage before 'before' named 'name' (a FROM names the stage so
 * named when it is read, as BuildKit's addState does, even if a later
 * stage takes the name); otherwise 'named', for the errors about it */
static struct stage *
earlier_named(struct graph *g, const char *name, int before,
	      struct stage *named)
{
	for (int i = before - 1; i >= 0; i--)
		if (g->stages[i].name && !strcmp(g->stages[i].name, name))
			return &g->stages[i];
	return named;
}

/* pass 3: every FROM's base, the stages' instructions and steps */
static int
resolve_bases(struct resolver *r)
{
	const struct dockerfile *df = r->df;
	struct graph *g = r->g;
	size_t i, k;

	for (k = 0; k < g->nstages; k++) {
		struct stage *s = &g->stages[k], *p;
		const struct instr *in = s->from;
		size_t first = (size_t)(in - df->instrs) + 1, end = first;
		struct flags f;
		char *msg;
		int rc;

		while (end < df->ninstrs && df->instrs[end].kind != INSTR_FROM)
			end++;
		if (expand_global(r, in, in->args.v[0], &s->base) < 0)
			return -1;
		if (!*s->base)
			return resolve_fail(r, in, "base name (%s) should not be "
					    "blank", in->args.v[0]);
		flags_parse(in, &f, &msg);
		rc = stage_platform(r, s, f.platform);
		flags_fini(&f);
		if (rc < 0)
			return -1;
		p = symtab_get(&r->ids, s->base);
		if (p && p->index >= s->index)
			p = earlier_named(g, s->base, s->index, p);
		if (p == s)
			return resolve_fail(r, in, "FROM '%s' names its own stage; "
					    "to use the image, write its full "
					    "name (docker.io/library/%s) or "
					    "rename the stage", s->base, s->base);
		if (p && p->index > s->index)
			return resolve_fail(r, in, "FROM '%s' names a stage "
					    "defined later (line %d); a stage "
					    "can only start from an earlier one",
					    s->base, p->from->line);
		if (p) {
			s->parent = p;
			resolve_ss(r, s)->from_image = resolve_ss(r, p)->from_image;
		} else if (base_image(r, s) < 0 || base_triggers(r, s) < 0) {
			return -1;
		}
		if (strcmp(resolve_platform(r, s), r->host_str))
			s->platform = xstrdup(resolve_platform(r, s));
		collect(r, s, first, end);
		lay_out(r, s);
		for (i = 0; i < resolve_ss(r, s)->ntrig; i++) {
			/* what BuildKit checks when it parses the trigger */
			struct flags tf;

			rc = check_instr(r, &resolve_ss(r, s)->trig[i], &tf);
			flags_fini(&tf);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

static int
from_step(struct resolver *r, struct stage *s)
{
	struct sstate *ss = resolve_ss(r, s);
	struct step *st = &s->steps[0];
	struct step_plan plan;
	struct from_plan *f = &plan.from;
	char platform[96];

	planfill_begin(r, st, NULL, &plan);
	if (ss->foreign_platform)
		snprintf(platform, sizeof(platform), "%s", ss->foreign_platform);
	else
		snprintf(platform, sizeof(platform), "%s", r->target_str);
	if (s->parent) {
		f->base = PLAN_BASE_STAGE;
		f->stage = s->parent->id;
		resolve_dep(r, s, st, s->parent, s->from);
	} else if (!strcmp(s->base, "scratch")) {
		f->base = PLAN_BASE_SCRATCH;
		f->platform = platform;
	} else if (ss->ctxdir) {
		f->base = PLAN_BASE_CONTEXT;
		f->context = resolve_str(r, ss->ctxdir);
		f->platform = platform;
		st->reads_context = true;
	} else {
		char *ref = ref_localize(s->base, r->opts->context_rel);

		f->base = PLAN_BASE_IMAGE;
		f->ref = resolve_str(r, ref);
		st->watch = local_image_file(ref);
		f->platform = platform;
		f->onbuild.v = (const char **)ss->onbuild.v;
		f->onbuild.n = ss->onbuild.n;
		st->pulls = true;
		/* --pull: a registry tag is resolved again at every build; an
		 * unchanged digest leaves the stamp alone (restat) */
		if (r->opts->pull && !strstr(ref, "://")) {
			f->pull = true;
			st->runs_always = true;
		}
		free(ref);
	}
	return planfill_end(r, st, &plan);
}

/*
 * a stage built on another starts from its state env with the parent
 * image's Env set over it (BuildKit's dispatchStages), so an ENV wins over
 * an ARG of the same name that came after it. In a chain from an image,
 * an ARG's name may also be in the base image's Env, which only the
 * executor knows: such a name's value is deferred
 */
static void
reapply_image_env(struct sstate *ss)
{
	for (size_t i = 0; ss->from_image && i < ss->nargs; i++) {
		const char *name = ss->args[i].name;
		const struct envvar *v = env_get(&ss->env, name);

		if (v && !env_get(&ss->imgenv, name)) {
			autofree char *value = xstrdup(v->value);

			env_set(&ss->env, name, value, true);
		}
	}
	for (size_t i = 0; i < ss->imgenv.n; i++)
		env_set(&ss->env, ss->imgenv.v[i].name, ss->imgenv.v[i].value,
			ss->imgenv.v[i].is_raw);
}

/* pass 4: run the stage's instructions, in order, into plans */
static int
dispatch(struct resolver *r, struct stage *s)
{
	struct sstate *ss = resolve_ss(r, s);
	size_t i, k = 1;

	if (s->parent) {
		struct sstate *ps = resolve_ss(r, s->parent);

		/*
		 * the last stage built on the parent takes its state, which
		 * nothing reads any more: a chain of stages each FROM the one
		 * before would otherwise copy an env and ARG list that grow
		 * with the chain, once per stage
		 */
		if (--ps->nchildren == 0 && !ss->env.n && !ss->nargs && !ss->imgenv.n) {
			env_fini(&ss->env);
			env_fini(&ss->imgenv);
			free(ss->args);
			ss->env = ps->env;
			ss->imgenv = ps->imgenv;
			ss->args = ps->args;
			ss->nargs = ps->nargs;
			ss->capargs = ps->capargs;
			ps->env = (struct env)ENV_INIT;
			ps->imgenv = (struct env)ENV_INIT;
			ps->args = NULL;
			ps->nargs = ps->capargs = 0;
		} else {
			env_copy(&ss->env, &ps->env);
			env_copy(&ss->imgenv, &ps->imgenv);
			for (i = 0; i < ps->nargs; i++) {
				xgrow(&ss->args, &ss->capargs, ss->nargs + 1,
				      sizeof(*ss->args));
				ss->args[ss->nargs].name = xstrdup(ps->args[i].name);
				ss->args[ss->nargs].value = xstrdup(ps->args[i].value);
				ss->args[ss->nargs++].is_raw = ps->args[i].is_raw;
			}
		}
		reapply_image_env(ss);
	} else if (!ss->from_image) {
		env_set(&ss->env, "PATH", DEFAULT_PATH, false);
		env_set(&ss->imgenv, "PATH", DEFAULT_PATH, false);
	}
	if (from_step(r, s) < 0)
		return -1;
	for (i = 0; i < ss->ncmds; i++) {
		const struct instr *in = ss->cmds[i];
		struct step *st;
		struct step_plan plan;

		if (meta_is_config(in->kind)) {
			if (meta_instr(r, s, in) < 0)
				return -1;
		} else {
			st = &s->steps[k];
			planfill_begin(r, st, &s->steps[k - 1], &plan);
			if (steps_fill(r, s, st, in, &plan) < 0 ||
			    planfill_end(r, st, &plan) < 0)
				return -1;
			k++;
		}
	}
	if (ss->has_config) {
		struct step_plan plan;

		planfill_begin(r, &s->steps[k], &s->steps[k - 1], &plan);
		return planfill_end(r, &s->steps[k], &plan);
	}
	return 0;
}

enum { WHITE, GRAY, BLACK };

static int
visit(struct resolver *r, struct stage *s, char *color, struct stage **path,
      size_t depth)
{
	struct sstate *ss = resolve_ss(r, s);
	size_t i, j;

	color[s->index] = GRAY;
	path[depth] = s;
	for (i = 0; i < ss->nedges; i++) {
		struct stage *to = ss->edges[i].to;

		if (color[to->index] == GRAY) {
			struct buf b = BUF_INIT;

			for (j = 0; path[j] != to; j++)
				;
			for (; j <= depth; j++)
				buf_printf(&b, "%s -> ", path[j]->id);
			buf_puts(&b, to->id);
			resolve_fail(r, ss->edges[i].in, "circular dependency "
				     "between stages: %s", buf_str(&b));
			buf_fini(&b);
			return -1;
		}
		if (color[to->index] == WHITE &&
		    visit(r, to, color, path, depth + 1) < 0)
			return -1;
	}
	color[s->index] = BLACK;
	return 0;
}

static int
check_cycles(struct resolver *r)
{
	struct graph *g = r->g;
	char *color = xcalloc(g->nstages, 1);
	struct stage **path = xcalloc(g->nstages, sizeof(*path));
	int rc = 0;

	for (size_t i = 0; i < g->nstages && rc == 0; i++)
		if (color[i] == WHITE)
			rc = visit(r, &g->stages[i], color, path, 0);
	free(color);
	free(path);
	return rc;
}

static int
pick_target(struct resolver *r)
{
	struct graph *g = r->g;
	const char *t = r->opts->target;
	struct buf names = BUF_INIT;
	char *lower;
	size_t i;

	if (!t || !*t) {
		g->target = &g->stages[g->nstages - 1];
		return 0;
	}
	lower = ascii_lower_dup(t);
	g->target = symtab_get(&r->ids, lower);
	free(lower);
	if (g->target)
		return 0;
	for (i = 0; i < g->nstages; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", g->stages[i].id);
	err_make(r->errp, 0, "target stage '%s' could not be found; the "
		 "stages are: %s", t, buf_str(&names));
	buf_fini(&names);
	return -1;
}

/* needed: the target and, transitively, what its steps read */
static int
mark_needed(struct resolver *r)
{
	struct graph *g = r->g;
	struct stage **todo = xcalloc(g->nstages, sizeof(*todo));
	size_t n = 0, i;
	int rc = 0;

	g->target->needed = true;
	todo[n++] = g->target;
	while (n) {
		struct sstate *ss = resolve_ss(r, todo[--n]);

		for (i = 0; i < ss->nedges; i++)
			if (!ss->edges[i].to->needed) {
				ss->edges[i].to->needed = true;
				todo[n++] = ss->edges[i].to;
			}
	}
	free(todo);
	for (i = 0; i < g->nstages && rc == 0; i++) {
		struct sstate *ss = resolve_ss(r, &g->stages[i]);

		if (g->stages[i].needed && ss->no_secret)
			rc = resolve_fail(r, ss->no_secret, "%s", ss->no_secret_msg);
	}
	return rc;
}

static void
resolver_fini(struct resolver *r)
{
	size_t i, j;

	for (i = 0; r->ss && i < r->g->nstages; i++) {
		struct sstate *ss = &r->ss[i];

		env_fini(&ss->env);
		env_fini(&ss->imgenv);
		for (j = 0; j < ss->nargs; j++) {
			free(ss->args[j].name);
			free(ss->args[j].value);
		}
		free(ss->args);
		free(ss->cmds);
		free(ss->shown);
		free(ss->trig);
		strv_fini(&ss->onbuild);
		free(ss->imgtrig);
		free(ss->foreign_platform);
		free(ss->no_secret_msg);
		free(ss->edges);
	}
	free(r->ss);
	vars_fini(&r->bargs);
	env_fini(&r->global);
	free(r->imgtrigs);
	symtab_fini(&r->ids);
	symtab_fini(&r->declared);
	strv_fini(&r->declared_names);
	strv_fini(&r->old_ids);
	pj_fini(&r->arena);
	free(r->ops);
}

int
graph_build(const struct dockerfile *df, const struct gen_opts *opts,
	    struct graph **out, struct err **errp)
{
	struct resolver r;
	struct graph *g = xcalloc(1, sizeof(*g));
	const char *tp = opts->target_platform;
	size_t n, i;
	int rc;

	memset(&r, 0, sizeof(r));
	*out = NULL;
	g->df = df;
	r.df = df;
	r.opts = opts;
	r.g = g;
	r.errp = errp;
	platform_host(&r.host);
	platform_format(&r.host, r.host_str);
	/* a single --platform is the target (graph_build_multi splits a list) */
	if (!tp && opts->platform && !strchr(opts->platform, ','))
		tp = opts->platform;
	if (!tp || platform_parse(tp, &r.target) < 0)
		r.target = r.host;
	platform_format(&r.target, r.target_str);
	rc = namedctx_check(opts, errp);
	if (rc == 0)
		rc = check_all(&r, &n);
	if (rc == 0) {
		g->stages = xcalloc(n, sizeof(*g->stages));
		g->nstages = n;
		r.ss = xcalloc(n, sizeof(*r.ss));
		rc = buildargs_build(&r);
	}
	if (rc == 0)
		rc = name_stages(&r);
	if (rc == 0)
		suffix_ids(&r);
	if (rc == 0)
		rc = buildargs_global(&r);
	if (rc == 0)
		rc = resolve_bases(&r);
	for (i = 0; rc == 0 && i < g->nstages; i++)
		if (g->stages[i].parent)
			resolve_ss(&r, g->stages[i].parent)->nchildren++;
	for (i = 0; rc == 0 && i < g->nstages; i++)
		rc = dispatch(&r, &g->stages[i]);
	if (rc == 0)
		rc = check_cycles(&r);
	if (rc == 0)
		rc = pick_target(&r);
	if (rc == 0)
		rc = mark_needed(&r);
	if (rc == 0)
		rc = nocache_mark(&r);
	if (rc == 0) {
		buildargs_warn_unused(&r);
		rc = planfill_export(&r);
	}
	resolver_fini(&r);
	if (rc < 0) {
		graph_free(g);
		return -1;
	}
	/* graph_build_multi's last build of several tells it, once */
	if (!opts->id_suffix || opts->siblings)
		directives_notify(df);
	g->platform = xstrdup(r.target_str);
	*out = g;
	return 0;
}
