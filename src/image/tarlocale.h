#ifndef DF2NINJA_TARLOCALE_H
#define DF2NINJA_TARLOCALE_H

#include <locale.h>

/*
 * libarchive converts entry names between the current locale and a tar's
 * charset, so its results depend on the caller's locale. Reading runs under
 * "C", where names come out as the raw bytes of the tar (a UTF-8 locale
 * would NFC-normalise pax names); writing runs under "C.UTF-8", where UTF-8
 * names go into pax headers as they are (under "C" every non-ASCII name
 * would be marked hdrcharset=BINARY). Only the calling thread's locale
 * changes (uselocale).
 */
enum tarlocale_kind {
	TARLOCALE_READ,
	TARLOCALE_WRITE,
};

/* switch this thread to the locale for kind; returns what to restore */
locale_t tarlocale_enter(enum tarlocale_kind kind);
void tarlocale_leave(locale_t saved);

#endif
