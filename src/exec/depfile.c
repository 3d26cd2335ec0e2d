#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/depfile.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/*
 * what every ninja depfile parser since 1.8 takes as plain text
 * (src/depfile_parser.in.cc); later ones add '%', '[', ']', '?', '&',
 * quotes, and 1.10 changed what '\' does before anything but a space
 */
static bool
is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80 ||
	       (c && strchr("+,/_:.~(){}@=!-", c));
}

bool
depfile_escape(struct buf *b, const char *path)
{
	size_t start = b->len, n = strlen(path);

	if (n == 0 || path[n - 1] == ':')
		return false;
	for (const char *q = path; *q; q++) {
		unsigned char c = (unsigned char)*q;

		if (c == ' ' || c == '#') {
			buf_putc(b, '\\');
		} else if (c == '$') {
			buf_putc(b, '$');
		} else if (c == '\\') {
			/* kept as it is before plain text, in every version */
			if (!is_plain((unsigned char)q[1]) || q[1] == ':')
				goto no;
		} else if (!is_plain(c)) {
			goto no;
		}
		buf_putc(b, (char)c);
	}
	return true;
no:
	b->len = start;
	if (b->s)
		b->s[start] = '\0';
	return false;
}

/* the relative target a symlink in the directory dir needs to reach path */
static char *
link_target(const char *path, const char *dir)
{
	autofree char *rp = realpath(path, NULL), *rd = realpath(dir, NULL);
	autofree char *cwd = NULL;

	if (rp && rd)
		return fs_relpath(rp, rd);
	/* gone since it was read: a link that dangles makes ninja rerun */
	cwd = getcwd(NULL, 0);
	return cwd ? fs_join(cwd, path) : xstrdup(path);
}

/* the symlink in links that stands for path, made or fixed; *out gets
 * its path */
static int
stand_in(const char *links, const char *path, char **out, struct err **errp)
{
	char dg[DIGEST_LEN], cur[4096];
	autofree char *name = NULL, *target = NULL, *tmp = NULL;
	ssize_t n;

	digest_buf(path, strlen(path), dg);
	name = xasprintf("%.32s", dg + 7);
	*out = fs_join(links, name);
	if (fs_mkdir_p(links, errp) < 0)
		return -1;
	target = link_target(path, links);
	n = readlink(*out, cur, sizeof(cur) - 1);
	if (n >= 0 && (size_t)n == strlen(target) &&
	    memcmp(cur, target, (size_t)n) == 0)
		return 0;
	/* another COPY may make the same link: each renames its own */
	tmp = xasprintf("%s.tmp.%ld", *out, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, *out) < 0) {
		int e = errno;

		unlink(tmp);
		return err_make(errp, e, "cannot make the symlink '%s'", *out);
	}
	return 0;
}

/* append one depfile entry for path */
static int
add_entry(struct buf *b, const char *path, const char *links,
	  struct err **errp)
{
	autofree char *link = NULL, *up = NULL;

	buf_puts(b, " \\\n ");
	if (depfile_escape(b, path))
		return 0;
	if (stand_in(links, path, &link, errp) < 0)
		return -1;
	if (depfile_escape(b, link))
		return 0;
	/* a build dir without a spelling: the nearest directory that has
	 * one still sees names come and go */
	up = xstrdup(path);
	do {
		char *d = fs_dirname(up);

		free(up);
		up = d;
	} while (!depfile_escape(b, up));
	return 0;
}

int
depfile_write(const char *path, const char *target, const char *ctx,
	      const struct strv *deps, const char *links, struct err **errp)
{
	struct buf b = BUF_INIT;
	int r = 0;

	if (!depfile_escape(&b, target))
		buf_puts(&b, target);
	buf_putc(&b, ':');
	for (size_t i = 0; r == 0 && i < deps->n; i++) {
		autofree char *p = strcmp(deps->v[i], ".") == 0 ?
			xstrdup(ctx) : fs_join(ctx, deps->v[i]);

		r = add_entry(&b, p, links, errp);
	}
	buf_putc(&b, '\n');
	if (r == 0)
		r = fs_write_if_changed(path, buf_str(&b), b.len, NULL, errp);
	buf_fini(&b);
	return r;
}
