#include <stdlib.h>
#include <string.h>

#include "image/docker_in.h"
#include "image/image.h"
#include "image/image_in.h"
#include "image/oci_in.h"
#include "util/alloc.h"
#include "util/err.h"

#define OCI_SCHEME "oci-layout://"
#define DOCKER_SCHEME "docker-archive://"

bool
image_in_is_local(const char *ref)
{
	return strncmp(ref, OCI_SCHEME, strlen(OCI_SCHEME)) == 0 ||
	       strncmp(ref, DOCKER_SCHEME, strlen(DOCKER_SCHEME)) == 0;
}

/* split "PATH[:TAG]" at its first ':'; *tag is NULL without one */
static int
split(const char *ref, const char *s, char **path, char **tag,
      struct err **errp)
{
	const char *colon = strchr(s, ':');

	*path = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
	*tag = colon ? xstrdup(colon + 1) : NULL;
	if (!**path || (*tag && !**tag)) {
		free(*path);
		free(*tag);
		return err_make(errp, 0, "'%s': expected PATH[:TAG]", ref);
	}
	return 0;
}

static int
load(const struct store *st, const char *ref, bool describe, const char *platform,
     struct image *img, struct err **errp)
{
	autofree char *path = NULL, *tag = NULL, *rest = NULL;
	const char *at;

	if (strncmp(ref, DOCKER_SCHEME, strlen(DOCKER_SCHEME)) == 0) {
		if (split(ref, ref + strlen(DOCKER_SCHEME), &path, &tag, errp) < 0)
			return -1;
		return docker_in_load(st, path, tag, img, errp);
	}
	if (strncmp(ref, OCI_SCHEME, strlen(OCI_SCHEME)) != 0)
		return err_make(errp, 0, "'%s' is not a local image (%sPATH or %sPATH)",
				ref, OCI_SCHEME, DOCKER_SCHEME);
	rest = xstrdup(ref + strlen(OCI_SCHEME));
	at = strstr(rest, "@sha256:");
	if (at)
		rest[at - rest] = '\0';
	if (split(ref, rest, &path, &tag, errp) < 0)
		return -1;
	return oci_in_load(describe ? NULL : st, path, tag,
			   at ? ref + strlen(OCI_SCHEME) + (at - rest) + 1 : NULL, platform,
			   img, errp);
}

int
image_in_load(const struct store *st, const char *ref, struct image *img,
	      struct err **errp)
{
	return load(st, ref, false, NULL, img, errp);
}

int
image_in_load_platform(const struct store *st, const char *ref, const char *platform,
		       struct image *img, struct err **errp)
{
	return load(st, ref, false, platform, img, errp);
}

int
image_in_describe(const struct store *st, const char *ref, struct image *img,
		  struct err **errp)
{
	return load(st, ref, true, NULL, img, errp);
}
