#ifndef DF2NINJA_UTIL_CSV_H
#define DF2NINJA_UTIL_CSV_H

struct strv;

/*
 * one CSV record, as Go's encoding/csv reads it (BuildKit's and docker's
 * --mount, --secret): fields split at ',', a field that starts with '"'
 * quoted up to the next lone '"' (commas in it are the field's, "" is
 * one '"'). Appends the fields to out; -1 with *why (a static message,
 * Go's wording) on a bare '"' in an unquoted field or a quoted field not
 * closed or followed by something other than ','.
 */
int csv_split(const char *s, struct strv *out, const char **why);
/* f as one CSV field that csv_split reads back: quoted when it holds a
 * ',', '"' or line break; caller frees */
char *csv_field(const char *f);

#endif
