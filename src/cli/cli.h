#ifndef DF2NINJA_CLI_H
#define DF2NINJA_CLI_H

/*
 * the command line, built into the binary only: subcommands parse their
 * own options, call library code and return the exit status (0 ok, 1 bad
 * input or failed build, 2 bad usage, a failed step's own status), which
 * main() exits with. Only this code prints errors.
 */

struct err;

/* df2ninja [options] [PATH]: write build.ninja or a make file */
int cmd_gen(int argc, char **argv);
/* df2ninja parse --dump FILE: print the instructions as BuildKit does */
int cmd_parse(int argc, char **argv);
/* df2ninja exec KIND --plan P --out STAMP: run one edge of the graph */
int cmd_exec(int argc, char **argv);

/* df2ninja shell STAGE/N: a shell in a step's root filesystem */
int cmd_shell(int argc, char **argv);
/* df2ninja trace [-B DIR]: a trace and a timeline of the last build */
int cmd_trace(int argc, char **argv);
/* df2ninja graph [-o FILE] [options] [PATH]: the stage graph, Graphviz dot */
int cmd_graph(int argc, char **argv);
/* df2ninja clean [DIR...]: remove build dirs, rootless ones too */
int cmd_clean(int argc, char **argv);
/* df2ninja gc (or prune) [--keep-storage SIZE] [--keep-duration DUR]:
 * remove from the store what no build dir references */
int cmd_gc(int argc, char **argv);

struct genargs;
/* the generation a asks for, stopped once the graph is built: *dot gets
 * its stage graph as Graphviz dot, *builddir the build dir as named from
 * the cwd (both the caller's); no build file, plan or args file is
 * written (cli/gen.c) */
int gen_stage_graph(struct genargs *a, char **dot, char **builddir,
		    struct err **errp);

/* print "df2ninja: error: <msg>" and the usage hint; returns 2 */
int diag_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* print e as "df2ninja: error: <msg>" (a located message as it is), free
 * it and return its exit status; 0 for NULL */
int diag_error(struct err *e);

#endif
