#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/copystep.h"
#include "exec/from.h"
#include "exec/ops.h"
#include "exec/run.h"
#include "exec/step.h"
#include "exec/stepctx.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/*
 * what each kind of step does after its config operations: the steps
 * are the files of from.h, run.h and copystep.h, which share only
 * stepctx.h with this one. NULL: nothing more (the trailing config).
 */
static int (*const step_kinds[])(struct step_ctx *c, struct err **errp) = {
	[PLAN_FROM] = step_from,
	[PLAN_RUN] = step_run,
	[PLAN_COPY] = step_copy,
	[PLAN_ADD] = step_copy,
	[PLAN_WORKDIR] = step_workdir,
	[PLAN_CONFIG] = NULL,
};

/* the message for a failed step: where, what, the log, how to debug it */
static void
report_failure(struct step_ctx *c, struct err *e)
{
	autofree char *where = stepplan_where(&c->plan), *label = stepplan_label(&c->plan);
	autofree char *target = NULL, *log = NULL;
	const char *instr = c->plan.sp.instruction;

	fflush(stdout);
	fprintf(stderr, "df2ninja: %s: error: %s %s failed: %s\n", where, label, instr,
		e ? e->msg : "unknown error");
	if (e && e->errnum == EINVAL && userns_hint())
		fprintf(stderr, "df2ninja: %s\n", userns_hint());
	if (c->plan.sp.kind == PLAN_RUN) {
		log = stepplan_log_path(&c->plan);
		fprintf(stderr, "df2ninja: the whole log: %s\n", log);
	}
	if (c->plan.step > 0) {
		autofree char *bflag = strcmp(c->plan.builddir, ".df2ninja") != 0 ?
				       xasprintf("-B %s ", c->plan.builddir) : xstrdup("");

		target = xasprintf("%s/%d", c->plan.stage, c->plan.step);
		if (c->up.upper)
			fprintf(stderr, "df2ninja: a shell where it failed: df2ninja shell %s%s --failed\n",
				bflag, target);
		fprintf(stderr, "df2ninja: rerun this step alone: ninja %s\n", target);
	}
}

int
step_exec(const char *plan_path, const char *out, const char *depfile)
{
	struct step_ctx c;
	struct err *e = NULL;
	int r, lock = -1;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.depfile = depfile;
	c.status = 1;
	r = stepplan_load(plan_path, &c.plan, &e);
	if (r == 0 && c.plan.is_export)
		r = err_make(&e, 0, "plan '%s' is the export's, not a step's", plan_path);
	if (r < 0) {
		r = err_report(e);
		stepplan_fini(&c.plan);
		return r;
	}
	lock = buildlock_take(c.plan.builddir, &e);
	if (lock < 0 || store_open(&c.store, &e) < 0 ||
	    store_check_idmap(&c.store, userns_idmap(), &e) < 0)
		goto fail;
	/* the state this step starts from */
	if (c.plan.sp.parent) {
		if (state_load(c.plan.builddir, c.plan.sp.parent, &c.st, &e) < 0)
			goto fail;
		state_set_parent(&c.st, c.plan.sp.parent);
	} else {
		state_init(&c.st);
	}
	if (ops_apply(&c.st, &c.plan.sp, &e) < 0)
		goto fail;
	if (step_kinds[c.plan.sp.kind] && step_kinds[c.plan.sp.kind](&c, &e) < 0)
		goto fail;
	/* the state first, the stamp last: a stamp names a complete state */
	if (state_save(c.plan.builddir, c.plan.name, &c.st, &e) < 0 ||
	    state_stamp(&c.st, out, &e) < 0)
		goto fail;
	if (c.up.keep)
		upper_prune(&c.up, c.kept);
	upper_forget_failure(c.plan.builddir, c.plan.name);
	r = 0;
	goto done;
fail:
	report_failure(&c, e);
	err_free(e);
	r = c.status;
done:
	free(c.kept);
	upper_fini(&c.up);
	state_fini(&c.st);
	store_close(&c.store);
	stepplan_fini(&c.plan);
	if (lock >= 0)
		close(lock);
	return r;
}
