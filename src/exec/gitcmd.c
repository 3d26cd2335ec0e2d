#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/gitcmd.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pathfind.h"
#include "util/strv.h"

extern char **environ;

/*
 * what the environment may not say: a repository of its own (git's
 * local_repo_env: ninja may run inside a git hook), a protocol list, a
 * way to prompt
 */
static const char *const dropped[] = {
	"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=", "GIT_NAMESPACE=",
	"GIT_PREFIX=", "GIT_IMPLICIT_WORK_TREE=", "GIT_GRAFT_FILE=",
	"GIT_SHALLOW_FILE=", "GIT_QUARANTINE_PATH=", "GIT_REPLACE_REF_BASE=",
	"GIT_NO_REPLACE_OBJECTS=", "GIT_INTERNAL_SUPER_PREFIX=",
	"GIT_ALLOW_PROTOCOL=", "GIT_PROTOCOL_FROM_USER=",
	"GIT_TERMINAL_PROMPT=", "GIT_ASKPASS=", "SSH_ASKPASS=", "GCM_INTERACTIVE=",
};

static bool
is_dropped(const char *e)
{
	for (size_t i = 0; i < countof(dropped); i++)
		if (!strncmp(e, dropped[i], strlen(dropped[i])))
			return true;
	return false;
}

/* the git of the environment, with nothing that could prompt, and only
 * the network's protocols: a submodule may not name a host's file
 * (file://, a path) or run a command (ext::) */
static void
git_env(struct strv *env)
{
	for (char **e = environ; *e; e++)
		if (!is_dropped(*e))
			strv_add(env, *e);
	strv_add(env, "GIT_ALLOW_PROTOCOL=http:https:git:ssh");
	strv_add(env, "GIT_TERMINAL_PROMPT=0");
	strv_add(env, "GIT_ASKPASS=");
	strv_add(env, "SSH_ASKPASS=");
	strv_add(env, "GCM_INTERACTIVE=never");
}

/* what git said in the memfd fd: its first "fatal: " line (the cause,
 * before what gave up because of it), else its last line, or "" */
static char *
git_said(int fd)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t n;
	char *s, *nl;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_putn(&b, chunk, (size_t)n);
	s = buf_steal(&b);
	nl = strncmp(s, "fatal: ", 7) == 0 ? s : strstr(s, "\nfatal: ");
	if (nl) {
		nl += nl[0] == '\n';
		memmove(s, nl, strlen(nl) + 1);
		s[strcspn(s, "\n")] = '\0';
		return s;
	}
	while (*s && (nl = strrchr(s, '\n')) && !nl[1])
		*nl = '\0';
	nl = strrchr(s, '\n');
	if (nl)
		memmove(s, nl + 1, strlen(nl + 1) + 1);
	return s;
}

static int
wait_git(pid_t pid, int outfd, char **out, int errfd, const char *what, struct err **errp)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int status;

	for (;;) {
		n = read(outfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_putn(&b, chunk, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			buf_fini(&b);
			return err_make(errp, errno, "git %s: waitpid", what);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		autofree char *line = git_said(errfd);

		buf_fini(&b);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !line[0])
			return err_make(errp, 0, "git %s: cannot run git "
					"(is it installed?)", what);
		return err_make(errp, 0, "git %s: %s", what,
				line[0] ? line : "failed");
	}
	if (out)
		*out = buf_steal(&b);
	else
		buf_fini(&b);
	return 0;
}

int
gitcmd_run(const char *dir, const char *const *args, char **out, struct err **errp)
{
	struct strv argv = STRV_INIT, env = STRV_INIT;
	autofree char *exe = NULL;
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, r;
	autoclose int errfd = -1;
	mode_t old;
	pid_t pid;

	if (out)
		*out = NULL;
	errfd = memfd_create("git-stderr", MFD_CLOEXEC);
	if (errfd < 0)
		return err_make(errp, errno, "memfd_create");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_make(errp, errno, "pipe");
	strv_add(&argv, "git");
	for (size_t i = 0; args[i]; i++)
		strv_add(&argv, args[i]);
	git_env(&env);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	/* absolute entries of $PATH only: the child chdirs into the
	 * fetched tree, where a relative entry would find its ./git */
	exe = pathfind("git");
	old = umask(022);
	r = exe ? posix_spawn(&pid, exe, &fa, NULL, argv.v, env.v) : ENOENT;
	umask(old);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	strv_fini(&env);
	if (r != 0) {
		close(pipefd[0]);
		strv_fini(&argv);
		if (r == ENOENT)
			return err_make(errp, 0, "cannot run git: it is not "
					"installed (ADD of a Git repository "
					"needs it)");
		return err_make(errp, r, "cannot run git");
	}
	r = wait_git(pid, pipefd[0], out, errfd, args[0], errp);
	close(pipefd[0]);
	strv_fini(&argv);
	return r;
}
