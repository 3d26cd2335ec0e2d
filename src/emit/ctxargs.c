#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit/ctxargs.h"
#include "emit/genpaths.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

#define DOCKER_IMAGE "docker-image://"
#define OCI_LAYOUT "oci-layout://"

static bool
has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* oci-layout://PATH[:TAG|@DIGEST] with PATH made absolute (it must be a
 * directory): the tag or digest is what follows the path's last '/' */
static int
oci_layout(const struct genpaths *gp, const char *spec, const char *v,
	   char **out, struct err **errp)
{
	autofree char *path = xstrdup(v + strlen(OCI_LAYOUT)), *abs = NULL;
	char *slash = strrchr(path, '/'), *at = strchr(slash ? slash : path, '@');
	char *colon = strchr(slash ? slash : path, ':');
	char *cut = at ? at : colon;
	autofree char *suffix = xstrdup(cut ? cut : "");
	struct stat st;

	if (cut)
		*cut = '\0';
	if (!*path)
		return err_make(errp, 0, "--build-context '%s' names no OCI layout", spec);
	abs = path[0] == '/' ? xstrdup(path) : fs_join(gp->cwd, path);
	if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_make(errp, 0, "--build-context '%s': '%s' is not an OCI "
				"layout directory", spec, path);
	*out = xasprintf(OCI_LAYOUT "%s%s", abs, suffix);
	return 0;
}

static int
one(const struct genpaths *gp, const char *spec, struct named_context *nc,
    struct strv *owned, struct strv *recorded, struct err **errp)
{
	autofree char *name = xstrdup(spec);
	char *v = strchr(name, '='), *value = NULL;

	*v++ = '\0';
	/* the name and an image reference are checked by graph_build */
	if (has_prefix(v, DOCKER_IMAGE)) {
		nc->kind = NAMED_CONTEXT_IMAGE;
		value = xstrdup(v + strlen(DOCKER_IMAGE));
		strv_add(recorded, spec);
	} else if (has_prefix(v, OCI_LAYOUT)) {
		autofree char *ref = NULL;

		if (oci_layout(gp, spec, v, &ref, errp) < 0)
			return -1;
		nc->kind = NAMED_CONTEXT_IMAGE;
		strv_push(recorded, xasprintf("%s=%s", name, ref));
		value = steal_pointer(&ref);
	} else if (strstr(v, "://") || has_prefix(v, "git@") || has_prefix(v, "input:")) {
		return err_make(errp, 0, "--build-context '%s': only a directory, "
				"docker-image:// and oci-layout:// are supported "
				"(git and URL contexts are not)", spec);
	} else {
		autofree char *real = NULL;
		struct stat st;

		if (fs_realpath(v, &real, errp) < 0)
			return err_wrap(errp, "--build-context '%s'", spec);
		if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
			return err_make(errp, 0, "--build-context '%s': '%s' is not a "
					"directory", spec, v);
		nc->kind = NAMED_CONTEXT_DIR;
		value = fs_relpath(real, gp->out_dir);
		if (strchr(value, '\n')) {
			free(value);
			return err_make(errp, 0, "a path with a newline cannot be "
					"written to a build file");
		}
		strv_push(recorded, xasprintf("%s=%s", name, value));
	}
	strv_push(owned, value);
	nc->value = value;
	strv_push(owned, steal_pointer(&name));
	nc->name = owned->v[owned->n - 1];
	return 0;
}

int
ctxargs_resolve(const struct genpaths *gp, const struct strv *specs,
		struct named_context **out, size_t *n, struct strv *owned,
		struct strv *recorded, struct err **errp)
{
	*out = xcalloc(specs->n + 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < specs->n; i++) {
		if (one(gp, specs->v[i], &(*out)[i], owned, recorded, errp) < 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (!strcmp((*out)[k].name, (*out)[i].name))
				return err_make(errp, 0, "--build-context '%s' is given "
						"twice", (*out)[i].name);
		*n = i + 1;
	}
	return 0;
}
