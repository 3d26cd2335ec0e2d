#include <string.h>

#include "graph/sources.h"
#include "util/err.h"
#include "util/strv.h"
#include "dot.h"

/* s as a dot string, quotes included; a newline is dot's line break */
static void
put_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '\n') {
			buf_puts(b, "\\n");
			continue;
		}
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* the node id of a stage ("stage:build") or an outside source
 * ("image:alpine:3", "context:../lib") */
static void
put_id(struct buf *b, const char *kind, const char *name)
{
	struct buf id = BUF_INIT;

	buf_printf(&id, "%s:%s", kind, name);
	put_quoted(b, buf_str(&id));
	buf_fini(&id);
}

/* the edges and outside nodes already written, one "from\tto\tlabel" or
 * "id" each, so that two COPY --from the same stage draw one edge */
static bool
once(struct strv *seen, const char *key)
{
	if (strv_find(seen, key) >= 0)
		return false;
	strv_add(seen, key);
	return true;
}

static void
put_edge(struct buf *b, struct strv *seen, const char *kind, const char *from,
	 const struct stage *to, const char *label)
{
	struct buf key = BUF_INIT;

	buf_printf(&key, "%s:%s", kind, from);
	if (strcmp(kind, "stage") != 0 && once(seen, buf_str(&key))) {
		buf_puts(b, "  ");
		put_id(b, kind, from);
		buf_puts(b, " [label=");
		put_quoted(b, from);
		buf_puts(b, strcmp(kind, "image") == 0 ?
			    ", shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\"];\n" :
			    ", shape=folder];\n");
	}
	buf_printf(&key, "\t%s\t%s", to->id, label);
	if (once(seen, buf_str(&key))) {
		buf_puts(b, "  ");
		put_id(b, kind, from);
		buf_puts(b, " -> ");
		put_id(b, "stage", to->id);
		buf_puts(b, " [label=");
		put_quoted(b, label);
		buf_puts(b, "];\n");
	}
	buf_fini(&key);
}

/* what put_source needs of the step being walked */
struct dot_walk {
	struct buf *b;
	struct strv *seen;
	const struct stage *to;
};

static void
put_source(void *ctx, enum sources_kind kind, const char *name, const char *how)
{
	struct dot_walk *w = ctx;
	static const char *const kinds[] = {
		[SOURCES_STAGE] = "stage",
		[SOURCES_IMAGE] = "image",
		[SOURCES_CONTEXT] = "context",
	};

	put_edge(w->b, w->seen, kinds[kind], name, w->to, how);
}

/* the target stage, or one platform's of a multi-platform build */
static bool
is_target(const struct graph *g, const struct stage *s)
{
	for (size_t i = 0; i < g->nplatforms; i++)
		if (g->ptargets[i] == s)
			return true;
	return s == g->target;
}

int
dot_stage_graph(const struct graph *g, struct buf *out, struct err **errp)
{
	struct strv seen = STRV_INIT;
	int r = 0;

	buf_puts(out, "digraph stages {\n  rankdir=LR;\n"
		 "  node [fontname=\"sans-serif\", fontsize=11, shape=box];\n"
		 "  edge [fontname=\"sans-serif\", fontsize=9];\n");
	for (size_t i = 0; i < g->nstages; i++) {
		const struct stage *s = &g->stages[i];
		struct buf label = BUF_INIT;

		buf_printf(&label, "%s\n%d step%s", s->id, s->nnumbered,
			   s->nnumbered == 1 ? "" : "s");
		buf_puts(out, "  ");
		put_id(out, "stage", s->id);
		buf_puts(out, " [label=");
		put_quoted(out, buf_str(&label));
		if (is_target(g, s))
			buf_puts(out, ", penwidth=2, style=\"bold,filled\", fillcolor=\"#d6e6f5\"");
		else if (!s->needed)
			buf_puts(out, ", style=dashed, fontcolor=\"#777777\", color=\"#999999\"");
		buf_puts(out, "];\n");
		buf_fini(&label);
	}
	for (size_t i = 0; i < g->nstages && r == 0; i++) {
		struct dot_walk w = { out, &seen, &g->stages[i] };

		for (size_t k = 0; k < g->stages[i].nsteps && r == 0; k++)
			r = sources_walk(&g->stages[i].steps[k], put_source, &w, errp);
	}
	buf_puts(out, "}\n");
	strv_fini(&seen);
	return r;
}
