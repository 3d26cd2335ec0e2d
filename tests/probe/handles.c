#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

void
probe_handles(void)
{
	const char *path = "/etc/resolv.conf";
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	int mount_id, mfd, fd, entries = 0;

	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		probe_row("name_to_handle_at", "skipped", "cannot open %s: %s", path, strerror(errno));
		probe_row("open_by_handle_at", "skipped", "cannot open %s", path);
		probe_row("shocker", "skipped", "cannot open %s", path);
		return;
	}
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0) {
		probe_reach_row("name_to_handle_at", -1, errno);
		/* the handle of the file itself is unknown: the guessed one below */
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
		memset(h.fh.f_handle, 0, 8);
		h.fh.f_handle[0] = 2;
	} else {
		probe_row("name_to_handle_at", "allowed", "handle type %d, %u bytes",
			  h.fh.handle_type, h.fh.handle_bytes);
	}
	/* reopen the file through its own handle: the call itself works */
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		probe_row("open_by_handle_at", "allowed", "reopened %s by its handle", path);
	} else {
		probe_reach_row("open_by_handle_at", -1, errno);
	}
	/*
	 * the attack: the root directory of the filesystem holding the file
	 * bound in from the host (on ext4, inode 2 of generation 0 as
	 * FILEID_INO32_GEN). Only read.
	 */
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = 8;
	h.fh.handle_type = 1;
	h.fh.f_handle[0] = 2;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *de;

		while (d && (de = readdir(d)))
			entries++;
		if (d)
			closedir(d);
		else
			close(fd);
		probe_row("shocker", "allowed", "opened the root of the filesystem under %s: %d entries",
			  path, entries);
	} else if (probe_is_refusal(errno)) {
		probe_row("shocker", "refused", "%s", strerror(errno));
	} else {
		/* ESTALE, EINVAL: not ext4, but nothing stopped the call */
		probe_row("shocker", "allowed", "syscall reached the kernel: %s", strerror(errno));
	}
	close(mfd);
}
