#ifndef DF2NINJA_REGISTRY_REF_H
#define DF2NINJA_REGISTRY_REF_H

#include "oci/digest.h"

struct err;

/*
 * a registry reference, parsed and normalised the way Docker does
 * (distribution/reference's ParseNormalizedNamed):
 *
 *   debian                  docker.io/library/debian:latest
 *   user/app:1              docker.io/user/app:1
 *   127.0.0.1:5000/app      127.0.0.1:5000/app:latest
 *   [::1]:5000/a/b@sha256:… a digest; a tag beside it is kept but unused
 *
 * A first component is a registry host when it holds a '.' or a ':', is
 * "localhost", or has an upper-case letter; index.docker.io is docker.io.
 */
struct registry_ref {
	char *domain;			/* "docker.io", "127.0.0.1:5000" */
	char *path;			/* "library/debian" */
	char *tag;			/* "latest" when neither tag nor digest
					 * was given; NULL with a digest alone */
	char digest[DIGEST_LEN];	/* "" when none */
	char *full;			/* "docker.io/library/debian:latest",
					 * "...@sha256:…" with a digest */
};

/* parse s; a malformed reference or a digest other than sha256 is an
 * error naming s */
int registry_ref_parse(const char *s, struct registry_ref *r,
		       struct err **errp);
/* release r; accepts a zeroed r */
void registry_ref_fini(struct registry_ref *r);
/* the host serving the registry API: registry-1.docker.io for docker.io,
 * else the domain */
const char *registry_ref_api_host(const struct registry_ref *r);
/* what a manifest is asked for by: the digest when given, else the tag */
const char *registry_ref_reference(const struct registry_ref *r);
/*
 * a file name for the reference without its digest: [A-Za-z0-9.-] kept,
 * '/' as '_', ':' as '+', every other byte as %XX, so two references never
 * share a name ("docker.io_library_debian+bookworm"); caller frees
 */
char *registry_ref_file_name(const struct registry_ref *r);

#endif
