/* hello: says which architecture it was compiled for and which one the
 * kernel (or QEMU) says it runs on */
#include <stdio.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define ARCH "x86_64"
#elif defined(__aarch64__)
#define ARCH "aarch64"
#else
#define ARCH "another architecture"
#endif

int
main(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return 1;
	printf("hello from %s, running on %s\n", ARCH, u.machine);
	return 0;
}
