#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli/cli.h"
#ifdef HAVE_EXECUTOR
#include "exec/baseinfo.h"
#include "exec/cachecfg.h"
#include "exec/remotectx.h"
#endif
#include "cli/genargs.h"
#include "dockerfile/parse.h"
#include "emit/builddir.h"
#include "emit/buildflags.h"
#include "emit/ctxargs.h"
#include "emit/dot.h"
#include "emit/emit.h"
#include "emit/genpaths.h"
#include "graph/graph.h"
#include "graph/lint.h"
#include "plan/secretsrc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/giturl.h"
#include "util/strv.h"

/*
 * df2ninja-run beside this binary (the build tree) or where it is
 * installed, NULL when neither is there; only with the executor, whose
 * `exec serve` it starts
 */
static char *
find_run(const char *self)
{
#ifdef HAVE_EXECUTOR
	const char *slash = strrchr(self, '/');
	char *p;

	if (slash) {
		p = xasprintf("%.*s/df2ninja-run", (int)(slash - self), self);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	if (access(PKGLIBEXECDIR "/df2ninja-run", X_OK) == 0)
		return xstrdup(PKGLIBEXECDIR "/df2ninja-run");
#else
	(void)self;
#endif
	return NULL;
}

static const char gen_usage[] =
	"usage: df2ninja [options] [PATH]\n"
	"       df2ninja COMMAND [ARG...]\n"
	"\n"
	"Write a build.ninja (or a GNU make file) that builds the image of a\n"
	"Dockerfile, one edge per step. PATH is the context directory holding\n"
	"the Dockerfile, or a Dockerfile whose directory is the context\n"
	"(default: .), or a Git URL (#ref:subdir), an http(s) URL of a tar\n"
	"archive or such a file, fetched into the build dir; PATH - reads a\n"
	"Dockerfile from stdin, with an empty context. Then run ninja.\n"
	"\n"
	"options:\n"
	"  -f FILE                the Dockerfile (default: PATH/Dockerfile);\n"
	"                         -f - reads it from stdin (kept in the build\n"
	"                         dir as Dockerfile.stdin), PATH is the context\n"
	"  --context DIR          the build context (default: PATH)\n"
	"  --build-context NAME=DIR|docker-image://REF|oci-layout://PATH[:TAG]\n"
	"                         a named context: FROM NAME, COPY --from=NAME\n"
	"                         and RUN --mount=from=NAME read it instead of\n"
	"                         the image NAME; repeatable\n"
	"  -o FILE                the file to write (default: build.ninja, or\n"
	"                         Makefile with -G make)\n"
	"  -B DIR                 the build dir (default: .df2ninja beside -o)\n"
	"  -G ninja|make          the generator (default: ninja)\n"
	"  --prefix P             make: prefix of every variable and target\n"
	"  --target STAGE         build STAGE instead of the last stage\n"
	"  --build-arg K[=V]      set a build arg (V from the environment\n"
	"                         when left out); repeatable\n"
	"  --platform P[,P...]    the target platform(s) (default: the host's);\n"
	"                         several: one subgraph each, one image index\n"
	"  --output type=oci|docker|local,dest=PATH\n"
	"  --output type=registry,name=REF\n"
	"                         where the image goes (default: an OCI layout\n"
	"                         in the build dir); repeatable\n"
	"  -t NAME[:TAG]          name the image; repeatable\n"
	"  --push                 also push the image to every -t name\n"
	"  --load                 also load the image into docker (or podman\n"
	"                         when docker is missing) after the build\n"
	"  --pull[=true|false]    resolve registry tags again at every build\n"
	"  --check                run BuildKit's build checks, print their\n"
	"                         warnings and write nothing (exit 1 on any)\n"
	"  --network default|host|none|isolated\n"
	"                         the network of RUN steps (default: the\n"
	"                         host's): none, or a namespace of their own\n"
	"                         with outbound access through pasta or\n"
	"                         slirp4netns\n"
	"  --add-host HOST:IP     an /etc/hosts entry for RUN steps; repeatable\n"
	"  --secret id=ID[,src=FILE|,env=VAR][,type=file|env]\n"
	"                         a secret for RUN --mount=type=secret (id alone:\n"
	"                         the variable ID if set, else the file ID); read\n"
	"                         when the step runs, never stored; repeatable\n"
	"  --ssh ID[=SOCKET]      an ssh agent for RUN --mount=type=ssh (default:\n"
	"                         $SSH_AUTH_SOCK); repeatable\n"
	"  --no-cache             run every step again once, at the next build\n"
	"  --no-cache-filter STAGE[,STAGE]\n"
	"                         the same for those stages' steps\n"
	"  --cache-to type=registry,ref=HOST/REPO\n"
	"                         share each RUN step's result through that\n"
	"                         registry, pushed beside the build\n"
	"  --cache-from type=registry,ref=HOST/REPO\n"
	"                         take a RUN step's result from there when\n"
	"                         another build shared it; repeatable\n"
	"  -q, --quiet            print nothing but the image ID (with\n"
	"                         `ninja --quiet`)\n"
	"  --progress auto|plain|tty|quiet\n"
	"                         what a RUN step prints (default: auto): its\n"
	"                         last lines and a live status line on the\n"
	"                         terminal; plain: all its output; quiet: as\n"
	"                         -q. DF2NINJA_PROGRESS in the build's\n"
	"                         environment overrides it\n"
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
	"  --help                 print this help\n"
	"\n"
	"commands (`df2ninja help COMMAND` or `df2ninja COMMAND --help` prints\n"
	"one's usage):\n"
	"  shell [-B DIR] [--failed] STAGE[/N] [-- CMD...]\n"
	"                         a shell in the root filesystem a step left\n"
	"  parse --dump FILE      print a Dockerfile's instructions as BuildKit\n"
	"                         parses them\n"
	"  clean [DIR...]         remove build dirs, rootless ones too\n"
	"  gc [--keep-storage SIZE] [--keep-duration DUR]\n"
	"                         remove from the image store what no build dir\n"
	"                         references any more (alias: prune)\n"
	"  trace [-B DIR]         a Perfetto trace and an SVG timeline of the\n"
	"                         last build, with its critical path\n"
	"  graph [-o FILE] [options] [PATH]\n"
	"                         the stage graph as Graphviz dot (and SVG)\n"
	"  help [COMMAND]         this help, or COMMAND's\n"
	"  exec KIND --plan P --out STAMP\n"
	"                         internal: one edge of build.ninja, as ninja\n"
	"                         runs it\n";

/* the Dockerfile on stdin; a tar archive there (docker build - < ctx.tar)
 * would be a whole context, which df2ninja does not take */
static int
read_stdin(struct genpaths *gp, struct err **errp)
{
	if (fs_read_file("/dev/stdin", &gp->stdin_text, &gp->stdin_len, errp) < 0)
		return err_wrap(errp, "reading the Dockerfile from stdin");
	if (gp->stdin_len > 262 && !memcmp(gp->stdin_text + 257, "ustar", 5))
		return err_make(errp, 0, "stdin holds a tar archive: a context "
				"on stdin is not supported (give a directory)");
	return 0;
}

/*
 * BuildKit's build checks: with --check (is_check) or a "# check="
 * directive, warnings on stderr. Returns 1 when --check found some, -1
 * when "# check=...error=true" makes them an error, else 0.
 */
static int
lint(const struct dockerfile *df, bool is_check, struct err **errp)
{
	struct lint_config cfg;
	struct strv out = STRV_INIT, rules = STRV_INIT;
	struct buf b = BUF_INIT;
	size_t n = 0;
	int r = 0;

	if (lint_config_parse(df, &cfg, errp) < 0) {
		lint_config_fini(&cfg);
		return -1;
	}
	if (is_check || df->check)
		n = lint_run(df, &cfg, &out, &rules);
	for (size_t i = 0; i < out.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", out.v[i]);
	if (n && is_check) {
		r = 1;
	} else if (n && cfg.is_error) {
		for (size_t i = 0; i < rules.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", rules.v[i]);
		r = err_make(errp, 0, "%s:%d: error: lint violation found for rules: %s",
			     df->name, df->check_line, buf_str(&b));
	}
	buf_fini(&b);
	strv_fini(&out);
	strv_fini(&rules);
	lint_config_fini(&cfg);
	return r;
}

/* read the Dockerfile and run its checks: -1 an error, 1 --check found
 * something, else 0 */
static int
load_linted(struct genpaths *gp, bool is_check, struct dockerfile **df, struct err **errp)
{
	if (dockerfile_load(gp->dockerfile, gp->dockerfile, df, errp) < 0)
		return -1;
	return lint(*df, is_check, errp);
}

/* --secret and --ssh: where each comes from; the args file records
 * them resolved (a file's absolute path, the variable named) */
static int
resolve_sources(struct genargs *a, struct secretsrc *s, struct err **errp)
{
	for (size_t i = 0; i < a->secrets.n; i++)
		if (secretsrc_add_secret(s, a->secrets.v[i], errp) < 0)
			return -1;
	for (size_t i = 0; i < a->ssh.n; i++)
		if (secretsrc_add_ssh(s, a->ssh.v[i], errp) < 0)
			return -1;
	strv_fini(&a->secrets);
	strv_fini(&a->ssh);
	for (size_t i = 0; i < s->n; i++)
		strv_add(s->v[i].is_ssh ? &a->ssh : &a->secrets, s->v[i].opt);
	return 0;
}

/*
 * PATH a URL or an archive (exec/remotectx.h): fetch it into the build dir
 * and name that copy in pa, -f taken inside it; *keep owns the strings
 */
static int
fetch_context(const struct genargs *a, struct genpaths_args *pa, struct strv *keep,
	      struct err **errp)
{
#ifdef HAVE_EXECUTOR
	autofree char *bd = NULL, *parent = NULL;
	char *dir;

	if (!a->path || !remotectx_is(a->path))
		return 0;
	if (a->context)
		return err_make(errp, 0, "--context cannot be given with a "
				"context that is a URL or an archive: '%s'", a->path);
	bd = genpaths_builddir(pa, a->builddir);
	parent = fs_dirname(bd);
	if (fs_mkdir_p(parent, errp) < 0 || builddir_make(bd, errp) < 0 ||
	    remotectx_fetch(bd, a->path, &dir, errp) < 0)
		return -1;
	strv_push(keep, dir);
	pa->path = dir;
	if (a->file && a->file[0] != '/') {
		char *f = fs_join(dir, a->file);

		strv_push(keep, f);
		pa->file = f;
	}
	return 0;
#else
	(void)pa;
	(void)keep;
	if (a->path && (giturl_is(a->path) || !strncmp(a->path, "http://", 7) ||
			!strncmp(a->path, "https://", 8)))
		return err_make(errp, 0, "a context that is a URL needs the "
				"executor (configure --disable-executor): '%s'", a->path);
	return 0;
#endif
}

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

/*
 * generate what a asks for; with dot set, stop once the graph is built:
 * *dot gets its stage graph (emit/dot.h) and *dot_builddir the build dir
 * as named from the cwd, and no build file, plan or args file is written
 */
/* --cache-from and --cache-to checked, and into <builddir>/cache.conf
 * when builddir is not NULL; *push: steps get a push edge */
static int
write_cachecfg(struct genargs *a, const char *builddir, bool *push,
	       struct err **errp)
{
#ifdef HAVE_EXECUTOR
	struct cachecfg c = { 0 };
	int r = 0;

	/* the args file keeps the dirs of type=local as this run sees them */
	for (size_t i = 0; !builddir && i < a->cache_from.n; i++) {
		char *abs = cachecfg_absolute(a->cache_from.v[i]);

		free(a->cache_from.v[i]);
		a->cache_from.v[i] = abs;
	}
	for (size_t i = 0; !builddir && i < a->cache_to.n; i++) {
		char *abs = cachecfg_absolute(a->cache_to.v[i]);

		free(a->cache_to.v[i]);
		a->cache_to.v[i] = abs;
	}

	for (size_t i = 0; r == 0 && i < a->cache_from.n; i++)
		r = cachecfg_add(&c, false, a->cache_from.v[i], errp);
	for (size_t i = 0; r == 0 && i < a->cache_to.n; i++)
		r = cachecfg_add(&c, true, a->cache_to.v[i], errp);
	if (r == 0 && a->make && cachecfg_has_to(&c))
		r = err_make(errp, 0, "--cache-to is not supported with -G make yet: "
			     "its pushes are edges of build.ninja's pool registry");
	if (r < 0)
		err_set_status(errp, 2);	/* a usage error */
	else if (builddir)
		r = cachecfg_write(&c, builddir, errp);
	*push = cachecfg_has_to(&c);
	cachecfg_fini(&c);
	return r;
#else
	*push = false;
	if (a->cache_from.n || a->cache_to.n)
		return err_make(errp, 0, "--cache-from and --cache-to need the executor, "
				"which this df2ninja was built without");
	return 0;
#endif
}

static int
generate(struct genargs *a, char **dot, char **dot_builddir, struct err **errp)
{
	struct genpaths_args pa = {
		.path = a->path, .file = a->file, .context = a->context,
		.output = a->output, .is_make = a->make,
	};
	autofree char *self = NULL;
	autofree char *run = NULL;
	struct genpaths gp;
	struct dockerfile *df = NULL;
	struct graph *g = NULL;
	struct gen_opts go = { 0 };
	struct emit_opts eo = { 0 };
	struct buf text = BUF_INIT;
	struct strv user_outputs = STRV_INIT, fetched = STRV_INIT;
	struct strv ctx_owned = STRV_INIT, ctx_recorded = STRV_INIT;
	struct secretsrc sources = SECRETSRC_INIT;
	autofree char *sources_path = NULL;
	struct emit_plans_job *job;
	struct err *emit_err = NULL;
	int r = -1, er;
#ifdef HAVE_EXECUTOR
	struct baseinfo bi = { 0 };
#endif

	memset(&gp, 0, sizeof(gp));
	if (fetch_context(a, &pa, &fetched, errp) < 0 ||
	    genpaths_name(&gp, &pa, errp) < 0)
		goto out;
	if (gp.is_stdin && dot) {
		err_make(errp, 0, "graph reads the Dockerfile from a file: give -f FILE, not -f -");
		goto out;
	}
	if (gp.is_stdin && read_stdin(&gp, errp) < 0)
		goto out;
	/*
	 * --check writes nothing, so it runs before the build dir is made,
	 * on stdin's text where it is (the build's copy is left alone); a
	 * build reads a Dockerfile from stdin from its copy kept there
	 */
	if (gp.is_stdin && a->check) {
		if (dockerfile_parse("Dockerfile", gp.stdin_text ? gp.stdin_text : "",
				     gp.stdin_len, &df, errp) < 0)
			goto out;
		r = lint(df, a->check, errp);
		goto out;
	}
	if (!gp.is_stdin && ((r = load_linted(&gp, a->check, &df, errp)) != 0 || a->check))
		goto out;
	r = -1;
	if (genpaths_resolve(&gp, a->builddir, errp) < 0)
		goto out;
	if (gp.is_stdin && ((r = load_linted(&gp, a->check, &df, errp)) != 0 || a->check))
		goto out;
	r = -1;
	if (ctxargs_resolve(&gp, &a->contexts, &go.contexts, &go.ncontexts, &ctx_owned,
			    &ctx_recorded, errp) < 0)
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
#ifdef HAVE_EXECUTOR
	/* a base image's ONBUILD triggers become steps of its stage */
	bi.out_dir = gp.out_dir;
	bi.builddir = gp.builddir;
	bi.pull = a->pull;
	go.base_config = baseinfo_onbuild;
	go.base_config_ctx = &bi;
#endif
	go.allow_insecure = a->allow_insecure;
	go.network = a->network;
	if (resolve_sources(a, &sources, errp) < 0)
		goto out;
	go.sources = &sources;
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
	/* --load: a docker archive in the build dir, handed to docker load */
	if (a->load)
		strv_push(&go.outputs, xasprintf("type=docker,dest=%s/load.tar,load=true",
						 gp.builddir_rel));
	go.outputs_in_context = xcalloc(go.outputs.n + 1, sizeof(bool));
	genpaths_own(&gp, &go.outputs, &go.context_own, go.outputs_in_context);
	for (size_t i = 0; i < a->tags.n; i++)
		strv_add(&go.tags, a->tags.v[i]);

	/* -q: nothing but the image ID, at the end of the build */
	for (size_t i = 0; !a->quiet && i < df->warnings.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", df->warnings.v[i]);
	if (graph_build_multi(df, &go, &g, errp) < 0)
		goto out;
	for (size_t i = 0; !a->quiet && i < g->warnings.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", g->warnings.v[i]);
	if (dot) {
		if (dot_stage_graph(g, &text, errp) < 0)
			goto out;
		*dot = buf_steal(&text);
		*dot_builddir = fs_relpath(gp.builddir, gp.cwd);
		r = 0;
		goto out;
	}

	self = realpath("/proc/self/exe", NULL);
	if (!self)
		self = xstrdup("df2ninja");
	eo.output = gp.out_rel;
	eo.df2ninja = self;
	run = find_run(self);
	eo.run = run;
	eo.builddir = gp.builddir_rel;
	eo.dockerfile = gp.dockerfile_rel;
	eo.dockerignore = gp.dockerignore_rel;
	eo.dfignore = gp.dfignore_rel;
	eo.dfignore_exists = gp.has_dfignore;
	eo.genargs = gp.genargs_rel;
	eo.prefix = a->prefix ? a->prefix : "";
	eo.version = PACKAGE_VERSION;

	if (write_cachecfg(a, NULL, &eo.cache_push, errp) < 0 ||
	    genpaths_check_output(&gp, errp) < 0 ||
	    genargs_write(a, gp.dockerfile_rel, gp.context_rel, gp.out_rel,
			  gp.builddir_rel, &user_outputs, &ctx_recorded, gp.genargs,
			  errp) < 0)
		goto out;
	if (buildflags_nocache(g, gp.builddir, !a->make, errp) < 0 ||
	    write_cachecfg(a, gp.builddir, &eo.cache_push, errp) < 0)
		goto out;
	/* the plans are written while the build file is made in memory; a
	 * failure to write them is told first, as when one followed the other */
	sources_path = fs_join(gp.builddir, "secrets");
	if (fs_mkdir_p(gp.builddir, errp) < 0 ||
	    secretsrc_write(&sources, sources_path, errp) < 0)
		goto out;
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
	strv_fini(&ctx_owned);
	strv_fini(&ctx_recorded);
	free(go.contexts);
	strv_fini(&fetched);
	strv_fini(&go.tags);
	strv_fini(&go.no_cache_filter);
	strv_fini(&go.labels);
	strv_fini(&go.add_hosts);
	strv_fini(&go.ulimits);
	graph_free(g);
#ifdef HAVE_EXECUTOR
	baseinfo_fini(&bi);
#endif
	secretsrc_fini(&sources);
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
	r = generate(&a, NULL, NULL, &err);
	genargs_fini(&a);
	return r < 0 ? diag_error(err) : r;
}

int
gen_stage_graph(struct genargs *a, char **dot, char **builddir, struct err **errp)
{
	return generate(a, dot, builddir, errp);
}
