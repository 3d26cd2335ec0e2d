#ifndef DF2NINJA_HISTORY_H
#define DF2NINJA_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct strv;

/*
 * The created_by strings of an image's history, as BuildKit's Dockerfile
 * frontend writes them (dockerfile2llb): its messages are Go's fmt verbs
 * applied to its own values, so these helpers print those values the way
 * Go does. A step that makes a layer ends its message with " # buildkit".
 */

/*
 * the "comment" of each history entry a step adds: BuildKit's Dockerfile
 * frontend's, since the entries follow its rules (docs: a tool that sorts
 * images by it sees the same as for BuildKit's)
 */
#define HISTORY_COMMENT "buildkit.dockerfile.v0"

/* Go's %v of a []string: "[a b c]" */
void history_list(struct buf *b, const char *const *v, size_t n);
/* Go's %q of a []string: "[\"a\" \"b\"]" */
void history_quoted(struct buf *b, const char *const *v, size_t n);
/* Go's time.Duration String() of ns nanoseconds: "0s", "1m30s", "1.5s",
 * "500ms" */
void history_duration(struct buf *b, long long ns);

/* the message of a COPY or ADD: "COPY [--parents] [--chown=U] [--chmod=M]
 * src... [<<heredoc...] dest # buildkit", every word as expanded; --from,
 * --link and --exclude are not shown */
char *history_copy(bool is_add, bool parents, const char *chown, const char *chmod,
		   const struct strv *srcs, const char *const *heredocs,
		   size_t nheredocs, const char *dest);

#endif
