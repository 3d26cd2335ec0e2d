#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "exec/drive.h"
#include "util/alloc.h"
#include "util/fs.h"

/* ninja 1.11's own options (ninja.cc), so that its argv parses as it did */
#define DRIVE_NINJA_SHORT "d:f:j:k:l:nt:vw:C:h"
enum { DRIVE_OPT_VERSION = 256, DRIVE_OPT_QUIET };

void
drive_argv(char *const *parent, size_t nparent, const char *program,
	   const char *jobs, char *const *targets, size_t ntargets,
	   struct strv *out)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, DRIVE_OPT_VERSION },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, DRIVE_OPT_QUIET },
		{ NULL, 0, NULL, 0 },
	};
	struct strv pass = STRV_INIT;
	const char *file = "build.ninja", *j = jobs;
	autofree char **argv = xcalloc(nparent + 1, sizeof(*argv));
	int c;

	/* getopt permutes what it parses: a copy of the array */
	for (size_t i = 0; i < nparent; i++)
		argv[i] = parent[i];
	optind = 0;
	opterr = 0;
	while (nparent > 1 &&
	       (c = getopt_long((int)nparent, argv, DRIVE_NINJA_SHORT, longopts,
				NULL)) != -1) {
		char flag[3] = { '-', (char)c, '\0' };

		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'j':
			j = optarg;
			break;
		case 'k':
		case 'l':
		case 'd':
		case 'w':
			strv_add(&pass, flag);
			strv_add(&pass, optarg);
			break;
		case 'v':
			strv_add(&pass, "-v");
			break;
		case DRIVE_OPT_QUIET:
			strv_add(&pass, "--quiet");
			break;
		default:
			/* -C is done (this runs in that directory), -n and
			 * -t run no edge, what ninja refused it refused */
			break;
		}
	}
	optind = 0;
	strv_add(out, program);
	strv_add(out, "-f");
	strv_add(out, file);
	strv_push(out, xasprintf("-j%s", j));
	for (size_t i = 0; i < pass.n; i++)
		strv_add(out, pass.v[i]);
	for (size_t i = 0; i < ntargets; i++)
		strv_add(out, targets[i]);
	strv_fini(&pass);
}

/* the parent's argv from /proc, NUL-separated, into out */
static void
drive_parent_argv(pid_t pid, struct strv *out)
{
	autofree char *path = xasprintf("/proc/%d/cmdline", (int)pid);
	autofree char *data = NULL;
	size_t len = 0;
	struct err *e = NULL;

	if (fs_read_file(path, &data, &len, &e) < 0) {
		err_free(e);
		return;
	}
	for (size_t i = 0; i < len; i += strlen(data + i) + 1)
		strv_add(out, data + i);
}

/* the parent is a ninja: its program's name says so */
static bool
drive_is_ninja(const struct strv *argv)
{
	const char *base;

	if (argv->n == 0)
		return false;
	base = strrchr(argv->v[0], '/');
	base = base ? base + 1 : argv->v[0];
	return strstr(base, "ninja") != NULL;
}

int
drive_exec(const char *jobs, char *const *targets, size_t ntargets,
	   struct err **errp)
{
	pid_t ppid = getppid();
	struct strv parent = STRV_INIT, argv = STRV_INIT;
	char exe[PATH_MAX];
	autofree char *link = xasprintf("/proc/%d/exe", (int)ppid);
	const char *program = "ninja";
	ssize_t n;
	bool verbose = false;

	drive_parent_argv(ppid, &parent);
	if (!drive_is_ninja(&parent))
		strv_fini(&parent);
	/* the same ninja binary as the parent's, else the one on PATH */
	n = parent.n ? readlink(link, exe, sizeof(exe) - 1) : -1;
	if (n > 0) {
		exe[n] = '\0';
		program = exe;
	}
	drive_argv(parent.v, parent.n, program, jobs, targets, ntargets, &argv);
	strv_fini(&parent);
	for (size_t i = 0; i < argv.n; i++)
		verbose = verbose || strcmp(argv.v[i], "-v") == 0;
	if (verbose) {
		for (size_t i = 0; i < argv.n; i++)
			printf("%s%s", i ? " " : "", argv.v[i]);
		putchar('\n');
		fflush(stdout);
	}
	/* killed with the first ninja: ninja stops its steps on SIGTERM */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) {
		strv_fini(&argv);
		return err_make(errp, errno, "drive: PR_SET_PDEATHSIG");
	}
	if (getppid() != ppid) {
		strv_fini(&argv);
		return err_make(errp, 0, "drive: the parent ninja is gone");
	}
	execvp(argv.v[0], argv.v);
	err_make(errp, errno, "drive: cannot run %s", argv.v[0]);
	strv_fini(&argv);
	return -1;
}
