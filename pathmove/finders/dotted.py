"""Module names outside Python code follow a moved module (SPEC §4.1, module-name bullet).

Pure functions on bytes: Sphinx roles (`:func:`a.b.f``, `:py:class:`~a.b.C``,
`:mod:`title <a.b>``, MyST's `{func}`a.b.f``), Sphinx directives (`.. automodule:: a.b`,
`.. autoclass::`, `.. currentmodule::`, `.. module::`, `.. autosummary::` entries),
mkdocstrings' `::: a.b`, and configuration scalars that are exactly a dotted name
(optionally `:attr`) in TOML, JSON and INI files. Which names change is decided once, by
`packages.rename_dotted`, for every rule here and the Python finder's dotted strings.

`find` is the finder of text files (the plain-text rule plus these); `find_in` reads any span of text (a `.rst` page, a Markdown paragraph, a Python docstring
or comment); `find_config` reads a whole TOML/JSON/INI file; `overlay` gives a dotted
name's edit precedence over the plain-text rule's edit of the same bytes.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterable, Iterator, Sequence

from pathmove import packages
from pathmove.edits import Edit, Record, Review
from pathmove.finders import text
from pathmove.mapping import Mapping
from pathmove.scan import Source

CENSUS = True  # accounts for every occurrence it reads: the text rule's dispositions, plus its own edits

_ID = rb"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = _ID + rb"(?:\." + _ID + rb")*"

# Sphinx's Python-domain roles, bare or with the `py:` domain; MyST spells them `{func}`.
_ROLE_NAMES = rb"func|meth|class|mod|attr|exc|data|obj|const|type|property|deco"
_ROLE = re.compile(
    rb"(?:(?<![A-Za-z0-9_`:]):(?:py:)?(?P<rst>" + _ROLE_NAMES + rb"):"
    rb"|\{(?:py:)?(?P<myst>" + _ROLE_NAMES + rb")\})"
    rb"`(?P<body>[^`\r\n]+)`"
)
# `title <target>`, `~a.b.f` (show the last part), `!a.b` (no link), `a.b.f()`
_TITLED = re.compile(rb"[^<>]*<(?P<t>[^<>]+)>\Z")
_AUTO_OBJECT = (b"autoclass", b"autofunction", b"automethod", b"autoattribute", b"autoexception", b"autodata",
                b"autodecorator", b"autoproperty", b"autoexception")
_MODULE_DIRECTIVES = (b"automodule", b"currentmodule", b"module")
_DIRECTIVE = re.compile(
    rb"^(?P<indent>[ \t]*)\.\.[ \t]+(?:py:)?(?P<name>" + b"|".join(_AUTO_OBJECT + _MODULE_DIRECTIVES)
    + rb"|autosummary)::(?P<rest>[^\r\n]*)",
    re.M,
)
# MyST: ```{automodule} a.b   or   :::{autoclass} a.b.C
_MYST_DIRECTIVE = re.compile(
    rb"^[ \t]*(?:`{3,}|:{3,})\{(?:py:)?(?P<name>" + b"|".join(_AUTO_OBJECT + _MODULE_DIRECTIVES)
    + rb")\}(?P<rest>[^\r\n]*)",
    re.M,
)
_MKDOCSTRINGS = re.compile(rb"^[ \t]*:::[ \t]+(?P<rest>[^\r\n]*)", re.M)
_ARG = re.compile(rb"[ \t]*(?P<name>" + _DOTTED + rb")(?=[ \t]*(?:\(|\r|\n|\Z|[ \t]))")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r|\Z)")

# Keys whose value is a module or object name whatever it looks like (Hydra, Lightning, the
# latent-diffusion family, logging's dictConfig, Celery ...).
MODULE_KEYS = frozenset({"target", "_target_", "class_path", "module", "class", "cls", "callable", "factory",
                         "function", "func", "()", "entry_point", "entrypoint", "build-backend"})
# Files read as configuration by find_config, and text files read for roles and directives.
CONFIG_SUFFIXES = {".toml": "toml", ".json": "json", ".ini": "ini", ".cfg": "ini"}
PROSE_SUFFIXES = (".rst", ".txt", ".md", ".markdown")

# TOML and INI tables that hold entry points: a value there names a module even without ":attr".
_ENTRY_TABLES = (b"project.scripts", b"project.gui-scripts", b"project.entry-points", b"tool.poetry.scripts",
                 b"tool.poetry.plugins", b"options.entry_points", b"entry_points")
# Package metadata (a distribution's name, its URLs) is no module, whatever it looks like.
_METADATA_TABLES = (b"project", b"metadata", b"tool.poetry")
_HEADER = re.compile(rb"^[ \t]*\[+[ \t]*([^\]\r\n]+?)[ \t]*\]+", re.M)


# ---- the decision, as records -------------------------------------------------------------
def name_records(path: str, data: bytes, start: int, end: int, mapping: Mapping, asked: bool, kind: str,
                 module_only: bool = False) -> Iterator[Edit | Review]:
    """Records for data[start:end], a value that is exactly a dotted name (or `a.b:attr`).

    module_only: the place names a module (`:mod:`, `.. automodule::`): a bare moved
    top-level module there is a module for certain, but one word never changes -- a Review.
    """
    value = data[start:end].decode("ascii", "replace")
    r = packages.rename_dotted(value, mapping, asked)
    if r is None:
        if module_only and "." not in value and ":" not in value:
            new = packages.translate_module(value, mapping)
            if new is not None and new != value:
                yield Review(path, start, end, f"module {value} moves to {new or 'a path that is not importable'}; "
                             "a single word is never rewritten: edit it by hand", kind)
        return
    if not r.new:
        yield Review(path, start + r.start, start + r.end,
                     f"{r.old} moves to a path that is not importable; edit by hand", kind)
        return
    yield Edit(path, start + r.start, start + r.end, r.old.encode(), r.new.encode(), kind)


def active(mapping: Mapping) -> bool:
    """Are there moved modules to look for at all?"""
    return mapping.packages is not None and bool(mapping.packages.moves)


# ---- Sphinx, MyST and mkdocstrings in any text -------------------------------------------
def find_in(path: str, data: bytes, mapping: Mapping, start: int = 0, end: int | None = None) -> Iterator[Edit | Review]:
    """Roles, directives and mkdocstrings identifiers in data[start:end] (offsets in data)."""
    if not active(mapping):
        return
    end = len(data) if end is None else end
    yield from find_roles(path, data, mapping, start, end)
    yield from find_directives(path, data, mapping, start, end)


def find_roles(path: str, data: bytes, mapping: Mapping, start: int, end: int) -> Iterator[Edit | Review]:
    """`:func:`a.b.f``, `:py:class:`~a.b.C``, `:mod:`the module <a.b>``, `{func}`a.b.f``."""
    for m in _ROLE.finditer(data, start, end):
        role = m.group("rst") or m.group("myst")
        s, e = m.span("body")
        t = _TITLED.match(data, s, e)
        if t is not None:
            s, e = t.span("t")
        while s < e and data[s] in b"~!":
            s += 1
        if data[e - 2:e] == b"()" and e - 2 > s:
            e -= 2
        if s >= e or data[s] == 0x2E:  # ".name": searched relative to the current module
            continue
        yield from name_records(path, data, s, e, mapping, True, "sphinx-role", role == b"mod")


def find_directives(path: str, data: bytes, mapping: Mapping, start: int, end: int) -> Iterator[Edit | Review]:
    """`.. automodule:: a.b`, `.. autoclass:: a.b.C(args)`, autosummary entries, `::: a.b`."""
    for m in _DIRECTIVE.finditer(data, start, end):
        name = m.group("name")
        if name == b"autosummary":
            yield from _autosummary(path, data, mapping, m.end(), end, len(m.group("indent")))
            continue
        yield from _argument(path, data, mapping, m.start("rest"), m.end("rest"), name in _MODULE_DIRECTIVES,
                             "sphinx-directive")
    for m in _MYST_DIRECTIVE.finditer(data, start, end):
        yield from _argument(path, data, mapping, m.start("rest"), m.end("rest"),
                             m.group("name") in _MODULE_DIRECTIVES, "sphinx-directive")
    for m in _MKDOCSTRINGS.finditer(data, start, end):
        yield from _argument(path, data, mapping, m.start("rest"), m.end("rest"), True, "mkdocstrings")


def _argument(path: str, data: bytes, mapping: Mapping, s: int, e: int, module_only: bool,
              kind: str) -> Iterator[Edit | Review]:
    a = _ARG.match(data, s, e)
    if a is not None:
        yield from name_records(path, data, a.start("name"), a.end("name"), mapping, True, kind, module_only)


def _autosummary(path: str, data: bytes, mapping: Mapping, pos: int, end: int, indent: int) -> Iterator[Edit | Review]:
    """The entries of an autosummary body: indented lines after its options, one name each."""
    line = _LINE.match(data, pos)  # the rest of the directive line
    pos = line.end() if line else end
    while pos < end:
        line = _LINE.match(data, pos)
        if line is None or line.end() == pos:
            break
        text = line.group(0)
        stripped = text.strip()
        lead = len(text) - len(text.lstrip(b" \t"))
        if stripped and lead <= indent:
            break  # the body ends where the indentation does
        if stripped and not stripped.startswith(b":"):
            body = pos + lead
            yield from _argument(path, data, mapping, body, pos + len(text.rstrip(b"\r\n")), False,
                                 "sphinx-directive")
        pos = line.end()


# ---- configuration files ----------------------------------------------------------------
_QUOTED = re.compile(rb"\"(?P<dq>[^\"\\\r\n]*)\"|'(?P<sq>[^'\\\r\n]*)'")
_EXTRAS = re.compile(rb"[ \t]*\[[^\]]*\][ \t]*\Z")
_TOML_KEY = re.compile(rb"[ \t]*(?:\"(?P<dq>[^\"\r\n]*)\"|'(?P<sq>[^'\r\n]*)'|(?P<bare>[A-Za-z0-9_.\-]+))[ \t]*=")
_JSON_KEY = re.compile(rb"\"(?P<k>[^\"\\\r\n]*)\"[ \t\r\n]*:[ \t\r\n]*\Z")
_INI_VALUE = re.compile(rb"(?P<mod>" + _DOTTED + rb")(?P<attr>[ \t]*:[ \t]*" + _DOTTED + rb")?"
                        rb"(?P<extras>[ \t]*\[[^\]\r\n]*\])?[ \t]*\Z")


def find_config(path: str, data: bytes, mapping: Mapping) -> Iterator[Edit | Review]:
    """Scalars that are exactly a dotted name in a TOML, JSON or INI/CFG file."""
    if not active(mapping):
        return
    fmt = config_format(path)
    if fmt == "ini":
        yield from _ini(path, data, mapping)
    elif fmt is not None:
        yield from _quoted(path, data, mapping, fmt)


def config_format(path: str) -> str | None:
    return CONFIG_SUFFIXES.get(posixpath.splitext(path)[1].lower())


def _quoted(path: str, data: bytes, mapping: Mapping, fmt: str) -> Iterator[Edit | Review]:
    """TOML and JSON strings; a string that is a key (`"a.b" = 1`, `"a.b": 1`) is not a value."""
    sections = _sections(data) if fmt == "toml" else []
    for m in _QUOTED.finditer(data):
        group = "dq" if m.group("dq") is not None else "sq"
        if fmt == "json" and group == "sq":
            continue
        s, e = m.span(group)
        extras = _EXTRAS.search(data, s, e)  # "pkg.cli:main [color]"
        if extras is not None:
            e = extras.start()
        after = data[m.end():m.end() + 64].lstrip(b" \t")
        if after[:1] == (b"=" if fmt == "toml" else b":"):
            continue  # a key
        if fmt == "toml" and (_in_comment(data, m.start()) or _in_header(data, m.start())):
            continue
        key = _toml_key(data, m.start()) if fmt == "toml" else _json_key(data, m.start())
        table = _section_at(sections, m.start())
        entry = fmt == "toml" and _is_entry_table(table)
        if fmt == "toml" and not entry and _is_metadata(table):
            continue
        asked = entry or key in MODULE_KEYS
        yield from name_records(path, data, s, e, mapping, asked, "entry-point" if entry else "config-dotted")


def _ini(path: str, data: bytes, mapping: Mapping) -> Iterator[Edit | Review]:
    """`key = a.b:attr`, `key: a.b.C`, and continuation lines that are one value each."""
    sections = _sections(data)
    for line in _LINE.finditer(data):
        text = line.group(0).rstrip(b"\r\n")
        stripped = text.strip()
        if not stripped or stripped[:1] in (b"#", b";", b"["):
            continue
        pos = line.start()
        key = ""
        eq = text.find(b"=")
        if eq >= 0:
            key = text[:eq].strip().decode("utf-8", "replace")
            vs = eq + 1
        else:
            colon = re.match(rb"[ \t]*[A-Za-z0-9_.\-]+[ \t]*:[ \t]", text)
            if colon is not None and text[:1] not in b" \t":
                key = text[:colon.end()].strip().rstrip(b":").strip().decode("utf-8", "replace")
                vs = colon.end()
            elif text[:1] in b" \t":
                vs = 0  # a continuation line: one value
            else:
                continue
        while vs < len(text) and text[vs] in b" \t":
            vs += 1
        v = _INI_VALUE.match(text, vs)
        if v is None:
            continue
        table = _section_at(sections, pos)
        entry = _is_entry_table(table)
        if not entry and _is_metadata(table):
            continue
        asked = entry or key in MODULE_KEYS
        s = pos + v.start("mod")
        e = pos + (v.end("attr") if v.group("attr") else v.end("mod"))
        yield from name_records(path, data, s, e, mapping, asked, "entry-point" if entry else "config-dotted")


def _toml_key(data: bytes, pos: int) -> str:
    ls = data.rfind(b"\n", 0, pos) + 1
    k = _TOML_KEY.match(data, ls)
    if k is None or k.end() > pos:
        return ""
    raw = k.group("dq") or k.group("sq") or k.group("bare") or b""
    return raw.decode("utf-8", "replace").rsplit(".", 1)[-1]


def _json_key(data: bytes, pos: int) -> str:
    k = _JSON_KEY.search(data, max(0, pos - 256), pos)
    return k.group("k").decode("utf-8", "replace") if k is not None else ""


def _in_comment(data: bytes, pos: int) -> bool:
    ls = data.rfind(b"\n", 0, pos) + 1
    head = _QUOTED.sub(b"", data[ls:pos])
    return b"#" in head


def _in_header(data: bytes, pos: int) -> bool:
    ls = data.rfind(b"\n", 0, pos) + 1
    return data[ls:pos].lstrip(b" \t")[:1] == b"["


def _is_metadata(header: bytes) -> bool:
    name = header.replace(b'"', b"").replace(b"'", b"").strip()
    return name in _METADATA_TABLES or name.startswith(b"project.")


def _sections(data: bytes) -> list[tuple[int, bytes]]:
    return [(m.start(), m.group(1).strip()) for m in _HEADER.finditer(data)]


def _section_at(sections: Sequence[tuple[int, bytes]], pos: int) -> bytes:
    current = b""
    for start, name in sections:
        if start > pos:
            break
        current = name
    return current


def _is_entry_table(header: bytes) -> bool:
    name = header.replace(b'"', b"").replace(b"'", b"").strip()
    return any(name == t or name.startswith(t + b".") for t in _ENTRY_TABLES)


# ---- combining with the plain-text rule ---------------------------------------------------
def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """The finder of text files (SPEC §4.4): the plain-text rule, and module names in TOML,
    JSON and INI scalars and in `.rst`/`.txt` roles and directives. Archived files and parse
    fallbacks get the plain-text rule alone (`text.find`)."""
    plain = text.find(source, mapping)
    names = for_file(source.path, source.data, mapping)
    yield from overlay(plain, names) if names else plain


def for_file(path: str, data: bytes, mapping: Mapping) -> list[Edit | Review]:
    """Every dotted-name record of a text file, by its suffix (config scalars, or prose)."""
    if not active(mapping):
        return []
    if config_format(path) is not None:
        return list(find_config(path, data, mapping))
    if path.lower().endswith(PROSE_SUFFIXES):
        return list(find_in(path, data, mapping))
    return []


def overlay(plain: Iterable[Record], dotted: Sequence[Edit | Review]) -> Iterator[Record]:
    """The plain-text rule's records, except where a dotted name covers the same bytes:
    `.. automodule:: legacy_io` names a module, not the folder `legacy_io` (its own record)."""
    spans = [(r.start, r.end) for r in dotted]
    for r in plain:
        if isinstance(r, (Edit, Review)) and any(r.start < e and s < r.end for s, e in spans):
            continue
        yield r
    yield from dotted
