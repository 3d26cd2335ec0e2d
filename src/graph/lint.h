#ifndef DF2NINJA_LINT_H
#define DF2NINJA_LINT_H

#include <stdbool.h>

#include "util/strv.h"

struct dockerfile;
struct err;

/* what "# check=" asks: BuildKit's skip=, error= and experimental= */
struct lint_config {
	bool skip_all;
	struct strv skip;	/* rule names */
	bool is_error;		/* error=true: a violation fails the build */
};

/*
 * parse df's "# check=" directive into cfg (none: every rule, warnings
 * only); an error naming its line when malformed. lint_config_fini
 * frees it either way.
 */
int lint_config_parse(const struct dockerfile *df, struct lint_config *cfg,
		      struct err **errp);
void lint_config_fini(struct lint_config *cfg);

/*
 * run BuildKit's build checks that depend on the Dockerfile alone
 * (StageNameCasing, FromAsCasing, ConsistentInstructionCasing,
 * ReservedStageName, DuplicateStageName, MaintainerDeprecated,
 * JSONArgsRecommended, MultipleInstructionsDisallowed,
 * LegacyKeyValueFormat, WorkdirRelativePath,
 * FromPlatformFlagConstDisallowed, RedundantTargetPlatform,
 * SecretsUsedInArgOrEnv, ExposeProtoCasing, ExposeInvalidFormat, and
 * lintvars.h's), those
 * cfg does not skip: out gets "NAME:LINE: Rule: message" in line order,
 * rules the names of the rules that fired, once each. Returns how many
 * warnings.
 */
size_t lint_run(const struct dockerfile *df, const struct lint_config *cfg,
		struct strv *out, struct strv *rules);

#endif
