#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/buildlock.h"
#include "exec/cachecfg.h"
#include "exec/cachekey.h"
#include "exec/copystep.h"
#include "exec/from.h"
#include "exec/ops.h"
#include "exec/outmode.h"
#include "exec/run.h"
#include "exec/runmounts.h"
#include "exec/step.h"
#include "exec/stepcache.h"
#include "exec/stepctx.h"
#include "exec/stepserver.h"
#include "exec/stepstat.h"
#include "image/storelock.h"
#include "image/storereg.h"
#include "plan/names.h"
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

/* the step's instruction as its description shows it: a FROM's image as
 * resolved; caller frees */
static char *
instruction_of(const struct step_ctx *c)
{
	if (c->plan.sp.kind == PLAN_FROM && c->plan.sp.from.base == PLAN_BASE_IMAGE &&
	    c->plan.sp.instruction && strchr(c->plan.sp.instruction, '$'))
		return xasprintf("FROM %s", c->plan.sp.from.ref);
	return xstrdup(c->plan.sp.instruction ? c->plan.sp.instruction :
		       plan_name(&plan_kind_names, c->plan.sp.kind));
}

/* what the message for a failed step names: where, what, the log, how to
 * debug it */
static void
describe_failure(struct step_ctx *c, struct step_failure *f)
{
	f->where = stepplan_where(&c->plan);
	f->label = stepplan_label(&c->plan);
	f->instruction = instruction_of(c);
	if (c->plan.sp.kind == PLAN_RUN)
		f->log = stepplan_log_path(&c->plan);
	f->builddir = xstrdup(c->plan.builddir);
	if (c->plan.step > 0)
		f->target = xasprintf("%s/%d", c->plan.stage, c->plan.step);
	f->has_upper = c->up.upper != NULL;
}

/*
 * a FROM, COPY or ADD past 2 s draws a status line as a RUN does (RUN's
 * own shows its output): the pull's progress, or what was copied. NULL
 * for the other steps and but in auto mode.
 */
static struct stepstat *
status_line(struct step_ctx *c)
{
	enum plan_kind k = c->plan.sp.kind;
	enum outmode m;
	struct stepstat *ss;
	autofree char *label = NULL, *what = NULL, *instr = NULL;

	if ((k != PLAN_FROM && k != PLAN_COPY && k != PLAN_ADD) ||
	    outmode_get(c->plan.builddir, &m, NULL) < 0 || m != OUTMODE_AUTO)
		return NULL;
	label = stepplan_label(&c->plan);
	instr = instruction_of(c);
	what = xasprintf("%s %s", label, instr);
	ss = stepstat_new();
	stepstat_start(ss, what);
	return ss;
}

/* --no-cache made this run: the step's nocache input
 * (emit/buildflags.h) is newer than its stamp, or it has none; a cache
 * is not asked then, as BuildKit's --no-cache asks none */
static bool
is_no_cache_run(const struct step_ctx *c)
{
	autofree char *path = xasprintf("%s/nocache/%s", c->plan.builddir, c->plan.name);
	struct stat nc, out;

	if (stat(path, &nc) < 0)
		return false;
	if (stat(c->out, &out) < 0)
		return true;
	return nc.st_mtim.tv_sec > out.st_mtim.tv_sec ||
	       (nc.st_mtim.tv_sec == out.st_mtim.tv_sec &&
		nc.st_mtim.tv_nsec > out.st_mtim.tv_nsec);
}

/* a RUN binding the context: the digest of what it reads (reads), or
 * NULL when there is none; a failure leaves it to the step to report */
static const char *
context_reads(struct step_ctx *c, char reads[DIGEST_LEN])
{
	struct err *e = NULL;
	int r;

	if (c->plan.sp.kind != PLAN_RUN || !c->plan.sp.run.context)
		return NULL;
	r = runmounts_context_digest(c, reads, &e);
	err_free(e);
	return r == 0 ? reads : NULL;
}

/*
 * the shared cache (cachecfg.h): note the step's key for its push edge
 * and, with --cache-from, look it up; *hit: the step is done, c->st is
 * its state. Nothing here fails the step: a cache is only a shortcut.
 */
static int
from_cache(struct step_ctx *c, bool *hit, struct err **errp)
{
	struct cachecfg cfg;
	char key[DIGEST_LEN], reads[DIGEST_LEN];
	const char *from = NULL;
	bool has_key;
	int r;

	*hit = false;
	if (cachecfg_load(&cfg, c->plan.builddir, errp) < 0)
		return -1;
	has_key = (cachecfg_has_from(&cfg) || cachecfg_has_to(&cfg)) &&
		  cachekey_step(&c->plan, &c->st, context_reads(c, reads), key);
	if (has_key && cachecfg_has_from(&cfg) && !is_no_cache_run(c))
		from = stepcache_lookup(c, &cfg, key);
	*hit = from != NULL;
	r = stepcache_note_key(c, has_key ? key : NULL, from, errp);
	if (r == 0 && *hit && !outmode_is_quiet(c->plan.builddir)) {
		autofree char *label = stepplan_label(&c->plan), *instr = instruction_of(c);

		printf("CACHED %s %s\n", label, instr);
		fflush(stdout);
	}
	cachecfg_fini(&cfg);
	return r;
}

void
step_failure_fini(struct step_failure *f)
{
	free(f->where);
	free(f->label);
	free(f->instruction);
	free(f->log);
	free(f->builddir);
	free(f->target);
	memset(f, 0, sizeof(*f));
}

int
step_exec(const struct step_call *call, struct step_failure *f, struct err **errp)
{
	struct step_ctx c;
	struct err *e = NULL;
	struct stepstat *live = NULL;
	bool hit;
	int r, lock = -1, settling = -1;

	memset(&c, 0, sizeof(c));
	memset(f, 0, sizeof(*f));
	c.out = call->out;
	c.depfile = call->depfile;
	c.layer = call->layer;
	c.status = 1;
	r = stepplan_load(call->plan, &c.plan, errp);
	if (r == 0 && c.plan.is_export)
		r = err_make(errp, 0, "plan '%s' is the export's, not a step's", call->plan);
	if (r < 0) {
		stepplan_fini(&c.plan);
		return -1;
	}
	/* -q: a pull's progress is left out too */
	if (outmode_is_quiet(c.plan.builddir))
		outmode_quiet_notify();
	lock = buildlock_take(c.plan.builddir, &e);
	if (lock < 0 || store_open(&c.store, &e) < 0 ||
	    store_check_idmap(&c.store, userns_idmap(), &e) < 0 ||
	    storereg_add(&c.store, c.plan.builddir, &e) < 0)
		goto fail;
	if (ops_start_state(&c.plan, &c.st, &e) < 0)
		goto fail;
	if (call->is_link) {
		/* the layer alone: the step's edge stacks it */
		if (step_link(&c, &e) < 0)
			goto fail;
		upper_prune(&c.up, c.kept);
		r = 0;
		goto done;
	}
	if (from_cache(&c, &hit, &e) < 0)
		goto fail;
	if (!hit) {
		live = status_line(&c);
		c.count = stepstat_count(live);
		r = step_kinds[c.plan.sp.kind] ? step_kinds[c.plan.sp.kind](&c, &e) : 0;
		stepstat_free(live);
		c.count = NULL;
		if (r < 0)
			goto fail;
	}
	/* the state first, the stamp last: a stamp names a complete state */
	if (state_save(c.plan.builddir, c.plan.name, &c.st, &e) < 0 ||
	    state_stamp(&c.st, call->out, &e) < 0)
		goto fail;
	if (c.up.keep)
		upper_prune(&c.up, c.kept);
	upper_forget_failure(c.plan.builddir, c.plan.name);
	r = 0;
	/* a worker's build goes on while the sandbox's overlay goes away;
	 * no overlay mounts the layer until then (storelock.h) */
	if (c.sbexit.pid > 0 && storelock_mounts_busy(c.store.root, &settling) == 0 &&
	    !stepserver_done_early()) {
		close(settling);
		settling = -1;
	}
	goto done;
fail:
	describe_failure(&c, f);
	/* a link edge's upper dir is not the step's: no `shell --failed` */
	if (call->is_link)
		f->has_upper = false;
	if (!e)
		err_make(&e, 0, "unknown error");
	err_set_status(&e, c.status);
	*errp = steal_pointer(&e);
	r = -1;
done:
	/* the sandbox's mounts gone before anything mounts the upper dir
	 * again (the next step's, or its rerun) */
	sandbox_exit_wait(&c.sbexit);
	if (settling >= 0)
		close(settling);
	free(c.kept);
	upper_fini(&c.up);
	state_fini(&c.st);
	store_close(&c.store);
	stepplan_fini(&c.plan);
	if (lock >= 0)
		close(lock);
	return r;
}
