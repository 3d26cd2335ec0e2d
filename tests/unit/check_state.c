#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec/state.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

/* the state files of exec/state.h: what they hold, and what they give back */

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DIFF "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static char *
new_builddir(void)
{
	char tmpl[] = "/tmp/check_state.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static json_t *
load_file(const char *bd, const char *name)
{
	char *path = xasprintf("%s/state/%s.json", bd, name);
	json_t *o = json_load_file(path, 0, NULL);

	ck_assert_msg(o != NULL, "cannot read %s", path);
	free(path);
	return o;
}

static void
add_history(struct state *s, const char *created_by)
{
	json_t *h = json_object_get(s->config.json, "history");

	if (!h) {
		h = json_array();
		json_object_set_new(s->config.json, "history", h);
	}
	json_array_append_new(h, json_pack("{ss}", "created_by", created_by));
}

/* a step layer under <builddir>/layers/ is kept as its place there, the
 * sum's hex left out; any other dir as it is; loading gives the dirs back */
START_TEST(test_layer_dirs)
{
	char *bd = new_builddir();
	char *in_a = xasprintf("%s/layers/s/02.%s", bd, HEX_A);
	char *in_b = xasprintf("%s/layers/s/05.link.%s", bd, HEX_B);
	char *odd = xasprintf("%s/layers/a..b/07.other", bd);
	struct state s, t;
	struct err *e = NULL;
	json_t *o, *l;

	state_init(&s);
	state_add_layer(&s, DIFF, DIFF, "application/vnd.oci.image.layer.v1.tar+gzip", 10);
	state_add_step_layer(&s, "sha256:" HEX_A, in_a);
	state_add_step_layer(&s, "sha256:" HEX_B, in_b);
	state_add_step_layer(&s, "sha256:" HEX_C, "/elsewhere/layers/s/03." HEX_C);
	state_add_step_layer(&s, "sha256:" HEX_C, odd);
	ck_assert_int_eq(state_save(bd, "s/07", &s, &e), 0);

	o = load_file(bd, "s/07");
	l = json_object_get(o, "layers");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 1), "in")), "s/02.");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 2), "in")), "s/05.link.");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 3), "dir")),
			 "/elsewhere/layers/s/03." HEX_C);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 4), "in")), "a..b/07.other");
	json_decref(o);

	ck_assert_int_eq(state_load(bd, "s/07", &t, &e), 0);
	ck_assert_uint_eq(t.nlayers, 5);
	ck_assert_str_eq(t.layers[0].diff_id, DIFF);
	ck_assert_ptr_null(t.layers[0].dir);
	ck_assert_str_eq(t.layers[1].dir, in_a);
	ck_assert_str_eq(t.layers[2].dir, in_b);
	ck_assert_str_eq(t.layers[3].dir, "/elsewhere/layers/s/03." HEX_C);
	ck_assert_str_eq(t.layers[4].dir, odd);
	ck_assert_str_eq(t.identity, s.identity);
	state_fini(&t);
	state_fini(&s);
	unit_rm_rf(bd);
	free(in_a);
	free(in_b);
	free(odd);
	free(bd);
}
END_TEST

/* a file an older df2ninja wrote (full dirs) still loads; an "in" that
 * climbs out of the layers dir is refused */
START_TEST(test_old_and_bad_files)
{
	char *bd = new_builddir(), *dir = xasprintf("%s/state", bd);
	char *old = xasprintf("%s/state/old.json", bd), *bad = xasprintf("%s/state/bad.json", bd);
	char *text;
	struct state t;
	struct err *e = NULL;

	ck_assert_int_eq(fs_mkdir_p(dir, &e), 0);
	text = xasprintf("{\"config\":{},\"layers\":[{\"dir\":\"x/layers/s/02.%s\",\"sum\":\"sha256:%s\"}]}",
			 HEX_A, HEX_A);
	ck_assert_int_eq(fs_write_atomic(old, text, strlen(text), 0, &e), 0);
	free(text);
	ck_assert_int_eq(state_load(bd, "old", &t, &e), 0);
	ck_assert_str_eq(t.layers[0].dir, "x/layers/s/02." HEX_A);
	state_fini(&t);

	text = xasprintf("{\"config\":{},\"layers\":[{\"in\":\"../../etc/\",\"sum\":\"sha256:%s\"}]}", HEX_A);
	ck_assert_int_eq(fs_write_atomic(bad, text, strlen(text), 0, &e), 0);
	free(text);
	ck_assert_int_eq(state_load(bd, "bad", &t, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "layer 0 has no dir"));
	err_free(e);
	unit_rm_rf(bd);
	free(dir);
	free(old);
	free(bad);
	free(bd);
}
END_TEST

/* a state's file holds its own history entries only; the chain gives
 * the whole history back, each entry as its step last wrote it */
START_TEST(test_own_history)
{
	char *bd = new_builddir();
	struct state a, b;
	struct err *e = NULL;
	json_t *o, *h;
	size_t nbase;

	state_init(&a);
	add_history(&a, "base 1");
	add_history(&a, "base 2");
	ck_assert_int_eq(state_save(bd, "s/01", &a, &e), 0);
	state_fini(&a);

	ck_assert_int_eq(state_load(bd, "s/01", &b, &e), 0);
	state_set_parent(&b, "s/01");
	add_history(&b, "RUN one");
	ck_assert_int_eq(state_save(bd, "s/02", &b, &e), 0);
	ck_assert_int_eq(state_load(bd, "s/02", &a, &e), 0);
	state_set_parent(&a, "s/02");
	add_history(&a, "RUN two");
	ck_assert_int_eq(state_save(bd, "s/03", &a, &e), 0);

	o = load_file(bd, "s/03");
	h = json_object_get(json_object_get(o, "config"), "history");
	ck_assert_uint_eq(json_array_size(h), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 0), "created_by")), "RUN two");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "history_from")), 0);
	json_decref(o);

	ck_assert_int_eq(state_history(bd, "s/03", &h, &nbase, &e), 0);
	ck_assert_uint_eq(json_array_size(h), 4);
	ck_assert_uint_eq(nbase, 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 0), "created_by")), "base 1");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 2), "created_by")), "RUN one");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 3), "created_by")), "RUN two");
	json_decref(h);
	state_fini(&a);
	state_fini(&b);
	unit_rm_rf(bd);
	free(bd);
}
END_TEST

/* with the memo on, a state is parsed once and copied after (a file
 * spoiled on disk is not read again), a copy is the caller's own, and
 * state_save drops what it rewrites */
START_TEST(test_memo)
{
	char *bd = new_builddir(), *path = xasprintf("%s/state/s/01.json", bd);
	struct state s, t, u;
	struct err *e = NULL;
	FILE *f;

	state_init(&s);
	state_add_layer(&s, DIFF, DIFF, "application/vnd.oci.image.layer.v1.tar+gzip", 10);
	state_add_step_layer(&s, "sha256:" HEX_A, "/x/layers/s/02." HEX_A);
	vars_set(&s.env, "A", "1");
	ck_assert_int_eq(state_save(bd, "s/01", &s, &e), 0);
	state_memo_start();
	ck_assert_int_eq(state_load(bd, "s/01", &t, &e), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not json", f);
	fclose(f);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(state_load(bd, "s/01", &u, &e), 0);
		ck_assert_ptr_null(e);
		ck_assert_str_eq(u.identity, t.identity);
		ck_assert_uint_eq(u.nlayers, 2);
		ck_assert_str_eq(u.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
		ck_assert_str_eq(u.layers[1].dir, "/x/layers/s/02." HEX_A);
		ck_assert_ptr_ne(u.layers[1].dir, t.layers[1].dir);
		ck_assert_str_eq(vars_get(&u.env, "A"), "1");
		ck_assert(json_equal(u.config.json, t.config.json));
		state_fini(&u);
	}
	vars_set(&s.env, "A", "2");
	ck_assert_int_eq(state_save(bd, "s/01", &s, &e), 0);
	ck_assert_int_eq(state_load(bd, "s/01", &u, &e), 0);
	ck_assert_str_eq(vars_get(&u.env, "A"), "2");
	ck_assert_str_ne(u.identity, t.identity);
	state_fini(&u);
	state_fini(&t);
	state_fini(&s);
	unit_rm_rf(bd);
	free(path);
	free(bd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("state");

	UNIT_TCASE(s, "layer_dirs", test_layer_dirs);
	UNIT_TCASE(s, "old_and_bad_files", test_old_and_bad_files);
	UNIT_TCASE(s, "own_history", test_own_history);
	UNIT_TCASE(s, "memo", test_memo);
	return unit_run(s);
}
