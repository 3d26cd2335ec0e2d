#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/dirkeep.h"

static bool
list_names(const char *dir, struct strv *names)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
			strv_add(names, de->d_name);
	closedir(d);
	strv_sort(names);
	return true;
}

void
dirkeep_take(struct dirkeep *k, const char *dir)
{
	struct stat st;

	memset(k, 0, sizeof(*k));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	if (!list_names(dir, &k->names)) {
		strv_fini(&k->names);
		return;
	}
	k->mtime = st.st_mtim;
	k->dir = xstrdup(dir);
}

/* now is before with own added (or already there) */
static bool
same_but_own(const struct strv *before, const struct strv *now, const char *own)
{
	size_t i = 0, j = 0;

	while (i < before->n || j < now->n) {
		int c = i == before->n ? 1 : j == now->n ? -1 :
			strcmp(before->v[i], now->v[j]);

		if (c == 0) {
			i++;
			j++;
		} else if (c > 0 && !strcmp(now->v[j], own)) {
			j++;
		} else {
			return false;
		}
	}
	return true;
}

void
dirkeep_restore(struct dirkeep *k, const char *own)
{
	struct strv now = STRV_INIT;

	if (k->dir && list_names(k->dir, &now) &&
	    same_but_own(&k->names, &now, own)) {
		struct timespec ts[2] = { { 0, UTIME_OMIT }, k->mtime };

		/* best effort: at worst a step reruns */
		(void)utimensat(AT_FDCWD, k->dir, ts, 0);
	}
	strv_fini(&now);
	strv_fini(&k->names);
	free(k->dir);
	memset(k, 0, sizeof(*k));
}
