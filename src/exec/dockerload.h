#ifndef DF2NINJA_DOCKERLOAD_H
#define DF2NINJA_DOCKERLOAD_H

struct err;

/*
 * --load: run `docker load` (or `podman load` when docker is not in
 * $PATH) with the docker archive at path on its stdin; its output goes to
 * ours. *tool gets "docker" or "podman" (static). An error says which
 * tool failed and how, or that neither is installed.
 */
int dockerload_run(const char *path, const char **tool, struct err **errp);

#endif
