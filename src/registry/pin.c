#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "oci/ref.h"
#include "registry/pin.h"
#include "registry/progress.h"
#include "registry/pull.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/* a file name is at most 255 bytes; ".digest.lock" and mkstemp's suffix
 * must fit too */
#define NAME_KEEP 160

char *
pin_path(const char *builddir, const struct ref *r)
{
	autofree char *name = ref_file_name(r);
	char d[DIGEST_LEN];

	if (strlen(name) <= NAME_KEEP)
		return xasprintf("%s/pulls/%s.digest", builddir, name);
	/* a long name keeps its start, made unique by its digest */
	digest_buf(name, strlen(name), d);
	return xasprintf("%s/pulls/%.*s-%.32s.digest", builddir, NAME_KEEP - 40, name, d + 7);
}

int
pin_read(const char *path, char digest[DIGEST_LEN], struct err **errp)
{
	autofree char *text = NULL;
	struct err *e = NULL;
	size_t len;

	if (fs_read_file(path, &text, &len, &e) < 0) {
		int errnum = e ? e->errnum : 0;

		if (errnum == ENOENT) {
			err_free(e);
			return 1;
		}
		if (errp) {
			err_free(*errp);
			*errp = e;
		} else {
			err_free(e);
		}
		return -1;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (!digest_valid(text))
		return err_make(errp, 0, "'%s' does not hold a sha256 digest; remove it", path);
	memcpy(digest, text, DIGEST_LEN);
	return 0;
}

int
pin_write(const char *path, const char *digest, struct err **errp)
{
	autofree char *dir = fs_dirname(path);
	autofree char *line = xasprintf("%s\n", digest);

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	return fs_write_atomic(path, line, strlen(line), FS_WRITE_0644, errp);
}

bool
pin_refresh(void)
{
	const char *v = getenv("DF2NINJA_PULL");

	return v && strcmp(v, "1") == 0;
}

/* hold an exclusive lock on path (made if needed) until the fd closes */
static int
lock(const char *path, int *fdp, struct err **errp)
{
	autofree char *dir = fs_dirname(path);
	autoclose int fd = -1;

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (TEMP_FAILURE_RETRY_INT(flock(fd, LOCK_EX)) < 0)
		return err_make(errp, errno, "cannot lock '%s'", path);
	*fdp = steal_fd(&fd);
	return 0;
}

static int
load(const struct store *st, const char *builddir, const char *ref,
     bool refresh, struct pull_opts o, struct image *img, struct err **errp)
{
	struct ref rr;
	autofree char *path = NULL, *lockpath = NULL, *name = NULL;
	char pinned[DIGEST_LEN];
	autoclose int fd = -1;
	int r = -1, have;

	if (ref_parse(ref, &rr, errp) < 0)
		return -1;
	name = xstrdup(rr.full);
	o.progress_ctx = name;
	if (o.offline && !rr.digest[0] && (!builddir || refresh)) {
		r = 1;
		goto out;
	}
	if (rr.digest[0] || !builddir) {
		r = registry_pull(st, ref, &o, img, errp);
		goto out;
	}
	path = pin_path(builddir, &rr);
	if (o.platform) {
		/* another platform's manifest has a record of its own */
		char *p = xasprintf("%.*s@%s.digest", (int)(strlen(path) - strlen(".digest")),
				    path, o.platform);

		for (char *s = p + strlen(path) - strlen(".digest"); *s; s++)
			if (*s == '/')
				*s = '_';
		free(path);
		path = p;
	}
	lockpath = xasprintf("%s.lock", path);
	if (lock(lockpath, &fd, errp) < 0)
		goto out;
	have = refresh ? 1 : pin_read(path, pinned, errp);
	if (have < 0)
		goto out;
	if (have == 1 && o.offline) {
		r = 1;
		goto out;
	}
	if (have == 0)
		o.pinned = pinned;
	if (registry_pull(st, ref, &o, img, errp) < 0) {
		if (have == 0)
			err_wrap(errp, "'%s' was resolved to %s earlier in this build dir "
				 "(recorded in '%s'; DF2NINJA_PULL=1 resolves it again)",
				 ref, pinned, path);
		goto out;
	}
	if ((have == 1 || strcmp(pinned, img->manifest_digest) != 0) &&
	    pin_write(path, img->manifest_digest, errp) < 0)
		goto out;
	r = 0;
out:
	ref_fini(&rr);
	return r;
}

int
registry_load(const struct store *st, const char *builddir, const char *ref,
	      const char *platform, bool refresh, struct image *img, struct err **errp)
{
	struct pull_opts o = { NULL, progress_print, NULL, false, false, platform };

	return load(st, builddir, ref, refresh, o, img, errp);
}

int
registry_load_config(const struct store *st, const char *builddir,
		     const char *ref, bool refresh, bool offline,
		     struct image *img, struct err **errp)
{
	struct pull_opts o = { NULL, NULL, NULL, true, offline, NULL };

	return load(st, builddir, ref, refresh, o, img, errp);
}
