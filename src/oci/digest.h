#ifndef DF2NINJA_DIGEST_H
#define DF2NINJA_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_LEN (7 + 64 + 1)

/* a streaming SHA-256 (OpenSSL's libcrypto, which uses the CPU's SHA
 * instructions) */
struct digest;

struct digest *digest_new(void);
void digest_update(struct digest *d, const void *data, size_t len);
/* write "sha256:<hex>" to out and free d */
void digest_final(struct digest *d, char out[DIGEST_LEN]);
/* free d without a result; accepts NULL */
void digest_free(struct digest *d);
/* one-shot digest of a buffer */
void digest_buf(const void *data, size_t len, char out[DIGEST_LEN]);
/* digest of a whole file; *size (may be NULL) gets its length */
int digest_file(const char *path, char out[DIGEST_LEN], long long *size,
		struct err **errp);
/* true for "sha256:" followed by exactly 64 lower-case hex digits */
bool digest_valid(const char *s);

#endif
