#ifndef DF2NINJA_ARCHIVE_DL_H
#define DF2NINJA_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

struct err;

/*
 * libarchive, loaded the first time a tar is read or written.
 *
 * Every `df2ninja exec` is a process of its own, and most steps (RUN,
 * COPY, WORKDIR) read no tar and write none: a step names its layer by
 * its sum (layer_sum.h), and only FROM, ADD of an archive, COPY --from an
 * image and the export use tar. Linked normally, libarchive and what it
 * pulls in (libxml2, ICU, libstdc++, nettle, acl, four compressors) cost
 * about 1.6 ms of loading and relocation at every start, measured here.
 * So the files that use libarchive include this header instead of
 * archive.h: the calls below go through a table filled by
 * dlopen("libarchive.so.13") on first use. The names are libarchive's own
 * (the types come from archive.h), so the code reads as plain libarchive.
 */
#define ARCHIVE_DL_FUNCS(X) \
	X(archive_entry_atime) \
	X(archive_entry_atime_is_set) \
	X(archive_entry_atime_nsec) \
	X(archive_entry_clear) \
	X(archive_entry_copy_hardlink) \
	X(archive_entry_copy_pathname) \
	X(archive_entry_copy_symlink) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_gid) \
	X(archive_entry_hardlink) \
	X(archive_entry_mode) \
	X(archive_entry_mtime) \
	X(archive_entry_mtime_nsec) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_perm) \
	X(archive_entry_rdev) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_rdevmajor) \
	X(archive_entry_set_rdevminor) \
	X(archive_entry_set_size) \
	X(archive_entry_set_uid) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_entry_symlink) \
	X(archive_entry_uid) \
	X(archive_entry_xattr_add_entry) \
	X(archive_entry_xattr_next) \
	X(archive_entry_xattr_reset) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_read_data) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_open_fd) \
	X(archive_read_open_filename) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_filter_bzip2) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_xz) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_empty) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_set_error) \
	X(archive_write_add_filter_none) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open) \
	X(archive_write_open_fd) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_bytes_per_block) \
	X(archive_write_set_format_option) \
	X(archive_write_set_format_pax_restricted)

#define ARCHIVE_DL_FIELD(f) __typeof__(f) *f;
struct archive_fns {
	ARCHIVE_DL_FUNCS(ARCHIVE_DL_FIELD)
};
#undef ARCHIVE_DL_FIELD

/* the table; it is filled by archive_dl_load */
extern struct archive_fns archive_fns;

/* load libarchive now (once, whatever the thread); an error says why it
 * cannot be loaded. Every way into libarchive (layer_in_open, the tar
 * writers, docker_in, untar) calls it first and reports its error: the
 * macros below are only reached once it succeeded. */
int archive_dl_load(struct err **errp);

#ifndef ARCHIVE_DL_IMPLEMENTATION
#define archive_entry_atime(...) (archive_fns.archive_entry_atime(__VA_ARGS__))
#define archive_entry_atime_is_set(...) (archive_fns.archive_entry_atime_is_set(__VA_ARGS__))
#define archive_entry_atime_nsec(...) (archive_fns.archive_entry_atime_nsec(__VA_ARGS__))
#define archive_entry_clear(...) (archive_fns.archive_entry_clear(__VA_ARGS__))
#define archive_entry_copy_hardlink(...) (archive_fns.archive_entry_copy_hardlink(__VA_ARGS__))
#define archive_entry_copy_pathname(...) (archive_fns.archive_entry_copy_pathname(__VA_ARGS__))
#define archive_entry_copy_symlink(...) (archive_fns.archive_entry_copy_symlink(__VA_ARGS__))
#define archive_entry_filetype(...) (archive_fns.archive_entry_filetype(__VA_ARGS__))
#define archive_entry_free(...) (archive_fns.archive_entry_free(__VA_ARGS__))
#define archive_entry_gid(...) (archive_fns.archive_entry_gid(__VA_ARGS__))
#define archive_entry_hardlink(...) (archive_fns.archive_entry_hardlink(__VA_ARGS__))
#define archive_entry_mode(...) (archive_fns.archive_entry_mode(__VA_ARGS__))
#define archive_entry_mtime(...) (archive_fns.archive_entry_mtime(__VA_ARGS__))
#define archive_entry_mtime_nsec(...) (archive_fns.archive_entry_mtime_nsec(__VA_ARGS__))
#define archive_entry_new(...) (archive_fns.archive_entry_new(__VA_ARGS__))
#define archive_entry_pathname(...) (archive_fns.archive_entry_pathname(__VA_ARGS__))
#define archive_entry_perm(...) (archive_fns.archive_entry_perm(__VA_ARGS__))
#define archive_entry_rdev(...) (archive_fns.archive_entry_rdev(__VA_ARGS__))
#define archive_entry_set_filetype(...) (archive_fns.archive_entry_set_filetype(__VA_ARGS__))
#define archive_entry_set_gid(...) (archive_fns.archive_entry_set_gid(__VA_ARGS__))
#define archive_entry_set_mtime(...) (archive_fns.archive_entry_set_mtime(__VA_ARGS__))
#define archive_entry_set_pathname(...) (archive_fns.archive_entry_set_pathname(__VA_ARGS__))
#define archive_entry_set_perm(...) (archive_fns.archive_entry_set_perm(__VA_ARGS__))
#define archive_entry_set_rdevmajor(...) (archive_fns.archive_entry_set_rdevmajor(__VA_ARGS__))
#define archive_entry_set_rdevminor(...) (archive_fns.archive_entry_set_rdevminor(__VA_ARGS__))
#define archive_entry_set_size(...) (archive_fns.archive_entry_set_size(__VA_ARGS__))
#define archive_entry_set_uid(...) (archive_fns.archive_entry_set_uid(__VA_ARGS__))
#define archive_entry_size(...) (archive_fns.archive_entry_size(__VA_ARGS__))
#define archive_entry_size_is_set(...) (archive_fns.archive_entry_size_is_set(__VA_ARGS__))
#define archive_entry_symlink(...) (archive_fns.archive_entry_symlink(__VA_ARGS__))
#define archive_entry_uid(...) (archive_fns.archive_entry_uid(__VA_ARGS__))
#define archive_entry_xattr_add_entry(...) (archive_fns.archive_entry_xattr_add_entry(__VA_ARGS__))
#define archive_entry_xattr_next(...) (archive_fns.archive_entry_xattr_next(__VA_ARGS__))
#define archive_entry_xattr_reset(...) (archive_fns.archive_entry_xattr_reset(__VA_ARGS__))
#define archive_errno(...) (archive_fns.archive_errno(__VA_ARGS__))
#define archive_error_string(...) (archive_fns.archive_error_string(__VA_ARGS__))
#define archive_read_data(...) (archive_fns.archive_read_data(__VA_ARGS__))
#define archive_read_data_block(...) (archive_fns.archive_read_data_block(__VA_ARGS__))
#define archive_read_free(...) (archive_fns.archive_read_free(__VA_ARGS__))
#define archive_read_new(...) (archive_fns.archive_read_new(__VA_ARGS__))
#define archive_read_next_header(...) (archive_fns.archive_read_next_header(__VA_ARGS__))
#define archive_read_open(...) (archive_fns.archive_read_open(__VA_ARGS__))
#define archive_read_open_fd(...) (archive_fns.archive_read_open_fd(__VA_ARGS__))
#define archive_read_open_filename(...) (archive_fns.archive_read_open_filename(__VA_ARGS__))
#define archive_read_support_filter_all(...) (archive_fns.archive_read_support_filter_all(__VA_ARGS__))
#define archive_read_support_filter_bzip2(...) (archive_fns.archive_read_support_filter_bzip2(__VA_ARGS__))
#define archive_read_support_filter_gzip(...) (archive_fns.archive_read_support_filter_gzip(__VA_ARGS__))
#define archive_read_support_filter_xz(...) (archive_fns.archive_read_support_filter_xz(__VA_ARGS__))
#define archive_read_support_filter_zstd(...) (archive_fns.archive_read_support_filter_zstd(__VA_ARGS__))
#define archive_read_support_format_empty(...) (archive_fns.archive_read_support_format_empty(__VA_ARGS__))
#define archive_read_support_format_raw(...) (archive_fns.archive_read_support_format_raw(__VA_ARGS__))
#define archive_read_support_format_tar(...) (archive_fns.archive_read_support_format_tar(__VA_ARGS__))
#define archive_set_error(...) (archive_fns.archive_set_error(__VA_ARGS__))
#define archive_write_add_filter_none(...) (archive_fns.archive_write_add_filter_none(__VA_ARGS__))
#define archive_write_close(...) (archive_fns.archive_write_close(__VA_ARGS__))
#define archive_write_data(...) (archive_fns.archive_write_data(__VA_ARGS__))
#define archive_write_free(...) (archive_fns.archive_write_free(__VA_ARGS__))
#define archive_write_header(...) (archive_fns.archive_write_header(__VA_ARGS__))
#define archive_write_new(...) (archive_fns.archive_write_new(__VA_ARGS__))
#define archive_write_open(...) (archive_fns.archive_write_open(__VA_ARGS__))
#define archive_write_open_fd(...) (archive_fns.archive_write_open_fd(__VA_ARGS__))
#define archive_write_set_bytes_in_last_block(...) (archive_fns.archive_write_set_bytes_in_last_block(__VA_ARGS__))
#define archive_write_set_bytes_per_block(...) (archive_fns.archive_write_set_bytes_per_block(__VA_ARGS__))
#define archive_write_set_format_option(...) (archive_fns.archive_write_set_format_option(__VA_ARGS__))
#define archive_write_set_format_pax_restricted(...) (archive_fns.archive_write_set_format_pax_restricted(__VA_ARGS__))
#endif

#endif
