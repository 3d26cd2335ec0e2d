#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/overlay.h"
#include "sandbox/sandbox.h"
#include "sandbox/sbplan.h"
#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/vars.h"

/* Docker's masked paths: kernel state a container has no business reading */
static const char *const masked[] = {
	"proc/acpi", "proc/asound", "proc/interrupts", "proc/kcore",
	"proc/keys", "proc/latency_stats", "proc/sched_debug", "proc/scsi",
	"proc/timer_list", "proc/timer_stats", "sys/devices/virtual/powercap",
	"sys/firmware",
};

/* ... and its read-only ones: the kernel's settings */
static const char *const readonly[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* overlayfs refuses more lower layers than this (OVL_MAX_STACK) */
#define MAX_LAYERS 500

/* path made absolute against cwd (NULL: getcwd failed, path as it is) */
static char *
absolute(const char *cwd, const char *path)
{
	if (path[0] == '/' || !cwd)
		return xstrdup(path);
	return fs_join(cwd, path);
}

/* path escaped for an overlay mount(2) option: '\', ',' and ':' */
static void
put_escaped(struct buf *b, const char *path)
{
	for (; *path; path++) {
		if (*path == '\\' || *path == ',' || *path == ':')
			buf_putc(b, '\\');
		buf_putc(b, *path);
	}
}

static char *
legacy_data(const struct sb_ovl *o, bool has_scaffold, bool is_short)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "lowerdir=");
	if (has_scaffold)
		buf_puts(&b, o->nlower ? "scaffold:" : "scaffold");
	for (size_t i = 0; i < o->nlower; i++) {
		if (i)
			buf_putc(&b, ':');
		if (is_short)
			buf_printf(&b, "%zu", i);
		else
			put_escaped(&b, o->lowers[i]);
	}
	if (o->upper) {
		buf_puts(&b, ",upperdir=");
		put_escaped(&b, o->upper);
		buf_puts(&b, ",workdir=");
		put_escaped(&b, o->work);
	}
	for (size_t i = 0; i < OVL_NFIXED; i++)
		if (!ovl_skip_fixed(i))
			buf_printf(&b, ",%s=%s", ovl_fixed[i][0], ovl_fixed[i][1]);
	if (has_scaffold)
		buf_puts(&b, ",xino=auto");
	if (userns_is_rootless())
		buf_puts(&b, ",userxattr");
	return buf_steal(&b);
}

int
ovl_init(struct sb_ovl *o, const char *const *lowers, size_t nlower,
	 const char *upper, const char *work, bool allow_short,
	 struct err **errp)
{
	size_t limit = (size_t)sysconf(_SC_PAGESIZE) - 1;
	char buf[PATH_MAX];
	const char *cwd;

	memset(o, 0, sizeof(*o));
	if (nlower + 1 > MAX_LAYERS)
		return err_make(errp, 0, "too many layers (%zu; overlayfs stacks at most %d)",
				nlower, MAX_LAYERS - 1);
	if (upper && !work)
		return err_make(errp, 0, "overlay upper dir '%s' needs a work dir", upper);
	o->lowers = xcalloc(nlower + 1, sizeof(*o->lowers));
	o->nlower = nlower;
	/* one getcwd for them all: a step has a lower dir per layer */
	cwd = getcwd(buf, sizeof(buf));
	for (size_t i = 0; i < nlower; i++)
		o->lowers[i] = absolute(cwd, lowers[i]);
	if (upper) {
		o->upper = absolute(cwd, upper);
		o->work = absolute(cwd, work);
	}
	for (int i = 0; i < 2; i++) {
		char *d = legacy_data(o, i == 1, false);

		if (i == 0)
			o->legacy_len = strlen(d);
		if (strlen(d) > limit && allow_short) {
			free(d);
			d = legacy_data(o, i == 1, true);
			o->is_short[i] = true;
		}
		if (strlen(d) > limit) {
			free(d);
			d = NULL;
		}
		o->legacy[i] = d;
	}
	return 0;
}

void
ovl_fini(struct sb_ovl *o)
{
	for (size_t i = 0; i < o->nlower; i++)
		free(o->lowers[i]);
	free(o->lowers);
	free(o->upper);
	free(o->work);
	free(o->legacy[0]);
	free(o->legacy[1]);
	memset(o, 0, sizeof(*o));
}

static size_t
add_target(struct sb_plan *p, char *rel, bool is_dir)
{
	p->targets = xreallocarray(p->targets, p->ntarget + 1, sizeof(*p->targets));
	p->targets[p->ntarget] = (struct sb_target){
		.rel = rel, .is_dir = is_dir, .fd = -1,
	};
	return p->ntarget++;
}

static void
add_mount(struct sb_plan *p, enum sb_op op, char *src, char *rel,
	  bool is_dir, unsigned attr)
{
	p->mounts = xreallocarray(p->mounts, p->nmount + 1, sizeof(*p->mounts));
	p->mounts[p->nmount] = (struct sb_mount){
		.op = op, .src = src, .attr = attr,
		.target = add_target(p, rel, is_dir),
	};
	p->nmount++;
}

/* is path strictly inside directory dir (both clean and relative)? */
static bool
is_inside(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 0)
		return *path != '\0';
	return strncmp(dir, path, n) == 0 && path[n] == '/';
}

/* does a directory mount among the first n cover rel? */
static bool
is_covered(const struct sb_plan *p, size_t n, const char *rel)
{
	for (size_t i = 0; i < n; i++) {
		const struct sb_target *t = &p->targets[p->mounts[i].target];

		if (t->is_dir && is_inside(t->rel, rel))
			return true;
	}
	return false;
}

/* cwd: the current directory, as absolute() takes it */
static int
add_extra_mount(struct sb_plan *p, const struct sandbox_mount *m, const char *cwd,
		struct err **errp)
{
	unsigned attr = m->is_readonly ? MOUNT_ATTR_RDONLY : 0;
	struct stat st;
	char *rel;

	if (!m->dst || m->dst[0] != '/')
		return err_make(errp, 0, "mount destination '%s' is not absolute",
				m->dst ? m->dst : "");
	rel = path_clean(m->dst, PATH_RELATIVE);
	if (!*rel || strcmp(rel, "proc") == 0 || strcmp(rel, "sys") == 0 ||
	    is_inside("proc", rel) || is_inside("sys", rel)) {
		free(rel);
		return err_make(errp, 0, "cannot mount on '%s' in the container", m->dst);
	}
	switch (m->kind) {
	case SANDBOX_MOUNT_BIND:
		/* a device node made in a cache must not work in a later step */
		attr |= MOUNT_ATTR_NODEV;
		if (!m->src || stat(m->src, &st) < 0) {
			free(rel);
			return err_make(errp, m->src ? errno : EINVAL,
					"mount source '%s'", m->src ? m->src : "");
		}
		add_mount(p, SB_OP_BIND, absolute(cwd, m->src), rel,
			  S_ISDIR(st.st_mode), attr);
		return 0;
	case SANDBOX_MOUNT_TMPFS:
		add_mount(p, SB_OP_TMPFS, NULL, rel, true,
			  attr | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
		if (m->size > 0)
			snprintf(p->mounts[p->nmount - 1].size,
				 sizeof(p->mounts[0].size), "%lld", m->size);
		return 0;
	}
	free(rel);
	return err_make(errp, 0, "unknown mount kind %d for '%s'", (int)m->kind, m->dst);
}

static const char *
env_path(char *const *envp)
{
	for (; envp && *envp; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return DEFAULT_PATH;
}

static void
plan_exec(struct sb_plan *p, const char *argv0, char *const *envp)
{
	const char *path = env_path(envp), *e;

	if (strchr(argv0, '/')) {
		p->exec_paths = xcalloc(1, sizeof(*p->exec_paths));
		p->exec_paths[p->nexec++] = xstrdup(argv0);
		return;
	}
	for (;;) {
		e = path + strcspn(path, ":");
		p->exec_paths = xreallocarray(p->exec_paths, p->nexec + 1,
					      sizeof(*p->exec_paths));
		/* an empty PATH entry is the working directory, as for execvp */
		if (e == path)
			p->exec_paths[p->nexec++] = xstrdup(argv0);
		else
			p->exec_paths[p->nexec++] = xasprintf("%.*s/%s",
				(int)(e - path), path, argv0);
		if (!*e)
			break;
		path = e + 1;
	}
}

int
sbplan_init(struct sb_plan *p, const struct sandbox_spec *s, struct err **errp)
{
	const unsigned special = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	const unsigned etc = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	unsigned nodev;
	const struct {
		const char *src, *rel;
	} etc_files[] = {
		{ s->resolv_conf, "etc/resolv.conf" },
		{ s->hosts, "etc/hosts" },
	};
	char buf[PATH_MAX];
	const char *cwd = getcwd(buf, sizeof(buf));

	memset(p, 0, sizeof(*p));
	p->report_fd = p->out_fd = p->net_fd = -1;
	p->spec = s;
	if (!s->argv || !s->argv[0] || !s->argv[0][0])
		return err_make(errp, 0, "no command to run");
	if (s->cwd && s->cwd[0] != '/')
		return err_make(errp, 0, "working directory '%s' is not absolute", s->cwd);
	if (!s->nlower && !s->upperdir)
		return err_make(errp, 0, "an empty rootfs needs an upper dir");
	if (ovl_init(&p->ovl, s->lowerdirs, s->nlower, s->upperdir,
		     s->workdir, true, errp) < 0)
		return -1;
	p->is_readonly = !s->upperdir;
	/* device nodes work only in /dev, where they are bound from the host */
	nodev = s->is_insecure ? 0 : MOUNT_ATTR_NODEV;
	p->ovl.attr = nodev;
	p->caps = s->is_network_none || s->is_network_isolated ? CONFINE_CAPS_DEFAULT :
		  CONFINE_CAPS_HOST_NET;

	add_mount(p, SB_OP_PROC, NULL, xstrdup("proc"), true, special);
	add_mount(p, SB_OP_SYSFS, NULL, xstrdup("sys"), true,
		  special | MOUNT_ATTR_RDONLY);
	add_mount(p, SB_OP_DEV, NULL, xstrdup("dev"), true, MOUNT_ATTR_NOSUID | nodev);
	for (size_t i = 0; i < p->nmount; i++)
		p->targets[p->mounts[i].target].is_upper = !p->is_readonly;
	for (size_t i = 0; !s->is_insecure && i < countof(masked); i++)
		add_mount(p, SB_OP_MASK, NULL, xstrdup(masked[i]), false,
			  MOUNT_ATTR_RDONLY | special);
	for (size_t i = 0; !s->is_insecure && i < countof(readonly); i++)
		add_mount(p, SB_OP_RDONLY, NULL, xstrdup(readonly[i]), false,
			  MOUNT_ATTR_RDONLY | special);
	for (size_t i = 0; i < countof(etc_files); i++)
		if (etc_files[i].src)
			add_mount(p, SB_OP_BIND, absolute(cwd, etc_files[i].src),
				  xstrdup(etc_files[i].rel), false, etc);
	for (size_t i = 0; i < s->nmounts; i++)
		if (add_extra_mount(p, &s->mounts[i], cwd, errp) < 0)
			return -1;
	for (size_t i = 0; i < p->nmount; i++) {
		struct sb_target *t = &p->targets[p->mounts[i].target];

		t->is_covered = is_covered(p, i, t->rel);
	}

	p->cwd_rel = path_clean(s->cwd ? s->cwd : "/", PATH_RELATIVE);
	p->cwd = xasprintf("/%s", p->cwd_rel);
	/* a read-only view cannot make a missing cwd: the scaffold must */
	if (p->is_readonly && *p->cwd_rel && !is_covered(p, p->nmount, p->cwd_rel))
		add_target(p, xstrdup(p->cwd_rel), true);

	plan_exec(p, s->argv[0], s->envp);
	return 0;
}

void
sbplan_fini(struct sb_plan *p)
{
	ovl_fini(&p->ovl);
	for (size_t i = 0; i < p->ntarget; i++)
		free(p->targets[i].rel);
	free(p->targets);
	for (size_t i = 0; i < p->nmount; i++)
		free(p->mounts[i].src);
	free(p->mounts);
	free(p->cwd);
	free(p->cwd_rel);
	for (size_t i = 0; i < p->nexec; i++)
		free(p->exec_paths[i]);
	free(p->exec_paths);
	memset(p, 0, sizeof(*p));
}
