#ifndef DF2NINJA_UNITS_H
#define DF2NINJA_UNITS_H

/*
 * sizes and durations as docker's command line spells them
 */

/* a size, docker's RAMInBytes: "N[.N][ ][kmgtp][i][b]" in any case, the
 * units powers of 1024 ("64m", "1.5GiB", "512"); 0 with *bytes set (at
 * least 1), or -1 */
int units_parse_size(const char *spec, long long *bytes);
/* a duration, Go's time.ParseDuration without a sign plus days: numbers
 * (with fractions) each followed by one of ns us ms s m h d, e.g. "24h",
 * "7d", "1h30m", or "0"; 0 with *secs set (rounded down), or -1 */
int units_parse_duration(const char *spec, long long *secs);

#endif
