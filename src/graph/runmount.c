#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plan/names.h"
#include "plan/secretsrc.h"
#include "util/ascii.h"
#include "util/alloc.h"
#include "util/csv.h"
#include "util/strv.h"
#include "runmount.h"

/* go-units RAMInBytes: "64m", "1.5 GiB", "100" (binary multiples) */
static int
parse_size(const char *s, long long *out)
{
	const char *p = s;
	double v;
	char *end;
	int shift = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtod(p, &end);
	if (errno || end == p)
		return -1;
	p = end;
	if (*p == ' ')
		p++;
	if (*p && strchr("kKmMgGtTpP", *p)) {
		shift = (int)(strchr("kmgtp", tolower((unsigned char)*p)) -
			      "kmgtp" + 1) * 10;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return -1;
	v = ldexp(v, shift);
	if (v >= 9.2e18)
		return -1;
	*out = (long long)v;
	return 0;
}

static int
parse_uint(const char *s, int base, unsigned long long max,
	   unsigned long long *out)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end || *out > max ? -1 : 0;
}

struct mount {
	const char *type;
	bool readonly, ro_auto, required, has_required;
	const char *from, *sharing;
	struct plan_mount *pm;
};

/* a value that must be known now: mount options shape the graph */
static int
known(struct resolver *r, struct stage *s, const struct instr *in,
      const char *key, const char *value, char **out)
{
	if (resolve_word(r, s, in, value, NULL, out) < 0)
		return -1;
	if (!*out)
		return resolve_fail(r, in, "mount option '%s=%s' cannot use a "
				    "variable of the base image", key, value);
	return 0;
}

static const char *
canon_type(const char *v)
{
	static const char *const types[] = {
		"bind", "cache", "tmpfs", "secret", "ssh",
	};
	for (size_t i = 0; i < 5; i++)
		if (!strcasecmp(v, types[i]))
			return types[i];
	return NULL;
}

static bool
is_ro_key(const char *k)
{
	return !strcmp(k, "readonly") || !strcmp(k, "ro");
}

static bool
is_rw_key(const char *k)
{
	return !strcmp(k, "readwrite") || !strcmp(k, "rw");
}

static int
field(struct resolver *r, struct stage *s, const struct instr *in,
      struct mount *m, const char *field)
{
	const char *eq = strchr(field, '=');
	autofree char *key = eq ? xstrndup(field, (size_t)(eq - field)) :
			     xstrdup(field);
	const char *raw = eq ? eq + 1 : NULL;
	autofree char *v = NULL;
	unsigned long long n;
	long long size;
	bool secretish = !strcmp(m->type, "secret") || !strcmp(m->type, "ssh");

	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!raw) {
		if (is_ro_key(key) || is_rw_key(key)) {
			m->readonly = is_ro_key(key);
			m->ro_auto = false;
			return 0;
		}
		if (!strcmp(key, "required") && secretish) {
			m->required = m->has_required = true;
			return 0;
		}
		if (!strcmp(key, "required"))
			return resolve_fail(r, in, "unexpected key 'required' "
					    "for mount type '%s'", m->type);
		return resolve_fail(r, in, "invalid field '%s' must be a "
				    "key=value pair", field);
	}
	if (!strcmp(key, "from")) {
		const char *d = strchr(raw, '$');

		if (d && d[1])
			return resolve_fail(r, in, "'from' doesn't support "
					    "variable expansion, define alias "
					    "stage instead");
		m->from = raw;
		return 0;
	}
	if (!strcmp(key, "source") || !strcmp(key, "src") ||
	    !strcmp(key, "target") || !strcmp(key, "dst") ||
	    !strcmp(key, "destination") || !strcmp(key, "id") ||
	    !strcmp(key, "env")) {
		struct plan_word *w = key[0] == 's' ? &m->pm->source :
				      key[0] == 'i' ? &m->pm->id :
				      key[0] == 'e' ? &m->pm->env : &m->pm->target;

		if (w == &m->pm->env && strcmp(m->type, "secret"))
			return resolve_fail(r, in, "unexpected key 'env' for "
					    "mount type '%s'", m->type);
		return resolve_word(r, s, in, raw, w, NULL);
	}
	if (known(r, s, in, key, raw, &v) < 0)
		return -1;
	if (!strcmp(key, "type")) {
		m->type = canon_type(v);
		if (!m->type)
			return resolve_fail(r, in, "unsupported mount type '%s' "
					    "(use bind, cache, tmpfs, secret or "
					    "ssh)", v);
	} else if (is_ro_key(key) || is_rw_key(key)) {
		bool b;

		if (ascii_parse_bool(v, &b) < 0)
			return resolve_fail(r, in, "invalid value for %s: %s",
					    key, v);
		m->readonly = is_ro_key(key) ? b : !b;
		m->ro_auto = false;
	} else if (!strcmp(key, "required")) {
		if (!secretish)
			return resolve_fail(r, in, "unexpected key 'required' "
					    "for mount type '%s'", m->type);
		if (ascii_parse_bool(v, &m->required) < 0)
			return resolve_fail(r, in, "invalid value for %s: %s",
					    key, v);
		m->has_required = true;
	} else if (!strcmp(key, "size")) {
		if (strcmp(m->type, "tmpfs"))
			return resolve_fail(r, in, "unexpected key 'size' for "
					    "mount type '%s'", m->type);
		if (parse_size(v, &size) < 0)
			return resolve_fail(r, in, "invalid value for %s: %s",
					    key, v);
		m->pm->has_size = true;
		m->pm->size = size;
	} else if (!strcmp(key, "sharing")) {
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (strcmp(v, "shared") && strcmp(v, "private") &&
		    strcmp(v, "locked"))
			return resolve_fail(r, in, "unsupported sharing value "
					    "'%s' (use shared, private or "
					    "locked)", v);
		m->sharing = m->type;
		m->pm->has_sharing = true;
		m->pm->sharing = (enum plan_sharing)plan_value(&plan_sharing_names, v);
	} else if (!strcmp(key, "mode")) {
		if (parse_uint(v, 8, 0xffffffffULL, &n) < 0)
			return resolve_fail(r, in, "invalid value %s for mode", v);
		m->pm->has_mode = true;
		m->pm->mode = (long long)n;
	} else if (!strcmp(key, "uid") || !strcmp(key, "gid")) {
		if (parse_uint(v, 10, 0xffffffffULL, &n) < 0)
			return resolve_fail(r, in, "invalid value %s for %s", v,
					    key);
		if (key[0] == 'u') {
			m->pm->has_uid = true;
			m->pm->uid = (long long)n;
		} else {
			m->pm->has_gid = true;
			m->pm->gid = (long long)n;
		}
	} else {
		return resolve_fail(r, in, "unexpected key '%s' in '%s'", key,
				    field);
	}
	return 0;
}

/* validateMount, and what dispatchRunMounts rejects */
static int
validate(struct resolver *r, const struct instr *in, struct mount *m)
{
	bool file_info = !strcmp(m->type, "secret") || !strcmp(m->type, "ssh") ||
			 !strcmp(m->type, "cache");
	const struct plan_mount *pm = m->pm;
	const struct plan_word *target = &pm->target;
	static const char *const owner[] = { "mode", "uid", "gid" };
	const bool has_owner[] = { pm->has_mode, pm->has_uid, pm->has_gid };

	for (size_t i = 0; i < 3 && !file_info; i++)
		if (has_owner[i])
			return resolve_fail(r, in, "%s not allowed for '%s' type "
					    "mounts", owner[i], m->type);
	if (m->ro_auto)
		m->readonly = strcmp(m->type, "cache") && strcmp(m->type, "tmpfs");
	if (!strcmp(m->type, "secret")) {
		if (m->from)
			return resolve_fail(r, in, "secret mount should not have "
					    "a from");
		if (!pm->source.s && !target->s && !pm->id.s && !pm->env.s)
			return resolve_fail(r, in, "invalid secret mount. one of "
					    "source, target required");
		if (pm->source.s && pm->id.s)
			return resolve_fail(r, in, "both source and id can't be "
					    "set");
	}
	if (!strcmp(m->type, "secret") && !pm->source.s && !pm->id.s && !target->s)
		return resolve_fail(r, in, "invalid secret mount: one of source, target "
				    "required");
	if (!strcmp(m->type, "ssh") && pm->source.s)
		return resolve_fail(r, in, "ssh does not support source");
	if (m->sharing && strcmp(m->type, "cache"))
		return resolve_fail(r, in, "invalid cache sharing set for %s "
				    "mount", m->type);
	if (m->from && (!strcmp(m->type, "tmpfs") || !strcmp(m->type, "ssh")))
		return resolve_fail(r, in, "a %s mount cannot have a from",
				    m->type);
	/* no target: BuildKit joins the empty path to the working
	 * directory, so the mount goes there (the executor's part) */
	if ((!strcmp(m->type, "bind") || !strcmp(m->type, "cache") ||
	     !strcmp(m->type, "tmpfs")) && target->s && !target->is_raw &&
	    !strcmp(target->s, "/"))
		return resolve_fail(r, in, "invalid mount target \"/\"");
	return 0;
}

/*
 * a required secret or ssh agent that no --secret or --ssh gives: noted
 * for stage s, refused once s turns out to be needed (a step that never
 * runs needs no secret, as in BuildKit). An id known only at build time
 * is the executor's to check.
 */
static void
check_required(struct resolver *r, struct stage *s, const struct instr *in,
	       const struct mount *m)
{
	const struct plan_mount *pm = m->pm;
	bool is_ssh = !strcmp(m->type, "ssh");
	const struct plan_word *w = is_ssh ? &pm->id :
				    pm->source.s && pm->source.s[0] ? &pm->source :
				    pm->id.s && pm->id.s[0] ? &pm->id : &pm->target;
	struct sstate *ss = resolve_ss(r, s);
	const char *id = w->s, *slash;

	if (!m->required || (!is_ssh && strcmp(m->type, "secret")) || w->is_raw || ss->no_secret)
		return;
	if (!id || !id[0])
		id = is_ssh ? "default" : "";
	if (w == &pm->target && (slash = strrchr(id, '/')))
		id = slash + 1;
	if (r->opts->sources && secretsrc_find(r->opts->sources, is_ssh, id))
		return;
	ss->no_secret = in;
	ss->no_secret_msg = is_ssh ?
		xasprintf("no ssh agent '%s' (required): give it with --ssh %s[=SOCKET]", id, id) :
		xasprintf("secret '%s' not found (required): give it with --secret id=%s", id, id);
}

int
runmount_parse(struct resolver *r, struct stage *s, struct step *st,
	    const struct instr *in, const char *spec, struct plan_mount *out,
	    const char **reads)
{
	struct strv fields = STRV_INIT;
	struct mount m = { "bind", false, true, false, false, NULL, NULL, out };
	const char *why;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (csv_split(spec, &fields, &why) < 0) {
		strv_fini(&fields);
		return resolve_fail(r, in, "failed to parse csv mounts: %s", why);
	}
	for (i = 0; i < fields.n; i++)
		if (field(r, s, in, &m, fields.v[i]) < 0)
			goto bad;
	if (validate(r, in, &m) < 0)
		goto bad;
	out->type = (enum plan_mount_type)plan_value(&plan_mount_names, m.type);
	out->readonly = m.readonly;
	out->has_required = m.has_required;
	out->required = m.required;
	check_required(r, s, in, &m);
	if (m.from) {
		struct stage *from;
		const char *image, *dir;

		if (resolve_source(r, in, "--mount from", m.from, &from,
				   &image, &dir) < 0)
			goto bad;
		if (dir && strcmp(m.type, "bind")) {
			resolve_fail(r, in, "--mount from=%s: a directory "
				     "--build-context can only be a bind mount's "
				     "source", m.from);
			goto bad;
		}
		if (dir) {
			/* a bind without "from" reads the step's context */
			*reads = dir;
			strv_fini(&fields);
			return 0;
		}
		if (from)
			resolve_dep(r, s, st, from, in);
		else
			st->pulls = true;
		out->has_from = true;
		out->from = resolve_plan_source(r, s, from, image);
	} else if (!strcmp(m.type, "bind")) {
		*reads = "";
	}
	strv_fini(&fields);
	return 0;
bad:
	strv_fini(&fields);
	return -1;
}
