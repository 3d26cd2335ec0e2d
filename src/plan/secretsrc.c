#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/secretsrc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"

static void
entry_fini(struct secretsrc_entry *e)
{
	free(e->id);
	free(e->ref);
	free(e->opt);
}

/* add e (taking its strings), replacing an entry of the same id */
static void
put(struct secretsrc *s, struct secretsrc_entry *e)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].is_ssh == e->is_ssh && !strcmp(s->v[i].id, e->id)) {
			entry_fini(&s->v[i]);
			s->v[i] = *e;
			return;
		}
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = *e;
}

/* a line of the file cannot hold these */
static bool
is_clean(const char *s)
{
	return !strpbrk(s, "\t\n");
}

/* an absolute path to an existing file (of type fmt: S_IFREG, S_IFSOCK) */
static int
existing(const char *what, const char *opt, const char *path, mode_t fmt, char **out,
	 struct err **errp)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return err_make(errp, errno, "%s '%s': cannot stat '%s'", what, opt, path);
	if ((sb.st_mode & S_IFMT) != fmt)
		return err_make(errp, 0, "%s '%s': '%s' is not a %s", what, opt, path,
				fmt == S_IFSOCK ? "socket (key files are not supported yet)" :
						  "regular file");
	if (fmt == S_IFREG && access(path, R_OK) < 0)
		return err_make(errp, errno, "%s '%s': cannot read '%s'", what, opt, path);
	if (fs_realpath(path, out, errp) < 0)
		return err_wrap(errp, "%s '%s'", what, opt);
	return 0;
}

int
secretsrc_add_secret(struct secretsrc *s, const char *opt, struct err **errp)
{
	autofree char *id = NULL, *src = NULL, *env = NULL;
	struct secretsrc_entry e = { false, NULL, false, NULL, NULL };
	struct strv fields = STRV_INIT;
	bool is_env_type = false;
	const char *why;
	int r = -1;

	/* CSV, as docker's: "src=/a,b" is one field */
	if (csv_split(opt, &fields, &why) < 0) {
		err_make(errp, 0, "--secret '%s': failed to parse csv secret: %s", opt, why);
		goto out;
	}
	for (size_t i = 0; i < fields.n; i++) {
		char *f = fields.v[i], *eq = strchr(f, '=');
		char **slot;

		if (!eq) {
			err_make(errp, 0, "--secret '%s': invalid field '%s' must be a "
				 "key=value pair", opt, f);
			goto out;
		}
		*eq = '\0';
		for (char *p = f; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (!strcmp(f, "type")) {
			if (strcmp(eq + 1, "file") && strcmp(eq + 1, "env")) {
				err_make(errp, 0, "--secret '%s': unsupported secret type "
					 "'%s' (use file or env)", opt, eq + 1);
				goto out;
			}
			is_env_type = !strcmp(eq + 1, "env");
			continue;
		}
		slot = !strcmp(f, "id") ? &id : !strcmp(f, "src") || !strcmp(f, "source") ?
		       &src : !strcmp(f, "env") ? &env : NULL;
		if (!slot) {
			err_make(errp, 0, "--secret '%s': unexpected key '%s'", opt, f);
			goto out;
		}
		free(*slot);
		*slot = xstrdup(eq + 1);
	}
	if (is_env_type && (!env || !env[0])) {
		free(env);
		env = steal_pointer(&src);
	}
	if (!id || !id[0]) {
		err_make(errp, 0, "--secret '%s': secret missing id", opt);
		goto out;
	}
	if (!is_clean(id) || (src && !is_clean(src)) || (env && !is_clean(env))) {
		err_make(errp, 0, "--secret '%s': a tab or newline cannot be recorded", opt);
		goto out;
	}
	if ((!env || !env[0]) && (!src || !src[0])) {
		free(env);
		free(src);
		env = getenv(id) ? xstrdup(id) : NULL;
		src = env ? NULL : xstrdup(id);
	}
	if (env && env[0]) {
		e.is_env = true;
		e.ref = steal_pointer(&env);
	} else if (existing("--secret", opt, src, S_IFREG, &e.ref, errp) < 0) {
		goto out;
	}
	e.id = steal_pointer(&id);
	{
		/* read back by this function on regeneration */
		autofree char *fid = xasprintf("id=%s", e.id);
		autofree char *fref = xasprintf("%s=%s", e.is_env ? "env" : "src", e.ref);
		autofree char *qid = csv_field(fid), *qref = csv_field(fref);

		e.opt = xasprintf("%s,%s", qid, qref);
	}
	put(s, &e);
	r = 0;
out:
	strv_fini(&fields);
	return r;
}

int
secretsrc_add_ssh(struct secretsrc *s, const char *opt, struct err **errp)
{
	const char *eq = strchr(opt, '=');
	const char *path = eq ? eq + 1 : getenv("SSH_AUTH_SOCK");
	struct secretsrc_entry e = { true, NULL, false, NULL, NULL };

	if (opt[0] == '=' || !opt[0])
		return err_make(errp, 0, "--ssh '%s' has no id", opt);
	if (!is_clean(opt))
		return err_make(errp, 0, "--ssh '%s': a tab or newline cannot be recorded", opt);
	if (eq && strchr(path, ','))
		return err_make(errp, 0, "--ssh '%s': more than one path (key files) is not "
				"supported yet", opt);
	if (!path || !path[0])
		return err_make(errp, 0, "--ssh '%s': invalid empty ssh agent socket: make "
				"sure SSH_AUTH_SOCK is set", opt);
	if (existing("--ssh", opt, path, S_IFSOCK, &e.ref, errp) < 0)
		return -1;
	e.id = eq ? xstrndup(opt, (size_t)(eq - opt)) : xstrdup(opt);
	/* the socket found now: a regeneration needs no $SSH_AUTH_SOCK */
	e.opt = xasprintf("%s=%s", e.id, e.ref);
	put(s, &e);
	return 0;
}

const struct secretsrc_entry *
secretsrc_find(const struct secretsrc *s, bool is_ssh, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].is_ssh == is_ssh && !strcmp(s->v[i].id, id))
			return &s->v[i];
	return NULL;
}

int
secretsrc_write(const struct secretsrc *s, const char *path, struct err **errp)
{
	struct buf b = BUF_INIT;
	int r;

	for (size_t i = 0; i < s->n; i++) {
		const struct secretsrc_entry *e = &s->v[i];

		buf_printf(&b, "%s\t%s\t%s\t%s\n", e->is_ssh ? "ssh" : "secret", e->id,
			   e->is_ssh ? "sock" : e->is_env ? "env" : "file", e->ref);
	}
	r = fs_write_if_changed(path, b.s ? b.s : "", b.len, NULL, errp);
	buf_fini(&b);
	return r;
}

int
secretsrc_read(struct secretsrc *s, const char *path, struct err **errp)
{
	autofree char *text = NULL;
	char *line, *save = NULL;

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (fs_read_file(path, &text, NULL, errp) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line;
		struct secretsrc_entry e;

		for (int i = 0; i < 4; i++) {
			f[i] = strsep(&p, "\t");
			if (!f[i] || (i == 3) != !p)
				return err_make(errp, 0, "'%s': bad line '%s'", path, line);
		}
		if (strcmp(f[0], "ssh") && strcmp(f[0], "secret"))
			return err_make(errp, 0, "'%s': bad line '%s'", path, line);
		e.is_ssh = !strcmp(f[0], "ssh");
		e.is_env = !strcmp(f[2], "env");
		e.id = xstrdup(f[1]);
		e.ref = xstrdup(f[3]);
		e.opt = NULL;
		put(s, &e);
	}
	return 0;
}

void
secretsrc_fini(struct secretsrc *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_fini(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
