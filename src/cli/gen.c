#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "cli/cli.h"
#include "cli/genargs.h"
#include "dockerfile/parse.h"
#include "emit/buildflags.h"
#include "emit/emit.h"
#include "emit/genpaths.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

static const char gen_usage[] =
	"usage: df2ninja [options] [PATH]\n"
	"       df2ninja parse --dump FILE\n"
	"       df2ninja shell [-B DIR] [--failed] STAGE[/N] [-- CMD...]\n"
	"       df2ninja clean [DIR...]\n"
	"\n"
	"Write a build.ninja (or a GNU make file) that builds the image of a\n"
	"Dockerfile, one edge per step. PATH is the context directory holding\n"
	"the Dockerfile, or a Dockerfile whose directory is the context\n"
	"(default: .). Then run ninja.\n"
	"\n"
	"options:\n"
	"  -f FILE                the Dockerfile (default: PATH/Dockerfile)\n"
	"  --context DIR          the build context (default: PATH)\n"
	"  -o FILE                the file to write (default: build.ninja, or\n"
	"                         Makefile with -G make)\n"
	"  -B DIR                 the build dir (default: .df2ninja beside -o)\n"
	"  -G ninja|make          the generator (default: ninja)\n"
	"  --prefix P             make: prefix of every variable and target\n"
	"  --target STAGE         build STAGE instead of the last stage\n"
	"  --build-arg K[=V]      set a build arg (V from the environment\n"
	"                         when left out); repeatable\n"
	"  --platform P           the target platform (only the host's for now)\n"
	"  --output type=oci|docker|local,dest=PATH\n"
	"  --output type=registry,name=REF\n"
	"                         where the image goes (default: an OCI layout\n"
	"                         in the build dir); repeatable\n"
	"  -t NAME[:TAG]          name the image; repeatable\n"
	"  --push                 also push the image to every -t name\n"
	"  --pull[=true|false]    resolve registry tags again at every build\n"
	"  --network default|host|none|isolated\n"
	"                         the network of RUN steps (default: the\n"
	"                         host's): none, or a namespace of their own\n"
	"                         with outbound access through pasta or\n"
	"                         slirp4netns\n"
	"  --add-host HOST:IP     an /etc/hosts entry for RUN steps; repeatable\n"
	"  --no-cache             run every step again once, at the next build\n"
	"  --no-cache-filter STAGE[,STAGE]\n"
	"                         the same for those stages' steps\n"
	"  -q, --quiet            print nothing but the image ID (with\n"
	"                         `ninja --quiet`)\n"
	"  --progress auto|plain|tty|quiet\n"
	"                         the build's output (quiet: as -q)\n"
	"  --iidfile FILE         write the image ID (config digest) to FILE\n"
	"  --metadata-file FILE   write the image's digests to FILE (JSON)\n"
	"  --label K=V            a label in the image config; repeatable\n"
	"  --shm-size SIZE        the size of RUN's /dev/shm (e.g. 128m)\n"
	"  --ulimit NAME=SOFT[:HARD]\n"
	"                         a resource limit of RUN steps; repeatable\n"
	"  --allow security.insecure\n"
	"                         let RUN --security=insecure run unconfined\n"
	"  --rm, --force-rm, --compress, --provenance=false, --sbom=false\n"
	"                         accepted, meaning nothing here; docker build's\n"
	"                         other options are refused, saying why\n"
	"  --args-file FILE       read the options from FILE (used by the\n"
	"                         regeneration edge)\n"
	"  --version              print the version\n"
	"  --help                 print this help\n";

/* path made absolute from cwd, owned by a */
static const char *
from_cwd(struct genargs *a, const char *cwd, const char *path)
{
	char *abs;

	if (!path || path[0] == '/')
		return path;
	abs = fs_join(cwd, path);
	strv_push(&a->owned, abs);
	return abs;
}

static int
generate(struct genargs *a, struct err **errp)
{
	const struct genpaths_args pa = {
		.path = a->path, .file = a->file, .context = a->context,
		.output = a->output, .is_make = a->make,
	};
	autofree char *self = NULL;
	struct genpaths gp;
	struct dockerfile *df = NULL;
	struct graph *g = NULL;
	struct gen_opts go = { 0 };
	struct emit_opts eo = { 0 };
	struct buf text = BUF_INIT;
	struct strv user_outputs = STRV_INIT;
	struct emit_plans_job *job;
	struct err *emit_err = NULL;
	int r = -1, er;

	if (genpaths_name(&gp, &pa, errp) < 0 ||
	    dockerfile_load(gp.dockerfile, gp.dockerfile, &df, errp) < 0 ||
	    genpaths_resolve(&gp, a->builddir, errp) < 0)
		goto out;

	go.dockerfile = gp.dockerfile;
	go.dockerfile_rel = gp.dockerfile_rel;
	go.context_rel = gp.context_rel;
	go.dfignore_rel = gp.has_dfignore ? gp.dfignore_rel : NULL;
	go.builddir_rel = gp.builddir_rel;
	go.target = a->target;
	go.platform = a->platform;
	go.cwd = gp.out_dir;
	go.pull = a->pull;
	go.allow_insecure = a->allow_insecure;
	go.network = a->network;
	go.no_cache = a->no_cache;
	go.shm_size = a->shm_bytes;
	go.quiet = a->quiet;
	go.progress = a->progress;
	for (size_t i = 0; i < a->no_cache_filter.n; i++)
		strv_add(&go.no_cache_filter, a->no_cache_filter.v[i]);
	for (size_t i = 0; i < a->labels.n; i++)
		strv_add(&go.labels, a->labels.v[i]);
	for (size_t i = 0; i < a->add_hosts.n; i++)
		strv_add(&go.add_hosts, a->add_hosts.v[i]);
	for (size_t i = 0; i < a->ulimits.n; i++)
		strv_add(&go.ulimits, a->ulimits.v[i]);
	/* like an --output dest: the user's paths, from where df2ninja ran */
	go.iidfile = a->iidfile = from_cwd(a, gp.cwd, a->iidfile);
	go.metadata_file = a->metadata_file = from_cwd(a, gp.cwd, a->metadata_file);
	for (size_t i = 0; i < a->build_args.n; i++)
		strv_add(&go.build_args, a->build_args.v[i]);
	genpaths_outputs(&gp, &a->outputs, &a->tags, a->push, &user_outputs, &go.outputs);
	go.outputs_in_context = xcalloc(go.outputs.n + 1, sizeof(bool));
	genpaths_own(&gp, &go.outputs, &go.context_own, go.outputs_in_context);
	for (size_t i = 0; i < a->tags.n; i++)
		strv_add(&go.tags, a->tags.v[i]);

	/* -q: nothing but the image ID, at the end of the build */
	for (size_t i = 0; !a->quiet && i < df->warnings.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", df->warnings.v[i]);
	if (graph_build(df, &go, &g, errp) < 0)
		goto out;
	for (size_t i = 0; !a->quiet && i < g->warnings.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", g->warnings.v[i]);

	self = realpath("/proc/self/exe", NULL);
	if (!self)
		self = xstrdup("df2ninja");
	eo.output = gp.out_rel;
	eo.df2ninja = self;
	eo.builddir = gp.builddir_rel;
	eo.dockerfile = gp.dockerfile_rel;
	eo.dockerignore = gp.dockerignore_rel;
	eo.dfignore = gp.dfignore_rel;
	eo.dfignore_exists = gp.has_dfignore;
	eo.genargs = gp.genargs_rel;
	eo.prefix = a->prefix ? a->prefix : "";
	eo.version = PACKAGE_VERSION;

	if (genpaths_check_output(&gp, errp) < 0 ||
	    genargs_write(a, gp.dockerfile_rel, gp.context_rel, gp.out_rel,
			  gp.builddir_rel, &user_outputs, gp.genargs, errp) < 0)
		goto out;
	if (buildflags_nocache(g, gp.builddir, !a->make, errp) < 0)
		goto out;
	/* the plans are written while the build file is made in memory; a
	 * failure to write them is told first, as when one followed the other */
	job = emit_plans_start(g, gp.builddir);
	er = a->make ? emit_make(g, &eo, &text, &emit_err) :
		       emit_ninja(g, &eo, &text, &emit_err);
	if (emit_plans_wait(job, errp) < 0 ||
	    buildflags_progress(gp.builddir, a->progress, errp) < 0)
		goto out;
	if (er < 0) {
		*errp = steal_pointer(&emit_err);
		goto out;
	}
	if (fs_write_if_changed(gp.out_path, text.s ? text.s : "", text.len, NULL, errp) < 0)
		goto out;
	r = 0;
out:
	err_free(emit_err);
	buf_fini(&text);
	strv_fini(&go.build_args);
	strv_fini(&go.outputs);
	strv_fini(&go.context_own);
	free(go.outputs_in_context);
	strv_fini(&user_outputs);
	strv_fini(&go.tags);
	strv_fini(&go.no_cache_filter);
	strv_fini(&go.labels);
	strv_fini(&go.add_hosts);
	strv_fini(&go.ulimits);
	graph_free(g);
	dockerfile_free(df);
	genpaths_fini(&gp);
	return r;
}

int
cmd_gen(int argc, char **argv)
{
	struct genargs a;
	struct err *err = NULL;
	int r;

	genargs_init(&a);
	r = genargs_parse(&a, argc, argv, &err);
	if (r == GENARGS_HELP) {
		fputs(gen_usage, stdout);
		genargs_fini(&a);
		return 0;
	}
	if (r == GENARGS_VERSION) {
		printf("df2ninja %s\n", PACKAGE_VERSION);
		genargs_fini(&a);
		return 0;
	}
	if (r < 0) {
		int st = diag_usage("%s", err->msg);

		err_free(err);
		genargs_fini(&a);
		return st;
	}
	r = generate(&a, &err);
	genargs_fini(&a);
	return r < 0 ? diag_error(err) : 0;
}
