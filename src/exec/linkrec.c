#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec/linkrec.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

int
linkrec_write(const char *stamp, const char *sum, const char *key, struct err **errp)
{
	autofree char *dir = fs_dirname(stamp);
	autofree char *line = xasprintf("%s %s\n", sum, key);

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	return fs_write_if_changed(stamp, line, strlen(line), NULL, errp);
}

static bool
is_digest(const char *s, size_t n)
{
	return n == DIGEST_LEN - 1 && strncmp(s, "sha256:", 7) == 0 &&
	       strspn(s + 7, "0123456789abcdef") >= 64;
}

bool
linkrec_read(const char *stamp, char sum[DIGEST_LEN], char key[DIGEST_LEN])
{
	autofree char *data = NULL;
	struct err *e = NULL;
	size_t len;

	if (fs_read_file(stamp, &data, &len, &e) < 0) {
		err_free(e);
		return false;
	}
	/* "<sum> <key>\n" */
	if (len != 2 * DIGEST_LEN || data[DIGEST_LEN - 1] != ' ' ||
	    data[len - 1] != '\n' || !is_digest(data, DIGEST_LEN - 1) ||
	    !is_digest(data + DIGEST_LEN, DIGEST_LEN - 1))
		return false;
	memcpy(sum, data, DIGEST_LEN - 1);
	sum[DIGEST_LEN - 1] = '\0';
	memcpy(key, data + DIGEST_LEN, DIGEST_LEN - 1);
	key[DIGEST_LEN - 1] = '\0';
	return true;
}

char *
linkrec_layer_dir(const char *builddir, const char *name, const char *sum)
{
	/* as upper_commit names a kept dir */
	return xasprintf("%s/layers/%s.link.%s", builddir, name, sum + 7);
}

char *
linkrec_upper_name(const char *name)
{
	return xasprintf("%s.link", name);
}

void
linkrec_forget(const char *builddir, const char *name)
{
	autofree char *uname = linkrec_upper_name(name);
	autofree char *probe = xasprintf("%s/layers/%s.", builddir, uname);
	autofree char *dir = fs_dirname(probe);
	autofree char *failed = xasprintf("%s/failed/%s", builddir, uname);
	const char *prefix = strrchr(probe, '/') + 1;	/* "<NN>.link." */
	size_t n = strlen(prefix);
	struct stat sb;
	struct dirent *de;
	DIR *d;

	if (lstat(failed, &sb) == 0)
		tree_remove_path(failed, NULL);
	d = opendir(dir);
	if (!d)
		return;
	/* its layers, <NN>.link.<hex>, and upper dirs, <NN>.link.upper and
	 * .work */
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		tree_remove_path(p, NULL);
		free(p);
	}
	closedir(d);
}

/* one part of the spec: n bytes at p; -1 when it is a name */
static long long
id_part(const char *p, size_t n)
{
	long long v = 0;

	if (n == 4 && strncmp(p, "root", 4) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
		if (v > 0x7fffffffLL)
			return -1;
	}
	return v;
}

int
linkrec_chown(const char *spec, uid_t *uid, gid_t *gid, struct err **errp)
{
	const char *colon = strchrnul(spec, ':');
	long long u = id_part(spec, (size_t)(colon - spec));
	long long g = *colon ? id_part(colon + 1, strlen(colon + 1)) : u;

	if (u < 0 || g < 0)
		return err_make(errp, 0, "--link --chown=%s: with --link only numeric ids "
				"(or root) work, BuildKit cannot look names up", spec);
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}
