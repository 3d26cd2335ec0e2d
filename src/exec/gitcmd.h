#ifndef DF2NINJA_GITCMD_H
#define DF2NINJA_GITCMD_H

struct err;

/*
 * run the git program (found on PATH) with args (NULL-terminated, without
 * "git") in dir (NULL: here): stdin is /dev/null, the environment is ours
 * without what names a repository (GIT_DIR, ...), with GIT_TERMINAL_PROMPT=0
 * and GIT_ASKPASS/SSH_ASKPASS emptied, so that git never asks for
 * credentials (an ssh URL uses the caller's agent as git would), and
 * GIT_ALLOW_PROTOCOL=http:https:git:ssh (no file:// or ext:: submodule), and the umask is 022, so that a checkout has git's modes
 * (0644, 0755). *out (may be NULL) gets its stdout (caller frees). A
 * failure says "git <args[0]>: " and the last line git wrote to stderr.
 */
int gitcmd_run(const char *dir, const char *const *args, char **out, struct err **errp);

#endif
