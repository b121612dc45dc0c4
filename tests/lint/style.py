#!/usr/bin/env python3
"""style.py - the house style rules of the C sources (docs/development.md).

  style.py SRC_DIR      (ctest: lint.style)

Checks every .c and .h under lib/, exporter/, collectors/, tests/unit/,
tests/fuzz/ and tests/tools/ for the rules below, and fails (exit 1)
naming file:line and the rule.  First a self-test on made-up files, so
that each rule is known to fail when broken.

  header    the file starts with a comment whose first line is
            " * <file name> - <what it is for>"
  guard     a header's guard is MTA_<FILE NAME>_H (#ifndef, #define)
  define    a function definition puts its return type (and storage
            class, attributes) on the lines before, the name at column 0,
            and the opening brace alone on the line after the parameters
  typedef   no typedef of a struct, union or enum (write struct x);
            function-pointer typedefs are allowed
  indent    leading whitespace is tabs, then at most alignment spaces (no
            space before a tab); no trailing whitespace
  includes  #include "..." paths are sorted, after a .c file's own header
            (which comes first)

Standard library only.
"""
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from csource import blank, lint_main  # noqa: E402

ROOTS = ("lib", "exporter", "collectors", "tests/unit", "tests/fuzz", "tests/tools")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else", "case",
            "__attribute__", "defined", "_Static_assert", "typeof", "__typeof__"}


def line_of(text, off):
    return text.count("\n", 0, off) + 1


def col_of(text, off):
    return off - (text.rfind("\n", 0, off) + 1)


def check_definitions(path, code, problems):
    """Top-level "...)<ws>{" groups are function definitions."""
    depth, start, i, n = 0, 0, 0, len(code)
    while i < n:
        c = code[i]
        if c == "{":
            if depth == 0:
                stmt = code[start:i]
                check_one_definition(path, code, start, stmt, i, problems)
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                start = i + 1
        elif c == ";" and depth == 0:
            start = i + 1
        i += 1


def strip_attributes(stmt):
    """__attribute__((...)) blanked (same length), so that its inner
    parentheses are not taken for the function's."""
    out = stmt
    for m in re.finditer(r"__attribute__\s*\(", stmt):
        depth, j = 0, m.end() - 1
        while j < len(stmt):
            depth += {"(": 1, ")": -1}.get(stmt[j], 0)
            j += 1
            if depth == 0:
                break
        out = out[:m.start()] + " " * (j - m.start()) + out[j:]
    return out


def check_one_definition(path, code, start, stmt, brace, problems):
    if not stmt.rstrip().endswith(")") or "=" in stmt:
        return
    stmt = strip_attributes(stmt)
    # the name: the first identifier followed by "(" that is not a keyword
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", stmt):
        if m.group(1) not in KEYWORDS:
            break
    else:
        return
    off = start + m.start(1)
    line = line_of(code, off)
    if col_of(code, off) != 0 or not stmt[:m.start(1)].strip():
        problems.append("%s:%d: define: %s(): return type on the line before, name at column 0"
                        % (path, line, m.group(1)))
        return
    bl = line_of(code, brace)
    line_text = code.split("\n")[bl - 1]
    if line_text.strip() != "{" or col_of(code, brace) != 0:
        problems.append("%s:%d: define: %s(): the opening brace alone on the next line"
                        % (path, bl, m.group(1)))


def check_file(path, rel, problems):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.split("\n")
    base = os.path.basename(rel)
    # header
    if not (len(lines) > 1 and lines[0] == "/*" and
            re.match(r" \* %s - \S" % re.escape(base), lines[1])):
        problems.append("%s:1: header: start with \"/*\" and \" * %s - <what it is for>\""
                        % (rel, base))
    # guard
    if rel.endswith(".h"):
        guard = "MTA_" + re.sub(r"[^A-Z0-9]", "_", base.upper())
        directives = [(no, l) for no, l in enumerate(lines, 1) if l.startswith("#")]
        if len(directives) < 2 or directives[0][1] != "#ifndef " + guard or \
                directives[1][1] != "#define " + guard:
            problems.append("%s:%d: guard: #ifndef %s / #define %s first"
                            % (rel, directives[0][0] if directives else 1, guard, guard))
    # indent
    for no, l in enumerate(lines, 1):
        lead = re.match(r"[ \t]*", l).group(0)
        if " \t" in lead:
            problems.append("%s:%d: indent: a space before a tab" % (rel, no))
        if l != l.rstrip():
            problems.append("%s:%d: indent: trailing whitespace" % (rel, no))
    code = blank(text)
    # typedef
    for m in re.finditer(r"\btypedef\s+(struct|union|enum)\b", code):
        problems.append("%s:%d: typedef: no typedef of a %s (write %s x)"
                        % (rel, line_of(code, m.start()), m.group(1), m.group(1)))
    # includes
    incs = [(no, m.group(1)) for no, l in enumerate(lines, 1)
            for m in [re.match(r'\s*#\s*include\s+"([^"]+)"', l)] if m]
    if rel.endswith(".c") and incs:
        own = None
        for root in ("lib", "exporter", "collectors"):
            if rel.startswith(root + "/"):
                own = rel[:-2] + ".h"
        if own and os.path.exists(os.path.join(os.path.dirname(path), os.path.basename(own))):
            if incs[0][1] != own:
                problems.append('%s:%d: includes: #include "%s" first' % (rel, incs[0][0], own))
            else:
                incs = incs[1:]
    names = [n for _, n in incs]
    for (no, a), b in zip(incs[1:], names):
        if a < b:
            problems.append('%s:%d: includes: "%s" after "%s": sort the #include "..." lines'
                            % (rel, no, a, b))
            break
    check_definitions(rel, code, problems)


def check(src):
    problems, n = [], 0
    for root in ROOTS:
        for d, dirs, names in os.walk(os.path.join(src, root)):
            dirs[:] = [x for x in dirs if x != "corpus"]
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    path = os.path.join(d, name)
                    check_file(path, os.path.relpath(path, src), problems)
                    n += 1
    return problems, n


GOOD = """/*
 * good.c - a file that follows every rule.
 */
#include "lib/good.h"

#include <stdio.h>

#include "collectors/core/a.h"
#include "lib/b.h"

typedef int (*good_fn)(int);
struct good { int a; };
static const struct good goods[] = { { 1 } };

static int __attribute__((unused))
good_one(int a,
	 int b)
{
	if (a) {
		return b;	/* "{" and ) { in comments */
	}
	return sizeof(struct good);
}
"""


def self_test():
    cases = [
        ("lib/good.c", GOOD, None),
        ("lib/good.h", "/*\n * good.h - x.\n */\n#ifndef MTA_GOOD_H\n#define MTA_GOOD_H\n#endif\n", None),
        ("lib/bad.c", GOOD.replace("good.c -", "bad.c:"), "header"),
        ("lib/bad.h", "/*\n * bad.h - x.\n */\n#ifndef BAD_H\n#define BAD_H\n#endif\n", "guard"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            "static int __attribute__((unused))\ngood_one", "static int good_one"), "define"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            "int b)\n{", "int b) {"), "define"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            "struct good {", "typedef struct good {"), "typedef"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            "\t\treturn b;", " \treturn b;"), "indent"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            "return sizeof(struct good);", "return 0; "), "indent"),
        ("lib/bad.c", GOOD.replace(" * good.c", " * bad.c").replace(
            '#include "collectors/core/a.h"\n#include "lib/b.h"',
            '#include "lib/b.h"\n#include "collectors/core/a.h"'), "includes"),
    ]
    failed = 0
    for rel, text, rule in cases:
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "lib"))
            own = os.path.join(d, rel[:-2] + ".h")
            with open(own, "w") as f:
                f.write("")
            path = os.path.join(d, rel)
            with open(path, "w") as f:
                f.write(text)
            problems = []
            if rel.endswith(".c"):
                text_fixed = text.replace('"lib/good.h"', '"%s"' % (rel[:-2] + ".h"))
                with open(path, "w") as f:
                    f.write(text_fixed)
            check_file(path, rel, problems)
        ok = (not problems) if rule is None else \
            any((": %s:" % rule) in p for p in problems)
        if not ok:
            failed += 1
            print("style self-test: %s, want %s, got %r" % (rel, rule or "no problem", problems))
    return failed


if __name__ == "__main__":
    sys.exit(lint_main(__doc__, "style", self_test, check))
