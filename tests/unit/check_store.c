#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/packmemo.h"
#include "image/store.h"
#include "image/storelock.h"
#include "image/storereg.h"
#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/strv.h"
#include "unit.h"

#define SHA_EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char tmpdir[] = "/tmp/check_store.XXXXXX";
static struct store st;

static void
setup(void)
{
	autofree char *root = NULL;
	struct err *e = NULL;

	strcpy(tmpdir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	root = xasprintf("%s/store", tmpdir);
	setenv("DF2NINJA_STORE", root, 1);
	ck_assert_int_eq(store_open(&st, &e), 0);
	ck_assert_ptr_null(e);
}

static void
teardown(void)
{
	store_close(&st);
	unit_rm_rf(tmpdir);
}

/* entries in directory path, "." and ".." aside */
static int
count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/store/%s", tmpdir, name);
}

START_TEST(test_digest_known)
{
	char out[DIGEST_LEN];
	struct digest *d;

	digest_buf("", 0, out);
	ck_assert_str_eq(out, SHA_EMPTY);
	digest_buf("abc", 3, out);
	ck_assert_str_eq(out, SHA_ABC);
	/* streaming in pieces gives the same */
	d = digest_new();
	digest_update(d, "a", 1);
	digest_update(d, "", 0);
	digest_update(d, "bc", 2);
	digest_final(d, out);
	ck_assert_str_eq(out, SHA_ABC);
	digest_free(NULL);
	digest_free(digest_new());
}
END_TEST

START_TEST(test_digest_file)
{
	autofree char *path = xasprintf("%s/f", tmpdir);
	char out[DIGEST_LEN];
	struct err *e = NULL;
	long long size = -1;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("abc", f);
	fclose(f);
	ck_assert_int_eq(digest_file(path, out, &size, &e), 0);
	ck_assert_str_eq(out, SHA_ABC);
	ck_assert_int_eq(size, 3);
	ck_assert_int_eq(digest_file("/nonexistent/x", out, NULL, &e), -1);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->msg, "/nonexistent/x"));
	err_free(e);
}
END_TEST

START_TEST(test_digest_valid)
{
	ck_assert(digest_valid(SHA_ABC));
	ck_assert(!digest_valid(NULL));
	ck_assert(!digest_valid(""));
	ck_assert(!digest_valid("sha256:"));
	ck_assert(!digest_valid("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert(!digest_valid("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	ck_assert(!digest_valid(SHA_ABC "0"));
	ck_assert(!digest_valid("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"));
	ck_assert(!digest_valid("sha256:../../../../../../../../../../../../../../../../etc/passwd/xx"));
}
END_TEST

START_TEST(test_store_layout)
{
	autofree char *blobs = tmp_path("blobs/sha256");
	autofree char *layers = tmp_path("layers/sha256");
	autofree char *tmp = tmp_path("tmp");
	autofree char *want = NULL;
	autofree char *p = NULL;
	struct stat sb;

	ck_assert_int_eq(stat(blobs, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(stat(layers, &sb), 0);
	ck_assert_int_eq(stat(tmp, &sb), 0);
	ck_assert_int_eq(st.root[0], '/');

	p = store_blob_path(&st, SHA_ABC);
	want = xasprintf("%s/%s", blobs, SHA_ABC + 7);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	p = store_layer_path(&st, SHA_ABC);
	want = xasprintf("%s/%s", layers, SHA_ABC + 7);
	ck_assert_str_eq(p, want);
	/* a name from the network can never point elsewhere */
	ck_assert_ptr_null(store_blob_path(&st, "sha256:../../etc/passwd"));
	ck_assert_ptr_null(store_layer_path(&st, "md5:abc"));
	ck_assert(!store_has_blob(&st, "sha256:../x"));
	ck_assert(!store_has_layer(&st, SHA_ABC));
}
END_TEST

START_TEST(test_store_diff_id)
{
	autofree char *dir = tmp_path("diffids/sha256");
	char got[DIGEST_LEN];
	struct err *e = NULL;
	struct stat sb;

	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert(!store_get_diff_id(&st, SHA_ABC, got));
	ck_assert_int_eq(store_put_diff_id(&st, SHA_ABC, SHA_EMPTY, &e), 0);
	ck_assert(store_get_diff_id(&st, SHA_ABC, got));
	ck_assert_str_eq(got, SHA_EMPTY);
	/* the same record again is no error */
	ck_assert_int_eq(store_put_diff_id(&st, SHA_ABC, SHA_EMPTY, &e), 0);
	ck_assert_int_eq(store_put_diff_id(&st, "sha256:../x", SHA_EMPTY, &e), -1);
	err_free(e);
	ck_assert(!store_get_diff_id(&st, "sha256:../x", got));
}
END_TEST

START_TEST(test_store_private)
{
	autofree char *root = xasprintf("%s/store", tmpdir);
	autofree char *layers = tmp_path("layers");
	struct store s2;
	struct err *e = NULL;
	struct stat sb;

	/* a new store's root is private; what is below it need not be */
	ck_assert_int_eq(stat(root, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0700);
	/* a store made open by an older df2ninja is made private on open */
	ck_assert_int_eq(chmod(root, 0755), 0);
	ck_assert_int_eq(chmod(layers, 0755), 0);
	ck_assert_int_eq(store_open_at(&s2, root, &e), 0);
	ck_assert_int_eq(stat(root, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0700);
	store_close(&s2);
	/* someone else's open store is refused, named, and left alone */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(root, 1, 1), 0);
		ck_assert_int_eq(chmod(root, 0711), 0);
		ck_assert_int_eq(store_open_at(&s2, root, &e), -1);
		ck_assert_ptr_nonnull(strstr(e->msg, "opening the image store"));
		ck_assert_ptr_nonnull(strstr(e->msg, root));
		ck_assert_int_eq(stat(root, &sb), 0);
		ck_assert_uint_eq(sb.st_mode & 07777, 0711);
		err_free(e);
	}
}
END_TEST

START_TEST(test_store_root_selection)
{
	autofree char *xdg = xasprintf("%s/xdg", tmpdir);
	autofree char *home = xasprintf("%s/home", tmpdir);
	autofree char *want = NULL;
	struct store s2;
	struct err *e = NULL;

	ck_assert_int_eq(mkdir(xdg, 0755), 0);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	unsetenv("DF2NINJA_STORE");
	setenv("XDG_DATA_HOME", xdg, 1);
	ck_assert_int_eq(store_open(&s2, &e), 0);
	want = xasprintf("%s/df2ninja", xdg);
	ck_assert_str_eq(s2.root, want);
	store_close(&s2);
	free(want);

	/* a relative XDG_DATA_HOME is ignored, as the spec says */
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", home, 1);
	ck_assert_int_eq(store_open(&s2, &e), 0);
	want = xasprintf("%s/.local/share/df2ninja", home);
	ck_assert_str_eq(s2.root, want);
	store_close(&s2);

	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(store_open(&s2, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "DF2NINJA_STORE"));
	err_free(e);
}
END_TEST

START_TEST(test_store_put_buf)
{
	char digest[DIGEST_LEN];
	struct err *e = NULL;
	autofree char *path = NULL;
	autofree char *tmp = tmp_path("tmp");
	char *data;
	size_t len;
	FILE *f;
	struct stat sb;

	ck_assert(!store_has_blob(&st, SHA_ABC));
	ck_assert_int_eq(store_put_blob_buf(&st, "abc", 3, digest, &e), 0);
	ck_assert_str_eq(digest, SHA_ABC);
	ck_assert(store_has_blob(&st, SHA_ABC));
	path = store_blob_path(&st, SHA_ABC);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	data = xcalloc(1, 16);
	len = fread(data, 1, 16, f);
	fclose(f);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(data, "abc");
	free(data);
	/* blobs are never changed in place */
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0444);
	/* a second put of the same content is fine and keeps the first */
	ck_assert_int_eq(store_put_blob_buf(&st, "abc", 3, NULL, &e), 0);
	ck_assert_int_eq(store_put_blob_buf(&st, "", 0, digest, &e), 0);
	ck_assert_str_eq(digest, SHA_EMPTY);
	ck_assert(store_has_blob(&st, SHA_EMPTY));
	ck_assert_int_eq(count_entries(tmp), 0);
}
END_TEST

static int
open_with(const char *content)
{
	autofree char *path = xasprintf("%s/src", tmpdir);
	FILE *f = fopen(path, "w");
	int fd;

	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_store_put_fd)
{
	char digest[DIGEST_LEN];
	struct err *e = NULL;
	long long size = 0;
	int fd;

	fd = open_with("abc");
	ck_assert_int_eq(store_put_blob_fd(&st, fd, SHA_ABC, digest, &size, &e), 0);
	close(fd);
	ck_assert_str_eq(digest, SHA_ABC);
	ck_assert_int_eq(size, 3);
	ck_assert(store_has_blob(&st, SHA_ABC));

	fd = open_with("");
	ck_assert_int_eq(store_put_blob_fd(&st, fd, NULL, digest, NULL, &e), 0);
	close(fd);
	ck_assert_str_eq(digest, SHA_EMPTY);
}
END_TEST

START_TEST(test_store_mismatch)
{
	autofree char *tmp = tmp_path("tmp");
	autofree char *blobs = tmp_path("blobs/sha256");
	struct err *e = NULL;
	long long size = 0;
	int fd;

	fd = open_with("abd");
	ck_assert_int_eq(store_put_blob_fd(&st, fd, SHA_ABC, NULL, &size, &e), -1);
	close(fd);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->msg, "digest mismatch"));
	ck_assert_ptr_nonnull(strstr(e->msg, SHA_ABC));
	err_free(e);
	e = NULL;
	/* nothing kept: neither the blob nor a staging file */
	ck_assert(!store_has_blob(&st, SHA_ABC));
	ck_assert_int_eq(count_entries(tmp), 0);
	ck_assert_int_eq(count_entries(blobs), 0);

	fd = open_with("abc");
	ck_assert_int_eq(store_put_blob_fd(&st, fd, "sha256:nope", NULL, NULL, &e), -1);
	close(fd);
	ck_assert_ptr_nonnull(strstr(e->msg, "invalid digest"));
	err_free(e);
	ck_assert_int_eq(count_entries(tmp), 0);
}
END_TEST

START_TEST(test_store_blob_writer)
{
	autofree char *tmp = tmp_path("tmp");
	struct store_blob *w;
	char digest[DIGEST_LEN];
	struct err *e = NULL;
	long long size = 0;

	ck_assert_int_eq(store_blob_begin(&st, &w, &e), 0);
	ck_assert_int_eq(store_blob_write(w, "a", 1, &e), 0);
	ck_assert_int_eq(store_blob_write(w, "bc", 2, &e), 0);
	/* nothing visible until commit */
	ck_assert(!store_has_blob(&st, SHA_ABC));
	ck_assert_int_eq(store_blob_commit(w, NULL, digest, &size, &e), 0);
	ck_assert_str_eq(digest, SHA_ABC);
	ck_assert_int_eq(size, 3);
	ck_assert(store_has_blob(&st, SHA_ABC));

	ck_assert_int_eq(store_blob_begin(&st, &w, &e), 0);
	ck_assert_int_eq(store_blob_write(w, "zzz", 3, &e), 0);
	store_blob_abort(w);
	store_blob_abort(NULL);
	ck_assert_int_eq(count_entries(tmp), 0);

	ck_assert_int_eq(store_blob_begin(&st, &w, &e), 0);
	ck_assert_int_eq(store_blob_write(w, "zzz", 3, &e), 0);
	ck_assert_int_eq(store_blob_commit(w, SHA_EMPTY, NULL, NULL, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "digest mismatch"));
	err_free(e);
	ck_assert_int_eq(count_entries(tmp), 0);
}
END_TEST

START_TEST(test_store_tmpdir)
{
	autofree char *tmp = tmp_path("tmp");
	autofree char *a = NULL, *b = NULL;
	struct err *e = NULL;
	struct stat sb;
	int la, lb;

	ck_assert_int_eq(store_tmpdir(&st, &a, &la, &e), 0);
	ck_assert_int_eq(store_tmpdir(&st, &b, &lb, &e), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, tmp, strlen(tmp)), 0);
	ck_assert_int_eq(stat(a, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(count_entries(a), 0);
	/* held: a cleaning leaves them; let go: it removes them */
	store_clean_tmp(&st);
	ck_assert_int_eq(count_entries(tmp), 2);
	close(la);
	store_clean_tmp(&st);
	ck_assert_int_eq(count_entries(tmp), 1);
	ck_assert_int_eq(stat(b, &sb), 0);
	close(lb);
}
END_TEST

/*
 * builds that start together on a new store all agree on its id mapping:
 * the first one records it, and the others never see the record half
 * made (each round: a fresh store, four processes at once)
 */
START_TEST(test_store_idmap_race)
{
	const char *map = "0 100000 65536";

	for (int round = 0; round < 100; round++) {
		autofree char *root = xasprintf("%s/race%d", tmpdir, round);
		autofree char *idmap = xasprintf("%s/idmap", root);
		autofree char *have = NULL;
		struct err *e = NULL;
		struct store s2;
		pid_t kids[4];

		ck_assert_int_eq(store_open_at(&s2, root, &e), 0);
		for (size_t i = 0; i < countof(kids); i++) {
			kids[i] = fork();
			ck_assert_int_ge(kids[i], 0);
			if (kids[i] == 0)
				_exit(store_check_idmap(&s2, map, NULL) == 0 ? 0 : 1);
		}
		for (size_t i = 0; i < countof(kids); i++) {
			int status;

			ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
			ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				      "round %d: a build disagreed on the id mapping", round);
		}
		ck_assert_int_eq(fs_read_file(idmap, &have, NULL, &e), 0);
		ck_assert_str_eq(have, "0 100000 65536\n");
		/* and a build mapping ids otherwise is still refused */
		ck_assert_int_eq(store_check_idmap(&s2, "0 0 1", &e), -1);
		err_free(e);
		store_close(&s2);
	}
}
END_TEST

/* what a killed build left in tmp/ goes when the store is next opened;
 * what a live one holds stays */
START_TEST(test_store_clean_tmp)
{
	autofree char *tmp = tmp_path("tmp"), *root = xstrdup(st.root);
	autofree char *stale = xasprintf("%s/stale", tmp);
	autofree char *staled = xasprintf("%s/stale/d", tmp);
	autofree char *stalef = xasprintf("%s/stale/d/f", tmp);
	autofree char *blob = xasprintf("%s/blob.abc", tmp);
	autofree char *live = xasprintf("%s/live", tmp);
	autofree char *busy = xasprintf("%s/busy", tmp);
	struct err *e = NULL;
	int fd, hold;

	ck_assert_int_eq(fs_mkdir_p(staled, &e), 0);
	ck_assert_int_eq(fs_write_if_changed(stalef, "x", 1, NULL, &e), 0);
	ck_assert_int_eq(chmod(staled, 0500), 0);
	ck_assert_int_eq(fs_write_if_changed(blob, "y", 1, NULL, &e), 0);
	ck_assert_int_eq(mkdir(live, 0700), 0);
	fd = open(live, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	store_close(&st);
	ck_assert_int_eq(store_open_at(&st, root, &e), 0);
	ck_assert_int_eq(access(stale, F_OK), -1);
	ck_assert_int_eq(access(blob, F_OK), -1);
	ck_assert_int_eq(access(live, F_OK), 0);
	close(fd);

	/* while another process makes an entry (tmp/ held shared), the
	 * cleaning waits for a later build */
	ck_assert_int_eq(mkdir(busy, 0700), 0);
	hold = open(tmp, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(flock(hold, LOCK_SH), 0);
	store_clean_tmp(&st);
	ck_assert_int_eq(access(busy, F_OK), 0);
	close(hold);
	store_clean_tmp(&st);
	ck_assert_int_eq(access(busy, F_OK), -1);
	ck_assert_int_eq(access(live, F_OK), -1);
}
END_TEST

/* the export's memo of packed layers (exec/packmemo.h) */
START_TEST(test_packmemo)
{
	autofree char *bd = xasprintf("%s/build", tmpdir);
	autofree char *dir1 = xasprintf("%s/layer one", bd), *dir2 = xasprintf("%s/two", bd);
	autofree char *memo_path = xasprintf("%s/out/packed-layers", bd), *text = NULL;
	char blob[DIGEST_LEN], diff[DIGEST_LEN], dg[DIGEST_LEN];
	const char *sum1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	const char *sum2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
	autofree char *key1 = NULL, *key2 = NULL;
	struct packmemo m;
	struct err *e = NULL;
	long long size = 0;
	FILE *f;

	ck_assert_int_eq(store_put_blob_buf(&st, "abc", 3, blob, &e), 0);
	ck_assert_int_eq(mkdir(bd, 0755), 0);
	ck_assert_int_eq(mkdir(dir1, 0755), 0);
	ck_assert_int_eq(mkdir(dir2, 0755), 0);

	/* no memo yet: nothing found, and the save writes this export's */
	packmemo_load(&m, bd);
	key1 = packmemo_key(dir1, NULL);
	key2 = packmemo_key(dir2, NULL);
	ck_assert(!packmemo_find(&m, &st, sum1, key1, diff, dg, &size));
	packmemo_add(&m, sum1, key1, SHA_ABC, blob, 3, dir1);
	packmemo_add(&m, sum2, key2, SHA_EMPTY, blob, 3, dir2);
	ck_assert_int_eq(packmemo_save(&m, &e), 0);
	packmemo_fini(&m);

	packmemo_load(&m, bd);
	ck_assert(packmemo_find(&m, &st, sum1, key1, diff, dg, &size));
	ck_assert_str_eq(diff, SHA_ABC);
	ck_assert_str_eq(dg, blob);
	ck_assert_int_eq(size, 3);
	/* a layer dir whose path holds a space is read back whole */
	ck_assert(packmemo_find(&m, &st, sum2, key2, diff, dg, &size));
	ck_assert_str_eq(diff, SHA_EMPTY);
	/* another clamp, or the dir made again (same sum, new mtimes): the
	 * entry does not serve */
	{
		time_t clamp = 1700000000;
		autofree char *other = packmemo_key(dir1, &clamp), *again = NULL;
		autofree char *fresh = xasprintf("%s/fresh", bd);

		ck_assert_str_ne(other, key1);
		ck_assert(!packmemo_find(&m, &st, sum1, other, diff, dg, &size));
		ck_assert_int_eq(rmdir(dir1), 0);
		ck_assert_int_eq(mkdir(fresh, 0755), 0);
		ck_assert_int_eq(rename(fresh, dir1), 0);
		again = packmemo_key(dir1, NULL);
		ck_assert_str_ne(again, key1);
		ck_assert(!packmemo_find(&m, &st, sum1, again, diff, dg, &size));
	}
	packmemo_fini(&m);

	/* an entry whose blob is not in the store with its size is not used */
	f = fopen(memo_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s %s %s %s 4 %s\n", sum1, key1, SHA_ABC, blob, dir1);
	/* malformed lines are skipped, not read across */
	fprintf(f, "%s %s %s\n%s 3 %s\n", sum2, key2, SHA_ABC, blob, dir2);
	fprintf(f, "%s %s %s %s -3 %s\n", sum2, key2, SHA_ABC, blob, dir2);
	fprintf(f, "%s %s %s %s 3\n", sum2, key2, SHA_ABC, blob);
	/* the form before keys */
	fprintf(f, "%s %s %s 3 %s\n", sum2, SHA_ABC, blob, dir2);
	fclose(f);
	packmemo_load(&m, bd);
	ck_assert(!packmemo_find(&m, &st, sum1, key1, diff, dg, &size));
	ck_assert(!packmemo_find(&m, &st, sum2, key2, diff, dg, &size));
	packmemo_fini(&m);

	/* another export keeps the entries whose layer dir is still there */
	f = fopen(memo_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s %s %s %s 3 %s\n", sum1, key1, SHA_ABC, blob, dir1);
	fprintf(f, "%s %s %s %s 3 %s\n", sum2, key2, SHA_ABC, blob, dir2);
	fclose(f);
	ck_assert_int_eq(rmdir(dir2), 0);
	packmemo_load(&m, bd);
	ck_assert_int_eq(packmemo_save(&m, &e), 0);
	packmemo_fini(&m);
	ck_assert_int_eq(fs_read_file(memo_path, &text, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(text, sum1));
	ck_assert_ptr_null(strstr(text, sum2));
}
END_TEST

/* storereg: one entry per build dir, touched on use, live while the dir
 * is there; its refs round-trip */
START_TEST(test_storereg)
{
	autofree char *bd = xasprintf("%s/bd", tmpdir), *real = NULL, *entry = NULL;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	struct storereg_entry *v;
	struct strv refs = STRV_INIT, back = STRV_INIT;
	struct err *e = NULL;
	size_t n;

	ck_assert_int_eq(mkdir(bd, 0755), 0);
	ck_assert_ptr_nonnull(real = realpath(bd, NULL));
	ck_assert_int_eq(storereg_add(&st, bd, &e), 0);
	ck_assert_int_eq(storereg_list(&st, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].path, real);
	ck_assert(v[0].is_live);
	entry = xasprintf("%s/builddirs/%s", st.root, v[0].name);
	storereg_free(v, n);
	ck_assert_int_eq(utimensat(AT_FDCWD, entry, old, 0), 0);
	ck_assert_int_eq(storereg_add(&st, bd, &e), 0);
	ck_assert_int_eq(storereg_list(&st, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_gt(v[0].used, 1000);
	strv_add(&refs, "blobs/sha256/ab");
	strv_add(&refs, "flat/cd");
	ck_assert_int_eq(storereg_write_refs(&st, v[0].name, &refs, &e), 0);
	ck_assert_int_eq(storereg_read_refs(&st, v[0].name, &back), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.v[1], "flat/cd");
	storereg_free(v, n);
	ck_assert_int_eq(rmdir(bd), 0);
	ck_assert_int_eq(storereg_list(&st, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(!v[0].is_live);
	storereg_remove(&st, v[0].name);
	storereg_free(v, n);
	ck_assert_int_eq(storereg_list(&st, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(e);
	strv_fini(&refs);
	strv_fini(&back);
	free(v);
}
END_TEST

/* storelock: gc's exclusive hold waits for (or, not waiting, reports)
 * the shared hold of whoever opened the store */
START_TEST(test_storelock)
{
	struct err *e = NULL;
	int fd = -1, status;
	pid_t pid;

	/* this process opened st (setup): shared, so not exclusive */
	ck_assert_int_eq(storelock_exclusive(st.root, false, &fd, &e), 1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		autofree char *root = xasprintf("%s/other", tmpdir);
		struct store other;
		int gcfd = -1, fd2 = -1;

		/* a store nobody uses: gc gets it, and holds off another */
		if (store_open_exclusive(&other, root, false, &gcfd, &e) != 0 ||
		    storelock_exclusive(other.root, false, &fd2, &e) != 1)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_ptr_null(e);
}
END_TEST

/* storelock's mounts lock: holders of overlays going away share it;
 * waiting for them returns only when the last has let go */
START_TEST(test_storelock_mounts)
{
	struct err *e = NULL;
	int p[2], fd = -1, status;
	char c = 0;
	pid_t pid;

	ck_assert_int_eq(storelock_mounts_wait(st.root, &e), 0);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int held = -1;

		close(p[0]);
		if (storelock_mounts_busy(st.root, &held) != 0 || write(p[1], "a", 1) != 1)
			_exit(1);
		usleep(200 * 1000);
		/* said before letting go: a wait that returned sees it */
		if (write(p[1], "b", 1) != 1)
			_exit(1);
		close(held);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'a');
	/* shared: a second holder gets it at once */
	ck_assert_int_eq(storelock_mounts_busy(st.root, &fd), 0);
	close(fd);
	ck_assert_int_eq(storelock_mounts_wait(st.root, &e), 0);
	ck_assert_ptr_null(e);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'b');
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

static void
add_case(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");

	add_case(s, "digest_known", test_digest_known);
	add_case(s, "digest_file", test_digest_file);
	add_case(s, "digest_valid", test_digest_valid);
	add_case(s, "store_layout", test_store_layout);
	add_case(s, "store_diff_id", test_store_diff_id);
	add_case(s, "store_private", test_store_private);
	add_case(s, "store_root_selection", test_store_root_selection);
	add_case(s, "store_put_buf", test_store_put_buf);
	add_case(s, "store_put_fd", test_store_put_fd);
	add_case(s, "store_mismatch", test_store_mismatch);
	add_case(s, "store_blob_writer", test_store_blob_writer);
	add_case(s, "store_tmpdir", test_store_tmpdir);
	add_case(s, "store_idmap_race", test_store_idmap_race);
	add_case(s, "store_clean_tmp", test_store_clean_tmp);
	add_case(s, "packmemo", test_packmemo);
	add_case(s, "storereg", test_storereg);
	add_case(s, "storelock", test_storelock);
	add_case(s, "storelock_mounts", test_storelock_mounts);
	return s;
}

int
main(void)
{
	return unit_run(store_suite());
}
