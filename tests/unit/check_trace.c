#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/critpath.h"
#include "trace/ninjalog.h"
#include "trace/timeline.h"
#include "trace/tracejson.h"
#include "trace/tracesvg.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

/* ninjalog_last_run: where the last run's lines begin */
START_TEST(test_last_run)
{
	/* the clock starts again at 0 */
	struct ninjalog_entry restart[] = {
		{ 0, 100, "a" }, { 100, 300, "b" }, { 0, 50, "c" }, { 50, 80, "d" },
	};
	/* the later run's first end is past the earlier's last: the same
	 * output twice tells */
	struct ninjalog_entry again[] = {
		{ 0, 100, "a" }, { 100, 200, "b" }, { 0, 300, "a" }, { 300, 400, "b" },
	};
	/* a regeneration cycle ran first: its line stays in the tail */
	struct ninjalog_entry regen[] = {
		{ 0, 900, "x" }, { 0, 40, "build.ninja" }, { 0, 300, "x" },
	};
	struct ninjalog_entry one[] = { { 0, 10, "a" }, { 5, 10, "b" }, { 10, 20, "c" } };

	ck_assert_uint_eq(ninjalog_last_run(restart, 4), 2);
	ck_assert_uint_eq(ninjalog_last_run(again, 4), 2);
	ck_assert_uint_eq(ninjalog_last_run(regen, 3), 1);
	ck_assert_uint_eq(ninjalog_last_run(one, 3), 0);
	ck_assert_uint_eq(ninjalog_last_run(one, 0), 0);
}
END_TEST

/* ninjalog_read_last reads a v5 log and keeps its last run */
START_TEST(test_read_last)
{
	char dir[] = "/tmp/check_trace.XXXXXX";
	autofree char *path = NULL;
	struct ninjalog log = NINJALOG_INIT;
	struct err *e = NULL;
	static const char text[] =
		"# ninja log v5\n"
		"0\t390\t1796524862810352532\t.df2ninja/steps/a/01.id\tdf3b9ad4dfcb91ae\n"
		"0\t20\t1796524862918352536\t.df2ninja/steps/a/01.id\te90c174eb4607ff4\n"
		"20\t514\t1796524862945337081\t.df2ninja/steps/a/02.id\t51de00be2d64419e\n";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = ninjalog_path(dir);
	ck_assert_str_eq(path + strlen(dir), "/.ninja_log");
	ck_assert_int_lt(ninjalog_read_last(path, &log, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "run ninja first"));
	err_free(e);
	e = NULL;
	ck_assert_int_eq(fs_write_atomic(path, text, strlen(text), 0, NULL), 0);
	ck_assert_int_eq(ninjalog_read_last(path, &log, &e), 0);
	ck_assert_uint_eq(log.n, 2);
	ck_assert_str_eq(log.v[0].output, ".df2ninja/steps/a/01.id");
	ck_assert_int_eq(log.v[1].start, 20);
	ck_assert_int_eq(log.v[1].end, 514);
	ninjalog_fini(&log);
	/* a wide graph's driving edge, logged by every run, and a run that
	 * only regenerated build.ninja are no build: the last is the same */
	{
		static const char more[] =
			"1\t520\t0\t.df2ninja/drive\tf0be75f8e9b5f862\n"
			"1\t5\t1796528017146466595\tbuild.ninja\t7bbbe4bd4de1bbd\n"
			"5\t9\t0\t.df2ninja/drive\tf0be75f8e9b5f862\n"
			"1\t4\t0\t.df2ninja/drive\tf0be75f8e9b5f862\n";
		autofree char *both = xasprintf("%s%s", text, more);

		ck_assert_int_eq(fs_write_atomic(path, both, strlen(both), 0, NULL), 0);
		ck_assert_int_eq(ninjalog_read_last(path, &log, &e), 0);
		ck_assert_uint_eq(log.n, 2);
		ck_assert_str_eq(log.v[1].output, ".df2ninja/steps/a/02.id");
		ninjalog_fini(&log);
	}
	ck_assert_int_eq(fs_write_atomic(path, "# ninja log v4\n", 15, 0, NULL), 0);
	ck_assert_int_lt(ninjalog_read_last(path, &log, &e), 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "version 5 or 6"));
	err_free(e);
	unlink(path);
	rmdir(dir);
}
END_TEST

/*
 * a known build: a (0-100) and b (0-500) side by side; c (100-200) after
 * a; d (500-600) after b and c; e (600-700) after d; f (150-160) waited
 * for nothing. The longest chain is b -> d -> e, 700 ms.
 */
static void
known(struct timeline *t)
{
	static const struct { const char *step; long long start, end; } ev[] = {
		{ "a/1", 0, 100 }, { "b/1", 0, 500 }, { "a/2", 100, 200 },
		{ "final/1", 500, 600 }, { "final/2", 600, 700 }, { "f/1", 150, 160 },
	};

	for (size_t i = 0; i < countof(ev); i++)
		timeline_add(t, xasprintf("[%s] RUN \"x\" <&>", ev[i].step),
			     xstrdup(ev[i].step), ev[i].start, ev[i].end);
	timeline_dep(t, 2, 0);
	timeline_dep(t, 3, 1);
	timeline_dep(t, 3, 2);
	timeline_dep(t, 4, 3);
	timeline_dep(t, 4, 3);
	timeline_slots(t);
	critpath_find(t);
}

START_TEST(test_critpath)
{
	struct timeline t = TIMELINE_INIT;
	autofree char *summary = NULL;

	known(&t);
	ck_assert_int_eq(t.critical, 700);
	ck_assert_uint_eq(t.npath, 3);
	ck_assert_uint_eq(t.path[0], 1);
	ck_assert_uint_eq(t.path[1], 3);
	ck_assert_uint_eq(t.path[2], 4);
	ck_assert(!t.ev[0].is_critical && t.ev[1].is_critical && !t.ev[2].is_critical);
	ck_assert(t.ev[3].is_critical && t.ev[4].is_critical && !t.ev[5].is_critical);
	ck_assert_uint_eq(t.ev[4].ndeps, 1);
	summary = critpath_summary(&t);
	ck_assert_str_eq(summary, "critical path 0.7 s of 0.7 s wall: b/1 -> final/1 -> final/2");
	timeline_fini(&t);
}
END_TEST

/* a dependency that ended after the event began is no link of a chain */
START_TEST(test_critpath_overlap)
{
	struct timeline t = TIMELINE_INIT;

	timeline_add(&t, xstrdup("x"), xstrdup("x"), 0, 300);
	timeline_add(&t, xstrdup("y"), xstrdup("y"), 200, 400);
	timeline_dep(&t, 1, 0);
	critpath_find(&t);
	ck_assert_int_eq(t.critical, 300);
	ck_assert_uint_eq(t.npath, 1);
	ck_assert_uint_eq(t.path[0], 0);
	timeline_fini(&t);
}
END_TEST

/* greedy slots: overlapping events apart, the lowest free slot reused */
START_TEST(test_slots)
{
	struct timeline t = TIMELINE_INIT;

	known(&t);
	/* a, b and f overlap at 150 */
	ck_assert_int_eq(t.nslots, 3);
	ck_assert_int_ne(t.ev[0].slot, t.ev[1].slot);
	ck_assert_int_eq(t.ev[2].slot, t.ev[0].slot);
	for (size_t i = 0; i < t.n; i++)
		for (size_t k = 0; k < t.n; k++)
			if (i != k && t.ev[i].slot == t.ev[k].slot)
				ck_assert(t.ev[i].end <= t.ev[k].start ||
					  t.ev[k].end <= t.ev[i].start);
	timeline_fini(&t);
}
END_TEST

/* the trace is JSON with what Perfetto reads: complete events, in us */
START_TEST(test_json)
{
	struct timeline t = TIMELINE_INIT;
	autofree char *text = NULL;
	json_error_t jerr;
	json_t *top, *evs, *ev;
	size_t i, nx = 0, nthreads = 0;

	known(&t);
	text = tracejson_dump(&t);
	top = json_loads(text, 0, &jerr);
	ck_assert_msg(top != NULL, "not JSON: %s", jerr.text);
	evs = json_object_get(top, "traceEvents");
	ck_assert(json_is_array(evs));
	json_array_foreach(evs, i, ev) {
		const char *ph = json_string_value(json_object_get(ev, "ph"));

		ck_assert_ptr_nonnull(ph);
		ck_assert(json_is_integer(json_object_get(ev, "pid")));
		ck_assert(json_is_integer(json_object_get(ev, "tid")));
		ck_assert(json_is_string(json_object_get(ev, "name")));
		if (strcmp(ph, "M") == 0) {
			nthreads += !strcmp(json_string_value(json_object_get(ev, "name")),
					    "thread_name");
			continue;
		}
		ck_assert_str_eq(ph, "X");
		ck_assert(json_is_integer(json_object_get(ev, "ts")));
		ck_assert(json_is_integer(json_object_get(ev, "dur")));
		ck_assert_int_ge(json_integer_value(json_object_get(ev, "tid")), 1);
		nx++;
	}
	ck_assert_uint_eq(nx, t.n);
	ck_assert_uint_eq(nthreads, (size_t)t.nslots);
	/* b: 0-500 ms, critical, named as given */
	ev = json_array_get(evs, 1 + t.nslots + 1);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "name")), "[b/1] RUN \"x\" <&>");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "ts")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "dur")), 500000);
	ck_assert(json_is_true(json_object_get(json_object_get(ev, "args"), "critical")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "args"), "step")),
			 "b/1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(top, "otherData"),
							   "critical_path")),
			 "critical path 0.7 s of 0.7 s wall: b/1 -> final/1 -> final/2");
	json_decref(top);
	timeline_fini(&t);
}
END_TEST

/* the timeline: a bar per event, the critical ones coloured, text escaped */
START_TEST(test_svg)
{
	struct timeline t = TIMELINE_INIT;
	autofree char *svg = NULL;
	size_t bars = 0, critical = 0;

	known(&t);
	svg = tracesvg_draw(&t);
	ck_assert(strncmp(svg, "<svg ", 5) == 0);
	for (const char *p = svg; (p = strstr(p, "<rect x=")); p++)
		bars++;
	for (const char *p = svg; (p = strstr(p, "fill=\"#e4572e\"")); p++)
		critical++;
	ck_assert_uint_eq(bars, t.n);
	ck_assert_uint_eq(critical, 3);
	ck_assert_ptr_nonnull(strstr(svg, "b/1 -&gt; final/1 -&gt; final/2"));
	ck_assert_ptr_nonnull(strstr(svg, "RUN &quot;x&quot; &lt;&amp;&gt;"));
	ck_assert_ptr_null(strstr(svg, "<&>"));
	/* the axis: 0.1 s ticks up to the wall time */
	ck_assert_ptr_nonnull(strstr(svg, ">0.7 s<"));
	timeline_fini(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trace");

	UNIT_TCASE(s, "ninjalog_last_run", test_last_run);
	UNIT_TCASE(s, "ninjalog_read_last", test_read_last);
	UNIT_TCASE(s, "critpath_find", test_critpath);
	UNIT_TCASE(s, "critpath_find_overlap", test_critpath_overlap);
	UNIT_TCASE(s, "timeline_slots", test_slots);
	UNIT_TCASE(s, "tracejson_dump", test_json);
	UNIT_TCASE(s, "tracesvg_draw", test_svg);
	return unit_run(s);
}
