#ifndef DF2NINJA_PLATFORM_H
#define DF2NINJA_PLATFORM_H

#include <stdbool.h>

/* an OCI platform, normalised the way containerd's platforms package does */
struct platform {
	char os[32];
	char arch[32];
	char variant[16];	/* "" when none ("v7" for arm/v7) */
};

/* the machine df2ninja runs on: linux and uname's machine in Go's names
 * (x86_64 -> amd64, aarch64 -> arm64, armv7l -> arm/v7, ...) */
void platform_host(struct platform *p);
/*
 * parse "os", "os/arch", "os/arch/variant" or "arch" (missing parts are
 * the host's) and normalise it (aarch64 -> arm64, arm64/v8 -> arm64,
 * arm -> arm/v7, ...); -1 when s is malformed
 */
int platform_parse(const char *s, struct platform *p);
/* "os/arch" or "os/arch/variant" into buf (at least 82 bytes) */
void platform_format(const struct platform *p, char *buf);
bool platform_equal(const struct platform *a, const struct platform *b);

#endif
