#include <stdlib.h>
#include <string.h>

#include "dockerfile/parse.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "buildargs.h"
#include "check.h"
#include "imgtrig.h"

/* every instruction of the trigger at the FROM's line, as BuildKit does */
static void
place(struct instr *in, const struct instr *from)
{
	in->line = in->end_line = from->line;
	in->col = 0;
}

/* the message of a parse error, without the parser's own location */
static const char *
bare(const struct err *e)
{
	const char *m = e->msg ? e->msg : "failed";
	const char *p = e->is_located ? strstr(m, "error: ") : NULL;

	return p ? p + strlen("error: ") : m;
}

static int
one(struct resolver *r, struct stage *s, size_t n)
{
	const char *ref = s->base;
	struct sstate *ss = resolve_ss(r, s);
	struct graph *g = r->g;
	autofree char *text = xasprintf("ONBUILD %s\n", ss->onbuild.v[n]);
	struct dockerfile *df = NULL;
	struct imgtrig_name *t;
	struct instr *ob;
	struct instr at = *s->from;	/* the FROM's line, as a trigger's */
	struct flags f;
	struct err *e = NULL;
	int rc;

	at.col = 0;

	if (dockerfile_parse(resolve_name(r), text, strlen(text), &df, &e) < 0) {
		rc = resolve_fail(r, &at, "ONBUILD trigger %zu of '%s': %s",
				  n + 1, ref, bare(e));
		err_free(e);
		return rc;
	}
	g->trigdfs = xreallocarray(g->trigdfs, g->ntrigdfs + 1, sizeof(*g->trigdfs));
	g->trigdfs[g->ntrigdfs++] = df;
	if (df->ninstrs != 1)
		return resolve_fail(r, &at, "ONBUILD trigger %zu of '%s': "
				    "an ONBUILD trigger should be a single "
				    "expression", n + 1, ref);
	ob = &df->instrs[0];
	place(ob, s->from);
	if (ob->sub)
		place(ob->sub, s->from);
	xgrow(&r->imgtrigs, &r->capimgtrigs, r->nimgtrigs + 1, sizeof(*r->imgtrigs));
	t = &r->imgtrigs[r->nimgtrigs++];
	t->original = ob->original;
	t->sub_original = ob->sub ? ob->sub->original : NULL;
	t->n = (int)n + 1;
	t->ref = s->base;
	rc = check_instr(r, ob, &f);
	flags_fini(&f);
	if (rc < 0)
		return -1;
	if (ob->sub->kind == INSTR_ARG)
		buildargs_declare(r, ob->sub);
	ss->imgtrig[ss->nimgtrig++] = ob;
	return 0;
}

int
imgtrig_load(struct resolver *r, struct stage *s, const char *ref,
	     const char *platform)
{
	struct sstate *ss = resolve_ss(r, s);
	struct err *e = NULL;

	if (!r->opts->base_config)
		return 0;
	if (r->opts->base_config(r->opts->base_config_ctx, ref, platform,
				 &ss->onbuild, &e) < 0) {
		/* unknown now: the FROM step refuses triggers it finds */
		err_free(e);
		strv_fini(&ss->onbuild);
		return 0;
	}
	ss->imgtrig = xcalloc(ss->onbuild.n + 1, sizeof(*ss->imgtrig));
	for (size_t i = 0; i < ss->onbuild.n; i++)
		if (one(r, s, i) < 0)
			return -1;
	return 0;
}
