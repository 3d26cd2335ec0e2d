#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "store.h"
#include "storelock.h"
#include "tree.h"

struct store_blob {
	int fd;
	char *tmp;	/* the staging name; NULL for an O_TMPFILE file */
	char *root;
	struct digest *d;
	long long size;
};

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int
default_root(char **root, struct err **errp)
{
	const char *v;

	if ((v = env_nonempty("DF2NINJA_STORE")))
		*root = xstrdup(v);
	/* the XDG spec says to ignore a relative XDG_DATA_HOME */
	else if ((v = env_nonempty("XDG_DATA_HOME")) && v[0] == '/')
		*root = xasprintf("%s/df2ninja", v);
	else if ((v = env_nonempty("HOME")))
		*root = xasprintf("%s/.local/share/df2ninja", v);
	else
		return err_make(errp, 0, "cannot locate the image store: "
				"set DF2NINJA_STORE or HOME");
	return 0;
}

int
store_open(struct store *st, struct err **errp)
{
	autofree char *root = NULL;

	if (default_root(&root, errp) < 0)
		return -1;
	return store_open_at(st, root, errp);
}

/* the directories, and st->root; gcfd NULL: the store's lock is held
 * shared, else exclusively into *gcfd (1 when wait is false and others
 * hold it) */
static int
open_at(struct store *st, const char *root, int *gcfd, bool wait,
	struct err **errp)
{
	static const char *const dirs[] = {
		"blobs/sha256", "layers/sha256", "diffids/sha256", "tmp"
	};
	int r;

	st->root = NULL;
	/*
	 * layers/ and flat/ hold images' files as the images have them:
	 * setuid-root programs, device nodes any user may open. The root is
	 * 0700, as Docker keeps /var/lib/docker 0710, so that no other user
	 * can reach them; a store made open by an older df2ninja is closed
	 * here. The root's mode guards the whole tree: below it the
	 * directories are 0755, and nothing else needs checking.
	 */
	if (fs_private_dir(root, errp) < 0)
		return err_wrap(errp, "opening the image store");
	for (size_t i = 0; i < countof(dirs); i++) {
		autofree char *p = xasprintf("%s/%s", root, dirs[i]);

		if (fs_mkdir_p(p, errp) < 0)
			return err_wrap(errp, "opening the image store");
	}
	/* an absolute root keeps every path valid when a caller changes
	 * directory */
	if (fs_realpath(root, &st->root, errp) < 0)
		return err_wrap(errp, "opening the image store");
	r = gcfd ? storelock_exclusive(st->root, wait, gcfd, errp) :
		   storelock_shared(st->root, errp);
	if (r != 0) {
		store_close(st);
		return r < 0 ? err_wrap(errp, "opening the image store") : 1;
	}
	store_clean_tmp(st);
	return 0;
}

int
store_open_at(struct store *st, const char *root, struct err **errp)
{
	return open_at(st, root, NULL, false, errp);
}

int
store_open_exclusive(struct store *st, const char *root, bool wait,
		     int *gcfd, struct err **errp)
{
	autofree char *def = NULL;

	if (!root && default_root(&def, errp) < 0)
		return -1;
	return open_at(st, root ? root : def, gcfd, wait, errp);
}

/*
 * Staging entries in tmp/ are flock()ed by the process that makes them
 * for as long as it holds them, and the kernel drops the lock when that
 * process dies however it dies, in whatever pid namespace it ran. Between
 * creating an entry and locking it, the maker holds tmp/ itself shared;
 * the cleaner holds it exclusively, so that it never takes a brand-new
 * entry for an abandoned one.
 */
static int
tmp_hold(const struct store *st, int how)
{
	autofree char *dir = xasprintf("%s/tmp", st->root);
	autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && TEMP_FAILURE_RETRY_INT(flock(fd, how)) < 0)
		return -1;
	return steal_fd(&fd);
}

void
store_clean_tmp(const struct store *st)
{
	autoclose int dfd = tmp_hold(st, LOCK_EX | LOCK_NB);
	autoclose int fd = -1;
	struct dirent *e;
	DIR *d;

	/* another process is making an entry or cleaning: leave it be */
	if (dfd < 0)
		return;
	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return;
	fd = -1;	/* d's now */
	while ((e = readdir(d))) {
		autoclose int entry = -1;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		entry = openat(dfd, e->d_name,
			       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (entry < 0)
			continue;
		/* unlocked: its maker is gone; best effort, as the next
		 * build tries again */
		if (flock(entry, LOCK_EX | LOCK_NB) == 0)
			tree_remove(dfd, e->d_name, NULL);
	}
	closedir(d);
}

void
store_close(struct store *st)
{
	free(st->root);
	st->root = NULL;
}

static char *
hash_path(const struct store *st, const char *kind, const char *digest)
{
	if (!digest_valid(digest))
		return NULL;
	return xasprintf("%s/%s/sha256/%s", st->root, kind, digest + 7);
}

char *
store_blob_path(const struct store *st, const char *digest)
{
	return hash_path(st, "blobs", digest);
}

char *
store_layer_path(const struct store *st, const char *diff_id)
{
	return hash_path(st, "layers", diff_id);
}

bool
store_has_blob(const struct store *st, const char *digest)
{
	autofree char *p = store_blob_path(st, digest);
	struct stat sb;

	return p && lstat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool
store_has_layer(const struct store *st, const char *diff_id)
{
	autofree char *p = store_layer_path(st, diff_id);
	struct stat sb;

	return p && lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool
store_get_diff_id(const struct store *st, const char *digest,
		  char diff_id[DIGEST_LEN])
{
	autofree char *p = hash_path(st, "diffids", digest), *text = NULL;

	if (!p || fs_read_file(p, &text, NULL, NULL) < 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	if (!digest_valid(text))
		return false;
	memcpy(diff_id, text, DIGEST_LEN);
	return true;
}

int
store_put_diff_id(const struct store *st, const char *digest,
		  const char *diff_id, struct err **errp)
{
	autofree char *p = hash_path(st, "diffids", digest);
	autofree char *line = xasprintf("%s\n", diff_id);

	if (!p || !digest_valid(diff_id))
		return err_make(errp, 0, "invalid digest '%s' or diff id '%s'", digest, diff_id);
	/* written aside and renamed: concurrent writers write the same line */
	return fs_write_if_changed(p, line, strlen(line), NULL, errp);
}

int
store_tmpdir(const struct store *st, char **out, int *lockfd,
	     struct err **errp)
{
	autofree char *p = xasprintf("%s/tmp/XXXXXX", st->root);
	autoclose int hold = tmp_hold(st, LOCK_SH), fd = -1;
	int e = 0;

	if (hold < 0 || !mkdtemp(p))
		e = errno;
	else if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		 flock(fd, LOCK_EX) < 0)
		e = errno;
	if (e) {
		if (hold >= 0)
			rmdir(p);
		return err_make(errp, e, "cannot create a directory in '%s/tmp'",
				st->root);
	}
	*out = steal_pointer(&p);
	*lockfd = steal_fd(&fd);
	return 0;
}

int
store_blob_begin(const struct store *st, struct store_blob **wp,
		 struct err **errp)
{
	autofree char *dir = xasprintf("%s/tmp", st->root);
	struct store_blob *w = xcalloc(1, sizeof(*w));

	/*
	 * an O_TMPFILE file has no name until it is linked in, so a crash
	 * leaves nothing behind; linking it needs /proc (linkat with
	 * AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH), so without /proc or
	 * O_TMPFILE support use a named file
	 */
	w->fd = -1;
	if (access("/proc/self/fd", X_OK) == 0)
		w->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444);
	if (w->fd < 0) {
		int hold = tmp_hold(st, LOCK_SH), e = 0;

		w->tmp = xasprintf("%s/blob.XXXXXX", dir);
		if (hold < 0 || (w->fd = mkostemp(w->tmp, O_CLOEXEC)) < 0 ||
		    flock(w->fd, LOCK_EX) < 0)
			e = errno;
		if (hold >= 0)
			close(hold);
		if (e) {
			if (w->fd < 0) {
				free(w->tmp);
				w->tmp = NULL;
			}
			store_blob_abort(w);
			return err_make(errp, e, "cannot create a file in '%s'", dir);
		}
	}
	w->root = xstrdup(st->root);
	w->d = digest_new();
	*wp = w;
	return 0;
}

int
store_blob_write(struct store_blob *w, const void *data, size_t len,
		 struct err **errp)
{
	const char *p = data;

	digest_update(w->d, data, len);
	w->size += (long long)len;
	while (len > 0) {
		ssize_t n = TEMP_FAILURE_RETRY_INT(write(w->fd, p, len));

		if (n < 0)
			return err_make(errp, errno, "cannot write a blob in '%s/tmp'",
					w->root);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
link_into_place(struct store_blob *w, const char *target, struct err **errp)
{
	char proc[64];

	if (!w->tmp) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW) < 0 &&
		    errno != EEXIST)
			return err_make(errp, errno, "cannot link blob '%s'", target);
		return 0;
	}
	/* an existing blob has the same content: keep it, drop ours */
	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
		goto renamed;
	if (errno == EEXIST)
		return 0;
	if (errno == EINVAL && rename(w->tmp, target) == 0)
		goto renamed;
	return err_make(errp, errno, "cannot rename '%s' to '%s'", w->tmp, target);
renamed:
	free(w->tmp);
	w->tmp = NULL;
	return 0;
}

int
store_blob_commit(struct store_blob *w, const char *expect, char *digest_out,
		  long long *size, struct err **errp)
{
	autofree char *target = NULL;
	char got[DIGEST_LEN];
	int r = -1;

	digest_final(w->d, got);
	w->d = NULL;
	if (expect && strcmp(expect, got) != 0) {
		err_make(errp, 0, "digest mismatch: expected %s, got %s", expect, got);
		goto out;
	}
	if (w->tmp && fchmod(w->fd, 0444) < 0) {
		err_make(errp, errno, "cannot chmod '%s'", w->tmp);
		goto out;
	}
	/* the name must never point at data the disk does not hold yet */
	if (fsync(w->fd) < 0) {
		err_make(errp, errno, "cannot sync a blob in '%s/tmp'", w->root);
		goto out;
	}
	target = xasprintf("%s/blobs/sha256/%s", w->root, got + 7);
	if (link_into_place(w, target, errp) < 0)
		goto out;
	if (digest_out)
		memcpy(digest_out, got, DIGEST_LEN);
	if (size)
		*size = w->size;
	r = 0;
out:
	store_blob_abort(w);
	return r;
}

void
store_blob_abort(struct store_blob *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	digest_free(w->d);
	free(w->tmp);
	free(w->root);
	free(w);
}

int
store_put_blob_fd(const struct store *st, int fd, const char *expect,
		  char *digest_out, long long *size, struct err **errp)
{
	struct store_blob *w;
	char chunk[1 << 16];
	ssize_t n;

	if (expect && !digest_valid(expect))
		return err_make(errp, 0, "invalid digest '%s'", expect);
	if (store_blob_begin(st, &w, errp) < 0)
		return -1;
	for (;;) {
		n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)));
		if (n < 0) {
			int e = errno;

			store_blob_abort(w);
			return err_make(errp, e, "cannot read blob data");
		}
		if (n == 0)
			break;
		if (store_blob_write(w, chunk, (size_t)n, errp) < 0) {
			store_blob_abort(w);
			return -1;
		}
	}
	return store_blob_commit(w, expect, digest_out, size, errp);
}

int
store_put_blob_buf(const struct store *st, const void *data, size_t len,
		   char *digest_out, struct err **errp)
{
	struct store_blob *w;

	if (store_blob_begin(st, &w, errp) < 0)
		return -1;
	if (store_blob_write(w, data, len, errp) < 0) {
		store_blob_abort(w);
		return -1;
	}
	return store_blob_commit(w, NULL, digest_out, NULL, errp);
}

/* does dir hold any entry? */
static bool
has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool any = false;

	if (!d)
		return false;
	while (!any && (e = readdir(d)))
		any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return any;
}

int
store_check_idmap(const struct store *st, const char *idmap, struct err **errp)
{
	autofree char *path = xasprintf("%s/idmap", st->root);
	autofree char *have = NULL, *layers = xasprintf("%s/layers/sha256", st->root);
	autofree char *line = xasprintf("%s\n", idmap);
	autofree char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t n = strlen(line);
	autoclose int fd = -1;
	int r, e;

	if (fs_read_file(path, &have, NULL, NULL) < 0 && has_entries(layers))
		have = xstrdup("root\n");
	if (have) {
		if (strcmp(have, line) == 0)
			return 0;
		have[strcspn(have, "\n")] = '\0';
		return err_make(errp, 0, "the store '%s' holds layers unpacked with ids mapped as "
				"'%s', but this build maps them as '%s' (root or rootless "
				"mode, or another /etc/subuid range): set DF2NINJA_STORE to "
				"another store", st->root, have, idmap);
	}
	/*
	 * the first build to get here records its mapping: written whole
	 * aside, then linked in, which fails if another build was first (a
	 * reader never sees the file empty)
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_make(errp, errno, "cannot create '%s'", tmp);
	if (write(fd, line, n) != (ssize_t)n || close(steal_fd(&fd)) < 0) {
		e = errno;
		unlink(tmp);
		return err_make(errp, e, "cannot write '%s'", tmp);
	}
	r = link(tmp, path);
	e = errno;
	unlink(tmp);
	if (r < 0 && e == EEXIST)
		return store_check_idmap(st, idmap, errp);
	if (r < 0)
		return err_make(errp, e, "cannot create '%s'", path);
	return 0;
}
