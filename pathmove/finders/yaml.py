"""YAML (SPEC §4.2): keys, values of every scalar style and comments, in every document.

PyYAML's scanner says where each scalar starts and ends (in characters); inside that span
the boundary rule of SPEC §4 finds the old paths, and only the matched characters change.
Everything between tokens is whitespace, indicators, anchors, tags and comments; only the
comments are read, by the plain-text rule. A rewrite is checked by scanning the result:
every scalar must load as its old value with the paths replaced, or it becomes a Review.
"""

from __future__ import annotations

import bisect
import codecs
import re
from typing import Iterator, NamedTuple

import yaml as pyyaml
from yaml import tokens as T

from pathmove import census, match
from pathmove.edits import Disposition, Edit, Record, Review, splice
from pathmove.finders import ParseFailed, dotted, text
from pathmove.finders._offsets import ByteOffsets
from pathmove.mapping import Mapping
from pathmove.scan import Source

# A comment starts with "#" at the start of a line or after whitespace (YAML 1.2 §6.6).
_COMMENT = re.compile(r"(?<![^ \t\r\n])#[^\r\n]*")
# What a plain scalar may receive without needing quotes: no indicators, no whitespace.
_PLAIN_SAFE = re.compile(r"[^\s#:,\[\]{}'\"&*!|>%@`?]*")
_BREAK = re.compile(r"[\r\n]")


class _Scalar(NamedTuple):
    token: T.ScalarToken
    edits: list[Edit]
    expected: str  # its value once the edits are made


def _loader() -> type:
    # SPEC §4.2 names PyYAML; the C loader (libyaml) is the same grammar, faster.
    return getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits for every old path in a scalar or a comment; Reviews where quoting would break."""
    data = source.data
    base = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text_ = data[base:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseFailed(f"not UTF-8 ({exc.reason} at byte {exc.start + base})") from None
    tokens = _scan(text_)
    offsets = ByteOffsets(text_, base)
    needles = [n.text for n in census.needles(mapping)]
    scalars: list[_Scalar] = []
    records: list[Record] = []
    spans: list[tuple[int, int]] = []
    flow = 0
    modules = dotted.active(mapping)
    place, key = "item", ""  # what the next scalar is: a key, the value of `key`, or an item
    for tok in tokens:
        if isinstance(tok, (T.FlowSequenceStartToken, T.FlowMappingStartToken)):
            flow += 1
            place = "item"
        elif isinstance(tok, (T.FlowSequenceEndToken, T.FlowMappingEndToken)):
            flow = max(0, flow - 1)
        elif isinstance(tok, T.KeyToken):
            place = "key"
        elif isinstance(tok, T.ValueToken):
            place = "value"
        elif isinstance(tok, (T.BlockEntryToken, T.FlowEntryToken)):
            place = "item"
        elif isinstance(tok, T.ScalarToken):
            spans.append((tok.start_mark.index, tok.end_mark.index))
            sc = _read_scalar(source.path, data, text_, offsets, tok, flow > 0, mapping, records)
            if place == "key":
                key = tok.value
            elif modules:
                # a whole scalar that is a module name is one, not a folder the text rule saw in it
                sc = _dotted_scalar(source.path, data, offsets, tok, key if place == "value" else "", mapping,
                                    records) or sc
            place = "item"
            scalars.append(sc)
            s, e = offsets(tok.start_mark.index), offsets(tok.end_mark.index)
            if any(n in data[s:e] for n in needles):  # census: what the scalar holds besides its edits
                records.extend(census.dispose(source.path, data, s, e, mapping))
    comment_records = list(_comments(source.path, data, text_, offsets, spans, mapping))
    comment_edits = [r for r in comment_records if isinstance(r, Edit)]
    records.extend(r for r in comment_records if not isinstance(r, Edit))  # census dispositions
    records.extend(_collisions(source.path, text_, scalars))
    edits = [e for s in scalars for e in s.edits]
    if edits:
        yield from _checked(source.path, data, scalars, comment_edits + edits)
    else:
        yield from comment_edits
    yield from records


def _scan(text_: str, validate: bool = True) -> list[pyyaml.Token]:
    """Every token of every document; a file PyYAML rejects goes to the text rule (SPEC §4.2)."""
    try:
        tokens = list(pyyaml.scan(text_, Loader=_loader()))
        if validate:  # the scanner accepts some structures the parser refuses (templates)
            for _ in pyyaml.parse(text_, Loader=_loader()):
                pass
    except pyyaml.YAMLError as exc:
        raise ParseFailed(_describe(exc)) from None
    except ValueError as exc:  # e.g. unacceptable characters reported by the reader
        raise ParseFailed(str(exc)) from None
    return tokens


def _describe(exc: pyyaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def _read_scalar(path: str, data: bytes, text_: str, offsets: ByteOffsets, tok: T.ScalarToken,
                 in_flow: bool, mapping: Mapping, records: list[Record]) -> _Scalar:
    """The edits of one scalar; a Review appended to records when it cannot be done in place."""
    start, end = tok.start_mark.index, tok.end_mark.index
    style = tok.style or ""
    body = start
    if style not in ("|", ">") and mapping.pattern is not None and not mapping.pattern.search(
            tok.value.encode("utf-8", "surrogateescape")):
        return _Scalar(tok, [], tok.value)  # the common case: nothing to find
    if style in ("|", ">"):
        # The header line ("|-  # comment") is indicators and maybe a comment, not content.
        brk = _BREAK.search(text_, start, end)
        body = brk.start() if brk else end
        records.extend(_comments_in(path, data, text_, offsets, start + 1, body, mapping))
    bstart, bend = offsets(body), offsets(end)
    value_bytes = tok.value.encode("utf-8", "surrogateescape")
    val = list(match.find_all(value_bytes, mapping.pattern))
    val_new = [(m, mapping.rewrite(m.old, m.tail)) for m in val]
    if not any(n is not None and n != m.old for m, n in val_new):
        return _Scalar(tok, [], tok.value)
    expected = _replace(value_bytes, val_new)
    # The value decides what is a reference (escapes and folds change boundaries); the raw
    # text holds the same path spelled out literally, occurrence for occurrence, or it is
    # spelled with escapes or broken by a fold and a person must decide (SPEC §4.2).
    body_bytes = data[bstart:bend]
    spots: dict[str, tuple[list[int], list[int]]] = {}
    for old in {m.old for m in val}:
        spots[old] = (_occurrences(value_bytes, old.encode()), _occurrences(body_bytes, old.encode()))
    if any(len(v) != len(r) for v, r in spots.values()) or any(m.start not in spots[m.old][0] for m in val):
        why = ("a path broken across a line fold" if style == ">" or "\\\n" in text_[start:end]
               else "a path spelled with escapes")
        records.append(Review(path, offsets(start), bend,
                              f"{why} in a {_style_name(style)} scalar: rewrite it by hand", "yaml-scalar"))
        return _Scalar(tok, [], tok.value)
    edits: list[Edit] = []
    for m, new in val_new:
        if new is None or new == m.old:
            continue
        in_value, in_raw = spots[m.old]
        at = bstart + in_raw[in_value.index(m.start)]
        quoted = _quote(new, style, in_flow)
        if quoted is None:
            records.append(Review(path, at, at + len(m.old.encode()),
                                  f"{new!r} cannot be written into a {_style_name(style)} scalar without "
                                  "changing its quoting: rewrite it by hand", "yaml-scalar"))
            return _Scalar(tok, [], tok.value)
        edits.append(Edit(path, at, at + len(m.old.encode()), data[at:at + len(m.old.encode())],
                          quoted.encode(), "yaml-scalar"))
    return _Scalar(tok, edits, expected)


def _dotted_scalar(path: str, data: bytes, offsets: ByteOffsets, tok: T.ScalarToken, key: str, mapping: Mapping,
                   records: list[Record]) -> _Scalar | None:
    """A scalar that is exactly a moved module's dotted name (`target: a.b.C`), SPEC §4.1.

    Any key will do when the name cannot be a file name; `target`, `_target_`,
    `class_path` ... ask for a module whatever the name looks like (dotted.MODULE_KEYS).
    """
    style = tok.style or ""
    if style in ("|", ">") or not tok.value or len(tok.value) > 512:
        return None
    start, end = offsets(tok.start_mark.index), offsets(tok.end_mark.index)
    if style:
        start, end = start + 1, end - 1  # inside the quotes
    if data[start:end] != tok.value.encode("utf-8", "surrogateescape"):
        return None  # spelled with escapes: not a plain dotted name
    asked = key in dotted.MODULE_KEYS
    found = list(dotted.name_records(path, data, start, end, mapping, asked, "yaml-dotted", module_only=asked))
    edits = [r for r in found if isinstance(r, Edit)]
    reviews = [r for r in found if isinstance(r, Review)]
    records.extend(reviews)
    if reviews:
        return _Scalar(tok, [], tok.value)
    if not edits:
        return None
    e = edits[0]
    value = tok.value
    expected = value[:e.start - start] + e.new.decode() + value[e.end - start:]
    return _Scalar(tok, edits, expected)


def _collisions(path: str, text_: str, scalars: list[_Scalar]) -> Iterator[Review]:
    """A rewritten key that would equal another key of its mapping: the load would drop one."""
    by_end = {s.token.end_mark.index: i for i, s in enumerate(scalars)}
    if not any(s.edits and s.expected != s.token.value for s in scalars):
        return
    try:
        roots = list(pyyaml.compose_all(text_, Loader=_loader()))
    except pyyaml.YAMLError:
        return
    stack: list[pyyaml.Node] = [r for r in roots if r is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # aliases make a graph
        seen.add(id(node))
        if isinstance(node, pyyaml.MappingNode):
            keys: dict[str, list[int]] = {}
            for key, value in node.value:
                stack.extend((key, value))
                if isinstance(key, pyyaml.ScalarNode):
                    i = by_end.get(key.end_mark.index)
                    new = scalars[i].expected if i is not None else key.value
                    keys.setdefault(new, []).append(i if i is not None else -1)
            for clash in (ix for ix in keys.values() if len(ix) > 1):
                for i in clash:
                    if i >= 0 and scalars[i].edits:
                        bad = scalars[i]
                        scalars[i] = _Scalar(bad.token, [], bad.token.value)
                        yield Review(path, bad.edits[0].start, bad.edits[-1].end,
                                     f"rewriting this key would make it equal to another key of the same "
                                     f"mapping ({bad.expected!r}): merge them by hand", "yaml-scalar")
        elif isinstance(node, pyyaml.SequenceNode):
            stack.extend(node.value)


def _occurrences(haystack: bytes, needle: bytes) -> list[int]:
    """Start of every non-overlapping occurrence of needle, left to right."""
    out, pos = [], haystack.find(needle)
    while pos >= 0:
        out.append(pos)
        pos = haystack.find(needle, pos + len(needle))
    return out


def _replace(raw: bytes, val_new: list[tuple[match.Match, str | None]]) -> str:
    """The value with its matched paths replaced (the meaning the edits must produce)."""
    out, pos = [], 0
    for m, new in val_new:
        out.append(raw[pos:m.start])
        out.append(new.encode() if new is not None else raw[m.start:m.end])
        pos = m.end
    out.append(raw[pos:])
    return b"".join(out).decode("utf-8", "surrogateescape")


def _quote(new: str, style: str, in_flow: bool) -> str | None:
    """new as it must be spelled inside a scalar of this style, or None if it cannot be."""
    if any(c in new for c in "\r\n\t\0"):
        return None
    if style == "'":
        return new.replace("'", "''")  # YAML §7.3.2: the only escape of single quotes
    if style == '"':
        return new.replace("\\", "\\\\").replace('"', '\\"')
    if style in ("|", ">"):
        return new
    # plain: no indicator and no whitespace, so the scalar keeps its meaning and its end
    return new if _PLAIN_SAFE.fullmatch(new) else None


def _style_name(style: str) -> str:
    return {"'": "single-quoted", '"': "double-quoted", "|": "literal block", ">": "folded block"}.get(
        style, "plain")


def _comments(path: str, data: bytes, text_: str, offsets: ByteOffsets, spans: list[tuple[int, int]],
              mapping: Mapping) -> Iterator[Edit | Disposition]:
    """The text rule on every comment: a "#" after whitespace that no scalar contains.

    Outside scalars there are only indicators, anchors, aliases and tags (none holds " #").
    """
    starts = [s for s, _ in spans]
    pos = 0
    while (m := _COMMENT.search(text_, pos)) is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        if k >= 0 and m.start() < spans[k][1]:
            pos = spans[k][1]  # a "#" inside a scalar; a comment may still follow it
            continue
        yield from text.find_in(path, data, mapping, offsets(m.start()), offsets(m.end()), "yaml-comment",
                                account=True)
        pos = m.end()


def _comments_in(path: str, data: bytes, text_: str, offsets: ByteOffsets, start: int, end: int,
                 mapping: Mapping) -> Iterator[Edit | Disposition]:
    for m in _COMMENT.finditer(text_, start, end):
        yield from text.find_in(path, data, mapping, offsets(m.start()), offsets(m.end()), "yaml-comment",
                                account=True)


def _checked(path: str, data: bytes, scalars: list[_Scalar], edits: list[Edit]) -> list[Record]:
    """STYLE §2: scan the result; a scalar that would not load as intended becomes a Review."""
    try:
        new_data = splice(data, edits)
        base = len(codecs.BOM_UTF8) if new_data.startswith(codecs.BOM_UTF8) else 0
        after = [t.value for t in _scan(new_data[base:].decode("utf-8"), validate=False)
                 if isinstance(t, T.ScalarToken)]
    except (ParseFailed, UnicodeDecodeError, ValueError):
        after = None
    bad: list[_Scalar] = []
    if after is None or len(after) != len(scalars):
        bad = [s for s in scalars if s.edits]
    else:
        bad = [s for s, v in zip(scalars, after) if s.edits and v != s.expected]
    if not bad:
        return list[Record](edits)
    drop = {id(e) for s in bad for e in s.edits}
    out: list[Record] = [e for e in edits if id(e) not in drop]
    for s in bad:
        first, last = s.edits[0], s.edits[-1]
        out.append(Review(path, first.start, last.end,
                          f"rewriting this {_style_name(s.token.style or '')} scalar would change its meaning: "
                          "rewrite it by hand", "yaml-scalar"))
    return out
