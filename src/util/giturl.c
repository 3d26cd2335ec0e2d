#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/giturl.h"
#include "util/path.h"

/* the length of s's "scheme://", 0 when it has none ([a-zA-Z0-9]+ only) */
static size_t
proto_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]))
		n++;
	return n && strncmp(s + n, "://", 3) == 0 ? n : 0;
}

static bool
is_proto(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* scp-style: [a-zA-Z0-9-_]+ '@' [a-zA-Z0-9-.]+ ':' */
static bool
is_scp(const char *s)
{
	size_t i = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

	if (i == 0 || s[i] != '@')
		return false;
	s += i + 1;
	i = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
	return i > 0 && s[i] == ':';
}

bool
giturl_is(const char *s)
{
	size_t n = proto_len(s), end;

	if (!n)
		return is_scp(s);
	if (is_proto(s, n, "git") || is_proto(s, n, "ssh"))
		return true;
	if (!is_proto(s, n, "http") && !is_proto(s, n, "https"))
		return false;
	/* the path, without query and fragment, ends in ".git" */
	end = strcspn(s, "?#");
	return end >= n + 3 + 4 && strncmp(s + end - 4, ".git", 4) == 0 &&
	       memchr(s + n + 3, '/', end - n - 3);
}

int
giturl_parse(const char *s, struct giturl *g, struct err **errp)
{
	const char *hash = strchr(s, '#');
	size_t end = hash ? (size_t)(hash - s) : strlen(s);
	const char *colon;
	char *joined;

	memset(g, 0, sizeof(*g));
	if (memchr(s, '?', end))
		return err_make(errp, 0, "Git URL query parameters are not "
				"supported (use '#ref:subdir'): '%s'", s);
	g->remote = xstrndup(s, end);
	/* the scheme lower-cased, as Go's url.URL.String gives it */
	for (size_t i = 0; i < proto_len(s); i++)
		g->remote[i] = (char)tolower((unsigned char)g->remote[i]);
	if (!hash) {
		g->ref = xstrdup("");
		g->subdir = xstrdup("");
		return 0;
	}
	colon = strchr(hash + 1, ':');
	g->ref = colon ? xstrndup(hash + 1, (size_t)(colon - hash - 1)) : xstrdup(hash + 1);
	/* BuildKit's path.Join("/", subdir) with the '/' trimmed */
	joined = xasprintf("/%s", colon ? colon + 1 : "");
	g->subdir = path_clean(joined, 0);
	free(joined);
	if (!strcmp(g->subdir, "/") || !strcmp(g->subdir, ".")) {
		g->subdir[0] = '\0';
	} else if (g->subdir[0] == '/') {
		memmove(g->subdir, g->subdir + 1, strlen(g->subdir));
	}
	return 0;
}

void
giturl_fini(struct giturl *g)
{
	free(g->remote);
	free(g->ref);
	free(g->subdir);
	memset(g, 0, sizeof(*g));
}

bool
giturl_is_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return !s[n] && (n == 40 || n == 64);
}
