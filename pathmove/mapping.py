"""The mapping file: load, validate, translate (SPEC §2)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from pathmove import match
from pathmove.errors import MappingError

TOP_KEYS = ("moves", "archived", "exclude")
ENTRY_KEYS = ("from", "to")
DEFAULT_NAME = "migrations.yaml"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One `from → to` entry, with where it stands in the mapping file (for messages)."""

    old: str
    new: str
    index: int  # 0-based position in `moves`
    line: int  # 1-based line of the entry in the mapping file (0 when built in code)

    @property
    def where(self) -> str:
        loc = f"moves[{self.index}]"
        return f"{loc} (line {self.line})" if self.line else loc


@dataclasses.dataclass(frozen=True)
class Mapping:
    """The validated mapping. `translate` is the one function that applies SPEC §2."""

    entries: tuple[Entry, ...]
    archived: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: str | None = None  # the mapping file, relative to the root when inside it
    digest: str = ""  # sha256 of the mapping's moves, to recognise a finished apply
    live: frozenset[str] = frozenset()  # destinations that exist: references under them are current
    packages: Any = None  # packages.Packages: moved importable modules (attached by plan.build)
    sites: Any = None  # sites.Sites: documentation sites and the repository's own URLs (attached by plan.build)
    root: str | None = None  # the repository root, where the Python rules read the modules a file imports (plan.build)

    # ---- the one translation -------------------------------------------------------
    def translate(self, path: str) -> str | None:
        """New spelling of a path under the longest matching `from`, or None (SPEC §2)."""
        path = path.rstrip("/") if path not in ("/", "") else path
        if self.live and self.is_live(path):
            return None
        entry = self.entry_for(path)
        if entry is None:
            return None
        return entry.new + path[len(entry.old):]

    def entry_for(self, path: str) -> Entry | None:
        """The entry whose `from` is the longest component prefix of path."""
        table = self._by_old
        probe = path
        while True:
            e = table.get(probe)
            if e is not None:
                return e
            cut = probe.rfind("/")
            if cut <= 0:
                return None
            probe = probe[:cut]

    def rewrite(self, old: str, tail: str = "") -> str | None:
        """Replacement for a matched `from` followed by tail, or None when the path is live."""
        if self.live and self.is_live(old + tail):
            return None
        entry = self._by_old.get(old)
        if entry is None:
            return self.translate(old)
        return entry.new

    def references(self, data: bytes, utf8: bool | None = None) -> "Iterator[tuple[match.Match, str]]":
        """Every old path in data (SPEC §4 boundaries) that needs rewriting, with its replacement.

        utf8=False: data comes from a file that is not UTF-8 (judged byte-wise, SPEC §4)."""
        for m in match.find_all(data, self.pattern, utf8):
            new = self.rewrite(m.old, m.tail)
            if new is not None and new != m.old:
                yield m, new

    def is_live(self, path: str) -> bool:
        """True if path is, or is under, a destination that exists (a current reference)."""
        probe = path
        while probe:
            if probe in self.live:
                return True
            cut = probe.rfind("/")
            if cut <= 0:
                return False
            probe = probe[:cut]
        return False

    # ---- derived views ---------------------------------------------------------------
    @property
    def olds(self) -> list[str]:
        return [e.old for e in self.entries]

    @property
    def _by_old(self) -> dict[str, Entry]:
        cached = self.__dict__.get("_by_old_cache")
        if cached is None:
            cached = {e.old: e for e in self.entries}
            object.__setattr__(self, "_by_old_cache", cached)
        return cached

    @property
    def pattern(self) -> "re.Pattern[bytes] | None":
        cached = self.__dict__.get("_pattern_cache")
        if cached is None:
            cached = match.compile_pattern(self.olds)
            object.__setattr__(self, "_pattern_cache", cached)
        return cached

    @property
    def needles(self) -> tuple[bytes, ...]:
        """Prefilter needles: the last component of every `from` (STYLE §2), and of every
        moved module name (an import spells `a.b`, never `a/b`)."""
        found = {e.old.rsplit("/", 1)[-1].encode() for e in self.entries}
        if self.packages is not None:
            found.update(self.packages.needles)
        return tuple(sorted(found))

    def with_live(self, live: Iterable[str]) -> "Mapping":
        """The verify view: references at or under an existing destination are current."""
        return dataclasses.replace(self, live=frozenset(live))


# ---- loading ------------------------------------------------------------------------
def default_path(root: Path) -> Path:
    return root / DEFAULT_NAME


def load(path: Path, root: Path) -> Mapping:
    """Read and validate a mapping file; every problem raises MappingError naming the entry."""
    if not path.exists():
        raise MappingError(
            f"mapping file not found: {path}",
            hint=f"create {DEFAULT_NAME} in the repository root (see migrations.yaml.example) or pass -m FILE",
        )
    if not path.is_file():
        raise MappingError(f"mapping file is not a file: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    rel = _relative_to(path, root)
    return parse(text, root, source=rel, label=str(path))


def parse(text: str, root: Path | None = None, source: str | None = None, label: str = "mapping") -> Mapping:
    """Validate mapping text; root (when given) is used to refuse paths escaping it."""
    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MappingError(f"{label}: not valid YAML{where}: {problem}") from None
    if node is None:
        raise MappingError(f"{label}: the mapping is empty; it needs a `moves:` list")
    if not isinstance(node, yaml.MappingNode):
        raise MappingError(f"{label}: the top level must be a mapping with a `moves:` list (line {_line(node)})")
    top: dict[str, yaml.Node] = {}
    for knode, vnode in node.value:
        key = _scalar(knode)
        if key not in TOP_KEYS:
            guess = did_you_mean(key, TOP_KEYS)
            raise MappingError(
                f"{label}: unknown top-level key {key!r} at line {_line(knode)} "
                + (f"(did you mean `{guess}:`?)" if guess else f"(allowed: {', '.join(TOP_KEYS)})")
            )
        if key in top:
            raise MappingError(f"{label}: top-level key {key!r} appears twice (line {_line(knode)})")
        top[key] = vnode
    if "moves" not in top:
        raise MappingError(f"{label}: no `moves:` list")
    moves = top["moves"]
    if not isinstance(moves, yaml.SequenceNode):
        raise MappingError(f"{label}: `moves` must be a list of `from:`/`to:` entries (line {_line(moves)})")
    if not moves.value:
        raise MappingError(f"{label}: `moves` is empty (line {_line(moves)}); list at least one `from:`/`to:` entry")
    entries = [_entry(i, n, root, label) for i, n in enumerate(moves.value)]
    _check_unique(entries, label)
    archived = _patterns(top.get("archived"), "archived", label)
    exclude = _patterns(top.get("exclude"), "exclude", label)
    digest = hashlib.sha256(
        "\n".join(f"{e.old}\0{e.new}" for e in entries).encode()
    ).hexdigest()
    return Mapping(tuple(entries), archived, exclude, source, digest)


def from_pairs(pairs: Iterable[tuple[str, str]], **kw: Any) -> Mapping:
    """A mapping built in code (tests, infer): validated like a file."""
    entries = [Entry(_clean(o, f"moves[{i}] from", None), _clean(n, f"moves[{i}] to", None), i, 0)
               for i, (o, n) in enumerate(pairs)]
    for e in entries:
        _check_not_inside(e.old, e.new, f"mapping: {e.where}")
    _check_unique(entries, "mapping")
    digest = hashlib.sha256("\n".join(f"{e.old}\0{e.new}" for e in entries).encode()).hexdigest()
    return Mapping(tuple(entries), digest=digest, **kw)


def _loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return f"<{getattr(node, 'id', 'node')}>"
    return str(node.value)


def _entry(i: int, node: yaml.Node, root: Path | None, label: str) -> Entry:
    line = _line(node)
    where = f"moves[{i}] (line {line})"
    if not isinstance(node, yaml.MappingNode):
        raise MappingError(f"{label}: {where}: each entry must be a mapping with `from:` and `to:`")
    values: dict[str, str] = {}
    for knode, vnode in node.value:
        key = _scalar(knode)
        if key not in ENTRY_KEYS:
            guess = did_you_mean(key, ENTRY_KEYS)
            raise MappingError(
                f"{label}: {where}: unknown key {key!r} at line {_line(knode)} "
                + (f"(did you mean `{guess}:`?)" if guess else "(an entry has only `from` and `to`)")
            )
        if key in values:
            raise MappingError(f"{label}: {where}: key {key!r} appears twice")
        if not isinstance(vnode, yaml.ScalarNode) or vnode.tag == "tag:yaml.org,2002:null":
            raise MappingError(f"{label}: {where}: `{key}` must be a path string")
        values[key] = str(vnode.value)
    for key in ENTRY_KEYS:
        if key not in values:
            raise MappingError(f"{label}: {where}: missing `{key}:`")
    old = _clean(values["from"], f"{where}: from", root, label)
    new = _clean(values["to"], f"{where}: to", root, label)
    if old == new:
        raise MappingError(f"{label}: {where}: `from` and `to` are the same path {old!r}")
    _check_not_inside(old, new, f"{label}: {where}")
    return Entry(old, new, i, line)


def _check_not_inside(old: str, new: str, where: str) -> None:
    """A `to` inside its own `from` is refused: every new path would also spell an old one, so
    neither verify nor the hook could tell a current reference from a stale one (README)."""
    if new.startswith(old + "/"):
        raise MappingError(f"{where}: `to` {new!r} is inside its own `from` {old!r}",
                           hint="move the folder's contents entry by entry, or to a sibling first")


def _clean(value: str, where: str, root: Path | None, label: str = "mapping") -> str:
    """A POSIX path relative to the root, normalised; anything else is refused (SPEC §2)."""
    raw = value
    if not value or not value.strip():
        raise MappingError(f"{label}: {where}: empty path")
    if "\\" in value:
        raise MappingError(f"{label}: {where}: {raw!r} is not a POSIX path (use '/' separators)")
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value) or value.startswith("~"):
        raise MappingError(f"{label}: {where}: {raw!r} is absolute; paths are relative to the repository root")
    if "\0" in value or "\n" in value:
        raise MappingError(f"{label}: {where}: {raw!r} contains a control character")
    try:
        os.fsencode(value)
    except UnicodeError:  # a lone surrogate from a YAML escape: no file name spells it
        raise MappingError(f"{label}: {where}: {raw!r} cannot be a file name (not encodable)") from None
    parts = [p for p in value.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise MappingError(f"{label}: {where}: {raw!r} has a '..' segment; paths must stay inside the root")
    if not parts:
        raise MappingError(f"{label}: {where}: {raw!r} names the root itself")
    if parts[0] == ".git":
        raise MappingError(f"{label}: {where}: {raw!r} is inside .git")
    clean = "/".join(parts)
    if root is not None:
        real_root = os.path.realpath(root)
        resolved = os.path.realpath(os.path.join(real_root, clean))
        if resolved != real_root and not resolved.startswith(real_root + os.sep):
            raise MappingError(f"{label}: {where}: {raw!r} resolves outside the root (through a symbolic link)")
    return clean


def _check_unique(entries: list[Entry], label: str) -> None:
    seen_old: dict[str, Entry] = {}
    seen_new: dict[str, Entry] = {}
    for e in entries:
        if e.old in seen_old:
            first = seen_old[e.old]
            raise MappingError(
                f"{label}: {e.where}: duplicate `from` {e.old!r} (already {first.where} → {first.new!r}; "
                f"this entry says → {e.new!r})"
            )
        if e.new in seen_new:
            first = seen_new[e.new]
            raise MappingError(
                f"{label}: {e.where}: duplicate `to` {e.new!r} (already the destination of {first.where} "
                f"{first.old!r}; this entry moves {e.old!r})"
            )
        seen_old[e.old] = e
        seen_new[e.new] = e
    # Two entries whose results collide: one `to` inside another `to` while the inner
    # destination's name is also what the outer source would bring along is decided on the
    # tree (plan.conflicts); here only what is wrong whatever the tree holds.
    tos = {e.new: e for e in entries}
    for e in entries:
        parent = posixpath.dirname(e.new)
        while parent:
            if parent in tos and tos[parent].old == e.old:
                raise MappingError(f"{label}: {e.where}: `to` {e.new!r} collides with {tos[parent].where}")
            parent = posixpath.dirname(parent)


def _patterns(node: yaml.Node | None, key: str, label: str) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise MappingError(f"{label}: `{key}` must be a list of gitignore-style patterns (line {_line(node)})")
    out = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise MappingError(f"{label}: `{key}` line {_line(item)}: each pattern must be a non-empty string")
        out.append(str(item.value))
    return tuple(out)


def _relative_to(path: Path, root: Path) -> str | None:
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The one candidate at most one edit from word (an insertion, deletion, substitution or a
    swap of two neighbours: `form` → `from`), or None when there is none or more than one."""

    def near(a: str, b: str) -> bool:
        if a == b or abs(len(a) - len(b)) > 1:
            return False
        if len(a) == len(b):
            diff = [i for i in range(len(a)) if a[i] != b[i]]
            return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                      and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
        short, long_ = (a, b) if len(a) < len(b) else (b, a)
        i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
        return short[i:] == long_[i + 1:]

    hits = [c for c in dict.fromkeys(candidates) if near(word, c)]
    return hits[0] if len(hits) == 1 else None
