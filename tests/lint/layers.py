#!/usr/bin/env python3
"""layers.py - includes point down the layers, never up or sideways.

  layers.py SRC_DIR      (ctest: lint.layers)

First a self-test: made-up trees with a bad include must fail, naming the
line (so this test can fail at all); then the tree at SRC_DIR.

Every .c and .h under lib/, exporter/ and collectors/ belongs to the layer
of its folder (LAYERS below, docs/development.md "Layers").  A file may
include (#include "path", written from the source root) only files of its
own layer or of a lower one, and the MTA folders (one layer) not each
other.  lib/ holds no MTA words (postfix, exim, sendmail) outside comments.
tests/ is exempt: tests drive any layer.

Fails (exit 1), naming file:line, when
  - a file includes from a higher layer or from a sibling MTA folder;
  - an include is not a path from the source root to an existing file
    (or to FILE.in, for a header CMake generates);
  - a source file lies in a folder that has no layer;
  - lib/ code names an MTA;
  - an entry of layers.allow (the known exceptions, each with the change
    that removes it) no longer matches any include: delete it.

Standard library only.
"""
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from csource import blank, c_files, lint_main, tree_cases  # noqa: E402

# (folder, layer, name); the longest matching folder wins.
LAYERS = [
    ("lib/", 0, "lib"),
    ("exporter/exposition/", 1, "exposition"),
    ("collectors/core/", 2, "core"),
    ("collectors/host/", 3, "host"),
    ("collectors/postfix/", 4, "postfix"),
    ("collectors/exim/", 4, "exim"),
    ("collectors/sendmail/", 4, "sendmail"),
    ("collectors/tls/", 5, "tls"),
    ("collectors/checks/", 6, "checks"),
    ("exporter/", 7, "exporter"),
]
SOURCE_ROOTS = ("lib", "exporter", "collectors")
MTA_LAYER = 4
# the MTAs' names are their folders' (one folder per MTA, all in MTA_LAYER)
MTA_WORDS = re.compile("|".join(name for _, layer, name in LAYERS if layer == MTA_LAYER), re.I)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    best = None
    for folder, layer, name in LAYERS:
        if path.startswith(folder) and (best is None or len(folder) > len(best[0])):
            best = (folder, layer, name)
    return best


def read_allow(path):
    """{(file, included): line number} from layers.allow."""
    allow = {}
    if not os.path.exists(path):
        return allow
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r"(\S+)\s+->\s+(\S+)", line)
            if not m:
                raise SystemExit("%s:%d: expected 'FILE -> INCLUDED  # why'" % (path, no))
            allow[(m.group(1), m.group(2))] = no
    return allow


def check(src, allow_path):
    problems = []
    allow = read_allow(allow_path)
    used = set()
    files = c_files(src, SOURCE_ROOTS)
    for path in files:
        me = layer_of(path)
        if me is None:
            problems.append("%s: folder %s has no layer (add it to LAYERS in tests/lint/layers.py "
                            "and to docs/development.md)" % (path, os.path.dirname(path) + "/"))
            continue
        with open(os.path.join(src, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        if me[2] == "lib":
            for no, line in enumerate(blank(text, directives=False).split("\n"), 1):
                m = MTA_WORDS.search(line)
                if m:
                    problems.append("%s:%d: lib/ is generic, but names an MTA (%s)"
                                    % (path, no, m.group(0)))
        for no, line in enumerate(text.split("\n"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if not (os.path.isfile(os.path.join(src, inc)) or
                    os.path.isfile(os.path.join(src, inc + ".in"))):
                problems.append('%s:%d: #include "%s" is not a path from the source root'
                                % (path, no, inc))
                continue
            it = layer_of(inc)
            if it is None:
                problems.append('%s:%d: #include "%s": outside the layers' % (path, no, inc))
                continue
            why = None
            if it[1] > me[1]:
                why = "%s (layer %d) includes from %s (layer %d), a higher layer" % (
                    me[2], me[1], it[2], it[1])
            elif it[1] == me[1] and it[0] != me[0]:
                why = "%s includes from its sibling %s" % (me[2], it[2])
            if why is None:
                continue
            if (path, inc) in allow:
                used.add((path, inc))
                continue
            problems.append('%s:%d: #include "%s": %s' % (path, no, inc, why))
    for key, no in sorted(allow.items(), key=lambda kv: kv[1]):
        if key not in used:
            problems.append("%s:%d: %s -> %s is allowed but no longer needed: delete the entry"
                            % (os.path.relpath(allow_path, src), no, key[0], key[1]))
    return problems, len(files)


def self_test():
    """Bad trees must fail, naming the line; a good one must pass."""
    cases = [
        ({"lib/a.h": '#include "collectors/core/c.h"\n', "collectors/core/c.h": ""},
         'lib/a.h:1: #include "collectors/core/c.h": lib (layer 0) includes from core'),
        ({"collectors/exim/e.c": '\n#include "collectors/postfix/p.h"\n',
          "collectors/postfix/p.h": ""},
         'collectors/exim/e.c:2: #include "collectors/postfix/p.h": exim includes from its sibling postfix'),
        ({"collectors/host/h.c": '#include "h.h"\n', "collectors/host/h.h": ""},
         'collectors/host/h.c:1: #include "h.h" is not a path from the source root'),
        ({"collectors/new/n.c": ""}, "collectors/new/n.c: folder collectors/new/ has no layer"),
        ({"lib/l.c": "/* postfix */\nint sendmail;\n"},
         "lib/l.c:2: lib/ is generic, but names an MTA (sendmail)"),
        ({"exporter/x.c": '#include "lib/version.h"\n#include "collectors/checks/k.h"\n',
          "lib/version.h.in": "", "collectors/checks/k.h": '#include "collectors/host/d.h"\n',
          "collectors/host/d.h": '#include "lib/l.h" /* sendmail */\n', "lib/l.h": '"exim"\n'},
         None),
    ]
    failed = tree_cases(cases, lambda d: check(d, os.path.join(d, "none.allow")), "layers")
    # An allowed include passes; an entry that matches nothing fails.
    with tempfile.TemporaryDirectory() as d:
        for name, text in {"lib/a.c": '#include "collectors/core/c.h"\n',
                           "collectors/core/c.h": ""}.items():
            os.makedirs(os.path.join(d, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        with open(os.path.join(d, "t.allow"), "w") as f:
            f.write("# why\nlib/a.c -> collectors/core/c.h  # phase X\n"
                    "lib/b.c -> collectors/core/c.h  # gone\n")
        problems, _ = check(d, os.path.join(d, "t.allow"))
        if len(problems) != 1 or "lib/b.c -> collectors/core/c.h is allowed but no longer needed" \
                not in problems[0]:
            failed += 1
            print("self-test: allowlist: got %r" % problems)
    if failed:
        print("layers self-test: %d case(s) failed" % failed)
    return failed


if __name__ == "__main__":
    sys.exit(lint_main(__doc__, "layers", self_test,
                       lambda src: check(src, os.path.join(src, "tests/lint/layers.allow"))))
