#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/decode.h"
#include "plan/encode.h"
#include "plan/keys.h"
#include "plan/names.h"
#include "plan/secretsrc.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"
#include "unit.h"

/* a final word, a deferred one, and JSON null */
#define W(s) { (s), false }
#define RAW(s) { (s), true }
#define NUL { NULL, false }
#define STRS(...) { (const char *[]){ __VA_ARGS__ }, \
		    sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *) }
#define WORDS(...) { (struct plan_word[]){ __VA_ARGS__ }, \
		     sizeof((struct plan_word[]){ __VA_ARGS__ }) / sizeof(struct plan_word) }

/* every config operation, as the steps of a stage may carry them */
static struct plan_op all_ops[] = {
	{ .kind = PLAN_OP_ENV, .npairs = 2, .pairs = (struct plan_pair[]){
		{ W("A"), W("1") }, { W("B"), RAW("$HOME/b") } } },
	{ .kind = PLAN_OP_LABEL, .npairs = 1, .pairs = (struct plan_pair[]){
		{ RAW("$L"), W("v w") } } },
	{ .kind = PLAN_OP_ARG, .nargs = 3, .args = (struct plan_arg[]){
		{ "X", W("1") }, { "Y", NUL }, { "Z", RAW("${X}z") } } },
	{ .kind = PLAN_OP_USER, .word = RAW("$USERNAME") },
	{ .kind = PLAN_OP_CMD, .argv = STRS("echo hi"), .shell_form = true },
	{ .kind = PLAN_OP_ENTRYPOINT, .argv = STRS("/bin/echo", "a"), .reset_cmd = true },
	{ .kind = PLAN_OP_ENTRYPOINT, .is_null = true },
	{ .kind = PLAN_OP_SHELL, .argv = STRS("/bin/ash", "-eo", "pipefail") },
	{ .kind = PLAN_OP_EXPOSE, .words = WORDS(W("80/tcp"), RAW("$PORTS")) },
	{ .kind = PLAN_OP_VOLUME, .words = WORDS(W("/data"), RAW("$VOL")) },
	{ .kind = PLAN_OP_STOPSIGNAL, .word = W("SIGTERM") },
	{ .kind = PLAN_OP_HEALTHCHECK, .argv = STRS("CMD-SHELL", "true"),
	  .interval = 30000000000LL, .timeout = 5, .start_period = 6,
	  .start_interval = 7, .retries = 4 },
	{ .kind = PLAN_OP_ONBUILD, .text = "RUN make" },
	{ .kind = PLAN_OP_MAINTAINER, .text = "Jane <jane@example.com>" },
};

static struct plan_mount mounts[] = {
	{ .type = PLAN_MOUNT_CACHE, .target = RAW("$HOME/c"), .id = W("c1"),
	  .has_sharing = true, .sharing = PLAN_SHARING_LOCKED,
	  .has_mode = true, .mode = 0700, .has_uid = true, .uid = 1,
	  .has_gid = true, .gid = 2 },
	{ .type = PLAN_MOUNT_TMPFS, .target = W("/t"), .has_size = true, .size = 1 << 20 },
	{ .type = PLAN_MOUNT_BIND, .readonly = true, .target = W("/x"), .source = W("/a"),
	  .has_from = true, .from = { "base", "base/03", NULL } },
	{ .type = PLAN_MOUNT_SECRET, .env = W("TOKEN"), .id = W("tok"),
	  .has_required = true, .required = true },
	{ .type = PLAN_MOUNT_SSH, .readonly = true, .target = W("/ssh"),
	  .has_from = true, .from = { NULL, NULL, "alpine:3", "linux/arm64" } },
};

static struct plan_heredoc docs[] = {
	{ "EOT", "echo $X\n", true, false },
	{ "EOF", "\tplain\n", false, true },
};

static const struct step_plan samples[] = {
	{ .kind = PLAN_FROM, .stage = "base", .num = 1, .instruction = "FROM scratch",
	  .from = { .base = PLAN_BASE_SCRATCH, .platform = "linux/amd64" } },
	{ .kind = PLAN_FROM, .stage = "img", .num = 1, .instruction = "FROM alpine:3",
	  .from = { .base = PLAN_BASE_IMAGE, .platform = "linux/amd64", .ref = "alpine:3",
		    .pull = true } },
	{ .kind = PLAN_FROM, .stage = "trig", .num = 1, .instruction = "FROM onb",
	  .from = { .base = PLAN_BASE_IMAGE, .platform = "linux/amd64", .ref = "onb",
		    .onbuild = STRS("RUN echo hi", "COPY a /b") } },
	{ .kind = PLAN_FROM, .stage = "next", .num = 1, .instruction = "FROM base",
	  .parent = "base/03", .from = { .base = PLAN_BASE_STAGE, .stage = "base" } },
	{ .kind = PLAN_RUN, .stage = "img", .num = 2, .instruction = "RUN ...",
	  .parent = "img/01", .ops = all_ops, .nops = sizeof(all_ops) / sizeof(*all_ops),
	  .expand = true, .escape = '`',
	  .run = { .cmd = STRS("/dev/pipes/EOT"), .shell_form = true,
		   .mounts = mounts, .nmounts = sizeof(mounts) / sizeof(*mounts),
		   .network = PLAN_NETWORK_ISOLATED, .security = PLAN_SECURITY_INSECURE,
		   .nargs = 2, .args = (struct plan_arg[]){ { "X", RAW("$Y") }, { "N", NUL } },
		   .heredocs = docs, .nheredocs = 1,
		   .script_name = "EOT", .script_content = "#!/bin/sh\necho hi\n",
		   .nproxy = 2, .proxy = (struct plan_proxy[]){
			   { "http_proxy", "http://p:3128" }, { "no_proxy", "x" } },
		   .context = "ctx", .add_hosts = STRS("web=10.0.0.1", "six=::1"),
		   .ulimits = STRS("nofile=10:20", "core=-1:-1") } },
	{ .kind = PLAN_RUN, .stage = "img", .num = 3, .instruction = "RUN [\"true\"]",
	  .parent = "img/02", .run = { .cmd = STRS("true"), .network = PLAN_NETWORK_NONE } },
	{ .kind = PLAN_COPY, .stage = "img", .num = 4, .instruction = "COPY ...",
	  .parent = "img/03", .expand = true, .escape = '\\',
	  .copy = { .sources = WORDS(W("a.txt"), RAW("$SRC")), .dest = W("/dst/"),
		    .context = ".", .chown = RAW("$U:1"), .chmod = W("0644"),
		    .link = true, .exclude = WORDS(W("*.tmp")), .heredocs = docs,
		    .nheredocs = 2, .parents = true } },
	{ .kind = PLAN_COPY, .stage = "img", .num = 5, .instruction = "COPY --from=base",
	  .parent = "img/04", .copy = { .sources = WORDS(W("/a")), .dest = W("/b"),
		    .has_from = true, .from = { "base", "base/03", NULL } } },
	{ .kind = PLAN_ADD, .stage = "img", .num = 6, .instruction = "ADD ...",
	  .parent = "img/05", .copy = { .sources = WORDS(W("https://example.com/f")),
		    .dest = W("/f"), .checksum = RAW("$SUM"), .keep_git_dir = true,
		    .unpack = -1 } },
	{ .kind = PLAN_ADD, .stage = "img", .num = 7, .instruction = "ADD --from=alpine",
	  .parent = "img/06", .copy = { .sources = WORDS(W("/x.tar")), .dest = W("/x"),
		    .has_from = true, .from = { NULL, NULL, "alpine:3" }, .unpack = 0 } },
	{ .kind = PLAN_ADD, .stage = "img", .num = 8, .instruction = "ADD y.tar /y/",
	  .parent = "img/07", .copy = { .sources = WORDS(W("y.tar")), .dest = W("/y/"),
		    .context = ".", .unpack = 1 } },
	{ .kind = PLAN_WORKDIR, .stage = "img", .num = 9, .instruction = "WORKDIR $HOME",
	  .parent = "img/08", .expand = true, .escape = '\\',
	  .meta = { .path = RAW("$HOME") } },
	{ .kind = PLAN_CONFIG, .stage = "img", .num = 0, .instruction = "USER nobody",
	  .parent = "img/09", .ops = all_ops + 3, .nops = 1, .expand = true,
	  .escape = '\\' },
	{ .kind = PLAN_FROM, .stage = "dir", .num = 1, .instruction = "FROM src",
	  .from = { .base = PLAN_BASE_CONTEXT, .platform = "linux/amd64",
		    .context = "../src" } },
};

static const struct export_plan export_sample = {
	.stage = "img", .last = "img/config", .chain = "sha256:00",
	.noutputs = 4, .outputs = (struct plan_output[]){
		{ .type = PLAN_OUTPUT_OCI, .dest = ".df2ninja/image" },
		{ .type = PLAN_OUTPUT_DOCKER, .dest = "/abs/out.tar", .name = "n:1",
		  .has_tar = true, .tar = true, .load = true },
		{ .type = PLAN_OUTPUT_LOCAL, .dest = "dir" },
		{ .type = PLAN_OUTPUT_REGISTRY, .name = "registry.example/x:y" },
	},
	.tags = STRS("a:b", "c"),
	.has_epoch = true, .epoch = 1700000000,
	.labels = STRS("a=b", "c="), .iidfile = "/abs/id", .quiet = true,
	.metadata_file = "/abs/meta.json",
	.nplatforms = 2, .platforms = (struct plan_export_platform[]){
		{ "linux/amd64", "img@linux-amd64", "img@linux-amd64/config", "sha256:00" },
		{ "linux/arm64", "img@linux-arm64", "img@linux-arm64/02", "sha256:01" },
	},
};

static void
same_str(const char *a, const char *b)
{
	if (!a || !b)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void
same_word(const struct plan_word *a, const struct plan_word *b)
{
	same_str(a->s, b->s);
	ck_assert_int_eq(a->is_raw, b->is_raw);
}

static void
same_words(const struct plan_words *a, const struct plan_words *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		same_word(&a->v[i], &b->v[i]);
}

static void
same_strs(const struct plan_strs *a, const struct plan_strs *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_str_eq(a->v[i], b->v[i]);
}

static void
same_args(const struct plan_arg *a, const struct plan_arg *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(a[i].name, b[i].name);
		same_word(&a[i].value, &b[i].value);
	}
}

static void
same_heredocs(const struct plan_heredoc *a, const struct plan_heredoc *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(a[i].name, b[i].name);
		ck_assert_str_eq(a[i].content, b[i].content);
		ck_assert_int_eq(a[i].expand, b[i].expand);
		ck_assert_int_eq(a[i].chomp, b[i].chomp);
	}
}

static void
same_source(const struct plan_source *a, const struct plan_source *b)
{
	same_str(a->stage, b->stage);
	same_str(a->step, b->step);
	same_str(a->image, b->image);
	same_str(a->platform, b->platform);
}

static void
same_op(const struct plan_op *a, const struct plan_op *b)
{
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_uint_eq(a->npairs, b->npairs);
	for (size_t i = 0; i < a->npairs; i++) {
		same_word(&a->pairs[i].name, &b->pairs[i].name);
		same_word(&a->pairs[i].value, &b->pairs[i].value);
	}
	ck_assert_uint_eq(a->nargs, b->nargs);
	same_args(a->args, b->args, a->nargs);
	same_word(&a->word, &b->word);
	same_strs(&a->argv, &b->argv);
	ck_assert_int_eq(a->is_null, b->is_null);
	ck_assert_int_eq(a->shell_form, b->shell_form);
	ck_assert_int_eq(a->reset_cmd, b->reset_cmd);
	same_words(&a->words, &b->words);
	ck_assert_int_eq(a->interval, b->interval);
	ck_assert_int_eq(a->timeout, b->timeout);
	ck_assert_int_eq(a->start_period, b->start_period);
	ck_assert_int_eq(a->start_interval, b->start_interval);
	ck_assert_int_eq(a->retries, b->retries);
	same_str(a->text, b->text);
}

static void
same_mount(const struct plan_mount *a, const struct plan_mount *b)
{
	ck_assert_int_eq(a->type, b->type);
	ck_assert_int_eq(a->readonly, b->readonly);
	same_word(&a->target, &b->target);
	same_word(&a->source, &b->source);
	same_word(&a->id, &b->id);
	same_word(&a->env, &b->env);
	ck_assert_int_eq(a->has_from, b->has_from);
	if (a->has_from)
		same_source(&a->from, &b->from);
	ck_assert_int_eq(a->has_sharing, b->has_sharing);
	ck_assert_int_eq(a->sharing, b->sharing);
	ck_assert_int_eq(a->has_required, b->has_required);
	ck_assert_int_eq(a->required, b->required);
	ck_assert_int_eq(a->has_mode, b->has_mode);
	ck_assert_int_eq(a->mode, b->mode);
	ck_assert_int_eq(a->has_uid, b->has_uid);
	ck_assert_int_eq(a->uid, b->uid);
	ck_assert_int_eq(a->has_gid, b->has_gid);
	ck_assert_int_eq(a->gid, b->gid);
	ck_assert_int_eq(a->has_size, b->has_size);
	ck_assert_int_eq(a->size, b->size);
}

static void
same_run(const struct run_plan *a, const struct run_plan *b)
{
	same_strs(&a->cmd, &b->cmd);
	ck_assert_int_eq(a->shell_form, b->shell_form);
	ck_assert_uint_eq(a->nmounts, b->nmounts);
	for (size_t i = 0; i < a->nmounts; i++)
		same_mount(&a->mounts[i], &b->mounts[i]);
	ck_assert_int_eq(a->network, b->network);
	ck_assert_int_eq(a->security, b->security);
	ck_assert_uint_eq(a->nargs, b->nargs);
	same_args(a->args, b->args, a->nargs);
	ck_assert_uint_eq(a->nheredocs, b->nheredocs);
	same_heredocs(a->heredocs, b->heredocs, a->nheredocs);
	same_str(a->script_name, b->script_name);
	same_str(a->script_content, b->script_content);
	ck_assert_uint_eq(a->nproxy, b->nproxy);
	for (size_t i = 0; i < a->nproxy; i++) {
		ck_assert_str_eq(a->proxy[i].name, b->proxy[i].name);
		ck_assert_str_eq(a->proxy[i].value, b->proxy[i].value);
	}
	same_str(a->context, b->context);
	same_strs(&a->add_hosts, &b->add_hosts);
	same_strs(&a->ulimits, &b->ulimits);
}

static void
same_copy(const struct copy_plan *a, const struct copy_plan *b, bool is_add)
{
	same_words(&a->sources, &b->sources);
	same_word(&a->dest, &b->dest);
	ck_assert_int_eq(a->has_from, b->has_from);
	if (a->has_from)
		same_source(&a->from, &b->from);
	same_str(a->context, b->context);
	same_word(&a->chown, &b->chown);
	same_word(&a->chmod, &b->chmod);
	ck_assert_int_eq(a->link, b->link);
	same_words(&a->exclude, &b->exclude);
	ck_assert_uint_eq(a->nheredocs, b->nheredocs);
	same_heredocs(a->heredocs, b->heredocs, a->nheredocs);
	ck_assert_int_eq(a->parents, b->parents);
	if (!is_add)
		return;
	same_word(&a->checksum, &b->checksum);
	ck_assert_int_eq(a->keep_git_dir, b->keep_git_dir);
	ck_assert_int_eq(a->unpack, b->unpack);
}

static void
same_step(const struct step_plan *a, const struct step_plan *b)
{
	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_str_eq(a->stage, b->stage);
	ck_assert_int_eq(a->num, b->num);
	ck_assert_str_eq(a->instruction, b->instruction);
	same_str(a->parent, b->parent);
	ck_assert_uint_eq(a->nops, b->nops);
	for (size_t i = 0; i < a->nops; i++)
		same_op(&a->ops[i], &b->ops[i]);
	ck_assert_int_eq(a->expand, b->expand);
	ck_assert_int_eq(a->expand ? a->escape : '\\', b->escape);
	switch (a->kind) {
	case PLAN_FROM:
		ck_assert_int_eq(a->from.base, b->from.base);
		same_str(a->from.platform, b->from.platform);
		same_str(a->from.ref, b->from.ref);
		same_str(a->from.stage, b->from.stage);
		same_str(a->from.context, b->from.context);
		ck_assert_int_eq(a->from.pull, b->from.pull);
		same_strs(&a->from.onbuild, &b->from.onbuild);
		break;
	case PLAN_RUN:
		same_run(&a->run, &b->run);
		break;
	case PLAN_COPY:
	case PLAN_ADD:
		same_copy(&a->copy, &b->copy, a->kind == PLAN_ADD);
		break;
	case PLAN_WORKDIR:
	case PLAN_CONFIG:
		same_word(&a->meta.path, &b->meta.path);
		break;
	}
}

/* the text of a plan, parsed back */
static json_t *
parse(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "%s: %s", text, je.text);
	return j;
}

START_TEST(test_roundtrip_step)
{
	struct pjarena a = PJARENA_INIT, b = PJARENA_INIT, c = PJARENA_INIT;
	const struct step_plan *want = &samples[_i];
	struct step_plan got;
	struct err *e = NULL;
	char *text, *again;
	json_t *j;

	text = pj_dump(&a, plan_encode_step(&a, want));
	j = parse(text);
	ck_assert_msg(plan_decode_step("test.json", j, &b, &got, &e) == 0, "%s: %s",
		      text, e ? e->msg : "?");
	ck_assert(!plan_is_export(j));
	same_step(want, &got);
	/* and the decoded plan writes the same bytes */
	again = pj_dump(&c, plan_encode_step(&c, &got));
	ck_assert_str_eq(again, text);
	free(text);
	free(again);
	json_decref(j);
	pj_fini(&a);
	pj_fini(&b);
	pj_fini(&c);
}
END_TEST

START_TEST(test_roundtrip_export)
{
	struct pjarena a = PJARENA_INIT, b = PJARENA_INIT;
	const struct export_plan *want = &export_sample;
	struct export_plan got;
	struct err *e = NULL;
	char *text;
	json_t *j;

	text = pj_dump(&a, plan_encode_export(&a, want));
	j = parse(text);
	ck_assert(plan_is_export(j));
	ck_assert_msg(plan_decode_export("export.json", j, &b, &got, &e) == 0, "%s",
		      e ? e->msg : "?");
	ck_assert_str_eq(got.stage, want->stage);
	ck_assert_str_eq(got.last, want->last);
	ck_assert_str_eq(got.chain, want->chain);
	same_strs(&got.tags, &want->tags);
	same_strs(&got.labels, &want->labels);
	same_str(got.iidfile, want->iidfile);
	same_str(got.metadata_file, want->metadata_file);
	ck_assert(got.quiet);
	ck_assert(got.has_epoch);
	ck_assert_int_eq(got.epoch, want->epoch);
	ck_assert_uint_eq(got.nplatforms, want->nplatforms);
	for (size_t i = 0; i < want->nplatforms; i++) {
		ck_assert_str_eq(got.platforms[i].platform, want->platforms[i].platform);
		ck_assert_str_eq(got.platforms[i].stage, want->platforms[i].stage);
		ck_assert_str_eq(got.platforms[i].last, want->platforms[i].last);
		ck_assert_str_eq(got.platforms[i].chain, want->platforms[i].chain);
	}
	ck_assert_uint_eq(got.noutputs, want->noutputs);
	for (size_t i = 0; i < want->noutputs; i++) {
		ck_assert_int_eq(got.outputs[i].type, want->outputs[i].type);
		same_str(got.outputs[i].dest, want->outputs[i].dest);
		same_str(got.outputs[i].name, want->outputs[i].name);
		ck_assert_int_eq(got.outputs[i].has_tar, want->outputs[i].has_tar);
		ck_assert_int_eq(got.outputs[i].tar, want->outputs[i].tar);
		ck_assert_int_eq(got.outputs[i].load, want->outputs[i].load);
	}
	free(text);
	json_decref(j);
	pj_fini(&a);
	pj_fini(&b);
}
END_TEST

/* the exact text: json_dumps(JSON_SORT_KEYS | JSON_INDENT(2)) and '\n' */
START_TEST(test_text)
{
	struct pjarena a = PJARENA_INIT;
	char *text = pj_dump(&a, plan_encode_step(&a, &samples[11]));
	json_t *j = parse(text);
	char *dumped = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

	ck_assert_str_eq(text,
		"{\n"
		"  \"config\": [],\n"
		"  \"escape\": \"\\\\\",\n"
		"  \"expand\": true,\n"
		"  \"instruction\": \"WORKDIR $HOME\",\n"
		"  \"kind\": \"workdir\",\n"
		"  \"parent\": \"img/08\",\n"
		"  \"path\": {\n"
		"    \"raw\": \"$HOME\"\n"
		"  },\n"
		"  \"stage\": \"img\",\n"
		"  \"step\": 9,\n"
		"  \"version\": 2\n"
		"}\n");
	ck_assert_uint_eq(strlen(text), strlen(dumped) + 1);
	ck_assert(strncmp(text, dumped, strlen(dumped)) == 0);
	free(dumped);
	free(text);
	json_decref(j);
	pj_fini(&a);
}
END_TEST

/* what encode refuses: a string that is not UTF-8 */
START_TEST(test_encode_utf8)
{
	struct pjarena a = PJARENA_INIT;
	struct step_plan p = samples[11];
	struct export_plan ep = export_sample;

	p.instruction = "WORKDIR \xff";
	ck_assert_ptr_null(plan_encode_step(&a, &p));
	ep.tags = (struct plan_strs)STRS("\xc3");
	ck_assert_ptr_null(plan_encode_export(&a, &ep));
	pj_fini(&a);
}
END_TEST

/* a plan written with ' for " (easier to read here), and what decoding
 * it must say */
static const struct {
	const char *plan;
	const char *error;
} bad_plans[] = {
#define COMMON "'version':2,'stage':'s','step':2,'instruction':'I','parent':'s/01'," \
	"'expand':false,"
#define WORKDIR(more) "{" COMMON "'kind':'workdir','config':[],'path':'/a'" more "}"
#define CONFIG(ops) "{" COMMON "'kind':'config','config':[" ops "]}"
	{ "[]", "is not a version 2 plan" },
	{ "{'version':1,'kind':'config'}", "is not a version 2 plan" },
	{ WORKDIR(",'extra':1"), "'extra' is not a key of this plan" },
	{ "{" COMMON "'kind':'workdir','config':[]}", "'path' is missing" },
	{ "{" COMMON "'kind':'workdir','config':[],'path':null}", "'path' is null" },
	{ "{" COMMON "'kind':'workdir','config':[],'path':3}",
	  "'path' is neither a string nor {\"raw\": ...}" },
	{ "{" COMMON "'kind':'workdir','config':[],'path':{'raw':'$A','x':1}}",
	  "'path.x' is not a key of this plan" },
	{ "{" COMMON "'kind':'workdir','config':[],'path':{'raw':1}}",
	  "'path.raw' is not a string" },
	{ "{" COMMON "'kind':'bogus','config':[]}", "'kind' has the unknown value 'bogus'" },
	{ "{'version':2,'stage':'s','step':'2','instruction':'I','parent':null,"
	  "'expand':false,'kind':'config','config':[]}", "'step' is not an integer" },
	{ "{'version':2,'stage':'s','step':2,'instruction':'I','parent':null,"
	  "'expand':true,'kind':'config','config':[]}", "'escape' is missing" },
	{ "{'version':2,'stage':'s','step':2,'instruction':'I','parent':null,"
	  "'expand':true,'escape':'x','kind':'config','config':[]}",
	  "'escape' is neither" },
	{ CONFIG("{'op':'nope'}"), "'config[0].op' has the unknown value 'nope'" },
	{ CONFIG("{'op':'env','env':[['A']]}"), "'config[0].env[0]' is not a pair" },
	{ CONFIG("{'op':'env','env':[[{'raw':'$A'},'1']]}"),
	  "'config[0]' sets a name that is not final" },
	{ CONFIG("{'op':'user','user':'u','signal':'x'}"),
	  "'config[0].signal' is not a key of this plan" },
	{ CONFIG("{'op':'cmd','cmd':['a',1],'shell_form':false}"),
	  "'config[0].cmd[1]' is not a string" },
	{ CONFIG("{'op':'healthcheck','test':[],'interval':0,'timeout':0,"
		 "'start_period':0,'start_interval':0}"),
	  "'config[0].retries' is missing" },
	{ "{" COMMON "'kind':'from','config':[],'base':{'type':'stage','stage':'b'},"
	  "'pull':true}", "'pull' is set for a base that is not an image" },
	{ "{" COMMON "'kind':'from','config':[],'base':{'type':'stage','stage':'b'},"
	  "'onbuild':['RUN x']}", "'onbuild' is set for a base that is not an image" },
	{ "{" COMMON "'kind':'from','config':[],'base':{'type':'image','ref':'a'}}",
	  "'base.platform' is missing" },
	{ "{" COMMON "'kind':'from','config':[],'base':{'type':'context',"
	  "'platform':'linux/amd64'}}", "'base.context' is missing" },
	{ "{" COMMON "'kind':'from','config':[],'base':{'type':'image','ref':'a',"
	  "'platform':'linux/amd64','context':'d'}}", "'base.context' is not a key of this plan" },
	{ "{" COMMON "'kind':'run','config':[],'cmd':[],'shell_form':false,"
	  "'mounts':[{'type':'cache','readonly':false,'sharing':'all'}],"
	  "'network':'default','security':'sandbox','args':[],'heredocs':[]}",
	  "'mounts[0].sharing' has the unknown value 'all'" },
	{ "{" COMMON "'kind':'run','config':[],'cmd':[],'shell_form':false,"
	  "'mounts':[],'network':'wifi','security':'sandbox','args':[],'heredocs':[]}",
	  "'network' has the unknown value 'wifi'" },
	{ "{" COMMON "'kind':'run','config':[],'cmd':[],'shell_form':false,'mounts':[],"
	  "'network':'none','security':'sandbox','args':[],'heredocs':[],"
	  "'proxy':{'http_proxy':1}}", "'proxy.http_proxy' is not a string" },
	{ "{" COMMON "'kind':'copy','config':[],'sources':[],'dest':'/',"
	  "'from':{'stage':'a','step':'a/01','image':'b'},'chown':null,'chmod':null,"
	  "'link':false,'exclude':[],'heredocs':[],'parents':false}",
	  "'from' is neither {\"stage\", \"step\"} nor {\"image\"}" },
	{ "{" COMMON "'kind':'copy','config':[],'sources':[],'dest':'/',"
	  "'from':{'stage':'a','step':'a/01','platform':'linux/arm64'},'chown':null,"
	  "'chmod':null,'link':false,'exclude':[],'heredocs':[],'parents':false}",
	  "'from' is neither {\"stage\", \"step\"} nor {\"image\"}" },
	{ "{" COMMON "'kind':'add','config':[],'sources':[],'dest':'/','from':null,"
	  "'chown':null,'chmod':null,'link':false,'exclude':[],'heredocs':[],"
	  "'parents':false,'checksum':null,'keep_git_dir':false,'unpack':null}",
	  "'parents' is not a key of this plan" },
	{ "{" COMMON "'kind':'copy','config':[],'sources':[null],'dest':'/','from':null,"
	  "'chown':null,'chmod':null,'link':false,'exclude':[],'heredocs':[],"
	  "'parents':false}", "'sources[0]' is null" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[{'type':'registry','name':'r','dest':'d'}]}",
	  "'outputs[0].dest' is not a key of this plan" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[{'type':'oci'}]}", "'outputs[0].dest' is missing" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[{'type':'oci','dest':'d','load':true}]}",
	  "'outputs[0].load' is not a key of this plan" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[],'source_date_epoch':-1}",
	  "'source_date_epoch' is not a time from 1970 to 9999" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[],'source_date_epoch':'1'}", "'source_date_epoch' is not an integer" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[],'labels':['novalue']}", "'labels' holds a string that is not K=V" },
	{ "{'version':2,'stage':'s','last':'s/01','chain':'c','tags':[],"
	  "'outputs':[],'iidfile':'rel/id'}", "'iidfile' is not an absolute path" },
#undef CONFIG
#undef WORKDIR
#undef COMMON
};

START_TEST(test_refuse)
{
	struct pjarena a = PJARENA_INIT;
	char *text = xstrdup(bad_plans[_i].plan);
	struct step_plan sp;
	struct export_plan ep;
	struct err *e = NULL;
	json_t *j;
	int r;

	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = parse(text);
	r = plan_is_export(j) ? plan_decode_export("bad.json", j, &a, &ep, &e) :
	    plan_decode_step("bad.json", j, &a, &sp, &e);
	ck_assert_msg(r < 0, "%s was decoded", text);
	ck_assert_msg(strstr(e->msg, bad_plans[_i].error) != NULL, "%s: got '%s'", text,
		      e->msg);
	/* the message names the plan file */
	ck_assert_msg(strstr(e->msg, "plan 'bad.json'") != NULL, "%s", e->msg);
	err_free(e);
	json_decref(j);
	free(text);
	pj_fini(&a);
}
END_TEST

/* the plan above every refusal is itself a good one */
START_TEST(test_good)
{
	struct pjarena a = PJARENA_INIT;
	struct step_plan sp;
	struct err *e = NULL;
	json_t *j = parse("{\"version\":2,\"stage\":\"s\",\"step\":2,\"instruction\":\"I\","
			  "\"parent\":\"s/01\",\"expand\":false,\"kind\":\"workdir\","
			  "\"config\":[],\"path\":\"/a\"}");

	ck_assert_int_eq(plan_decode_step("good.json", j, &a, &sp, &e), 0);
	ck_assert_int_eq(sp.kind, PLAN_WORKDIR);
	ck_assert_str_eq(sp.meta.path.s, "/a");
	ck_assert_int_eq(sp.escape, '\\');
	json_decref(j);
	pj_fini(&a);
}
END_TEST

/* an arena hands out memory even for nothing, so that a caller may
 * memset or memcpy zero bytes into it; what it hands out is zeroed */
START_TEST(test_arena_empty)
{
	struct pjarena a = PJARENA_INIT;
	char *p, *q;

	p = pj_alloc(&a, 0, sizeof(int));
	ck_assert_ptr_nonnull(p);
	q = pj_alloc(&a, 3, 1);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_ne(p, q);
	ck_assert(!q[0] && !q[1] && !q[2]);
	pj_fini(&a);
}
END_TEST

/* --secret and --ssh as BuildKit's client reads them; the file of
 * sources round-trips and holds no value */
START_TEST(test_secretsrc)
{
	char dir[] = "/tmp/check_plan.XXXXXX";
	struct secretsrc s = SECRETSRC_INIT, back = SECRETSRC_INIT;
	const struct secretsrc_entry *e;
	struct err *err = NULL;
	autofree char *file = NULL, *path = NULL, *text = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	file = xasprintf("%s/tok", dir);
	path = xasprintf("%s/secrets", dir);
	ck_assert_int_eq(fs_write_if_changed(file, "VALUE", 5, NULL, &err), 0);
	setenv("CHECK_PLAN_TOK", "ENVVALUE", 1);
	ck_assert_int_eq(secretsrc_add_secret(&s, "id=a,type=env,src=CHECK_PLAN_TOK", &err), 0);
	ck_assert_int_eq(secretsrc_add_secret(&s, "id=CHECK_PLAN_TOK", &err), 0);
	e = secretsrc_find(&s, false, "CHECK_PLAN_TOK");
	ck_assert(e && e->is_env && !strcmp(e->ref, "CHECK_PLAN_TOK"));
	e = secretsrc_find(&s, false, "a");
	ck_assert(e && e->is_env && !strcmp(e->opt, "id=a,env=CHECK_PLAN_TOK"));
	{
		autofree char *opt = xasprintf("ID=b,Src=%s", file);

		ck_assert_int_eq(secretsrc_add_secret(&s, opt, &err), 0);
	}
	e = secretsrc_find(&s, false, "b");
	ck_assert(e && !e->is_env && !strcmp(e->ref, file));
	ck_assert_ptr_null(secretsrc_find(&s, true, "b"));
	ck_assert_int_eq(secretsrc_add_secret(&s, "id=c,src=/nonexistent", &err), -1);
	ck_assert_str_eq(err->msg, "--secret 'id=c,src=/nonexistent': cannot stat "
			 "'/nonexistent': No such file or directory");
	err_free(err);
	err = NULL;
	ck_assert_int_eq(secretsrc_add_secret(&s, "src=x", &err), -1);
	ck_assert_str_eq(err->msg, "--secret 'src=x': secret missing id");
	err_free(err);
	err = NULL;
	ck_assert_int_eq(secretsrc_add_ssh(&s, "default=/nonexistent", &err), -1);
	err_free(err);
	err = NULL;
	ck_assert_int_eq(secretsrc_add_ssh(&s, "k=a,b", &err), -1);
	err_free(err);
	err = NULL;
	ck_assert_int_eq(secretsrc_write(&s, path, &err), 0);
	ck_assert_int_eq(fs_read_file(path, &text, NULL, &err), 0);
	ck_assert_ptr_null(strstr(text, "VALUE"));
	ck_assert_int_eq(secretsrc_read(&back, path, &err), 0);
	ck_assert_uint_eq(back.n, s.n);
	for (size_t i = 0; i < s.n; i++) {
		ck_assert_str_eq(back.v[i].id, s.v[i].id);
		ck_assert_str_eq(back.v[i].ref, s.v[i].ref);
		ck_assert(back.v[i].is_env == s.v[i].is_env);
	}
	secretsrc_fini(&back);
	unlink(path);
	ck_assert_int_eq(secretsrc_read(&back, path, &err), 0);
	ck_assert_uint_eq(back.n, 0);
	secretsrc_fini(&s);
	unlink(file);
	rmdir(dir);
}
END_TEST

START_TEST(test_names)
{
	const struct plan_names *sets[] = {
		&plan_kind_names, &plan_op_names, &plan_base_names, &plan_mount_names,
		&plan_sharing_names, &plan_network_names, &plan_security_names,
		&plan_output_names,
	};

	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++)
		for (size_t k = 0; k < sets[i]->n; k++) {
			ck_assert_ptr_nonnull(sets[i]->v[k]);
			ck_assert_int_eq(plan_value(sets[i], plan_name(sets[i], (int)k)), (int)k);
		}
	ck_assert_int_eq(plan_value(&plan_kind_names, "export"), -1);
}
END_TEST

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");

	UNIT_TCASE_TABLE(s, "roundtrip_step", test_roundtrip_step, samples);
	UNIT_TCASE(s, "roundtrip_export", test_roundtrip_export);
	UNIT_TCASE(s, "text", test_text);
	UNIT_TCASE(s, "encode_utf8", test_encode_utf8);
	UNIT_TCASE(s, "good", test_good);
	UNIT_TCASE(s, "arena_empty", test_arena_empty);
	UNIT_TCASE_TABLE(s, "refuse", test_refuse, bad_plans);
	UNIT_TCASE(s, "names", test_names);
	UNIT_TCASE(s, "secretsrc", test_secretsrc);
	return s;
}

int
main(void)
{
	return unit_run(plan_suite());
}
