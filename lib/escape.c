/*
 * escape.c - JSON, logfmt and XML escaping of arbitrary bytes (see escape.h).
 *
 * The UTF-8 check follows RFC 3629, table 3-7 of the Unicode standard:
 * the second byte's range depends on the first (E0 needs A0..BF, ED needs
 * 80..9F, F0 needs 90..BF, F4 needs 80..8F), which rules out overlong
 * forms, surrogates and code points above U+10FFFF.
 */
#include "lib/escape.h"

#include <string.h>

size_t
escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t len;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;	/* continuation byte, C0/C1 (overlong), F5..FF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* XML 1.0: markup characters as entities, whitespace controls as character
 * references, the characters XML cannot hold as U+FFFD. */
static size_t
escape_xml(const char *s, char out[ESCAPE_UNIT_MAX])
{
	unsigned char c = (unsigned char)s[0];
	size_t n;

	switch (c) {
	case '&':  memcpy(out, "&amp;", 6); return 1;
	case '<':  memcpy(out, "&lt;", 5); return 1;
	case '>':  memcpy(out, "&gt;", 5); return 1;
	case '"':  memcpy(out, "&quot;", 7); return 1;
	case '\'': memcpy(out, "&apos;", 7); return 1;
	case '\n': memcpy(out, "&#10;", 6); return 1;
	case '\r': memcpy(out, "&#13;", 6); return 1;
	case '\t': memcpy(out, "&#9;", 5); return 1;
	default: break;
	}
	if (c >= 0x20 && c < 0x80) {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	if (c >= 0x80) {
		n = escape_utf8_len((const unsigned char *)s, strnlen(s, 4));
		/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters */
		if (n > 0 && !(n == 3 && c == 0xef && (unsigned char)s[1] == 0xbf
			       && (unsigned char)s[2] >= 0xbe)) {
			memcpy(out, s, n);
			out[n] = '\0';
			return n;
		}
		if (n > 0) {
			memcpy(out, "\xef\xbf\xbd", 4);
			return n;
		}
	}
	memcpy(out, "\xef\xbf\xbd", 4);	/* C0 controls; bytes that are not UTF-8 */
	return 1;
}

size_t
escape_unit(enum escape_style style, const char *s, char out[ESCAPE_UNIT_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)s[0];
	size_t n;

	if (style == ESCAPE_XML)
		return escape_xml(s, out);
	switch (c) {
	case '"':  memcpy(out, "\\\"", 3); return 1;
	case '\\': memcpy(out, "\\\\", 3); return 1;
	case '\n': memcpy(out, "\\n", 3); return 1;
	case '\r': memcpy(out, "\\r", 3); return 1;
	case '\t': memcpy(out, "\\t", 3); return 1;
	default: break;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	if (c >= 0x80) {
		/* at most 4 bytes are looked at, and s is NUL-terminated: a NUL
		 * fails the continuation test before the end is passed */
		n = escape_utf8_len((const unsigned char *)s, strnlen(s, 4));
		if (n > 0) {
			memcpy(out, s, n);
			out[n] = '\0';
			return n;
		}
		if (style == ESCAPE_JSON) {
			memcpy(out, "\\ufffd", 7);
			return 1;
		}
	}
	/* controls and DEL; in logfmt also bytes that are not UTF-8 */
	if (style == ESCAPE_JSON) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		out[6] = '\0';
	} else {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 15];
		out[4] = '\0';
	}
	return 1;
}
