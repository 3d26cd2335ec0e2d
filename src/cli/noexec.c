#include <stdio.h>

#include "cli/cli.h"

/* built with --disable-executor: the generator alone */

static int
missing(const char *what)
{
	fprintf(stderr, "df2ninja: error: %s: this df2ninja was built without the "
		"executor (configure --disable-executor)\n", what);
	return 1;
}

int
cmd_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return missing("exec");
}

int
cmd_shell(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return missing("shell");
}

int
cmd_clean(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return missing("clean");
}

int
cmd_gc(int argc, char **argv)
{
	(void)argc;
	return missing(argv[0]);
}
