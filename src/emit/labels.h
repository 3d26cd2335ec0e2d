#ifndef DF2NINJA_EMIT_LABELS_H
#define DF2NINJA_EMIT_LABELS_H

#include <stddef.h>

#include "graph/graph.h"

struct buf;
struct err;

/* how long the generator lets a line grow, where it can help it */
#define LABELS_WIDTH 78
/* registry transfers at once (ninja's registry pool) */
#define LABELS_REGISTRY_DEPTH "3"
/* the always-dirty phony input of steps that run on every build
 * (step.runs_always); a reserved target */
#define LABELS_ALWAYS "url-always"

/* the step that ends s (its CONFIG step, else its last step), or NULL */
const struct step *labels_last_step(const struct stage *s);
/*
 * check what the generated files will name: every needed stage has steps,
 * a stage id that is no reserved target ("image", "all", "clean",
 * LABELS_ALWAYS), step
 * names fit for an unquoted command word, deps on needed stages only
 */
int labels_check(const struct graph *g, struct err **errp);
/* append the target naming step st, without prefix: "<stage>/<N>", or
 * "<stage>/config" for a CONFIG step */
void labels_step_target(struct buf *b, const struct step *st);
/*
 * the steps whose stamps are st's explicit inputs, in order: the step
 * before it (for FROM <stage>, that stage's last step), then the last step
 * of every stage in st->deps (sorted by index), without repeats. out must
 * hold st->ndeps + 1 entries; returns how many were stored.
 */
size_t labels_inputs(const struct step *st, const struct step **out);
/* append "RUN  [build 2/4] make -j8": fixed-width verb, BuildKit's
 * position, the instruction cut so the whole is at most max bytes; a
 * stage not on the host's platform names it after the verb, as the
 * executor's status line does ("RUN [arm64] [build 2/4] make -j8") */
void labels_desc(struct buf *b, const struct step *st, size_t max);
/* the same with another verb of 4 letters ("LINK") */
void labels_desc_verb(struct buf *b, const struct step *st, const char *verb,
		      size_t max);
/* append the line "# <dockerfile>:<line>  <instruction>\n"; a CONFIG
 * step names the lines of all the instructions it takes ("12-14") */
void labels_comment(struct buf *b, const struct graph *g,
		   const char *dockerfile, const struct step *st);
/* append the divider line opening stage s, with its Dockerfile lines */
void labels_divider(struct buf *b, const struct graph *g,
		   const struct stage *s, const char *dockerfile);
/* append a divider line "# ---- <title> ----...\n" */
void labels_rule_line(struct buf *b, const char *title);

#endif
