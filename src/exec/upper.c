#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/upper.h"
#include "image/layer_sum.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

static bool
is_dir(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* what plans of version 1 (plan/plan.h) kept: layers/<name>/<hex> and
 * the run dir layers/<name>.run; one failed unlinkat each once gone */
static void
remove_old_layout(const char *builddir, const char *name)
{
	autofree char *keep = xasprintf("%s/layers/%s", builddir, name);
	autofree char *run = xasprintf("%s/layers/%s.run", builddir, name);

	tree_remove_path(keep, NULL);
	tree_remove_path(run, NULL);
}

static int
begin(struct upper *u, const char *builddir, const char *name, bool has_work,
      struct err **errp)
{
	autofree char *stage_dir = NULL;

	memset(u, 0, sizeof(*u));
	u->upper = xasprintf("%s/layers/%s.upper", builddir, name);
	u->work = xasprintf("%s/layers/%s.work", builddir, name);
	u->keep = xasprintf("%s/layers/%s.", builddir, name);
	u->failed = xasprintf("%s/failed/%s", builddir, name);
	stage_dir = fs_dirname(u->upper);
	/* on ext4 without a journal every inode made costs a scan of those
	 * freed in the last minutes, and every inode freed makes later scans
	 * longer: a step makes no directory it can do without, and its work
	 * dir stays for its next run (overlayfs empties it at every mount) */
	if (fs_mkdir_p(stage_dir, errp) < 0 || tree_remove_path(u->upper, errp) < 0)
		return -1;
	remove_old_layout(builddir, name);
	if (mkdir(u->upper, 0755) < 0)
		return err_make(errp, errno, "cannot make '%s'", u->upper);
	if (!has_work) {
		/* one an earlier version made */
		if (rmdir(u->work) < 0 && errno != ENOENT)
			tree_remove_path(u->work, NULL);
	} else if (mkdir(u->work, 0755) < 0 && !(errno == EEXIST && is_dir(u->work))) {
		if (tree_remove_path(u->work, errp) < 0)
			return -1;
		if (mkdir(u->work, 0755) < 0)
			return err_make(errp, errno, "cannot make '%s'", u->work);
	}
	/* the root of the rootfs: 0755 root, as an image's / is */
	chmod(u->upper, 0755);
	return 0;
}

int
upper_begin(struct upper *u, const char *builddir, const char *name,
	    struct err **errp)
{
	return begin(u, builddir, name, true, errp);
}

int
upper_begin_bare(struct upper *u, const char *builddir, const char *name,
		 struct err **errp)
{
	return begin(u, builddir, name, false, errp);
}

/* the upper dir, unless it was kept */
static int
remove_upper(struct upper *u, struct err **errp)
{
	return tree_remove_path(u->upper, errp);
}

int
upper_commit(struct upper *u, char sum[DIGEST_LEN], char **dir,
	     struct err **errp)
{
	bool empty = false;
	char *final;

	*dir = NULL;
	if (layer_sum_dir(u->upper, sum, &empty, errp) < 0)
		return err_wrap(errp, "reading the step's changes");
	final = xasprintf("%s%s", u->keep, sum + 7);
	if (empty) {
		/*
		 * a step that changed nothing still makes a layer, as in
		 * BuildKit: the empty tar. Its dir is a fresh empty one (the
		 * upper may hold what a layer leaves out)
		 */
		if (mkdir(final, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			free(final);
			return err_make(errp, e, "cannot keep the empty layer in '%s'", u->keep);
		}
		*dir = final;
		return remove_upper(u, errp);
	}
	if (rename(u->upper, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			int e = errno;

			free(final);
			return err_make(errp, e, "cannot keep the layer in '%s'", u->upper);
		}
		/* the same content is kept already */
	}
	*dir = final;
	return remove_upper(u, errp);
}

void
upper_fail(struct upper *u)
{
	autofree char *parent = fs_dirname(u->failed);

	if (!u->upper)
		return;
	tree_remove_path(u->failed, NULL);
	if (fs_mkdir_p(parent, NULL) == 0)
		rename(u->upper, u->failed);
	remove_upper(u, NULL);
}

void
upper_forget_failure(const char *builddir, const char *name)
{
	autofree char *failed = xasprintf("%s/failed/%s", builddir, name);
	struct stat sb;

	/* the common case, no earlier failure, costs one lstat */
	if (lstat(failed, &sb) == 0)
		tree_remove_path(failed, NULL);
}

/* name is "<hex>", 64 lower-case hex digits, and nothing more */
static bool
is_hex64(const char *name)
{
	return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

void
upper_prune(struct upper *u, const char *keep_dir)
{
	autofree char *dir = fs_dirname(u->keep);
	const char *prefix = strrchr(u->keep, '/') + 1;	/* "<NN>." */
	const char *kept = keep_dir ? strrchr(keep_dir, '/') + 1 : NULL;
	size_t n = strlen(prefix);
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;

		/* only the layer dirs of this step, "<NN>.<hex>" */
		if (strncmp(de->d_name, prefix, n) != 0 || !is_hex64(de->d_name + n) ||
		    (kept && strcmp(de->d_name, kept) == 0))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		tree_remove_path(p, NULL);
		free(p);
	}
	closedir(d);
}

void
upper_fini(struct upper *u)
{
	free(u->upper);
	free(u->work);
	free(u->keep);
	free(u->failed);
	memset(u, 0, sizeof(*u));
}
