#ifndef DF2NINJA_GITURL_H
#define DF2NINJA_GITURL_H

#include <stdbool.h>

struct err;

/*
 * A source that names a Git repository, by BuildKit's rules
 * (util/gitutil ParseURL, dockerfile ParseGitRef): a "git://" or "ssh://"
 * URL, an "http(s)://" one whose path ends in ".git", or scp-style
 * "user@host:path"; "#ref:subdir" after it picks a branch, tag or commit
 * and a directory of the repository.
 */

/* s names a Git repository */
bool giturl_is(const char *s);

struct giturl {
	char *remote;	/* the URL without its fragment, as git takes it */
	char *ref;	/* the fragment's ref: "" for the remote's HEAD */
	char *subdir;	/* cleaned, relative, "" for the root */
};

/*
 * split s (giturl_is) into g; a URL query (BuildKit's "?ref=...&subdir=..."
 * form) is refused with a one-line reason. g's strings are the caller's
 * (giturl_fini).
 */
int giturl_parse(const char *s, struct giturl *g, struct err **errp);
void giturl_fini(struct giturl *g);

/* s is a full commit name: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits */
bool giturl_is_commit(const char *s);

#endif
