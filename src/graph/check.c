#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "check.h"

/* the keyword as the user wrote it: the first word of the original text */
static int
unknown(struct resolver *r, const struct instr *in)
{
	const char *s = in->original ? in->original : "";
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, " \t\r\n");
	if (n == 0 && in->keyword) {
		s = in->keyword;
		n = strlen(s);
	}
	return resolve_fail(r, in, "unknown instruction '%.*s'", (int)n, s);
}

int
check_duration(const char *s, int64_t *ns, const char **why)
{
	const char *p = s;
	bool neg = false, any = false;
	uint64_t total = 0;

	*why = "invalid duration";
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*p)
		return -1;
	while (*p) {
		static const struct {
			const char *name;
			uint64_t ns;
		} units[] = {
			{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
			{ "\xce\xbcs", 1000 }, { "ms", 1000000 },
			{ "s", 1000000000ULL }, { "m", 60000000000ULL },
			{ "h", 3600000000000ULL },
		};
		uint64_t whole = 0, frac = 0, scale = 1, unit = 0, v;
		bool digits = false;
		size_t i, len = 0;

		while (isdigit((unsigned char)*p)) {
			if (whole > (UINT64_MAX - 9) / 10)
				return -1;
			whole = whole * 10 + (uint64_t)(*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				/* digits past 10^18 cannot change the result */
				if (scale < 1000000000000000000ULL) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
				p++;
				digits = true;
			}
		}
		if (!digits)
			return -1;
		for (i = 0; i < countof(units); i++) {
			size_t n = strlen(units[i].name);

			/* longest match: "ms" before "m", "ns" before "s" */
			if (!strncmp(p, units[i].name, n) && n > len) {
				len = n;
				unit = units[i].ns;
			}
		}
		if (!unit) {
			*why = *p ? "unknown unit in duration" :
			       "missing unit in duration";
			return -1;
		}
		p += len;
		if (whole > INT64_MAX / unit)
			return -1;
		v = whole * unit + (uint64_t)((long double)frac * unit / scale);
		if (v > INT64_MAX || total > INT64_MAX - v)
			return -1;
		total += v;
		any = true;
	}
	if (!any)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

int
check_interval(struct resolver *r, const struct instr *in, const char *flag,
	       const char *value, int64_t *ns)
{
	const char *why;

	*ns = 0;
	if (!value || !*value)
		return 0;
	if (check_duration(value, ns, &why) < 0)
		return resolve_fail(r, in, "%s: '%s' for --%s", why, value, flag);
	if (*ns != 0 && *ns < 1000000)
		return resolve_fail(r, in, "--%s '%s' cannot be less than 1ms",
				    flag, value);
	return 0;
}

static int
check_health(struct resolver *r, const struct instr *in,
	     const struct flags *f)
{
	const char *type;
	int64_t ns;

	if (in->args.n == 0)
		return resolve_fail(r, in, "HEALTHCHECK requires at least one "
				    "argument");
	type = in->args.v[0];
	if (!strcasecmp(type, "NONE")) {
		if (in->args.n != 1)
			return resolve_fail(r, in, "HEALTHCHECK NONE takes no "
					    "arguments");
		if (in->flags.n)
			return resolve_fail(r, in, "HEALTHCHECK NONE takes no "
					    "flags");
		return 0;
	}
	if (strcasecmp(type, "CMD") != 0)
		return resolve_fail(r, in, "unknown type '%s' in HEALTHCHECK "
				    "(try CMD)", type);
	if (in->args.n < 2)
		return resolve_fail(r, in, "missing command after HEALTHCHECK "
				    "CMD");
	if (check_interval(r, in, "interval", f->interval, &ns) < 0 ||
	    check_interval(r, in, "timeout", f->timeout, &ns) < 0 ||
	    check_interval(r, in, "start-period", f->start_period, &ns) < 0 ||
	    check_interval(r, in, "start-interval", f->start_interval, &ns) < 0)
		return -1;
	if (f->retries && *f->retries) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(f->retries, &end, 10);
		if (errno || *end || end == f->retries || v > INT32_MAX ||
		    v < INT32_MIN)
			return resolve_fail(r, in, "invalid --retries '%s'",
					    f->retries);
		if (v < 0)
			return resolve_fail(r, in, "--retries cannot be negative "
					    "(%lld)", v);
	}
	return 0;
}

static int
check_run(struct resolver *r, const struct instr *in, const struct flags *f)
{
	if (in->args.n == 0 && in->nheredocs == 0)
		return resolve_fail(r, in, "RUN requires at least one argument");
	if (f->network && strcmp(f->network, "default") &&
	    strcmp(f->network, "none") && strcmp(f->network, "host"))
		return resolve_fail(r, in, "unsupported network mode '%s' (use "
				    "default, none or host)", f->network);
	if (f->security && strcmp(f->security, "sandbox") &&
	    strcmp(f->security, "insecure"))
		return resolve_fail(r, in, "unsupported security mode '%s' (use "
				    "sandbox or insecure)", f->security);
	/* BuildKit's entitlement: never by the Dockerfile's say alone */
	if (f->security && strcmp(f->security, "insecure") == 0 && !r->opts->allow_insecure)
		return resolve_fail(r, in, "RUN --security=insecure is not allowed: "
				    "run df2ninja with --allow security.insecure to let "
				    "this step run unconfined");
	if (in->nheredocs && (in->is_json || in->args.n != 1))
		return resolve_fail(r, in, "RUN with here-documents must use "
				    "the shell form");
	return 0;
}

static int
check_onbuild(struct resolver *r, const struct instr *in)
{
	const struct instr *sub = in->sub;

	if (!sub)
		return resolve_fail(r, in, "ONBUILD requires at least one "
				    "argument");
	switch (sub->kind) {
	case INSTR_UNKNOWN:
		return unknown(r, sub);
	case INSTR_ONBUILD:
		return resolve_fail(r, in, "chaining ONBUILD via 'ONBUILD "
				    "ONBUILD' isn't allowed");
	case INSTR_FROM:
	case INSTR_MAINTAINER:
		return resolve_fail(r, in, "%s isn't allowed as an ONBUILD "
				    "trigger", instr_name(sub->kind));
	case INSTR_ADD:
	case INSTR_ARG:
	case INSTR_CMD:
	case INSTR_COPY:
	case INSTR_ENTRYPOINT:
	case INSTR_ENV:
	case INSTR_EXPOSE:
	case INSTR_HEALTHCHECK:
	case INSTR_LABEL:
	case INSTR_RUN:
	case INSTR_SHELL:
	case INSTR_STOPSIGNAL:
	case INSTR_USER:
	case INSTR_VOLUME:
	case INSTR_WORKDIR:
		break;
	}
	return 0;
}

static int
exactly_one(struct resolver *r, const struct instr *in)
{
	if (in->args.n != 1)
		return resolve_fail(r, in, "%s requires exactly one argument",
				    instr_name(in->kind));
	return 0;
}

static int
at_least_one(struct resolver *r, const struct instr *in)
{
	if (in->args.n == 0)
		return resolve_fail(r, in, "%s requires at least one argument",
				    instr_name(in->kind));
	return 0;
}

int
check_instr(struct resolver *r, const struct instr *in, struct flags *f)
{
	char *msg;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (in->kind == INSTR_UNKNOWN)
		return unknown(r, in);
	if (in->arglens)
		return resolve_fail(r, in, "an argument holding a NUL byte is "
				    "not supported");
	if (flags_parse(in, f, &msg) < 0) {
		resolve_fail(r, in, "%s", msg);
		free(msg);
		return -1;
	}
	switch (in->kind) {
	case INSTR_UNKNOWN:
		break;
	case INSTR_FROM:
		if (in->args.n == 1 ||
		    (in->args.n == 3 && !strcasecmp(in->args.v[1], "as")))
			return 0;
		return resolve_fail(r, in, "FROM requires either one or three "
				    "arguments");
	case INSTR_RUN:
		return check_run(r, in, f);
	case INSTR_COPY:
	case INSTR_ADD:
		if (in->args.n < 2)
			return resolve_fail(r, in, "%s requires at least two "
					    "arguments, but only one was "
					    "provided. Destination could not "
					    "be determined",
					    instr_name(in->kind));
		return 0;
	case INSTR_WORKDIR:
	case INSTR_USER:
	case INSTR_MAINTAINER:
	case INSTR_STOPSIGNAL:
		return exactly_one(r, in);
	case INSTR_ENV:
	case INSTR_LABEL:
		if (at_least_one(r, in) < 0)
			return -1;
		if (in->args.n % 3 != 0)
			return resolve_fail(r, in, "bad input to %s: expected "
					    "name/value pairs",
					    instr_name(in->kind));
		for (i = 0; i < in->args.n; i += 3)
			if (!in->args.v[i][0])
				return resolve_fail(r, in, "%s names can not be "
						    "blank", instr_name(in->kind));
		return 0;
	case INSTR_ARG:
		if (at_least_one(r, in) < 0)
			return -1;
		for (i = 0; i < in->args.n; i++)
			if (in->args.v[i][0] == '=' || !in->args.v[i][0])
				return resolve_fail(r, in, "ARG names can not be "
						    "blank");
		return 0;
	case INSTR_EXPOSE:
		return at_least_one(r, in);
	case INSTR_VOLUME:
		if (at_least_one(r, in) < 0)
			return -1;
		for (i = 0; i < in->args.n; i++)
			if (in->args.v[i][strspn(in->args.v[i], " \t\r\n")] == '\0')
				return resolve_fail(r, in, "VOLUME specified can "
						    "not be an empty string");
		return 0;
	case INSTR_SHELL:
		if (!in->is_json && in->args.n)
			return resolve_fail(r, in, "SHELL requires the arguments "
					    "to be in JSON form");
		return at_least_one(r, in);
	case INSTR_CMD:
	case INSTR_ENTRYPOINT:
		return 0;
	case INSTR_HEALTHCHECK:
		return check_health(r, in, f);
	case INSTR_ONBUILD:
		return check_onbuild(r, in);
	}
	return 0;
}
