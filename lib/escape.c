/*
 * escape.c - JSON, logfmt and XML escaping of arbitrary bytes (see escape.h).
 *
 * The UTF-8 check follows RFC 3629, table 3-7 of the Unicode standard:
 * the second byte's range depends on the first (E0 needs A0..BF, ED needs
 * 80..9F, F0 needs 90..BF, F4 needs 80..8F), which rules out overlong
 * forms, surrogates and code points above U+10FFFF.
 */
#include "lib/escape.h"

#include <stdbool.h>
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

/* The few characters each style writes by name; NULL for the others. */
static const char *
named(enum escape_style style, unsigned char c)
{
	if (style == ESCAPE_XML) {
		switch (c) {
		case '&':  return "&amp;";
		case '<':  return "&lt;";
		case '>':  return "&gt;";
		case '"':  return "&quot;";
		case '\'': return "&apos;";
		case '\n': return "&#10;";
		case '\r': return "&#13;";
		case '\t': return "&#9;";
		default:   return NULL;
		}
	}
	switch (c) {
	case '"':  return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:   return NULL;
	}
}

/* U+FFFE and U+FFFF: valid UTF-8, but not characters XML can hold. */
static bool
xml_nonchar(const char *s, size_t n)
{
	return n == 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf
	       && (unsigned char)s[2] >= 0xbe;
}

size_t
escape_unit(enum escape_style style, const char *s, char out[ESCAPE_UNIT_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)s[0];
	const char *name = named(style, c);
	size_t n = 0;

	if (name != NULL) {
		memcpy(out, name, strlen(name) + 1);
		return 1;
	}
	if ((c >= 0x20 && c < 0x7f) || (c == 0x7f && style == ESCAPE_XML)) {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	if (c >= 0x80) {
		/* at most 4 bytes are looked at, and s is NUL-terminated: a NUL
		 * fails the continuation test before the end is passed */
		n = escape_utf8_len((const unsigned char *)s, strnlen(s, 4));
		if (n > 0 && !(style == ESCAPE_XML && xml_nonchar(s, n))) {
			memcpy(out, s, n);
			out[n] = '\0';
			return n;
		}
	}
	/* controls, DEL, bytes that are not UTF-8, XML's non-characters */
	switch (style) {
	case ESCAPE_XML:
		memcpy(out, "\xef\xbf\xbd", 4);		/* U+FFFD */
		return n > 0 ? n : 1;
	case ESCAPE_JSON:
		if (c >= 0x80) {
			memcpy(out, "\\ufffd", 7);
		} else {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			out[6] = '\0';
		}
		return 1;
	case ESCAPE_LOGFMT:
		break;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	out[4] = '\0';
	return 1;
}
