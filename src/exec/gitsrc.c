#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/gitcmd.h"
#include "exec/gitsrc.h"
#include "image/tree.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/giturl.h"

/* the line of ls-remote's output naming name: its commit, or NULL */
static char *
ls_find(const char *out, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = out; *l; ) {
		const char *tab = strchr(l, '\t'), *nl = strchr(l, '\n');

		if (!nl)
			nl = l + strlen(l);
		if (tab && tab < nl && (size_t)(nl - tab - 1) == n &&
		    strncmp(tab + 1, name, n) == 0)
			return xstrndup(l, (size_t)(tab - l));
		l = *nl ? nl + 1 : nl;
	}
	return NULL;
}

/*
 * ref as git would take it on the remote: HEAD for "", else ref itself,
 * then a tag (peeled to its commit), then a branch. *commit gets the
 * commit, *name the remote's full ref name (for the fetch)
 */
static int
resolve_ref(const char *remote, const char *ref, char **commit, char **name,
	    struct err **errp)
{
	const char *args[] = { "ls-remote", "--", remote, NULL };
	autofree char *out = NULL;
	const char *prefix[] = { "", "refs/tags/", "refs/heads/" };

	*commit = *name = NULL;
	if (gitcmd_run(NULL, args, &out, errp) < 0)
		return -1;
	if (!ref[0]) {
		*commit = ls_find(out, "HEAD");
		*name = xstrdup("HEAD");
		if (!*commit)
			return err_make(errp, 0, "the remote has no HEAD "
					"(name a ref after '#')");
		return 0;
	}
	for (size_t i = 0; i < countof(prefix); i++) {
		autofree char *full = xasprintf("%s%s", prefix[i], ref);
		autofree char *peeled = xasprintf("%s^{}", full);

		*commit = ls_find(out, peeled);
		if (!*commit)
			*commit = ls_find(out, full);
		if (*commit) {
			*name = steal_pointer(&full);
			return 0;
		}
	}
	return err_make(errp, 0, "no ref '%s' (branch, tag or full commit "
			"name) in the repository", ref);
}

/* remote without the user and password of its URL (scheme://user:pw@host/):
 * what the tree's .git/config keeps, which --keep-git-dir puts in a layer */
static char *
without_userinfo(const char *remote)
{
	const char *sep = strstr(remote, "://"), *host, *at;

	if (!sep)
		return xstrdup(remote);
	host = sep + 3;
	at = strchr(host, '@');
	if (!at || at > host + strcspn(host, "/"))
		return xstrdup(remote);
	return xasprintf("%.*s%s", (int)(host - remote), remote, at + 1);
}

/* fetch commit (reached as name, or by its own name when NULL) into the
 * repository at dir and check it out */
static int
checkout(const char *dir, const char *remote, const char *name,
	 const char *commit, struct err **errp)
{
	const char *init[] = { "init", "-q", dir, NULL };
	const char *add[] = { "remote", "add", "--", "origin", remote, NULL };
	/* a ref is never an option, whatever it starts with */
	const char *shallow[] = { "fetch", "-q", "--depth=1", "--no-tags", "--end-of-options",
				  "origin", name ? name : commit, NULL };
	const char *full[] = { "fetch", "-q", "--tags", "origin",
			       "+refs/heads/*:refs/remotes/origin/*", NULL };
	const char *co[] = { "-c", "advice.detachedHead=false", "checkout", "-q",
			     commit, NULL };
	const char *sub[] = { "submodule", "update", "-q", "--init", "--recursive",
			      "--depth=1", NULL };
	const char *head[] = { "rev-parse", "HEAD", NULL };
	autofree char *bare = without_userinfo(remote);
	const char *seturl[] = { "remote", "set-url", "--", "origin", bare, NULL };
	struct err *e = NULL;
	autofree char *got = NULL;
	autofree char *gitmodules = fs_join(dir, ".gitmodules");

	if (gitcmd_run(NULL, init, NULL, errp) < 0 ||
	    gitcmd_run(dir, add, NULL, errp) < 0)
		return -1;
	/* the dumb HTTP protocol and some servers cannot fetch shallow, or
	 * a commit by its name: then everything */
	if (gitcmd_run(dir, shallow, NULL, &e) < 0) {
		err_free(e);
		if (gitcmd_run(dir, full, NULL, errp) < 0)
			return -1;
	}
	if (gitcmd_run(dir, co, NULL, errp) < 0 ||
	    gitcmd_run(dir, head, &got, errp) < 0)
		return -1;
	got[strcspn(got, "\n")] = '\0';
	if (strcmp(got, commit) != 0)
		return err_make(errp, 0, "checked out %s instead of %s", got, commit);
	if (access(gitmodules, F_OK) == 0 && gitcmd_run(dir, sub, NULL, errp) < 0)
		return -1;
	/* no password left in .git/config */
	if (strcmp(bare, remote) != 0 && gitcmd_run(dir, seturl, NULL, errp) < 0)
		return -1;
	return 0;
}

/* <builddir>/git/<remote's digest>/<commit>[.git], made when missing */
static int
commit_tree(const char *builddir, const char *remote, const char *name,
	    const char *commit, bool keep_git_dir, char **out, struct err **errp)
{
	char sum[DIGEST_LEN];
	autofree char *top = NULL, *tmp = NULL, *dotgit = NULL;
	char *path;

	digest_buf(remote, strlen(remote), sum);
	top = xasprintf("%s/git/%.16s", builddir, sum + strlen("sha256:"));
	path = xasprintf("%s/%s%s", top, commit, keep_git_dir ? ".git" : "");
	*out = path;
	if (access(path, F_OK) == 0)
		return 0;
	if (fs_mkdir_p(top, errp) < 0)
		return -1;
	tmp = xasprintf("%s/tmp.%ld", top, (long)getpid());
	if (access(tmp, F_OK) == 0 && tree_remove_path(tmp, errp) < 0)
		return -1;
	if (checkout(tmp, remote, name, commit, errp) < 0)
		goto fail;
	dotgit = fs_join(tmp, ".git");
	if (!keep_git_dir && tree_remove_path(dotgit, errp) < 0)
		goto fail;
	/* another step may have made it meanwhile: theirs is as good */
	if (rename(tmp, path) < 0 && errno != ENOTEMPTY && errno != EEXIST) {
		err_make(errp, errno, "cannot rename '%s'", tmp);
		goto fail;
	}
	if (access(tmp, F_OK) == 0)
		tree_remove_path(tmp, NULL);
	return 0;
fail:
	tree_remove_path(tmp, NULL);
	return -1;
}

static bool
is_hex(const char *s)
{
	return s[0] && !s[strspn(s, "0123456789abcdefABCDEF")];
}

/* the directory sub of tree: a symlink in the repository may lead there,
 * but never out of it */
static int
subdir(const char *tree, const char *sub, const char *commit, char **out,
       struct err **errp)
{
	autofree char *joined = fs_join(tree, sub), *real = NULL, *top = NULL;
	struct stat sb;
	size_t n;

	if (stat(joined, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return err_make(errp, 0, "no directory '%s' at commit %s", sub, commit);
	real = realpath(joined, NULL);
	top = realpath(tree, NULL);
	n = top ? strlen(top) : 0;
	if (!real || !top || strncmp(real, top, n) != 0 || (real[n] && real[n] != '/'))
		return err_make(errp, 0, "'%s' leads out of the repository", sub);
	*out = steal_pointer(&real);
	return 0;
}

char *
gitsrc_ref_path(const char *builddir, const char *name)
{
	return xasprintf("%s/steps/%s.ref", builddir, name);
}

int
gitsrc_resolve(const char *url, char **pin, struct err **errp)
{
	struct giturl g;
	autofree char *name = NULL, *c = NULL;
	int r = 0;

	*pin = NULL;
	if (giturl_parse(url, &g, errp) < 0)
		return err_wrap(errp, "Git repository '%s'", url);
	if (giturl_is_commit(g.ref))
		*pin = xasprintf("%s\t%s\n", g.ref, g.ref);
	else if (resolve_ref(g.remote, g.ref, &c, &name, errp) < 0)
		r = err_wrap(errp, "Git repository '%s'", url);
	else
		*pin = xasprintf("%s\t%s\n", c, name);
	giturl_fini(&g);
	return r;
}

/* a .ref file's commit and ref name, or a damaged one's: none */
static bool
pin_split(const char *pin, char **commit, char **name)
{
	const char *tab = strchr(pin, '\t');
	size_t n = strcspn(pin, "\n");

	if (!tab || (size_t)(tab - pin) > n)
		return false;
	*commit = xstrndup(pin, (size_t)(tab - pin));
	*name = xstrndup(tab + 1, n - (size_t)(tab - pin) - 1);
	if (giturl_is_commit(*commit) && (*name)[0])
		return true;
	free(*commit);
	free(*name);
	*commit = *name = NULL;
	return false;
}

int
gitsrc_fetch(const char *builddir, const char *url, const char *pin,
	     const char *checksum, bool keep_git_dir, char **dir, struct err **errp)
{
	struct giturl g;
	autofree char *c = NULL, *name = NULL, *tree = NULL;
	int r = -1;

	*dir = NULL;
	if (checksum && !is_hex(checksum))
		return err_make(errp, 0, "invalid checksum %s for Git URL, "
				"expected hex commit hash", checksum);
	if (giturl_parse(url, &g, errp) < 0)
		return -1;
	if (pin && pin_split(pin, &c, &name)) {
		/* the gitref edge's answer */
	} else if (giturl_is_commit(g.ref)) {
		c = xstrdup(g.ref);
	} else if (resolve_ref(g.remote, g.ref, &c, &name, errp) < 0) {
		goto out;
	}
	if (checksum && strncasecmp(c, checksum, strlen(checksum)) != 0) {
		err_make(errp, 0, "expected checksum to match %s, got %s", checksum, c);
		goto out;
	}
	if (commit_tree(builddir, g.remote, name, c, keep_git_dir, &tree, errp) < 0)
		goto out;
	if (g.subdir[0] && subdir(tree, g.subdir, c, dir, errp) < 0)
		goto out;
	if (!g.subdir[0])
		*dir = xstrdup(tree);
	r = 0;
out:
	if (r < 0)
		err_wrap(errp, "Git repository '%s'", url);
	giturl_fini(&g);
	return r;
}
