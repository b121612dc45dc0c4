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

#endif
