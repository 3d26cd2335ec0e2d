#include <string.h>

#include "exec/gitref.h"
#include "exec/gitsrc.h"
#include "exec/step.h"
#include "exec/stepplan.h"
#include "plan/names.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

int
gitref_exec(const char *plan_path, const char *out, struct step_failure *f,
	    struct err **errp)
{
	struct stepplan p;
	const struct plan_words *srcs;
	autofree char *pin = NULL, *dir = NULL;
	int r = -1;

	memset(f, 0, sizeof(*f));
	if (stepplan_load(plan_path, &p, errp) < 0)
		return -1;
	srcs = &p.sp.copy.sources;
	if (p.is_export || p.sp.kind != PLAN_ADD || srcs->n != 1 ||
	    srcs->v[0].is_raw || !srcs->v[0].s) {
		err_make(errp, 0, "plan '%s' is no ADD of one Git URL", plan_path);
		goto out;
	}
	dir = fs_dirname(out);
	if (gitsrc_resolve(srcs->v[0].s, &pin, errp) < 0 ||
	    fs_mkdir_p(dir, errp) < 0 ||
	    fs_write_if_changed(out, pin, strlen(pin), NULL, errp) < 0)
		goto fail;
	r = 0;
	goto out;
fail:
	err_set_status(errp, 1);
	f->where = stepplan_where(&p);
	f->label = stepplan_label(&p);
	f->instruction = xstrdup(p.sp.instruction ? p.sp.instruction :
				 plan_name(&plan_kind_names, p.sp.kind));
	f->builddir = xstrdup(p.builddir);
out:
	stepplan_fini(&p);
	return r;
}
