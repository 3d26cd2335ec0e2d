#!/usr/bin/env python3
"""Compare two images saved as `docker save` tarballs (or df2ninja's
`--output type=docker` tarball, which has the same manifest.json):

    compare.py [--case NAME] [--out DIR] BUILDKIT.tar DF2NINJA.tar

What is compared:
  - the merged filesystem: the layers applied in order (whiteouts, opaque
    directories, a file replacing a directory), then for every path its
    type, mode (permission bits with setuid/setgid/sticky), owner uid/gid,
    size and SHA-256 of a regular file's content, a symlink's target, a
    device's numbers, xattrs, and the hard-link groups (paths that share
    one inode); mtimes apart, as their own column;
  - the image config: every key of `config` (Env, Cmd, Entrypoint,
    WorkingDir, User, Labels, ExposedPorts, Volumes, StopSignal,
    Healthcheck, ArgsEscaped, Shell, OnBuild, and whatever else either
    side has) and every top-level key (architecture, os, container,
    docker_version, ...), with the number of layers; `created` goes with
    the times;
  - the history: entries aligned by created_by (BuildKit's " # buildkit"
    suffix apart: the one thing normalised), then every other key of each
    (empty_layer, comment, author, ...; false against absent shown as
    such); `created` goes with the times.

--older FILE (repeatable): lines "ASPECT<TAB>REASON", differences where
the oracle's BuildKit (docker 20.10's v0.8) is older than the current
BuildKit df2ninja follows: reported apart, not counted.

Writes DIR/NAME.diff (readable), DIR/NAME/{buildkit,df2ninja}.fs.tsv,
.config.json, and prints one JSON line: the case, the aspects that differ
(short labels, for the table), and the times summary.
"""

import argparse
import difflib
import hashlib
import io
import json
import os
import posixpath
import sys
import tarfile

LEGACY_WHITEOUT_META = ".wh..wh."
OPAQUE = ".wh..wh..opq"
SMALL = 4096  # a differing file this small is shown, when it is text


def norm(name):
    p = posixpath.normpath("/" + name).lstrip("/")
    return p if p not in ("", ".") else "."


# --- reading a saved image -------------------------------------------------

class Image:
    def __init__(self, path):
        self.tar = tarfile.open(path, "r:*")
        manifest = json.load(self.tar.extractfile("manifest.json"))
        if len(manifest) != 1:
            raise SystemExit("%s: %d images in manifest.json, expected 1" % (path, len(manifest)))
        self.manifest = manifest[0]
        self.config_raw = self.tar.extractfile(self.manifest["Config"]).read()
        self.config = json.loads(self.config_raw)
        self.layers = self.manifest["Layers"]

    def layer_tar(self, name):
        data = self.tar.extractfile(name).read()
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:*")


KINDS = (("isdir", "dir"), ("issym", "symlink"), ("isreg", "file"), ("ischr", "char"),
         ("isblk", "block"), ("isfifo", "fifo"), ("islnk", "hardlink"))


def kind(m):
    for test, name in KINDS:
        if getattr(m, test)():
            return name
    return "type%r" % m.type


def merge(img):
    """path -> record, for the image's layers applied in order"""
    state = {}
    next_ino = [0]

    def drop_below(p, keep_self):
        pre = "" if p == "." else p + "/"
        for k in [k for k in state if k.startswith(pre) or (k == p and not keep_self)]:
            del state[k]

    for layer in img.layers:
        tf = img.layer_tar(layer)
        members = tf.getmembers()
        # whiteouts hide what the layers below have
        for m in members:
            p = norm(m.name)
            d, base = posixpath.split(p)
            d = d or "."
            if base == OPAQUE:
                drop_below(d, keep_self=True)
            elif base.startswith(LEGACY_WHITEOUT_META):
                continue
            elif base.startswith(".wh."):
                drop_below(posixpath.join(d, base[4:]) if d != "." else base[4:], keep_self=False)
        inodes = {}
        for m in members:
            p = norm(m.name)
            base = posixpath.basename(p)
            if base.startswith(".wh.") or p == ".":
                continue
            if m.islnk():
                t = norm(m.linkname)
                src = inodes.get(t)
                if src is None:
                    src = state.get(t)
                if src is None:
                    rec = {"type": "hardlink-to-missing", "link": t}
                else:
                    rec = dict(src)
                    rec["mtime"] = src["mtime"]
            else:
                rec = {
                    "type": kind(m),
                    "mode": m.mode & 0o7777,
                    "uid": m.uid,
                    "gid": m.gid,
                    "mtime": m.mtime,
                }
                if m.isreg():
                    h = hashlib.sha256()
                    f = tf.extractfile(m)
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                        if m.size <= SMALL:
                            rec["data"] = rec.get("data", b"") + chunk
                    rec["size"] = m.size
                    rec["sha256"] = h.hexdigest()
                    next_ino[0] += 1
                    rec["ino"] = next_ino[0]
                elif m.issym():
                    rec["link"] = m.linkname
                elif m.ischr() or m.isblk():
                    rec["dev"] = "%d,%d" % (m.devmajor, m.devminor)
                xattrs = {}
                for k, v in m.pax_headers.items():
                    for pfx in ("SCHILY.xattr.", "LIBARCHIVE.xattr."):
                        if k.startswith(pfx):
                            xattrs[k[len(pfx):]] = v
                if xattrs:
                    rec["xattrs"] = xattrs
            old = state.get(p)
            if rec.get("type") != "dir" or (old is not None and old.get("type") != "dir"):
                drop_below(p, keep_self=True)
            state[p] = rec
            inodes[p] = rec
    # hard-link groups: paths sharing an inode
    groups = {}
    for p, r in state.items():
        if "ino" in r:
            groups.setdefault(r["ino"], []).append(p)
    for ps in groups.values():
        ps.sort()
        for p in ps:
            state[p]["links"] = ps if len(ps) > 1 else None
    return state


FS_FIELDS = ("type", "mode", "owner", "size", "sha256", "link", "dev", "xattrs", "links")


def field(rec, f):
    if f == "owner":
        return "%s:%s" % (rec.get("uid"), rec.get("gid"))
    if f == "mode":
        return "%04o" % rec["mode"] if "mode" in rec else None
    if f == "xattrs":
        x = rec.get("xattrs")
        return json.dumps(x, sort_keys=True) if x else None
    if f == "links":
        ls = rec.get("links")
        return ",".join(ls) if ls else None
    return rec.get(f)


def fs_tsv(state):
    out = ["path\t" + "\t".join(FS_FIELDS) + "\tmtime"]
    for p in sorted(state):
        r = state[p]
        out.append(p + "\t" + "\t".join("" if field(r, f) is None else str(field(r, f)) for f in FS_FIELDS)
                   + "\t" + str(r.get("mtime")))
    return "\n".join(out) + "\n"


# --- comparing ---------------------------------------------------------------

ASPECT = {"type": "type", "mode": "mode", "owner": "owner", "size": "content", "sha256": "content",
          "link": "symlink target", "dev": "device", "xattrs": "xattrs", "links": "hard links"}


def text_diff(x, y):
    if x is None or y is None:
        return []
    try:
        tx, ty = x.decode(), y.decode()
    except UnicodeDecodeError:
        return []
    return ["    " + l.rstrip("\n") for l in
            difflib.unified_diff(tx.splitlines(True), ty.splitlines(True), "buildkit", "df2ninja", n=1)]


def compare_fs(a, b, lines, aspects):
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    counts = {}
    mt_diff = 0
    both = sorted(set(a) & set(b))
    # the mount points BuildKit's RUN leaves in a layer, apart
    mnt = [p for p in only_a if p in ("dev", "proc", "sys") and a[p].get("type") == "dir"]
    if mnt:
        counts["only in buildkit: /" + " /".join(mnt)] = len(mnt)
    if len(only_a) > len(mnt):
        counts["only in buildkit"] = len(only_a) - len(mnt)
    if only_a:
        lines.append("only in buildkit's image (%d):" % len(only_a))
        for p in only_a:
            lines.append("  - /%s  %s %s %s" % (p, a[p].get("type"), field(a[p], "mode"), field(a[p], "owner")))
    if only_b:
        counts["only in df2ninja"] = len(only_b)
        lines.append("only in df2ninja's image (%d):" % len(only_b))
        for p in only_b:
            lines.append("  + /%s  %s %s %s" % (p, b[p].get("type"), field(b[p], "mode"), field(b[p], "owner")))
    for p in both:
        diffs = []
        for f in FS_FIELDS:
            if f in ("size", "sha256") and (a[p].get("type") != "file" or b[p].get("type") != "file"):
                continue
            va, vb = field(a[p], f), field(b[p], f)
            if va != vb:
                diffs.append((f, va, vb))
        for f, va, vb in diffs:
            label = ASPECT[f]
            counts[label] = counts.get(label, 0) + 1
        if diffs:
            lines.append("/%s: %s" % (p, "; ".join("%s buildkit %s, df2ninja %s" % (f, va, vb) for f, va, vb in diffs)))
            if any(f == "sha256" for f, _, _ in diffs):
                lines.extend(text_diff(a[p].get("data"), b[p].get("data")))
        if a[p].get("mtime") != b[p].get("mtime"):
            mt_diff += 1
    for label, n in counts.items():
        aspects.append("fs %s" % label if label.startswith("only in buildkit: /") else "fs %s (%d)" % (label, n))
    return mt_diff, len(both)


def show(v):
    return "(absent)" if v is _ABSENT else json.dumps(v, sort_keys=True)


_ABSENT = object()


def empty(v):
    return v is _ABSENT or not v


def short(v):
    return "absent" if v is _ABSENT else json.dumps(v)


def differing(da, db, skip=()):
    """(key, a's value, b's value) for each key of either dict whose values
    differ, _ABSENT for a missing key"""
    for k in sorted((set(da) | set(db)) - set(skip)):
        va, vb = da.get(k, _ABSENT), db.get(k, _ABSENT)
        if va != vb:
            yield k, va, vb


def compare_config(a, b, lines, aspects):
    # null, false, [], {} or "" against absent: the same to docker, one aspect
    empties = []
    for k, va, vb in differing(a.get("config") or {}, b.get("config") or {}):
        if empty(va) and empty(vb):
            empties.append("%s (%s vs %s)" % (k, short(va), short(vb)))
        else:
            aspects.append("config.%s" % k)
        lines.append("config.%s: buildkit %s, df2ninja %s" % (k, show(va), show(vb)))
    if empties:
        aspects.append("config empty vs absent: " + ", ".join(empties))
    for k, va, vb in differing(a, b, ("config", "history", "rootfs", "created")):
        if empty(va) and empty(vb):
            aspects.append("top.%s (%s vs %s)" % (k, short(va), short(vb)))
        else:
            aspects.append("top.%s" % k)
        lines.append("%s: buildkit %s, df2ninja %s" % (k, show(va), show(vb)))
    ra, rb = a.get("rootfs") or {}, b.get("rootfs") or {}
    if ra.get("type") != rb.get("type"):
        aspects.append("top.rootfs.type")
        lines.append("rootfs.type: buildkit %s, df2ninja %s" % (show(ra.get("type")), show(rb.get("type"))))
    na, nb = len(ra.get("diff_ids") or []), len(rb.get("diff_ids") or [])
    if na != nb:
        aspects.append("layers %d vs %d" % (na, nb))
        lines.append("layers: buildkit %d, df2ninja %d" % (na, nb))


BK_SUFFIX = " # buildkit"


def strip_suffix(s):
    return s[:-len(BK_SUFFIX)] if s.endswith(BK_SUFFIX) else s


def hist_line(h):
    s = h.get("created_by", "")
    extra = []
    if "empty_layer" in h:
        extra.append("empty_layer" if h["empty_layer"] is True else "empty_layer=%s" % json.dumps(h["empty_layer"]))
    for k in sorted(set(h) - {"created", "created_by", "empty_layer"}):
        extra.append("%s=%s" % (k, json.dumps(h[k])))
    return s + ("   [" + ", ".join(extra) + "]" if extra else "")


def compare_history(a, b, lines, aspects):
    ha, hb = a.get("history") or [], b.get("history") or []
    ka = [strip_suffix(h.get("created_by", "")) for h in ha]
    kb = [strip_suffix(h.get("created_by", "")) for h in hb]
    kinds = set()
    out = []
    sm = difflib.SequenceMatcher(a=ka, b=kb, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            pairs = list(zip(range(i1, i2), range(j1, j2)))
        elif op == "replace" and i2 - i1 == j2 - j1:
            pairs = list(zip(range(i1, i2), range(j1, j2)))
        else:
            for i in range(i1, i2):
                out.append("  - [%d] %s" % (i, hist_line(ha[i])))
                kinds.add("entries")
            for j in range(j1, j2):
                out.append("  + [%d] %s" % (j, hist_line(hb[j])))
                kinds.add("entries")
            continue
        for i, j in pairs:
            x, y = ha[i], hb[j]
            d = []
            # BuildKit ends the created_by of a step that makes a layer
            # with " # buildkit", naming itself: the one thing normalised
            if strip_suffix(x.get("created_by", "")) != strip_suffix(y.get("created_by", "")):
                d.append("created_by")
            ex, ey = x.get("empty_layer", _ABSENT), y.get("empty_layer", _ABSENT)
            if bool(ex is not _ABSENT and ex) != bool(ey is not _ABSENT and ey):
                d.append("empty_layer")
            elif ex != ey:
                d.append("empty_layer (%s vs %s)" % (short(ex), short(ey)))
            # every other key (comment, author, ...); created goes with the times
            d.extend(k for k, _, _ in differing(x, y, ("created", "created_by", "empty_layer")))
            if d:
                kinds.update(d)
                out.append("  - [%d] %s" % (i, hist_line(x)))
                out.append("  + [%d] %s" % (j, hist_line(y)))
    if len(ha) != len(hb):
        aspects.append("history count %d vs %d" % (len(ha), len(hb)))
    elif "entries" in kinds:
        aspects.append("history entries")
    for k in sorted(kinds - {"entries"}):
        aspects.append("history %s" % k)
    if out:
        lines.append("(- buildkit, + df2ninja; entries aligned by created_by)")
        lines.extend(out)
    n = sum(1 for h in ha + hb if h.get("created_by", "").endswith(BK_SUFFIX))
    if n:
        if not out:
            lines.append("identical")
        lines.append("(created_by compared without the ' # buildkit' suffix, which %d entries have)" % n)


def read_older(paths):
    """aspect -> reason, from files of "ASPECT<TAB>REASON" lines"""
    older = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                aspect, _, reason = line.partition("\t")
                older[aspect] = reason
    return older


EMPTIES = "config empty vs absent: "


def split_older(aspects, older):
    """(aspects left, [(aspect, reason)] of those older lists): a difference
    where the BuildKit of the oracle is older than the BuildKit df2ninja
    follows; "config empty vs absent: A (x), B (y)" entry by entry"""
    left, known = [], []
    for a in aspects:
        if a.startswith(EMPTIES):
            rest = []
            for e in a[len(EMPTIES):].split(", "):
                if EMPTIES + e in older:
                    known.append((EMPTIES + e, older[EMPTIES + e]))
                else:
                    rest.append(e)
            if rest:
                left.append(EMPTIES + ", ".join(rest))
        elif a in older:
            known.append((a, older[a]))
        else:
            left.append(a)
    return left, known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="case")
    ap.add_argument("--out", default=".")
    ap.add_argument("--older", action="append", default=[],
                    help="a file of ASPECT<TAB>REASON lines: differences "
                    "where the oracle's BuildKit is older than current BuildKit")
    ap.add_argument("buildkit")
    ap.add_argument("df2ninja")
    o = ap.parse_args()

    ia, ib = Image(o.buildkit), Image(o.df2ninja)
    fa, fb = merge(ia), merge(ib)
    ca, cb = ia.config, ib.config

    d = os.path.join(o.out, o.case)
    os.makedirs(d, exist_ok=True)
    for who, st, cfg in (("buildkit", fa, ia.config_raw), ("df2ninja", fb, ib.config_raw)):
        with open(os.path.join(d, who + ".fs.tsv"), "w") as f:
            f.write(fs_tsv(st))
        with open(os.path.join(d, who + ".config.json"), "wb") as f:
            f.write(cfg)

    aspects = []
    fs_lines, cfg_lines, hist_lines = [], [], []
    mt_diff, n_both = compare_fs(fa, fb, fs_lines, aspects)
    compare_config(ca, cb, cfg_lines, aspects)
    compare_history(ca, cb, hist_lines, aspects)
    aspects, older = split_older(aspects, read_older(o.older))

    times = "mtimes %d/%d" % (mt_diff, n_both)
    cr_a, cr_b = ca.get("created"), cb.get("created")
    hist_times = sum(1 for x, y in zip(ca.get("history") or [], cb.get("history") or [])
                     if x.get("created") != y.get("created"))
    if cr_a != cr_b:
        times += ", created"

    with open(os.path.join(o.out, o.case + ".diff"), "w") as f:
        f.write("# %s: %s\n" % (o.case, "identical" if not aspects else "; ".join(aspects)))
        for a, why in older:
            f.write("# older BuildKit, not counted: %s: %s\n" % (a, why))
        f.write("# %s\n\n" % times)
        f.write("== filesystem (%d paths in buildkit's image, %d in df2ninja's) ==\n" % (len(fa), len(fb)))
        f.write("\n".join(fs_lines or ["identical"]) + "\n\n")
        f.write("== config ==\n")
        f.write("\n".join(cfg_lines or ["identical"]) + "\n\n")
        f.write("== history (%d entries in buildkit's, %d in df2ninja's) ==\n"
                % (len(ca.get("history") or []), len(cb.get("history") or [])))
        f.write("\n".join(hist_lines or ["identical"]) + "\n\n")
        f.write("== times (a known difference, not counted) ==\n")
        f.write("created: buildkit %s, df2ninja %s\n" % (cr_a, cr_b))
        f.write("history entries whose created differs: %d\n" % hist_times)
        f.write("paths in both whose mtime differs: %d of %d\n" % (mt_diff, n_both))
        for p in sorted(set(fa) & set(fb)):
            if fa[p].get("mtime") != fb[p].get("mtime"):
                f.write("  /%s: buildkit %s, df2ninja %s\n" % (p, fa[p].get("mtime"), fb[p].get("mtime")))

    json.dump({"case": o.case, "aspects": aspects, "older": [a for a, _ in older], "times": times}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
