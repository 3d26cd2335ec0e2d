#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "registry/daemoncfg.h"
#include "util/alloc.h"
#include "util/err.h"

/* the strings of array key of j, each checked by ok (an error message
 * or NULL) */
static int
strings(const char *path, const json_t *j, const char *key,
	const char *(*ok)(const char *), struct strv *out, struct err **errp)
{
	const json_t *a = json_object_get(j, key), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return err_make(errp, 0, "'%s': \"%s\" is not an array", path, key);
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v), *why;

		if (!s)
			return err_make(errp, 0, "'%s': \"%s\" holds a value that is not a string",
					path, key);
		why = ok(s);
		if (why)
			return err_make(errp, 0, "'%s': \"%s\" entry '%s' %s", path, key, s, why);
		strv_add(out, s);
	}
	return 0;
}

static const char *
mirror_ok(const char *s)
{
	const char *rest;

	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return "is not an http or https URL";
	rest += strcspn(rest, "/");
	if (*rest && strcmp(rest, "/") != 0)
		return "has a path, which Docker does not allow";
	return NULL;
}

static const char *
insecure_ok(const char *s)
{
	if (strchr(s, '/'))
		return "is a CIDR range or URL; df2ninja reads host[:port] entries only";
	return *s ? NULL : "is empty";
}

int
daemoncfg_parse(const char *path, const char *text, size_t len,
		struct daemoncfg *out, struct err **errp)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	int r;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		json_decref(j);
		return err_make(errp, 0, "'%s': %s", path, j ? "not a JSON object" : je.text);
	}
	r = strings(path, j, "registry-mirrors", mirror_ok, &out->mirrors, errp);
	if (r == 0)
		r = strings(path, j, "insecure-registries", insecure_ok, &out->insecure, errp);
	json_decref(j);
	if (r < 0)
		daemoncfg_fini(out);
	return r;
}

int
daemoncfg_load(const char *path, struct daemoncfg *out, struct err **errp)
{
	autofree char *text = NULL;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (manifest_read_bytes(path, DAEMONCFG_MAX, &text, &len, errp) < 0) {
		if (*errp && (*errp)->errnum == ENOENT) {
			err_free(*errp);
			*errp = NULL;
			return 0;
		}
		return -1;
	}
	return daemoncfg_parse(path, text, len, out, errp);
}

void
daemoncfg_fini(struct daemoncfg *c)
{
	strv_fini(&c->mirrors);
	strv_fini(&c->insecure);
}
