#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "image/storereg.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/buf.h"

#define NAME_LEN 32

/* the entry name of the absolute path real, into name[NAME_LEN + 1] */
static void
entry_name(const char *real, char *name)
{
	char d[DIGEST_LEN];

	digest_buf(real, strlen(real), d);
	memcpy(name, d + 7, NAME_LEN);
	name[NAME_LEN] = '\0';
}

int
storereg_name(const char *builddir, char **name, struct err **errp)
{
	autofree char *real = NULL;

	if (fs_realpath(builddir, &real, errp) < 0)
		return -1;
	*name = xmalloc(NAME_LEN + 1);
	entry_name(real, *name);
	return 0;
}

int
storereg_add(const struct store *st, const char *builddir, struct err **errp)
{
	autofree char *real = NULL, *dir = xasprintf("%s/builddirs", st->root);
	autofree char *path = NULL, *line = NULL, *have = NULL;
	char name[NAME_LEN + 1];

	if (fs_realpath(builddir, &real, errp) < 0)
		return err_wrap(errp, "registering the build dir in the store");
	entry_name(real, name);
	path = xasprintf("%s/%s", dir, name);
	line = xasprintf("%s\n", real);
	/* the common case, every step after the first: one read, one touch */
	if (fs_read_file(path, &have, NULL, NULL) == 0 && strcmp(have, line) == 0 &&
	    utimensat(AT_FDCWD, path, NULL, 0) == 0)
		return 0;
	if (fs_mkdir_p(dir, errp) < 0 ||
	    fs_write_atomic(path, line, strlen(line), 0, errp) < 0)
		return err_wrap(errp, "registering the build dir in the store");
	return 0;
}

static bool
is_entry_name(const char *n)
{
	return strlen(n) == NAME_LEN && strspn(n, "0123456789abcdef") == NAME_LEN;
}

int
storereg_list(const struct store *st, struct storereg_entry **out, size_t *n,
	      struct err **errp)
{
	autofree char *dir = xasprintf("%s/builddirs", st->root);
	struct storereg_entry *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : err_make(errp, errno, "cannot open '%s'", dir);
	while ((e = readdir(d))) {
		autofree char *path = NULL, *text = NULL;
		struct stat sb;

		if (!is_entry_name(e->d_name))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &sb) < 0 || fs_read_file(path, &text, NULL, NULL) < 0)
			continue;
		text[strcspn(text, "\n")] = '\0';
		xgrow(&v, &cap, len + 1, sizeof(*v));
		v[len].name = xstrdup(e->d_name);
		v[len].used = sb.st_mtime;
		v[len].is_live = text[0] == '/' && stat(text, &sb) == 0 && S_ISDIR(sb.st_mode);
		v[len++].path = steal_pointer(&text);
	}
	closedir(d);
	*out = v;
	*n = len;
	return 0;
}

void
storereg_free(struct storereg_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

int
storereg_write_refs(const struct store *st, const char *name,
		    const struct strv *refs, struct err **errp)
{
	autofree char *path = xasprintf("%s/builddirs/%s.refs", st->root, name);
	struct buf b = BUF_INIT;
	int r;

	for (size_t i = 0; i < refs->n; i++)
		buf_printf(&b, "%s\n", refs->v[i]);
	r = fs_write_if_changed(path, b.s ? b.s : "", b.len, NULL, errp);
	buf_fini(&b);
	return r;
}

int
storereg_read_refs(const struct store *st, const char *name, struct strv *out)
{
	autofree char *path = xasprintf("%s/builddirs/%s.refs", st->root, name);
	autofree char *text = NULL;
	char *save = NULL;

	if (fs_read_file(path, &text, NULL, NULL) < 0)
		return 1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		strv_add(out, l);
	return 0;
}

void
storereg_remove(const struct store *st, const char *name)
{
	autofree char *path = xasprintf("%s/builddirs/%s", st->root, name);
	autofree char *refs = xasprintf("%s.refs", path);

	unlink(refs);
	unlink(path);
}
