#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plan/decode.h"
#include "plan/pj.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/jsonfile.h"
#include "util/strv.h"
#include "util/unicode.h"
#include "tracesteps.h"

#define NONE ((size_t)-1)
/* the longest name an event gets, in runes */
#define NAME_MAX_RUNES 160

/* the edges of one step and what it waits for */
struct node {
	char *name;		/* "build/03" */
	char *label;		/* "[build 3/5] RUN make" */
	char *shortname;	/* "build/3" */
	char *parent;		/* the step it builds on, or NULL */
	struct strv sources;	/* the last steps of the stages it reads */
	size_t ev_id, ev_link, ev_ref; /* its events, or NONE */
	unsigned seen;		/* the walk that last passed it */
};

struct nodes {
	struct node *v;
	size_t n, cap;
	unsigned walk;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

/* the step called name (the nodes are sorted by name), or NULL */
static struct node *
find(struct nodes *ns, const char *name)
{
	struct node key = { .name = (char *)name };

	return ns->n ? bsearch(&key, ns->v, ns->n, sizeof(*ns->v), by_name) : NULL;
}

/* the first line of s as UTF-8 (a bad byte U+FFFD), controls as spaces,
 * at most NAME_MAX_RUNES runes */
static void
put_clean(struct buf *b, const char *s)
{
	size_t n = strcspn(s, "\n"), w;

	for (size_t i = 0, k = 0; i < n && k < NAME_MAX_RUNES; i += w, k++) {
		uint32_t r = utf8_decode(s + i, n - i, &w);

		utf8_put(b, r < 0x20 || r == 0x7f ? ' ' : r);
	}
}

/* the stage's last steps this plan reads: COPY --from, RUN --mount from= */
static void
add_sources(struct node *nd, const struct step_plan *sp)
{
	switch (sp->kind) {
	case PLAN_COPY:
	case PLAN_ADD:
		if (sp->copy.has_from && sp->copy.from.stage)
			strv_add(&nd->sources, sp->copy.from.step);
		break;
	case PLAN_RUN:
		for (size_t i = 0; i < sp->run.nmounts; i++)
			if (sp->run.mounts[i].has_from && sp->run.mounts[i].from.stage)
				strv_add(&nd->sources, sp->run.mounts[i].from.step);
		break;
	case PLAN_FROM:
	case PLAN_WORKDIR:
	case PLAN_CONFIG:
		break;
	}
}

/* fill nd from its plan; m is the stage's M */
static int
load_node(const char *builddir, struct node *nd, int m, struct err **errp)
{
	autofree char *path = xasprintf("%s/plans/%s.json", builddir, nd->name);
	struct pjarena arena = PJARENA_INIT;
	struct step_plan sp;
	struct buf label = BUF_INIT;
	json_error_t jerr;
	json_t *j = jsonfile_load(path, 0, &jerr);
	int r = -1;

	if (!j) {
		err_make(errp, 0, "cannot read the plan '%s': %s", path, jerr.text);
		goto out;
	}
	if (plan_decode_step(path, j, &arena, &sp, errp) < 0)
		goto out;
	if (sp.num > 0) {
		buf_printf(&label, "[%s %d/%d] ", sp.stage, sp.num, m);
		nd->shortname = xasprintf("%s/%d", sp.stage, sp.num);
	} else {
		buf_printf(&label, "[%s config] ", sp.stage);
		nd->shortname = xasprintf("%s/config", sp.stage);
	}
	put_clean(&label, sp.instruction);
	nd->label = buf_steal(&label);
	nd->parent = sp.parent ? xstrdup(sp.parent) : NULL;
	add_sources(nd, &sp);
	r = 0;
out:
	json_decref(j);
	pj_fini(&arena);
	return r;
}

/* the steps plans/where.tsv lists: "<name>\t<file>:<line>\t<M>" */
static int
load_nodes(const char *builddir, struct nodes *ns, struct err **errp)
{
	autofree char *path = xasprintf("%s/plans/where.tsv", builddir);
	autofree char *text = NULL;
	char *line, *save = NULL;

	if (fs_read_file(path, &text, NULL, errp) < 0)
		return err_wrap(errp, "no generation in '%s' (run df2ninja first?)",
				builddir);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *m = tab ? strchr(tab + 1, '\t') : NULL;
		struct node *nd;

		if (!m)
			return err_make(errp, 0, "'%s': not a line of step, place and "
					"count: '%s'", path, line);
		*tab = '\0';
		xgrow(&ns->v, &ns->cap, ns->n + 1, sizeof(*ns->v));
		nd = &ns->v[ns->n++];
		*nd = (struct node){ .name = xstrdup(line), .sources = STRV_INIT,
				     .ev_id = NONE, .ev_link = NONE, .ev_ref = NONE };
		if (load_node(builddir, nd, atoi(m + 1), errp) < 0)
			return -1;
	}
	if (ns->n)
		qsort(ns->v, ns->n, sizeof(*ns->v), by_name);
	return 0;
}

/* output as a path inside the build dir: "steps/build/03.id" */
static const char *
in_builddir(const char *builddir, const char *output)
{
	size_t n;

	if (strncmp(builddir, "./", 2) == 0)
		builddir += 2;
	n = strlen(builddir);
	if (strncmp(output, builddir, n) == 0 && output[n] == '/')
		return output + n + 1;
	return output;
}

/* the event of the log's output: a step's edge, or NONE */
static void
add_step_event(struct timeline *t, struct nodes *ns, const char *rel,
	       const struct ninjalog_entry *e)
{
	const char *dot = strrchr(rel, '.');
	autofree char *name = NULL;
	struct node *nd;
	size_t *slot;
	const char *suffix;

	if (strncmp(rel, "steps/", 6) != 0 || !dot || dot < rel + 6)
		return;
	name = xstrndup(rel + 6, (size_t)(dot - rel - 6));
	nd = find(ns, name);
	if (!nd)
		return;
	if (strcmp(dot, ".id") == 0) {
		slot = &nd->ev_id;
		suffix = "";
	} else if (strcmp(dot, ".link") == 0) {
		slot = &nd->ev_link;
		suffix = " link";
	} else if (strcmp(dot, ".ref") == 0) {
		slot = &nd->ev_ref;
		suffix = " ref";
	} else {
		return;
	}
	*slot = timeline_add(t, *suffix ? xasprintf("%s (%s)", nd->label, suffix + 1) :
					  xstrdup(nd->label),
			     xasprintf("%s%s", nd->shortname, suffix), e->start, e->end);
}

/* event i waited for step name: its edges that ran, else what it waited
 * for in turn */
static void
wait_for(struct timeline *t, struct nodes *ns, size_t i, const char *name)
{
	struct node *nd = find(ns, name);

	if (!nd || nd->seen == ns->walk)
		return;
	nd->seen = ns->walk;
	if (nd->ev_id != NONE) {
		timeline_dep(t, i, nd->ev_id);
		return;
	}
	if (nd->ev_link != NONE)
		timeline_dep(t, i, nd->ev_link);
	if (nd->ev_ref != NONE)
		timeline_dep(t, i, nd->ev_ref);
	if (nd->parent)
		wait_for(t, ns, i, nd->parent);
	for (size_t k = 0; k < nd->sources.n; k++)
		wait_for(t, ns, i, nd->sources.v[k]);
}

/* the events each step's edges waited for */
static void
link_nodes(struct timeline *t, struct nodes *ns)
{
	for (size_t j = 0; j < ns->n; j++) {
		struct node *nd = &ns->v[j];

		if (nd->ev_link != NONE) {
			ns->walk++;
			for (size_t k = 0; k < nd->sources.n; k++)
				wait_for(t, ns, nd->ev_link, nd->sources.v[k]);
		}
		if (nd->ev_id == NONE)
			continue;
		ns->walk++;
		if (nd->ev_link != NONE)
			timeline_dep(t, nd->ev_id, nd->ev_link);
		else
			for (size_t k = 0; k < nd->sources.n; k++)
				wait_for(t, ns, nd->ev_id, nd->sources.v[k]);
		if (nd->ev_ref != NONE)
			timeline_dep(t, nd->ev_id, nd->ev_ref);
		if (nd->parent)
			wait_for(t, ns, nd->ev_id, nd->parent);
	}
}

/* the export plan's stage and last step */
static int
load_export(const char *builddir, char **stage, struct strv *lasts, struct err **errp)
{
	autofree char *path = xasprintf("%s/plans/export.json", builddir);
	struct pjarena arena = PJARENA_INIT;
	struct export_plan ep;
	json_error_t jerr;
	json_t *j = jsonfile_load(path, 0, &jerr);
	int r = -1;

	if (!j) {
		err_make(errp, 0, "cannot read the plan '%s': %s", path, jerr.text);
	} else if (plan_decode_export(path, j, &arena, &ep, errp) == 0) {
		/* several platforms: the export waits for each one's last */
		struct buf names = BUF_INIT;

		for (size_t k = 0; k < ep.nplatforms; k++) {
			buf_printf(&names, "%s%s", k ? ", " : "", ep.platforms[k].stage);
			strv_add(lasts, ep.platforms[k].last);
		}
		if (!ep.nplatforms) {
			buf_puts(&names, ep.stage);
			strv_add(lasts, ep.last);
		}
		*stage = buf_steal(&names);
		r = 0;
	}
	json_decref(j);
	pj_fini(&arena);
	return r;
}

int
tracesteps_load(const char *builddir, const struct ninjalog *log,
		struct timeline *t, struct err **errp)
{
	struct nodes ns = { NULL, 0, 0, 0 };
	struct strv lasts = STRV_INIT;
	autofree char *stage = NULL;
	size_t export = NONE;
	int r = -1;

	if (load_nodes(builddir, &ns, errp) < 0)
		goto out;
	for (size_t i = 0; i < log->n; i++) {
		const char *rel = in_builddir(builddir, log->v[i].output);

		if (strcmp(rel, "out/image.id") != 0) {
			add_step_event(t, &ns, rel, &log->v[i]);
			continue;
		}
		free(stage);
		strv_fini(&lasts);
		if (load_export(builddir, &stage, &lasts, errp) < 0)
			goto out;
		export = timeline_add(t, xasprintf("EXPORT %s", stage), xstrdup("export"),
				      log->v[i].start, log->v[i].end);
	}
	link_nodes(t, &ns);
	if (export != NONE) {
		ns.walk++;
		for (size_t k = 0; k < lasts.n; k++)
			wait_for(t, &ns, export, lasts.v[k]);
	}
	r = 0;
out:
	strv_fini(&lasts);
	for (size_t j = 0; j < ns.n; j++) {
		free(ns.v[j].name);
		free(ns.v[j].label);
		free(ns.v[j].shortname);
		free(ns.v[j].parent);
		strv_fini(&ns.v[j].sources);
	}
	free(ns.v);
	return r;
}
