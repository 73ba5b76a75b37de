"""Markdown (SPEC §4.3): link destinations resolved and re-based; everything else by the text rule.

mistune decides *what* is a destination; it gives no offsets, so we decide *where*: candidate
destinations are found with the CommonMark shapes below, each is replaced by a unique
sentinel, and mistune parses that copy once. A sentinel that comes back as a link, image or
reference-definition URL (or inside raw HTML, for `src`/`href`) marks a real destination;
one that comes back as text or code was not one. We never re-render: each edit replaces the
path part of one destination in the original bytes, and the text rule covers the rest.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import urllib.parse
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

import mistune

from pathmove.edits import Disposition, Edit, Record, Review, splice
from pathmove.finders import ParseFailed, dotted, text
from pathmove.finders._offsets import ByteOffsets
from pathmove.mapping import Mapping
from pathmove.scan import Source

if TYPE_CHECKING:
    from pathmove.finders.rst import Target  # rst imports this module

# A destination without angle brackets: no whitespace, parentheses balanced (CommonMark §6.3).
# Candidates are replaced by sentinels before mistune parses, so they must not hold a character
# that could pair with one elsewhere (code-span backticks, "*" emphasis, brackets, HTML "<").
_DEST = r"(?!<)(?:\\[!-~]|[^\s()\\`*<\[\]]|\((?:\\[!-~]|[^\s()\\`*<\[\]])*\))+"
_ANGLE = r"<[^<>\r\n`]*>"
_INLINE = re.compile(r"\]\([ \t]*(?:\r?\n[ \t>]*)?(?P<d>" + _ANGLE + "|" + _DEST + r")(?=[ \t\r\n)])")
_REFDEF = re.compile(
    r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?\[(?:\\.|[^\[\]\\\r\n])+\]:[ \t]*(?:\r?\n[ \t>]*)?"
    r"(?P<d>" + _ANGLE + "|" + _DEST + r")(?=[ \t]|\r?\n|\Z)",
    re.M,
)
_HTML_ATTR = re.compile(
    r"(?i)(?<![\w-])(?:src|href)[ \t]*=[ \t]*(?:\"(?P<dq>[^\"`]*)\"|'(?P<sq>[^'`]*)'|(?P<uq>[^\s\"'=<>`]+))"
)
# SPEC §4.3: URLs with a scheme are left alone, whatever they contain (in links and in prose).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URL = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>()\[\]\"'`]*|mailto:[^\s<>()\[\]\"'`]+")
_FRONT_OPEN = re.compile(r"(---|\+\+\+)[ \t]*\r?\n")  # YAML (---) or TOML (+++) front matter
_FRONT_CLOSE = {"---": re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M),
                "+++": re.compile(r"^\+\+\+[ \t]*(?:\r?\n|\Z)", re.M)}
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


class _Dest(NamedTuple):
    start: int  # character span of the destination, without angle brackets or quotes
    end: int
    html: bool  # an HTML src/href attribute (confirmed through raw HTML) rather than Markdown
    angle: bool  # written <like this>


@lru_cache(maxsize=1)
def _parser() -> mistune.Markdown:
    return mistune.create_markdown(renderer=None)


CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits for links that reach a moved path (or leave a moved file), and the text rule elsewhere."""
    data = source.data
    base = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    text_ = data[base:].decode("utf-8", "surrogateescape")
    offsets = ByteOffsets(text_, base)
    body = _front_matter_end(text_)
    protected: list[tuple[int, int]] = [(m.start(), m.end()) for m in _URL.finditer(text_)]
    dests, unlocated = _probe(text_, body)
    for a, b in protected:  # census: a URL names no place in the repository (SPEC §4.3)
        yield Disposition(source.path, offsets(a), offsets(b), "not-a-reference", "URL")
    for d in dests:
        # census: a destination without an edit resolves, from this file, to no moved path
        yield Disposition(source.path, offsets(d.start), offsets(d.end), "not-a-reference",
                          "a link that reaches no moved path")
        protected.append((d.start, d.end))
        raw = text_[d.start:d.end]
        path_raw = _path_part(raw)
        new = relink(path_raw, source.path, source.new_path, mapping, d.angle)
        if new is not None:
            start, end = offsets(d.start), offsets(d.start + len(path_raw))
            yield Edit(source.path, start, end, data[start:end], new.encode("utf-8", "surrogateescape"), "md-link")
    yield from _myst_docs(source, text_, offsets, body, mapping, protected)
    for url in unlocated:
        # mistune saw a link we could not place: never guess, ask (STYLE §2) -- unless the
        # text rule, which covers it as prose, already writes what the link needs.
        path_raw = urllib.parse.unquote(_path_part(url))
        new = relink(path_raw, source.path, source.new_path, mapping)
        at = text_.find(path_raw, body)
        if new is None or (at >= 0 and _by_text_rule(path_raw, mapping) == new):
            continue
        start = offsets(at) if at >= 0 else 0
        yield Review(source.path, start, offsets(at + len(path_raw)) if at >= 0 else 0,
                     f"link destination {url!r} could not be located exactly: update it by hand", "md-link")
    prose: list[Record] = []
    pos = 0
    for start, end in sorted(protected) + [(len(text_), len(text_))]:
        if start > pos:
            prose.extend(text.find_in(source.path, data, mapping, offsets(pos), offsets(start), "md-text",
                                      account=True))
        pos = max(pos, end)
    if not dotted.active(mapping):
        yield from prose
        return
    # SPEC §4.1: Sphinx/MyST roles and mkdocstrings' `::: a.b` in the prose (not in link destinations)
    spans = [(offsets(s), offsets(e)) for s, e in protected]
    names = [r for r in dotted.find_in(source.path, data, mapping, base)
             if not any(r.start < e and s < r.end for s, e in spans)]
    yield from dotted.overlay(prose, names)


# MyST (Sphinx in Markdown): document names in a ```{toctree} block and in {doc} roles, which
# are no links to mistune but break the build when their page moves (SPEC §4.7).
_MYST_OPEN = re.compile(r"^(?P<ind>[ \t]{0,3})(?P<fence>`{3,}|:{3,})[ \t]*\{toctree\}[^\r\n]*(?:\r?\n|\Z)", re.M)
_MYST_DOC = re.compile(r"\{(?:std:)?doc\}`(?P<body>[^`\r\n]+)`")


def _myst_docs(source: Source, text_: str, offsets: ByteOffsets, body: int, mapping: Mapping,
               protected: list[tuple[int, int]]) -> Iterator[Record]:
    """Edits for MyST document names whose page moves (or that leave with their page), as in reST."""
    from pathmove.finders import rst

    yield from rst.target_records(source, text_, offsets, _myst_names(text_, body), mapping, protected, "md")


_LINE = re.compile(r"[^\r\n]*")


def _myst_names(text_: str, body: int) -> Iterator[Target]:
    """Every document name (rst.Target) in toctree blocks and {doc} roles."""
    from pathmove.finders import rst

    for m in _MYST_OPEN.finditer(text_, body):
        fence = m.group("fence")
        close = re.compile(r"^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        c = close.search(text_, m.end())
        stop = c.start() if c else len(text_)
        glob = False
        in_yaml = False
        first = True
        for x in _LINE.finditer(text_, m.end(), stop):
            line = x.group().strip()
            if not line:
                continue
            if line == "---" and (first or in_yaml):  # options as a YAML block
                in_yaml = not in_yaml
                first = False
                continue
            first = False
            if in_yaml or line.startswith(":"):
                glob = glob or line.split(":")[1:2] == ["glob"] or line.startswith("glob:")
                continue
            t = rst.toctree_entry(text_, x.start(), x.end(), glob)
            if t is not None:
                yield t
    for m in _MYST_DOC.finditer(text_, body):
        t = rst.role_target(text_, *m.span("body"), "doc")
        if t is not None:
            yield t


def _by_text_rule(s: str, mapping: Mapping) -> str:
    """What the plain-text rule makes of s."""
    data = s.encode("utf-8", "surrogateescape")
    edits = [e for e in text.find_in("", data, mapping, 0, len(data), "md-text") if isinstance(e, Edit)]
    return splice(data, edits).decode("utf-8", "surrogateescape")


# ---- where the destinations are ------------------------------------------------------------
def destinations(text_: str, body: int = 0) -> list[_Dest]:
    """Every link, image, reference-definition and HTML src/href destination mistune recognises."""
    return _probe(text_, body)[0]


def _probe(text_: str, body: int) -> tuple[list[_Dest], list[str]]:
    """The located destinations, and the URLs of links mistune found that we could not place."""
    cands = _candidates(text_, body)
    nonce = "pmq"
    while nonce in text_:
        nonce += "q"
    pieces, pos = [], body
    for i, c in enumerate(cands):
        pieces.append(text_[pos:c.start])
        pieces.append(f"{nonce}{i}z")
        pos = c.end
    pieces.append(text_[pos:])
    # Front matter is not Markdown: blank it (keeping its lines) so it cannot become a heading.
    probe = re.sub(r"[^\r\n]", "", text_[:body]) + "".join(pieces)
    try:
        parsed, state = _parser().parse(probe)
        tokens: list[dict[str, Any]] = parsed if isinstance(parsed, list) else []
    except (RecursionError, ValueError, IndexError, KeyError, TypeError) as exc:  # mistune's own limits
        raise ParseFailed(f"mistune could not parse it: {type(exc).__name__}: {exc}") from None
    sentinel = re.compile(re.escape(nonce) + r"(\d+)z")
    found_md: set[int] = set()
    found_html: set[int] = set()
    unlocated: list[str] = []
    refs = [str(ref.get("url", "")) for ref in (state.env.get("ref_links") or {}).values()]
    for kind, value in [*_walk(tokens), *(("ref", url) for url in refs)]:
        ids = [int(m.group(1)) for m in sentinel.finditer(value)]
        (found_html if kind == "html" else found_md).update(ids)
        if kind != "html" and not ids:
            unlocated.append(value)
    located = [c for i, c in enumerate(cands) if i in (found_html if c.html else found_md)]
    return located, list(dict.fromkeys(unlocated))


def _candidates(text_: str, body: int) -> list[_Dest]:
    """Spans shaped like destinations (a superset; mistune confirms), sorted, not overlapping."""
    found: list[_Dest] = []
    for rx in (_INLINE, _REFDEF):
        for m in rx.finditer(text_, body):
            s, e = m.span("d")
            angle = text_[s] == "<"
            if angle:
                s, e = s + 1, e - 1
            if e > s:
                found.append(_Dest(s, e, False, angle))
    for m in _HTML_ATTR.finditer(text_, body):
        group = next(g for g in ("dq", "sq", "uq") if m.group(g) is not None)
        s, e = m.span(group)
        if e > s:
            found.append(_Dest(s, e, True, False))
    out: list[_Dest] = []
    for d in sorted(found):
        if out and d.start < out[-1].end:
            continue
        out.append(d)
    return out


def _walk(tokens: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(kind, text) for every link/image URL and raw HTML in mistune's AST."""
    for tok in tokens:
        kind = tok.get("type")
        if kind in ("link", "image"):
            yield "md", str((tok.get("attrs") or {}).get("url", ""))
        elif kind in ("inline_html", "block_html"):
            yield "html", str(tok.get("raw", ""))
        children = tok.get("children")
        if isinstance(children, list):
            yield from _walk(children)


def _front_matter_end(text_: str) -> int:
    """Where the body starts after a YAML front matter block (0 when there is none)."""
    opening = _FRONT_OPEN.match(text_)
    if opening is None:
        return 0
    close = _FRONT_CLOSE[opening.group(1)].search(text_, opening.end())
    return close.end() if close else 0


# ---- what a destination becomes ------------------------------------------------------------
def _path_part(raw: str) -> str:
    """The destination without its ?query and #anchor (SPEC §4.3: those are kept)."""
    cut = len(raw)
    for ch in "?#":
        i = raw.find(ch)
        if 0 <= i < cut:
            cut = i
    return raw[:cut]


def relink(path_raw: str, md_path: str, md_new_path: str, mapping: Mapping, angle: bool = False,
           top: str = "") -> str | None:
    """The new spelling of a destination's path part, or None when it stays as it is.

    A leading "/" means the root, or `top` when given (a Sphinx source folder, SPEC §4.7).
    """
    if not path_raw or _SCHEME.match(path_raw) or path_raw.startswith("//"):
        return None  # SPEC §4.3: scheme URLs (and protocol-relative ones) are left alone
    decoded = _decode(path_raw)
    rooted = decoded.startswith("/")
    new_top = (mapping.translate(top) or top) if top else ""
    if rooted:
        joined = posixpath.normpath(posixpath.join(top, decoded.lstrip("/")) or ".")
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(md_path), decoded))
    if joined == ".." or joined.startswith("../"):
        return None  # escapes the root: not ours to judge
    moved = mapping.translate(joined) if joined != "." else None
    if moved is None and ((rooted and new_top == top) or (not rooted and md_new_path == md_path)):
        return None
    dest = moved if moved is not None else joined
    if not rooted and posixpath.normpath(posixpath.join(posixpath.dirname(md_new_path), decoded)) == dest:
        return None  # the author's spelling still reaches the same place from where the file ends up
    if rooted:
        under = posixpath.relpath(dest, new_top) if new_top else dest
        if under == ".." or under.startswith("../"):
            return None  # left its site: the finder that knows the site decides
        new = "/" + (under if under != "." else "")
    elif md_new_path == md_path and (kept := _kept_spelling(decoded, posixpath.dirname(md_path), joined, dest,
                                                             mapping)) is not None:
        new = kept
    else:
        new = posixpath.relpath(dest, posixpath.dirname(md_new_path) or ".")
        if decoded.startswith("./") and not new.startswith("../") and new != ".":
            new = "./" + new  # keep the author's "./"
    if decoded.endswith("/") and not new.endswith("/"):
        new += "/"
    if new == decoded:
        return None
    encoded = _encode(new, path_raw, angle)
    return None if encoded == path_raw else encoded


def _kept_spelling(decoded: str, start: str, joined: str, dest: str, mapping: Mapping) -> str | None:
    """For a page that stays: keep the author's way up to the moved folder, change only the rest.

    `../docs/old/a.md` from docs/ becomes `../docs/new/a.md`, not the shorter `new/a.md`.
    """
    entry = mapping.entry_for(joined)
    if entry is None:
        return None
    parts = decoded.rstrip("/").split("/")
    pos, keep = start, None
    for k, comp in enumerate(parts):
        inside = pos == entry.old or pos.startswith(entry.old + "/")
        if inside:
            break
        if (pos == "" or dest.startswith(pos + "/")) and all(c not in ("", ".", "..") for c in parts[k:]):
            keep = (k, pos)
            break
        pos = posixpath.normpath(posixpath.join(pos, comp)) if comp not in ("", ".") else pos
        if pos == ".":
            pos = ""
        if pos == ".." or pos.startswith("../"):
            return None
    if keep is None:
        return None
    k, pos = keep
    head = "/".join(parts[:k])
    tail = dest[len(pos) + 1:] if pos else dest
    return f"{head}/{tail}" if head else tail


def _decode(path_raw: str) -> str:
    """The path a destination names: backslash escapes and percent-encoding undone."""
    s = _ESCAPED.sub(r"\1", path_raw)
    return urllib.parse.unquote(s) if "%" in s else s


def _encode(new: str, path_raw: str, angle: bool) -> str:
    """new spelled like the original: its unchanged components keep their exact spelling."""
    spelled = {_decode(p): p for p in path_raw.split("/")}
    percent = "%" in path_raw
    out = []
    for comp in new.split("/"):
        if comp in spelled:
            out.append(spelled[comp])
        elif comp in ("", ".", ".."):
            out.append(comp)
        elif percent:
            out.append(urllib.parse.quote(comp, safe="!$&'()*+,;=:@-._~"))
        elif angle:
            out.append(comp.replace("<", "%3C").replace(">", "%3E"))
        else:
            out.append(comp.replace(" ", "%20").replace("(", "%28").replace(")", "%29"))
    return "/".join(out)
