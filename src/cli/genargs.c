#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dockeropts.h"
#include "cli/genargs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/ulimit.h"
#include "util/units.h"

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
	OPT_NO_CACHE,
	OPT_NO_CACHE_FILTER,
	OPT_CACHE_FROM,
	OPT_CACHE_TO,
	OPT_IIDFILE,
	OPT_LABEL,
	OPT_ADD_HOST,
	OPT_METADATA_FILE,
	OPT_SHM_SIZE,
	OPT_ULIMIT,
	OPT_DOCKER,	/* dockeropts.h: OPT_DOCKER + its index */
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
	{ "pull", optional_argument, NULL, OPT_PULL },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "load", no_argument, NULL, OPT_LOAD },
	{ "build-context", required_argument, NULL, OPT_BUILD_CONTEXT },
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "ssh", required_argument, NULL, OPT_SSH },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "no-cache-filter", required_argument, NULL, OPT_NO_CACHE_FILTER },
	{ "cache-from", required_argument, NULL, OPT_CACHE_FROM },
	{ "cache-to", required_argument, NULL, OPT_CACHE_TO },
	{ "quiet", no_argument, NULL, 'q' },
	{ "iidfile", required_argument, NULL, OPT_IIDFILE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "add-host", required_argument, NULL, OPT_ADD_HOST },
	{ "metadata-file", required_argument, NULL, OPT_METADATA_FILE },
	{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
	{ "ulimit", required_argument, NULL, OPT_ULIMIT },
	{ "help", no_argument, NULL, 'h' },
};

/* longopts, then dockeropts.h's, then the terminator */
static const struct option *
all_longopts(void)
{
	static struct option all[countof(longopts) + 64];
	size_t n = 0;

	if (all[0].name)
		return all;
	if (dockeropts_count() + countof(longopts) + 1 > countof(all))
		BUG("too many docker options");
	for (size_t i = 0; i < countof(longopts); i++)
		all[n++] = longopts[i];
	dockeropts_longopts(all, &n, OPT_DOCKER);
	return all;
}

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
	strv_fini(&a->no_cache_filter);
	strv_fini(&a->cache_from);
	strv_fini(&a->cache_to);
	strv_fini(&a->labels);
	strv_fini(&a->add_hosts);
	strv_fini(&a->ulimits);
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

/* docker's boolean words (strconv.ParseBool); NULL (none given) is true */
static int
parse_bool(const char *opt, const char *v, bool *out, struct err **errp)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	*out = true;
	if (!v)
		return 0;
	for (size_t i = 0; i < countof(yes); i++)
		if (strcmp(v, yes[i]) == 0)
			return 0;
	*out = false;
	for (size_t i = 0; i < countof(no); i++)
		if (strcmp(v, no[i]) == 0)
			return 0;
	return err_make(errp, 0, "--%s '%s': use true or false", opt, v);
}

/* --add-host HOST:IP or HOST=IP (an IPv6 address may be in brackets),
 * kept as "host=ip": the name lower-cased and the address in its
 * canonical form, as BuildKit writes them */
static int
add_host(struct genargs *a, const char *spec, struct err **errp)
{
	autofree char *copy = xstrdup(spec);
	char *sep = strchr(copy, '='), *ip, text[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	int af = AF_INET;
	size_t n;

	if (!sep)
		sep = strchr(copy, ':');
	if (!sep || sep == copy || !sep[1])
		return err_make(errp, 0, "--add-host '%s': expected HOST:IP", spec);
	*sep = '\0';
	ip = sep + 1;
	n = strlen(ip);
	if (ip[0] == '[' && ip[n - 1] == ']') {
		ip[n - 1] = '\0';
		ip++;
	}
	if (strcmp(ip, "host-gateway") == 0)
		return err_make(errp, 0, "--add-host '%s': host-gateway names the "
				"Docker daemon's bridge, which df2ninja has not: give "
				"an IP address", spec);
	if (strchr(ip, ':'))
		af = AF_INET6;
	if (inet_pton(af, ip, bin) != 1 || !inet_ntop(af, bin, text, sizeof(text)))
		return err_make(errp, 0, "--add-host '%s': '%s' is not an IP address",
				spec, ip);
	if (strpbrk(copy, " \t\n#"))
		return err_make(errp, 0, "--add-host '%s': '%s' is not a host name",
				spec, copy);
	for (char *p = copy; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	strv_push(&a->add_hosts, xasprintf("%s=%s", copy, text));
	return 0;
}

/* --shm-size: a size (units_parse_size), kept in bytes */
static int
shm_size(struct genargs *a, const char *spec, struct err **errp)
{
	if (units_parse_size(spec, &a->shm_bytes) < 0)
		return err_make(errp, 0, "--shm-size '%s': expected a size such as 64m or 1g", spec);
	strv_push(&a->owned, xasprintf("%lld", a->shm_bytes));
	a->shm_size = a->owned.v[a->owned.n - 1];
	return 0;
}

/* --no-cache-filter STAGE[,STAGE...] */
static void
no_cache_filter(struct genargs *a, const char *spec)
{
	autofree char *copy = xstrdup(spec);
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		strv_add(&a->no_cache_filter, t);
}

/* --progress: BuildKit's modes; tty is auto here (ninja owns the terminal) */
static int
progress(struct genargs *a, const char *mode, struct err **errp)
{
	if (strcmp(mode, "auto") == 0 || strcmp(mode, "tty") == 0)
		a->progress = "auto";
	else if (strcmp(mode, "plain") == 0)
		a->progress = "plain";
	else if (strcmp(mode, "quiet") == 0)
		a->progress = "quiet";
	else if (strcmp(mode, "rawjson") == 0)
		return err_make(errp, 0, "--progress rawjson: there is no BuildKit "
				"status stream to print (use auto, plain or quiet)");
	else
		return err_make(errp, 0, "--progress '%s': use auto, plain, tty or quiet",
				mode);
	a->quiet = strcmp(a->progress, "quiet") == 0;
	return 0;
}

int
genargs_parse(struct genargs *a, int argc, char **argv, struct err **errp)
{
	const struct option *opts = all_longopts();
	long d;
	int c, li;

	optind = 1;
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, ":f:o:B:G:t:hqc:m:D", opts, &li)) != -1) {
		d = c >= OPT_DOCKER ? c - OPT_DOCKER : dockeropts_short(c);
		if (d >= 0) {
			if (dockeropts_check((size_t)d, optarg, errp) < 0)
				return -1;
			continue;
		}
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
			if (parse_bool("pull", optarg, &a->pull, errp) < 0)
				return -1;
			break;
		case OPT_NO_CACHE:
			a->no_cache = true;
			break;
		case OPT_NO_CACHE_FILTER:
			no_cache_filter(a, optarg);
			break;
		case OPT_CACHE_FROM:
			strv_add(&a->cache_from, optarg);
			break;
		case OPT_CACHE_TO:
			strv_add(&a->cache_to, optarg);
			break;
		case 'q':
			a->quiet = true;
			a->progress = "quiet";
			break;
		case OPT_PROGRESS:
			if (progress(a, optarg, errp) < 0)
				return -1;
			break;
		case OPT_IIDFILE:
			if (!*optarg)
				return err_make(errp, 0, "--iidfile needs a FILE");
			a->iidfile = optarg;
			break;
		case OPT_ULIMIT: {
			struct ulimit u;

			if (ulimit_parse(optarg, &u, errp) < 0)
				return -1;
			strv_push(&a->ulimits, ulimit_format(&u));
			break;
		}
		case OPT_SHM_SIZE:
			if (shm_size(a, optarg, errp) < 0)
				return -1;
			break;
		case OPT_METADATA_FILE:
			if (!*optarg)
				return err_make(errp, 0, "--metadata-file needs a FILE");
			a->metadata_file = optarg;
			break;
		case OPT_LABEL:
			if (optarg[0] == '\0' || optarg[0] == '=')
				return err_make(errp, 0, "--label '%s' has no name", optarg);
			strv_add(&a->labels, optarg);
			break;
		case OPT_ADD_HOST:
			if (add_host(a, optarg, errp) < 0)
				return -1;
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
			/* default: docker's word for what a RUN gets when
			 * not told, here the host's network */
			if (strcmp(optarg, "host") && strcmp(optarg, "none") &&
			    strcmp(optarg, "isolated") && strcmp(optarg, "default"))
				return err_make(errp, 0, "--network '%s': use default, host, "
						"none or isolated", optarg);
			a->network = strcmp(optarg, "host") && strcmp(optarg, "default") ?
				     optarg : NULL;
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
	    put(&b, "--iidfile", a->iidfile, errp) < 0 ||
	    put(&b, "--metadata-file", a->metadata_file, errp) < 0 ||
	    put(&b, "--shm-size", a->shm_size, errp) < 0 ||
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
	for (size_t i = 0; i < a->cache_from.n; i++)
		if (put(&b, "--cache-from", a->cache_from.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->cache_to.n; i++)
		if (put(&b, "--cache-to", a->cache_to.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->labels.n; i++)
		if (put(&b, "--label", a->labels.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->add_hosts.n; i++)
		if (put(&b, "--add-host", a->add_hosts.v[i], errp) < 0)
			goto out;
	for (size_t i = 0; i < a->ulimits.n; i++)
		if (put(&b, "--ulimit", a->ulimits.v[i], errp) < 0)
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
