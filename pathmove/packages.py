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
    declared = roots
    moves = []
    sides = [(e, e.old if os.path.lexists(root / e.old) else e.new) for e in mapping.entries]
    found = {id(e): _root_for(root, side, roots) for e, side in sides}
    # PEP 420: folders without __init__.py are packages when the repository's own imports
    # reach a module through them (SPEC §4.1); one search for every candidate name.
    open_ = [(e, side) for e, side in sides if found[id(e)] is None]
    if open_:
        evident = namespace_roots(root, [(side, (e.old, e.new)) for e, side in open_], roots)
        for e, side in open_:
            r = evident.get(side)
            if r is not None:
                found[id(e)] = r
                if r not in roots:
                    roots = tuple(sorted((*roots, r), key=lambda x: -len(x)))
    for e, side in sides:
        r = found[id(e)]
        if r is None:
            continue
        old = _name_near(e.old, r, roots)
        if old is None:
            continue
        old_name, old_root = old
        # the deepest import root holding it; a namespace root shown by imports for its own tree
        new = _name_near(e.new, r if r not in declared else roots[0], roots)
        new_name = new[0] if new else None
        if new_name != old_name:
            moves.append(ModuleMove(old_name, new_name, old_root))
    moves.sort(key=lambda m: -len(m.old))
    return Packages(tuple(moves), roots)


# Where a repository's own imports and configs spell module names (SPEC §4.1 namespace packages).
_CODE_EVIDENCE = ("*.py", "*.pyi", "*.ipynb")
_CONFIG_EVIDENCE = ("*.yaml", "*.yml", "*.toml", "*.json", "*.cfg", "*.ini")


def namespace_roots(root: Path, sides: list[tuple[str, tuple[str, str]]],
                    roots: tuple[str, ...]) -> dict[str, str]:
    """Import root of each moved path that only imports show to be importable (PEP 420).

    sides: (the path as it is on disk, (its old path, its new path)). A path is importable
    under a root when some `.py`/`.pyi`/`.ipynb` imports a module through it (`import a.b`,
    `from a.b.c import X`, a quoted "a.b.c.f"), or a config value is a dotted name through it
    (`target: a.b.c.Class`), spelled with its old or its new name. Declared roots are tried
    first, then the folders above the path (longest name first); a name of one component
    counts only under a declared root and only from an import statement, since a bare word
    in a config is too common to be read as a module name.
    """
    cands: dict[str, list[tuple[str, list[str]]]] = {}  # side → [(root, names)] in order of preference
    for side, (old, new) in sides:
        if not _may_be_module(root, side):
            continue
        parts = side.split("/")
        ancestors = ["/".join(parts[:i]) for i in range(1, len(parts) - 1)]
        order = [r for r in roots if _under(side, r) and side != r] + [a for a in ancestors if a not in roots]
        for r in order:
            names = [n for n in (module_name(p, r) for p in (old, new)) if n is not None]
            names = list(dict.fromkeys(n for n in names if "." in n or r in roots))
            if names:
                cands.setdefault(side, []).append((r, names))
    needles = sorted({n for rs in cands.values() for _, ns in rs for n in ns})
    if not needles:
        return {}
    texts = _evidence_files(root, needles)
    out: dict[str, str] = {}
    for side, options in cands.items():
        for r, names in options:
            if any(_shows(path, data, n) for n in names for path, data in texts if n.encode() in data):
                out[side] = r
                break
    return out


def _may_be_module(root: Path, side: str) -> bool:
    full = root / side
    if full.is_file():
        return side.endswith(_SUFFIXES)
    return full.is_dir() and _holds_python(full)


def _holds_python(folder: Path) -> bool:
    """True when some `.py`/`.pyi` file lies below folder: a folder of data (`outputs/`) is no
    package, and looking for evidence of one would cost a search of the whole tree."""
    for _dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(f.endswith(_SUFFIXES) for f in filenames):
            return True
    return False


def _evidence_files(root: Path, needles: list[str]) -> list[tuple[str, bytes]]:
    """(path, bytes) of every code or config file holding a needle: one `git grep -F`."""
    from pathmove import repo  # packages is imported by the finders; git only here
    from pathmove.errors import PathmoveError

    patterns = [a for n in needles for a in ("-e", n)]
    specs = ["--", *_CODE_EVIDENCE, *_CONFIG_EVIDENCE]
    # --no-index --exclude-standard: tracked and untracked files, .gitignore honoured, and it
    # works outside a git repository too
    try:
        proc = repo.git(root, "--no-pager", "grep", "--no-index", "--exclude-standard", "-l", "-z", "-F",
                        "--no-color", "--no-textconv", *patterns, *specs, check=False)
    except (PathmoveError, OSError):  # no git: no evidence, folders need __init__.py
        return []
    if proc.returncode not in (0, 1):
        return []
    out = []
    for raw in proc.stdout.split(b"\0"):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        try:
            out.append((rel, (root / rel).read_bytes()))
        except OSError:
            continue
    return out


def _shows(path: str, data: bytes, name: str) -> bool:
    """Does this file import (or, a config, name) a module through `name`?"""
    n = re.escape(name.encode())
    if path.endswith((".py", ".pyi", ".ipynb")):
        # `import a.b`, `from a.b.c import X` (a notebook's source lines start after a quote)
        if re.search(rb"(?:^|[\s;\"'])(?:from|import)[ \t]+" + n + rb"(?=[.\s,;\\\"]|$)", data, re.M):
            return True
        if "." not in name:
            return False
        # mock.patch("a.b.f"), import_module("a.b")
        return re.search(rb"[\"']" + n + rb"(?:[.:][A-Za-z_][A-Za-z0-9_]*)*[\"']", data) is not None
    if "." not in name:
        return False
    # a config value that is a dotted name through it: `target: a.b.c.Class`, "a.b:main"
    return re.search(rb"(?<![\w.\-/\\])" + n + rb"(?:[.:][A-Za-z_][A-Za-z0-9_]*)*(?![\w.\-/\\])",
                     data) is not None


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
    pk: Packages | None = getattr(mapping, "packages", None)
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


def is_deep(name: str, mapping: "Mapping") -> bool:
    """True if name starts with a moved module that is itself dotted (`a.b`, not `a`)."""
    pk: Packages | None = getattr(mapping, "packages", None)
    return pk is not None and any("." in m.old and (name == m.old or name.startswith(m.old + "."))
                                  for m in pk.moves)


_DOTTED_VALUE = re.compile(r"(?P<mod>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
                           r"(?P<attr>[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?\Z")


class Rename(NamedTuple):
    """What becomes of a dotted name: the module part's span in the value, and its new name."""

    start: int  # span of the module part in the value (the `:attr` after it never changes)
    end: int
    old: str
    new: str  # "" when the module moved somewhere that cannot be imported: a person decides


def rename_dotted(value: str, mapping: "Mapping", asked: bool) -> Rename | None:
    """The decision every dotted-name rule shares (SPEC §4.1), for a value that is exactly
    `a.b.c` or `a.b:attr`: None when it is not a moved module's name or must stay.

    - one bare word never changes (`legacy_io`): too common to be read as a module name;
    - `legacy_io.csv` is a file name unless a module is asked for here (asked: an import
      call, a `target:` key, a Sphinx role), the name has a `:attr`, or the moved module is
      itself dotted (`pkg.legacy_io.csv` can only be a module path);
    - a name that only begins the same (`legacy_io_compat`) is not the moved module.
    """
    m = _DOTTED_VALUE.match(value)
    if m is None:
        return None
    mod = m.group("mod")
    colon = m.group("attr") is not None
    if "." not in mod and not colon:
        return None
    if not (asked or colon or is_deep(mod, mapping)):
        return None
    new = translate_module(mod, mapping)
    if new is None or new == mod:
        return None
    return Rename(0, len(mod), mod, new)


def package_of(path: str, mapping: "Mapping") -> list[str] | None:
    """The package a Python file belongs to, as name parts (for relative imports)."""
    pk: Packages | None = getattr(mapping, "packages", None)
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
