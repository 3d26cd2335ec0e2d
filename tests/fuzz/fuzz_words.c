/*
 * the shell-word expander. The input is the word; when it holds a NUL,
 * what comes before the first one is "NAME=VALUE" lines ("NAME" alone:
 * declared, unset) and the word is what follows. Every word is expanded
 * as one word and as fields, with '\\' and with '`' as escape.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shlex/words.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/strv.h"
#include "util/vars.h"
#include "fuzz.h"

/* the variables of BuildKit's envVarTest and wordsTest */
static const char *const fixed_env[] = {
	"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", "UNSET",
	"hi=hi", "space=abc  def", "leading=  ab c", "trailing=ab c   ",
};

static void
set_env(struct vars *vs, const char *lines)
{
	const char *p, *end, *eq;

	for (p = lines; *p; p = *end ? end + 1 : end) {
		char *line, *name;

		end = strchrnul(p, '\n');
		line = xstrndup(p, (size_t)(end - p));
		eq = strchr(line, '=');
		name = eq ? xstrndup(line, (size_t)(eq - line)) : xstrdup(line);
		if (*name)
			vars_set(vs, name, eq ? eq + 1 : NULL);
		free(name);
		free(line);
	}
}

static void
expand(const struct shlex *lx, const char *word)
{
	struct strv fields = STRV_INIT;
	struct err *err = NULL;
	char *out = NULL;

	if (shlex_word(lx, word, &out, &err) == 0) {
		if (!out)
			BUG("shlex_word succeeded without a result");
	} else if (!err) {
		BUG("shlex_word failed without an error");
	}
	free(out);
	err_free(err);
	err = NULL;
	if (shlex_words(lx, word, &fields, &err) < 0 && !err)
		BUG("shlex_words failed without an error");
	err_free(err);
	strv_fini(&fields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vars vs = VARS_INIT;
	struct shlex lx = { '\\', shlex_vars_lookup, &vs };
	const char *text = (const char *)data, *nul = memchr(text, '\0', size);
	char *word;

	for (size_t i = 0; i < sizeof(fixed_env) / sizeof(*fixed_env); i++)
		set_env(&vs, fixed_env[i]);
	if (nul) {
		char *env = xstrndup(text, (size_t)(nul - text));

		set_env(&vs, env);
		free(env);
		word = xstrndup(nul + 1, size - (size_t)(nul + 1 - text));
	} else {
		word = xstrndup(text, size);
	}
	expand(&lx, word);
	lx.escape = '`';
	expand(&lx, word);
	free(word);
	vars_fini(&vs);
	return 0;
}
