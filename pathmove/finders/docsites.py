"""Site-wide records any file may need (SPEC §4.7), added after its own finder's.

- Links to the repository's own files on its hosting site that name a moved path: a Review
  carrying the URL they will need once the change is merged, or (`--rewrite-own-urls`) an
  Edit. The path inside such a URL is not left to the text rule.
- A Sphinx `conf.py` that configures sphinx-reredirects receives one `redirects` entry per
  moved page, as ordinary byte-span edits (journaled, undone, shown by `plan`).
"""

from __future__ import annotations

import ast
import posixpath
import re
import urllib.parse
from typing import Iterator

from pathmove.edits import Edit, Record, Review
from pathmove.mapping import Mapping
from pathmove.scan import Source
from pathmove.sites import OwnRepo, Sites, SphinxSite, redirects_dict

_END = r"[^\s<>()\[\]\"'`#?|]+"


def extend(source: Source, mapping: Mapping, records: list[Record]) -> list[Record]:
    """records, with own-URL findings in place of the text rule inside them, and new redirects."""
    sites: Sites | None = mapping.sites
    if sites is None or source.kind == "symlink":
        return records
    if sites.own is not None:
        found = list(own_urls(source, mapping, sites.own, sites.rewrite_own_urls))
        if found:
            spans = [(r.start, r.end) for r in found if isinstance(r, (Edit, Review))]
            records = [r for r in records
                       if not (isinstance(r, (Edit, Review)) and any(a <= r.start and r.end <= b for a, b in spans))]
            records.extend(found)
    for site in sites.sphinx:
        if site.conf == source.path and site.redirects:
            keys = _redirect_keys(source.data)  # old page names kept alive on purpose: never stale
            records = [r for r in records
                       if not (isinstance(r, (Edit, Review)) and any(a <= r.start and r.end <= b for a, b in keys))]
            if sites.pages:
                records.extend(sphinx_redirects(source, mapping, site, sites))
    return records


def _redirect_keys(data: bytes) -> list[tuple[int, int]]:
    """Byte spans of the string keys of conf.py's `redirects = {...}`."""
    node = redirects_dict(data)
    if node is None:
        return []
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]
    out = []
    for k in node.keys:
        if isinstance(k, ast.Constant) and k.end_lineno is not None and k.end_col_offset is not None:
            out.append((starts[k.lineno - 1] + k.col_offset, starts[k.end_lineno - 1] + k.end_col_offset))
    return out


# ---- own URLs --------------------------------------------------------------------------------
def url_pattern(own: OwnRepo) -> re.Pattern[bytes]:
    """Links to own's files: blob/tree/raw (GitHub, GitLab `/-/`) and raw.githubusercontent.com."""
    owner, name = re.escape(own.owner), re.escape(own.name)
    host = re.escape(own.host)
    web = rf"https?://(?:www\.)?{host}/{owner}/{name}/(?:-/)?(?:blob|tree|raw)/[^/\s]+/"
    alts = [web]
    if own.host == "github.com":
        alts.append(rf"https?://raw\.githubusercontent\.com/{owner}/{name}/(?:refs/heads/)?[^/\s]+/")
    return re.compile(("(?i:" + "|".join(alts) + ")(?P<path>" + _END + ")").encode())


def own_urls(source: Source, mapping: Mapping, own: OwnRepo, rewrite: bool) -> Iterator[Record]:
    """Every own URL whose path names a moved path (SPEC §4.7)."""
    data = source.data
    if own.name.encode().lower() not in data.lower():
        return
    for m in url_pattern(own).finditer(data):
        raw = m.group("path").decode("utf-8", "surrogateescape")
        path = urllib.parse.unquote(raw).rstrip("/")
        new = mapping.translate(path)
        if new is None or new == path:
            continue
        spelled = urllib.parse.quote(new, safe="/!$&'()*+,;=:@-._~") + ("/" if raw.endswith("/") else "")
        start, end = m.start("path"), m.end("path")
        if rewrite:
            yield Edit(source.path, start, end, data[start:end], spelled.encode(), "own-url")
        else:
            url = data[m.start():start].decode("utf-8", "surrogateescape") + spelled
            yield Review(source.path, start, end,
                         f"link to this repository's own file breaks once the move is merged: it will need {url} "
                         "(or run with --rewrite-own-urls)", "own-url")


# ---- sphinx-reredirects ----------------------------------------------------------------------
def sphinx_redirects(source: Source, mapping: Mapping, site: SphinxSite, sites: Sites) -> Iterator[Record]:
    """One `"old/page": "relative/new/page.html"` entry per moved page without a redirect."""
    data = source.data
    node = redirects_dict(data)
    if node is None:
        return
    have = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    src, new_src = site.srcdir, mapping.translate(site.srcdir) or site.srcdir if site.srcdir else ""
    wanted = []
    for old, new in sites.pages:
        if not _under(old, src) or not _under(new, new_src):
            continue
        old_doc = posixpath.splitext(posixpath.relpath(old, src or "."))[0]
        new_doc = posixpath.splitext(posixpath.relpath(new, new_src or "."))[0]
        if old_doc in have or old_doc == new_doc:
            continue
        # sphinx-reredirects: a relative target is relative to the old page's own HTML file
        wanted.append((old_doc, posixpath.relpath(new_doc + ".html", posixpath.dirname(old_doc) or ".")))
    if not wanted:
        return
    starts = [0]
    for m in re.finditer(rb"\r\n|\r|\n", data):
        starts.append(m.end())
    assert node.end_lineno is not None and node.end_col_offset is not None
    close = starts[node.end_lineno - 1] + node.end_col_offset - 1
    if data[close:close + 1] != b"}":
        yield Review(source.path, close, close, "sphinx-reredirects needs these redirects (add them by hand): "
                     + ", ".join(f"{k!r}: {v!r}" for k, v in wanted), "sphinx-redirect")
        return
    quote = '"'
    if node.keys and isinstance(node.keys[0], ast.Constant):
        k0 = node.keys[0]
        at = starts[k0.lineno - 1] + k0.col_offset
        quote = "'" if data[at:at + 1] == b"'" else '"'
    eol = b"\r\n" if b"\r\n" in data else b"\n"

    def q(s: str) -> str:
        return quote + s.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote

    line_start = data.rfind(b"\n", 0, close) + 1
    own_line = not data[line_start:close].strip()
    last = node.values[-1] if node.values else None
    comma = True
    if last is not None and last.end_lineno is not None and last.end_col_offset is not None:
        last_end = starts[last.end_lineno - 1] + last.end_col_offset
        comma = b"," in _code(data[last_end:close])
        if not comma:
            yield Edit(source.path, last_end, last_end, b"", b",", "sphinx-redirect")
    if own_line and last is not None:
        first = node.keys[0]
        indent = " " * 4
        if first is not None:  # the first key's indentation when it starts its own line
            at = starts[first.lineno - 1]
            lead = data[at:at + first.col_offset]
            if not lead.strip():
                indent = lead.decode()
        lines = eol.join(f"{indent}{q(k)}: {q(v)},".encode() for k, v in wanted) + eol
        yield Edit(source.path, line_start, line_start, b"", lines, "sphinx-redirect")
    else:
        sep = " " if last is not None else ""  # after the comma that is there or added above
        body = ", ".join(f"{q(k)}: {q(v)}" for k, v in wanted)
        yield Edit(source.path, close, close, b"", (sep + body).encode(), "sphinx-redirect")


def _code(between: bytes) -> bytes:
    """Python between two tokens with its comments dropped."""
    return re.sub(rb"#[^\r\n]*", b"", between)


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")
