#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/agentrelay.h"
#include "exec/ops.h"
#include "exec/secretmnt.h"
#include "exec/stepctx.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

/* BuildKit's limit of a secret's size */
#define SECRET_MAX (500 * 1024)

void
secretmnt_init(struct secretmnt *m)
{
	memset(m, 0, sizeof(*m));
}

void
secretmnt_fini(struct secretmnt *m)
{
	for (size_t i = 0; i < m->nrelays; i++)
		agentrelay_stop(m->relays[i]);
	free(m->relays);
	if (m->dir) {
		umount2(m->dir, MNT_DETACH);
		rmdir(m->dir);
		free(m->dir);
	}
	secretsrc_fini(&m->src);
	strv_fini(&m->keep);
}

/* s, kept as long as m */
static const char *
keep(struct secretmnt *m, char *s)
{
	strv_push(&m->keep, s);
	return s;
}

/* the sources, read once per step */
static int
load(struct secretmnt *m, struct step_ctx *c, struct err **errp)
{
	autofree char *path = NULL;

	if (m->is_loaded)
		return 0;
	path = fs_join(c->plan.builddir, "secrets");
	if (secretsrc_read(&m->src, path, errp) < 0)
		return -1;
	m->is_loaded = true;
	return 0;
}

/* the private tmpfs, <builddir>/tmp/<flat>.secrets */
static int
tmpfs_dir(struct secretmnt *m, struct step_ctx *c, struct err **errp)
{
	char *dir;

	if (m->dir)
		return 0;
	dir = xasprintf("%s/tmp/%s.secrets", c->plan.builddir, c->plan.flat);
	/* a leftover of a step killed before it cleaned up */
	rmdir(dir);
	if (fs_mkdir_p(dir, errp) < 0) {
		free(dir);
		return -1;
	}
	if (sandbox_mount_private_tmpfs(dir, errp) < 0) {
		rmdir(dir);
		free(dir);
		return -1;
	}
	m->dir = dir;
	return 0;
}

/* the value of secret e: its file, or its variable ("" when unset) */
static int
secret_value(const struct secretsrc_entry *e, char **val, size_t *len, struct err **errp)
{
	if (e->is_env) {
		const char *v = getenv(e->ref);

		*val = xstrdup(v ? v : "");
		*len = strlen(*val);
	} else if (fs_read_file(e->ref, val, len, errp) < 0) {
		return err_wrap(errp, "secret '%s'", e->id);
	}
	if (*len > SECRET_MAX) {
		explicit_bzero(*val, *len);
		free(*val);
		*val = NULL;
		return err_make(errp, 0, "secret '%s' too big (%zu bytes; at most %d)", e->id,
				*len, SECRET_MAX);
	}
	return 0;
}

/* the file <dir>/<n> holding val, with the mount's owner and mode */
static int
secret_file(const char *path, const struct plan_mount *mo, const char *val, size_t len,
	    struct err **errp)
{
	mode_t mode = mo->has_mode ? (mode_t)mo->mode & 07777 : 0400;
	uid_t uid = mo->has_uid ? (uid_t)mo->uid : 0;
	gid_t gid = mo->has_gid ? (gid_t)mo->gid : 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return err_make(errp, errno, "cannot create '%s'", path);
	while (off < len) {
		ssize_t w = write(fd, val + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err_make(errp, errno, "cannot write '%s'", path);
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0) {
		err_make(errp, errno, "cannot set the owner %ld:%ld and mode %04o of '%s'",
			 (long)uid, (long)gid, (unsigned)mode, path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
add_secret(struct secretmnt *m, struct step_ctx *c, const struct plan_mount *mo,
	   const char *target, struct sandbox_mount *sm, bool *has_mount, struct strv *envp,
	   struct err **errp)
{
	autofree char *id = NULL, *source = NULL, *env = NULL, *file = NULL, *dst = NULL;
	const struct secretsrc_entry *e;
	char *val = NULL;
	size_t len = 0;
	int r = -1;

	if (ops_word(&c->st, c->plan.sp.escape, &mo->id, &id, errp) < 0 ||
	    ops_word(&c->st, c->plan.sp.escape, &mo->source, &source, errp) < 0 ||
	    ops_word(&c->st, c->plan.sp.escape, &mo->env, &env, errp) < 0)
		return -1;
	/* BuildKit: source= is the id, else id=, else the target's name */
	if (source && source[0]) {
		free(id);
		id = steal_pointer(&source);
	}
	if (!id || !id[0]) {
		const char *base = target ? strrchr(target, '/') : NULL;

		free(id);
		id = xstrdup(base ? base + 1 : "");
	}
	if (!id[0])
		return err_make(errp, 0, "RUN --mount=type=secret: one of source, target required");
	e = secretsrc_find(&m->src, false, id);
	if (!e) {
		if (mo->required)
			return err_make(errp, 0, "secret '%s' not found (required): give it with "
					"--secret id=%s", id, id);
		return 0;	/* absent, as in BuildKit */
	}
	if (secret_value(e, &val, &len, errp) < 0)
		return -1;
	if (env && env[0]) {
		if (memchr(val, '\0', len)) {
			err_make(errp, 0, "secret '%s' holds a NUL byte: it cannot be env=%s",
				 id, env);
			goto out;
		}
		strv_push(envp, xasprintf("%s=%s", env, val));
	}
	if (target || !env || !env[0]) {
		const char *slash = strrchr(id, '/');

		dst = target ? xstrdup(target) :
		      xasprintf("/run/secrets/%s", slash ? slash + 1 : id);
		if (tmpfs_dir(m, c, errp) < 0)
			goto out;
		file = xasprintf("%s/%zu", m->dir, m->keep.n);
		if (secret_file(file, mo, val, len, errp) < 0)
			goto out;
		sm->kind = SANDBOX_MOUNT_BIND;
		sm->src = keep(m, steal_pointer(&file));
		sm->dst = keep(m, steal_pointer(&dst));
		sm->is_readonly = true;
		*has_mount = true;
	}
	r = 0;
out:
	explicit_bzero(val, len);
	free(val);
	return r;
}

static int
add_ssh(struct secretmnt *m, struct step_ctx *c, const struct plan_mount *mo,
	const char *target, struct sandbox_mount *sm, bool *has_mount, struct strv *envp,
	struct err **errp)
{
	autofree char *id = NULL;
	const struct secretsrc_entry *e;
	size_t n = m->nssh++;
	const char *dst = target ? keep(m, xstrdup(target)) :
			  keep(m, xasprintf("/run/buildkit/ssh_agent.%zu", n));

	if (ops_word(&c->st, c->plan.sp.escape, &mo->id, &id, errp) < 0)
		return -1;
	/* BuildKit points SSH_AUTH_SOCK at the first one */
	if (n == 0 && !vars_get(&c->st.env, "SSH_AUTH_SOCK"))
		strv_push(envp, xasprintf("SSH_AUTH_SOCK=%s", dst));
	e = secretsrc_find(&m->src, true, id && id[0] ? id : "default");
	if (!e) {
		if (mo->required)
			return err_make(errp, 0, "no ssh agent '%s' (required): give it with "
					"--ssh %s[=SOCKET]", id && id[0] ? id : "default",
					id && id[0] ? id : "default");
		return 0;
	}
	/* read-only: the command may connect, not chmod the host's socket */
	sm->kind = SANDBOX_MOUNT_BIND;
	sm->src = e->ref;
	if (mo->has_mode || mo->has_uid || mo->has_gid) {
		/* a socket of the mount's owner and mode (BuildKit's default:
		 * 0600 root's) that forwards to the agent */
		const char *sock;
		pid_t pid;

		if (tmpfs_dir(m, c, errp) < 0)
			return -1;
		sock = keep(m, xasprintf("%s/ssh%zu", m->dir, n));
		if (agentrelay_start(sock, e->ref, mo->has_uid ? (uid_t)mo->uid : 0,
				     mo->has_gid ? (gid_t)mo->gid : 0,
				     mo->has_mode ? (mode_t)mo->mode & 07777 : 0600, &pid,
				     errp) < 0)
			return err_wrap(errp, "ssh agent '%s'", e->id);
		m->relays = xreallocarray(m->relays, m->nrelays + 1, sizeof(*m->relays));
		m->relays[m->nrelays++] = pid;
		sm->src = sock;
	}
	sm->dst = dst;
	sm->is_readonly = true;
	*has_mount = true;
	return 0;
}

int
secretmnt_add(struct secretmnt *m, struct step_ctx *c, const struct plan_mount *mo,
	      const char *target, struct sandbox_mount *sm, bool *has_mount,
	      struct strv *envp, struct err **errp)
{
	*has_mount = false;
	if (load(m, c, errp) < 0)
		return -1;
	if (mo->type == PLAN_MOUNT_SSH)
		return add_ssh(m, c, mo, target, sm, has_mount, envp, errp);
	return add_secret(m, c, mo, target, sm, has_mount, envp, errp);
}
