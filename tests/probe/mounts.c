#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

static const char *
scratch_dir(void)
{
	static const char *const dirs[] = { "/probe-mnt", "/tmp/probe-mnt", "/dev/shm/probe-mnt" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0700) == 0 || errno == EEXIST)
			return dirs[i];
	return NULL;
}

static void
check_mount(const char *name, const char *fstype, const char *data)
{
	const char *dir = scratch_dir();

	if (!dir) {
		probe_row(name, "skipped", "no directory to mount on");
		return;
	}
	if (mount("probe", dir, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, data) == 0) {
		umount2(dir, MNT_DETACH);
		probe_row(name, "allowed", "mounted %s%s%s, unmounted it", fstype,
			  data ? " -o " : "", data ? data : "");
	} else {
		probe_reach_row(name, -1, errno);
	}
	rmdir(dir);
}

static void
check_fsopen(void)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);

	if (fs >= 0)
		close(fs);
	probe_reach_row("fsopen_tmpfs", fs, errno);
}

/* the MS_ flags of the mount at path, as statvfs reports them */
static unsigned long
ms_flags(const struct statvfs *sv)
{
	unsigned long f = 0;

	if (sv->f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv->f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv->f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv->f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv->f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv->f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv->f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static void
check_remount_sys(void)
{
	struct statvfs sv;
	unsigned long was;

	if (statvfs("/sys", &sv) < 0) {
		probe_row("remount_sys_rw", "refused", "no /sys: %s", strerror(errno));
		return;
	}
	was = ms_flags(&sv);
	/* only RDONLY dropped: a flag the kernel locks would fail for itself */
	if (mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND | (was & ~MS_RDONLY), NULL) < 0) {
		probe_reach_row("remount_sys_rw", -1, errno);
		return;
	}
	mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND | was, NULL);
	probe_row("remount_sys_rw", "allowed", "remounted /sys read-write%s",
		  was & MS_RDONLY ? ", then read-only again" : " (it was not read-only)");
}

static void
check_mount_setattr_sys(void)
{
	struct mount_attr ma = { .attr_clr = MOUNT_ATTR_RDONLY };
	struct statvfs sv;
	long r;

	if (statvfs("/sys", &sv) < 0) {
		probe_row("mount_setattr_sys_rw", "refused", "no /sys: %s", strerror(errno));
		return;
	}
	r = syscall(SYS_mount_setattr, AT_FDCWD, "/sys", 0, &ma, sizeof(ma));
	if (r < 0) {
		probe_reach_row("mount_setattr_sys_rw", r, errno);
		return;
	}
	if (sv.f_flag & ST_RDONLY) {
		ma = (struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY };
		syscall(SYS_mount_setattr, AT_FDCWD, "/sys", 0, &ma, sizeof(ma));
	}
	probe_row("mount_setattr_sys_rw", "allowed", "cleared RDONLY on /sys%s",
		  sv.f_flag & ST_RDONLY ? ", then set it again" : " (it was not read-only)");
}

void
probe_mounts(void)
{
	check_mount("mount_tmpfs", "tmpfs", "size=64k");
	check_mount("mount_proc", "proc", NULL);
	check_mount("mount_sysfs", "sysfs", NULL);
	check_mount("mount_cgroup2", "cgroup2", NULL);
	check_mount("mount_cgroup1", "cgroup", "memory");
	check_fsopen();
	check_remount_sys();
	check_mount_setattr_sys();
}

/* unmount a mask to see what is under it; bind /dev/null back after */
void
probe_umount_mask(void)
{
	static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list" };
	const char *path = NULL;
	struct stat st;
	bool was_masked;

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]) && !path; i++)
		if (stat(masked[i], &st) == 0)
			path = masked[i];
	if (!path) {
		probe_row("umount_masked", "skipped", "none of Docker's masked files is there");
		return;
	}
	was_masked = S_ISCHR(st.st_mode);
	if (umount2(path, MNT_DETACH) < 0) {
		probe_reach_row("umount_masked", -1, errno);
		return;
	}
	if (was_masked)
		mount("/dev/null", path, NULL, MS_BIND, NULL);
	probe_row("umount_masked", "allowed", "unmounted %s%s", path,
		  was_masked ? ", bound /dev/null over it again" : "");
}
