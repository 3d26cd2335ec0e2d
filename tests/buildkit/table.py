#!/usr/bin/env python3
"""table.py TABLE.tsv OUT.md BUILDKIT DF2NINJA DATE SECONDS

Writes the results table of tests/buildkit/check.sh as Markdown: a header,
the counts, then one row per case (case, result, what differs, mtimes).
"""

import re
import sys


def kind(aspect):
    """an aspect without its numbers: "fs mode (3)" -> "fs mode" """
    a = re.sub(r" \(\d+\)$", "", aspect)
    a = re.sub(r"^layers \d+ vs \d+$", "layers (count)", a)
    a = re.sub(r"^history count \d+ vs \d+$", "history count", a)
    return a


def kinds_of(aspects):
    """the kinds of a case's aspects; "config empty vs absent: A (x), B (y)"
    is one kind per key"""
    out = []
    for a in aspects.split("; "):
        pfx = "config empty vs absent: "
        if a.startswith(pfx):
            out.extend("config.%s (%s)" % (e.split(" ", 1)[0], e.split(" ", 1)[1].strip("()"))
                       for e in a[len(pfx):].split(", "))
        else:
            out.append(kind(a))
    return out


def cell(s):
    return s.replace("|", "\\|").replace("\n", " ").strip()


def main():
    tsv, out, buildkit, df2ninja, date, seconds = sys.argv[1:7]
    rows = []
    with open(tsv) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            parts += [""] * (4 - len(parts))
            rows.append(parts[:4])
    counts = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    order = ["identical", "as current BuildKit", "differs", "df2ninja failed", "docker failed", "both failed", "compare failed"]
    summary = ", ".join("%d %s" % (counts[k], k) for k in order + sorted(set(counts) - set(order)) if k in counts)
    with open(out, "w") as f:
        f.write("# df2ninja against BuildKit: tests/conformance/buildkit-images\n\n")
        f.write("Written by `make check-buildkit` (tests/buildkit/check.sh) on %s: each case\n" % date)
        f.write("built by BuildKit (%s; DOCKER_BUILDKIT=1) and by df2ninja\n" % buildkit)
        f.write("(%s); the %d cases took %s s.\n" % (df2ninja, len(rows), seconds))
        f.write("\"What differs\" names the aspects: `fs ...` the merged filesystem (paths only in\n")
        f.write("one image, type, mode, owner, content, symlink target, hard links, xattrs),\n")
        f.write("`config.KEY` and `top.KEY` the image config, `history ...` the history\n")
        f.write("(created_by compared without BuildKit's \" # buildkit\" suffix, the one thing\n")
        f.write("normalised).\n")
        f.write("mtimes (paths in both images whose mtime differs / paths in both) and\n")
        f.write("`created` are a known difference, reported but not counted.\n")
        f.write("\"as current BuildKit\": the images differ only where the oracle's BuildKit\n")
        f.write("is older than current BuildKit, which df2ninja follows (each such difference\n")
        f.write("is listed with its reason in tests/buildkit/older.tsv or the case's _older).\n")
        f.write("The details of a case are in the results dir, CASE.diff.\n\n")
        f.write("%d cases: %s.\n\n" % (len(rows), summary))
        kinds = {}
        for c, res, asp, times in rows:
            if res == "differs":
                for k in kinds_of(asp):
                    kinds.setdefault(k, []).append(c)
        compared = sum(1 for r in rows if r[1] in ("identical", "differs"))
        common = set(k for k, cs in kinds.items() if len(cs) * 2 > compared)
        if common:
            only = [r[0] for r in rows if r[1] == "differs"
                    and set(kinds_of(r[2])) <= common]
            f.write("Kinds of difference in more than half of the %d cases both builders built:\n" % compared)
            f.write("; ".join("`%s`" % cell(k) for k in sorted(common, key=lambda k: (-len(kinds[k]), k))) + ".\n")
            f.write("%d cases differ in these alone%s.\n\n" % (len(only), (": " + ", ".join(only)) if only else ""))
        if kinds:
            f.write("What differs, by kind (cases):\n\n")
            for k, cs in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                f.write("- %s: %d (%s)\n" % (cell(k), len(cs), ", ".join(cs) if len(cs) <= 12 else "most"))
            f.write("\n")
        f.write("| case | result | what differs | mtimes |\n")
        f.write("| --- | --- | --- | --- |\n")
        for c, res, asp, times in rows:
            f.write("| %s | %s | %s | %s |\n" % (cell(c), cell(res), cell(asp), cell(times)))


if __name__ == "__main__":
    main()
