#include <stdlib.h>

#include "util/alloc.h"
#include "timeline.h"

size_t
timeline_add(struct timeline *t, char *name, char *step, long long start,
	      long long end)
{
	struct timeline_event *e;

	xgrow(&t->ev, &t->cap, t->n + 1, sizeof(*t->ev));
	e = &t->ev[t->n];
	*e = (struct timeline_event){ .name = name, .step = step,
				      .start = start, .end = end };
	return t->n++;
}

void
timeline_dep(struct timeline *t, size_t i, size_t dep)
{
	struct timeline_event *e = &t->ev[i];

	for (size_t k = 0; k < e->ndeps; k++)
		if (e->deps[k] == dep)
			return;
	e->deps = xreallocarray(e->deps, e->ndeps + 1, sizeof(*e->deps));
	e->deps[e->ndeps++] = dep;
}

long long
timeline_begin(const struct timeline *t)
{
	long long b = t->n ? t->ev[0].start : 0;

	for (size_t i = 1; i < t->n; i++)
		if (t->ev[i].start < b)
			b = t->ev[i].start;
	return b;
}

long long
timeline_end(const struct timeline *t)
{
	long long e = t->n ? t->ev[0].end : 0;

	for (size_t i = 1; i < t->n; i++)
		if (t->ev[i].end > e)
			e = t->ev[i].end;
	return e;
}

static int
by_start(const void *a, const void *b, void *arg)
{
	const struct timeline *t = arg;
	const struct timeline_event *x = &t->ev[*(const size_t *)a];
	const struct timeline_event *y = &t->ev[*(const size_t *)b];

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void
timeline_slots(struct timeline *t)
{
	size_t *order = xcalloc(t->n + 1, sizeof(*order));
	long long *busy = xcalloc(t->n + 1, sizeof(*busy));

	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	qsort_r(order, t->n, sizeof(*order), by_start, t);
	t->nslots = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct timeline_event *e = &t->ev[order[i]];
		int s = 0;

		while (s < t->nslots && busy[s] > e->start)
			s++;
		if (s == t->nslots)
			t->nslots++;
		busy[s] = e->end;
		e->slot = s;
	}
	free(busy);
	free(order);
}

void
timeline_fini(struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->ev[i].name);
		free(t->ev[i].step);
		free(t->ev[i].deps);
	}
	free(t->ev);
	free(t->path);
	*t = (struct timeline)TIMELINE_INIT;
}
