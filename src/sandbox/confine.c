#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/confine.h"
#include "sandbox/seccomp.h"

static int
drop_bounding(uint64_t caps)
{
	/* PR_CAPBSET_DROP fails with EINVAL past the kernel's last cap */
	for (int cap = 0; cap < 64; cap++)
		if (!(caps >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return errno == EINVAL ? 0 : -1;
	return 0;
}

static int
load_seccomp(void)
{
	struct sock_fprog prog = {
		.len = seccomp_prog_len,
		.filter = (struct sock_filter *)seccomp_prog,
	};

	/* without no_new_privs, as Docker: setuid programs keep working,
	 * which is why CAP_SYS_ADMIN is still needed here */
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int
set_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32) },
	};

	return (int)syscall(SYS_capset, &h, d);
}

int
confine_apply(uint64_t caps, int *step)
{
	*step = CONFINE_BOUNDING;
	if (drop_bounding(caps) < 0)
		return -1;
	/* before capset drops CAP_SYS_ADMIN */
	*step = CONFINE_SECCOMP;
	if (load_seccomp() < 0)
		return -1;
	*step = CONFINE_CAPSET;
	if (set_caps(caps) < 0)
		return -1;
	*step = CONFINE_AMBIENT;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -1;
	return 0;
}

const char *
confine_step_what(int step)
{
	switch ((enum confine_step)step) {
	case CONFINE_BOUNDING:
		return "dropping capabilities from the bounding set";
	case CONFINE_SECCOMP:
		return "loading the seccomp filter";
	case CONFINE_CAPSET:
		return "setting the capabilities";
	case CONFINE_AMBIENT:
		return "clearing the ambient capabilities";
	}
	return "confining the step";
}
