#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "flags.h"

enum ftype { FBOOL, FSTRING, FLIST };

struct fdef {
	const char *name;
	enum ftype type;
	size_t off;
};

#define STR(n, m) { n, FSTRING, offsetof(struct flags, m) }
#define BOOL(n, m) { n, FBOOL, offsetof(struct flags, m) }
#define LIST(n, m) { n, FLIST, offsetof(struct flags, m) }

static const struct fdef from_flags[] = {
	STR("platform", platform),
};
static const struct fdef run_flags[] = {
	LIST("mount", mounts),
	STR("network", network),
	STR("security", security),
};
static const struct fdef copy_flags[] = {
	STR("from", from),
	STR("chown", chown),
	STR("chmod", chmod),
	BOOL("link", link),
	BOOL("parents", parents),
	LIST("exclude", excludes),
};
static const struct fdef add_flags[] = {
	STR("chown", chown),
	STR("chmod", chmod),
	BOOL("link", link),
	STR("checksum", checksum),
	BOOL("keep-git-dir", keep_git_dir),
	LIST("exclude", excludes),
	BOOL("unpack", unpack),
};
static const struct fdef health_flags[] = {
	STR("interval", interval),
	STR("timeout", timeout),
	STR("start-period", start_period),
	STR("start-interval", start_interval),
	STR("retries", retries),
};

#define N(a) countof(a)

static const struct fdef *
defs_for(enum instr_kind k, size_t *n)
{
	switch (k) {
	case INSTR_FROM:
		*n = N(from_flags);
		return from_flags;
	case INSTR_RUN:
		*n = N(run_flags);
		return run_flags;
	case INSTR_COPY:
		*n = N(copy_flags);
		return copy_flags;
	case INSTR_ADD:
		*n = N(add_flags);
		return add_flags;
	case INSTR_HEALTHCHECK:
		*n = N(health_flags);
		return health_flags;
	case INSTR_UNKNOWN:
	case INSTR_ARG:
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
	case INSTR_ENV:
	case INSTR_EXPOSE:
	case INSTR_LABEL:
	case INSTR_MAINTAINER:
	case INSTR_ONBUILD:
	case INSTR_SHELL:
	case INSTR_STOPSIGNAL:
	case INSTR_USER:
	case INSTR_VOLUME:
	case INSTR_WORKDIR:
		break;
	}
	*n = 0;
	return NULL;
}

static void
list_add(struct flaglist *l, const char *v)
{
	xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = v;
}

int
flags_parse(const struct instr *in, struct flags *f, char **msg)
{
	const char *what = instr_name(in->kind);
	size_t ndefs, i, j;
	const struct fdef *defs = defs_for(in->kind, &ndefs);
	bool used[16] = { false };

	memset(f, 0, sizeof(*f));
	f->link = f->parents = f->keep_git_dir = f->unpack = -1;
	*msg = NULL;
	for (i = 0; i < in->flags.n; i++) {
		const char *arg = in->flags.v[i], *eq, *value;
		const struct fdef *d = NULL;
		size_t len;

		if (strncmp(arg, "--", 2) != 0) {
			*msg = xasprintf("flag '%s' of %s does not start with "
					 "'--'", arg, what);
			return -1;
		}
		if (!strcmp(arg, "--"))
			break;
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		value = eq ? eq + 1 : NULL;
		for (j = 0; j < ndefs; j++)
			if (strlen(defs[j].name) == len &&
			    !strncmp(defs[j].name, arg, len)) {
				d = &defs[j];
				break;
			}
		if (!d) {
			*msg = xasprintf("unknown flag '--%.*s' for %s",
					 (int)len, arg, what);
			return -1;
		}
		if (used[j] && d->type != FLIST) {
			*msg = xasprintf("duplicate flag '--%s' for %s",
					 d->name, what);
			return -1;
		}
		used[j] = true;
		switch (d->type) {
		case FBOOL: {
			int *b = (int *)((char *)f + d->off);

			if (value && !*value) {
				*msg = xasprintf("flag '--%s' of %s needs a "
						 "value after '='", d->name, what);
				return -1;
			}
			if (!value || !strcasecmp(value, "true"))
				*b = 1;
			else if (!strcasecmp(value, "false"))
				*b = 0;
			else {
				*msg = xasprintf("flag '--%s' of %s takes true or "
						 "false, not '%s'", d->name, what,
						 value);
				return -1;
			}
			break;
		}
		case FSTRING:
		case FLIST:
			if (!value) {
				*msg = xasprintf("flag '--%s' of %s needs a value "
						 "('--%s=...')", d->name, what,
						 d->name);
				return -1;
			}
			if (d->type == FSTRING)
				*(const char **)((char *)f + d->off) = value;
			else
				list_add((struct flaglist *)((char *)f + d->off),
					 value);
			break;
		}
	}
	return 0;
}

void
flags_fini(struct flags *f)
{
	free(f->mounts.v);
	free(f->excludes.v);
	f->mounts.v = f->excludes.v = NULL;
	f->mounts.n = f->excludes.n = 0;
}
