#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cli/cli.h"
#include "util/alloc.h"

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "parse", cmd_parse },
	{ "exec", cmd_exec },
	{ "shell", cmd_shell },
	{ "clean", cmd_clean },
	{ "gc", cmd_gc },
	{ "prune", cmd_gc },
	{ "trace", cmd_trace },
	{ "graph", cmd_graph },
	{ "help", cmd_help },
};

/* df2ninja help [COMMAND]: the generator's usage, or COMMAND's */
static int
cmd_help(int argc, char **argv)
{
	char help[] = "--help";
	char *args[3] = { NULL, help, NULL };

	if (argc > 2)
		return diag_usage("help: expected one command, got '%s'", argv[2]);
	args[0] = argc == 2 ? argv[1] : argv[0];
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_gen(2, args);
	for (size_t i = 0; i < countof(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(2, args);
	return diag_usage("help: no command '%s' (shell, parse, clean, gc, prune, trace, graph, exec, help)", argv[1]);
}

/* a write error on stdout (a full disk, a closed pipe) is a failure */
static int
finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "df2ninja: error: cannot write to standard output: %s\n",
			strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		for (size_t i = 0; i < countof(commands); i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return finish(commands[i].fn(argc - 1, argv + 1));
	}
	return finish(cmd_gen(argc, argv));
}
