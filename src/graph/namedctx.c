#include <string.h>
#include <strings.h>

#include "oci/ref.h"
#include "util/alloc.h"
#include "namedctx.h"

/* Docker's FamiliarString less a ":latest" tag, or NULL for a name that is
 * no reference */
static char *
familiar(const char *s)
{
	struct ref r = { 0 };
	const char *path;
	char *out;

	if (ref_parse(s, &r, NULL) < 0) {
		ref_fini(&r);
		return NULL;
	}
	path = r.path;
	if (!strcmp(r.domain, "docker.io") && !strncmp(path, "library/", 8) &&
	    !strchr(path + 8, '/'))
		path += 8;
	out = xasprintf("%s%s%s%s%s%s%s",
			strcmp(r.domain, "docker.io") ? r.domain : "",
			strcmp(r.domain, "docker.io") ? "/" : "", path,
			r.tag && strcmp(r.tag, "latest") ? ":" : "",
			r.tag && strcmp(r.tag, "latest") ? r.tag : "",
			r.digest[0] ? "@" : "", r.digest);
	ref_fini(&r);
	return out;
}

const struct named_context *
namedctx_find(const struct gen_opts *o, const char *ref)
{
	autofree char *want = NULL;

	if (!o->ncontexts || !strcasecmp(ref, "scratch") || !strcasecmp(ref, "context"))
		return NULL;
	want = familiar(ref);
	if (!want)
		return NULL;
	for (size_t i = 0; i < o->ncontexts; i++) {
		autofree char *have = familiar(o->contexts[i].name);

		if (have && !strcmp(have, want))
			return &o->contexts[i];
	}
	return NULL;
}
