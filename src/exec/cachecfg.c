#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/cachecfg.h"
#include "oci/ref.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

static char *
conf_path(const char *builddir)
{
	return xasprintf("%s/cache.conf", builddir);
}

static int
add_ref(struct strv *to, const char *opt, const char *r, struct err **errp)
{
	struct ref ref = { 0 };

	if (ref_parse(r, &ref, errp) < 0)
		return err_wrap(errp, "%s", opt);
	if (ref.digest[0]) {
		ref_fini(&ref);
		return err_make(errp, 0, "%s: '%s': a cache is a repository, not a digest", opt, r);
	}
	ref_fini(&ref);
	if (strchr(r, '\n') || strchr(r, ' '))
		return err_make(errp, 0, "%s: '%s' is no image reference", opt, r);
	strv_add(to, r);
	return 0;
}

int
cachecfg_add(struct cachecfg *c, bool is_to, const char *spec,
	     struct err **errp)
{
	const char *opt = is_to ? "--cache-to" : "--cache-from";
	autofree char *copy = xstrdup(spec), *type = NULL, *where = NULL;
	char *save = NULL;

	if (!strchr(spec, '='))
		return add_ref(is_to ? &c->to_registry : &c->from_registry, opt, spec, errp);
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *dirkey = is_to ? "dest" : "src";

		if (!eq)
			return err_make(errp, 0, "%s: '%s' is not key=value", opt, kv);
		*eq = '\0';
		if (strcmp(kv, "type") == 0) {
			free(type);
			type = xstrdup(eq + 1);
		} else if (strcmp(kv, "ref") == 0 || strcmp(kv, dirkey) == 0) {
			free(where);
			where = xstrdup(eq + 1);
		} else if (strcmp(kv, "mode") == 0 && is_to && strcmp(eq + 1, "max") == 0) {
			/* every step is shared: mode=max is what is done */
		} else {
			return err_make(errp, 0, "%s: '%s=%s' is not supported "
					"(type=registry,ref=REF or type=local,%s=DIR%s)",
					opt, kv, eq + 1, dirkey, is_to ? ", mode=max" : "");
		}
	}
	if (!type)
		type = xstrdup("registry");
	if (strcmp(type, "local") == 0) {
		autofree char *cwd = NULL;

		if (!where || !*where)
			return err_make(errp, 0, "%s: '%s' names no %s", opt, spec,
					is_to ? "dest" : "src");
		if (strchr(where, '\n'))
			return err_make(errp, 0, "%s: a newline in '%s'", opt, where);
		/* the steps run elsewhere: the dir as seen from here */
		cwd = where[0] == '/' ? NULL : getcwd(NULL, 0);
		strv_push(is_to ? &c->to_local : &c->from_local,
			  cwd ? fs_join(cwd, where) : xstrdup(where));
		return 0;
	}
	if (strcmp(type, "registry") != 0)
		return err_make(errp, 0, "%s: cache type '%s' is not supported: registry "
				"or local (a daemon's cache backends do not exist here)", opt, type);
	if (!where || !*where)
		return err_make(errp, 0, "%s: '%s' names no ref", opt, spec);
	return add_ref(is_to ? &c->to_registry : &c->from_registry, opt, where, errp);
}

char *
cachecfg_absolute(const char *spec)
{
	autofree char *cwd = NULL;
	struct buf b = BUF_INIT;
	const char *p = spec;

	if (!strstr(spec, "type=local"))
		return xstrdup(spec);
	while (*p) {
		size_t n = strcspn(p, ",");

		if (b.len)
			buf_putc(&b, ',');
		if ((strncmp(p, "dest=", 5) == 0 || strncmp(p, "src=", 4) == 0) &&
		    p[strcspn(p, "=") + 1] != '/' && (cwd || (cwd = getcwd(NULL, 0)))) {
			size_t k = strcspn(p, "=") + 1;

			buf_printf(&b, "%.*s%s/%.*s", (int)k, p, cwd, (int)(n - k), p + k);
		} else {
			buf_printf(&b, "%.*s", (int)n, p);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return buf_steal(&b);
}

static void
put_list(struct buf *b, const char *what, const struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		buf_printf(b, "%s %s\n", what, v->v[i]);
}

bool
cachecfg_has_from(const struct cachecfg *c)
{
	return c->from_registry.n || c->from_local.n;
}

bool
cachecfg_has_to(const struct cachecfg *c)
{
	return c->to_registry.n || c->to_local.n;
}

int
cachecfg_write(const struct cachecfg *c, const char *builddir, struct err **errp)
{
	autofree char *path = conf_path(builddir);
	struct buf b = BUF_INIT;
	int r;

	if (!cachecfg_has_from(c) && !cachecfg_has_to(c)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return err_make(errp, errno, "cannot remove '%s'", path);
		return 0;
	}
	put_list(&b, "from registry", &c->from_registry);
	put_list(&b, "from local", &c->from_local);
	put_list(&b, "to registry", &c->to_registry);
	put_list(&b, "to local", &c->to_local);
	r = fs_write_if_changed(path, buf_str(&b), b.len, NULL, errp);
	buf_fini(&b);
	return r;
}

int
cachecfg_load(struct cachecfg *c, const char *builddir, struct err **errp)
{
	autofree char *path = conf_path(builddir), *text = NULL;
	size_t len;
	char *line, *save = NULL;

	memset(c, 0, sizeof(*c));
	if (access(path, F_OK) < 0)
		return 0;
	if (fs_read_file(path, &text, &len, errp) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		static const struct {
			const char *prefix;
			size_t off;
		} kinds[] = {
			{ "from registry ", offsetof(struct cachecfg, from_registry) },
			{ "from local ", offsetof(struct cachecfg, from_local) },
			{ "to registry ", offsetof(struct cachecfg, to_registry) },
			{ "to local ", offsetof(struct cachecfg, to_local) },
		};
		size_t k;

		for (k = 0; k < countof(kinds); k++)
			if (strncmp(line, kinds[k].prefix, strlen(kinds[k].prefix)) == 0)
				break;
		if (k == countof(kinds)) {
			cachecfg_fini(c);
			return err_make(errp, 0, "'%s': unknown line '%s'; run df2ninja again", path, line);
		}
		strv_add((struct strv *)((char *)c + kinds[k].off), line + strlen(kinds[k].prefix));
	}
	return 0;
}

void
cachecfg_fini(struct cachecfg *c)
{
	strv_fini(&c->from_registry);
	strv_fini(&c->from_local);
	strv_fini(&c->to_registry);
	strv_fini(&c->to_local);
}
