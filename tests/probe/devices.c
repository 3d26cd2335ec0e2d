#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe.h"

/* the first block device in /proc/partitions */
static dev_t
some_disk(void)
{
	char line[256], nm[64];
	unsigned ma, mi;
	unsigned long long blocks;
	dev_t d = 0;
	FILE *f = fopen("/proc/partitions", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %u %llu %63s", &ma, &mi, &blocks, nm) == 4) {
			d = makedev(ma, mi);
			break;
		}
	fclose(f);
	return d;
}

/* mknod dir/probe-node and read from it: what a device node a step
 * makes gives it */
static void
check_mknod(const char *name, const char *dir, mode_t type, dev_t dev)
{
	char path[PATH_MAX], buf[512];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		probe_row(name, "refused", "no directory %s", dir);
		return;
	}
	if (type == S_IFBLK && !dev) {
		probe_row(name, "skipped", "no block device in /proc/partitions");
		return;
	}
	snprintf(path, sizeof(path), "%s/probe-node", strcmp(dir, "/") ? dir : "");
	unlink(path);
	if (mknod(path, type | 0600, dev) < 0) {
		probe_row(name, "refused", "mknod: %s", strerror(errno));
		return;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		probe_row(name, "refused", "mknod worked, open: %s", strerror(errno));
	} else {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			probe_row(name, "allowed", "read %zd bytes from %u:%u", n, major(dev), minor(dev));
		else if (n == 0)
			probe_row(name, "allowed", "opened %u:%u", major(dev), minor(dev));
		else if (probe_is_refusal(errno))
			probe_row(name, "refused", "mknod and open worked, read: %s", strerror(errno));
		else
			probe_row(name, "allowed", "opened %u:%u, read: %s", major(dev), minor(dev),
				  strerror(errno));
		close(fd);
	}
	unlink(path);
}

void
probe_devices(void)
{
	dev_t disk = some_disk();

	check_mknod("mknod_kmsg_root", "/", S_IFCHR, makedev(1, 11));
	check_mknod("mknod_kmsg_dev", "/dev", S_IFCHR, makedev(1, 11));
	check_mknod("mknod_kmsg_devshm", "/dev/shm", S_IFCHR, makedev(1, 11));
	check_mknod("mknod_null_root", "/", S_IFCHR, makedev(1, 3));
	check_mknod("mknod_disk_root", "/", S_IFBLK, disk);
	check_mknod("mknod_disk_dev", "/dev", S_IFBLK, disk);
}
