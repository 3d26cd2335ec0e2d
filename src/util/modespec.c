#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/modespec.h"

enum { WHO_U = 1, WHO_G = 2, WHO_O = 4 };

/* one operator of a clause: "+rw", "=X", "-s", "=u" */
struct op {
	char op;		/* '+', '-' or '=' */
	int who;		/* WHO_* bits; 0 is all */
	mode_t bits;		/* rwx as 0777 masks, s, t */
	bool cond_x;		/* X: x only for directories or if some x set */
	int copy_from;		/* WHO_U/G/O: take that class's bits */
};

struct mode_spec {
	bool is_octal;
	mode_t octal;
	struct op *ops;
	size_t nops, cap;
};

/* the WHO_* bits of 'u', 'g', 'o' or 'a' */
static int
who_of(char c)
{
	switch (c) {
	case 'u':
		return WHO_U;
	case 'g':
		return WHO_G;
	case 'o':
		return WHO_O;
	default:
		return WHO_U | WHO_G | WHO_O;
	}
}

static int
bad_octal(struct err **errp, const char *s)
{
	return err_make(errp, 0, "invalid chmod parameter: '%s'. it should be "
			"octal string and between 0 and 07777", s);
}

static int
bad_symbolic(struct err **errp, const char *s)
{
	return err_make(errp, 0, "invalid --chmod value '%s': expected octal "
			"(0755) or chmod(1) symbolic mode (u=rwX,go=rX)", s);
}

int
mode_spec_parse(const char *s, struct mode_spec **out, struct err **errp)
{
	struct mode_spec *m = xcalloc(1, sizeof(*m));
	const char *p = s;

	if (*s && strspn(s, "0123456789") == strlen(s)) {
		unsigned long v;
		char *end;

		if (strspn(s, "01234567") != strlen(s) || strlen(s) > 12)
			goto octal_error;
		v = strtoul(s, &end, 8);
		if (v > 07777)
			goto octal_error;
		m->is_octal = true;
		m->octal = (mode_t)v;
		*out = m;
		return 0;
	}
	/* clause := [ugoa]* (op perms)+ ; clauses separated by ',' */
	if (!*p)
		goto sym_error;
	for (;;) {
		int who = 0;

		for (; *p && strchr("ugoa", *p); p++)
			who |= who_of(*p);
		if (!*p || !strchr("+-=", *p))
			goto sym_error;
		while (*p && strchr("+-=", *p)) {
			struct op *o;

			xgrow(&m->ops, &m->cap, m->nops + 1, sizeof(*m->ops));
			o = &m->ops[m->nops++];
			memset(o, 0, sizeof(*o));
			o->op = *p++;
			o->who = who;
			if (*p && strchr("ugo", *p)) {
				o->copy_from = who_of(*p);
				p++;
				continue;
			}
			for (; *p && strchr("rwxXst", *p); p++) {
				switch (*p) {
				case 'r': o->bits |= 0444; break;
				case 'w': o->bits |= 0222; break;
				case 'x': o->bits |= 0111; break;
				case 'X': o->cond_x = true; break;
				case 's': o->bits |= S_ISUID | S_ISGID; break;
				case 't': o->bits |= S_ISVTX; break;
				default: break;
				}
			}
		}
		if (!*p)
			break;
		if (*p != ',')
			goto sym_error;
		p++;
	}
	*out = m;
	return 0;
octal_error:
	mode_spec_free(m);
	return bad_octal(errp, s);
sym_error:
	mode_spec_free(m);
	return bad_symbolic(errp, s);
}

/* the 0777 mask of a WHO_* set */
static mode_t
who_mask(int who)
{
	return (mode_t)((who & WHO_U ? 0700 : 0) | (who & WHO_G ? 070 : 0) |
			(who & WHO_O ? 07 : 0));
}

mode_t
mode_spec_apply(const struct mode_spec *spec, mode_t st_mode)
{
	mode_t mode = st_mode & 07777;

	if (spec->is_octal)
		return spec->octal;
	for (size_t i = 0; i < spec->nops; i++) {
		const struct op *o = &spec->ops[i];
		int who = o->who ? o->who : (WHO_U | WHO_G | WHO_O);
		mode_t mask = who_mask(who), bits, special = 0;

		if (o->copy_from) {
			int shift = o->copy_from == WHO_U ? 6 : 0;
			mode_t v;

			if (o->copy_from == WHO_G)
				shift = 3;
			v = (mode >> shift) & 7;

			bits = (mode_t)((v << 6) | (v << 3) | v) & mask;
		} else {
			bits = o->bits & mask;
			if (o->cond_x && (S_ISDIR(st_mode) || (mode & 0111)))
				bits |= 0111 & mask;
			if (o->bits & S_ISUID && (who & WHO_U))
				special |= S_ISUID;
			if (o->bits & S_ISGID && (who & WHO_G))
				special |= S_ISGID;
			if (o->bits & S_ISVTX)
				special |= S_ISVTX;
		}
		switch (o->op) {
		case '+':
			mode |= bits | special;
			break;
		case '-':
			mode &= ~(bits | special);
			break;
		default:
			mode &= ~mask;
			if (who & WHO_U)
				mode &= ~(mode_t)S_ISUID;
			if (who & WHO_G)
				mode &= ~(mode_t)S_ISGID;
			mode |= bits | special;
			break;
		}
	}
	return mode;
}

void
mode_spec_free(struct mode_spec *spec)
{
	if (!spec)
		return;
	free(spec->ops);
	free(spec);
}
