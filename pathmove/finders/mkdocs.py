"""mkdocs.yml (SPEC §4.7): page paths are relative to `docs_dir`, not to the root.

The YAML rewriter reads the file as every YAML file (scalars and comments, bytes kept, SPEC
§4.2). Then the scalars that name pages — `nav:` entries, `redirect_maps` targets,
`extra_css`/`extra_javascript` — are resolved against `docs_dir` instead, like a link from a
page that sits in `docs_dir` (the Markdown rewriter's `relink`); `redirect_maps` keys are the
old URLs a redirect keeps alive, so they never change. When mkdocs-redirects is enabled and
the plan moves pages of this site, one `old: new` line per moved page is added to
`redirect_maps` (SPEC §4.7), as an ordinary edit: journaled, undone, shown by `plan`.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from typing import Iterator, NamedTuple

import yaml as pyyaml

from pathmove.edits import Edit, Record, Review
from pathmove.finders import ParseFailed, yaml
from pathmove.finders._offsets import ByteOffsets
from pathmove.finders.markdown import relink
from pathmove.mapping import Mapping
from pathmove.scan import Source
from pathmove.sites import MkdocsSite, mkdocs_config

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_./\-][A-Za-z0-9_./\- ]*[A-Za-z0-9_./\-]|[A-Za-z0-9_./\-]")
PAGE_LISTS = ("extra_css", "extra_javascript")


class _Page(NamedTuple):
    node: pyyaml.ScalarNode
    frozen: bool  # a redirect_maps key: an old URL kept alive on purpose


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """The YAML rewriter's records, with page paths resolved against docs_dir, and new redirects."""
    records = list(yaml.find(source, mapping))  # ParseFailed: the text rule takes the file
    data = source.data
    base = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    text_ = data[base:].decode("utf-8")
    offsets = ByteOffsets(text_, base)
    try:
        root = pyyaml.compose(text_, Loader=_loader())
    except pyyaml.YAMLError as exc:
        raise ParseFailed(str(exc).splitlines()[0]) from None
    site = _site(source, mapping)
    if not isinstance(root, pyyaml.MappingNode):
        yield from records
        return
    pages = list(_pages(root))
    spans = [(offsets(p.node.start_mark.index), offsets(p.node.end_mark.index)) for p in pages]
    for r in records:  # the YAML rule's view of a page scalar is replaced by the docs_dir view
        if isinstance(r, (Edit, Review)) and any(a <= r.start and r.end <= b for a, b in spans):
            continue
        yield r
    new_docs = mapping.translate(site.docs_dir) or site.docs_dir if site.docs_dir else ""
    for p in pages:
        if p.frozen:
            continue
        yield from _page_edit(source, data, text_, offsets, p.node, site.docs_dir, new_docs, mapping)
    if site.redirects and mapping.sites is not None and mapping.sites.pages:
        yield from _redirects(source, data, text_, offsets, root, site.docs_dir, new_docs, mapping)


def _loader() -> type:
    from pathmove import sites

    return sites._Loader


def _site(source: Source, mapping: Mapping) -> MkdocsSite:
    """This config's site as found by the scan, else read from its own bytes (`check`, tests)."""
    if mapping.sites is not None:
        found: MkdocsSite | None = mapping.sites.mkdocs_for(source.path)
        if found is not None:
            return found
    cfg = mkdocs_config(source.data) or {}
    docs = cfg.get("docs_dir", "docs")
    full = posixpath.normpath(posixpath.join(posixpath.dirname(source.path), docs if isinstance(docs, str) else "docs"))
    return MkdocsSite(source.path, "" if full == "." else full, False)


def _get(node: pyyaml.Node, key: str) -> pyyaml.Node | None:
    if isinstance(node, pyyaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, pyyaml.ScalarNode) and k.value == key:
                return v if isinstance(v, pyyaml.Node) else None
    return None


def _pages(root: pyyaml.MappingNode) -> Iterator[_Page]:
    """Every scalar of the config that names a page or asset relative to docs_dir."""
    nav = _get(root, "nav")
    if nav is not None:
        yield from _nav(nav)
    for key in PAGE_LISTS:
        items = _get(root, key)
        if isinstance(items, pyyaml.SequenceNode):
            for item in items.value:
                item = _get(item, "path") or item  # mkdocs ≥ 1.5: `- path: js/a.mjs` with attributes
                if isinstance(item, pyyaml.ScalarNode) and not _SCHEME.match(item.value):
                    yield _Page(item, False)
    maps = redirect_maps(root)
    if isinstance(maps, pyyaml.MappingNode):
        for k, v in maps.value:
            if isinstance(k, pyyaml.ScalarNode):
                yield _Page(k, True)
            if isinstance(v, pyyaml.ScalarNode) and not _SCHEME.match(v.value):
                yield _Page(v, False)


def _nav(node: pyyaml.Node) -> Iterator[_Page]:
    if isinstance(node, pyyaml.ScalarNode):
        if _SCHEME.match(node.value):
            yield _Page(node, True)  # a link out of the site (SPEC §4.3: URLs are left alone)
        elif node.value and not node.value.startswith("/"):
            yield _Page(node, False)
    elif isinstance(node, pyyaml.SequenceNode):
        for item in node.value:
            yield from _nav(item)
    elif isinstance(node, pyyaml.MappingNode):
        for _, v in node.value:  # keys are titles: prose, the YAML rule's
            yield from _nav(v)


def redirect_maps(root: pyyaml.Node) -> pyyaml.Node | None:
    """`plugins: - redirects: redirect_maps:` (list or mapping form of `plugins`)."""
    plugins = _get(root, "plugins")
    items: list[pyyaml.Node] = []
    if isinstance(plugins, pyyaml.SequenceNode):
        items = list(plugins.value)
    elif isinstance(plugins, pyyaml.MappingNode):
        items = [plugins]
    for item in items:
        conf = _get(item, "redirects")
        if conf is not None:
            return _get(conf, "redirect_maps")
    return None


def _page_edit(source: Source, data: bytes, text_: str, offsets: ByteOffsets, node: pyyaml.ScalarNode,
               docs: str, new_docs: str, mapping: Mapping) -> Iterator[Record]:
    value = node.value
    path_part = value.split("#", 1)[0]
    anchor = f"{docs}/x" if docs else "x"
    new_anchor = f"{new_docs}/x" if new_docs else "x"
    new = relink(path_part, anchor, new_anchor, mapping, top=docs)
    if new is None:
        return
    s, e = node.start_mark.index, node.end_mark.index
    style = node.style or ""
    inner = (s + 1, e - 1) if style in ("'", '"') else (s, e)
    raw = text_[inner[0]:inner[1]]
    at = raw.find(path_part) if style not in ("|", ">") else -1
    quoted = yaml._quote(new, style, False)
    if at < 0 or raw.count(path_part) != 1 or quoted is None:
        yield Review(source.path, offsets(s), offsets(e),
                     f"page path {value!r} must become {new!r}: rewrite it by hand", "mkdocs-page")
        return
    start, end = offsets(inner[0] + at), offsets(inner[0] + at + len(path_part))
    yield Edit(source.path, start, end, data[start:end], quoted.encode(), "mkdocs-page")


def _redirects(source: Source, data: bytes, text_: str, offsets: ByteOffsets, root: pyyaml.MappingNode,
               docs: str, new_docs: str, mapping: Mapping) -> Iterator[Record]:
    """One `old: new` line per moved page of this site that has no redirect yet (SPEC §4.7)."""
    assert mapping.sites is not None
    maps = redirect_maps(root)
    have = {k.value for k, _ in maps.value if isinstance(k, pyyaml.ScalarNode)} \
        if isinstance(maps, pyyaml.MappingNode) else set()
    wanted: list[tuple[str, str]] = []
    for old, new in mapping.sites.pages:
        if not old.endswith(".md") or not _under(old, docs):
            continue
        key = posixpath.relpath(old, docs or ".")
        if key in have:
            continue
        if not new.endswith(".md") or not _under(new, new_docs):
            continue  # the page leaves the site: nothing to redirect to
        wanted.append((key, posixpath.relpath(new, new_docs or ".")))
    if not wanted:
        return
    if not isinstance(maps, pyyaml.MappingNode) or maps.flow_style or not maps.value:
        where = maps if maps is not None else root
        yield Review(source.path, offsets(where.start_mark.index), offsets(where.start_mark.index),
                     "mkdocs-redirects needs these redirect_maps entries (add them by hand): "
                     + ", ".join(f"{k}: {v}" for k, v in wanted), "mkdocs-redirect")
        return
    first_key = maps.value[0][0]
    indent = " " * first_key.start_mark.column
    style = first_key.style if isinstance(first_key, pyyaml.ScalarNode) else None
    last = maps.value[-1][1]
    brk = re.compile(r"\r\n|\r|\n").search(text_, last.end_mark.index)
    eol = "\r\n" if "\r\n" in text_ else "\n"
    if brk is None:
        at, lead = len(text_), eol
    else:
        at, lead = brk.end(), ""
    lines = "".join(f"{indent}{_q(k, style)}: {_q(v, style)}{eol}" for k, v in wanted)
    pos = offsets(at)
    yield Edit(source.path, pos, pos, b"", (lead + lines).encode(), "mkdocs-redirect")


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def _q(s: str, style: str | None) -> str:
    """s as a YAML scalar in the style of the existing keys (plain where that is safe)."""
    if style == '"':
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "'" or not _PLAIN_KEY.fullmatch(s):
        return "'" + s.replace("'", "''") + "'"
    return s
