#ifndef DF2NINJA_RUN_H
#define DF2NINJA_RUN_H

struct err;
struct step_ctx;

/*
 * RUN: the command in the sandbox over c->st's layers; its upper dir
 * becomes the step's layer. A command that failed sets c->status to its
 * exit status.
 */
int step_run(struct step_ctx *c, struct err **errp);

#endif
