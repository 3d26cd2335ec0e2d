#include <jansson.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "util/err.h"
#include "critpath.h"
#include "tracejson.h"

/* a metadata event: names the process (tid 0) or a thread */
static json_t *
meta(const char *what, int tid, const char *name)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", what, "ph", "M",
			 "pid", 1, "tid", tid, "args", "name", name);
}

char *
tracejson_dump(const struct timeline *t)
{
	long long begin = timeline_begin(t);
	json_t *evs = json_array(), *top;
	autofree char *summary = critpath_summary(t);
	char *text;

	json_array_append_new(evs, meta("process_name", 0, "df2ninja build"));
	for (int s = 0; s < t->nslots; s++) {
		autofree char *name = xasprintf("slot %d", s + 1);

		json_array_append_new(evs, meta("thread_name", s + 1, name));
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct timeline_event *e = &t->ev[i];

		json_array_append_new(evs, json_pack(
			"{s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:{s:s, s:b}}",
			"name", e->name, "cat", e->is_critical ? "critical" : "step",
			"ph", "X", "ts", (json_int_t)(e->start - begin) * 1000,
			"dur", (json_int_t)(e->end - e->start) * 1000, "pid", 1,
			"tid", e->slot + 1, "args", "step", e->step, "critical",
			e->is_critical));
	}
	top = json_pack("{s:o, s:s, s:{s:s}}", "traceEvents", evs, "displayTimeUnit",
			"ms", "otherData", "critical_path", summary);
	if (!top)
		BUG("cannot build the trace JSON");
	text = json_dumps(top, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(top);
	if (!text)
		BUG("cannot write the trace JSON");
	return text;
}
