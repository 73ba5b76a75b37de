"""Module-level bindings of the repository's own modules, for bases a file imports.

`from pkg.config import OUT`, `import pkg.config as c` (`c.OUT`) and `from pkg import config`
(`config.OUT`) name a binding of another module. When a chain that holds a needle uses one,
that module is read from disk (under the repository root, through the import roots
packages.py finds) and parsed whole, once per process: its module-level bases resolve as
they do in their own file (bases.prepare), imports of further repository modules included.
Nothing is read for a file that imports no repository module, or whose chains never use an
imported name: the index is built lazily, one module at a time, and only for what a chain asks.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pathmove import packages
from pathmove.finders import ParseFailed
from pathmove.finders.python.parse import BOM, read
from pathmove.scan import Source

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer
    from pathmove.mapping import Mapping

_MAX_BYTES = 2_000_000  # a module larger than this is not read: its names stay unknown
# (root, module) -> (mtime_ns, size, the module's gatherer or None); one per worker process
_MODULES: dict[tuple[str, str], tuple[int, int, "Gatherer | None"]] = {}
_ROOTS: dict[str, tuple[str, ...]] = {}
RESOLVING: set[tuple[str, str]] = set()  # (module path, name) being resolved: an import cycle stops here


def roots(root: str) -> tuple[str, ...]:
    found = _ROOTS.get(root)
    if found is None:
        found = _ROOTS[root] = packages.import_roots(Path(root))
    return found


def module(root: str, name: str, mapping: Mapping) -> Gatherer | None:
    """The gatherer (bindings prepared, nothing walked) of the repository module `name`, or
    None when no import root holds it or it cannot be read as Python."""
    for r in roots(root):
        base = (r + "/" if r else "") + name.replace(".", "/")
        for rel in (base + ".py", base + "/__init__.py"):
            full = os.path.join(root, rel)
            try:
                st = os.stat(full)
            except OSError:
                continue
            key = (root, rel)
            cached = _MODULES.get(key)
            if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
                return cached[2]
            g = _load(rel, full, st.st_size, mapping)
            _MODULES[key] = (st.st_mtime_ns, st.st_size, g)
            return g
    return None


def _load(rel: str, full: str, size: int, mapping: Mapping) -> Gatherer | None:
    from pathmove.finders.python import bases, chains
    from pathmove.finders.python.gather import Gatherer

    if size > _MAX_BYTES:
        return None
    try:
        with open(full, "rb") as f:
            data = f.read()
        offset = len(BOM) if data.startswith(BOM) else 0
        parsed = read(data, offset, mapping, shortcut=False)
    except (OSError, ParseFailed, ValueError):
        return None
    if parsed.tree is None:
        return None
    g = Gatherer(Source(rel, rel, data, "python"), mapping, parsed, (bases, chains))
    bases.prepare(g)
    chains.prepare(g)
    return g


def module_of(path: str, root: str) -> str | None:
    """The dotted name of a repository file under the first import root that holds it."""
    for r in roots(root):
        name = packages.module_name(path, r)
        if name is not None:
            return name
    return None


def absolute(g: Gatherer, stmt: ast.ImportFrom) -> str | None:
    """The module an import statement names, a relative one resolved from g's own file."""
    if not stmt.level:
        return stmt.module
    root = g.mapping.root
    if root is None:
        return None
    own = module_of(g.path, root)
    if own is None:
        return None
    parts = own.split(".")
    if not g.path.endswith("__init__.py"):
        parts = parts[:-1]  # a module's package; a package's __init__ is the package itself
    up = stmt.level - 1
    if up > len(parts) or (up == len(parts) and not stmt.module):
        return None
    parts = parts[:len(parts) - up]
    return ".".join([*parts, *([stmt.module] if stmt.module else [])]) or None
