#ifndef DF2NINJA_SANDBOX_SECCOMP_H
#define DF2NINJA_SANDBOX_SECCOMP_H

#include <linux/filter.h>

/*
 * the steps' seccomp filter (Docker's default profile, see seccomp_gen.c),
 * compiled to BPF at build time for this architecture
 */
extern const struct sock_filter seccomp_prog[];
extern const unsigned short seccomp_prog_len;

#endif
