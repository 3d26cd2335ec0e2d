#include <stdlib.h>
#include <string.h>

#include "exec/flatten.h"
#include "exec/mnt.h"
#include "exec/runspec.h"
#include "plan/plan.h"
#include "exec/state.h"
#include "util/alloc.h"
#include "util/err.h"

void
runspec_init(struct runspec *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->spec.hostname = "buildkitsandbox";
	rs->spec.out_fd = 1;
	rs->spec.log_fd = -1;
}

int
runspec_etc(struct runspec *rs, const char *builddir, bool is_isolated,
	    struct err **errp)
{
	if (mnt_etc_files(builddir, is_isolated, &rs->resolv, &rs->hosts, errp) < 0)
		return -1;
	rs->spec.resolv_conf = rs->resolv;
	rs->spec.hosts = rs->hosts;
	return 0;
}

int
runspec_add_hosts(struct runspec *rs, const char *builddir,
		  const struct plan_strs *add, struct err **errp)
{
	char *hosts = NULL;

	if (add->n == 0)
		return 0;
	if (mnt_etc_hosts_extra(builddir, add, &hosts, errp) < 0) {
		free(hosts);
		return -1;
	}
	free(rs->hosts);
	rs->hosts = hosts;
	rs->spec.hosts = hosts;
	return 0;
}

int
runspec_state(struct runspec *rs, const struct state *s, const struct store *st,
	      const char *top, const char *home, const struct strv *extra_env,
	      struct err **errp)
{
	state_envp(s, &rs->envp);
	if (!vars_get(&s->env, "HOME"))
		strv_push(&rs->envp, xasprintf("HOME=%s", home));
	for (size_t i = 0; extra_env && i < extra_env->n; i++) {
		const char *kv = extra_env->v[i];
		size_t klen = strcspn(kv, "=") + 1;

		/* it replaces the state env's (a RUN --mount=type=secret,env=) */
		for (size_t j = 0; j < rs->envp.n; j++)
			if (!strncmp(rs->envp.v[j], kv, klen)) {
				free(rs->envp.v[j]);
				rs->envp.v[j] = xstrdup(kv);
				kv = NULL;
				break;
			}
		if (kv)
			strv_add(&rs->envp, kv);
	}
	rs->spec.envp = rs->envp.v;
	rs->spec.cwd = config_get_str(&s->config, "WorkingDir");
	if (top)
		strv_add(&rs->lowers, top);
	if (flatten_lowerdirs(s, st, &rs->lowers, errp) < 0)
		return -1;
	rs->spec.lowerdirs = (const char *const *)rs->lowers.v;
	rs->spec.nlower = rs->lowers.n;
	return 0;
}

void
runspec_fini(struct runspec *rs)
{
	strv_fini(&rs->lowers);
	strv_fini(&rs->envp);
	free(rs->resolv);
	free(rs->hosts);
	memset(rs, 0, sizeof(*rs));
}
