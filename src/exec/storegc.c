#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/gcrefs.h"
#include "exec/storegc.h"
#include "image/store.h"
#include "image/storereg.h"
#include "image/tree.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"

struct item {
	char *rel;		/* below the store's root */
	enum storegc_kind kind;
	long long size;
	time_t used;
	bool is_ref;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* where each kind lives, and whether its entries are directories */
static const struct {
	const char *dir;
	bool is_dir;
} kinds[STOREGC_NKINDS] = {
	[STOREGC_LAYER] = { "layers/sha256", true },
	[STOREGC_BLOB] = { "blobs/sha256", false },
	[STOREGC_FLAT] = { "flat", true },
	[STOREGC_CACHE] = { "cache", true },
};

/* nftw passes its callback no context of ours */
static long long tree_bytes;

static int
add_bytes(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(sb->st_mode))
		tree_bytes += (long long)sb->st_size;
	return 0;
}

/* the apparent size of the files under path */
static long long
du(const char *path)
{
	tree_bytes = 0;
	nftw(path, add_bytes, 16, FTW_PHYS);
	return tree_bytes;
}

static void
list_kind(const struct store *st, enum storegc_kind k, struct items *out)
{
	autofree char *dir = xasprintf("%s/%s", st->root, kinds[k].dir);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		autofree char *path = NULL;
		struct item *it;
		struct stat sb;

		/* ".", "..", and a cache dir's .locks, .private, .new.* */
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &sb) < 0 || (S_ISDIR(sb.st_mode) != kinds[k].is_dir))
			continue;
		xgrow(&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		it = &out->v[out->n++];
		memset(it, 0, sizeof(*it));
		it->rel = xasprintf("%s/%s", kinds[k].dir, e->d_name);
		it->kind = k;
		it->used = sb.st_ctime;
		it->size = kinds[k].is_dir ? du(path) : (long long)sb.st_size;
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort sv, dropping repeats */
static void
sort_unique(struct strv *sv)
{
	size_t n = 0;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (size_t i = 0; i < sv->n; i++) {
		if (n && strcmp(sv->v[n - 1], sv->v[i]) == 0)
			free(sv->v[i]);
		else
			sv->v[n++] = sv->v[i];
	}
	sv->n = n;
}

static bool
sorted_has(const struct strv *sv, const char *s)
{
	return sv->n && bsearch(&s, sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

static int
by_use(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->used != y->used)
		return x->used < y->used ? -1 : 1;
	return strcmp(x->rel, y->rel);
}

/* move a dir aside into tmp/ (it disappears at once, whole), then
 * remove it; a gc killed meanwhile leaves it to store_clean_tmp */
static int
remove_item(const struct store *st, const struct item *it, struct err **errp)
{
	autofree char *path = xasprintf("%s/%s", st->root, it->rel);
	autofree char *tmp = NULL, *aside = NULL;
	int lockfd = -1, r;

	if (it->kind == STOREGC_BLOB) {
		autofree char *diffid = xasprintf("%s/diffids/sha256/%s", st->root,
						  strrchr(it->rel, '/') + 1);

		if (unlink(path) < 0 && errno != ENOENT)
			return err_make(errp, errno, "cannot remove '%s'", path);
		unlink(diffid);
		return 0;
	}
	if (store_tmpdir(st, &tmp, &lockfd, errp) < 0)
		return -1;
	aside = xasprintf("%s/gone", tmp);
	if (rename(path, aside) < 0) {
		r = err_make(errp, errno, "cannot move '%s' aside", path);
	} else {
		r = tree_remove_path(tmp, errp);
		if (r == 0 && it->kind == STOREGC_CACHE) {
			autofree char *lock = xasprintf("%s/cache/.locks/%s", st->root,
							strrchr(it->rel, '/') + 1);

			unlink(lock);
		}
	}
	if (r < 0)
		tree_remove_path(tmp, NULL);
	close(lockfd);
	return r;
}

/* the last use of what gone build dirs referenced: their last step's */
static void
dead_uses(const struct store *st, const struct storereg_entry *ents, size_t n,
	  struct items *items)
{
	bool *known = xcalloc(items->n + 1, sizeof(*known));

	for (size_t i = 0; i < n; i++) {
		struct strv refs = STRV_INIT;

		if (ents[i].is_live || storereg_read_refs(st, ents[i].name, &refs) != 0)
			continue;
		strv_sort(&refs);
		for (size_t j = 0; j < items->n; j++) {
			struct item *it = &items->v[j];

			if (!sorted_has(&refs, it->rel))
				continue;
			/* a known use replaces the guess from the ctime */
			if (!known[j] || ents[i].used > it->used)
				it->used = ents[i].used;
			known[j] = true;
		}
		strv_fini(&refs);
	}
	free(known);
}

/* a gone build dir's entry is dropped once nothing it referenced is left */
static void
forget_dead(const struct store *st, const struct storereg_entry *ents, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strv refs = STRV_INIT;
		bool left = false;

		if (ents[i].is_live)
			continue;
		storereg_read_refs(st, ents[i].name, &refs);
		for (size_t j = 0; j < refs.n && !left; j++) {
			autofree char *path = xasprintf("%s/%s", st->root, refs.v[j]);

			left = access(path, F_OK) == 0;
		}
		if (!left)
			storereg_remove(st, ents[i].name);
		strv_fini(&refs);
	}
}

/* the refs of every live build dir, sorted, each also recorded */
static void
live_refs(const struct store *st, const struct storereg_entry *ents, size_t n,
	  struct strv *all, size_t *nlive)
{
	for (size_t i = 0; i < n; i++) {
		struct strv refs = STRV_INIT;

		if (!ents[i].is_live)
			continue;
		(*nlive)++;
		gcrefs_collect(st->root, ents[i].path, &refs);
		sort_unique(&refs);
		/* best effort: the record only refines a later gc's order */
		storereg_write_refs(st, ents[i].name, &refs, NULL);
		for (size_t j = 0; j < refs.n; j++)
			strv_add(all, refs.v[j]);
		strv_fini(&refs);
	}
	sort_unique(all);
}

int
storegc_run(const struct store *st, const struct storegc_opts *o,
	    struct storegc_report *rep, struct err **errp)
{
	struct storereg_entry *ents = NULL;
	struct strv refs = STRV_INIT;
	struct items items = { NULL, 0, 0 };
	time_t cutoff = time(NULL) - (time_t)o->keep_duration;
	long long total = 0;
	size_t nents = 0;
	int r = 0;

	memset(rep, 0, sizeof(*rep));
	if (storereg_list(st, &ents, &nents, errp) < 0)
		return -1;
	live_refs(st, ents, nents, &refs, &rep->builddirs);
	for (int k = 0; k < STOREGC_NKINDS; k++)
		list_kind(st, (enum storegc_kind)k, &items);
	dead_uses(st, ents, nents, &items);
	for (size_t i = 0; i < items.n; i++) {
		items.v[i].is_ref = sorted_has(&refs, items.v[i].rel);
		total += items.v[i].size;
	}
	if (items.n > 1)
		qsort(items.v, items.n, sizeof(*items.v), by_use);
	for (size_t i = 0; i < items.n && r == 0; i++) {
		struct item *it = &items.v[i];

		if (it->is_ref || (o->keep_duration && it->used > cutoff))
			continue;
		/* least recently used first: what is left is newer */
		if (o->keep_storage && total <= o->keep_storage)
			break;
		r = remove_item(st, it, errp);
		if (r == 0) {
			total -= it->size;
			rep->freed += it->size;
			rep->removed[it->kind]++;
		}
	}
	rep->kept = total;
	forget_dead(st, ents, nents);
	for (size_t i = 0; i < items.n; i++)
		free(items.v[i].rel);
	free(items.v);
	strv_fini(&refs);
	storereg_free(ents, nents);
	return r;
}

int
storegc_note_refs(const struct store *st, const char *builddir,
		  struct err **errp)
{
	struct strv refs = STRV_INIT;
	autofree char *name = NULL;
	int r;

	if (storereg_name(builddir, &name, errp) < 0)
		return -1;
	gcrefs_collect(st->root, builddir, &refs);
	sort_unique(&refs);
	r = storereg_write_refs(st, name, &refs, errp);
	strv_fini(&refs);
	return r;
}
