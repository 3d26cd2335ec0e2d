#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "exec/flatten.h"
#include "exec/mnt.h"
#include "exec/runspec.h"
#include "plan/plan.h"
#include "exec/state.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/ulimit.h"

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
runspec_run_plan(struct runspec *rs, const char *builddir, const struct run_plan *rp,
		 const struct state *s, struct strv *envp, struct err **errp)
{
	bool is_isolated = rp->network == PLAN_NETWORK_ISOLATED;

	if (runspec_etc(rs, builddir, is_isolated, errp) < 0 ||
	    runspec_add_hosts(rs, builddir, &rp->add_hosts, errp) < 0)
		return -1;
	rs->spec.is_network_none = rp->network == PLAN_NETWORK_NONE;
	rs->spec.is_network_isolated = is_isolated;
	/* the generator allowed it (--allow security.insecure) */
	rs->spec.is_insecure = rp->security == PLAN_SECURITY_INSECURE;
	free(rs->rlimits);
	rs->rlimits = xcalloc(rp->ulimits.n + 1, sizeof(*rs->rlimits));
	for (size_t i = 0; i < rp->ulimits.n; i++) {
		struct ulimit ul;

		/* decode.c checked them */
		if (ulimit_parse(rp->ulimits.v[i], &ul, errp) < 0)
			return -1;
		rs->rlimits[i].resource = ul.resource;
		rs->rlimits[i].soft = ul.soft < 0 ? RLIM_INFINITY : (unsigned long long)ul.soft;
		rs->rlimits[i].hard = ul.hard < 0 ? RLIM_INFINITY : (unsigned long long)ul.hard;
	}
	rs->spec.rlimits = rs->rlimits;
	rs->spec.nrlimits = rp->ulimits.n;
	for (size_t i = 0; i < rp->nproxy; i++) {
		const struct plan_proxy *px = &rp->proxy[i];
		autofree char *up = xstrdup(px->name);

		for (char *p = up; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (!vars_get(&s->env, px->name))
			strv_push(envp, xasprintf("%s=%s", px->name, px->value));
		if (!vars_get(&s->env, up))
			strv_push(envp, xasprintf("%s=%s", up, px->value));
	}
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
	free(rs->rlimits);
	memset(rs, 0, sizeof(*rs));
}
