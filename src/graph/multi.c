#include <stdlib.h>
#include <string.h>

#include "oci/platform.h"
#include "util/alloc.h"
#include "util/err.h"
#include "graph.h"

char *
graph_platform_suffix(const char *platform)
{
	char *s = xasprintf("@%s", platform);

	for (char *c = s; *c; c++)
		if (*c == '/')
			*c = '-';
	return s;
}

/* the platforms of the list, normalised, each once, in order */
static int
parse_list(const char *list, struct strv *out, struct err **errp)
{
	autofree char *copy = xstrdup(list);
	char *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		struct platform p;
		char buf[96];

		if (platform_parse(w, &p) < 0)
			return err_make(errp, 0, "failed to parse platform '%s'", w);
		platform_format(&p, buf);
		if (strv_find(out, buf) < 0)
			strv_add(out, buf);
	}
	if (!out->n)
		return err_make(errp, 0, "--platform '%s' names no platform", list);
	return 0;
}

static bool
same_stage(const struct stage *a, const struct stage *b)
{
	if (a->nsteps != b->nsteps || !a->needed != !b->needed)
		return false;
	for (size_t i = 0; i < a->nsteps; i++) {
		const struct step *x = &a->steps[i], *y = &b->steps[i];

		if (strcmp(x->name, y->name) || !x->plan != !y->plan ||
		    (x->plan && strcmp(x->plan, y->plan)) || x->ndeps != y->ndeps)
			return false;
		for (size_t d = 0; d < x->ndeps; d++)
			if (strcmp(x->deps[d]->id, y->deps[d]->id))
				return false;
	}
	return true;
}

struct multi {
	const struct dockerfile *df;
	const struct gen_opts *opts;
	struct strv plats, suffixes;
	struct graph **gs;
	bool *shared;
	size_t nstages;
};

static void
free_graphs(struct multi *m)
{
	for (size_t k = 0; k < m->plats.n; k++) {
		graph_free(m->gs[k]);
		m->gs[k] = NULL;
	}
}

/* graph k of the platforms; siblings: the others, for the export plan */
static int
build_one(struct multi *m, size_t k, struct graph *const *siblings,
	  struct err **errp)
{
	struct gen_opts o = *m->opts;

	o.target_platform = m->plats.v[k];
	o.id_suffix = m->suffixes.v[k];
	o.shared = m->shared;
	o.siblings = siblings;
	o.nsiblings = siblings ? m->plats.n - 1 : 0;
	return graph_build(m->df, &o, &m->gs[k], errp);
}

/* every platform's graph, until the shared stages stay the same */
static int
build_all(struct multi *m, struct err **errp)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t k = 0; k < m->plats.n; k++)
			if (build_one(m, k, NULL, errp) < 0)
				return -1;
		m->nstages = m->gs[0]->nstages;
		for (size_t i = 0; i < m->nstages; i++) {
			bool same = true;

			for (size_t k = 1; same && k < m->plats.n; k++)
				same = same_stage(&m->gs[0]->stages[i], &m->gs[k]->stages[i]);
			if (m->shared[i] && !same) {
				m->shared[i] = false;
				changed = true;
			}
		}
		if (changed)
			free_graphs(m);
	}
	/* graph 0 again, its export plan naming every platform's image */
	graph_free(m->gs[0]);
	m->gs[0] = NULL;
	return build_one(m, 0, m->gs + 1, errp);
}

/* where stage p of graph k went in the merged graph */
static struct stage *
moved(struct multi *m, struct graph *out, size_t *const *pos, size_t k,
      const struct stage *p)
{
	size_t i = (size_t)(p - m->gs[k]->stages);

	return p ? &out->stages[pos[m->shared[i] ? 0 : k][i]] : NULL;
}

/* the stages of every graph into one, shared ones once */
static struct graph *
merge(struct multi *m)
{
	struct graph *out = xcalloc(1, sizeof(*out)), *g0 = m->gs[0];
	size_t np = m->plats.n, n = 0, cap = 0, k, i, j, d;
	size_t **pos = xcalloc(np, sizeof(*pos));

	for (k = 0; k < np; k++)
		pos[k] = xcalloc(m->nstages, sizeof(**pos));
	out->stages = xcalloc(m->nstages * np, sizeof(*out->stages));
	for (i = 0; i < m->nstages; i++)
		for (k = 0; k < np; k++) {
			struct stage *s = &m->gs[k]->stages[i];

			if (m->shared[i] && k) {
				out->stages[pos[0][i]].needed |= s->needed;
				continue;
			}
			pos[k][i] = n;
			out->stages[n++] = *s;
			memset(s, 0, sizeof(*s));
		}
	out->nstages = n;
	for (k = 0; k < np; k++)
		for (i = 0; i < m->nstages; i++) {
			struct stage *s = &out->stages[pos[k][i]];

			if (m->shared[i] && k)
				continue;
			s->parent = moved(m, out, pos, k, s->parent);
			for (j = 0; j < s->nsteps; j++) {
				s->steps[j].stage = s;
				for (d = 0; d < s->steps[j].ndeps; d++)
					s->steps[j].deps[d] = moved(m, out, pos, k,
								    s->steps[j].deps[d]);
			}
		}
	out->df = g0->df;
	out->export_plan = steal_pointer(&g0->export_plan);
	out->warnings = g0->warnings;
	g0->warnings = (struct strv)STRV_INIT;
	out->platform = xstrdup(g0->platform);
	out->nplatforms = np;
	out->ptargets = xcalloc(np, sizeof(*out->ptargets));
	for (k = 0; k < np; k++) {
		struct graph *g = m->gs[k];

		strv_add(&out->platforms, m->plats.v[k]);
		out->ptargets[k] = moved(m, out, pos, k, g->target);
		xgrow(&out->trigdfs, &cap, out->ntrigdfs + g->ntrigdfs, sizeof(*out->trigdfs));
		for (i = 0; i < g->ntrigdfs; i++)
			out->trigdfs[out->ntrigdfs++] = g->trigdfs[i];
		g->ntrigdfs = 0;
	}
	out->target = out->ptargets[0];
	for (k = 0; k < np; k++)
		free(pos[k]);
	free(pos);
	return out;
}

/* BuildKit's docker exporter takes one image, not an index */
static int
docker_output(const struct gen_opts *o, struct err **errp)
{
	for (size_t i = 0; i < o->outputs.n; i++) {
		const char *v = o->outputs.v[i], *t = strstr(v, "type=docker");

		if (t && (t == v || t[-1] == ',') && (!t[11] || t[11] == ','))
			return err_make(errp, 0, "--output %s: docker exporter does "
					"not currently support exporting manifest "
					"lists (building for %s)", v, o->platform);
	}
	return 0;
}

int
graph_build_multi(const struct dockerfile *df, const struct gen_opts *opts,
		  struct graph **out, struct err **errp)
{
	struct multi m = { df, opts, STRV_INIT, STRV_INIT, NULL, NULL, 0 };
	struct gen_opts one = *opts;
	int r = -1;

	*out = NULL;
	if (!opts->platform)
		return graph_build(df, opts, out, errp);
	if (parse_list(opts->platform, &m.plats, errp) < 0)
		goto done;
	if (m.plats.n == 1) {
		one.target_platform = m.plats.v[0];
		r = graph_build(df, &one, out, errp);
		goto done;
	}
	if (docker_output(opts, errp) < 0)
		goto done;
	for (size_t k = 0; k < m.plats.n; k++)
		strv_push(&m.suffixes, graph_platform_suffix(m.plats.v[k]));
	m.gs = xcalloc(m.plats.n, sizeof(*m.gs));
	m.shared = xcalloc(df->ninstrs + 1, sizeof(*m.shared));
	for (size_t i = 0; i <= df->ninstrs; i++)
		m.shared[i] = true;
	if (build_all(&m, errp) < 0)
		goto done;
	*out = merge(&m);
	r = 0;
done:
	if (m.gs)
		free_graphs(&m);
	free(m.gs);
	free(m.shared);
	strv_fini(&m.plats);
	strv_fini(&m.suffixes);
	return r;
}
