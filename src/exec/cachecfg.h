#ifndef DF2NINJA_CACHECFG_H
#define DF2NINJA_CACHECFG_H

#include <stdbool.h>

#include "util/strv.h"

struct err;

/*
 * Where a build shares its steps' results (--cache-to) and looks them up
 * (--cache-from): registry repositories ("HOST/REPO[:TAG]", the tag
 * unused) and local OCI layout dirs. Generation writes the list to
 * <builddir>/cache.conf, one "from|to registry|local WHERE" a line: it is
 * no input of a step (a changed cache leaves every step as it is), so it
 * is kept out of the plans. No cache option: no file.
 */
struct cachecfg {
	struct strv from_registry, from_local;
	struct strv to_registry, to_local;
};

/*
 * one --cache-from (is_to false) or --cache-to value as docker takes it:
 * "type=registry,ref=R", "type=local,src=DIR" (from) or
 * "type=local,dest=DIR" (to), or a bare reference; mode=max is accepted
 * (every step is shared), other types and keys are refused saying why
 */
int cachecfg_add(struct cachecfg *c, bool is_to, const char *spec,
		 struct err **errp);
/* spec with a relative type=local dest= or src= made absolute (from the
 * current directory), for the args file: regeneration runs elsewhere;
 * caller frees */
char *cachecfg_absolute(const char *spec);
/* write c to <builddir>/cache.conf (only when changed), or remove the
 * file when c is empty */
int cachecfg_write(const struct cachecfg *c, const char *builddir,
		   struct err **errp);
/* read <builddir>/cache.conf; none is an empty c */
int cachecfg_load(struct cachecfg *c, const char *builddir, struct err **errp);
bool cachecfg_has_from(const struct cachecfg *c);
bool cachecfg_has_to(const struct cachecfg *c);
void cachecfg_fini(struct cachecfg *c);

#endif
