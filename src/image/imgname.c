#include <stdlib.h>
#include <string.h>

#include "image/imgname.h"
#include "oci/ref.h"
#include "util/alloc.h"
#include "util/err.h"

int
imgname_parse(const char *s, struct imgname *n, struct err **errp)
{
	struct ref r;

	memset(n, 0, sizeof(*n));
	if (strchr(s, '@'))
		return err_make(errp, 0, "image name '%s': a digest cannot be used as a tag", s);
	if (ref_parse(s, &r, errp) < 0)
		return -1;
	n->full = xstrdup(r.full);
	if (strcmp(r.domain, "docker.io") != 0)
		n->repo = xasprintf("%s/%s", r.domain, r.path);
	else if (strncmp(r.path, "library/", 8) == 0 && !strchr(r.path + 8, '/'))
		n->repo = xstrdup(r.path + 8);
	else
		n->repo = xstrdup(r.path);
	n->familiar = xasprintf("%s:%s", n->repo, r.tag);
	n->tag = xstrdup(r.tag);
	ref_fini(&r);
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
