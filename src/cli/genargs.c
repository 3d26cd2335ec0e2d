#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/genargs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

enum {
	OPT_CONTEXT = 256,
	OPT_TARGET,
	OPT_BUILD_ARG,
	OPT_OUTPUT,
	OPT_PLATFORM,
	OPT_PREFIX,
	OPT_ARGS_FILE,
	OPT_VERSION,
	OPT_PUSH,
	OPT_PULL,
	OPT_CHECK,
	OPT_ALLOW,
	OPT_NETWORK,
	OPT_PROGRESS,
	OPT_LOAD,
	OPT_BUILD_CONTEXT,
	OPT_SECRET,
	OPT_SSH,
};

static const struct option longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "build-arg", required_argument, NULL, OPT_BUILD_ARG },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "tag", required_argument, NULL, 't' },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "args-file", required_argument, NULL, OPT_ARGS_FILE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "push", no_argument, NULL, OPT_PUSH },
	{ "pull", no_argument, NULL, OPT_PULL },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "load", no_argument, NULL, OPT_LOAD },
	{ "build-context", required_argument, NULL, OPT_BUILD_CONTEXT },
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "ssh", required_argument, NULL, OPT_SSH },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
genargs_init(struct genargs *a)
{
	memset(a, 0, sizeof(*a));
}

void
genargs_fini(struct genargs *a)
{
	strv_fini(&a->build_args);
	strv_fini(&a->outputs);
	strv_fini(&a->tags);
	strv_fini(&a->contexts);
	strv_fini(&a->secrets);
	strv_fini(&a->ssh);
	strv_fini(&a->owned);
}

static int
check_output(const char *spec, struct err **errp)
{
	if (strncmp(spec, "type=", 5) != 0 && !strstr(spec, ",type="))
		return err_make(errp, 0, "--output '%s' needs type=oci|docker|local|registry", spec);
	return 0;
}

static int
read_args_file(struct genargs *a, const char *path, struct err **errp)
{
	autofree char *text = NULL;
	struct strv argv = STRV_INIT;
	char *line, *save = NULL;
	int r;

	if (fs_read_file(path, &text, NULL, errp) < 0)
		return -1;
	strv_add(&argv, "df2ninja");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (strcmp(line, "--args-file") == 0) {
			strv_fini(&argv);
			return err_make(errp, 0, "'%s': --args-file cannot be nested", path);
		}
		strv_add(&argv, line);
	}
	/* the parsed fields point into these strings: keep them */
	r = genargs_parse(a, (int)argv.n, argv.v, errp);
	for (size_t i = 0; i < argv.n; i++)
		strv_push(&a->owned, argv.v[i]);
	free(argv.v);
	if (r < 0)
		return err_wrap(errp, "in '%s'", path);
	return r;
}

int
genargs_parse(struct genargs *a, int argc, char **argv, struct err **errp)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:B:G:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->file = optarg;
			break;
		case OPT_CONTEXT:
			a->context = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'B':
			a->builddir = optarg;
			break;
		case 'G':
			if (strcmp(optarg, "ninja") == 0)
				a->make = false;
			else if (strcmp(optarg, "make") == 0)
				a->make = true;
			else
				return err_make(errp, 0, "unknown generator '%s' (use ninja or make)", optarg);
			break;
		case OPT_TARGET:
			a->target = optarg;
			break;
		case OPT_BUILD_ARG:
			if (optarg[0] == '\0' || optarg[0] == '=')
				return err_make(errp, 0, "--build-arg '%s' has no name", optarg);
			strv_add(&a->build_args, optarg);
			break;
		case OPT_OUTPUT:
			if (check_output(optarg, errp) < 0)
				return -1;
			strv_add(&a->outputs, optarg);
			break;
		case 't':
			if (optarg[0] == '\0')
				return err_make(errp, 0, "-t needs a NAME[:TAG]");
			strv_add(&a->tags, optarg);
			break;
		case OPT_PLATFORM:
			a->platform = optarg;
			break;
		case OPT_PREFIX:
			a->prefix = optarg;
			break;
		case OPT_ARGS_FILE:
			if (argc != 3 || optind != 3)
				return err_make(errp, 0, "--args-file takes no other options");
			a->args_file = optarg;
			return read_args_file(a, optarg, errp);
		case OPT_PUSH:
			a->push = true;
			break;
		case OPT_PULL:
			a->pull = true;
			break;
		case OPT_LOAD:
			a->load = true;
			break;
		case OPT_BUILD_CONTEXT:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return err_make(errp, 0, "--build-context '%s' is not NAME=VALUE",
						optarg);
			strv_add(&a->contexts, optarg);
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_ALLOW:
			/* BuildKit's entitlements; network.host is what a RUN
			 * gets by default here, so it changes nothing */
			if (strcmp(optarg, "security.insecure") == 0)
				a->allow_insecure = true;
			else if (strcmp(optarg, "network.host") != 0)
				return err_make(errp, 0, "--allow '%s': unknown entitlement "
						"(security.insecure or network.host)", optarg);
			break;
		case OPT_NETWORK:
			if (strcmp(optarg, "host") && strcmp(optarg, "none") &&
			    strcmp(optarg, "isolated"))
				return err_make(errp, 0, "--network '%s': use host, none or isolated",
						optarg);
			a->network = strcmp(optarg, "host") ? optarg : NULL;
			break;
		case OPT_PROGRESS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "plain") &&
			    strcmp(optarg, "quiet"))
				return err_make(errp, 0, "--progress '%s': use auto, plain or quiet",
						optarg);
			a->progress = strcmp(optarg, "auto") ? optarg : NULL;
			break;
		case OPT_SECRET:
			strv_add(&a->secrets, optarg);
			break;
		case OPT_SSH:
			strv_add(&a->ssh, optarg);
			break;
		case OPT_VERSION:
			return GENARGS_VERSION;
		case 'h':
			return GENARGS_HELP;
		case ':':
			return err_make(errp, 0, "option '%s' needs a value", argv[optind - 1]);
		default:
			return err_make(errp, 0, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return err_make(errp, 0, "expected at most one PATH, got '%s' and '%s'",
				argv[optind], argv[optind + 1]);
	if (argc - optind == 1)
		a->path = argv[optind];
	if (a->push && a->tags.n == 0)
		return err_make(errp, 0, "--push needs -t NAME[:TAG] to say where");
	if (a->prefix && !a->make)
		return err_make(errp, 0, "--prefix applies only to -G make");
	if (a->prefix) {
		for (const char *p = a->prefix; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
				return err_make(errp, 0, "--prefix '%s' may hold only letters, digits, '_' and '-'",
						a->prefix);
	}
	return GENARGS_OK;
}

static int
put(struct buf *b, const char *opt, const char *val, struct err **errp)
{
	if (!val)
		return 0;
	if (strchr(val, '\n'))
		return err_make(errp, 0, "option %s: a value with a newline cannot be recorded", opt);
	buf_printf(b, "%s\n%s\n", opt, val);
	return 0;
}

int
genargs_write(const struct genargs *a, const char *df_rel, const char *ctx_rel,
	      const char *out_rel, const char *bd_rel, const struct strv *outputs,
	      const struct strv *contexts, const char *path, struct err **errp)
{
	struct buf b = BUF_INIT;
	int r = -1;

	buf_puts(&b, "# generated by df2ninja: the options of the last generation, one\n"
		     "# per line, paths relative to the output's directory. ninja reruns\n"
		     "# `df2ninja --args-file` with them when an input changes.\n");
	if (put(&b, "-f", df_rel, errp) < 0 || put(&b, "--context", ctx_rel, errp) < 0 ||
	    put(&b, "-o", out_rel, errp) < 0 || put(&b, "-B", bd_rel, errp) < 0 ||
	    put(&b, "-G", a->make ? "make" : "ninja", errp) < 0 ||
	    put(&b, "--prefix", a->prefix, errp) < 0 ||
	    put(&b, "--target", a->target, errp) < 0 ||
	    put(&b, "--platform", a->platform, errp) < 0 ||
	    put(&b, "--network", a->network, errp) < 0 ||
	    put(&b, "--progress", a->progress, errp) < 0 ||
	    put(&b, "--allow", a->allow_insecure ? "security.insecure" : NULL, errp) < 0)
		goto out;
	for (size_t i = 0; i < a->build_args.n; i++)
		if (put(&b, "--build-arg", a->build_args.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < outputs->n; i++)
		if (put(&b, "--output", outputs->v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->tags.n; i++)
		if (put(&b, "-t", a->tags.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < contexts->n; i++)
		if (put(&b, "--build-context", contexts->v[i], errp) < 0)
			goto out;
	if (a->load)
		buf_puts(&b, "--load\n");
	for (size_t i = 0; i < a->secrets.n; i++)
		if (put(&b, "--secret", a->secrets.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->ssh.n; i++)
		if (put(&b, "--ssh", a->ssh.v[i], errp) < 0)
			goto out;
	if (a->push)
		buf_puts(&b, "--push\n");
	if (a->pull)
		buf_puts(&b, "--pull\n");
	r = fs_write_if_changed(path, buf_str(&b), b.len, NULL, errp);
out:
	buf_fini(&b);
	return r;
}
