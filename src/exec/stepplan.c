#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/stepplan.h"
#include "plan/decode.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/jsonfile.h"

/* the build dir: what comes before "plans/" in path */
static char *
builddir_of(const char *path)
{
	const char *p = NULL, *q = path;

	while ((q = strstr(q, "plans/")) != NULL) {
		if (q == path || q[-1] == '/')
			p = q;
		q++;
	}
	if (!p)
		return NULL;
	if (p == path)
		return xstrdup(".");
	return xstrndup(path, (size_t)(p - path - 1));
}

int
stepplan_load(const char *path, struct stepplan *p, struct err **errp)
{
	json_error_t jerr;
	int r;

	memset(p, 0, sizeof(*p));
	p->path = xstrdup(path);
	p->builddir = builddir_of(path);
	if (!p->builddir)
		return err_make(errp, 0, "plan '%s' is not under a build dir's plans/", path);
	p->j = jsonfile_load(path, 0, &jerr);
	if (!p->j)
		return err_make(errp, 0, "cannot read plan '%s': %s", path, jerr.text);
	p->is_export = plan_is_export(p->j);
	r = p->is_export ? plan_decode_export(path, p->j, &p->arena, &p->ep, errp) :
	    plan_decode_step(path, p->j, &p->arena, &p->sp, errp);
	if (r < 0)
		return -1;
	/* every step, the export and `df2ninja shell` start here: a build
	 * dir made open by an older df2ninja is made private (one stat when
	 * it is), as gen makes it (emit/builddir.h) */
	if (fs_private_dir(p->builddir, errp) < 0)
		return err_wrap(errp, "the build dir");
	p->stage = p->is_export ? p->ep.stage : p->sp.stage;
	p->step = p->is_export ? 0 : p->sp.num;
	if (p->is_export)
		p->name = xstrdup("export");
	else if (p->step > 0)
		p->name = xasprintf("%s/%02d", p->stage, p->step);
	else
		p->name = xasprintf("%s/config", p->stage);
	p->flat = xstrdup(p->name);
	for (char *s = p->flat; *s; s++)
		if (*s == '/')
			*s = '-';
	return 0;
}

char *
stepplan_log_path(const struct stepplan *p)
{
	return xasprintf("%s/logs/%s.log", p->builddir, p->flat);
}

void
stepplan_fini(struct stepplan *p)
{
	json_decref(p->j);
	pj_fini(&p->arena);
	free(p->path);
	free(p->builddir);
	free(p->name);
	free(p->flat);
	memset(p, 0, sizeof(*p));
}

/* the fields of where.tsv for p's step: "Dockerfile:12" and M */
static char *
where_line(const struct stepplan *p, int *steps)
{
	autofree char *path = xasprintf("%s/plans/where.tsv", p->builddir);
	autofree char *text = NULL;
	size_t n = strlen(p->name);
	char *line, *save = NULL;

	*steps = 0;
	if (fs_read_file(path, &text, NULL, NULL) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab;

		if (strncmp(line, p->name, n) != 0 || line[n] != '\t')
			continue;
		line += n + 1;
		tab = strchr(line, '\t');
		if (tab) {
			*tab = '\0';
			*steps = atoi(tab + 1);
		}
		return xstrdup(line);
	}
	return NULL;
}

char *
stepplan_where(const struct stepplan *p)
{
	int steps;
	char *w = where_line(p, &steps);

	return w ? w : xstrdup(p->name);
}

char *
stepplan_label(const struct stepplan *p)
{
	int steps = 0;

	free(where_line(p, &steps));
	if (p->step > 0 && steps > 0)
		return xasprintf("[%s %d/%d]", p->stage, p->step, steps);
	if (p->step > 0)
		return xasprintf("[%s %d]", p->stage, p->step);
	return xasprintf("[%s config]", p->stage);
}
