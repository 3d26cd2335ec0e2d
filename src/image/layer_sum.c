#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/err.h"
#include "layer_sum.h"
#include "layer_walk.h"

/* bump when the records change: sums of the old form then name no
 * layer of the new, and the steps rerun */
#define SUM_VERSION "df2ninja layer sum 1"

/* the "0" once was the mtime every tar entry got; kept, so that a layer
 * keeps the sum it had then (its dir already held the real mtimes) */
#define SUM_HEAD SUM_VERSION "\n0\n"

struct digest *
layer_sum_new(void)
{
	struct digest *d = digest_new();

	digest_update(d, SUM_HEAD, strlen(SUM_HEAD));
	return d;
}

static char
type_letter(mode_t type)
{
	switch (type) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	default: return '?';
	}
}

/*
 * path, symlink and hardlink hold no NUL, so each ends with one; the
 * numbers have a fixed form; the caps value is preceded by its length and
 * the data by the size: no two different entries give the same bytes
 */
void
layer_sum_entry(struct digest *d, const struct layer_entry *e)
{
	char nums[160];
	int n;

	n = snprintf(nums, sizeof(nums), "%c %o %u %u %lld %u %u %zu",
		     type_letter(e->type), (unsigned)e->perm, (unsigned)e->uid,
		     (unsigned)e->gid, e->size, e->rdev_major, e->rdev_minor,
		     e->caps ? e->caps_len : 0);
	digest_update(d, nums, (size_t)n + 1);
	digest_update(d, e->path, strlen(e->path) + 1);
	digest_update(d, e->symlink ? "l" : "-", 1);
	if (e->symlink)
		digest_update(d, e->symlink, strlen(e->symlink) + 1);
	digest_update(d, e->hardlink ? "h" : "-", 1);
	if (e->hardlink)
		digest_update(d, e->hardlink, strlen(e->hardlink) + 1);
	/* an empty value is not no value: the tar holds an xattr record */
	digest_update(d, e->caps ? "c" : "-", 1);
	if (e->caps)
		digest_update(d, e->caps, e->caps_len);
}

static int
on_entry(void *ctx, const struct layer_entry *e, struct err **errp)
{
	(void)errp;
	layer_sum_entry(ctx, e);
	return 0;
}

static int
on_data(void *ctx, const void *data, size_t len, struct err **errp)
{
	(void)errp;
	digest_update(ctx, data, len);
	return 0;
}

int
layer_sum_dir(const char *dir, char sum[DIGEST_LEN], bool *empty,
	      struct err **errp)
{
	struct digest *d = layer_sum_new();

	if (layer_walk(dir, on_entry, on_data, d, empty, errp) < 0) {
		digest_free(d);
		return err_wrap(errp, "reading '%s'", dir);
	}
	digest_final(d, sum);
	return 0;
}
