#include <string.h>

#include "plan/names.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/err.h"

#define NAMES(a) { a, countof(a) }

static const char *const kinds[] = {
	[PLAN_FROM] = "from",
	[PLAN_RUN] = "run",
	[PLAN_COPY] = "copy",
	[PLAN_ADD] = "add",
	[PLAN_WORKDIR] = "workdir",
	[PLAN_CONFIG] = "config",
};

static const char *const ops[] = {
	[PLAN_OP_ENV] = "env",
	[PLAN_OP_LABEL] = "label",
	[PLAN_OP_ARG] = "arg",
	[PLAN_OP_USER] = "user",
	[PLAN_OP_CMD] = "cmd",
	[PLAN_OP_ENTRYPOINT] = "entrypoint",
	[PLAN_OP_SHELL] = "shell",
	[PLAN_OP_EXPOSE] = "expose",
	[PLAN_OP_VOLUME] = "volume",
	[PLAN_OP_STOPSIGNAL] = "stopsignal",
	[PLAN_OP_HEALTHCHECK] = "healthcheck",
	[PLAN_OP_ONBUILD] = "onbuild",
	[PLAN_OP_MAINTAINER] = "maintainer",
};

static const char *const bases[] = {
	[PLAN_BASE_SCRATCH] = "scratch",
	[PLAN_BASE_IMAGE] = "image",
	[PLAN_BASE_STAGE] = "stage",
	[PLAN_BASE_CONTEXT] = "context",
};

static const char *const mounts[] = {
	[PLAN_MOUNT_BIND] = "bind",
	[PLAN_MOUNT_CACHE] = "cache",
	[PLAN_MOUNT_TMPFS] = "tmpfs",
	[PLAN_MOUNT_SECRET] = "secret",
	[PLAN_MOUNT_SSH] = "ssh",
};

static const char *const sharings[] = {
	[PLAN_SHARING_SHARED] = "shared",
	[PLAN_SHARING_PRIVATE] = "private",
	[PLAN_SHARING_LOCKED] = "locked",
};

static const char *const networks[] = {
	[PLAN_NETWORK_DEFAULT] = "default",
	[PLAN_NETWORK_HOST] = "host",
	[PLAN_NETWORK_NONE] = "none",
	[PLAN_NETWORK_ISOLATED] = "isolated",
};

static const char *const securities[] = {
	[PLAN_SECURITY_SANDBOX] = "sandbox",
	[PLAN_SECURITY_INSECURE] = "insecure",
};

static const char *const outputs[] = {
	[PLAN_OUTPUT_OCI] = "oci",
	[PLAN_OUTPUT_DOCKER] = "docker",
	[PLAN_OUTPUT_LOCAL] = "local",
	[PLAN_OUTPUT_REGISTRY] = "registry",
};

const struct plan_names plan_kind_names = NAMES(kinds);
const struct plan_names plan_op_names = NAMES(ops);
const struct plan_names plan_base_names = NAMES(bases);
const struct plan_names plan_mount_names = NAMES(mounts);
const struct plan_names plan_sharing_names = NAMES(sharings);
const struct plan_names plan_network_names = NAMES(networks);
const struct plan_names plan_security_names = NAMES(securities);
const struct plan_names plan_output_names = NAMES(outputs);

const char *
plan_name(const struct plan_names *set, int value)
{
	if (value < 0 || (size_t)value >= set->n)
		BUG("no name for plan value %d", value);
	return set->v[value];
}

int
plan_value(const struct plan_names *set, const char *s)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i], s) == 0)
			return (int)i;
	return -1;
}
