#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/dockerload.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/pathfind.h"

int
dockerload_run(const char *path, const char **tool, struct err **errp)
{
	autofree char *exe = pathfind("docker");
	autoclose int fd = -1;
	char *argv[3];
	int status;
	pid_t pid;

	*tool = "docker";
	if (!exe) {
		exe = pathfind("podman");
		*tool = "podman";
	}
	if (!exe)
		return err_make(errp, 0, "--load: neither docker nor podman is in "
				"PATH; the image is at '%s' (docker-archive)", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	argv[0] = exe;
	argv[1] = (char *)"load";
	argv[2] = NULL;
	/* everything made before fork: the child only dups and execs */
	pid = fork();
	if (pid < 0)
		return err_make(errp, errno, "cannot fork to run %s load", *tool);
	if (pid == 0) {
		if (dup2(fd, STDIN_FILENO) < 0)
			_exit(126);
		execv(exe, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_make(errp, errno, "waiting for %s load", *tool);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_make(errp, 0, "--load: cannot run '%s'", exe);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_make(errp, 0, "--load: '%s load' failed (%s %d): is the "
				"%s daemon running? ('%s info' tells); the image is "
				"at '%s'", *tool, WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				*tool, *tool, path);
	return 0;
}
