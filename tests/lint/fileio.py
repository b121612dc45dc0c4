#!/usr/bin/env python3
"""fileio.py - lib/fileio.c is the one place the exporter opens files.

  fileio.py SRC_DIR      (ctest: lint.fileio)

First a self-test: made-up trees that open a file elsewhere must fail,
naming the line (so this test can fail at all); then the tree at SRC_DIR.

Every open goes through lib/fileio (fileio_open, fileio_opendir,
fileio_read, fileio_stat, fileio_write_atomic): it opens with O_NONBLOCK,
checks the type with fstat, and resolves paths under --path.rootfs inside
that root (docs/security.md).  A direct call elsewhere could block a
scrape on a FIFO or follow a symlink out of the audited root.

Fails (exit 1), naming file:line, when a .c or .h under lib/, exporter/ or
collectors/ other than lib/fileio.c calls open, openat, openat2, open64,
creat, fopen, fdopen, freopen, opendir, fdopendir, or syscall(SYS_open...).
Comments and string literals do not count.  tests/ is exempt: tests and
their drivers create and read their own files.

Standard library only.
"""
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from csource import blank, c_files, lint_main, tree_cases  # noqa: E402

SOURCE_ROOTS = ("lib", "exporter", "collectors")
THE_PLACE = "lib/fileio.c"
CALL = re.compile(r"(?<![\w.>])(open|openat|openat2|open64|creat|fopen|fdopen|freopen|opendir|"
                  r"fdopendir)\s*\(|\bSYS_open\w*")


def check(src):
    problems = []
    files = c_files(src, SOURCE_ROOTS)
    for path in files:
        if path == THE_PLACE:
            continue
        with open(os.path.join(src, path), encoding="utf-8", errors="replace") as f:
            text = blank(f.read())
        for no, line in enumerate(text.split("\n"), 1):
            m = CALL.search(line)
            if m:
                problems.append("%s:%d: %s opens a file: use lib/fileio (fileio_open, "
                                "fileio_opendir, fileio_read, fileio_write_atomic)"
                                % (path, no, m.group(1) or m.group(0)))
    return problems, len(files)


def self_test():
    """Bad trees must fail, naming the line; a good one must pass."""
    cases = [
        ({"collectors/host/s.c": "int f(void)\n{\n\treturn open(p, O_RDONLY);\n}\n"},
         "collectors/host/s.c:3: open opens a file"),
        ({"exporter/p.c": "\n\nDIR *d = opendir(\"/proc\");\n"}, "exporter/p.c:3: opendir opens a file"),
        ({"exporter/m.c": "FILE *f = fopen (x, \"w\");\n"}, "exporter/m.c:1: fopen opens a file"),
        ({"lib/x.c": "long r = syscall(SYS_openat2, a, b);\n"}, "lib/x.c:1: SYS_openat2 opens a file"),
        ({"lib/fileio.c": "int fd = open(p, 0);\n",
          "exporter/ok.c": "/* open(x) */\nconst char *s = \"fopen(\";\nint fileio_open(void);\n"
                           "int reopen(int);\nint x = h->open(1) + s.open(2);\n"},
         None),
    ]
    return tree_cases(cases, check, "fileio")

if __name__ == "__main__":
    sys.exit(lint_main(__doc__, "fileio", self_test, check))
