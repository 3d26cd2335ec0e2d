#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "err.h"
#include "fs.h"

int
fs_read_file(const char *path, char **data, size_t *len, struct err **errp)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			buf_fini(&b);
			return err_make(errp, e, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		buf_putn(&b, chunk, (size_t)n);
	}
	close(fd);
	if (len)
		*len = b.len;
	*data = buf_steal(&b);
	return 0;
}

static bool
same_content(const char *path, const char *data, size_t len)
{
	char chunk[65536];
	size_t off = 0;
	struct stat st;
	bool same = false;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		goto out;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (off + (size_t)n > len || memcmp(chunk, data + off, (size_t)n) != 0)
			goto out;
		off += (size_t)n;
	}
	same = off == len;
out:
	close(fd);
	return same;
}

int
fs_write_if_changed(const char *path, const char *data, size_t len,
		    bool *changed, struct err **errp)
{
	autofree char *tmp = NULL;
	size_t off = 0;
	int fd;

	if (changed)
		*changed = false;
	if (same_content(path, data, len))
		return 0;
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_make(errp, errno, "cannot create '%s'", tmp);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			unlink(tmp);
			return err_make(errp, e, "cannot write '%s'", tmp);
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlink(tmp);
		return err_make(errp, e, "cannot write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return err_make(errp, e, "cannot rename '%s' to '%s'", tmp, path);
	}
	if (changed)
		*changed = true;
	return 0;
}

int
fs_mkdir_p(const char *path, struct err **errp)
{
	autofree char *p = xstrdup(path);
	size_t len = strlen(p);

	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return err_make(errp, errno, "cannot create directory '%s'", p);
		if (i < len)
			p[i] = '/';
	}
	return 0;
}

char *
fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *
fs_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/' || n == 0)
		return xstrdup(b);
	if (strcmp(a, ".") == 0)
		return xstrdup(b);
	if (a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int
fs_realpath(const char *path, char **out, struct err **errp)
{
	char *r = realpath(path, NULL);

	if (!r)
		return err_make(errp, errno, "cannot resolve '%s'", path);
	*out = r;
	return 0;
}

char *
fs_relpath(const char *target, const char *dir)
{
	struct buf b = BUF_INIT;
	size_t common = 0, i;

	if (strcmp(dir, "/") == 0)
		return xstrdup(target[1] ? target + 1 : ".");
	/* longest common prefix ending at a path boundary */
	for (i = 0; target[i] && dir[i] && target[i] == dir[i]; i++)
		if (target[i] == '/')
			common = i;
	if (dir[i] == '\0' && (target[i] == '/' || target[i] == '\0'))
		common = i;
	else if (target[i] == '\0' && dir[i] == '/')
		common = i;
	for (const char *d = dir + common; *d; d++)
		if (*d == '/')
			buf_puts(&b, b.len ? "/.." : "..");
	if (target[common] == '/')
		common++;
	if (target[common]) {
		if (b.len)
			buf_putc(&b, '/');
		buf_puts(&b, target + common);
	}
	if (!b.len)
		buf_putc(&b, '.');
	return buf_steal(&b);
}
