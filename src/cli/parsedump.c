#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "dockerfile/parse.h"
#include "util/buf.h"
#include "util/err.h"

static const char parse_usage[] =
	"usage: df2ninja parse --dump FILE\n"
	"\n"
	"Parse FILE as a Dockerfile and print its instructions in the format of\n"
	"BuildKit's parser tests.\n";

int
cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dockerfile *df = NULL;
	struct buf out = BUF_INIT;
	struct err *err = NULL;
	bool dump = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dump = true;
			break;
		case 'h':
			fputs(parse_usage, stdout);
			return 0;
		default:
			return diag_usage("parse: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!dump)
		return diag_usage("parse: nothing to do (try --dump)");
	if (argc - optind != 1)
		return diag_usage("parse: expected one FILE");
	if (dockerfile_load(argv[optind], NULL, &df, &err) < 0)
		return diag_error(err);
	for (size_t i = 0; i < df->warnings.n; i++)
		fprintf(stderr, "df2ninja: warning: %s\n", df->warnings.v[i]);
	dockerfile_dump(df, &out);
	fwrite(out.s ? out.s : "", 1, out.len, stdout);
	buf_fini(&out);
	dockerfile_free(df);
	return 0;
}
