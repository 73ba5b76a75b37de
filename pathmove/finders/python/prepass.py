"""The pre-pass: no parse for files with provably nothing to change (SPEC §4.1 speed)."""

from __future__ import annotations

import ast
import bisect
import re
from typing import cast

from pathmove import match
from pathmove.finders.python.safety import _ast_parse
from pathmove.mapping import Mapping
from pathmove.scan import Source

# A byte that continues a name in SPEC §4 ("." included: "my.outputs" is not "outputs"), and
# one that continues a path component without "." (before a "/": "./hd_results" may be
# normalised by a chain, so "." there keeps the file).
_NAME_BYTE = frozenset(b for b in range(256) if match.is_name_byte(b))
_PLAIN_NAME_BYTE = _NAME_BYTE - {0x2E}
# Where a chain segment or an f-string's text can begin: after a quote, an interpolation, a
# backslash (escape, line continuation, Windows separator).
_SEGMENT_START = frozenset(b"\"'{}\\")
# SPEC §4 end of a name: dots only when a non-name byte (or the end) follows them.
_NAME_END = re.compile(rb"\.*(?:\Z|[^A-Za-z0-9_\-\x80-\xff.])")
_ESCAPE_END = re.compile(rb"\\(?:[A-Za-z]|x[0-9A-Fa-f]{2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]*\})\Z")


def _may_hold_reference(source: Source, mapping: Mapping) -> bool:
    """The cheap bytes check before parsing (STYLE §2 prefilter, then the issue 8 pre-pass).

    Every record of this finder needs, verbatim in the file, the last component of a `from`
    (or a moved module name): in a literal or comment that holds the whole old path at SPEC §4
    boundaries, or at the start of a chain segment (`"hd_results"`, `f"{base}/hd_results"`)
    with only the old path's own components before it in that literal. A file whose every
    occurrence fails both ("myoutputs/hd_results", "outputs/hd_results.bak") cannot change
    and is not parsed; tests/test_python_prepass.py checks that against the full parse."""
    data = source.data
    if mapping.packages is not None and mapping.packages.moves:
        if any(n in data for n in mapping.packages.needles):
            return True
        # a moved file's relative imports may need new dots even when it names no moved path
        if source.path != source.new_path and b"from ." in data:
            return True
    return any(_may_name(data, e.old) for e in mapping.entries)


def _may_name(data: bytes, old: str) -> bool:
    comps = old.encode("utf-8", "surrogateescape").split(b"/")
    needle = comps[-1]
    i = data.find(needle)
    while i >= 0:
        j = i + len(needle)
        if _NAME_END.match(data, j) and _left_ok(data, i, comps):
            return True
        i = data.find(needle, i + 1)
    return False


def _left_ok(data: bytes, i: int, comps: list[bytes]) -> bool:
    """Can the occurrence of comps[-1] at i end the old path, or start a chain segment that
    the old path's other components (in earlier segments) complete?"""
    k = len(comps)
    for m in range(k):  # m: how many of the old path's components precede it in this literal
        prefix = b"/".join(comps[k - 1 - m:k - 1]) + b"/" if m else b""
        s = i - len(prefix)
        if s < 0 or data[s:i] != prefix:
            return False
        if s == 0 or _escaped(data, s):
            return True
        b = data[s - 1]
        if m == k - 1:  # the whole old path: SPEC §4 start boundary
            return b not in _NAME_BYTE
        if b in _SEGMENT_START:
            return True
        if b == 0x2F:  # "/": a component of this literal precedes; a plain name is tried next
            if s < 2 or data[s - 2] not in _PLAIN_NAME_BYTE:
                return True
            continue
        # a name byte, or a space, "(" ...: not where a segment starts
        return False
    return False


def _escaped(data: bytes, s: int) -> bool:
    """An escape sequence (or a backslash) just before s: a parser may decode a separator."""
    return b"\\" in data[max(0, s - 2):s] or _ESCAPE_END.search(data, max(0, s - 12), s) is not None


# ---- the reduced parse: top-level blocks that cannot matter are blanked --------------------
# Module-level statements the gatherer reads even without a needle: the bindings that chains
# resolve through (and whose rebinding makes a name ambiguous).
_BASES = (ast.Assign, ast.AnnAssign, ast.AugAssign)


def _reduce(data: bytes, offset: int, mapping: Mapping) -> bytes | None:
    """data with every top-level statement that holds no needle (nor do the lines between it
    and its neighbours) turned into one comment line of the same length -- imports of path
    helpers and the assignments a kept statement may resolve names through excepted; None
    when nothing is blanked or the shortcut does not apply.

    The gatherer reads module-level assignments (bases) and imports of os.path or pathlib
    (aliases), and walks only the top-level statements whose surroundings hold a needle; a
    blanked statement is neither, and every byte that is kept stays at its offset, so the
    records are those of the full parse at a fraction of libcst's cost (most of a module is
    function and class bodies).
    A package move also keeps every top-level import (imports.prepare reads `import a.b`
    bindings module-wide) and every statement near a relative import (a moved file's
    relative imports are re-spelled)."""
    packaged = mapping.packages is not None and bool(mapping.packages.moves)
    body = data[offset:]
    if b"\r" in body or len(body) < 512:
        return None
    try:
        body.decode("utf-8")  # an undecodable file must fail in parse as before
    except UnicodeDecodeError:
        return None
    tree = _ast_parse(body)
    if not isinstance(tree, ast.Module) or not tree.body:
        return None
    stmts = tree.body
    starts = [0] + [m.end() for m in re.finditer(rb"\n", body)]

    def line_start(n: int) -> int:  # byte offset of 1-based line n (len(body) past the end)
        return starts[n - 1] if n - 1 < len(starts) else len(body)

    first = [min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", ())]) for s in stmts]
    last = [cast(int, s.end_lineno) for s in stmts]
    needles = mapping.needles
    keep = [False] * len(stmts)
    for i, stmt in enumerate(stmts):
        lo = line_start(last[i - 1]) if i else 0
        hi = line_start(first[i + 1] + 1) if i + 1 < len(stmts) else len(body)
        keep[i] = ((i > 0 and last[i - 1] >= first[i]) or (i + 1 < len(stmts) and first[i + 1] <= last[i])
                   # shares a line with a neighbour ("import a; X = 1"), or may be walked
                   or any(n in body[lo:hi] for n in needles)
                   or packaged and (isinstance(stmt, (ast.Import, ast.ImportFrom)) or b"from ." in body[lo:hi])
                   # os.path, posixpath, ntpath, pathlib: path aliases (_collect_path_aliases)
                   or isinstance(stmt, (ast.Import, ast.ImportFrom))
                   and b"path" in body[line_start(first[i]):line_start(last[i] + 1)])
    _keep_bases(stmts, keep)
    blank: list[tuple[int, int]] = []
    for i, stmt in enumerate(stmts):
        if keep[i]:
            continue
        a, b = line_start(first[i]), line_start(last[i] + 1)
        if blank and i and not keep[i - 1]:
            # right after the previous blanked statement: the lines between hold no needle
            # either (both regions cover them), so one comment line takes all
            blank[-1] = (blank[-1][0], b)
        else:
            blank.append((a, b))
    if not blank:
        return None
    out = bytearray()
    pos = 0
    for a, b in blank:
        out += body[pos:a] + _comment(b - a, body[b - 1:b] == b"\n")
        pos = b
    out += body[pos:]
    return data[:offset] + bytes(out)


def _keep_bases(stmts: list[ast.stmt], keep: list[bool]) -> None:
    """Also keep every module-level binding a kept statement may resolve a chain through,
    transitively, and every binding of such a name (two make it ambiguous, SPEC §4.1)."""
    needed: set[str] = set()
    for stmt, kept in zip(stmts, keep):
        if kept:
            needed.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))
    grew = True
    while grew:
        grew = False
        for i, stmt in enumerate(stmts):
            if not keep[i] and isinstance(stmt, _BASES) and _bound(stmt) & needed:
                keep[i] = grew = True
                needed.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))


def _bound(stmt: ast.stmt) -> set[str]:
    """The names a module-level assignment binds as the gatherer counts them (_collect_bases)."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AugAssign) or isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    else:
        return set()
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _comment(size: int, newline: bool) -> bytes:
    """One comment line of size bytes: libcst makes a node or more of every line, and drops
    the spaces of whitespace-only lines at the end of a module; a comment never indents."""
    if newline:
        return b"#" + b" " * (size - 2) + b"\n" if size > 1 else b"\n"
    return b"#" + b" " * (size - 1)

