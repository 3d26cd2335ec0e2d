#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "ninjalog.h"

char *
ninjalog_path(const char *builddir)
{
	return fs_join(builddir, ".ninja_log");
}

/*
 * the driving edge of a wide graph (<builddir>/drive, exec/drive.c): the
 * outer ninja logs it on every run, even one whose inner ninja ran
 * nothing; it is no step, and would make that run look like a build
 */
static bool
is_drive(const char *output)
{
	const char *base = strrchr(output, '/');

	return strcmp(base ? base + 1 : output, "drive") == 0 && !strstr(output, "/steps/");
}

/* some entry of v[0..n) is a step's stamp or the export's */
static bool
has_step(const struct ninjalog_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].output, "/steps/") || strstr(v[i].output, "/out/"))
			return true;
	return false;
}

size_t
ninjalog_last_run(const struct ninjalog_entry *v, size_t n)
{
	size_t i = n;

	while (i > 0) {
		const struct ninjalog_entry *e = &v[i - 1];
		bool again = false;

		if (i < n && e->end > v[i].end)
			break;
		for (size_t k = i; k < n && !again; k++)
			again = strcmp(v[k].output, e->output) == 0;
		if (again)
			break;
		i--;
	}
	return i;
}

/* "start\tend\tmtime\toutput\thash": false when line is not such */
static bool
parse_line(char *line, struct ninjalog_entry *e)
{
	char *f[5], *end;
	size_t k = 0;

	for (char *p = line; k < 5; k++) {
		f[k] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (k != 4)
		return false;
	errno = 0;
	e->start = strtoll(f[0], &end, 10);
	if (errno || end == f[0] || *end)
		return false;
	e->end = strtoll(f[1], &end, 10);
	if (errno || end == f[1] || *end || e->end < e->start || !f[3][0])
		return false;
	e->output = f[3];
	return true;
}

int
ninjalog_read_last(const char *path, struct ninjalog *out, struct err **errp)
{
	autofree char *text = NULL;
	struct ninjalog all = NINJALOG_INIT;
	size_t cap = 0, first, lineno = 1;
	char *line, *save = NULL;

	if (fs_read_file(path, &text, NULL, errp) < 0) {
		if ((*errp)->errnum == ENOENT)
			return err_wrap(errp, "no build to trace (run ninja first)");
		return -1;
	}
	line = strtok_r(text, "\n", &save);
	if (!line || (strcmp(line, "# ninja log v5") != 0 &&
		      strcmp(line, "# ninja log v6") != 0))
		return err_make(errp, 0, "'%s': not a ninja log of version 5 or 6",
				path);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		struct ninjalog_entry e;

		lineno++;
		if (!parse_line(line, &e)) {
			free(all.v);
			return err_make(errp, 0, "%s:%zu: not a ninja log line", path,
					lineno);
		}
		if (is_drive(e.output))
			continue;
		xgrow(&all.v, &cap, all.n + 1, sizeof(*all.v));
		all.v[all.n++] = e;
	}
	/* a run that only regenerated the build file built nothing: the
	 * one before it is the last build */
	first = ninjalog_last_run(all.v, all.n);
	while (first > 0 && !has_step(all.v + first, all.n - first)) {
		all.n = first;
		first = ninjalog_last_run(all.v, all.n);
	}
	out->n = all.n - first;
	out->v = xcalloc(out->n + 1, sizeof(*out->v));
	for (size_t i = 0; i < out->n; i++) {
		out->v[i] = all.v[first + i];
		out->v[i].output = xstrdup(all.v[first + i].output);
	}
	free(all.v);
	return 0;
}

void
ninjalog_fini(struct ninjalog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].output);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
