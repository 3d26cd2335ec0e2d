#ifndef DF2NINJA_IMGNAME_H
#define DF2NINJA_IMGNAME_H

#include <stddef.h>

struct err;

/*
 * an image name as given to -t, normalised the way Docker does
 * (ref_parse in oci/ref.h): "myimg:1.0" is
 * docker.io/library/myimg with tag 1.0, a missing tag is "latest", and a
 * first component with a '.' or ':' (or "localhost") is a registry host.
 */
struct imgname {
	char *full;	/* "docker.io/library/myimg:1.0" */
	char *familiar;	/* "myimg:1.0", as `docker images` shows it */
	char *repo;	/* "myimg", the familiar name without the tag */
	char *tag;	/* "1.0" */
};

/* parse and normalise s; a digest ("@sha256:...") or a name
 * ref_parse refuses is an error naming s */
int imgname_parse(const char *s, struct imgname *n, struct err **errp);
/* release the strings; accepts a zeroed n */
void imgname_fini(struct imgname *n);
/* parse the n names in v into a new array *out (NULL when n is 0) */
int imgname_parse_all(const char *const *v, size_t n, struct imgname **out,
		      struct err **errp);
/* imgname_fini each of the n names of v and free v */
void imgname_free_all(struct imgname *v, size_t n);

#endif
