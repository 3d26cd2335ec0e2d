#ifndef DF2NINJA_NINJALOG_H
#define DF2NINJA_NINJALOG_H

#include <stddef.h>

struct err;

/* one line of ninja's build log: an edge that ran, its times in ms since
 * its ninja run began, and the output ninja names it by */
struct ninjalog_entry {
	long long start, end;
	char *output;
};

struct ninjalog {
	struct ninjalog_entry *v;
	size_t n;
};

#define NINJALOG_INIT { NULL, 0 }

/*
 * where ninja keeps its log for a build dir: <builddir>/.ninja_log, as
 * build.ninja sets ninja's builddir to it (the one place to change should
 * the step edges move into a build file of their own); caller frees
 */
char *ninjalog_path(const char *builddir);
/*
 * the index where the last ninja run's lines begin in v[0..n): ninja writes
 * a line as each edge ends, with times from a clock that starts at 0 with
 * every run, so within one run end times never decrease and no output
 * comes twice. Walking back from the end, the run begins after the first
 * line whose end is later than the next line's or whose output comes
 * again after it. (Two runs whose boundary shows neither read as one.)
 */
size_t ninjalog_last_run(const struct ninjalog_entry *v, size_t n);
/*
 * read the log at path (versions 5 and 6) and keep the lines of its last
 * run, in the log's order; a missing log is an error saying to build first
 */
int ninjalog_read_last(const char *path, struct ninjalog *out,
		       struct err **errp);
void ninjalog_fini(struct ninjalog *l);

#endif
