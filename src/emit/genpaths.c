#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit/builddir.h"
#include "emit/genpaths.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strv.h"

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* path lies strictly below dir (both absolute and clean) */
static bool
path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/' && path[1];
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* ctx is a context df2ninja fetched into the build dir bd */
static bool
is_fetched(const char *ctx, const char *bd)
{
	autofree char *unpacked = fs_join(bd, "context"), *git = fs_join(bd, "git");

	return path_below(ctx, unpacked) || path_below(ctx, git);
}

static int
refuse_newline(const char *const *paths, size_t n, struct err **errp)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(paths[i], '\n'))
			return err_make(errp, 0, "a path with a newline cannot be "
					"written to a build file");
	return 0;
}

static const char *
output_name(const struct genpaths_args *a)
{
	return a->output ? a->output : a->is_make ? "Makefile" : "build.ninja";
}

char *
genpaths_builddir(const struct genpaths_args *a, const char *builddir)
{
	autofree char *d = fs_dirname(output_name(a));

	return builddir ? xstrdup(builddir) : fs_join(d, ".df2ninja");
}

int
genpaths_name(struct genpaths *gp, const struct genpaths_args *a,
	      struct err **errp)
{
	memset(gp, 0, sizeof(*gp));
	gp->cwd = getcwd(NULL, 0);
	if (!gp->cwd)
		return err_make(errp, errno, "cannot get the current directory");
	if (a->file && !strcmp(a->file, "-")) {
		/* docker build -f - PATH: the context must be named */
		if (!a->path && !a->context)
			return err_make(errp, 0, "-f - reads the Dockerfile from stdin: "
					"give the context as PATH");
		if (a->path && !strcmp(a->path, "-"))
			return err_make(errp, 0, "-f - and PATH - both read stdin");
		gp->is_stdin = true;
		gp->context = xstrdup(a->context ? a->context : a->path);
	} else if (a->path && !strcmp(a->path, "-")) {
		if (a->file || a->context)
			return err_make(errp, 0, "PATH - (a Dockerfile on stdin, no context) "
					"takes neither -f nor --context");
		gp->is_stdin = gp->is_empty_context = true;
	} else if (a->path && !is_dir(a->path) && !a->file) {
		gp->dockerfile = xstrdup(a->path);
		gp->context = a->context ? xstrdup(a->context) : fs_dirname(a->path);
	} else {
		const char *p = a->path ? a->path : ".";

		gp->dockerfile = a->file ? xstrdup(a->file) : fs_join(p, "Dockerfile");
		gp->context = xstrdup(a->context ? a->context : p);
	}
	gp->output = xstrdup(output_name(a));
	return refuse_newline((const char *[]){ gp->output,
						gp->dockerfile ? gp->dockerfile : "",
						gp->context ? gp->context : "" }, 3, errp);
}

/* the output's dir is where ninja runs. Made when missing, as the build
 * dir is (`-o build/build.ninja` as `cmake -B build`) */
static int
output_dir(struct genpaths *gp, struct err **errp)
{
	autofree char *d = fs_dirname(gp->output);
	const char *slash = strrchr(gp->output, '/');

	if (fs_mkdir_p(d, errp) < 0 || fs_realpath(d, &gp->out_dir, errp) < 0)
		return -1;
	gp->out_rel = xstrdup(slash ? slash + 1 : gp->output);
	gp->out_path = fs_join(gp->out_dir, gp->out_rel);
	return 0;
}

/* the Dockerfile read from stdin, kept in the build dir so that the
 * regeneration edge reads the copy; an empty dir as the context of PATH - */
static int
stdin_files(struct genpaths *gp, struct err **errp)
{
	gp->dockerfile = fs_join(gp->builddir, "Dockerfile.stdin");
	if (fs_write_if_changed(gp->dockerfile, gp->stdin_text ? gp->stdin_text : "",
				gp->stdin_len, NULL, errp) < 0)
		return -1;
	if (!gp->is_empty_context)
		return 0;
	gp->context = fs_join(gp->builddir, "empty-context");
	if (mkdir(gp->context, 0755) < 0 && errno != EEXIST)
		return err_make(errp, errno, "cannot make '%s'", gp->context);
	return 0;
}

static int
check_context(const struct genpaths *gp, const char *ctx, struct err **errp)
{
	if (!is_dir(ctx))
		return err_make(errp, 0, "context '%s' is not a directory", gp->context);
	return 0;
}

/* the context df2ninja made for PATH - */
static bool
is_empty_context(const struct genpaths *gp, const char *ctx)
{
	autofree char *empty = fs_join(gp->builddir, "empty-context");

	return !strcmp(ctx, empty);
}

int
genpaths_resolve(struct genpaths *gp, const char *builddir, struct err **errp)
{
	autofree char *df = NULL, *ctx = NULL, *ign = NULL, *dfign = NULL;

	/* the Dockerfile on stdin is written to the build dir, made below */
	if (!gp->is_stdin && (fs_realpath(gp->dockerfile, &df, errp) < 0 ||
			      fs_realpath(gp->context, &ctx, errp) < 0 ||
			      check_context(gp, ctx, errp) < 0))
		return -1;
	if (output_dir(gp, errp) < 0)
		return -1;
	if (builddir) {
		if (builddir_make(builddir, errp) < 0 ||
		    fs_realpath(builddir, &gp->builddir, errp) < 0)
			return -1;
	} else {
		gp->builddir = fs_join(gp->out_dir, ".df2ninja");
		if (builddir_make(gp->builddir, errp) < 0)
			return -1;
	}
	if (gp->is_stdin && (stdin_files(gp, errp) < 0 ||
			     fs_realpath(gp->dockerfile, &df, errp) < 0 ||
			     fs_realpath(gp->context, &ctx, errp) < 0 ||
			     check_context(gp, ctx, errp) < 0))
		return -1;
	/* PATH -: the empty context df2ninja made there (also when read
	 * again from gen.args); a URL's, fetched there */
	if (!is_empty_context(gp, ctx) && !is_fetched(ctx, gp->builddir) &&
	    (path_below(ctx, gp->builddir) || !strcmp(gp->builddir, ctx)))
		return err_make(errp, 0, "the build dir '%s' holds the context '%s'; "
				"choose another with -B", gp->builddir, gp->context);
	gp->context_abs = xstrdup(ctx);
	ign = fs_join(ctx, ".dockerignore");
	gp->genargs = fs_join(gp->builddir, "gen.args");
	gp->dockerfile_rel = fs_relpath(df, gp->out_dir);
	gp->context_rel = fs_relpath(ctx, gp->out_dir);
	gp->builddir_rel = fs_relpath(gp->builddir, gp->out_dir);
	gp->dockerignore_rel = fs_relpath(ign, gp->out_dir);
	/* BuildKit's dockerui reads <Dockerfile>.dockerignore beside the
	 * Dockerfile (named as given, a symlink not followed) first; the
	 * context's only when it is missing */
	{
		autofree char *named = fs_dirname(gp->dockerfile), *dir = NULL;
		const char *base = strrchr(gp->dockerfile, '/');

		if (fs_realpath(named, &dir, errp) < 0)
			return -1;
		dfign = xasprintf("%s/%s.dockerignore", strcmp(dir, "/") ? dir : "",
				  base ? base + 1 : gp->dockerfile);
	}
	gp->dfignore_rel = fs_relpath(dfign, gp->out_dir);
	gp->has_dfignore = access(dfign, F_OK) == 0;
	gp->genargs_rel = fs_relpath(gp->genargs, gp->out_dir);
	return refuse_newline((const char *[]){ gp->builddir_rel, gp->context_rel,
						gp->dockerfile_rel }, 3, errp);
}

/*
 * an absolute path as the filesystem will see it: its symlinks resolved
 * when it exists, else its dir's, else lexically cleaned
 */
static char *
real_or_planned(const char *path)
{
	autofree char *clean = path_clean(path, 0), *dir = NULL, *rdir = NULL;
	char *r = realpath(clean, NULL);

	if (r)
		return r;
	dir = fs_dirname(clean);
	rdir = realpath(dir, NULL);
	if (!rdir)
		return steal_pointer(&clean);
	return fs_join(rdir, clean + strlen(dir) + (strcmp(dir, "/") != 0));
}

/* path, relative to the context, added to own when it lies inside */
static bool
own_add(const struct genpaths *gp, const char *path, struct strv *own)
{
	autofree char *real = real_or_planned(path);

	if (!path_below(real, gp->context_abs))
		return false;
	strv_add(own, real + strlen(gp->context_abs) + (strcmp(gp->context_abs, "/") != 0));
	return true;
}

/* the file or dir an --output value writes, or NULL (a registry, stdout) */
static char *
output_dest(const struct genpaths *gp, const char *spec)
{
	autofree char *copy = xstrdup(spec);
	const char *dest = NULL;
	bool file = true;
	char *save = NULL;

	if (!strchr(spec, '='))
		dest = spec;
	for (char *kv = dest ? NULL : strtok_r(copy, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		if (!strncmp(kv, "dest=", 5))
			dest = kv + 5;
		else if (!strcmp(kv, "type=registry"))
			file = false;
	}
	if (!file || !dest || !*dest || !strcmp(dest, "-"))
		return NULL;
	return fs_join(gp->cwd, dest);
}

void
genpaths_own(const struct genpaths *gp, const struct strv *outputs,
	     struct strv *own, bool *in_context)
{
	own_add(gp, gp->builddir, own);
	own_add(gp, gp->out_path, own);
	for (size_t i = 0; i < outputs->n; i++) {
		autofree char *dest = output_dest(gp, outputs->v[i]);

		in_context[i] = dest && own_add(gp, dest, own);
	}
}

/* an --output value with a relative dest= made absolute from cwd */
static char *
absolute_output(const char *spec, const char *cwd)
{
	struct buf b = BUF_INIT;
	autofree char *copy = xstrdup(spec);
	char *save = NULL;
	bool first = true;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (!first)
			buf_putc(&b, ',');
		first = false;
		if (strncmp(kv, "dest=", 5) == 0 && kv[5] && kv[5] != '/' &&
		    strcmp(kv + 5, "-") != 0) {
			autofree char *p = fs_join(cwd, kv + 5);

			buf_printf(&b, "dest=%s", p);
		} else {
			buf_puts(&b, kv);
		}
	}
	return buf_steal(&b);
}

void
genpaths_outputs(const struct genpaths *gp, const struct strv *outputs,
		 const struct strv *tags, bool is_push, struct strv *recorded,
		 struct strv *all)
{
	for (size_t i = 0; i < outputs->n; i++) {
		char *o = absolute_output(outputs->v[i], gp->cwd);

		strv_add(all, o);
		strv_push(recorded, o);
	}
	/* --push: the image goes to every -t name, besides the outputs */
	if (is_push) {
		if (outputs->n == 0)
			strv_push(all, xasprintf("type=oci,dest=%s/image", gp->builddir_rel));
		for (size_t i = 0; i < tags->n; i++)
			strv_push(all, xasprintf("type=registry,name=%s", tags->v[i]));
	}
}

int
genpaths_check_output(const struct genpaths *gp, struct err **errp)
{
	char head[256];
	size_t n;
	FILE *f;

	f = fopen(gp->out_path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
	} else {
		n = fread(head, 1, sizeof(head) - 1, f);
		fclose(f);
		head[n] = '\0';
		if (n == 0 || strstr(head, "generated by df2ninja"))
			return 0;
	}
	return err_make(errp, 0, "'%s' exists and was not written by df2ninja; "
			"remove it or choose another file with -o", gp->output);
}

void
genpaths_fini(struct genpaths *gp)
{
	free(gp->cwd);
	free(gp->dockerfile);
	free(gp->context);
	free(gp->output);
	free(gp->out_dir);
	free(gp->out_path);
	free(gp->builddir);
	free(gp->context_abs);
	free(gp->genargs);
	free(gp->out_rel);
	free(gp->dockerfile_rel);
	free(gp->context_rel);
	free(gp->builddir_rel);
	free(gp->dockerignore_rel);
	free(gp->dfignore_rel);
	free(gp->genargs_rel);
	free(gp->stdin_text);
	memset(gp, 0, sizeof(*gp));
}
