#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/imgname.h"
#include "util/alloc.h"
#include "util/err.h"

/* distribution/reference: a path component is lower-case alphanumerics
 * joined by '.', '_', '__' or runs of '-' */
static bool
valid_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	while (i < n) {
		size_t run = 0;

		while (i < n && (islower((unsigned char)s[i]) ||
				 isdigit((unsigned char)s[i]))) {
			i++;
			run++;
		}
		if (run == 0)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_')) {
			i++;
		} else if (s[i] == '_') {
			i += 2;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false;
	}
	return true;
}

static bool
valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
			return false;
	return true;
}

static bool
is_domain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || isupper((unsigned char)s[i]))
			return true;
	return n == 9 && memcmp(s, "localhost", 9) == 0;
}

int
imgname_parse(const char *s, struct imgname *n, struct err **errp)
{
	autofree char *domain = NULL, *path = NULL;
	const char *slash, *colon, *rest, *p;
	const char *tag = "latest";

	memset(n, 0, sizeof(*n));
	if (strchr(s, '@'))
		return err_make(errp, 0, "image name '%s': a digest cannot be used as a tag", s);
	slash = strrchr(s, '/');
	colon = strrchr(slash ? slash : s, ':');
	if (colon) {
		tag = colon + 1;
		if (!valid_tag(tag))
			return err_make(errp, 0, "image name '%s': invalid tag '%s'", s, tag);
	}
	rest = s;
	slash = strchr(s, '/');
	if (slash && slash < (colon ? colon : s + strlen(s)) &&
	    is_domain(s, (size_t)(slash - s))) {
		domain = xstrndup(s, (size_t)(slash - s));
		rest = slash + 1;
	} else {
		domain = xstrdup("docker.io");
	}
	if (strcmp(domain, "index.docker.io") == 0) {
		free(domain);
		domain = xstrdup("docker.io");
	}
	path = xstrndup(rest, colon ? (size_t)(colon - rest) : strlen(rest));
	for (p = path;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!valid_component(p, len))
			return err_make(errp, 0,
					"image name '%s': invalid repository name (lower-case letters, digits and . _ - only)",
					s);
		if (!e)
			break;
		p = e + 1;
	}
	if (strcmp(domain, "docker.io") == 0 && !strchr(path, '/')) {
		char *lib = xasprintf("library/%s", path);

		free(path);
		path = lib;
	}
	n->full = xasprintf("%s/%s:%s", domain, path, tag);
	if (strcmp(domain, "docker.io") != 0)
		n->repo = xasprintf("%s/%s", domain, path);
	else if (strncmp(path, "library/", 8) == 0 && !strchr(path + 8, '/'))
		n->repo = xstrdup(path + 8);
	else
		n->repo = xstrdup(path);
	n->familiar = xasprintf("%s:%s", n->repo, tag);
	n->tag = xstrdup(tag);
	return 0;
}

void
imgname_fini(struct imgname *n)
{
	free(n->full);
	free(n->familiar);
	free(n->repo);
	free(n->tag);
	memset(n, 0, sizeof(*n));
}

int
imgname_parse_all(const char *const *v, size_t n, struct imgname **out,
		  struct err **errp)
{
	struct imgname *names = n ? xcalloc(n, sizeof(*names)) : NULL;

	for (size_t i = 0; i < n; i++) {
		if (imgname_parse(v[i], &names[i], errp) < 0) {
			imgname_free_all(names, i);
			*out = NULL;
			return -1;
		}
	}
	*out = names;
	return 0;
}

void
imgname_free_all(struct imgname *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		imgname_fini(&v[i]);
	free(v);
}
