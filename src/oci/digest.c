#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * libcrypto's own SHA-256 functions, not the EVP interface: they run the
 * same code (with the CPU's SHA instructions), but EVP in OpenSSL 3 first
 * starts its provider machinery, which registers every algorithm it knows:
 * 0.6 ms at the start of every step, measured here. OpenSSL 3 marks these
 * functions deprecated in favour of EVP; they are still part of its API.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "oci/digest.h"
#include "util/alloc.h"
#include "util/err.h"

struct digest {
	SHA256_CTX ctx;
};

struct digest *
digest_new(void)
{
	struct digest *d = xmalloc(sizeof(*d));

	SHA256_Init(&d->ctx);
	return d;
}

void
digest_update(struct digest *d, const void *data, size_t len)
{
	if (len)
		SHA256_Update(&d->ctx, data, len);
}

void
digest_final(struct digest *d, char out[DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256_Final(md, &d->ctx);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[DIGEST_LEN - 1] = '\0';
	digest_free(d);
}

void
digest_free(struct digest *d)
{
	if (!d)
		return;
	free(d);
}

void
digest_buf(const void *data, size_t len, char out[DIGEST_LEN])
{
	struct digest *d = digest_new();

	digest_update(d, data, len);
	digest_final(d, out);
}

int
digest_file(const char *path, char out[DIGEST_LEN], long long *size,
	    struct err **errp)
{
	char chunk[1 << 16];
	struct digest *d;
	long long total = 0;
	ssize_t n;
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_make(errp, errno, "cannot open '%s'", path);
	d = digest_new();
	for (;;) {
		n = TEMP_FAILURE_RETRY_INT(read(fd, chunk, sizeof(chunk)));
		if (n < 0) {
			int e = errno;

			digest_free(d);
			return err_make(errp, e, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		digest_update(d, chunk, (size_t)n);
		total += n;
	}
	digest_final(d, out);
	if (size)
		*size = total;
	return 0;
}

bool
digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}
