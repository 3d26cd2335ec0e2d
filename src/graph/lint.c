#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dockerfile/ast.h"
#include "oci/platform.h"
#include "util/alloc.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/err.h"
#include "graph/lint.h"
#include "graph/lintvars.h"

struct finding {
	int line;
	size_t seq;
	char *text;
};

struct linter {
	const struct dockerfile *df;
	const struct lint_config *cfg;
	struct finding *f;
	size_t n;
	struct strv *rules;
};

/* what the checks remember of a stage */
struct lint_stage {
	char *name;		/* lower-cased, or NULL */
	bool has_shell;		/* a SHELL in it or in the stage it is on */
	bool workdir_set;
	int cmd, entrypoint, healthcheck;	/* line of the last one, or 0 */
};

static bool
has_str(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static __attribute__((format(printf, 4, 5))) void
warn(struct linter *l, int line, const char *rule, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (l->cfg->skip_all || has_str(&l->cfg->skip, rule))
		return;
	buf_printf(&b, "%s:%d: %s: ", l->df->name, line, rule);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	l->f = xreallocarray(l->f, l->n + 1, sizeof(*l->f));
	l->f[l->n] = (struct finding){ line, l->n, buf_steal(&b) };
	l->n++;
	if (!has_str(l->rules, rule))
		strv_add(l->rules, rule);
}

static bool
is_lower(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return false;
	return true;
}

static bool
is_upper(const char *s)
{
	for (; *s; s++)
		if (islower((unsigned char)*s))
			return false;
	return true;
}

/* the keyword as written: the first word of the original line */
static char *
keyword(const struct instr *in)
{
	const char *o = in->original ? in->original : in->keyword;

	o += strspn(o, " \t");
	return xstrndup(o, strcspn(o, " \t\r\n"));
}

/* the first word after the keyword */
static char *
first_word(const struct instr *in)
{
	const char *o = in->original ? in->original : "";

	o += strspn(o, " \t");
	o += strcspn(o, " \t\r\n");
	o += strspn(o, " \t\r\n\\");
	return xstrndup(o, strcspn(o, " \t\r\n"));
}

/* a '_'-separated part of key is one of words (case-insensitive) */
static bool
has_part(const char *key, const char *const *words)
{
	for (const char *p = key;; p++) {
		size_t n = strcspn(p, "_");

		for (size_t i = 0; words[i]; i++)
			if (strlen(words[i]) == n && !strncasecmp(p, words[i], n))
				return true;
		p += n;
		if (!*p)
			return false;
	}
}

static void
secret_key(struct linter *l, const struct instr *in, const char *what,
	   const char *key)
{
	static const char *const deny[] = {
		"apikey", "auth", "credential", "credentials", "key",
		"password", "pword", "passwd", "secret", "token", NULL,
	};
	static const char *const allow[] = { "public", "file", "version", NULL };

	if (has_part(key, deny) && !has_part(key, allow))
		warn(l, in->line, "SecretsUsedInArgOrEnv", "Do not use ARG or ENV "
		     "instructions for sensitive data (%s \"%s\")", what, key);
}

static void
from_platform(struct linter *l, const struct instr *in, const char *name)
{
	const char *p = instr_flag_value(in, "--platform");
	struct platform pl;

	if (!p)
		return;
	if (!strcmp(p, "$TARGETPLATFORM") || !strcmp(p, "${TARGETPLATFORM}")) {
		warn(l, in->line, "RedundantTargetPlatform", "Setting platform to "
		     "predefined %s in FROM is redundant as this is the default "
		     "behavior", p);
		return;
	}
	if (strchr(p, '$') || platform_parse(p, &pl) < 0)
		return;
	if (name && (strstr(name, pl.os) || strstr(name, pl.arch)))
		return;
	warn(l, in->line, "FromPlatformFlagConstDisallowed", "FROM --platform flag "
	     "should not use constant value \"%s\"", p);
}

static void
check_from(struct linter *l, const struct instr *in, struct lint_stage *st,
	   const struct lint_stage *stages, size_t nstages)
{
	autofree char *kw = keyword(in);
	const struct strv *a = &in->args;

	memset(st, 0, sizeof(*st));
	if (a->n == 3 && !is_lower(a->v[2]))
		warn(l, in->line, "StageNameCasing", "Stage name '%s' should be "
		     "lowercase", a->v[2]);
	if (a->n >= 3 && (is_lower(kw) || is_upper(kw)) &&
	    (is_lower(kw) ? !is_lower(a->v[1]) : !is_upper(a->v[1])))
		warn(l, in->line, "FromAsCasing", "'%s' and '%s' keywords' casing "
		     "do not match", a->v[1], kw);
	if (a->n == 3)
		st->name = ascii_lower_dup(a->v[2]);
	if (st->name && (!strcmp(st->name, "context") || !strcmp(st->name, "scratch")))
		warn(l, in->line, "ReservedStageName", "Stage name should not use "
		     "the same name as reserved stage \"%s\"", st->name);
	for (size_t i = 0; st->name && i < nstages; i++)
		if (stages[i].name && !strcmp(stages[i].name, st->name)) {
			warn(l, in->line, "DuplicateStageName", "Duplicate stage name "
			     "\"%s\", stage names should be unique", st->name);
			break;
		}
	/* on an earlier stage: its SHELL too */
	for (size_t i = nstages; a->n && i-- > 0;)
		if (stages[i].name && !strcasecmp(stages[i].name, a->v[0])) {
			st->has_shell = stages[i].has_shell;
			break;
		}
	from_platform(l, in, a->n == 3 ? a->v[2] : NULL);
}

/* CMD, ENTRYPOINT and HEALTHCHECK: the last one counts */
static void
used_once(struct linter *l, const struct instr *in, int *last)
{
	autofree char *kw = keyword(in);

	if (*last)
		warn(l, *last, "MultipleInstructionsDisallowed", "Multiple %s "
		     "instructions should not be used in the same stage because "
		     "only the last one will be used", kw);
	*last = in->line;
}

static void
check_instr(struct linter *l, const struct instr *in, struct lint_stage *st)
{
	autofree char *kw = keyword(in), *w = NULL;

	switch (in->kind) {
	case INSTR_MAINTAINER:
		warn(l, in->line, "MaintainerDeprecated", "Maintainer instruction "
		     "is deprecated in favor of using label");
		break;
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
		used_once(l, in, in->kind == INSTR_CMD ? &st->cmd : &st->entrypoint);
		if (!in->is_json && !st->has_shell)
			warn(l, in->line, "JSONArgsRecommended", "JSON arguments "
			     "recommended for %s to prevent unintended behavior "
			     "related to OS signals", kw);
		break;
	case INSTR_HEALTHCHECK:
		used_once(l, in, &st->healthcheck);
		break;
	case INSTR_SHELL:
		st->has_shell = true;
		break;
	case INSTR_WORKDIR:
		if (!st->workdir_set && in->args.n && in->args.v[0][0] != '/' &&
		    !strchr(in->args.v[0], '$'))
			warn(l, in->line, "WorkdirRelativePath", "Relative workdir "
			     "\"%s\" can have unexpected results if the base image "
			     "changes", in->args.v[0]);
		st->workdir_set = true;
		break;
	case INSTR_ENV:
	case INSTR_LABEL:
		w = first_word(in);
		if (*w && !strchr(w, '='))
			warn(l, in->line, "LegacyKeyValueFormat", "\"%s key=value\" "
			     "should be used instead of legacy \"%s key value\" "
			     "format", kw, kw);
		/* key, value, separator */
		for (size_t i = 0; in->kind == INSTR_ENV && i + 1 < in->args.n; i += 3)
			secret_key(l, in, "ENV", in->args.v[i]);
		break;
	case INSTR_ARG:
		for (size_t i = 0; i < in->args.n; i++) {
			autofree char *k = xstrndup(in->args.v[i],
						    strcspn(in->args.v[i], "="));

			secret_key(l, in, "ARG", k);
		}
		break;
	case INSTR_EXPOSE:
		for (size_t i = 0; i < in->args.n; i++) {
			const char *p = in->args.v[i], *proto = strchr(p, '/');

			if (strchr(p, '$'))
				continue;
			if (proto && !is_lower(proto))
				warn(l, in->line, "ExposeProtoCasing", "Defined protocol "
				     "'%s' in EXPOSE instruction should be lowercase", p);
			if (strchr(p, ':'))
				warn(l, in->line, "ExposeInvalidFormat", "EXPOSE "
				     "instruction should not define an IP address or "
				     "host-port mapping, found '%s'", p);
		}
		break;
	case INSTR_UNKNOWN:
	case INSTR_ADD:
	case INSTR_COPY:
	case INSTR_FROM:
	case INSTR_ONBUILD:
	case INSTR_RUN:
	case INSTR_STOPSIGNAL:
	case INSTR_USER:
	case INSTR_VOLUME:
		break;
	}
}

/* every instruction's keyword as the majority writes them */
static void
check_casing(struct linter *l, size_t first)
{
	const struct dockerfile *df = l->df;
	size_t lower = 0, upper = 0;

	for (size_t i = first; i < df->ninstrs; i++) {
		autofree char *kw = keyword(&df->instrs[i]);

		if (is_lower(kw))
			lower++;
		else if (is_upper(kw))
			upper++;
	}
	for (size_t i = first; i < df->ninstrs; i++) {
		autofree char *kw = keyword(&df->instrs[i]);
		bool want_lower = lower > upper;

		if (want_lower ? !is_lower(kw) : !is_upper(kw))
			warn(l, df->instrs[i].line, "ConsistentInstructionCasing",
			     "Command '%s' should match the case of the command "
			     "majority (%s)", kw, want_lower ? "lowercase" : "uppercase");
	}
}

/* a lintvars_fn */
static void
from_vars(void *ctx, int line, const char *rule, const char *msg)
{
	warn(ctx, line, rule, "%s", msg);
}

static int
by_line(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t
lint_run(const struct dockerfile *df, const struct lint_config *cfg,
	 struct strv *out, struct strv *rules)
{
	struct linter l = { df, cfg, NULL, 0, rules };
	struct lint_stage *stages = NULL;
	size_t nstages = 0, first = df->ninstrs, n;

	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct instr *in = &df->instrs[i];

		if (in->kind == INSTR_FROM) {
			if (!nstages)
				first = i;
			stages = xreallocarray(stages, nstages + 1, sizeof(*stages));
			check_from(&l, in, &stages[nstages], stages, nstages);
			nstages++;
		} else if (nstages) {
			check_instr(&l, in, &stages[nstages - 1]);
		}
	}
	check_casing(&l, first);
	lintvars_run(df, from_vars, &l);
	if (l.n > 1)
		qsort(l.f, l.n, sizeof(*l.f), by_line);
	for (size_t i = 0; i < l.n; i++)
		strv_push(out, l.f[i].text);
	for (size_t i = 0; i < nstages; i++)
		free(stages[i].name);
	free(stages);
	free(l.f);
	n = l.n;
	return n;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int
option(const struct dockerfile *df, const char *p, size_t len,
       struct lint_config *cfg, struct err **errp)
{
	const char *eq = memchr(p, '=', len);
	autofree char *whole = xstrndup(p, len), *k = NULL, *v = NULL;

	if (!eq)
		return err_at(errp, df->name, df->check_line, 0, "invalid check "
			      "option \"%s\"", whole);
	k = trimmed(p, (size_t)(eq - p));
	v = trimmed(eq + 1, len - (size_t)(eq - p) - 1);
	if (!strcmp(k, "skip")) {
		if (!strcmp(v, "all")) {
			cfg->skip_all = true;
			return 0;
		}
		for (const char *s = v;; s++) {
			size_t n = strcspn(s, ",");

			strv_push(&cfg->skip, trimmed(s, n));
			s += n;
			if (!*s)
				break;
		}
		return 0;
	}
	if (!strcmp(k, "error")) {
		if (ascii_parse_bool(v, &cfg->is_error) < 0)
			return err_at(errp, df->name, df->check_line, 0, "failed to "
				      "parse check option \"%s\"", whole);
		return 0;
	}
	/* the experimental rules (InvalidDefinitionDescription) are not run */
	if (!strcmp(k, "experimental"))
		return 0;
	return err_at(errp, df->name, df->check_line, 0, "invalid check option "
		      "\"%s\"", k);
}

int
lint_config_parse(const struct dockerfile *df, struct lint_config *cfg,
		  struct err **errp)
{
	autofree char *s = NULL;
	const char *p;

	memset(cfg, 0, sizeof(*cfg));
	if (!df->check)
		return 0;
	s = trimmed(df->check, strlen(df->check));
	if (!*s)
		return 0;
	/* Go's SplitN(s, ";", 3): the third part keeps any further ';' */
	p = s;
	for (int part = 0;; part++) {
		size_t n = part < 2 ? strcspn(p, ";") : strlen(p);

		if (option(df, p, n, cfg, errp) < 0)
			return -1;
		p += n;
		if (!*p)
			return 0;
		p++;
	}
}

void
lint_config_fini(struct lint_config *cfg)
{
	strv_fini(&cfg->skip);
}
