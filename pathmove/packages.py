"""Which moved `from`s are importable Python modules or packages (SPEC §4.1 packages).

plan.build attaches a `Packages` value to the Mapping once per run (it needs the tree); the
finders stay pure and ask `translate_module` for the new dotted name of an old one.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
import posixpath
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathmove.mapping import Mapping

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SUFFIXES = (".py", ".pyi")


class ModuleMove(NamedTuple):
    """One moved module or package: old and new dotted names, and the path it lives at."""

    old: str  # "molflow.featurizers_legacy"
    new: str | None  # None when the destination is not importable (a person must decide)
    root: str  # import root the old name is relative to ("" or "src")


class Packages(NamedTuple):
    """Module moves of one mapping, and the import roots of the repository."""

    moves: tuple[ModuleMove, ...]
    roots: tuple[str, ...]  # longest first; "" is the repository root

    @property
    def needles(self) -> tuple[bytes, ...]:
        """Prefilter needles: the last component of every moved module name."""
        return tuple(sorted({m.old.rsplit(".", 1)[-1].encode() for m in self.moves}))


def attach(root: Path, mapping: "Mapping") -> "Mapping":
    """The mapping with its importable moves detected against the tree (no-op when none)."""
    pk = detect(root, mapping)
    if not pk.moves:
        return mapping
    return dataclasses.replace(mapping, packages=pk)


def detect(root: Path, mapping: "Mapping") -> Packages:
    """Module moves for every entry whose `from` (or, already moved, `to`) is importable."""
    roots = import_roots(root)
    if "src" not in roots and any(e.new.startswith("src/") for e in mapping.entries):
        roots = ("src", *roots)  # moving into a src/ layout that does not exist yet
    moves = []
    for e in mapping.entries:
        side = e.old if os.path.lexists(root / e.old) else e.new
        r = _root_for(root, side, roots)
        if r is None:
            continue
        old = _name_near(e.old, r, roots)
        if old is None:
            continue
        old_name, old_root = old
        new = _name_near(e.new, roots[0], roots)  # the deepest import root holding it
        new_name = new[0] if new else None
        if new_name != old_name:
            moves.append(ModuleMove(old_name, new_name, old_root))
    moves.sort(key=lambda m: -len(m.old))
    return Packages(tuple(moves), roots)


def _name_near(path: str, prefer: str, roots: tuple[str, ...]) -> tuple[str, str] | None:
    """Dotted name of path under the preferred import root, else under the first that fits."""
    for r in (prefer, *roots):
        name = module_name(path, r)
        if name is not None:
            return name, r
    return None


def import_roots(root: Path) -> tuple[str, ...]:
    """Directories that hold top-level packages: declared ones, `src/` if present, the root."""
    found: list[str] = []
    found += _pyproject_roots(root / "pyproject.toml")
    found += _setup_cfg_roots(root / "setup.cfg")
    if (root / "src").is_dir():
        found.append("src")
    found.append("")
    clean = []
    for r in found:
        r = posixpath.normpath(r.strip().strip("/")) if r.strip() not in ("", ".") else ""
        if r.startswith("..") or r in clean:
            continue
        clean.append(r)
    return tuple(sorted(clean, key=lambda r: -len(r)))


def module_name(path: str, root: str) -> str | None:
    """Dotted module name of a repository path under an import root, or None."""
    if not _under(path, root):
        return None
    rel = path[len(root) + 1:] if root else path
    for suf in _SUFFIXES:
        if rel.endswith(suf):
            rel = rel[: -len(suf)]
            break
    parts = rel.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(_IDENT.match(p) for p in parts):
        return None
    return ".".join(parts)


def translate_module(name: str, mapping: "Mapping") -> str | None:
    """New dotted name for a module (or an attribute under one), longest old module first.

    Returns None when no moved module is a component prefix of name, or the path is live
    (verify mode: it names the existing destination). An empty string means the module moved
    somewhere that cannot be imported.
    """
    pk = getattr(mapping, "packages", None)
    if pk is None:
        return None
    for m in pk.moves:  # longest first
        if name == m.old or name.startswith(m.old + "."):
            if mapping.live:
                as_path = (m.root + "/" if m.root else "") + name.replace(".", "/")
                if mapping.is_live(as_path):
                    return None
            if m.new is None:
                return ""
            return str(m.new) + name[len(m.old):]
    return None


def package_of(path: str, mapping: "Mapping") -> list[str] | None:
    """The package a Python file belongs to, as name parts (for relative imports)."""
    pk = getattr(mapping, "packages", None)
    if pk is None:
        return None
    for r in pk.roots:
        if not _under(path, r):
            continue
        mod = module_name(path, r)
        if mod is None:
            continue
        parts = mod.split(".")
        if posixpath.basename(path) in ("__init__.py", "__init__.pyi"):
            return parts
        return parts[:-1]
    return None


# ---- helpers -------------------------------------------------------------------------
def _under(path: str, root: str) -> bool:
    return root == "" or path.startswith(root + "/")


def _is_module(root: Path, rel: str) -> bool:
    full = root / rel
    if full.is_file():
        return rel.endswith(_SUFFIXES)
    if full.is_dir():
        return (full / "__init__.py").is_file() or (full / "__init__.pyi").is_file()
    return False


def _root_for(root: Path, side: str, roots: tuple[str, ...]) -> str | None:
    """The import root under which `side` is an importable module (all its parents packages)."""
    if not _is_module(root, side):
        return None
    for r in roots:
        if not _under(side, r) or side == r:
            continue
        parts = (side[len(r) + 1:] if r else side).split("/")
        prefix = [r] if r else []
        if all(_is_module(root, "/".join(prefix + parts[:i])) for i in range(1, len(parts))):
            return r
    return None


def _pyproject_roots(path: Path) -> list[str]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    out: list[str] = []
    st = doc.get("tool", {}).get("setuptools", {})
    if isinstance(st, dict):
        pd = st.get("package-dir")
        if isinstance(pd, dict) and isinstance(pd.get(""), str):
            out.append(pd[""])
        find = st.get("packages", {})
        if isinstance(find, dict):
            where = find.get("find", {}).get("where") if isinstance(find.get("find"), dict) else None
            if isinstance(where, list):
                out += [w for w in where if isinstance(w, str)]
    poetry = doc.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict) and isinstance(poetry.get("packages"), list):
        out += [p["from"] for p in poetry["packages"] if isinstance(p, dict) and isinstance(p.get("from"), str)]
    return out


def _setup_cfg_roots(path: Path) -> list[str]:
    if not path.is_file():
        return []
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(path.read_text(encoding="utf-8"))
    except (OSError, configparser.Error, UnicodeDecodeError):
        return []
    out: list[str] = []
    pd = cp.get("options", "package_dir", fallback="")
    for line in pd.splitlines():
        key, _, value = line.partition("=")
        if value and not key.strip():
            out.append(value.strip())
    where = cp.get("options.packages.find", "where", fallback="").strip()
    if where:
        out.append(where)
    return out
