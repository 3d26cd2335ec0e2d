#include <string.h>
#include <strings.h>

#include "oci/ref.h"
#include "util/alloc.h"
#include "util/err.h"
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

int
namedctx_check(const struct gen_opts *o, struct err **errp)
{
	for (size_t i = 0; i < o->ncontexts; i++) {
		const struct named_context *nc = &o->contexts[i];
		const char *why;

		if (ref_check(nc->name, &why) < 0)
			return err_make(errp, 0, "--build-context: invalid context "
					"name '%s': %s", nc->name, why);
		if (!strcasecmp(nc->name, "scratch") || !strcasecmp(nc->name, "context"))
			return err_make(errp, 0, "--build-context: the name '%s' is "
					"reserved", nc->name);
		if (nc->kind == NAMED_CONTEXT_IMAGE &&
		    strncmp(nc->value, "oci-layout://", 13) != 0 &&
		    ref_check(nc->value, &why) < 0)
			return err_make(errp, 0, "--build-context '%s': invalid image "
					"reference '%s': %s", nc->name, nc->value, why);
	}
	return 0;
}
