#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/mnt.h"
#include "exec/ops.h"
#include "exec/step.h"
#include "exec/user.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/* the files Docker puts over /etc in a container, written once per build
 * dir: the host's resolv.conf, and hosts and hostname for the sandbox */
static int
etc_files(const char *builddir, char **resolv, char **hosts, char **hostname,
	  struct err **errp)
{
	static const char hosts_text[] =
		"127.0.0.1\tlocalhost buildkitsandbox\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n";
	static const char hostname_text[] = "buildkitsandbox\n";
	autofree char *dir = xasprintf("%s/etc", builddir), *host_resolv = NULL;
	size_t n = 0;

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	*resolv = xasprintf("%s/resolv.conf", dir);
	*hosts = xasprintf("%s/hosts", dir);
	*hostname = xasprintf("%s/hostname", dir);
	if (fs_read_file("/etc/resolv.conf", &host_resolv, &n, NULL) < 0) {
		host_resolv = xstrdup("");
		n = 0;
	}
	if (fs_write_if_changed(*resolv, host_resolv, n, NULL, errp) < 0 ||
	    fs_write_if_changed(*hosts, hosts_text, sizeof(hosts_text) - 1, NULL, errp) < 0 ||
	    fs_write_if_changed(*hostname, hostname_text, sizeof(hostname_text) - 1, NULL, errp) < 0)
		return -1;
	return 0;
}

/* the user the command runs as, resolved in the rootfs as it is now */
static int
resolve_user(struct step_ctx *c, struct user_info *u, struct err **errp)
{
	const char *spec = config_get_str(&c->st.config, "User");
	struct mnt m = { NULL, -1 };
	int r;

	memset(u, 0, sizeof(*u));
	if (!spec || !spec[0] || strcmp(spec, "root") == 0 || strcmp(spec, "0") == 0 ||
	    strcmp(spec, "0:0") == 0) {
		u->home = xstrdup("/root");
		return 0;
	}
	r = mnt_state(&m, c->plan.builddir, c->plan.name, "user", &c->st, &c->store,
		      NULL, NULL, errp);
	if (r == 0)
		r = user_resolve(m.fd, spec, u, errp);
	mnt_fini(&m);
	return r;
}

/* RUN --mount: tmpfs and caches; others are not supported yet */
static int
add_mounts(struct step_ctx *c, struct sandbox_mount **out, size_t *n,
	   struct strv *keep, struct err **errp)
{
	const json_t *mounts = json_object_get(c->plan.j, "mounts");
	const char *wd = config_get_str(&c->st.config, "WorkingDir");
	size_t i;
	json_t *mo;

	*n = json_array_size(mounts);
	*out = xcalloc(*n + 1, sizeof(**out));
	json_array_foreach(mounts, i, mo) {
		const char *type = plan_str(mo, "type") ?: "";
		struct sandbox_mount *sm = &(*out)[i];
		char *target = NULL;

		if (ops_word(&c->st, c->plan.escape, json_object_get(mo, "target"), &target, errp) < 0)
			return -1;
		if (!target || !target[0])
			return err_make(errp, 0, "RUN --mount type=%s needs a target", type);
		if (target[0] != '/') {
			char *abs = xasprintf("%s/%s", wd && wd[0] ? wd : "", target);

			free(target);
			target = abs;
		}
		strv_push(keep, target);
		sm->dst = target;
		if (strcmp(type, "tmpfs") == 0) {
			sm->kind = SANDBOX_MOUNT_TMPFS;
		} else if (strcmp(type, "cache") == 0 && !json_object_get(mo, "from")) {
			/* a cache shared by every build of the user, by id (default:
			 * the target), kept in the store */
			autofree char *id = NULL;
			char *dir, *p;

			if (ops_word(&c->st, c->plan.escape, json_object_get(mo, "id"), &id, errp) < 0)
				return -1;
			dir = xasprintf("%s/cache/%s", c->store.root, id && id[0] ? id : target);
			for (p = dir + strlen(c->store.root) + 7; *p; p++)
				if (*p == '/')
					*p = '_';
			if (fs_mkdir_p(dir, errp) < 0) {
				free(dir);
				return -1;
			}
			strv_push(keep, dir);
			sm->kind = SANDBOX_MOUNT_BIND;
			sm->src = dir;
			sm->is_readonly = false;
		} else {
			return err_make(errp, 0, "RUN --mount=type=%s%s is not supported yet", type,
					json_object_get(mo, "from") ? " with from=" : "");
		}
	}
	return 0;
}

static char *
history_of(struct step_ctx *c, const struct strv *argv)
{
	const json_t *args = json_object_get(c->plan.j, "args");
	struct buf b = BUF_INIT;
	size_t i, n = 0;
	json_t *a;

	buf_puts(&b, "RUN ");
	json_array_foreach(args, i, a)
		if (!json_is_null(json_object_get(a, "value")))
			n++;
	if (n) {
		buf_printf(&b, "|%zu ", n);
		json_array_foreach(args, i, a) {
			autofree char *v = NULL;

			if (json_is_null(json_object_get(a, "value")))
				continue;
			ops_word(&c->st, c->plan.escape, json_object_get(a, "value"), &v, NULL);
			buf_printf(&b, "%s=%s ", plan_str(a, "name") ?: "", v ? v : "");
		}
	}
	for (i = 0; i < argv->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", argv->v[i]);
	return buf_steal(&b);
}

int
step_run(struct step_ctx *c, struct err **errp)
{
	autofree char *resolv = NULL, *hosts = NULL, *hostname = NULL, *log = NULL;
	autofree char *hist = NULL, *dir = NULL, *script = NULL;
	struct strv argv = STRV_INIT, envp = STRV_INIT, lowers = STRV_INIT, keep = STRV_INIT;
	const json_t *cmd = json_object_get(c->plan.j, "cmd"), *sj;
	struct sandbox_mount *mounts = NULL;
	struct sandbox_spec spec;
	struct user_info u;
	char diff_id[DIGEST_LEN];
	int status = 0, logfd = -1, r = -1;
	size_t i, nmounts = 0;
	const char *proxy_key;
	json_t *v;

	memset(&u, 0, sizeof(u));
	if (plan_str(c->plan.j, "security") && strcmp(plan_str(c->plan.j, "security"), "sandbox") != 0)
		return err_make(errp, 0, "RUN --security=insecure is not supported");
	if (plan_bool(c->plan.j, "shell_form"))
		ops_shell_argv(&c->st, json_string_value(json_array_get(cmd, 0)) ?: "", &argv);
	else
		json_array_foreach(cmd, i, v)
			strv_add(&argv, json_string_value(v) ?: "");
	if (argv.n == 0) {
		err_make(errp, 0, "RUN has no command");
		goto out;
	}
	if (etc_files(c->plan.builddir, &resolv, &hosts, &hostname, errp) < 0 ||
	    resolve_user(c, &u, errp) < 0 ||
	    add_mounts(c, &mounts, &nmounts, &keep, errp) < 0)
		goto out;

	/* a #! here-document runs as a script file */
	sj = json_object_get(c->plan.j, "script");
	if (sj) {
		const char *name = plan_str(sj, "name") ?: "script";
		const char *content = plan_str(sj, "content") ?: "";

		script = xasprintf("%s/tmp/%s.script", c->plan.builddir, c->plan.name);
		for (char *p = script + strlen(c->plan.builddir) + 5; *p; p++)
			if (*p == '/')
				*p = '-';
		if (fs_write_if_changed(script, content, strlen(content), NULL, errp) < 0)
			goto out;
		chmod(script, 0755);
		mounts = xreallocarray(mounts, nmounts + 1, sizeof(*mounts));
		mounts[nmounts].kind = SANDBOX_MOUNT_BIND;
		mounts[nmounts].src = script;
		strv_push(&keep, xasprintf("/dev/pipes/%s", name));
		mounts[nmounts].dst = keep.v[keep.n - 1];
		mounts[nmounts].is_readonly = true;
		nmounts++;
	}

	state_envp(&c->st, &envp);
	if (!vars_get(&c->st.env, "HOME"))
		strv_push(&envp, xasprintf("HOME=%s", u.home ? u.home : "/"));
	json_object_foreach((json_t *)json_object_get(c->plan.j, "proxy"), proxy_key, v) {
		autofree char *up = xstrdup(proxy_key);

		for (char *p = up; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (!vars_get(&c->st.env, proxy_key))
			strv_push(&envp, xasprintf("%s=%s", proxy_key, json_string_value(v) ?: ""));
		if (!vars_get(&c->st.env, up))
			strv_push(&envp, xasprintf("%s=%s", up, json_string_value(v) ?: ""));
	}

	log = xasprintf("%s/logs/%s.log", c->plan.builddir, c->plan.name);
	for (char *p = log + strlen(c->plan.builddir) + 6; *p; p++)
		if (*p == '/')
			*p = '-';
	{
		autofree char *ld = fs_dirname(log);

		if (fs_mkdir_p(ld, errp) < 0)
			goto out;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		err_make(errp, errno, "cannot create '%s'", log);
		goto out;
	}
	if (upper_begin(&c->up, c->plan.builddir, c->plan.name, errp) < 0)
		goto out;

	state_lowerdirs(&c->st, &c->store, &lowers);
	memset(&spec, 0, sizeof(spec));
	spec.lowerdirs = (const char *const *)lowers.v;
	spec.nlower = lowers.n;
	spec.upperdir = c->up.upper;
	spec.workdir = c->up.work;
	spec.argv = argv.v;
	spec.envp = envp.v;
	spec.cwd = config_get_str(&c->st.config, "WorkingDir");
	spec.uid = u.uid;
	spec.gid = u.gid;
	spec.groups = u.groups;
	spec.ngroups = u.ngroups;
	spec.hostname = "buildkitsandbox";
	spec.is_network_none = plan_str(c->plan.j, "network") &&
			       strcmp(plan_str(c->plan.j, "network"), "none") == 0;
	spec.resolv_conf = resolv;
	spec.hosts = hosts;
	spec.hostname_file = hostname;
	spec.mounts = mounts;
	spec.nmounts = nmounts;
	spec.out_fd = 1;
	spec.log_fd = logfd;
	if (sandbox_run(&spec, &status, errp) < 0) {
		c->status = status > 0 ? status : 1;
		upper_fail(&c->up);
		goto out;
	}
	if (status != 0) {
		c->status = status;
		upper_fail(&c->up);
		if (status > 128)
			err_make(errp, 0, "killed by signal %d", status - 128);
		else
			err_make(errp, 0, "exit status %d", status);
		goto out;
	}
	if (upper_commit(&c->up, diff_id, &dir, errp) < 0)
		goto out;
	if (dir)
		state_add_layer(&c->st, diff_id, NULL, NULL, 0, dir);
	hist = history_of(c, &argv);
	if (config_add_history(&c->st.config, hist, "df2ninja", dir == NULL, errp) < 0)
		goto out;
	c->kept = steal_pointer(&dir);
	r = 0;
out:
	if (logfd >= 0)
		close(logfd);
	user_info_fini(&u);
	strv_fini(&argv);
	strv_fini(&envp);
	strv_fini(&lowers);
	strv_fini(&keep);
	free(mounts);
	return r;
}
