#include <stdio.h>
#include <sys/utsname.h>

int
main(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		printf("hello from a static binary on %s %s\n", u.sysname, u.machine);
	return 0;
}
