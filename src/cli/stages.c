#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/genargs.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/pathfind.h"

extern char **environ;

static const char graph_usage[] =
	"usage: df2ninja graph [-o FILE] [options] [PATH]\n"
	"\n"
	"Write the stage graph of the Dockerfile as Graphviz dot: a node per\n"
	"stage and per image read from outside, an edge per FROM, COPY --from\n"
	"and RUN --mount from=. FILE defaults to stages.dot in the build dir;\n"
	"-o - writes the dot text to stdout. When Graphviz's `dot` is on PATH\n"
	"(Debian: graphviz), FILE's .svg beside it too. PATH and the options\n"
	"are the generator's (`df2ninja --help`), so --target, --build-arg and\n"
	"--build-context shape the graph as they shape the build; no build\n"
	"file, plan or args file is written (the build dir is made when\n"
	"missing). `ninja -t graph` draws the full graph of steps.\n";

/* FILE.dot -> FILE.svg, else FILE.svg; caller frees */
static char *
svg_name(const char *dot)
{
	size_t n = strlen(dot);

	if (n > 4 && strcmp(dot + n - 4, ".dot") == 0)
		return xasprintf("%.*s.svg", (int)(n - 4), dot);
	return xasprintf("%s.svg", dot);
}

/* dot -Tsvg -o svg file */
static int
run_dot(const char *dot, const char *file, const char *svg, struct err **errp)
{
	char *argv[] = { (char *)dot, (char *)"-Tsvg", (char *)"-o", (char *)svg,
			 (char *)file, NULL };
	pid_t pid;
	int r, status;

	r = posix_spawn(&pid, dot, NULL, NULL, argv, environ);
	if (r != 0)
		return err_make(errp, r, "cannot run '%s'", dot);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_make(errp, errno, "waiting for '%s'", dot);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_make(errp, 0, "'%s -Tsvg' failed on '%s'", dot, file);
	return 0;
}

static int
graph(struct genargs *a, struct err **errp)
{
	autofree char *text = NULL, *builddir = NULL, *deflt = NULL, *svg = NULL;
	autofree char *dot = NULL;
	const char *file = a->output;

	a->output = NULL;
	if (gen_stage_graph(a, &text, &builddir, errp) < 0)
		return -1;
	if (file && strcmp(file, "-") == 0)
		return fputs(text, stdout) < 0 ? err_make(errp, errno, "writing the graph") : 0;
	if (!file)
		file = deflt = fs_join(builddir, "stages.dot");
	if (fs_write_atomic(file, text, strlen(text), 0, errp) < 0)
		return -1;
	dot = pathfind("dot");
	if (!dot) {
		printf("df2ninja: graph: wrote %s; no SVG: Graphviz's `dot` is not on "
		       "PATH (Debian: graphviz)\n", file);
		return 0;
	}
	svg = svg_name(file);
	if (run_dot(dot, file, svg, errp) < 0)
		return -1;
	printf("df2ninja: graph: wrote %s and %s\n", file, svg);
	return 0;
}

int
cmd_graph(int argc, char **argv)
{
	struct genargs a;
	struct err *e = NULL;
	int r;

	genargs_init(&a);
	r = genargs_parse(&a, argc, argv, &e);
	if (r == GENARGS_HELP || r == GENARGS_VERSION) {
		fputs(graph_usage, stdout);
		genargs_fini(&a);
		return 0;
	}
	if (r == 0 && a.args_file) {
		genargs_fini(&a);
		return diag_usage("graph: --args-file is not taken here");
	}
	if (r < 0) {
		r = diag_usage("graph: %s", e->msg);
		err_free(e);
		genargs_fini(&a);
		return r;
	}
	r = graph(&a, &e) < 0 ? diag_error(e) : 0;
	genargs_fini(&a);
	return r;
}
