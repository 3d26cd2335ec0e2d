#ifndef DF2NINJA_REF_H
#define DF2NINJA_REF_H

/*
 * check that ref is an image reference the registry client can take
 * ("alpine", "debian:bookworm", "ghcr.io/o/r:t@sha256:..."), the grammar
 * of distribution/reference. A reference with a transport ("oci-layout://")
 * is left to the executor. Returns 0, or -1 with *why a static text.
 */
int ref_check(const char *ref, const char **why);

/*
 * a local image reference (oci-layout://PATH, docker-archive://PATH) with
 * a relative PATH is relative to the build context; the executor runs in
 * the output's directory, so prefix context_rel. Other references are
 * returned as they are. Caller frees.
 */
char *ref_localize(const char *ref, const char *context_rel);

#endif
