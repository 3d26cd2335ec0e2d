#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec/packmemo.h"
#include "image/store.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

#define KEY_LEN 96

struct entry {
	char sum[DIGEST_LEN], key[KEY_LEN], diff_id[DIGEST_LEN], digest[DIGEST_LEN];
	long long size;
	char dir[PATH_MAX];
};

/* the line at s (up to its newline) as an entry; false when malformed */
static bool
parse(const char *s, struct entry *e)
{
	const char *nl = strchr(s, '\n');
	size_t len = nl ? (size_t)(nl - s) : strlen(s);
	char line[3 * DIGEST_LEN + KEY_LEN + 32 + PATH_MAX];
	int dir_at = -1;

	if (len >= sizeof(line))
		return false;
	memcpy(line, s, len);
	line[len] = '\0';
	if (sscanf(line, "%71s %95s %71s %71s %lld %n", e->sum, e->key, e->diff_id,
		   e->digest, &e->size, &dir_at) != 5 || dir_at < 0 || !line[dir_at])
		return false;
	snprintf(e->dir, sizeof(e->dir), "%s", line + dir_at);
	return digest_valid(e->sum) && digest_valid(e->diff_id) &&
	       digest_valid(e->digest) && e->size > 0;
}

/* the next line after s, or NULL */
static const char *
next_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

void
packmemo_load(struct packmemo *m, const char *builddir)
{
	memset(m, 0, sizeof(*m));
	m->path = xasprintf("%s/out/packed-layers", builddir);
	if (fs_read_file(m->path, &m->text, NULL, NULL) < 0)
		m->text = NULL;
}

char *
packmemo_key(const char *dir, const time_t *clamp)
{
	struct stat sb;
	char at[24] = "-";

	if (clamp)
		snprintf(at, sizeof(at), "%lld", (long long)*clamp);
	if (lstat(dir, &sb) < 0)
		return xasprintf("-/%s", at);
	return xasprintf("%llu.%lld.%ld/%s", (unsigned long long)sb.st_ino,
			 (long long)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec, at);
}

bool
packmemo_find(const struct packmemo *m, const struct store *st,
	      const char *sum, const char *key, char diff_id[DIGEST_LEN],
	      char digest[DIGEST_LEN], long long *size)
{
	struct entry e;

	for (const char *s = m->text; s && *s; s = next_line(s)) {
		autofree char *blob = NULL;
		struct stat sb;

		if (!parse(s, &e) || strcmp(e.sum, sum) != 0 || strcmp(e.key, key) != 0)
			continue;
		blob = store_blob_path(st, e.digest);
		if (stat(blob, &sb) < 0 || sb.st_size != e.size)
			return false;
		memcpy(diff_id, e.diff_id, DIGEST_LEN);
		memcpy(digest, e.digest, DIGEST_LEN);
		*size = e.size;
		return true;
	}
	return false;
}

void
packmemo_blobs(const struct packmemo *m, struct strv *out)
{
	struct entry e;

	for (const char *s = m->text; s && *s; s = next_line(s))
		if (parse(s, &e))
			strv_add(out, e.digest);
}

void
packmemo_add(struct packmemo *m, const char *sum, const char *key,
	     const char *diff_id, const char *digest, long long size,
	     const char *dir)
{
	buf_printf(&m->next, "%s %s %s %s %lld %s\n", sum, key, diff_id, digest, size, dir);
}

/* sum has an entry of this export */
static bool
added(const struct packmemo *m, const char *sum)
{
	size_t n = strlen(sum);

	for (const char *s = m->next.s; s && *s; s = next_line(s))
		if (strncmp(s, sum, n) == 0 && s[n] == ' ')
			return true;
	return false;
}

int
packmemo_save(struct packmemo *m, struct err **errp)
{
	struct buf all = BUF_INIT;
	struct entry e;
	struct stat sb;
	int r;

	buf_puts(&all, buf_str(&m->next));
	for (const char *s = m->text; s && *s; s = next_line(s))
		if (parse(s, &e) && !added(m, e.sum) && lstat(e.dir, &sb) == 0)
			buf_printf(&all, "%s %s %s %s %lld %s\n", e.sum, e.key,
				   e.diff_id, e.digest, e.size, e.dir);
	r = 0;
	if (all.len) {
		autofree char *dir = fs_dirname(m->path);

		r = fs_mkdir_p(dir, errp);
		if (r == 0)
			r = fs_write_if_changed(m->path, all.s, all.len, NULL, errp);
	}
	buf_fini(&all);
	return r;
}

void
packmemo_fini(struct packmemo *m)
{
	free(m->path);
	free(m->text);
	buf_fini(&m->next);
	memset(m, 0, sizeof(*m));
}
