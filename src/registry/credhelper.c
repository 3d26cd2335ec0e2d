#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry/credhelper.h"
#include "registry/creds.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pathfind.h"

char *
credhelper_server_url(const char *host)
{
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0)
		return xstrdup("https://index.docker.io/v1/");
	return xstrdup(host);
}

int
credhelper_parse(const char *helper, const char *json, size_t len,
		 struct creds *out, struct err **errp)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	const char *user, *secret;
	int r = 1;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		json_decref(j);
		/* the text may hold a secret: never quote it */
		return err_make(errp, 0, "credential helper '%s' printed no JSON object", helper);
	}
	user = json_string_value(json_object_get(j, "Username"));
	secret = json_string_value(json_object_get(j, "Secret"));
	if (user && strcmp(user, "<token>") == 0 && secret && *secret) {
		out->secret = xstrdup(secret);
		out->is_identity_token = true;
		r = 0;
	} else if (user && *user && secret && *secret) {
		out->user = xstrdup(user);
		out->secret = xstrdup(secret);
		r = 0;
	}
	json_decref(j);
	return r;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* read fd to its end into out, at most CREDHELPER_OUT_MAX bytes, until
 * deadline; 0, or -1 with errno (ETIMEDOUT, EFBIG) */
static int
read_all(int fd, long deadline, struct buf *out)
{
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - now_ms();
		char chunk[4096];
		ssize_t n;
		int pr;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -1;
		if (pr == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > CREDHELPER_OUT_MAX) {
			errno = EFBIG;
			return -1;
		}
		buf_putn(out, chunk, (size_t)n);
	}
}

static bool
name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p <= ' ')
			return false;
	return true;
}

/* the exit status of pid, killing it first when kill_it */
static int
reap(pid_t pid, bool kill_it)
{
	int st;

	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

int
credhelper_get(const char *name, const char *server_url, struct creds *out,
	       struct err **errp)
{
	autofree char *prog = NULL, *exe = NULL;
	struct buf o = BUF_INIT;
	int in[2], outp[2], st, r, saved;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (!name_ok(name))
		return err_make(errp, 0, "invalid credential helper name '%s'", name);
	prog = xasprintf("docker-credential-%s", name);
	/* absolute entries of $PATH only: never a helper of the cwd */
	exe = pathfind(prog);
	if (!exe)
		return err_make(errp, 0, "credential helper '%s' not found in $PATH", prog);
	if (pipe2(in, O_CLOEXEC) < 0)
		return err_make(errp, errno, "pipe");
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return err_make(errp, errno, "pipe");
	}
	/* the URL is tiny: it fits the pipe before the helper runs, and no
	 * SIGPIPE can come while the read end is still ours */
	if (write(in[1], server_url, strlen(server_url)) < 0) {
		saved = errno;
		close(in[0]), close(in[1]), close(outp[0]), close(outp[1]);
		return err_make(errp, saved, "writing to credential helper '%s'", prog);
	}
	close(in[1]);
	pid = fork();
	if (pid < 0) {
		saved = errno;
		close(in[0]), close(outp[0]), close(outp[1]);
		return err_make(errp, saved, "fork");
	}
	if (pid == 0) {
		char *argv[] = { prog, (char *)"get", NULL };
		int devnull = open("/dev/null", O_WRONLY);

		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0 ||
		    (devnull >= 0 && dup2(devnull, 2) < 0))
			_exit(126);
		execv(exe, argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(in[0]);
	close(outp[1]);
	r = read_all(outp[0], now_ms() + CREDHELPER_TIMEOUT * 1000L, &o);
	saved = errno;
	close(outp[0]);
	st = reap(pid, r < 0);
	if (r < 0) {
		buf_fini(&o);
		if (saved == ETIMEDOUT)
			return err_make(errp, 0, "credential helper '%s' took more than %d s",
					prog, CREDHELPER_TIMEOUT);
		if (saved == EFBIG)
			return err_make(errp, 0, "credential helper '%s' printed more than %d bytes",
					prog, CREDHELPER_OUT_MAX);
		return err_make(errp, saved, "reading from credential helper '%s'", prog);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* a failing helper prints its error on stdout; quoted only
		 * when it cannot be a secret (no JSON, no "Secret") */
		bool not_found = strstr(buf_str(&o), "credentials not found") != NULL;
		bool quotable = !strchr(buf_str(&o), '{') && !strstr(buf_str(&o), "Secret");

		if (not_found)
			r = 1;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			r = err_make(errp, 0, "credential helper '%s' not found in $PATH", prog);
		else {
			size_t n = quotable ? strcspn(buf_str(&o), "\n") : 0;

			r = err_make(errp, 0, "credential helper '%s' failed (%s %d)%s%.*s", prog,
				     WIFEXITED(st) ? "exit status" : "signal",
				     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
				     n ? ": " : "", (int)(n > 200 ? 200 : n), buf_str(&o));
		}
		if (o.s)
			memset(o.s, 0, o.len);
		buf_fini(&o);
		return r;
	}
	r = credhelper_parse(prog, o.s ? o.s : "", o.len, out, errp);
	if (o.s)
		memset(o.s, 0, o.len);
	buf_fini(&o);
	return r;
}
