#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plan/names.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/giturl.h"
#include "util/modespec.h"
#include "buildargs.h"
#include "flags.h"
#include "runmount.h"
#include "steps.h"

bool
steps_is_step(enum instr_kind k)
{
	return k == INSTR_RUN || k == INSTR_COPY || k == INSTR_ADD ||
	       k == INSTR_WORKDIR;
}

/*
 * a here-document word (BuildKit's ^[0-9]*<<-?[^<]+$ whose rest is one
 * shell word): its name with quotes removed (caller frees), else NULL
 */
static char *
heredoc_word(const char *w)
{
	struct buf b = BUF_INIT;
	char quote = 0;

	w += strspn(w, "0123456789");
	if (strncmp(w, "<<", 2) != 0)
		return NULL;
	w += 2;
	if (*w == '-')
		w++;
	if (!*w || strchr(w, '<'))
		return NULL;
	for (; *w; w++) {
		if (quote) {
			if (*w == quote)
				quote = 0;
			else
				buf_putc(&b, *w);
		} else if (*w == '\'' || *w == '"') {
			quote = *w;
		} else if (*w == '\\' && w[1]) {
			buf_putc(&b, *++w);
		} else if (isspace((unsigned char)*w)) {
			buf_fini(&b);
			return NULL;
		} else {
			buf_putc(&b, *w);
		}
	}
	if (quote || !b.len) {
		buf_fini(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static const struct heredoc *
find_heredoc(const struct instr *in, const char *name)
{
	for (size_t i = 0; i < in->nheredocs; i++)
		if (!strcmp(in->heredocs[i].name, name))
			return &in->heredocs[i];
	return NULL;
}

static struct plan_heredoc
heredoc_plan(struct resolver *r, const struct heredoc *h, const char *content,
	     bool expand)
{
	return (struct plan_heredoc){ resolve_str(r, h->name), content, expand,
				      h->chomp };
}

/* the context directory for a step that reads it */
static const char *
context(struct resolver *r, struct step *st)
{
	const char *ctx = r->opts->context_rel ? r->opts->context_rel : ".";

	st->reads_context = true;
	return resolve_str(r, ctx);
}

/* what df2ninja writes inside the context, which it never reads from it */
static struct plan_strs
context_own(struct resolver *r)
{
	const struct strv *own = &r->opts->context_own;
	struct plan_strs ps = { NULL, own->n };

	ps.v = pj_alloc(&r->arena, own->n, sizeof(*ps.v));
	for (size_t i = 0; i < own->n; i++)
		ps.v[i] = resolve_str(r, own->v[i]);
	return ps;
}

/* the dir a RUN's bind mounts read: the context (""), or a directory
 * --build-context; only one per RUN, as the plan has one "context" */
static void
run_context(struct resolver *r, struct step *st, const char *dir,
	    struct run_plan *plan)
{
	if (!*dir) {
		plan->context = context(r, st);
		plan->context_own = context_own(r);
		if (r->opts->dfignore_rel)
			plan->dockerignore = resolve_str(r, r->opts->dfignore_rel);
		return;
	}
	st->reads_context = true;
	plan->context = resolve_str(r, dir);
}

/* the command BuildKit's dispatchRun makes of the arguments and heredocs */
static void
run_cmd(struct resolver *r, const struct instr *in, struct run_plan *plan)
{
	struct plan_strs *cmd = &plan->cmd;
	autofree char *whole = NULL;
	size_t i;

	plan->heredocs = pj_alloc(&r->arena, in->nheredocs, sizeof(*plan->heredocs));
	plan->nheredocs = in->nheredocs;
	for (i = 0; i < in->nheredocs; i++)
		plan->heredocs[i] = heredoc_plan(r, &in->heredocs[i],
				resolve_str(r, in->heredocs[i].content ?
					    in->heredocs[i].content : ""),
				in->heredocs[i].expand);
	cmd->v = pj_alloc(&r->arena, in->nheredocs ? 1 : in->args.n, sizeof(*cmd->v));
	if (!in->nheredocs) {
		for (i = 0; i < in->args.n; i++)
			cmd->v[cmd->n++] = resolve_str(r, in->args.v[i]);
	} else if ((whole = heredoc_word(in->args.v[0]))) {
		const struct heredoc *h = &in->heredocs[0];
		const char *data = h->content ? h->content : "";

		if (!strncmp(data, "#!", 2)) {
			/* a script: run the file, not the text */
			autofree char *path = xasprintf("/dev/pipes/%s", h->name);

			plan->script_name = resolve_str(r, h->name);
			plan->script_content = resolve_str(r, data);
			cmd->v[cmd->n++] = resolve_str(r, path);
		} else {
			cmd->v[cmd->n++] = resolve_str(r, data);
		}
	} else {
		struct buf b = BUF_INIT;

		buf_puts(&b, in->args.v[0]);
		for (i = 0; i < in->nheredocs; i++)
			buf_printf(&b, "\n%s%s", in->heredocs[i].content ?
				   in->heredocs[i].content : "",
				   in->heredocs[i].name);
		cmd->v[cmd->n++] = resolve_str(r, buf_str(&b));
		buf_fini(&b);
	}
	plan->shell_form = !in->is_json;
}

/* the network a RUN gets: its --network, else the build's (--network);
 * "default" is the host's */
static enum plan_network
run_network(struct resolver *r, const struct flags *f)
{
	const char *net = r->opts->network ? r->opts->network : "default";

	if (f->network && strcmp(f->network, "default") != 0)
		net = f->network;
	/* check.c and genargs.c let through only the names plans have */
	return (enum plan_network)plan_value(&plan_network_names, net);
}

static int
run(struct resolver *r, struct stage *s, struct step *st,
    const struct instr *in, const struct flags *f, struct run_plan *plan)
{
	struct sstate *ss = resolve_ss(r, s);
	const char *ctx = NULL;
	size_t i, nproxy = 0;

	plan->mounts = pj_alloc(&r->arena, f->mounts.n + 1, sizeof(*plan->mounts));
	plan->nmounts = f->mounts.n;
	for (i = 0; i < f->mounts.n; i++) {
		const char *dir = NULL;

		if (runmount_parse(r, s, st, in, f->mounts.v[i], &plan->mounts[i],
				   &dir) < 0)
			return -1;
		if (dir && ctx && strcmp(dir, ctx))
			return resolve_fail(r, in, "RUN binds two build contexts "
					    "(the context and a --build-context "
					    "directory, or two of those); only one "
					    "per RUN is supported");
		if (dir)
			ctx = dir;
	}
	if (r->opts->shm_size > 0) {
		/* --shm-size: a tmpfs of that size over /dev/shm, after the
		 * RUN's own mounts, as BuildKit adds it */
		struct plan_mount *m = &plan->mounts[plan->nmounts++];

		m->type = PLAN_MOUNT_TMPFS;
		m->target.s = resolve_str(r, "/dev/shm");
		m->has_size = true;
		m->size = r->opts->shm_size;
	}
	if (ctx)
		run_context(r, st, ctx, plan);
	plan->network = run_network(r, f);
	plan->add_hosts.n = r->opts->add_hosts.n;
	plan->add_hosts.v = pj_alloc(&r->arena, plan->add_hosts.n, sizeof(*plan->add_hosts.v));
	for (i = 0; i < plan->add_hosts.n; i++)
		plan->add_hosts.v[i] = resolve_str(r, r->opts->add_hosts.v[i]);
	plan->ulimits.n = r->opts->ulimits.n;
	plan->ulimits.v = pj_alloc(&r->arena, plan->ulimits.n, sizeof(*plan->ulimits.v));
	for (i = 0; i < plan->ulimits.n; i++)
		plan->ulimits.v[i] = resolve_str(r, r->opts->ulimits.v[i]);
	plan->security = f->security && !strcmp(f->security, "insecure") ?
			 PLAN_SECURITY_INSECURE : PLAN_SECURITY_SANDBOX;
	run_cmd(r, in, plan);
	plan->args = pj_alloc(&r->arena, ss->nargs, sizeof(*plan->args));
	plan->nargs = ss->nargs;
	for (i = 0; i < ss->nargs; i++) {
		const struct scoped_arg *a = &ss->args[i];

		plan->args[i].name = resolve_str(r, a->name);
		if (a->value)
			plan->args[i].value = resolve_jword(r, a->value, a->is_raw);
	}
	for (i = 0; i < r->bargs.n; i++)
		nproxy += buildargs_is_proxy(r->bargs.v[i].name);
	plan->proxy = pj_alloc(&r->arena, nproxy, sizeof(*plan->proxy));
	for (i = 0; i < r->bargs.n; i++) {
		const struct var *v = &r->bargs.v[i];
		char lower[16];
		size_t j;

		if (!buildargs_is_proxy(v->name))
			continue;
		for (j = 0; v->name[j]; j++)
			lower[j] = (char)tolower((unsigned char)v->name[j]);
		lower[j] = '\0';
		plan->proxy[plan->nproxy].name = resolve_str(r, lower);
		plan->proxy[plan->nproxy++].value = resolve_str(r, v->value);
	}
	return 0;
}

static bool
is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static bool
is_git(const char *s)
{
	return giturl_is(s);
}

/* a Git source known at generation: what the executor would refuse */
static int
check_git(struct resolver *r, const struct instr *in, const char *v)
{
	struct giturl g;
	struct err *e = NULL;

	if (in->kind == INSTR_COPY)
		return resolve_fail(r, in, "source can't be a git ref for COPY");
	if (giturl_parse(v, &g, &e) < 0)
		return resolve_fail_err(r, in, e);
	giturl_fini(&g);
	return 0;
}

/* --from: no variables, as in BuildKit */
static int
check_from(struct resolver *r, const struct instr *in, const char *from)
{
	struct env none = ENV_INIT;
	struct expander x = { &none, false, r->df->escape, false };
	struct err *e = NULL;
	bool deferred;
	char *v;

	if (expand_word(&x, from, &v, &deferred, &e) < 0) {
		env_fini(&none);
		return resolve_fail_err(r, in, e);
	}
	env_fini(&none);
	if (strcmp(v, from) != 0) {
		free(v);
		return resolve_fail(r, in, "variable expansion is not supported "
				    "for --from, define a new stage with FROM "
				    "using ARG from global scope as a "
				    "workaround");
	}
	free(v);
	return 0;
}

static int
chmod_word(struct resolver *r, struct stage *s, const struct instr *in,
	   const char *word, struct copy_plan *plan)
{
	autofree char *v = NULL;
	struct mode_spec *m = NULL;
	struct err *e = NULL;

	if (resolve_word(r, s, in, word, &plan->chmod, &v) < 0)
		return -1;
	if (!v)
		return 0;
	/* the executor's parser: octal or chmod(1) symbolic clauses */
	if (mode_spec_parse(v, &m, &e) < 0)
		return resolve_fail_err(r, in, e);
	mode_spec_free(m);
	return 0;
}

/* a --chown part BuildKit takes for an id: digits, "root", or nothing */
static bool
is_id_part(const char *p, size_t n)
{
	if (n == 4 && strncmp(p, "root", 4) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* COPY --link --chown: BuildKit copies onto scratch, where no user or
 * group name can be looked up (its solver fails "invalid user index") */
static int
link_chown(struct resolver *r, struct stage *s, const struct instr *in,
	   const char *word)
{
	autofree char *v = NULL;
	const char *colon;

	if (resolve_word(r, s, in, word, NULL, &v) < 0)
		return -1;
	if (!v)
		return 0;	/* the executor checks it */
	colon = strchrnul(v, ':');
	if (is_id_part(v, (size_t)(colon - v)) &&
	    (!*colon || is_id_part(colon + 1, strlen(colon + 1))))
		return 0;
	return resolve_fail(r, in, "%s --link --chown=%s: with --link only "
			    "numeric ids (or root) work, BuildKit cannot "
			    "look names up", instr_name(in->kind), v);
}

/* the sources: words and here-documents; *local when one may be in the
 * context, *remote when ADD may download one, *only the single source's
 * value when there is one and it is known (caller frees) */
static int
sources(struct resolver *r, struct stage *s, const struct instr *in,
	struct copy_plan *plan, bool *local, bool *remote, size_t *nsrc,
	size_t *ngit, char **only)
{
	struct plan_words *srcs = &plan->sources;
	size_t i, n = in->args.n - 1;

	srcs->v = pj_alloc(&r->arena, n, sizeof(*srcs->v));
	plan->heredocs = pj_alloc(&r->arena, n, sizeof(*plan->heredocs));
	*local = false;
	*remote = false;
	*nsrc = 0;
	*ngit = 0;
	*only = NULL;
	for (i = 0; i + 1 < in->args.n; i++) {
		autofree char *name = heredoc_word(in->args.v[i]);
		const struct heredoc *h = name ? find_heredoc(in, name) : NULL;
		const char *content = h && h->content ? h->content : "";
		struct expander x;
		struct err *e = NULL;
		bool deferred = false;
		char *v;

		if (h && !h->expand) {
			plan->heredocs[plan->nheredocs++] = heredoc_plan(r, h,
					resolve_str(r, content), false);
			continue;
		}
		if (h) {
			resolve_expander(r, s, &x);
			if (expand_heredoc(&x, content, &v, &deferred, &e) < 0)
				return resolve_fail_err(r, in, e);
			if (deferred)
				r->used_raw = true;
			plan->heredocs[plan->nheredocs++] = heredoc_plan(r, h,
					resolve_str(r, v), deferred);
			free(v);
			continue;
		}
		if (resolve_word(r, s, in, in->args.v[i], &srcs->v[srcs->n++],
				 &v) < 0)
			return -1;
		if (v && is_git(v)) {
			if (check_git(r, in, v) < 0) {
				free(v);
				return -1;
			}
			(*ngit)++;
		}
		/* a deferred ADD source may be anything: count it as local,
		 * and as a URL */
		if (in->kind == INSTR_COPY || !v || (!is_url(v) && !is_git(v)))
			*local = true;
		if (in->kind == INSTR_ADD && (!v || (is_url(v) && !is_git(v))))
			*remote = true;
		free(*only);
		*only = v;
		(*nsrc)++;
	}
	return 0;
}

static int
copy(struct resolver *r, struct stage *s, struct step *st,
     const struct instr *in, const struct flags *f, struct copy_plan *plan)
{
	const char *dest = in->args.v[in->args.n - 1];
	autofree char *hd = heredoc_word(dest);
	autofree char *only = NULL, *sum = NULL;
	struct stage *from = NULL;
	const char *image = NULL, *dir = NULL;
	bool local, remote;
	size_t i, nsrc, ngit;

	plan->exclude.v = pj_alloc(&r->arena, f->excludes.n, sizeof(*plan->exclude.v));
	plan->exclude.n = f->excludes.n;
	if (hd && find_heredoc(in, hd))
		return resolve_fail(r, in, "%s cannot accept a heredoc as a "
				    "destination", instr_name(in->kind));
	if (resolve_word(r, s, in, dest, &plan->dest, NULL) < 0)
		return -1;
	if (sources(r, s, in, plan, &local, &remote, &nsrc, &ngit, &only) < 0)
		return -1;
	if (ngit && nsrc + plan->nheredocs > 1)
		return resolve_fail(r, in, "ADD of a Git repository takes it as "
				    "its only source");
	if (f->from) {
		if (check_from(r, in, f->from) < 0 ||
		    resolve_source(r, in, "--from", f->from, &from, &image, &dir) < 0)
			return -1;
	}
	if (dir) {
		/* a directory --build-context: read as the context is, with
		 * its own .dockerignore */
		st->reads_context = true;
		plan->context = resolve_str(r, dir);
	} else if (f->from) {
		if (from)
			resolve_dep(r, s, st, from, in);
		else
			st->pulls = true;
		plan->has_from = true;
		plan->from = resolve_plan_source(r, s, from, image);
	} else if (local) {
		plan->context = context(r, st);
		plan->context_own = context_own(r);
		if (r->opts->dfignore_rel)
			plan->dockerignore = resolve_str(r, r->opts->dfignore_rel);
	}
	if (f->chown && resolve_word(r, s, in, f->chown, &plan->chown, NULL) < 0)
		return -1;
	if (f->chmod && chmod_word(r, s, in, f->chmod, plan) < 0)
		return -1;
	plan->link = f->link == 1;
	/* BuildKit links only without --chmod */
	st->is_link = plan->link && !f->chmod;
	if (st->is_link && f->chown && link_chown(r, s, in, f->chown) < 0)
		return -1;
	for (i = 0; i < f->excludes.n; i++)
		if (resolve_word(r, s, in, f->excludes.v[i], &plan->exclude.v[i],
				 NULL) < 0)
			return -1;
	if (in->kind == INSTR_COPY) {
		plan->parents = f->parents == 1;
		return 0;
	}
	plan->keep_git_dir = f->keep_git_dir == 1;
	plan->unpack = f->unpack < 0 ? -1 : f->unpack == 1;
	if (!f->checksum) {
		/* the server may change the file, a branch or tag may move:
		 * ask it on every build */
		st->runs_always = remote;
		st->has_gitref = ngit > 0;
		return 0;
	}
	if (resolve_word(r, s, in, f->checksum, &plan->checksum, &sum) < 0)
		return -1;
	if (nsrc != 1)
		return resolve_fail(r, in, "--checksum can only be used with a "
				    "single source");
	if (only && !is_url(only) && !is_git(only))
		return resolve_fail(r, in, "--checksum needs an HTTP(S) or Git "
				    "source");
	if (ngit && sum && (!sum[0] || sum[strspn(sum, "0123456789abcdefABCDEF")]))
		return resolve_fail(r, in, "invalid checksum %s for Git URL, "
				    "expected hex commit hash", f->checksum);
	return 0;
}

int
steps_fill(struct resolver *r, struct stage *s, struct step *st,
	   const struct instr *in, struct step_plan *plan)
{
	struct flags f;
	char *msg;
	int rc = 0;

	if (flags_parse(in, &f, &msg) < 0) {
		resolve_fail(r, in, "%s", msg);
		free(msg);
		flags_fini(&f);
		return -1;
	}
	if (in->kind == INSTR_RUN) {
		rc = run(r, s, st, in, &f, &plan->run);
	} else if (in->kind == INSTR_COPY || in->kind == INSTR_ADD) {
		rc = copy(r, s, st, in, &f, &plan->copy);
	} else if (in->kind == INSTR_WORKDIR) {
		rc = resolve_word(r, s, in, in->args.v[0], &plan->meta.path, NULL);
	} else {
		rc = resolve_fail(r, in, "BUG: %s is not a step",
				  instr_name(in->kind));
	}
	flags_fini(&f);
	return rc;
}
