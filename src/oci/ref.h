#ifndef DF2NINJA_REF_H
#define DF2NINJA_REF_H

#include "oci/digest.h"

struct err;

/*
 * an image reference, parsed and normalised the way Docker does
 * (distribution/reference's ParseNormalizedNamed):
 *
 *   debian                  docker.io/library/debian:latest
 *   user/app:1              docker.io/user/app:1
 *   127.0.0.1:5000/app      127.0.0.1:5000/app:latest
 *   [::1]:5000/a/b@sha256:… a digest; a tag beside it is kept but unused
 *
 * A first component is a registry host when it holds a '.' or a ':', is
 * "localhost", or has an upper-case letter; index.docker.io is docker.io.
 *
 * One grammar, read in two dialects. The generator checks what a
 * Dockerfile names (ref_check) in the words of distribution/reference,
 * which `docker build` prints, and lets through what that grammar takes
 * though no registry could serve it: any digest algorithm, a host checked
 * loosely, a 64-digit hex name. The registry client parses what it is to
 * fetch (ref_parse) and refuses those, saying why in its own words.
 */
struct ref {
	char *domain;			/* "docker.io", "127.0.0.1:5000" */
	char *path;			/* "library/debian" */
	char *tag;			/* "latest" when neither tag nor digest
					 * was given; NULL with a digest alone */
	char digest[DIGEST_LEN];	/* "" when none */
	char *full;			/* "docker.io/library/debian:latest",
					 * "...@sha256:…" with a digest */
};

/* parse s for the registry client; a malformed reference or a digest
 * other than sha256 is an error naming s */
int ref_parse(const char *s, struct ref *r, struct err **errp);
/* release r; accepts a zeroed r */
void ref_fini(struct ref *r);
/* the host serving the registry API: registry-1.docker.io for docker.io,
 * else the domain */
const char *ref_api_host(const struct ref *r);
/* what a manifest is asked for by: the digest when given, else the tag */
const char *ref_reference(const struct ref *r);
/*
 * a file name for the reference without its digest: [A-Za-z0-9.-] kept,
 * '/' as '_', ':' as '+', every other byte as %XX, so two references never
 * share a name ("docker.io_library_debian+bookworm"); caller frees
 */
char *ref_file_name(const struct ref *r);

/*
 * check that s is an image reference a Dockerfile may name ("alpine",
 * "debian:bookworm", "ghcr.io/o/r:t@sha256:..."). A reference with a
 * transport ("oci-layout://") is left to the executor. Returns 0, or -1
 * with *why a static text.
 */
int ref_check(const char *s, const char **why);
/*
 * a local image reference (oci-layout://PATH, docker-archive://PATH) with
 * a relative PATH is relative to the build context; the executor runs in
 * the output's directory, so prefix context_rel. Other references are
 * returned as they are. Caller frees.
 */
char *ref_localize(const char *ref, const char *context_rel);

#endif
