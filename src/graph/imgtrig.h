#ifndef DF2NINJA_IMGTRIG_H
#define DF2NINJA_IMGTRIG_H

#include "resolve.h"

/*
 * the ONBUILD triggers of stage s's base image (BuildKit runs them right
 * after FROM, before the stage's own instructions): asks
 * opts->base_config for the image's OnBuild, parses each string as
 * "ONBUILD <trigger>" placed at the FROM's line, checks it as ONBUILD's
 * trigger (no ONBUILD, FROM or MAINTAINER) and lists it in ss->imgtrig;
 * ss->onbuild keeps the strings for the FROM plan. An image the hook
 * cannot read has no triggers here. Errors name the trigger: "ONBUILD
 * trigger 2 of 'img': ...".
 */
int imgtrig_load(struct resolver *r, struct stage *s, const char *ref,
		 const char *platform);

#endif
