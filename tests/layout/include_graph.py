#!/usr/bin/env python3
"""The include graph between folders, from the #include lines.

Prints one line per folder: the folders its files include from. Exits 1
when the tree breaks one of its rules (docs/architecture.md):
  - no folder includes from a folder that includes it back, directly or
    around a longer loop;
  - the product's folders stand in the rows of LAYERS, and each includes
    only from rows below its own (tests and benchmarks sit above all);
  - a project header is named by its path from userspace/ when it lives
    there (model/socket.h), else from the top of the tree (ui/top.h,
    tests/helpers/net.h, bpf/abi/sockscope_abi.h): never relative to the
    including file;
  - only ui/ includes curses.
Usage: include_graph.py [TOP] [--dot]
       include_graph.py --self-test   (the checks fail on a tree made to break them)
"""
import os
import re
import sys

SCANNED = ["userspace", "ui", "tests", "bench"]
GENERATED = {"sockscope.skel.h", "sockscope_compat.skel.h"}  # made by the build, found on its include path
# The product's folders, top row first: a folder includes only from rows
# below its own. A new folder under userspace/ or ui/ gets a row here and
# in docs/architecture.md.
LAYERS = [
    ["userspace/cli"],
    ["ui"],
    ["userspace/run"],
    ["userspace/source", "userspace/export"],
    ["userspace/source/kernel", "userspace/trace", "userspace/output"],
    ["userspace/record", "userspace/diagnosis"],
    ["userspace/model"],
    ["userspace/util", "bpf/abi"],
]
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
CURSES = re.compile(r'^\s*#\s*include\s+[<"](n?curses\.h|ncurses/.*|curses/.*)[>"]')


def resolve(top, target):
    """The repo-relative file a quoted include names, or None."""
    for base in ("userspace", ""):
        p = os.path.normpath(os.path.join(top, base, target))
        if os.path.isfile(p) and not target.startswith("."):
            return os.path.relpath(p, top)
    return None


def scan(top):
    edges, problems = {}, []
    for d in SCANNED:
        for dirpath, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if not f.endswith((".h", ".cpp", ".c")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, top)
                folder = os.path.dirname(rel)
                with open(path, errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        if CURSES.match(line) and not rel.startswith("ui/"):
                            problems.append(f"{rel}:{n}: curses outside ui/")
                        m = QUOTED.match(line)
                        if not m or m.group(1) in GENERATED:
                            continue
                        target = resolve(top, m.group(1))
                        if target is None:
                            problems.append(f'{rel}:{n}: "{m.group(1)}" is not a path from userspace/ or the top')
                            continue
                        to = os.path.dirname(target)
                        if to != folder:
                            edges.setdefault(folder, {}).setdefault(to, []).append(f"{rel}:{n}")
    return edges, problems


def layer_problems(edges, layers=LAYERS):
    """Includes that do not point to a lower row, and folders in no row."""
    row = {folder: i for i, folders in enumerate(layers) for folder in folders}
    out = []
    for a in sorted(edges):
        product = a.split("/")[0] in ("userspace", "ui")
        if product and a not in row:
            out.append(f"{a} is in no row of LAYERS: give it one (and in docs/architecture.md)")
            continue
        for b in sorted(edges[a]):
            if a in row and b in row and row[b] <= row[a]:
                out.append(f"{a} includes from {b}, which is not in a lower row: {edges[a][b][0]}")
    return out


def cycles(edges):
    """Strongly connected components with more than one folder (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


def self_test():
    """Each rule, broken on purpose in a scratch tree, must be reported."""
    import tempfile

    def tree(files):
        top = tempfile.mkdtemp(prefix="include_graph.")
        for path, text in files.items():
            os.makedirs(os.path.join(top, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(top, path), "w") as fh:
                fh.write(text)
        return top

    # name: (files, the check that must report it; None: nothing reported)
    cases = {
        # (outside the product's rows, so that only the loop check can see them)
        "a loop of two": ({"tests/a/x.h": '#include "tests/b/y.h"\n', "tests/b/y.h": '#include "tests/a/x.h"\n'},
                          "loops"),
        "a loop of three": ({"tests/a/x.h": '#include "tests/b/y.h"\n', "tests/b/y.h": '#include "tests/c/z.h"\n',
                             "tests/c/z.h": '#include "tests/a/x.h"\n'}, "loops"),
        "a relative include": ({"userspace/model/x.h": "", "userspace/run/y.h": '#include "../model/x.h"\n'},
                               "files"),
        "a bare same-folder include": ({"userspace/model/x.h": "", "userspace/model/w.h": '#include "x.h"\n'},
                                       "files"),
        "curses outside ui/": ({"userspace/model/x.h": "#include <ncurses.h>\n"}, "files"),
        "an include up a row": ({"userspace/model/x.h": '#include "run/y.h"\n', "userspace/run/y.h": ""}, "rows"),
        "an include within a row": ({"userspace/source/x.h": '#include "export/y.h"\n',
                                     "userspace/export/y.h": ""}, "rows"),
        "a folder in no row": ({"userspace/extra/x.h": '#include "model/y.h"\n', "userspace/model/y.h": ""}, "rows"),
        "a clean tree": ({"userspace/run/x.h": '#include "model/y.h"\n', "userspace/model/y.h": "",
                          "ui/v.h": '#include <curses.h>\n#include "run/x.h"\n#include "ui/w.h"\n', "ui/w.h": ""},
                         None),
    }
    failed = 0
    for name, (files, check) in cases.items():
        edges, problems = scan(tree(files))
        reported = {"files": bool(problems), "loops": bool(cycles(edges)), "rows": bool(layer_problems(edges))}
        want = {k: k == check for k in reported}
        if reported != want:
            print(f"include_graph self-test: {name}: reported {reported}, expected {want}", file=sys.stderr)
            failed += 1
    print(f"include_graph self-test: {len(cases) - failed} of {len(cases)} cases as expected")
    return 1 if failed else 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    args = [a for a in argv[1:] if not a.startswith("--")]
    top = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", ".."))
    edges, problems = scan(top)
    if "--dot" in argv:
        print("digraph includes {")
        for a in sorted(edges):
            for b in sorted(edges[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
    else:
        for a in sorted(edges):
            print(f"{a} -> {', '.join(sorted(edges[a]))}")
    for comp in cycles(edges):
        inside = [f"  {a} -> {b}: {edges[a][b][0]}" for a in comp for b in edges.get(a, {}) if b in comp]
        problems.append("folders that include each other: " + ", ".join(comp) + "\n" + "\n".join(inside))
    problems += layer_problems(edges)
    for p in problems:
        print("include_graph: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
