"""The pre-pass: no parse for files with provably nothing to change (SPEC §4.1 speed)."""

from __future__ import annotations

from pathmove import match
from pathmove.finders.python import lex, parse
from pathmove.mapping import Mapping
from pathmove.scan import Source

# A byte that continues a path component without "." (before a "/": "./hd_results" may be
# normalised by a chain, so "." there keeps the file).
_PLAIN_NAME_BYTE = frozenset(b for b in range(256) if match.is_name_byte(b)) - {0x2E}
# Where a chain segment or an f-string's text can begin: after a quote, an interpolation, a
# backslash (escape, line continuation, Windows separator).
_SEGMENT_START = frozenset(b"\"'{}\\")


def _may_hold_reference(source: Source, mapping: Mapping) -> bool:
    """The cheap bytes check before parsing (STYLE §2 prefilter, then the pre-pass).

    Every record of this finder needs, verbatim in the file, the last component of a `from`
    (or a moved module name): in a literal or comment that holds the whole old path at SPEC §4
    boundaries (match.boundary_before/after, the test the scan uses), or at the start of a
    chain segment (`"hd_results"`, `f"{base}/hd_results"`) with only the old path's own
    components before it in that literal. A file whose every occurrence fails both
    ("myoutputs/hd_results", "outputs/hd_results.bak") cannot change and is not parsed;
    tests/finders/python_prepass_test.py checks that against the full parse."""
    data = source.data
    if parse.reads_here(source.path, source.new_path, data):
        return True  # SPEC §4.1: a moved file's paths relative to itself hold no needle
    if mapping.packages is not None and mapping.packages.moves:
        # a moved module's last name as a whole identifier: module-name records replace whole
        # dotted components, so `_use_legacy_io` or `legacy_io_compat` cannot hold one
        words = parse.hot_words({n.decode() for n in mapping.packages.needles})
        if words is not None and words.search(data):
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
        if match.boundary_after(data, i + len(needle), old[-1]) and _left_ok(data, i, comps, old[0]):
            return True
        i = data.find(needle, i + 1)
    return False


def _left_ok(data: bytes, i: int, comps: list[bytes], first: str) -> bool:
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
        if m == k - 1:  # the whole old path: SPEC §4 start boundary
            return match.boundary_before(data, s, first)
        b = data[s - 1]
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
    return b"\\" in data[max(0, s - 2):s] or match.escape_ends_at(data, s)


def _reduce(data: bytes, offset: int, mapping: Mapping) -> bytes | None:
    """What the reduced parse reads, as bytes of the file's length: the statements that
    cannot matter and the tail after the last one that can blanked (None: the whole file
    is parsed). For tests and --debug; parse.read does this for the rewriter."""
    reduced = parse.reduce(data, offset, mapping)
    if reduced is None:
        return None
    text, lay = reduced
    return text[:lay.end] + lex.blank(data, lay.end, len(data))
