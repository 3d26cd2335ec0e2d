#include <locale.h>
#include <pthread.h>

#include "tarlocale.h"

static locale_t read_locale, write_locale;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init(void)
{
	read_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	write_locale = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	/* glibc has C.UTF-8 built in since 2.35; elsewhere "C" is the
	 * best stable choice */
	if (!write_locale)
		write_locale = read_locale;
}

locale_t
tarlocale_enter(enum tarlocale_kind kind)
{
	locale_t l;

	pthread_once(&once, init);
	l = kind == TARLOCALE_READ ? read_locale : write_locale;
	if (!l)
		return uselocale((locale_t)0);
	return uselocale(l);
}

void
tarlocale_leave(locale_t saved)
{
	uselocale(saved);
}
