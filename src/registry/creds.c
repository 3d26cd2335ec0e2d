#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/manifest.h"
#include "registry/base64.h"
#include "registry/credhelper.h"
#include "registry/creds.h"
#include "util/alloc.h"
#include "util/err.h"

char *
creds_config_path(void)
{
	const char *v = getenv("DOCKER_CONFIG");

	if (v && *v)
		return xasprintf("%s/config.json", v);
	v = getenv("HOME");
	if (v && *v)
		return xasprintf("%s/.docker/config.json", v);
	return NULL;
}

static bool
is_docker_hub(const char *host, size_t n)
{
	static const char *const names[] = { "docker.io", "index.docker.io",
					     "registry-1.docker.io" };

	for (size_t i = 0; i < countof(names); i++)
		if (strlen(names[i]) == n && memcmp(host, names[i], n) == 0)
			return true;
	return false;
}

/* does key ("https://host:port/v1/", "host:port") name host? */
static bool
key_matches(const char *key, const char *host)
{
	size_t n;

	if (strncmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncmp(key, "http://", 7) == 0)
		key += 7;
	n = strcspn(key, "/");
	if (strlen(host) == n && memcmp(key, host, n) == 0)
		return true;
	return is_docker_hub(key, n) && is_docker_hub(host, strlen(host));
}

/* 0 and *out from one "auths" entry, 1 when it holds no password */
static int
from_entry(const char *path, const char *key, const json_t *e,
	   struct creds *out, struct err **errp)
{
	const char *auth = json_string_value(json_object_get(e, "auth"));
	const char *user = json_string_value(json_object_get(e, "username"));
	const char *pass = json_string_value(json_object_get(e, "password"));

	if (auth && *auth) {
		char *plain, *colon;
		size_t len;

		if (base64_decode(auth, &plain, &len) < 0)
			return err_make(errp, 0, "'%s': the auth of '%s' is not base64", path, key);
		colon = strchr(plain, ':');
		if (!colon || strlen(plain) != len) {
			free(plain);
			return err_make(errp, 0, "'%s': the auth of '%s' is not user:password in base64",
					path, key);
		}
		*colon = '\0';
		out->user = xstrdup(plain);
		out->secret = xstrdup(colon + 1);
		free(plain);
		return 0;
	}
	if (user && *user && pass) {
		out->user = xstrdup(user);
		out->secret = xstrdup(pass);
		return 0;
	}
	user = json_string_value(json_object_get(e, "identitytoken"));
	if (user && *user) {
		out->secret = xstrdup(user);
		out->is_identity_token = true;
		return 0;
	}
	return 1;
}

/* the credential helper the config names for host: "credHelpers" (by
 * host), else "credsStore"; NULL for none */
static const char *
helper_for(const json_t *conf, const char *host)
{
	const json_t *helpers = json_object_get(conf, "credHelpers"), *v;
	const char *key;

	v = json_object_get(helpers, host);
	if (json_string_value(v) && *json_string_value(v))
		return json_string_value(v);
	json_object_foreach((json_t *)helpers, key, v)
		if (key_matches(key, host) && json_string_value(v) && *json_string_value(v))
			return json_string_value(v);
	v = json_object_get(conf, "credsStore");
	if (json_string_value(v) && *json_string_value(v))
		return json_string_value(v);
	return NULL;
}

static int
from_helper(const char *path, const char *helper, const char *host,
	    struct creds *out, struct err **errp)
{
	autofree char *url = credhelper_server_url(host);

	if (credhelper_get(helper, url, out, errp) < 0)
		return err_wrap(errp, "'%s' names credential helper '%s' for '%s'", path, helper, host);
	if (!out->secret)
		return 1;
	out->from = xasprintf("from credential helper 'docker-credential-%s' (named in '%s')", helper, path);
	return 0;
}

int
creds_lookup_in(const char *path, const char *host, struct creds *out,
		struct err **errp)
{
	json_t *conf = NULL, *auths, *e;
	const char *key, *helper;
	struct stat sb;
	int r = 1;

	memset(out, 0, sizeof(*out));
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return err_make(errp, errno, "cannot read '%s'", path);
	}
	if (manifest_read_file(path, CREDS_CONFIG_MAX, &conf, errp) < 0)
		return -1;
	auths = json_object_get(conf, "auths");
	if (auths && !json_is_object(auths)) {
		json_decref(conf);
		return err_make(errp, 0, "'%s': \"auths\" is not an object", path);
	}
	helper = helper_for(conf, host);
	if (helper) {
		/* as Docker: a helper's answer replaces the "auths" entries */
		r = from_helper(path, helper, host, out, errp);
		json_decref(conf);
		return r;
	}
	/* an exact key first, then one naming the same host some other way */
	e = json_object_get(auths, host);
	if (e)
		r = from_entry(path, host, e, out, errp);
	if (r == 1) {
		json_object_foreach(auths, key, e) {
			if (!key_matches(key, host))
				continue;
			r = from_entry(path, key, e, out, errp);
			if (r != 1)
				break;
		}
	}
	json_decref(conf);
	if (r == 0)
		out->from = xasprintf("in '%s'", path);
	return r;
}

int
creds_lookup(const char *host, struct creds *out, struct err **errp)
{
	const char *v = getenv("REGISTRY_AUTH_FILE");
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *paths[3] = { NULL, NULL, NULL };
	int r = 1;

	memset(out, 0, sizeof(*out));
	if (v && *v)
		paths[0] = xstrdup(v);
	paths[1] = creds_config_path();
	if (run && *run)
		paths[2] = xasprintf("%s/containers/auth.json", run);
	for (size_t i = 0; i < countof(paths) && r == 1; i++)
		if (paths[i])
			r = creds_lookup_in(paths[i], host, out, errp);
	for (size_t i = 0; i < countof(paths); i++)
		free(paths[i]);
	return r;
}

void
creds_fini(struct creds *c)
{
	free(c->user);
	if (c->secret)
		memset(c->secret, 0, strlen(c->secret));
	free(c->secret);
	free(c->from);
	memset(c, 0, sizeof(*c));
}
