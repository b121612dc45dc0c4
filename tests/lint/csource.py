"""csource.py - what the tests/lint checks share: blanking C comments and
literals, and their main() (imported, not a test: tests/CMakeLists.txt
leaves it out).

Standard library only.
"""
import os
import re
import sys
import tempfile


def blank(text, directives=True):
    """Comments and string and character literals (and, with directives,
    preprocessor lines) replaced by spaces; line breaks kept, so offsets
    and line numbers stay those of text."""
    out, i, n = [], 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start:
            j = i
            while j < n and text[j] in " \t":
                j += 1
            if directives and j < n and text[j] == "#":  # with its continuations
                k = j
                while k < n and text[k] != "\n":
                    if text[k] == "\\" and k + 1 < n and text[k + 1] == "\n":
                        k += 2
                        continue
                    if text.startswith("/*", k):
                        e = text.find("*/", k + 2)
                        k = n if e < 0 else e + 2
                        continue
                    k += 1
                out.append(re.sub(r"[^\n]", " ", text[i:k]))
                i = k
                continue
        at_line_start = False
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else c)
            i = j
        else:
            out.append(c)
            if c == "\n":
                at_line_start = True
            i += 1
    return "".join(out)


def c_files(src, roots):
    """The .c and .h files under src/<root> for each root, as sorted paths
    relative to src."""
    files = []
    for root in roots:
        for d, _, names in os.walk(os.path.join(src, root)):
            files.extend(os.path.relpath(os.path.join(d, n), src)
                         for n in names if n.endswith((".c", ".h")))
    return sorted(files)


def tree_cases(cases, check, name):
    """A self-test over made-up source trees: each case is (files, want),
    files {path: text}, want the start of a problem check(tree) must report,
    or None for a tree that must pass.  Prints each case that went wrong;
    returns how many did."""
    failed = 0
    for files, want in cases:
        with tempfile.TemporaryDirectory() as d:
            for path, text in files.items():
                os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
                with open(os.path.join(d, path), "w") as f:
                    f.write(text)
            problems, _ = check(d)
        ok = (not problems) if want is None else any(p.startswith(want) for p in problems)
        if not ok:
            failed += 1
            print("%s self-test: want %r, got %r" % (name, want or "no problem", problems))
    return failed


def lint_main(doc, name, self_test, check):
    """A lint script's main: "SCRIPT SRC_DIR"; the self-test (which prints
    what it got wrong and returns how many cases failed), then
    check(SRC_DIR) -> (problems, files read), one problem a line.  Exit
    status 0 clean, 1 problems, 2 usage."""
    if len(sys.argv) != 2:
        print(doc.split("\n\n")[1], file=sys.stderr)
        return 2
    if self_test():
        return 1
    problems, n = check(sys.argv[1])
    for p in problems:
        print(p)
    print("%s: %d files, %d problem(s)" % (name, n, len(problems)))
    return 1 if problems else 0
