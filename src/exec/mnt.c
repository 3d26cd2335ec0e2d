#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/flatten.h"
#include "exec/mnt.h"
#include "exec/stepplan.h"
#include "exec/state.h"
#include "oci/digest.h"
#include "sandbox/sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

int
mnt_state(struct mnt *m, const struct stepplan *p, const char *what,
	  const struct state *s, const struct store *st,
	  const char *upper, const char *work, struct err **errp)
{
	struct strv lowers = STRV_INIT;
	int r;

	m->fd = -1;
	m->path = xasprintf("%s/tmp/%s.%s", p->builddir, p->flat, what);
	if (sandbox_enter_private_mountns(errp) < 0 || fs_mkdir_p(m->path, errp) < 0)
		return -1;
	if (flatten_lowerdirs(s, st, &lowers, errp) < 0) {
		strv_fini(&lowers);
		return -1;
	}
	r = sandbox_mount_overlay(m->path, (const char *const *)lowers.v, lowers.n,
				  upper, work, errp);
	strv_fini(&lowers);
	if (r < 0)
		return err_wrap(errp, "mounting the root filesystem of '%s'", p->name);
	m->fd = open(m->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->fd < 0)
		return err_make(errp, errno, "cannot open '%s'", m->path);
	return 0;
}

void
mnt_fini(struct mnt *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->path) {
		umount2(m->path, MNT_DETACH);
		rmdir(m->path);
	}
	free(m->path);
	m->path = NULL;
	m->fd = -1;
}

/*
 * resolv.conf for a step with a network of its own: the host's search
 * and options lines, and SANDBOX_ISOLATED_DNS for its nameservers, which
 * (on the host's loopback, as systemd-resolved's) it may not reach
 */
static char *
isolated_resolv(const char *host)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "nameserver " SANDBOX_ISOLATED_DNS "\n");
	for (const char *l = host, *e; *l; l = e + (*e != '\0')) {
		const char *w = l + strspn(l, " \t");

		e = strchrnul(l, '\n');
		if (strncmp(w, "nameserver", 10) == 0 && (w[10] == ' ' || w[10] == '\t'))
			continue;
		buf_printf(&b, "%.*s\n", (int)(e - l), l);
	}
	return buf_steal(&b);
}

static const char hosts_text[] =
	"127.0.0.1\tlocalhost buildkitsandbox\n"
	"::1\tlocalhost ip6-localhost ip6-loopback\n";

int
mnt_etc_hosts_extra(const char *builddir, const struct plan_strs *add,
		    char **hosts, struct err **errp)
{
	struct buf b = BUF_INIT;
	char d[DIGEST_LEN];
	int r;

	buf_puts(&b, hosts_text);
	for (size_t i = 0; i < add->n; i++) {
		const char *eq = strchr(add->v[i], '=');

		if (!eq)
			BUG("add_hosts entry without '='");
		buf_printf(&b, "%s\t%.*s\n", eq + 1, (int)(eq - add->v[i]), add->v[i]);
	}
	/* named by content: steps running at once with other entries each
	 * get their own, and the same entries share one */
	digest_buf(buf_str(&b), b.len, d);
	*hosts = xasprintf("%s/etc/hosts-%.16s", builddir, d + strlen("sha256:"));
	r = fs_write_atomic(*hosts, buf_str(&b), b.len,
			    FS_WRITE_IF_CHANGED | FS_WRITE_0644, errp);
	buf_fini(&b);
	return r;
}

int
mnt_etc_files(const char *builddir, bool is_isolated, char **resolv, char **hosts,
	      struct err **errp)
{
	autofree char *dir = xasprintf("%s/etc", builddir), *host_resolv = NULL;
	/* mode 0644 whatever the umask: the files are mounted into the
	 * sandbox, where a USER other than root must read them */
	unsigned f = FS_WRITE_IF_CHANGED | FS_WRITE_0644;
	size_t n = 0;

	if (fs_mkdir_p(dir, errp) < 0)
		return -1;
	*resolv = xasprintf("%s/resolv%s.conf", dir, is_isolated ? "-isolated" : "");
	*hosts = xasprintf("%s/hosts", dir);
	if (fs_read_file("/etc/resolv.conf", &host_resolv, &n, NULL) < 0) {
		host_resolv = xstrdup("");
		n = 0;
	}
	if (is_isolated) {
		char *own = isolated_resolv(host_resolv);

		free(host_resolv);
		host_resolv = own;
		n = strlen(own);
	}
	if (fs_write_atomic(*resolv, host_resolv, n, f, errp) < 0 ||
	    fs_write_atomic(*hosts, hosts_text, sizeof(hosts_text) - 1, f, errp) < 0)
		return -1;
	return 0;
}
