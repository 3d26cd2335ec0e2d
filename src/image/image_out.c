#include <string.h>

#include "image/docker_out.h"
#include "image/image.h"
#include "image/image_out.h"
#include "image/local_out.h"
#include "image/oci_out.h"
#include "util/alloc.h"
#include "util/err.h"

static const char *const names[] = {
	[IMAGE_OUT_OCI] = "oci",
	[IMAGE_OUT_DOCKER] = "docker",
	[IMAGE_OUT_LOCAL] = "local",
};

int
image_out_kind_parse(const char *type, enum image_out_kind *kind,
		     struct err **errp)
{
	for (size_t i = 0; i < countof(names); i++) {
		if (strcmp(type, names[i]) == 0) {
			*kind = (enum image_out_kind)i;
			return 0;
		}
	}
	return err_make(errp, 0, "unknown output type '%s' (oci, docker or local)", type);
}

const char *
image_out_kind_name(enum image_out_kind kind)
{
	return names[kind];
}

int
image_out_write(const struct store *st, struct image *img,
		enum image_out_kind kind, const char *const *tags,
		size_t n_tags, const char *dest, unsigned flags,
		struct err **errp)
{
	switch (kind) {
	case IMAGE_OUT_OCI:
		return oci_out_write(st, img, tags, n_tags, dest, errp);
	case IMAGE_OUT_DOCKER:
		return docker_out_write(st, img, tags, n_tags, dest, errp);
	case IMAGE_OUT_LOCAL:
		return local_out_write(st, img, dest, flags & IMAGE_OUT_REPLACE, errp);
	}
	BUG("unknown image_out_kind %d", (int)kind);
}
