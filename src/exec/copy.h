#ifndef DF2NINJA_COPY_H
#define DF2NINJA_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "oci/digest.h"

struct err;
struct ignore;
struct strv;

/*
 * the filesystem half of COPY and ADD, by the rules of the Dockerfile
 * reference as BuildKit applies them: what the sources name (relative to
 * the source root, a leading '/' and any ".." above it dropped; wildcards
 * per component, a wildcard matching nothing copying nothing though its
 * directory must exist; directories copied by their contents; symlinks
 * followed at the top and copied as links below, never out of the source
 * root), where it lands (dest relative to WORKDIR; a trailing '/', "." or
 * an existing directory meaning "into"; symlinks in the rootfs followed
 * inside it), .dockerignore, --exclude, --parents, --chown, --chmod,
 * ADD's unpacking of local tar archives, and the files ADD downloaded.
 */

/* where sources are read from */
struct copy_source {
	int fd;				/* the tree's root directory */
	const char *name;		/* for messages: "build context",
					 * "stage 'builder'", ... */
	const struct ignore *ignore;	/* .dockerignore (the context only),
					 * or NULL */
	const char *const *own;		/* paths (relative to fd) df2ninja
					 * writes: never sources, whatever
					 * .dockerignore says */
	size_t nown;
	bool is_context;		/* a build context (not a stage or an
					 * image): sockets become empty files */
};

/* ADD <url>: the file download.h fetched for a source */
struct copy_download {
	const char *path;		/* the file (in the store); NULL for
					 * a source that is no URL */
	const char *name;		/* the name it gets in a directory
					 * (download_file_name) */
	struct timespec mtime;
};

/* a COPY <<EOF source: a file called name holding data */
struct copy_heredoc {
	const char *name;
	const char *data;
	size_t len;
};

/* how much a copy wrote so far: read by another thread (__atomic) */
struct copy_count {
	long long files, bytes;
};

struct copy_opts {
	bool is_add;			/* ADD: unpack local archives */
	bool no_unpack;			/* ADD --unpack=false */
	bool unpack;			/* ADD --unpack=true: downloaded
					 * archives too */
	const char *const *srcs;	/* as written, variables expanded */
	size_t nsrcs;
	const struct copy_download *downloads; /* nsrcs of them, or NULL:
					 * every http(s) source's file */
	const struct copy_heredoc *heredocs;
	size_t nheredocs;
	const char *dest;		/* as written */
	const char *workdir;		/* absolute; NULL or "" is "/" */
	bool has_chown;			/* --chown given (resolved: uid, gid) */
	uid_t uid;
	gid_t gid;
	bool keep_owner;		/* without --chown keep the source's
					 * owners (COPY --from) instead of
					 * making everything root's (context) */
	const char *chmod;		/* --chmod, or NULL */
	const char *const *excludes;	/* --exclude patterns */
	size_t nexcludes;
	bool parents;			/* --parents */
	struct copy_count *count;	/* counts the regular files copied, or
					 * NULL */
};

/*
 * copy o's sources from src into the root filesystem rootfd (its '/':
 * every destination path is resolved inside it, symlinks included).
 *
 * deps (may be NULL) gets, sorted and without duplicates, the path
 * relative to src->fd ("." for the root) of every file and symlink read and
 * every directory listed, .dockerignore'd entries left out, for a depfile.
 * digest (may be NULL) gets "sha256:..." of everything written: paths,
 * types, modes, owners, sizes, contents, link targets, xattrs, but no
 * times, so touching a source changes nothing.
 *
 * A downloaded file is copied as BuildKit's HTTP source makes it: mode
 * 0600 (before --chmod), root's (unless --chown), the download's mtime,
 * unpacked only with --unpack=true; deps do not list it.
 *
 * Errors: "COPY failed: file not found in build context: 'x'"; "When using
 * COPY with more than one source file, the destination must be a directory
 * and end with a /"; "source can't be a URL for COPY: '...'"; a URL of another scheme;
 * bad --chmod; and whatever the filesystem says, naming the path.
 */
int copy_run(const struct copy_source *src, int rootfd,
	     const struct copy_opts *o, struct strv *deps,
	     char digest[DIGEST_LEN], struct err **errp);

#endif
