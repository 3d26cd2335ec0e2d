/*
 * generation: the input is a Dockerfile, resolved into a graph and written
 * with both emitters (ninja and make), its plans into a build dir made once.
 * The options vary with the input's length, so that each set is reached.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dockerfile/parse.h"
#include "emit/emit.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strv.h"
#include "fuzz.h"

static const char *builddir;
static char *plans;	/* builddir/plans */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	builddir = fuzz_tmpdir("gen");
	plans = xasprintf("%s/plans", builddir);
	return 0;
}

static void
options(size_t variant, struct gen_opts *go, struct emit_opts *eo)
{
	go->dockerfile = go->dockerfile_rel = "Dockerfile";
	go->context_rel = ".";
	go->builddir_rel = ".df2ninja";
	go->cwd = "/work";
	*eo = (struct emit_opts){
		.output = "build.ninja",
		.df2ninja = "/usr/bin/df2ninja",
		.builddir = ".df2ninja",
		.dockerfile = "Dockerfile",
		.dockerignore = ".dockerignore",
		.genargs = ".df2ninja/gen.args",
		.prefix = "",
		.version = "0.1.0",
	};
	switch (variant) {
	case 1:
		strv_add(&go->build_args, "A=1");
		strv_add(&go->build_args, "DF2NINJA_FUZZ_UNSET");
		strv_add(&go->tags, "example.com/img:1");
		strv_add(&go->outputs, "type=docker,dest=/tmp/img.tar");
		strv_add(&go->outputs, "type=registry,name=example.com/img:1");
		go->network = "none";
		go->pull = true;
		eo->prefix = "img_";
		break;
	case 2:
		strv_add(&go->outputs, "type=local,dest=out");
		strv_add(&go->outputs, "type=oci,dest=-");
		go->network = "isolated";
		go->allow_insecure = true;
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile *df = NULL;
	struct graph *g = NULL;
	struct gen_opts go = { 0 };
	struct emit_opts eo;
	struct buf text = BUF_INIT;
	struct err *err = NULL;

	options(size % 3, &go, &eo);
	if (dockerfile_parse("Dockerfile", (const char *)data, size, &df, &err) < 0 ||
	    graph_build(df, &go, &g, &err) < 0 ||
	    emit_ninja(g, &eo, &text, &err) < 0)
		goto out;
	buf_reset(&text);
	if (emit_make(g, &eo, &text, &err) < 0)
		goto out;
	/* the plans a build dir holds come from this input alone */
	fuzz_remove_tree(plans);
	emit_plans(g, builddir, &err);
out:
	err_free(err);
	buf_fini(&text);
	graph_free(g);
	dockerfile_free(df);
	strv_fini(&go.build_args);
	strv_fini(&go.tags);
	strv_fini(&go.outputs);
	return 0;
}
