/*
 * text.h - small pure predicates over C strings that the configuration
 * parsers share (one definition each, used wherever a parser needs it).
 *
 *	text_all_digits("465") -> true;  text_all_digits("") -> false
 *
 * No diagnostics: a predicate answers, it does not complain.
 */
#ifndef MTA_TEXT_H
#define MTA_TEXT_H

#include <stdbool.h>

/* text_all_digits - s is non-empty and holds only the ASCII digits 0-9. */
bool text_all_digits(const char *s);
/*
 * text_duration_ms - a Prometheus-style duration ("500ms", "30s", "10m",
 * "1h", "1h30m") into *ms; 0, or -1 when s is no duration or exceeds a
 * day.
 */
int text_duration_ms(const char *s, long long *ms);

#endif
