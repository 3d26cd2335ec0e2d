#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/err.h"
#include "layer_sum.h"
#include "layer_walk.h"

#define READ_SIZE (1 << 18)

/* bump when the records change: sums of the old form then name no
 * layer of the new, and the steps rerun */
#define SUM_VERSION "df2ninja layer sum 1"

struct layer_sum {
	struct digest *d;
};

struct layer_sum *
layer_sum_new(time_t epoch)
{
	struct layer_sum *s = xcalloc(1, sizeof(*s));
	char head[64];
	int n = snprintf(head, sizeof(head), SUM_VERSION "\n%lld\n", (long long)epoch);

	s->d = digest_new();
	digest_update(s->d, head, (size_t)n);
	return s;
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
layer_sum_entry(struct layer_sum *s, const struct layer_entry *e)
{
	char nums[160];
	int n;

	n = snprintf(nums, sizeof(nums), "%c %o %u %u %lld %u %u %zu",
		     type_letter(e->type), (unsigned)e->perm, (unsigned)e->uid,
		     (unsigned)e->gid, e->size, e->rdev_major, e->rdev_minor,
		     e->caps ? e->caps_len : 0);
	digest_update(s->d, nums, (size_t)n + 1);
	digest_update(s->d, e->path, strlen(e->path) + 1);
	digest_update(s->d, e->symlink ? "l" : "-", 1);
	if (e->symlink)
		digest_update(s->d, e->symlink, strlen(e->symlink) + 1);
	digest_update(s->d, e->hardlink ? "h" : "-", 1);
	if (e->hardlink)
		digest_update(s->d, e->hardlink, strlen(e->hardlink) + 1);
	/* an empty value is not no value: the tar holds an xattr record */
	digest_update(s->d, e->caps ? "c" : "-", 1);
	if (e->caps)
		digest_update(s->d, e->caps, e->caps_len);
}

void
layer_sum_data(struct layer_sum *s, const void *data, size_t len)
{
	digest_update(s->d, data, len);
}

void
layer_sum_final(struct layer_sum *s, char out[DIGEST_LEN])
{
	digest_final(s->d, out);
	free(s);
}

void
layer_sum_free(struct layer_sum *s)
{
	if (!s)
		return;
	digest_free(s->d);
	free(s);
}

struct summer {
	struct layer_sum *sum;
	char *buf;
};

static int
on_data(void *ctx, const void *data, size_t len, struct err **errp)
{
	(void)errp;
	layer_sum_data(ctx, data, len);
	return 0;
}

static int
on_entry(void *ctx, const struct layer_entry *e, struct err **errp)
{
	struct summer *m = ctx;

	layer_sum_entry(m->sum, e);
	if (e->fd < 0)
		return 0;
	return layer_entry_read(e, m->buf, READ_SIZE, on_data, m->sum, errp);
}

int
layer_sum_dir(const char *dir, char sum[DIGEST_LEN], bool *empty,
	      struct err **errp)
{
	struct summer m;
	time_t epoch;

	if (layer_epoch(&epoch, errp) < 0)
		return -1;
	m.sum = layer_sum_new(epoch);
	m.buf = xmalloc(READ_SIZE);
	if (layer_walk(dir, on_entry, &m, empty, errp) < 0) {
		layer_sum_free(m.sum);
		free(m.buf);
		return err_wrap(errp, "reading '%s'", dir);
	}
	layer_sum_final(m.sum, sum);
	free(m.buf);
	return 0;
}
