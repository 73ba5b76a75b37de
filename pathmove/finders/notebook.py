"""Jupyter notebooks (.ipynb): each cell's source through its own language's finder.

A notebook is JSON. Code cells' sources go through the Python finder (all code cells read
as one module, so a name bound in one cell is a base in the next), Markdown cells'
through the Markdown finder (links resolved relative to the notebook), and every other
byte (outputs, metadata, raw cells) through the plain-text rule (SPEC §4.4). A finder
sees the *decoded* source; each of its spans is mapped back to the exact bytes of the
JSON string it came from (escapes such as `\\"`, `\\n`, `\\u00e9`; sources stored as one
string or as a list of lines), and each new text is escaped for JSON again, so no byte
outside an edit changes and the file stays valid JSON.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any, Iterable, Iterator, NamedTuple

from pathmove import finders
from pathmove.edits import Disposition, Edit, Notice, Record, Review
from pathmove.finders import text
from pathmove.mapping import Mapping
from pathmove.scan import Source

# ---- a JSON reader that keeps the byte span of every string --------------------------
_WS = re.compile(rb"[ \t\n\r]*")
# RFC 8259 string, unrolled so a megabyte of base64 output is one fast match
_STRING = re.compile(rb'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
_SCALAR = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
_ESCAPE = re.compile(rb'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_SHORT = {b'"': '"', b"\\": "\\", b"/": "/", b"b": "\b", b"f": "\f", b"n": "\n", b"r": "\r", b"t": "\t"}
_BOM = b"\xef\xbb\xbf"


class JStr(NamedTuple):
    """A JSON string: its value and the byte span of the token, quotes included."""

    value: str
    start: int
    end: int


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = len(_BOM) if data.startswith(_BOM) else 0

    def fail(self, what: str) -> finders.ParseFailed:
        return finders.ParseFailed(f"not valid JSON: {what} at byte {self.pos}")

    def skip(self) -> None:
        self.pos = _WS.match(self.data, self.pos).end()  # type: ignore[union-attr]

    def document(self) -> Any:
        value = self.value()
        self.skip()
        if self.pos != len(self.data):
            raise self.fail("extra data")
        return value

    def value(self) -> Any:
        self.skip()
        c = self.data[self.pos:self.pos + 1]
        if c == b"{":
            return self.obj()
        if c == b"[":
            return self.array()
        if c == b'"':
            return self.string()
        m = _SCALAR.match(self.data, self.pos)
        if not m:
            raise self.fail("unexpected character")
        self.pos = m.end()
        return json.loads(m.group())

    def string(self) -> JStr:
        m = _STRING.match(self.data, self.pos)
        if not m:
            raise self.fail("bad string")
        self.pos = m.end()
        try:
            value = json.loads(m.group())
        except ValueError:  # not UTF-8
            raise self.fail("bad string") from None
        return JStr(value, m.start(), m.end())

    def obj(self) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        self.skip()
        if self.data[self.pos:self.pos + 1] == b"}":
            self.pos += 1
            return out
        while True:
            self.skip()
            if self.data[self.pos:self.pos + 1] != b'"':
                raise self.fail("expected a key")
            key = self.string()
            self.skip()
            if self.data[self.pos:self.pos + 1] != b":":
                raise self.fail("expected ':'")
            self.pos += 1
            out[key.value] = self.value()  # a repeated key: the last wins, as in json.loads
            self.skip()
            c = self.data[self.pos:self.pos + 1]
            self.pos += 1
            if c == b"}":
                return out
            if c != b",":
                raise self.fail("expected ',' or '}'")

    def array(self) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        self.skip()
        if self.data[self.pos:self.pos + 1] == b"]":
            self.pos += 1
            return out
        while True:
            out.append(self.value())
            self.skip()
            c = self.data[self.pos:self.pos + 1]
            self.pos += 1
            if c == b"]":
                return out
            if c != b",":
                raise self.fail("expected ',' or ']'")


def parse(data: bytes) -> Any:
    """The JSON document with every string as a JStr; ParseFailed if it is not JSON."""
    try:
        return _Reader(data).document()
    except RecursionError:
        raise finders.ParseFailed("not valid JSON: nested too deeply") from None


# ---- decoded text ↔ original bytes ------------------------------------------------------
class Segment(NamedTuple):
    """A piece of decoded source: bytes at cell[at:at+size] came from file[start:end].

    A raw run is byte-for-byte the same in both (raw=True, any offset maps linearly);
    an escape is atomic (one character; only its edges map). token is the string's index,
    -1 for bytes we inserted (a newline between cells), which map nowhere.
    """

    at: int
    size: int
    start: int
    end: int
    raw: bool
    token: int


class Decoded(NamedTuple):
    data: bytes
    segments: list[Segment]
    tokens: list[JStr]

    @property
    def starts(self) -> list[int]:
        return [s.at for s in self.segments]


def decode(tokens: list[JStr], data: bytes) -> Decoded:
    """The UTF-8 bytes of the strings' values, concatenated, with a segment map back to data."""
    out = bytearray()
    segments: list[Segment] = []
    for i, tok in enumerate(tokens):
        pos, end = tok.start + 1, tok.end - 1
        while pos < end:
            esc = data.find(b"\\", pos, end)
            if esc < 0:
                esc = end
            if esc > pos:
                segments.append(Segment(len(out), esc - pos, pos, esc, True, i))
                out += data[pos:esc]
            if esc == end:
                break
            char, stop = _unescape(data, esc)
            piece = char.encode("utf-8", "surrogatepass")
            segments.append(Segment(len(out), len(piece), esc, stop, False, i))
            out += piece
            pos = stop
    return Decoded(bytes(out), segments, tokens)


def _unescape(data: bytes, at: int) -> tuple[str, int]:
    """One JSON escape at data[at] (a surrogate pair is one character): (char, end offset)."""
    m = _ESCAPE.match(data, at)
    assert m is not None  # the string token matched _STRING
    if m.group(2):
        return _SHORT[m.group(2)], m.end()
    code = int(m.group(1), 16)
    if 0xD800 <= code < 0xDC00:
        low = _ESCAPE.match(data, m.end())
        if low and low.group(1) and 0xDC00 <= int(low.group(1), 16) < 0xE000:
            code = 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
            return chr(code), low.end()
    return chr(code), m.end()


def _segment_at(dec: Decoded, offset: int, starts: list[int]) -> Segment | None:
    i = bisect.bisect_right(starts, offset) - 1
    return dec.segments[i] if i >= 0 else None


def to_file(dec: Decoded, start: int, end: int, starts: list[int]) -> list[tuple[int, int, int]] | None:
    """The decoded span [start, end) as (token, file start, file end) pieces; None if it splits an escape."""
    i = bisect.bisect_right(starts, start) - 1
    j = bisect.bisect_right(starts, max(end - 1, start)) - 1
    if i < 0 or j < 0:
        return None
    first, last = dec.segments[i], dec.segments[j]
    if end <= start:  # an insertion: a point, at a character's edge
        if first.token < 0 or not (first.raw or start == first.at):
            return None
        point = _point(first, start, True)
        return [(first.token, point, point)]
    if any(s.token < 0 for s in dec.segments[i:j + 1]):
        return None  # a span across two cells (our inserted newline) belongs to neither
    if not first.raw and start != first.at:
        return None
    if not last.raw and end != last.at + last.size:
        return None
    fstart = _point(first, start, True)
    fend = _point(last, end, False)
    if first.token == last.token:
        return [(first.token, fstart, fend)]
    pieces = [(first.token, fstart, dec.tokens[first.token].end - 1)]
    for t in range(first.token + 1, last.token):
        pieces.append((t, dec.tokens[t].start + 1, dec.tokens[t].end - 1))
    pieces.append((last.token, dec.tokens[last.token].start + 1, fend))
    return pieces


def _point(seg: Segment, offset: int, is_start: bool) -> int:
    if seg.raw:
        return seg.start + (offset - seg.at)
    return seg.start if is_start else seg.end


def escape(new: bytes, ascii_only: bool) -> bytes:
    """New text as the inside of a JSON string, escaped the way the notebook writes it."""
    value = new.decode("utf-8", "surrogateescape")
    return json.dumps(value, ensure_ascii=ascii_only)[1:-1].encode("utf-8", "surrogateescape")


def map_records(records: Iterable[Record], dec: Decoded, source: Source) -> Iterator[Record]:
    """A cell finder's records, their spans moved into the notebook's bytes."""
    ascii_only = source.data.isascii()
    starts = dec.starts
    for r in records:
        if isinstance(r, Notice):
            yield r
        elif isinstance(r, (Review, Disposition)):
            pieces = to_file(dec, r.start, r.end, starts)
            start = pieces[0][1] if pieces else _nearest(dec, r.start, starts)
            end = pieces[-1][2] if pieces else start
            yield r._replace(path=source.path, start=start, end=end)
        else:
            yield from _map_edit(r, dec, source, ascii_only, starts)


def _map_edit(e: Edit, dec: Decoded, source: Source, ascii_only: bool, starts: list[int]) -> Iterator[Record]:
    pieces = to_file(dec, e.start, e.end, starts)
    if not pieces:
        yield Notice(source.path, f"notebook: an edit at {e.old!r} does not map onto the file's bytes; not rewritten")
        return
    new = escape(e.new, ascii_only)
    for n, (_, start, end) in enumerate(pieces):
        # an edit spanning list items (lines): the new text goes in the first, the rest is emptied
        piece_new = new if n == 0 else b""
        old = source.data[start:end]
        if old != piece_new:
            yield Edit(source.path, start, end, old, piece_new, e.kind)


def _nearest(dec: Decoded, offset: int, starts: list[int]) -> int:
    s = _segment_at(dec, offset, starts)
    return s.start if s is not None else (dec.tokens[0].start if dec.tokens else 0)


# ---- the notebook ------------------------------------------------------------------------
# Cell magics whose body is still Python; the body of any other (%%bash, %%html …) is not.
_PY_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "skip"}
_LINE_MAGIC = re.compile(rb"^([ \t]*)([%!])", re.M)


class Cell(NamedTuple):
    kind: str  # "python" | "markdown" | "text"
    tokens: list[JStr]


def cells(doc: Any) -> list[Cell]:
    """Code and Markdown cells with the string tokens of their source (nbformat 4 and 3)."""
    if not isinstance(doc, dict):
        return []
    code_kind = "python" if _is_python(doc) else "text"
    found: list[Cell] = []
    raw_cells = doc.get("cells")
    groups = [raw_cells] if isinstance(raw_cells, list) else []
    for ws in doc.get("worksheets") or []:  # nbformat 3
        if isinstance(ws, dict) and isinstance(ws.get("cells"), list):
            groups.append(ws["cells"])
    for group in groups:
        for cell in group:
            if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), JStr):
                continue
            ctype = cell["cell_type"].value
            if ctype == "code":
                tokens = _tokens(cell.get("source", cell.get("input")))
                kind = code_kind
            elif ctype in ("markdown", "heading"):
                tokens = _tokens(cell.get("source"))
                kind = "markdown"
            elif ctype == "raw":
                tokens = _tokens(cell.get("source"))
                kind = "text"
            else:
                continue
            if tokens is not None:
                found.append(Cell(kind, tokens))
            # SPEC §4.4: outputs are plain text, read decoded so that an escaped character
            # ("\u2018" in ASCII-only JSON) is judged as the character it stands for (SPEC §4)
            for text_tokens in _output_texts(cell.get("outputs")):
                found.append(Cell("text", text_tokens))
    return found


def _output_texts(outputs: Any) -> Iterator[list[JStr]]:
    """The text of each output of a code cell: streams, and text/* data of results."""
    if not isinstance(outputs, list):
        return
    for out in outputs:
        if not isinstance(out, dict):
            continue
        data = out.get("data")
        values = [out.get("text")]
        if isinstance(data, dict):
            values += [v for k, v in data.items() if k.startswith("text/")]
        for value in values:
            tokens = _tokens(value)
            if tokens:
                yield tokens


def _tokens(source: Any) -> list[JStr] | None:
    if isinstance(source, JStr):
        return [source]
    if isinstance(source, list) and all(isinstance(s, JStr) for s in source):
        return list(source)
    return None


def _is_python(doc: dict[str, Any]) -> bool:
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return True
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        sub = meta.get(key)
        if isinstance(sub, dict) and isinstance(sub.get(field), JStr):
            return bool(sub[field].value.lower() == "python")
    return True


def python_view(code: bytes) -> tuple[bytes, bool]:
    """Code as the Python finder should read it: IPython magics turned into comments.

    Same length, so offsets hold: `%matplotlib` and `!ls x` become `#matplotlib` and `#ls x`
    (a path in them is still found, as in any comment). False when the cell is not Python.
    """
    if code.lstrip().startswith(b"%%"):
        name = re.match(rb"\s*%%(\w*)", code)
        if name is None or name.group(1).decode() not in _PY_CELL_MAGICS:
            return code, False
    return _LINE_MAGIC.sub(lambda m: m.group(1) + b"#", code), True


CENSUS = True  # accounts for every occurrence it reads, Python cells through the Python finder


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits for every reference in a notebook, each in the JSON bytes it came from."""
    doc = parse(source.data)
    handled: list[tuple[int, int]] = []
    code_cells: list[Cell] = []
    for cell in cells(doc):
        handled.extend((t.start, t.end) for t in cell.tokens)
        if cell.kind == "python":
            code_cells.append(cell)
        else:
            yield from _find_cell(source, cell.kind, cell.tokens, mapping)
    yield from _find_code(source, code_cells, mapping)
    yield from _find_rest(source, handled, mapping)


def _find_cell(source: Source, kind: str, tokens: list[JStr], mapping: Mapping) -> Iterator[Record]:
    dec = decode(tokens, source.data)
    data = dec.data
    if kind == "python":
        data, is_python = python_view(data)
        kind = "python" if is_python else "text"
    sub = Source(source.path, source.new_path, data, kind, source.archived)
    yield from map_records(finders.find(sub, mapping), dec, source)


def _find_code(source: Source, code_cells: list[Cell], mapping: Mapping) -> Iterator[Record]:
    """All code cells as one module, so a base bound in one cell resolves in another."""
    if not code_cells:
        return
    pythonic = [c for c in code_cells if python_view(decode(c.tokens, source.data).data)[1]]
    others = [c for c in code_cells if c not in pythonic]
    for cell in others:
        yield from _find_cell(source, "text", cell.tokens, mapping)
    if not pythonic:
        return
    tokens, joints = _join_cells(pythonic, source.data)
    dec = decode(tokens, source.data)
    data = _with_joints(dec, joints)
    view, _ = python_view(data.data)
    sub = Source(source.path, source.new_path, view, "python", source.archived)
    try:
        records = list(finders.finder_for("python")(sub, mapping))
    except finders.ParseFailed:
        # one cell that is not Python (a magic we do not know) must not cost the others
        for cell in pythonic:
            yield from _find_cell(source, "python", cell.tokens, mapping)
        return
    yield from map_records(records, data, source)


def _join_cells(cells_: list[Cell], data: bytes) -> tuple[list[JStr], set[int]]:
    """Every code cell's tokens in order, and the token indexes that start a new cell."""
    tokens: list[JStr] = []
    joints: set[int] = set()
    for cell in cells_:
        if tokens:
            joints.add(len(tokens))
        tokens.extend(cell.tokens)
    return tokens, joints


def _with_joints(dec: Decoded, joints: set[int]) -> Decoded:
    """Insert a newline (mapped nowhere) between cells, so one cell's last line ends."""
    out = bytearray()
    segments: list[Segment] = []
    shift = 0
    current = -1
    for s in dec.segments:
        if s.token != current:
            if any(current < j <= s.token for j in joints):
                segments.append(Segment(s.at + shift, 1, s.start, s.start, False, -1))
                out += b"\n"
                shift += 1
            current = s.token
        segments.append(s._replace(at=s.at + shift))
        out += dec.data[s.at:s.at + s.size]
    return Decoded(bytes(out), segments, dec.tokens)


def _find_rest(source: Source, handled: list[tuple[int, int]], mapping: Mapping) -> Iterator[Edit | Disposition]:
    """The plain-text rule on every byte outside the cells' sources (outputs, metadata)."""
    spans = sorted(handled)
    starts = [s for s, _ in spans]
    for e in text.find(source, mapping):
        i = bisect.bisect_right(starts, e.start) - 1
        if i >= 0 and spans[i][0] <= e.start and e.end <= spans[i][1]:
            continue
        yield e
