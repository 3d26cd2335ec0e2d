#include <string.h>
#include <unistd.h>

#include "exec/copy.h"
#include "exec/copystep.h"
#include "exec/ctxlayer.h"
#include "exec/depfile.h"
#include "exec/mnt.h"
#include "exec/stepctx.h"
#include "match/ignore.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

int
ctxlayer_from(struct step_ctx *c, const char *ctx, const char *created_by,
	      struct err **errp)
{
	static const char *const all[] = { "." };
	const struct plan_strs none = { NULL, 0 };
	struct copy_source src = { -1, NULL, NULL, NULL, 0, false };
	struct mnt root = { NULL, -1 };
	struct strv deps = STRV_INIT;
	struct ignore *ign = NULL;
	struct copy_opts o;
	int r = -1;

	memset(&o, 0, sizeof(o));
	if (step_context_source(ctx, NULL, &none, &src, &ign, errp) < 0)
		return -1;
	src.name = "build context";
	if (step_begin_root(c, &root, errp) < 0)
		goto out;
	o.srcs = all;
	o.nsrcs = 1;
	o.dest = "/";
	/* as the context's: BuildKit's client sends local files as root's
	 * (client/solve.go, resetUIDAndGID) */
	o.keep_owner = false;
	if (copy_run(&src, root.fd, &o, &deps, NULL, errp) < 0)
		goto out;
	mnt_fini(&root);
	if (c->depfile) {
		autofree char *links = fs_join(c->plan.builddir, "deplinks");

		if (depfile_write(c->depfile, c->out, ctx, &deps, links, errp) < 0)
			goto out;
	}
	if (step_commit(c, created_by, errp) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && c->up.upper)
		upper_fail(&c->up);
	mnt_fini(&root);
	close(src.fd);
	ignore_free(ign);
	strv_fini(&deps);
	return r;
}
