"""Where a path relative to the file itself points (relative.py): its root (the file or a
module-level base), how many folders it goes up, its literal segments, and the path
arithmetic that spells a target again from another folder."""

from __future__ import annotations

import ast
import dataclasses
import posixpath
from typing import TYPE_CHECKING, Any

from pathmove.finders.python import chains
from pathmove.finders.python.parse import _dotted, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

_DIRNAME = {"os.path.dirname", "osp.dirname", "posixpath.dirname", "path.dirname"}
_ABSPATH = {f"{m}.{f}" for m in ("os.path", "osp", "posixpath", "path") for f in ("abspath", "realpath", "normpath")}
_SAME = ("resolve", "absolute", "expanduser")  # Path methods that keep the folder
_HYDRA = {"hydra.main", "hydra.initialize"}


@dataclasses.dataclass(frozen=True)
class _Anchor:
    """A folder reached from a root: the file (`__file__`) or a module-level base."""

    root: str  # "" for `__file__`, else the base's name
    n: int  # how many times the root is cut to its folder (Path(__file__).parent: 1)
    node: ast.expr  # the anchor's outermost node
    last: str = "file"  # how the author went up last: "parent" | "index" | "dirname" | "file" | "name"
    parents: tuple[ast.Attribute, ...] = ()  # `.parent` attributes, innermost first
    dirnames: tuple[ast.Call, ...] = ()  # `dirname(...)` calls, innermost first
    index: ast.Constant | None = None  # n of `.parents[n]`
    unknown: str = ""  # why the number of folders is unknown


@dataclasses.dataclass
class _Base:
    """A module-level name bound to a path rooted at the file (`ROOT = Path(__file__).parents[1]`)."""

    value: ast.expr
    anchor: _Anchor
    text: str  # its literal segments, joined
    old: str = ""  # its target before the moves
    final: str = ""  # the folder it reaches after the moves (as rewritten, or kept)
    decision: str = "rebase"  # "rebase" | "keep" | "review"
    why: str = ""


@dataclasses.dataclass
class State:
    """What the rule knows about one file (Gatherer.here)."""

    old_file: str
    new_file: str
    moves: bool  # the file lands in another folder
    dirname: set[str] = dataclasses.field(default_factory=lambda: set(_DIRNAME))
    abspath: set[str] = dataclasses.field(default_factory=lambda: set(_ABSPATH))
    hydra: set[str] = dataclasses.field(default_factory=lambda: set(_HYDRA))
    bases: dict[str, _Base] = dataclasses.field(default_factory=dict)
    bindings: dict[int, str] = dataclasses.field(default_factory=dict)  # id(value) → base name
    claimed: set[int] = dataclasses.field(default_factory=set)  # nodes read by this rule
    ready: bool = False  # the bases have been read
    active: bool = False  # the file names `__file__` or `hydra`: without them this rule has nothing to read


# ---- paths -------------------------------------------------------------------------------
def _norm(path: str) -> str:
    out = posixpath.normpath(path) if path else "."
    return "" if out == "." else out


def _up(path: str, n: int) -> str:
    """path cut n times to its folder ("" is the root; above it, ".." segments)."""
    return _norm(path + "/.." * n) if n else path


def _join(folder: str, text: str) -> str:
    return _norm(posixpath.join(folder, text)) if text else folder


def _translate(g: Gatherer, path: str) -> str:
    if not path or path == ".." or path.startswith("../"):
        return path  # the root itself, or outside it: nothing the mapping moves
    return g.mapping.translate(path) or path


def _ancestor_depth(path: str, target: str) -> int | None:
    """How many times path must be cut to reach target (None: target is not above path)."""
    comps = path.split("/") if path else []
    tcomps = target.split("/") if target else []
    if tcomps and all(c == ".." for c in tcomps):
        return len(comps) + len(tcomps)  # above the root: up past it
    if ".." in tcomps or tcomps != comps[:len(tcomps)]:
        return None
    return len(comps) - len(tcomps)


def _relpath(target: str, folder: str) -> str | None:
    """target spelled from folder, both relative to the root (posixpath.relpath would read a
    folder above the root from the working directory); None: folder is above the root where
    target is not, so the root's own name would be needed."""
    tcomps = target.split("/") if target else []
    fcomps = folder.split("/") if folder else []
    k = 0
    while k < min(len(tcomps), len(fcomps)) and tcomps[k] == fcomps[k]:
        k += 1
    if ".." in fcomps[k:]:
        return None
    return "/".join([".."] * (len(fcomps) - k) + tcomps[k:]) or "."


def _relative(target: str, folder: str, like: str) -> str | None:
    """target spelled from folder, keeping `./` and a trailing `/` as the author wrote them."""
    new = _relpath(target, folder)
    if new is None:
        return None
    if like.startswith("./") and not new.startswith("..") and new != ".":
        new = "./" + new
    if like.endswith("/") and not new.endswith("/"):
        new += "/"
    return new


# ---- reading the expressions ---------------------------------------------------------------
def _anchor(g: Gatherer, st: State, node: ast.expr) -> _Anchor | None:
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return _Anchor("", 0, node)
        if node.id in st.bases and not g._shadowed(node.id):
            return _Anchor(node.id, 0, node, last="name")
        return None
    if isinstance(node, ast.Call):
        fn = _dotted(node.func)
        if len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred) and fn is not None:
            ctor = chains._call_kind(g, node) == "ctor"
            if fn in st.dirname or fn in st.abspath or ctor:
                inner = _anchor(g, st, node.args[0])
                if inner is None:
                    return None
                if fn in st.dirname:
                    return dataclasses.replace(inner, n=inner.n + 1, node=node, last="dirname",
                                               dirnames=(*inner.dirnames, node))
                return dataclasses.replace(inner, node=node)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _SAME and not node.args:
            inner = _anchor(g, st, node.func.value)
            return None if inner is None else dataclasses.replace(inner, node=node)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _anchor(g, st, node.value)
        if inner is None:
            return None
        return dataclasses.replace(inner, n=inner.n + 1, node=node, last="parent", parents=(*inner.parents, node))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        inner = _anchor(g, st, node.value.value)
        if inner is None:
            return None
        k = node.slice
        if isinstance(k, ast.Constant) and type(k.value) is int and k.value >= 0:
            return dataclasses.replace(inner, n=inner.n + 1 + k.value, node=node, last="index", index=k)
        return dataclasses.replace(inner, node=node, unknown="an index into .parents that is not a number")
    return None


Segments = list[tuple[ast.expr, tuple[Any, ...]]]


def _split(g: Gatherer, st: State, node: ast.expr) -> tuple[_Anchor, Segments, list[ast.expr]] | None:
    """A path rooted at the file: its anchor, its segment nodes (with chains' contexts) and
    the chain nodes around the anchor."""
    a = _anchor(g, st, node)
    if a is not None:
        return a, [], []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        s = _split(g, st, node.left)
        return None if s is None else (s[0], [*s[1], (node.right, ("right", node))], [*s[2], node])
    if isinstance(node, ast.Call) and not node.keywords and not any(isinstance(x, ast.Starred) for x in node.args):
        kind = chains._call_kind(g, node)
        if kind == "joinpath":
            assert isinstance(node.func, ast.Attribute)
            s = _split(g, st, node.func.value)
            first = 0
        elif kind in ("join", "ctor") and node.args:
            s = _split(g, st, node.args[0])
            first = 1
        else:
            return None
        if s is None:
            return None
        segs = [(x, ("arg", node, i)) for i, x in enumerate(node.args) if i >= first]
        return s[0], [*s[1], *segs], [*s[2], node]
    return None


def _flat(g: Gatherer, segs: Segments, mark: bool) -> list[_Seg]:
    out: list[_Seg] = []
    for node, ctx in segs:
        out += chains._flatten(g, node, ctx, frozenset(), mark)
    return out


def _leading(flat: list[_Seg]) -> list[_Seg]:
    """The literal segments right after the anchor (the part of the path this rule reads)."""
    run: list[_Seg] = []
    for s in flat:
        if s.kind != "lit":
            break
        run.append(s)
    return run


def _text(run: list[_Seg]) -> str:
    return "/".join(s.text.decode("utf-8", "surrogateescape") for s in run)


def _roots(st: State, a: _Anchor) -> tuple[str, str]:
    """The anchor's root before and after the moves."""
    if not a.root:
        return st.old_file, st.new_file
    base = st.bases[a.root]
    return base.old, base.final
