#ifndef DF2NINJA_GENARGS_H
#define DF2NINJA_GENARGS_H

#include <stdbool.h>

#include "util/strv.h"

struct err;

/* the generation options, from the command line or an args file */
struct genargs {
	const char *path;	/* PATH operand */
	const char *file;	/* -f */
	const char *context;	/* --context */
	const char *output;	/* -o */
	const char *builddir;	/* -B */
	const char *target;	/* --target */
	const char *platform;	/* --platform */
	const char *prefix;	/* --prefix */
	const char *args_file;	/* --args-file */
	bool make;		/* -G make */
	bool push;		/* --push: push the image to each -t name */
	bool pull;		/* --pull: resolve registry tags at every build */
	bool load;		/* --load: docker load (or podman load) the image */
	bool allow_insecure;	/* --allow security.insecure */
	bool check;		/* --check: run the build checks only */
	const char *network;	/* --network: RUN's default network (NULL:
				 * the host's) */
	bool no_cache;		/* --no-cache: every step reruns once */
	struct strv no_cache_filter; /* --no-cache-filter: those stages' do */
	struct strv cache_from;	/* --cache-from, as given */
	struct strv cache_to;	/* --cache-to, as given */
	bool quiet;		/* -q, --progress quiet: print only the ID */
	const char *progress;	/* --progress: "auto", "plain", "quiet", or
				 * NULL when not given (auto) */
	const char *iidfile;	/* --iidfile */
	const char *metadata_file; /* --metadata-file */
	struct strv labels;	/* --label K=V */
	struct strv add_hosts;	/* --add-host, as "host=ip" */
	struct strv ulimits;	/* --ulimit, as "name=soft:hard" */
	const char *shm_size;	/* --shm-size, as bytes */
	long long shm_bytes;	/* the same, parsed */
	struct strv build_args;	/* --build-arg */
	struct strv outputs;	/* --output */
	struct strv tags;	/* -t */
	struct strv contexts;	/* --build-context NAME=VALUE, as given */
	struct strv secrets;	/* --secret; genargs_write records them as
				 * they are: the caller puts the resolved
				 * form (secretsrc_entry.opt) */
	struct strv ssh;	/* --ssh */
	struct strv owned;	/* strings the fields above may point into */
};

enum { GENARGS_OK = 0, GENARGS_HELP = 1, GENARGS_VERSION = 2 };

void genargs_init(struct genargs *a);
void genargs_fini(struct genargs *a);
/*
 * parse argv (argv[0] is the program); --args-file FILE reads the options
 * from FILE, one per line, instead. Returns GENARGS_OK, GENARGS_HELP,
 * GENARGS_VERSION, or -1 with *errp set for a usage error.
 */
int genargs_parse(struct genargs *a, int argc, char **argv, struct err **errp);
/*
 * write the options to path so that `df2ninja --args-file path`, run in
 * the output's directory, generates the same file again; paths are given
 * relative to that directory (contexts: the --build-context values made
 * so; a->iidfile is absolute by then). Written only when changed.
 * --no-cache and --no-cache-filter are not written: they force the
 * reruns of one generation only.
 */
int genargs_write(const struct genargs *a, const char *df_rel,
		  const char *ctx_rel, const char *out_rel, const char *bd_rel,
		  const struct strv *outputs, const struct strv *contexts,
		  const char *path, struct err **errp);

#endif
