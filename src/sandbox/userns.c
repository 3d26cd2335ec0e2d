#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/userns.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

/* a range of subordinate ids */
struct subid {
	unsigned long start, count;
};

static bool is_rootless, is_single;
static char idmap[160] = "root";
static char hint[320];

bool
userns_is_rootless(void)
{
	return is_rootless;
}

bool
userns_is_single(void)
{
	return is_single;
}

const char *
userns_idmap(void)
{
	return idmap;
}

const char *
userns_hint(void)
{
	return hint[0] ? hint : NULL;
}

/*
 * the first range of file (/etc/subuid or /etc/subgid) for user name or
 * id, as newuidmap reads it: "name-or-id:start:count" lines. 0 found,
 * 1 none.
 */
static int
subid_find(const char *file, const char *name, unsigned long id, struct subid *r)
{
	char line[512], idstr[32];
	FILE *f = fopen(file, "re");
	int rc = 1;

	if (!f)
		return 1;
	snprintf(idstr, sizeof(idstr), "%lu", id);
	while (fgets(line, sizeof(line), f)) {
		char *who = line, *start, *count, *end;

		start = strchr(who, ':');
		if (!start)
			continue;
		*start++ = '\0';
		count = strchr(start, ':');
		if (!count)
			continue;
		*count++ = '\0';
		if (strcmp(who, idstr) != 0 && (!name || strcmp(who, name) != 0))
			continue;
		errno = 0;
		r->start = strtoul(start, &end, 10);
		if (errno || end == start)
			continue;
		r->count = strtoul(count, &end, 10);
		if (errno || end == count || (*end && *end != '\n') || r->count == 0)
			continue;
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* an absolute path of prog found in PATH, then /usr/bin (where Debian's
 * uidmap puts it, if PATH lacks it), or NULL */
static char *
find_prog(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	copy = xasprintf("%s:/usr/bin", path && *path ? path : "/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = fs_join(dir, prog);

		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

static int
write_file(const char *path, const char *text, struct err **errp)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	if (write(fd, text, n) != (ssize_t)n || close(steal_fd(&fd)) < 0)
		return err_make(errp, errno, "cannot write '%s'", path);
	return 0;
}

/* run argv (a setuid new[ug]idmap) and wait; 0 when it exited 0 */
static int
run_map(char *const *argv, struct err **errp)
{
	int ws;
	pid_t pid = fork();

	if (pid < 0)
		return err_make(errp, errno, "cannot fork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return err_make(errp, errno, "waiting for '%s'", argv[0]);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return err_make(errp, 0, "'%s' failed (status %d): does /etc/subuid and "
				"/etc/subgid give uid %s a range?", argv[0],
				WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, argv[3]);
	return 0;
}

/*
 * write the maps of process pid through newuidmap and newgidmap: they run
 * in the parent namespace, so a helper process does it while pid waits
 */
static int
map_with_helpers(pid_t pid, unsigned long uid, unsigned long gid,
		 const struct subid *su, const struct subid *sg,
		 const char *newuidmap, const char *newgidmap, struct err **errp)
{
	char p[24], u[24], g[24], us[24], uc[24], gs[24], gc[24];
	char *uargv[] = { (char *)newuidmap, p, "0", u, "1", "1", us, uc, NULL };
	char *gargv[] = { (char *)newgidmap, p, "0", g, "1", "1", gs, gc, NULL };
	char path[64];

	/* root: ids 0..65535 as they are, written directly */
	if (!newuidmap) {
		snprintf(path, sizeof(path), "/proc/%ld/uid_map", (long)pid);
		if (write_file(path, "0 0 65536\n", errp) < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)pid);
		return write_file(path, "0 0 65536\n", errp);
	}
	snprintf(p, sizeof(p), "%ld", (long)pid);
	snprintf(u, sizeof(u), "%lu", uid);
	snprintf(g, sizeof(g), "%lu", gid);
	snprintf(us, sizeof(us), "%lu", su->start);
	snprintf(uc, sizeof(uc), "%lu", su->count);
	snprintf(gs, sizeof(gs), "%lu", sg->start);
	snprintf(gc, sizeof(gc), "%lu", sg->count);
	if (run_map(uargv, errp) < 0 || run_map(gargv, errp) < 0)
		return -1;
	return 0;
}

/*
 * unshare the user namespace, then have a child still outside write the
 * maps (newuidmap must run in the parent namespace): the caller stays
 * the process ninja started, so its signals and exit status need no
 * forwarding
 */
static int
unshare_mapped(unsigned long uid, unsigned long gid, const struct subid *su,
	       const struct subid *sg, const char *newuidmap, const char *newgidmap,
	       struct err **errp)
{
	int go[2], done[2], ws;
	pid_t self = getpid(), helper;
	char c = 0;
	ssize_t n;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
		return err_make(errp, errno, "creating a pipe");
	helper = fork();
	if (helper < 0)
		return err_make(errp, errno, "cannot fork");
	if (helper == 0) {
		struct err *e = NULL;
		int rc = 1;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(done[0]);
		if (read(go[0], &c, 1) == 1 && c == 'u') {
			rc = map_with_helpers(self, uid, gid, su, sg, newuidmap, newgidmap, &e);
			if (rc < 0) {
				dprintf(done[1], "%s", e->msg);
				err_free(e);
			}
		}
		_exit(rc < 0 ? 1 : 0);
	}
	close(go[0]);
	close(done[1]);
	if (unshare(CLONE_NEWUSER) < 0) {
		int e = errno;

		close(go[1]);
		close(done[0]);
		waitpid(helper, NULL, 0);
		return err_make(errp, e, "creating a user namespace");
	}
	if (write(go[1], "u", 1) != 1)
		c = 1;
	close(go[1]);
	{
		char msg[400];

		n = read(done[0], msg, sizeof(msg) - 1);
		close(done[0]);
		while (waitpid(helper, &ws, 0) < 0 && errno == EINTR)
			;
		if (n > 0) {
			msg[n] = '\0';
			return err_make(errp, 0, "rootless mode: %s", msg);
		}
	}
	if (c || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return err_make(errp, 0, "rootless mode: mapping ids failed");
	return 0;
}

/* only root: the process writes its own maps */
static int
unshare_single(unsigned long uid, unsigned long gid, struct err **errp)
{
	char map[64];

	if (unshare(CLONE_NEWUSER) < 0)
		return err_make(errp, errno, "creating a user namespace");
	snprintf(map, sizeof(map), "0 %lu 1\n", uid);
	if (write_file("/proc/self/uid_map", map, errp) < 0 ||
	    write_file("/proc/self/setgroups", "deny", errp) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %lu 1\n", gid);
	return write_file("/proc/self/gid_map", map, errp);
}

int
userns_enter(bool force, struct err **errp)
{
	const char *env = getenv("DF2NINJA_ROOTLESS");
	unsigned long uid = geteuid(), gid = getegid();
	struct subid su, sg;
	struct passwd *pw;
	autofree char *newuidmap = NULL, *newgidmap = NULL;
	const char *name;
	int r;

	if (is_rootless || (uid == 0 && !force && !(env && strcmp(env, "1") == 0)))
		return 0;
	if (uid == 0) {
		/* root testing rootless mode: ids 0..65535 as they are */
		r = unshare_mapped(0, 0, NULL, NULL, NULL, NULL, errp);
		snprintf(idmap, sizeof(idmap), "rootless 0:0:65536 0:0:65536");
	} else {
		pw = getpwuid((uid_t)uid);
		name = pw ? pw->pw_name : NULL;
		newuidmap = find_prog("newuidmap");
		newgidmap = find_prog("newgidmap");
		if (newuidmap && newgidmap &&
		    subid_find("/etc/subuid", name, uid, &su) == 0 &&
		    subid_find("/etc/subgid", name, gid, &sg) == 0) {
			r = unshare_mapped(uid, gid, &su, &sg, newuidmap, newgidmap, errp);
			snprintf(idmap, sizeof(idmap), "rootless %lu:%lu:%lu %lu:%lu:%lu",
				 uid, su.start, su.count, gid, sg.start, sg.count);
		} else {
			r = unshare_single(uid, gid, errp);
			is_single = true;
			snprintf(idmap, sizeof(idmap), "rootless %lu:0:0 %lu:0:0", uid, gid);
			snprintf(hint, sizeof(hint),
				 "rootless mode maps only your own uid to root here (%s); an image "
				 "that owns files by other ids needs a subordinate range: "
				 "apt-get install uidmap, and usermod --add-subuids 100000-165535 "
				 "--add-subgids 100000-165535 %s",
				 !newuidmap || !newgidmap ? "newuidmap or newgidmap is missing" :
				 "no range in /etc/subuid or /etc/subgid", name ? name : "USER");
		}
	}
	if (r < 0)
		return err_wrap(errp, "entering rootless mode");
	is_rootless = true;
	return 0;
}
