#ifndef DF2NINJA_HEREDOC_H
#define DF2NINJA_HEREDOC_H

#include <stddef.h>

#include "ast.h"

struct err;

/*
 * find the here-document words (<<EOF, <<-EOF, 3<<'EOF', ...) of the
 * logical line line[0, len), as BuildKit's heredocsFromLine does: the line
 * is split into shell words (quotes and escapes kept, so '<<EOF' is not
 * one), and every word matching ^[0-9]*<<-?[^<]+$ whose delimiter is one
 * shell word counts. Appends to *docs (content NULL); returns how many.
 */
int heredoc_find(const char *line, size_t len, struct heredoc **docs,
		 size_t *ndocs, struct err **errp);

#endif
