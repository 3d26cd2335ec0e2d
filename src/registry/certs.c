#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/manifest.h"
#include "registry/certs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* the files of one DIR/host directory */
static int
scan(const char *dir, struct certs *out, struct err **errp)
{
	DIR *d = opendir(dir);
	struct strv names = STRV_INIT;
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       err_make(errp, errno, "cannot open '%s'", dir);
	while ((de = readdir(d)))
		strv_add(&names, de->d_name);
	closedir(d);
	strv_sort(&names);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		const char *n = names.v[i];
		size_t base = strlen(n) - 5;
		autofree char *other = NULL;

		if (ends_with(n, ".crt")) {
			strv_push(&out->cas, xasprintf("%s/%s", dir, n));
		} else if (ends_with(n, ".cert")) {
			other = xasprintf("%.*s.key", (int)base, n);
			if (strv_find(&names, other) < 0)
				r = err_make(errp, 0, "'%s/%s' has no key '%s'", dir, n, other);
			else if (out->cert)
				r = err_make(errp, 0, "'%s/%s': only one client certificate per registry "
					     "is supported ('%s' is another)", dir, n, out->cert);
			else {
				out->cert = xasprintf("%s/%s", dir, n);
				out->key = xasprintf("%s/%s", dir, other);
			}
		} else if (ends_with(n, ".key")) {
			other = xasprintf("%.*s.cert", (int)base + 1, n);
			if (strv_find(&names, other) < 0)
				r = err_make(errp, 0, "'%s/%s' has no certificate '%s'", dir, n, other);
		}
	}
	strv_fini(&names);
	return r;
}

/* the certs.d directories, ':'-separated; caller frees */
static char *
certs_dirs(void)
{
	const char *v = getenv("DF2NINJA_CERTS_D");

	return xstrdup(v ? v : "/etc/docker/certs.d:/etc/containers/certs.d");
}

static bool
host_ok(const char *host)
{
	return *host && !strchr(host, '/') && strcmp(host, "..") != 0 && strcmp(host, ".") != 0;
}

bool
certs_has_dir(const char *host)
{
	autofree char *dirs = certs_dirs();
	char *save = NULL;

	if (!host_ok(host))
		return false;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		autofree char *dir = xasprintf("%s/%s", d, host);
		struct stat sb;

		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
			return true;
	}
	return false;
}

int
certs_find(const char *host, struct certs *out, struct err **errp)
{
	autofree char *dirs = certs_dirs();
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!host_ok(host))
		return 0;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		autofree char *dir = xasprintf("%s/%s", d, host);

		if (scan(dir, out, errp) < 0) {
			certs_fini(out);
			return -1;
		}
	}
	return 0;
}

static int
append_file(struct buf *b, const char *path, struct err **errp)
{
	autofree char *data = NULL;
	size_t len;

	if (manifest_read_bytes(path, CERTS_FILE_MAX, &data, &len, errp) < 0)
		return -1;
	buf_putn(b, data, len);
	if (len && data[len - 1] != '\n')
		buf_putc(b, '\n');
	return 0;
}

int
certs_bundle(const struct certs *c, const char *system_ca, char **pem,
	     size_t *len, struct err **errp)
{
	struct buf b = BUF_INIT;

	*pem = NULL;
	/* the system bundle is larger than one CA file; allow it 16 MiB */
	if (system_ca) {
		autofree char *data = NULL;
		size_t n;

		if (manifest_read_bytes(system_ca, 16 * CERTS_FILE_MAX, &data, &n, errp) < 0) {
			buf_fini(&b);
			return err_wrap(errp, "the system CA bundle");
		}
		buf_putn(&b, data, n);
		buf_putc(&b, '\n');
	}
	for (size_t i = 0; i < c->cas.n; i++)
		if (append_file(&b, c->cas.v[i], errp) < 0) {
			buf_fini(&b);
			return -1;
		}
	*len = b.len;
	*pem = buf_steal(&b);
	return 0;
}

void
certs_fini(struct certs *c)
{
	strv_fini(&c->cas);
	free(c->cert);
	free(c->key);
	memset(c, 0, sizeof(*c));
}
