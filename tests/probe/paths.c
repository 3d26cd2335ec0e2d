#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe.h"

#define PROC_MAGIC	0x9fa0
#define SYSFS_MAGIC	0x62656572
#define TMPFS_MAGIC	0x01021994

static const char *
fs_name(long type)
{
	switch (type) {
	case PROC_MAGIC: return "proc";
	case SYSFS_MAGIC: return "sysfs";
	case TMPFS_MAGIC: return "tmpfs";
	case 0x794c7630: return "overlay";
	case 0xef53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683e: return "btrfs";
	default: return "other";
	}
}

static void
check_proc_sys_write(void)
{
	const char *path = "/proc/sys/vm/overcommit_memory";
	char val[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_row("proc_sys_write", "refused", "open for reading: %s", strerror(errno));
		return;
	}
	n = read(fd, val, sizeof(val));
	close(fd);
	if (n <= 0) {
		probe_row("proc_sys_write", "refused", "cannot read %s", path);
		return;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_row("proc_sys_write", "refused", "open for writing: %s", strerror(errno));
		return;
	}
	/* the very value it holds: a host-wide knob, left as it was */
	if (write(fd, val, (size_t)n) != n)
		probe_row("proc_sys_write", "refused", "write: %s", strerror(errno));
	else
		probe_row("proc_sys_write", "allowed", "wrote %s (the same value)", path);
	close(fd);
}

static void
check_open_write(const char *name, const char *path)
{
	/* opened and closed: nothing is written */
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		probe_row(name, "refused", "%s", strerror(errno));
		return;
	}
	close(fd);
	probe_row(name, "allowed", "%s opened for writing", path);
}

/* a path Docker mounts read-only */
static void
check_readonly(const char *name, const char *path)
{
	struct statvfs sv;

	if (statvfs(path, &sv) < 0)
		probe_row(name, "refused", "%s", strerror(errno));
	else if (sv.f_flag & ST_RDONLY)
		probe_row(name, "refused", "read-only mount");
	else
		probe_row(name, "allowed", "%s is on a writable mount", path);
}

/*
 * a path Docker masks: a file with /dev/null bound over it, a directory
 * with an empty read-only tmpfs. It is masked when it is gone or no
 * longer on the filesystem it belongs to.
 */
static void
check_masked(const char *name, const char *path, long magic)
{
	struct statfs sf;
	struct stat st;
	char buf[64];
	ssize_t n;
	int fd, entries = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		probe_row(name, "refused", "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0) {
		probe_row(name, "refused", "stat: %s", strerror(errno));
		close(fd);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				entries++;
		if (d)
			closedir(d);
		else
			close(fd);
		if (sf.f_type == magic)
			probe_row(name, "allowed", "%s: %d entries", fs_name(sf.f_type), entries);
		else
			probe_row(name, "refused", "masked: %s, %d entries", fs_name(sf.f_type), entries);
		return;
	}
	if (S_ISCHR(st.st_mode)) {
		probe_row(name, "refused", "masked: char device %u:%u",
			  major(st.st_rdev), minor(st.st_rdev));
		close(fd);
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (sf.f_type != magic)
		probe_row(name, "refused", "masked: %s", fs_name(sf.f_type));
	else if (n < 0)
		probe_row(name, "refused", "read: %s", strerror(errno));
	else
		probe_row(name, "allowed", "%s: read %zd bytes", fs_name(sf.f_type), n);
}

void
probe_paths(void)
{
	check_proc_sys_write();
	check_open_write("sysrq_trigger", "/proc/sysrq-trigger");
	check_readonly("ro_proc_sys", "/proc/sys");
	check_readonly("ro_proc_irq", "/proc/irq");
	check_readonly("ro_proc_bus", "/proc/bus");
	check_readonly("ro_proc_fs", "/proc/fs");
	check_readonly("ro_sys", "/sys");
	check_masked("masked_proc_kcore", "/proc/kcore", PROC_MAGIC);
	check_masked("masked_proc_keys", "/proc/keys", PROC_MAGIC);
	check_masked("masked_proc_timer_list", "/proc/timer_list", PROC_MAGIC);
	check_masked("masked_proc_latency_stats", "/proc/latency_stats", PROC_MAGIC);
	check_masked("masked_proc_timer_stats", "/proc/timer_stats", PROC_MAGIC);
	check_masked("masked_proc_sched_debug", "/proc/sched_debug", PROC_MAGIC);
	check_masked("masked_proc_acpi", "/proc/acpi", PROC_MAGIC);
	check_masked("masked_proc_scsi", "/proc/scsi", PROC_MAGIC);
	check_masked("masked_proc_asound", "/proc/asound", PROC_MAGIC);
	check_masked("masked_sys_firmware", "/sys/firmware", SYSFS_MAGIC);
	check_masked("masked_sys_powercap", "/sys/devices/virtual/powercap", SYSFS_MAGIC);
}
