#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci/signame.h"
#include "util/alloc.h"

bool
signame_is_valid(const char *s)
{
	static const char *const names[] = {
		"ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP",
		"ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
		"QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
		"TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU",
		"XFSZ", "RTMIN", "RTMAX",
	};
	char up[32];
	size_t i, n;
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s && !*end)
		return !errno && v > 0 && v <= 0x7fffffffL;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	n = strlen(s);
	if (n >= sizeof(up))
		return false;
	for (i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	for (i = 0; i < countof(names); i++)
		if (!strcmp(up, names[i]))
			return true;
	/* RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1 */
	if ((!strncmp(up, "RTMIN+", 6) || !strncmp(up, "RTMAX-", 6)) &&
	    isdigit((unsigned char)up[6])) {
		v = strtol(up + 6, &end, 10);
		return !*end && v >= 1 && v <= (up[5] == '+' ? 15 : 14);
	}
	return false;
}
