#include <stdlib.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "critpath.h"

/* the longest chain ending at event i: its length, the event before it in
 * via[i] (n: none); state 0 unseen, 1 on the stack, 2 done */
static long long
longest(const struct timeline *t, size_t i, long long *best, size_t *via,
	char *state)
{
	const struct timeline_event *e = &t->ev[i];
	long long top = 0;

	if (state[i] == 2)
		return best[i];
	if (state[i] == 1)
		BUG("the dependencies of '%s' form a cycle", e->step);
	state[i] = 1;
	via[i] = t->n;
	for (size_t k = 0; k < e->ndeps; k++) {
		size_t d = e->deps[k];
		long long l;

		if (t->ev[d].end > e->start)
			continue;
		l = longest(t, d, best, via, state);
		if (l > top || (l == top && via[i] == t->n)) {
			top = l;
			via[i] = d;
		}
	}
	best[i] = top + (e->end - e->start);
	state[i] = 2;
	return best[i];
}

long long
critpath_find(struct timeline *t)
{
	long long *best = xcalloc(t->n + 1, sizeof(*best));
	size_t *via = xcalloc(t->n + 1, sizeof(*via));
	char *state = xcalloc(t->n + 1, 1);
	size_t last = t->n, n = 0;

	t->critical = 0;
	for (size_t i = 0; i < t->n; i++) {
		long long l = longest(t, i, best, via, state);

		t->ev[i].is_critical = false;
		/* of equal chains, the one ending last */
		if (last == t->n || l > t->critical ||
		    (l == t->critical && t->ev[i].end > t->ev[last].end)) {
			t->critical = l;
			last = i;
		}
	}
	free(t->path);
	t->path = xcalloc(t->n + 1, sizeof(*t->path));
	for (size_t i = last; i < t->n; i = via[i])
		t->path[n++] = i;
	t->npath = n;
	/* first edge first */
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
		size_t x = t->path[a];

		t->path[a] = t->path[b];
		t->path[b] = x;
	}
	for (size_t k = 0; k < n; k++)
		t->ev[t->path[k]].is_critical = true;
	free(best);
	free(via);
	free(state);
	return t->critical;
}

char *
critpath_summary(const struct timeline *t)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "critical path %.1f s of %.1f s wall",
		   (double)t->critical / 1000,
		   (double)(timeline_end(t) - timeline_begin(t)) / 1000);
	for (size_t k = 0; k < t->npath; k++)
		buf_printf(&b, "%s%s", k ? " -> " : ": ", t->ev[t->path[k]].step);
	return buf_steal(&b);
}
