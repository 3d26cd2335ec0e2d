#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "exec/emulate.h"
#include "image/image.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fs.h"

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define QEMU_HINT "install QEMU user mode with `apt-get install qemu-user-static " \
	"binfmt-support` (it registers its binfmt_misc entries with the F flag)"

/* what a binfmt_misc entry must match in an ELF header of the platform:
 * class (1: 32-bit, 2: 64-bit), data (1: little, 2: big endian) and
 * e_machine; qemu is QEMU's name for the CPU */
struct elf_machine {
	const char *arch, *qemu;
	unsigned char class, data;
	unsigned machine;
};

static const struct elf_machine machines[] = {
	{ "amd64", "x86_64", 2, 1, 62 },
	{ "386", "i386", 1, 1, 3 },
	{ "arm64", "aarch64", 2, 1, 183 },
	{ "arm", "arm", 1, 1, 40 },
	{ "ppc64le", "ppc64le", 2, 1, 21 },
	{ "ppc64", "ppc64", 2, 2, 21 },
	{ "s390x", "s390x", 2, 2, 22 },
	{ "riscv64", "riscv64", 2, 1, 243 },
	{ "mips64le", "mips64el", 2, 1, 8 },
	{ "mips64", "mips64", 2, 2, 8 },
	{ "mipsle", "mipsel", 1, 1, 8 },
	{ "mips", "mips", 1, 2, 8 },
	{ "loong64", "loongarch64", 2, 1, 258 },
};

bool
emulate_is_foreign(const struct image_config *cfg, struct platform *p)
{
	const char *os = json_string_value(json_object_get(cfg->json, "os"));
	const char *arch = json_string_value(json_object_get(cfg->json, "architecture"));
	const char *var = json_string_value(json_object_get(cfg->json, "variant"));
	autofree char *s = NULL;
	struct platform host;

	platform_host(&host);
	*p = host;
	if (!arch || !*arch)
		return false;	/* a config without one is the host's */
	s = xasprintf("%s/%s%s%s", os && *os ? os : "linux", arch,
		      var && *var ? "/" : "", var && *var ? var : "");
	if (platform_parse(s, p) < 0)
		return false;
	return !platform_equal(p, &host);
}

/* the byte at offset i of an entry's hex string (-1 past its end) */
static int
hex_byte(const char *hex, size_t len, size_t i)
{
	unsigned v;

	if (2 * i + 2 > len || sscanf(hex + 2 * i, "%2x", &v) != 1)
		return -1;
	return (int)v;
}

/* the value of a "key value" line of an entry, borrowed; NULL if none */
static const char *
entry_field(const char *text, const char *key, size_t *len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			*len = strcspn(l + kl + 1, "\n");
			return l + kl + 1;
		}
	}
	return NULL;
}

/* true when the entry (its text) matches m's ELF header */
static bool
entry_matches(const char *text, const struct elf_machine *m)
{
	size_t ml = 0, kl = 0, ol = 0;
	const char *magic = entry_field(text, "magic", &ml);
	const char *mask = entry_field(text, "mask", &kl);
	const char *off = entry_field(text, "offset", &ol);
	const int want[20] = { 0x7f, 'E', 'L', 'F', m->class, m->data,
			       [18] = m->data == 1 ? (int)(m->machine & 0xff) : (int)(m->machine >> 8),
			       [19] = m->data == 1 ? (int)(m->machine >> 8) : (int)(m->machine & 0xff) };
	static const int checked[] = { 0, 1, 2, 3, 4, 5, 18, 19 };

	if (!magic || !off || strncmp(off, "0", ol) != 0 || ol != 1)
		return false;
	for (size_t i = 0; i < countof(checked); i++) {
		size_t at = (size_t)checked[i];
		int b = hex_byte(magic, ml, at);
		int k = mask ? hex_byte(mask, kl, at) : 0xff;

		if (b < 0 || k < 0 || (b & k) != (want[at] & k))
			return false;
	}
	return true;
}

/* the text of entry name in dir (NULL when it cannot be read) */
static char *
entry_read(const char *dir, const char *name)
{
	autofree char *path = xasprintf("%s/%s", dir, name);
	struct err *e = NULL;
	char *text = NULL;
	size_t len;

	if (fs_read_file(path, &text, &len, &e) < 0) {
		err_free(e);
		return NULL;
	}
	return text;
}

/* the entry of dir for m: 0 and its text, or 1 when there is none */
static int
entry_find(const char *dir, const struct elf_machine *m, char **name, char **text,
	   struct err **errp)
{
	autofree char *own = xasprintf("qemu-%s", m->qemu);
	DIR *d;
	struct dirent *de;

	/* qemu-user-static's name first, then any entry for that machine */
	*text = entry_read(dir, own);
	if (*text && entry_matches(*text, m)) {
		*name = steal_pointer(&own);
		return 0;
	}
	free(*text);
	*text = NULL;
	d = opendir(dir);
	if (!d)
		return err_make(errp, errno, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "register") ||
		    !strcmp(de->d_name, "status"))
			continue;
		*text = entry_read(dir, de->d_name);
		if (*text && entry_matches(*text, m)) {
			*name = xstrdup(de->d_name);
			closedir(d);
			return 0;
		}
		free(*text);
		*text = NULL;
	}
	closedir(d);
	return 1;
}

int
emulate_check(const struct platform *p, char **interp, struct err **errp)
{
	const char *dir = getenv("DF2NINJA_BINFMT_DIR");
	const struct elf_machine *m = NULL;
	autofree char *status = NULL, *name = NULL, *text = NULL;
	const char *v;
	size_t len;
	char pname[96];
	int r;

	platform_format(p, pname);
	if (!dir || !*dir)
		dir = BINFMT_DIR;
	for (size_t i = 0; i < countof(machines); i++)
		if (!strcmp(machines[i].arch, p->arch))
			m = &machines[i];
	if (!m)
		return err_make(errp, 0, "cannot emulate platform %s: df2ninja knows no "
				"QEMU CPU for architecture '%s'", pname, p->arch);
	status = entry_read(dir, "status");
	if (!status)
		return err_make(errp, 0, "RUN on platform %s needs QEMU user mode, and "
				"binfmt_misc is not mounted on %s: mount it (`mount -t "
				"binfmt_misc binfmt_misc %s`) and %s", pname, dir, dir,
				QEMU_HINT);
	if (strncmp(status, "enabled", 7) != 0)
		return err_make(errp, 0, "RUN on platform %s needs QEMU user mode, and "
				"binfmt_misc is disabled (%s/status): enable it (echo 1 "
				">%s/status)", pname, dir, dir);
	r = entry_find(dir, m, &name, &text, errp);
	if (r < 0)
		return -1;
	if (r > 0)
		return err_make(errp, 0, "RUN on platform %s needs QEMU user mode, and no "
				"binfmt_misc entry in %s runs %s binaries: %s", pname, dir,
				m->qemu, QEMU_HINT);
	if (strncmp(text, "enabled", 7) != 0)
		return err_make(errp, 0, "RUN on platform %s needs QEMU user mode, and the "
				"binfmt_misc entry %s/%s is disabled: enable it (`update-binfmts "
				"--enable %s`)", pname, dir, name, name);
	v = entry_field(text, "flags:", &len);
	if (!v || !memchr(v, 'F', len))
		return err_make(errp, 0, "RUN on platform %s needs QEMU user mode, and the "
				"binfmt_misc entry %s/%s lacks the F flag (its interpreter "
				"would be looked up inside the build's root): %s", pname, dir,
				name, QEMU_HINT);
	v = entry_field(text, "interpreter", &len);
	*interp = v ? xasprintf("%.*s", (int)len, v) : xstrdup("?");
	return 0;
}
