/*
 * escape.h - escaping of arbitrary bytes for JSON strings, logfmt values
 * and XML text and attribute values.
 *
 * Text from configuration files is arbitrary bytes: it may hold control
 * characters, quotes, or byte sequences that are not UTF-8.  One function,
 * escape_unit(), turns the next character of such a string into output that
 * keeps a record on one line and, for JSON, valid:
 *
 *	input                   ESCAPE_JSON        ESCAPE_LOGFMT
 *	"  \                    \"  \\             \"  \\
 *	newline, CR, tab        \n  \r  \t         \n  \r  \t
 *	other C0 controls, DEL  \u00XX             \xXX
 *	valid UTF-8 (U+0080..)  copied             copied
 *	a byte that does not    \ufffd (one per    \xXX (the byte itself,
 *	start valid UTF-8       byte)              so nothing is lost)
 *
 * ESCAPE_XML (the audit's JUnit report) writes & < > " ' as entities,
 * newline, CR and tab as character references (&#10; &#13; &#9;, so an
 * attribute keeps them), copies valid UTF-8 and DEL, and writes U+FFFD
 * (as UTF-8) for the other C0 controls, for U+FFFE and U+FFFF and for each
 * byte that does not start valid UTF-8: XML 1.0 cannot hold those at all,
 * not even as references.
 *
 * Valid UTF-8 is what RFC 3629 allows: no overlong forms, no surrogates,
 * nothing above U+10FFFF.  A JSON reader sees U+FFFD (the Unicode
 * replacement character, what Go's encoding/json writes for invalid bytes)
 * where the input was not text; the logfmt form keeps the exact bytes.
 *
 * escape_utf8_len() is the validator: the length of the valid UTF-8
 * character at the start of s (1 for ASCII), or 0 if s does not start with
 * one.  The exposition writer (metrics.c) uses it too, to store label
 * values as valid UTF-8.  Neither function allocates or has state; both are driven by
 * tests/unit/lib/test_escape.c.
 */
#ifndef MTA_ESCAPE_H
#define MTA_ESCAPE_H

#include <stddef.h>

#define ESCAPE_UNIT_MAX 8	/* longest escaped unit ("\ufffd") + NUL */

enum escape_style { ESCAPE_JSON, ESCAPE_LOGFMT, ESCAPE_XML };

/* escape_utf8_len - bytes of the valid UTF-8 character at s[0..n), or 0. */
size_t escape_utf8_len(const unsigned char *s, size_t n);

/*
 * escape_unit - escape the character at the start of the NUL-terminated,
 * non-empty string s into out (NUL-terminated); returns the number of bytes
 * of s consumed (1 to 4).
 */
size_t escape_unit(enum escape_style style, const char *s, char out[ESCAPE_UNIT_MAX]);

#endif
