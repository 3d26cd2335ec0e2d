#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/manifest.h"
#include "oci/ref.h"
#include "registry/daemoncfg.h"
#include "registry/mirrors.h"
#include "registry/regconf.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"

/* config files are small; a larger one is refused unread */
#define CONFIG_MAX (1 << 20)

/* the config files, read once */
static struct {
	bool loaded;
	char *error;		/* why they could not be read, or NULL */
	struct regconf rc;
	struct daemoncfg dc;
} cfg;

static const char *
path_from(const char *var, const char *dflt)
{
	const char *v = getenv(var);

	return v ? v : dflt;
}

/* the text of config file path (NUL-free, at most CONFIG_MAX bytes);
 * 1 when path is "" or there is no such file */
static int
read_config(const char *path, char **text, size_t *len, struct err **errp)
{
	*text = NULL;
	if (!*path)
		return 1;
	if (manifest_read_bytes(path, CONFIG_MAX, text, len, errp) < 0) {
		if ((*errp)->errnum == ENOENT || (*errp)->errnum == ENOTDIR) {
			err_free(*errp);
			*errp = NULL;
			return 1;
		}
		return -1;
	}
	if (strlen(*text) != *len)
		return err_make(errp, 0, "'%s' holds a NUL byte", path);
	return 0;
}

static void
load(void)
{
	const char *rpath = path_from("DF2NINJA_REGISTRIES_CONF", "/etc/containers/registries.conf");
	const char *dpath = path_from("DF2NINJA_DAEMON_JSON", "/etc/docker/daemon.json");
	autofree char *rtext = NULL, *dtext = NULL;
	struct err *e = NULL;
	size_t rlen, dlen;
	int rr, dr = 1;

	if (cfg.loaded)
		return;
	cfg.loaded = true;
	rr = read_config(rpath, &rtext, &rlen, &e);
	if (rr >= 0)
		dr = read_config(dpath, &dtext, &dlen, &e);
	if (rr < 0 || dr < 0 || (rr == 0 && regconf_parse(rpath, rtext, &cfg.rc, &e) < 0) ||
	    (dr == 0 && daemoncfg_parse(dpath, dtext, dlen, &cfg.dc, &e) < 0)) {
		cfg.error = xstrdup(e->msg);
		err_free(e);
	}
}

/* "host/repo..." with scheme and trailing '/' dropped */
static char *
strip_url(const char *s)
{
	size_t n;

	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	return xstrndup(s, n);
}

static void
add(struct mirror_list *l, const char *host, size_t host_len, const char *repo)
{
	struct mirror_endpoint *e;

	if (host_len == 9 && strncmp(host, "docker.io", 9) == 0) {
		host = "registry-1.docker.io";
		host_len = strlen(host);
	}
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].host) == host_len && strncmp(l->v[i].host, host, host_len) == 0 &&
		    strcmp(l->v[i].repo, repo) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	e = &l->v[l->n++];
	e->host = xstrndup(host, host_len);
	e->repo = xstrdup(repo);
}

/* location ("host[:port][/path]") with the rest of the name appended */
static int
add_location(struct mirror_list *l, const char *location, const char *rest,
	     struct err **errp)
{
	autofree char *loc = strip_url(location);
	autofree char *full = xasprintf("%s%s", loc, rest);
	const char *slash = strchr(full, '/');

	if (!slash || !slash[1])
		return err_make(errp, 0, "registries.conf location '%s' leaves no repository for '%s'",
				location, rest);
	add(l, full, (size_t)(slash - full), slash + 1);
	return 0;
}

static void
from_env(const struct ref *r, struct mirror_list *out)
{
	const char *list = getenv("DF2NINJA_REGISTRY_MIRRORS");
	autofree char *copy = xstrdup(list ? list : "");
	char *save = NULL;

	for (char *e = strtok_r(copy, ", \t", &save); e; e = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(e, '='), *host = e;
		const char *for_domain = "docker.io";
		autofree char *h = NULL;

		if (eq) {
			*eq = '\0';
			for_domain = e;
			host = eq + 1;
		}
		if (strcmp(for_domain, r->domain) != 0)
			continue;
		h = strip_url(host);
		if (*h)
			add(out, h, strlen(h), r->path);
	}
}

int
mirrors_for(const struct ref *r, bool by_digest, struct mirror_list *out,
	    struct err **errp)
{
	autofree char *name = xasprintf("%s/%s", r->domain, r->path);
	const struct regconf_registry *reg;
	const char *rest = "";

	memset(out, 0, sizeof(*out));
	load();
	if (cfg.error)
		return err_make(errp, 0, "%s", cfg.error);
	from_env(r, out);
	reg = regconf_match(&cfg.rc, name);
	if (reg) {
		size_t n = strlen(reg->prefix);

		while (n > 0 && reg->prefix[n - 1] == '/')
			n--;
		rest = name + n;
		if (reg->blocked) {
			mirrors_list_fini(out);
			return err_make(errp, 0, "'%s' is blocked by registries.conf (prefix '%s')",
					name, reg->prefix);
		}
		for (size_t i = 0; i < reg->n_mirrors; i++) {
			const struct regconf_mirror *m = &reg->mirrors[i];

			if ((m->when == REGCONF_DIGEST_ONLY || reg->mirror_by_digest_only) && !by_digest)
				continue;
			if (m->when == REGCONF_TAG_ONLY && by_digest)
				continue;
			if (add_location(out, m->location, rest, errp) < 0)
				goto fail;
		}
	}
	if (strcmp(r->domain, "docker.io") == 0)
		for (size_t i = 0; i < cfg.dc.mirrors.n; i++) {
			autofree char *h = strip_url(cfg.dc.mirrors.v[i]);

			add(out, h, strlen(h), r->path);
		}
	if (reg && *reg->location) {
		if (add_location(out, reg->location, rest, errp) < 0)
			goto fail;
	} else {
		add(out, ref_api_host(r), strlen(ref_api_host(r)), r->path);
	}
	return 0;
fail:
	mirrors_list_fini(out);
	return -1;
}

void
mirrors_list_fini(struct mirror_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].host);
		free(l->v[i].repo);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* does location ("http://host:port/path") live on host? */
static bool
on_host(const char *location, const char *host)
{
	autofree char *loc = strip_url(location);
	size_t n = strcspn(loc, "/");

	return strlen(host) == n && strncasecmp(loc, host, n) == 0;
}

bool
mirrors_host_is_insecure(const char *host)
{
	load();
	for (size_t i = 0; i < cfg.rc.n_regs; i++) {
		const struct regconf_registry *reg = &cfg.rc.regs[i];

		if (reg->insecure && on_host(*reg->location ? reg->location : reg->prefix, host))
			return true;
		for (size_t j = 0; j < reg->n_mirrors; j++)
			if (reg->mirrors[j].insecure && on_host(reg->mirrors[j].location, host))
				return true;
	}
	if (daemoncfg_is_insecure(&cfg.dc, host))
		return true;
	for (size_t i = 0; i < cfg.dc.mirrors.n; i++)
		if (strncmp(cfg.dc.mirrors.v[i], "http://", 7) == 0 && on_host(cfg.dc.mirrors.v[i], host))
			return true;
	return false;
}
