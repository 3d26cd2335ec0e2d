#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/devsteps.h"
#include "sandbox/report.h"
#include "sandbox/sandbox.h"
#include "sandbox/sbplan.h"
#include "util/alloc.h"
#include "util/err.h"

int
report_fail(struct sb_report *r, int step, int arg, int errnum)
{
	r->kind = REPORT_ERROR;
	r->step = step;
	r->arg = arg;
	r->errnum = errnum;
	return -1;
}

void
report_detail(struct sb_report *r, const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n >= sizeof(r->detail))
		n = sizeof(r->detail) - 1;
	memcpy(r->detail, s, n);
	r->detail[n] = '\0';
}

void
report_send(int fd, const struct sb_report *r)
{
	ssize_t n;

	do
		n = write(fd, r, sizeof(*r));
	while (n < 0 && errno == EINTR);
}

int
report_take(int fd, struct sb_report *err, struct sb_report *status)
{
	struct sb_report r;
	ssize_t n;

	do
		n = read(fd, &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(r))
		return 0;
	r.detail[sizeof(r.detail) - 1] = '\0';
	if (r.kind == REPORT_ERROR && !err->kind)
		*err = r;
	else if (r.kind == REPORT_STATUS)
		*status = r;
	return r.kind;
}

void
report_collect(int fd, struct sb_report *err, struct sb_report *status)
{
	memset(err, 0, sizeof(*err));
	memset(status, 0, sizeof(*status));
	while (report_take(fd, err, status))
		;
}

static const char *
target(const struct sb_plan *p, int i)
{
	return i >= 0 && (size_t)i < p->ntarget ? p->targets[i].rel : "?";
}

/* "mounting proc on '/proc'" for mount i; caller frees */
static char *
mount_what(const struct sb_plan *p, int i)
{
	const struct sb_mount *m;
	const char *dst;

	if (i < 0 || (size_t)i >= p->nmount)
		return xstrdup("mounting");
	m = &p->mounts[i];
	dst = target(p, (int)m->target);
	switch (m->op) {
	case SB_OP_PROC:
		return xasprintf("mounting proc on '/%s'", dst);
	case SB_OP_SYSFS:
		return xasprintf("mounting sysfs on '/%s'", dst);
	case SB_OP_DEV:
		return xasprintf("mounting tmpfs on '/%s'", dst);
	case SB_OP_BIND:
		return xasprintf("binding '%s' on '/%s'", m->src, dst);
	case SB_OP_TMPFS:
		return xasprintf("mounting tmpfs on '/%s'", dst);
	case SB_OP_MASK:
		return xasprintf("masking '/%s'", dst);
	case SB_OP_RDONLY:
		return xasprintf("making '/%s' read-only", dst);
	}
	return xstrdup("mounting");
}

static char *
step_what(const struct sb_report *r, const struct sb_plan *p)
{
	const struct sb_ovl *o = &p->ovl;
	const struct sandbox_spec *s = p->spec;
	int a = r->arg;

	switch ((enum sb_step)r->step) {
	case STEP_INIT:
		return xstrdup("preparing the container's init");
	case STEP_HOSTNAME:
		return xasprintf("setting hostname '%s'", s->hostname);
	case STEP_LOOPBACK:
		return xstrdup("bringing up the loopback interface");
	case STEP_PRIVATE:
		return xstrdup("making mounts private");
	case STEP_STAGING:
		return xstrdup("mounting the staging tmpfs");
	case STEP_SCAFFOLD:
		return xasprintf("making mount point '/%s' in the scaffold", target(p, a));
	case STEP_OVERLAY:
	case STEP_OVERLAY_TOO_LONG:
		return xstrdup("mounting overlay");
	case STEP_OVERLAY_LOWER:
		return xasprintf("mounting overlay: lower dir '%s'",
				 a >= 0 && (size_t)a < o->nlower ? o->lowers[a] : "(scaffold)");
	case STEP_OVERLAY_UPPER:
		return xasprintf("mounting overlay: upper dir '%s'", o->upper);
	case STEP_OVERLAY_WORK:
		return xasprintf("mounting overlay: work dir '%s'", o->work);
	case STEP_PROBE:
		return xasprintf("looking up mount point '/%s'", target(p, a));
	case STEP_MOUNTPOINT:
		return xasprintf("making mount point '/%s'", target(p, a));
	case STEP_MOUNT:
		return mount_what(p, a);
	case STEP_DEV:
		return xasprintf("setting up /dev: %s", dev_step_what(a));
	case STEP_PIVOT:
		return xstrdup("switching to the container's root");
	case STEP_CWD:
		return xasprintf("making working directory '%s'", p->cwd);
	case STEP_CONFINE:
		return xstrdup(confine_step_what(a));
	case STEP_RLIMIT:
		return xasprintf("setting resource limit %d to %llu:%llu",
				 s->rlimits[a].resource, s->rlimits[a].soft, s->rlimits[a].hard);
	case STEP_FORK:
		return xstrdup("starting the command");
	case STEP_SETGROUPS:
		return xstrdup("setting supplementary groups");
	case STEP_SETGID:
		return xasprintf("switching to group %u", (unsigned)s->gid);
	case STEP_SETUID:
		return xasprintf("switching to user %u", (unsigned)s->uid);
	case STEP_CHDIR:
		return xasprintf("changing to working directory '%s'", p->cwd);
	case STEP_STDIO:
		return xstrdup("opening /dev/null");
	case STEP_EXEC:
		if (a >= 0 && (size_t)a < p->nexec)
			return xasprintf("exec '%s'", p->exec_paths[a]);
		return xasprintf("exec '%s'", s->argv[0]);
	case STEP_EXEC_INTERP:
		return xasprintf("exec '%s': bad interpreter",
				 a >= 0 && (size_t)a < p->nexec ? p->exec_paths[a] : s->argv[0]);
	}
	return xasprintf("step %d", r->step);
}

int
report_to_err(const struct sb_report *r, const struct sb_plan *p,
	      struct err **errp)
{
	char *what = step_what(r, p);

	if (r->step == STEP_OVERLAY_TOO_LONG)
		err_make(errp, r->errnum,
			 "%s: this kernel lacks \"lowerdir+\" and the layer paths need %zu bytes of options (at most %ld)",
			 what, p->ovl.legacy_len, sysconf(_SC_PAGESIZE) - 1);
	else if (r->detail[0])
		err_make(errp, r->errnum, "%s (%s)", what, r->detail);
	else if (r->step == STEP_OVERLAY && r->errnum == EINVAL)
		/* overlayfs tells why only in the kernel log */
		err_make(errp, r->errnum, "%s (dmesg says why)", what);
	else
		err_make(errp, r->errnum, "%s", what);
	free(what);
	if (errp && *errp && (r->step == STEP_EXEC || r->step == STEP_EXEC_INTERP))
		(*errp)->status = r->errnum == ENOENT ? 127 : 126;
	return -1;
}
