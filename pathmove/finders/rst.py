"""reStructuredText (SPEC §4.7): directive, role and hyperlink targets; the text rule elsewhere.

A small grammar of reST's explicit markup decides *what* is a target, and since it reads
the original text it also knows *where*: directive blocks are line-based (`.. name:: arg`,
then `:option:` lines, then content indented deeper), roles and embedded URIs are inline.
docutils would decide the same things but cannot say where (its nodes carry lines, not
columns, and drop the spelling), and without Sphinx's directives registered it reports a
`toctree` as an unknown directive; see the README for the measurement behind this choice.

- File targets (`image`, `figure`, `include`, `literalinclude`, `csv-table`/`raw` `:file:`,
  `:download:`, hyperlink targets, embedded URIs) are paths relative to the file's folder,
  resolved and re-based by the Markdown rewriter's `relink`.
- Document names (`toctree` entries, `:doc:`) have no suffix, are relative to the including
  document, and a leading "/" means the Sphinx source folder (the folder of `conf.py`).
- Literal blocks, code directives and comments are not markup: only the text rule reads them.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from typing import Iterable, Iterator, NamedTuple

from pathmove.edits import Edit, Record, Review
from pathmove.finders import dotted, text
from pathmove.finders._offsets import ByteOffsets
from pathmove.finders.markdown import relink
from pathmove.mapping import Mapping
from pathmove.scan import Source
from pathmove.sites import PAGE_SUFFIXES

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
# `.. name:: argument` (also after a substitution: `.. |logo| image:: a.png`)
_DIRECTIVE = re.compile(
    r"(?P<ind>[ \t]*)\.\.[ \t]+(?:\|[^|\r\n]+\|[ \t]+)?(?P<name>[A-Za-z0-9][A-Za-z0-9_:+.\-]*?)::"
    r"(?:[ \t]+(?P<arg>[^\r\n]*?))?[ \t]*(?:\r\n|\r|\n|\Z)")
# `.. _name: uri` and the anonymous `__ uri`
_TARGET = re.compile(
    r"(?P<ind>[ \t]*)(?:\.\.[ \t]+_(?:`[^`\r\n]+`|(?:\\.|[^:`\\\r\n])+):|__)[ \t]+(?P<uri>[^\r\n]*?)[ \t]*(?:\r\n|\r|\n|\Z)")
_EXPLICIT = re.compile(r"(?P<ind>[ \t]*)\.\.(?:[ \t]|\r?\n|\Z)")  # any other explicit markup: a comment
_OPTION = re.compile(r"[ \t]+:(?P<name>[^:\r\n]+):(?:[ \t]+(?P<val>[^\r\n]*?))?[ \t]*(?:\r\n|\r|\n|\Z)")
_INDENT = re.compile(r"[ \t]*")
_ROLE = re.compile(r"(?<![\w`\\]):(?:std:)?(?P<role>doc|download):`(?P<body>(?:\\.|[^`\\])+)`")
_EMBEDDED = re.compile(r"(?<![\w:`\\])`(?P<body>(?:\\.|[^`\\])+?<(?:\\.|[^`<>\\])+>)`__?(?!\w)")
_LITERAL = re.compile(r"``(?:[^`]|`(?!`))+``")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URL = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>`]*")

FILE_DIRECTIVES = frozenset({"image", "figure", "include", "literalinclude"})
FILE_OPTIONS = frozenset({"csv-table", "raw"})  # their `:file:` option
# Directives whose content is not markup (code, raw output, math): only the text rule reads it.
OPAQUE = frozenset({"code-block", "code", "sourcecode", "literalinclude", "raw", "math", "testcode", "testoutput",
                    "doctest", "ipython", "jupyter-execute", "highlight", "productionlist", "prompt",
                    "parsed-literal", "graphviz", "mermaid", "plantuml"})


class Target(NamedTuple):
    start: int  # character span of the path as written
    end: int
    kind: str  # "file", "doc", "glob"


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits for targets that reach a moved path (or leave a moved page); the text rule elsewhere."""
    data = source.data
    base = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    text_ = data[base:].decode("utf-8", "surrogateescape")
    offsets = ByteOffsets(text_, base)
    protected: list[tuple[int, int]] = [(m.start(), m.end()) for m in _URL.finditer(text_)]
    yield from target_records(source, text_, offsets, targets(text_), mapping, protected, "rst")
    yield from _prose(source.path, data, text_, offsets, protected, mapping)


def target_records(source: Source, text_: str, offsets: ByteOffsets, found: Iterable[Target], mapping: Mapping,
                   protected: list[tuple[int, int]], prefix: str) -> Iterator[Record]:
    """Edits for targets that reach a moved path (or leave a moved page), a review for a glob
    that selects moving pages; each placed target joins protected (the text rule skips it).
    reST and MyST pages alike (prefix: "rst" or "md")."""
    data = source.data
    srcdir = mapping.sites.srcdir_of(source.path) if mapping.sites is not None else None
    for t in found:
        raw = text_[t.start:t.end]
        if t.kind == "glob":
            if _glob_moves(raw, source, mapping, srcdir):
                yield Review(source.path, offsets(t.start), offsets(t.end),
                             f"toctree glob {raw!r} selects pages that move: check it by hand", f"{prefix}-doc")
            continue
        resolved = _resolve(raw, t.kind, source, mapping, srcdir)
        if isinstance(resolved, _Unknown):
            continue  # not a path we can place (a rooted path outside Sphinx): the text rule decides
        protected.append((t.start, t.end))
        if resolved is None:
            continue
        start, end = offsets(t.start), offsets(t.end)
        kind = f"{prefix}-doc" if t.kind == "doc" else f"{prefix}-link"
        yield Edit(source.path, start, end, data[start:end], resolved.encode("utf-8", "surrogateescape"), kind)


def _prose(path: str, data: bytes, text_: str, offsets: ByteOffsets, protected: list[tuple[int, int]],
           mapping: Mapping) -> Iterator[Record]:
    """The one place every character outside a target gets the plain-text rule (SPEC §4), and
    module names in roles and directives (`:func:`a.b.f``, `.. automodule:: a.b`, SPEC §4.1)."""
    prose: list[Record] = []
    pos = 0
    for start, end in sorted(protected) + [(len(text_), len(text_))]:
        if start > pos:
            prose.extend(text.find_in(path, data, mapping, offsets(pos), offsets(start), "rst-text"))
        pos = max(pos, end)
    if not dotted.active(mapping):
        yield from prose
        return
    spans = [(offsets(s), offsets(e)) for s, e in protected]
    names = [r for r in dotted.find_in(path, data, mapping) if not any(r.start < e and s < r.end for s, e in spans)]
    yield from dotted.overlay(prose, names)


# ---- what is a target ----------------------------------------------------------------------
def targets(text_: str) -> list[Target]:
    """Every target in the text, in order (the grammar; no mapping needed)."""
    found: list[Target] = []
    markup: list[tuple[int, int]] = []  # spans where inline markup (roles) is read
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text_) if m.end() > m.start()]
    i, n = 0, len(lines)
    literal_after: int | None = None  # indent of a paragraph ending in "::": an indented literal block follows
    while i < n:
        s, e = lines[i]
        line = text_[s:e]
        blank = not line.strip()
        indent = _indent(line)
        if literal_after is not None and not blank:
            if indent > literal_after:
                j = _block_end(text_, lines, i, literal_after)
                literal_after = None
                i = j
                continue
            literal_after = None
        d = _DIRECTIVE.match(line)
        if d:
            name = d.group("name").lower()
            j = _block_end(text_, lines, i + 1, indent)
            _directive(text_, lines, i, j, d, s, name, found)
            if name in OPAQUE:
                markup.append((s, e))  # the directive line itself, not its content
                i = j
                continue
            markup.append((s, e))
            i += 1
            if name == "toctree":
                i = j
            continue
        t = _TARGET.match(line)
        if t:
            uri = t.group("uri")
            if uri and not _is_reference(uri):
                found.append(Target(s + t.start("uri"), s + t.end("uri"), "file"))
            i += 1
            continue
        if _EXPLICIT.match(line):  # a comment (or footnote/citation): its block is not markup targets
            if line.lstrip().startswith(("..  [", ".. [")):
                markup.append((s, e))
                i += 1
                continue
            i = _block_end(text_, lines, i + 1, indent)
            continue
        if not blank and line.rstrip().endswith("::"):
            literal_after = indent
        markup.append((s, e))
        i += 1
    for ms, me in _merge(markup):
        found.extend(_inline(text_, ms, me))
    return sorted(found)


def _directive(text_: str, lines: list[tuple[int, int]], i: int, j: int, d: re.Match[str], s: int, name: str,
               found: list[Target]) -> None:
    """The targets of one directive block: lines[i] is `.. name::`, lines[i+1:j] its body."""
    if name in FILE_DIRECTIVES and d.group("arg"):
        arg = d.group("arg")
        if not (arg.startswith("<") and arg.endswith(">")):  # `.. include:: <isonum.txt>`: docutils' own
            found.append(Target(s + d.start("arg"), s + d.end("arg"), "file"))
    options, body = _options(text_, lines, i + 1, j)
    for oname, (os_, oe) in options.items():
        if oname == "file" and name in FILE_OPTIONS and oe > os_:
            found.append(Target(os_, oe, "file"))
    if name != "toctree":
        return
    glob = "glob" in options
    for k in range(body, j):
        t = toctree_entry(text_, *lines[k], glob)
        if t is not None:
            found.append(t)


def toctree_entry(text_: str, ls: int, le: int, glob: bool) -> Target | None:
    """A toctree content line's document name (`name`, or the `name` of `Title <name>`); None
    for a blank line, a comment, `self` or a URL. reST and MyST write them alike."""
    entry = text_[ls:le].strip()
    if not entry or entry.startswith(".."):
        return None
    at = text_.index(entry, ls)
    start, end = at, at + len(entry)
    m = re.search(r"<([^<>]+)>$", entry)
    if m:
        start, end = at + m.start(1), at + m.end(1)
    name = text_[start:end]
    if name == "self" or _SCHEME.match(name):
        return None
    return Target(start, end, "glob" if glob and any(c in name for c in "*?[") else "doc")


def _options(text_: str, lines: list[tuple[int, int]], i: int, j: int) -> tuple[dict[str, tuple[int, int]], int]:
    """The `:name: value` option lines at the top of a directive body (value spans), and where content starts."""
    opts: dict[str, tuple[int, int]] = {}
    k = i
    while k < j:
        ls, le = lines[k]
        m = _OPTION.match(text_, ls, le)
        if not m:
            break
        val = m.span("val") if m.group("val") is not None else (le, le)
        opts[m.group("name").strip().lower()] = val
        k += 1
    return opts, k


def _inline(text_: str, start: int, end: int) -> Iterator[Target]:
    """Roles and embedded URIs in a stretch of markup, outside inline literals."""
    chunk = text_[start:end]
    literals = [(m.start(), m.end()) for m in _LITERAL.finditer(chunk)]

    def in_literal(pos: int) -> bool:
        return any(a <= pos < b for a, b in literals)

    for m in _ROLE.finditer(chunk):
        if in_literal(m.start()):
            continue
        t = role_target(chunk, m.start("body"), m.end("body"), "doc" if m.group("role") == "doc" else "file")
        if t is not None:
            yield t._replace(start=start + t.start, end=start + t.end)
    for m in _EMBEDDED.finditer(chunk):
        if in_literal(m.start()):
            continue
        bs, be = _link_part(chunk, m.start("body"), m.end("body"))
        uri = chunk[bs:be]
        if be > bs and not _is_reference(uri) and not _SCHEME.match(uri) and not uri.startswith("#"):
            yield Target(start + bs, start + be, "file")


def role_target(text_: str, s: int, e: int, kind: str) -> Target | None:
    """The target of a role whose body is text_[s:e] (`name`, `text <name>`, `!name`, `~name`);
    None for a URL. reST and MyST roles alike."""
    bs, be = _link_part(text_, s, e)
    if text_[bs:bs + 1] in ("!", "~"):
        bs += 1
    if be > bs and not _SCHEME.match(text_[bs:be]):
        return Target(bs, be, kind)
    return None


def _link_part(chunk: str, s: int, e: int) -> tuple[int, int]:
    """In `text <target>` the target; else the whole body (roles and embedded URIs alike)."""
    body = chunk[s:e]
    m = re.search(r"<([^<>]+)>\s*$", body)
    if m:
        return s + m.start(1), s + m.end(1)
    return s, e


def _is_reference(uri: str) -> bool:
    """`name_` is an indirect hyperlink reference, not a URI (docutils: an unescaped trailing "_")."""
    return uri.endswith("_") and not uri.endswith("\\_")


def _indent(line: str) -> int:
    m = _INDENT.match(line)
    return len(m.group(0).expandtabs(8)) if m else 0


def _block_end(text_: str, lines: list[tuple[int, int]], i: int, indent: int) -> int:
    """The first line from i on that is not blank and not indented deeper than indent."""
    while i < len(lines):
        s, e = lines[i]
        line = text_[s:e]
        if line.strip() and _indent(line) <= indent:
            return i
        i += 1
    return i


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


# ---- what a target becomes -----------------------------------------------------------------
class _Unknown:
    pass


_UNKNOWN = _Unknown()


def _resolve(raw: str, kind: str, source: Source, mapping: Mapping, srcdir: str | None) -> str | None | _Unknown:
    """The new spelling of a target, None when it stays, _UNKNOWN when it is not ours to place."""
    if raw.startswith("/") and srcdir is None:
        return _UNKNOWN  # outside Sphinx a leading "/" is the filesystem's root
    top = srcdir or ""
    if kind == "file":
        return relink(raw, source.path, source.new_path, mapping, top=top)
    return docname(raw, source.path, source.new_path, mapping, top)


def docname(name: str, path: str, new_path: str, mapping: Mapping, top: str) -> str | None:
    """A document name's new spelling (no suffix; SPEC §4.7), or None when it stays."""
    rooted = name.startswith("/")
    joined = posixpath.normpath(posixpath.join(top, name.lstrip("/")) if rooted
                                else posixpath.join(posixpath.dirname(path), name))
    own = posixpath.splitext(path)[1]
    sfx = ""
    for s in dict.fromkeys((own, *PAGE_SUFFIXES, ".ipynb")):
        e = mapping.entry_for(joined + s)
        if e is not None and e.old == joined + s:
            sfx = s  # the page file itself moves: its suffix says where to
            break
    new = relink(name + sfx, path, new_path, mapping, top=top)
    if new is None or not sfx:
        return new
    moved = mapping.translate(joined + sfx)
    new_sfx = posixpath.splitext(moved)[1] if moved else sfx
    return new[:-len(new_sfx)] if new_sfx and new.endswith(new_sfx) else new


def _glob_moves(pattern: str, source: Source, mapping: Mapping, srcdir: str | None) -> bool:
    """A toctree glob whose fixed folder part lands in a moved path, or that leaves with its page."""
    parts = pattern.split("/")
    fixed = []
    for p in parts:
        if any(c in p for c in "*?["):
            break
        fixed.append(p)
    prefix = "/".join(fixed) or "."
    if prefix.startswith("/") and srcdir is None:
        return False
    top = srcdir or ""
    joined = posixpath.normpath(posixpath.join(top, prefix.lstrip("/")) if prefix.startswith("/")
                                else posixpath.join(posixpath.dirname(source.path), prefix))
    if source.new_path != source.path and not prefix.startswith("/"):
        return True
    return any(e.old == joined or e.old.startswith(joined + "/") or joined.startswith(e.old + "/")
               for e in mapping.entries)
