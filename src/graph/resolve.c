#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/ref.h"
#include "util/alloc.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/err.h"
#include "namedctx.h"
#include "resolve.h"

const char *
resolve_name(const struct resolver *r)
{
	if (r->opts->dockerfile)
		return r->opts->dockerfile;
	return r->df->name ? r->df->name : "Dockerfile";
}

int
resolve_fail(struct resolver *r, const struct instr *in, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	for (size_t i = 0; i < r->nimgtrigs; i++) {
		const struct imgtrig_name *t = &r->imgtrigs[i];

		if (in->original && (in->original == t->original ||
				     in->original == t->sub_original)) {
			buf_printf(&b, "ONBUILD trigger %d of '%s': ", t->n, t->ref);
			break;
		}
	}
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	err_at(r->errp, resolve_name(r), in->line, in->col, "%s", buf_str(&b));
	buf_fini(&b);
	return -1;
}

int
resolve_fail_err(struct resolver *r, const struct instr *in, struct err *e)
{
	resolve_fail(r, in, "%s", e && e->msg ? e->msg : "failed");
	err_free(e);
	return -1;
}

const char *
resolve_str(struct resolver *r, const char *s)
{
	const char *copy = pj_strdup(&r->arena, s);

	if (!copy) {
		r->bad_utf8 = true;
		copy = "";
	}
	return copy;
}

struct plan_word
resolve_jword(struct resolver *r, const char *s, bool deferred)
{
	if (deferred)
		r->used_raw = true;
	return (struct plan_word){ resolve_str(r, s), deferred };
}

struct sstate *
resolve_ss(struct resolver *r, const struct stage *s)
{
	return &r->ss[s->index];
}

void
resolve_expander(struct resolver *r, struct stage *s, struct expander *x)
{
	struct sstate *ss = resolve_ss(r, s);

	x->env = &ss->env;
	x->from_image = ss->from_image;
	x->escape = r->df->escape ? r->df->escape : '\\';
	x->used_unknown = false;
}

int
resolve_word(struct resolver *r, struct stage *s, const struct instr *in,
	     const char *word, struct plan_word *out, char **value)
{
	struct expander x;
	struct err *e = NULL;
	bool deferred;
	char *v;

	resolve_expander(r, s, &x);
	if (expand_word(&x, word, &v, &deferred, &e) < 0)
		return resolve_fail_err(r, in, e);
	if (out)
		*out = resolve_jword(r, v, deferred);
	if (value)
		*value = deferred ? NULL : v;
	if (!value || deferred)
		free(v);
	return 0;
}

/* strconv.Atoi's syntax: an optional sign and decimal digits */
static bool
is_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int
resolve_source(struct resolver *r, const struct instr *in, const char *what,
	       const char *value, struct stage **stage, const char **image,
	       const char **dir)
{
	struct graph *g = r->g;
	const struct named_context *nc;
	const char *why;
	char *lower;

	*stage = NULL;
	*image = NULL;
	*dir = NULL;
	if (is_int(value)) {
		long long i;

		errno = 0;
		i = strtoll(value, NULL, 10);
		if (errno || i < 0 || (unsigned long long)i >= g->nstages)
			return resolve_fail(r, in, "%s=%s: there is no stage "
					    "with index %s (stages are "
					    "numbered from 0 to %zu)", what,
					    value, value, g->nstages - 1);
		*stage = &g->stages[i];
		return 0;
	}
	lower = ascii_lower_dup(value);
	*stage = symtab_get(&r->ids, lower);
	free(lower);
	if (*stage)
		return 0;
	/* a stage of that name wins over a --build-context (BuildKit looks
	 * the stages up first; one that names a stage is refused) */
	nc = namedctx_find(r->opts, value);
	if (nc && nc->kind == NAMED_CONTEXT_DIR) {
		*dir = nc->value;
		return 0;
	}
	if (nc) {
		*image = nc->value;
		return 0;
	}
	if (ref_check(value, &why) < 0)
		return resolve_fail(r, in, "%s=%s is neither a stage nor an "
				    "image: %s", what, value, why);
	*image = value;
	return 0;
}

void
resolve_dep(struct resolver *r, struct stage *s, struct step *st,
	    struct stage *to, const struct instr *in)
{
	struct sstate *ss = resolve_ss(r, s);
	size_t i;

	for (i = 0; i < st->ndeps; i++)
		if (st->deps[i] == to)
			break;
	if (i == st->ndeps) {
		st->deps = xreallocarray(st->deps, st->ndeps + 1,
					 sizeof(*st->deps));
		st->deps[st->ndeps++] = to;
	}
	xgrow(&ss->edges, &ss->capedges, ss->nedges + 1, sizeof(*ss->edges));
	ss->edges[ss->nedges].to = to;
	ss->edges[ss->nedges++].in = in;
}

struct plan_source
resolve_plan_source(struct resolver *r, const struct stage *s, struct stage *stage,
		    const char *image)
{
	struct plan_source src = { NULL, NULL, NULL, NULL };

	if (stage) {
		src.stage = stage->id;
		src.step = stage_last_step(stage)->name;
	} else {
		char *ref = ref_localize(image, r->opts->context_rel);

		const char *p = resolve_platform(r, s);

		src.image = resolve_str(r, ref);
		free(ref);
		if (strcmp(p, r->host_str))
			src.platform = resolve_str(r, p);
	}
	return src;
}

const char *
resolve_platform(struct resolver *r, const struct stage *s)
{
	const struct sstate *ss;

	while (s->parent)
		s = s->parent;
	ss = resolve_ss(r, s);
	return ss->foreign ? ss->foreign_platform : r->target_str;
}
