#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dockerfile/ast.h"
#include "graph/lintvars.h"
#include "oci/platform.h"
#include "oci/ref.h"
#include "shlex/words.h"
#include "util/alloc.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/strv.h"
#include "util/vars.h"

/* what BuildKit never puts in a step's env (nonEnvArgs) */
static const char *const non_env[] = {
	"BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE", NULL,
};

/* a lookup over env that records the names it did not find */
struct probe {
	const struct vars *env;
	struct strv missed;
};

static bool
has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static bool
probe_lookup(void *ctx, const char *name, const char **value)
{
	struct probe *p = ctx;
	const struct var *v = vars_find(p->env, name);

	if (v && v->value) {
		*value = v->value;
		return true;
	}
	if (!has(&p->missed, name))
		strv_add(&p->missed, name);
	return false;
}

/* word expanded over env (NULL on an error, which the build reports);
 * missed gets the names it used that env does not set */
static char *
expand(char escape, const struct vars *env, const char *word, struct strv *missed)
{
	struct probe p = { env, STRV_INIT };
	struct shlex lx = { escape, probe_lookup, &p };
	char *out = NULL;

	if (shlex_word(&lx, word, &out, NULL) < 0)
		out = NULL;
	for (size_t i = 0; i < p.missed.n; i++)
		if (!has(missed, p.missed.v[i]))
			strv_add(missed, p.missed.v[i]);
	strv_fini(&p.missed);
	return out;
}

/* agext/levenshtein's Distance with unit costs */
static size_t
distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	size_t *row = xcalloc(nb + 1, sizeof(*row));
	size_t d;

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[nb];
	free(row);
	return d;
}

/* BuildKit's suggest.Search, case-sensitive: the closest of options at
 * distance 1 or 2, none when val is one of them */
static const char *
suggest(const char *val, const char *const *options, size_t n)
{
	const char *match = NULL;
	size_t best = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!strcmp(val, options[i]))
			return NULL;
		d = distance(val, options[i]);
		if (d < best) {
			best = d;
			match = options[i];
		}
	}
	return match;
}

/* the names of vs as an array (pointers into vs) */
static const char **
names_of(const struct vars *vs)
{
	const char **v = xcalloc(vs->n + 1, sizeof(*v));

	for (size_t i = 0; i < vs->n; i++)
		v[i] = vs->v[i].name;
	return v;
}

struct lv {
	const struct dockerfile *df;
	lintvars_fn *report;
	void *ctx;
};

static __attribute__((format(printf, 4, 5))) void
say(struct lv *l, int line, const char *rule, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	l->report(l->ctx, line, rule, buf_str(&b));
	buf_fini(&b);
}

/* "K" or "K=V" of an ARG: the name, and the raw value or NULL */
static char *
arg_split(const char *a, const char **value)
{
	const char *eq = strchr(a, '=');

	*value = eq ? eq + 1 : NULL;
	return eq ? xstrndup(a, (size_t)(eq - a)) : xstrdup(a);
}

/*
 * the global scope without build args (buildMetaArgs over defaultArgs):
 * the platform ARGs of this host, then the ARGs before the first FROM
 * with their defaults; keys gets every name declared there too
 */
static void
global_scope(const struct dockerfile *df, const char *target, struct vars *env,
	     struct strv *keys)
{
	struct platform h;
	char p[96];

	platform_host(&h);
	platform_format(&h, p);
	vars_set(env, "BUILDPLATFORM", p);
	vars_set(env, "BUILDOS", h.os);
	vars_set(env, "BUILDOSVERSION", "");
	vars_set(env, "BUILDARCH", h.arch);
	vars_set(env, "BUILDVARIANT", h.variant);
	vars_set(env, "TARGETPLATFORM", p);
	vars_set(env, "TARGETOS", h.os);
	vars_set(env, "TARGETOSVERSION", "");
	vars_set(env, "TARGETARCH", h.arch);
	vars_set(env, "TARGETVARIANT", h.variant);
	vars_set(env, "TARGETSTAGE", target && target[0] ? target : "default");
	for (size_t i = 0; i < env->n; i++)
		strv_add(keys, env->v[i].name);
	for (size_t i = 0; i < df->ninstrs && df->instrs[i].kind != INSTR_FROM; i++) {
		const struct instr *in = &df->instrs[i];

		for (size_t k = 0; in->kind == INSTR_ARG && k < in->args.n; k++) {
			const char *raw;
			autofree char *name = arg_split(in->args.v[k], &raw);
			struct strv missed = STRV_INIT;
			autofree char *v = raw ? expand(df->escape, env, raw, &missed) : NULL;

			strv_fini(&missed);
			if (v)
				vars_set(env, name, v);
			if (!has(keys, name))
				strv_add(keys, name);
		}
	}
}

/* UndefinedArgInFrom: a FROM word's names no global ARG declares */
static void
from_args(struct lv *l, const struct instr *in, const char *word, const struct vars *global,
	  const struct strv *keys)
{
	struct strv missed = STRV_INIT;

	free(expand(l->df->escape, global, word, &missed));
	for (size_t i = 0; i < missed.n; i++) {
		const char *m;

		if (has(keys, missed.v[i]))
			continue;
		m = suggest(missed.v[i], (const char *const *)keys->v, keys->n);
		say(l, in->line, "UndefinedArgInFrom", "FROM argument '%s' is not declared%s%s%s",
		    missed.v[i], m ? " (did you mean " : "", m ? m : "", m ? "?)" : "");
	}
	strv_fini(&missed);
}

/* what the checks know of a stage's env: known is false when it is built
 * on an image, whose ENV generation does not read */
struct vstage {
	char *name;		/* lower-cased, or NULL */
	bool known;
	struct vars env;	/* the names its steps see set */
};

/* UndefinedVar: word's names neither env sets nor an ARG of the stage
 * declares so far */
static void
used(struct lv *l, const struct instr *in, const struct vstage *st, const struct strv *declared,
     const char *word)
{
	struct strv missed = STRV_INIT;
	autofree const char **opts = NULL;

	free(expand(l->df->escape, &st->env, word, &missed));
	for (size_t i = 0; i < missed.n; i++) {
		const char *name = missed.v[i], *m;
		bool skip = has(declared, name);

		for (size_t k = 0; !skip && non_env[k]; k++)
			skip = !strcmp(non_env[k], name);
		if (skip)
			continue;
		if (!opts)
			opts = names_of(&st->env);
		m = suggest(name, opts, st->env.n);
		say(l, in->line, "UndefinedVar", "Usage of undefined variable '$%s'%s%s%s", name,
		    m ? " (did you mean $" : "", m ? m : "", m ? "?)" : "");
	}
	strv_fini(&missed);
}

/* the words of in BuildKit expands (SupportsSingleWordExpansion), then
 * what in sets: ENV's names, ARG's (with a value: in the env) */
static void
stage_instr(struct lv *l, const struct instr *in, struct vstage *st, struct strv *declared,
	    const struct vars *global)
{
	static const char *const copy_flags[] = { "--chown", "--chmod", "--checksum", NULL };

	switch (in->kind) {
	case INSTR_ENV:
	case INSTR_LABEL:
		/* key, value, separator */
		for (size_t i = 0; i + 1 < in->args.n; i += 3) {
			used(l, in, st, declared, in->args.v[i]);
			used(l, in, st, declared, in->args.v[i + 1]);
		}
		for (size_t i = 0; in->kind == INSTR_ENV && i + 1 < in->args.n; i += 3)
			vars_set(&st->env, in->args.v[i], "");
		break;
	case INSTR_ADD:
	case INSTR_COPY:
		for (size_t i = 0; copy_flags[i]; i++) {
			const char *v = instr_flag_value(in, copy_flags[i]);

			if (v && (in->kind == INSTR_ADD || i < 2))
				used(l, in, st, declared, v);
		}
		for (size_t i = 0; !in->nheredocs && i < in->args.n; i++)
			used(l, in, st, declared, in->args.v[i]);
		break;
	case INSTR_WORKDIR:
	case INSTR_USER:
	case INSTR_VOLUME:
	case INSTR_STOPSIGNAL:
		for (size_t i = 0; i < in->args.n; i++)
			used(l, in, st, declared, in->args.v[i]);
		break;
	case INSTR_ARG:
		for (size_t i = 0; i < in->args.n; i++) {
			const char *raw;
			autofree char *name = arg_split(in->args.v[i], &raw);
			const char *gv = vars_get(global, name);

			/* the default, expanded before the name is declared */
			if (raw)
				used(l, in, st, declared, raw);
			if (raw || gv)
				vars_set(&st->env, name, "");
			if (!has(declared, name))
				strv_add(declared, name);
		}
		break;
	case INSTR_UNKNOWN:
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
	case INSTR_EXPOSE:
	case INSTR_FROM:
	case INSTR_HEALTHCHECK:
	case INSTR_MAINTAINER:
	case INSTR_ONBUILD:
	case INSTR_RUN:
	case INSTR_SHELL:
		break;
	}
}

/* the stage a FROM is on: an earlier one of that name, else NULL */
static struct vstage *
earlier(struct vstage *stages, size_t n, const char *base)
{
	for (size_t i = n; base && i-- > 0;)
		if (stages[i].name && !strcasecmp(stages[i].name, base))
			return &stages[i];
	return NULL;
}

/* InvalidDefaultArgInFrom: each FROM's image as the global ARGs'
 * defaults make it (transports, df2ninja's own, left out) */
static void
default_from(struct lv *l, const struct vars *global)
{
	const struct dockerfile *df = l->df;

	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct instr *in = &df->instrs[i];
		struct strv missed = STRV_INIT;
		autofree char *base = NULL;
		const char *why;

		if (in->kind != INSTR_FROM || !in->args.n || strstr(in->args.v[0], "://"))
			continue;
		base = expand(df->escape, global, in->args.v[0], &missed);
		strv_fini(&missed);
		/* BuildKit gives up at an expansion error */
		if (!base)
			break;
		if (!base[0] || ref_check(base, &why) < 0)
			say(l, in->line, "InvalidDefaultArgInFrom", "Default value for ARG %s "
			    "results in empty or invalid base image name", in->args.v[0]);
	}
}

void
lintvars_run(const struct dockerfile *df, lintvars_fn *report, void *ctx)
{
	struct lv l = { df, report, ctx };
	struct vars global = VARS_INIT;
	struct strv keys = STRV_INIT, declared = STRV_INIT;
	struct vstage *stages = NULL, *st = NULL;
	const char *target = NULL;
	size_t n = 0;

	for (size_t i = 0; i < df->ninstrs; i++)
		if (df->instrs[i].kind == INSTR_FROM)
			target = df->instrs[i].args.n == 3 ? df->instrs[i].args.v[2] : "";
	global_scope(df, target, &global, &keys);
	default_from(&l, &global);
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct instr *in = &df->instrs[i];
		const char *plat;
		autofree char *base = NULL;
		struct strv none = STRV_INIT;
		struct vstage *parent;

		if (in->kind != INSTR_FROM) {
			if (st && st->known)
				stage_instr(&l, in, st, &declared, &global);
			continue;
		}
		if (!in->args.n)
			continue;
		from_args(&l, in, in->args.v[0], &global, &keys);
		if ((plat = instr_flag_value(in, "--platform")))
			from_args(&l, in, plat, &global, &keys);
		base = expand(df->escape, &global, in->args.v[0], &none);
		strv_fini(&none);
		stages = xreallocarray(stages, n + 1, sizeof(*stages));
		st = &stages[n];
		memset(st, 0, sizeof(*st));
		st->name = in->args.n == 3 ? ascii_lower_dup(in->args.v[2]) : NULL;
		parent = earlier(stages, n, base);
		n++;
		strv_fini(&declared);
		if (parent) {
			st->known = parent->known;
			vars_copy(&st->env, &parent->env);
		} else {
			st->known = base && !strcmp(base, "scratch");
			vars_set(&st->env, "PATH", DEFAULT_PATH);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(stages[i].name);
		vars_fini(&stages[i].env);
	}
	free(stages);
	strv_fini(&declared);
	strv_fini(&keys);
	vars_fini(&global);
}
