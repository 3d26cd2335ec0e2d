#include <stdio.h>

#include "cli/cli.h"

int
cmd_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "df2ninja: error: exec: the step executor is not part of this build yet\n");
	return 1;
}
