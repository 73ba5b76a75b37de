"""Paths relative to the file itself (SPEC §4.1): chains rooted at `__file__` and Hydra's
`config_path`, re-based when the file moves and rewritten when their target moves.

A path rooted at the file is a *root* (the file, or a module-level name bound to such a
path), a number of folders up (`.parent`, `.parents[n]`, `os.path.dirname`) and literal
segments (`/`, `.joinpath`, `os.path.join`, `Path(a, b)`). Its target is resolved from where
the file is before the moves, translated by the mapping, and spelled again from where the
file ends up: by changing how many folders it goes up, in the author's style (more
`.parent`s, a larger `parents[n]`, one more `dirname`, or more `".."` segments where the
author wrote dots), else by rewriting its segments like a chain (respell._rewrite_segments).
What cannot be re-based with certainty is a py-review finding, never silence.
"""

from __future__ import annotations

import ast
import posixpath
import re
from typing import TYPE_CHECKING, Any

from pathmove.finders.python import chains, lex, respell, strings
from pathmove.finders.python.anchors import (State, _Anchor, _anchor, _ancestor_depth, _Base, _flat, _join, _leading,
                                             _norm, _relative, _roots, _split, _text, _translate, _up)
from pathmove.finders.python.parse import _alias_name, _dotted, _Seg, reads_here, rebased
from pathmove.match import Match

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

# calls that read `__file__` without building a path from it
_HARMLESS = {"basename", "print", "str", "repr", "fspath", "getLogger", "exists", "isfile"}
_SIBLING = {"with_name", "with_suffix", "with_stem"}  # a path beside the file, not the file


# ---- prepare: aliases, bases and their uses -------------------------------------------------
def prepare(g: Gatherer) -> None:
    st = State(g.source.path, g.source.new_path, rebased(g.source.path, g.source.new_path))
    st.active = b"__file__" in g.data or b"hydra" in g.data
    g.here = st
    if g.tree is None:
        if reads_here(st.old_file, st.new_file, g.data):
            g.review((g.offset, g.offset), "this file moves and builds paths from its own place (__file__, "
                                           "config_path), but its syntax is newer than this Python: check them by hand")
        return
    for stmt in g.tree.body:
        if isinstance(stmt, ast.ImportFrom) and not stmt.level:
            for alias in stmt.names:
                bound = _alias_name(alias)
                if stmt.module in ("os.path", "posixpath") and alias.name == "dirname":
                    st.dirname.add(bound)
                elif stmt.module in ("os.path", "posixpath") and alias.name in ("abspath", "realpath", "normpath"):
                    st.abspath.add(bound)
                elif stmt.module == "hydra" and alias.name in ("main", "initialize"):
                    st.hydra.add(bound)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name in ("os.path", "posixpath") and alias.asname is not None:
                    st.dirname.add(f"{alias.asname}.dirname")
                    st.abspath.update(f"{alias.asname}.{f}" for f in ("abspath", "realpath", "normpath"))
                elif alias.name == "hydra" and alias.asname is not None:
                    st.hydra.update({f"{alias.asname}.main", f"{alias.asname}.initialize"})


def _find_bases(g: Gatherer, st: State) -> None:
    """Module-level names bound once to a path rooted at the file, in the order they are bound."""
    if g.tree is None or b"__file__" not in g.data:
        return
    for stmt in g.tree.body:
        if isinstance(stmt, ast.Assign):
            value, targets = stmt.value, stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            value, targets = stmt.value, [stmt.target]
        else:
            continue
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            continue
        name = targets[0].id
        if g.bases.get(name) is not value:
            continue  # bound more than once (bases.prepare): not one place
        s = _split(g, st, value)
        if s is None or s[0].unknown or (s[0].n == 0 and not s[0].root):
            continue  # the file itself is no folder to build on
        flat = _flat(g, s[1], mark=False)
        run = _leading(flat)
        if len(run) != len(flat) or any(r.partial for r in run):
            continue  # a computed part: uses of the name are not read through it
        a, text = s[0], _text(run)
        old_root, new_root = _roots(st, a)
        old = _join(_up(old_root, a.n), text)
        base = st.bases[name] = _Base(value, a, text, old=old)
        st.bindings[id(value)] = name
        _decide(g, st, name, base, _join(_up(new_root, a.n), text), _translate(g, old))


def _decide(g: Gatherer, st: State, name: str, base: _Base, kept: str, moved: str) -> None:
    """Where a base must point after the moves: re-based once where all its uses agree
    (README: one binding is one place), else a review."""
    base.final = moved
    if kept == moved or g.tree is None:
        return
    fine_kept, fine_moved, bare = [], [], False
    for use, where in _uses(g, st, name):
        if use is None:
            bare = True
            continue
        n, text = use
        target = _translate(g, _join(_up(base.old, n), text))
        k, m = _join(_up(kept, n), text) == target, _join(_up(moved, n), text) == target
        if k and not m:
            fine_kept.append(where)
        if m and not k:
            fine_moved.append(where)
    a = base.anchor
    depth = _ancestor_depth(st.new_file, moved)
    ascends = bool(a.root or base.text) or (depth is not None and depth >= 1
                                            and a.last in ("parent", "index", "dirname"))
    if fine_kept and (fine_moved or bare):
        base.decision = "review"
        lines = sorted({g.data.count(b"\n", 0, g.span(w)[0]) + 1 for w in fine_kept})
        base.why = (f"{name} is used for paths that need it re-based (to {moved or '.'}/) and for paths that "
                    f"still work as it is (line {', '.join(map(str, lines))}); edit by hand")
    elif fine_kept or (not ascends and not bare):
        # kept as it is: the paths built on it are re-spelled below it, each in its place
        base.decision, base.final = "keep", kept


def _uses(g: Gatherer, st: State, name: str) -> list[tuple[tuple[int, str] | None, ast.AST]]:
    """Each use of a base: how far up it goes and the literal segments of a path built on it,
    or None for a bare use."""
    out: list[tuple[tuple[int, str] | None, ast.AST]] = []
    seen: set[int] = set()
    assert g.tree is not None
    for node in ast.walk(g.tree):
        if id(node) in seen or not isinstance(node, ast.expr):
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            out.append((None, node))
            continue
        s = _split(g, st, node) if isinstance(node, (ast.BinOp, ast.Call)) else None
        if s is None or s[0].root != name or s[0].unknown or not (s[2] or s[0].n):
            continue
        seen.update(id(x) for x in ast.walk(node))
        out.append(((s[0].n, _text(_leading(_flat(g, s[1], mark=False)))), node))
    return out


# ---- the walk --------------------------------------------------------------------------------
def _state(g: Gatherer) -> State:
    st = g.here
    assert isinstance(st, State)
    if not st.ready:  # after every rule's prepare: chains' aliases (`from os.path import join`) are known
        st.ready = True
        _find_bases(g, st)
    return st


def visit_expr(g: Gatherer, node: ast.expr) -> bool:
    if not g.here.active:
        return True
    st = _state(g)
    if id(node) in st.claimed or id(node) in g.chain_nodes:
        return True
    if isinstance(node, ast.Call):
        _hydra(g, st, node)
    if isinstance(node, ast.Name):
        if node.id == "__file__" and st.moves and isinstance(node.ctx, ast.Load):
            g.review(node, f"__file__ is used here in a way pathmove cannot re-base; check that the paths "
                           f"built from it still reach their targets from {posixpath.dirname(st.new_file) or '.'}/")
        return True
    if isinstance(node, ast.Attribute) and node.attr in _SIBLING and st.moves:
        a = _anchor(g, st, node.value)
        if a is not None and a.n == 0 and not a.root:
            st.claimed.update(id(x) for x in ast.walk(node.value))
            g.review(node, f"a path beside the file (.{node.attr}) stays in {posixpath.dirname(st.old_file) or '.'}/ "
                           f"while the file moves to {posixpath.dirname(st.new_file) or '.'}/; check it")
            return True
    s = _split(g, st, node)
    if s is None:
        if isinstance(node, ast.Call) and _dotted(node.func) is not None and \
                str(_dotted(node.func)).rsplit(".", 1)[-1] in _HARMLESS:
            st.claimed.update(id(a) for a in node.args if isinstance(a, ast.Name) and a.id == "__file__")
        return True
    a, segs, around = s
    st.claimed.update(id(x) for x in ast.walk(a.node))
    for c in around:
        g.chain_nodes.add(id(c))
    flat = _flat(g, segs, mark=True)
    for seg in flat:
        if seg.kind == "lit" and seg.node is not None and not seg.partial:
            g.done.add(id(seg.node))
    run = _leading(flat)
    rest = flat[len(run):]
    if (run and run[0].text.startswith(b"/")) or not _anchored(g, st, node, a, run, bool(rest)):
        rest = flat  # an absolute segment, or a folder this rule cannot know: chains' rule reads them
    # the segments after a computed one: the chain rule, as chains._chain reads them
    part: list[_Seg] = []
    for seg in rest + [_Seg("opaque")]:
        if seg.kind == "opaque":
            if part:
                chains._chain_run(g, node, part)
            part = []
        else:
            part.append(seg)
    return True


def _anchored(g: Gatherer, st: State, node: ast.expr, a: _Anchor, run: list[_Seg], more: bool) -> bool:
    """Re-base or rewrite a path rooted at the file; False when its folder is unknown (the
    segments are then read as chains read them)."""
    name = st.bindings.get(id(node))
    if name is not None and st.bases[name].decision != "rebase":
        if st.bases[name].decision == "review":
            g.review(node, st.bases[name].why)
        return True
    if a.root and st.bases[a.root].decision == "review":
        return True  # reported once, at the binding
    if a.unknown or (a.n == 0 and not a.root and (run or more)):
        if st.moves:
            why = a.unknown or "a path joined to the file's own path (not its folder)"
            g.review(node, f"{why}: pathmove cannot tell which folder this reaches from "
                           f"{posixpath.dirname(st.new_file) or '.'}/; check it")
        return False
    if a.n == 0 and not a.root:
        return True  # the file itself: it moves with its references
    text = _text(run)
    old_root, new_root = _roots(st, a)
    old = _join(_up(old_root, a.n), text)
    new = _translate(g, old)
    kept = _join(_up(new_root, a.n), text)
    if kept == new:
        if more and st.moves:
            _computed(g, st, node, old)
        return True
    marks = len(g.edits), len(g.units), len(g.reviews)
    if not a.root and _ascend(g, st, node, a, run, text, new_root, new):
        pass
    elif not run:
        _cannot(g, st, node, old, kept, new)
    elif not a.root and not text.startswith("..") and (d := _same_folder(g, a, old_root, new_root)) is not None \
            and _set_up(g, node, a, d):
        # the folder the author went up to is still reached by going up (d folders); the
        # segments below it follow their moved target
        _respell(g, node, run, text, _relative(new, _up(new_root, d), text))
    else:
        _respell(g, node, run, text, _relative(new, _up(new_root, a.n), text))
    if len(g.reviews) == marks[2] and len(g.edits) == marks[0]:
        _cannot(g, st, node, old, kept, new)
    if len(g.reviews) > marks[2]:
        del g.edits[marks[0]:], g.units[marks[1]:]  # all or nothing
        if name is not None:
            st.bases[name].decision = "review"  # its uses were judged as if it were re-based
    elif more and st.moves:
        _computed(g, st, node, old)
    return True


def _computed(g: Gatherer, st: State, node: ast.expr, known: str) -> None:
    """A moving file's path goes on with a computed part below `known`: re-basing kept the
    folder, but if that part names a path the mapping moves, only a person can tell."""
    under = [e.old for e in g.mapping.entries
             if e.old != st.old_file and (not known or e.old == known or e.old.startswith(known + "/"))]
    if under:
        g.review(node, f"this path goes on below {known or '.'}/ with a computed part; if it reaches "
                       f"{', '.join(sorted(under)[:3])} (moved), edit it by hand")


def _cannot(g: Gatherer, st: State, node: ast.expr, old: str, kept: str, new: str) -> None:
    g.review(node, f"this path reaches {old or '.'}; written as it is, from {posixpath.dirname(st.new_file) or '.'}/ "
                   f"it would reach {kept or '.'}, and pathmove cannot re-spell it to reach {new or '.'}; edit by hand")


def _same_folder(g: Gatherer, a: _Anchor, old_root: str, new_root: str) -> int | None:
    """How far up the file must go after the move to reach the (translated) folder its anchor
    reached before, when that is a change (None: not above it, or no change)."""
    folder = _translate(g, _up(old_root, a.n))
    d = _ancestor_depth(new_root, folder)
    return d if d is not None and d >= 1 and d != a.n and a.last in ("parent", "index", "dirname") else None


def _ascend(g: Gatherer, st: State, node: ast.expr, a: _Anchor, run: list[_Seg], text: str, new_root: str,
            new: str) -> bool:
    """Reach the same target by going up more or fewer folders, the author's way; False when
    that is not enough."""
    comps = _norm(text).split("/") if _norm(text) else []
    k = 0
    while k < len(comps) and comps[k] == "..":
        k += 1
    rest = comps[k:]
    ncomps = new.split("/") if new else []
    if rest and ncomps[len(ncomps) - len(rest):] != rest:
        return False
    prefix = "/".join(ncomps[:len(ncomps) - len(rest)])
    total = _ancestor_depth(new_root, prefix)
    if total is None:
        return False
    if k and run and total - a.n >= 0 and _norm(text) == text.rstrip("/"):
        # the author went up with "..": as many as needed (the segments keep their style)
        _respell(g, node, run, text, "/".join([".."] * (total - a.n) + rest) + ("/" if text.endswith("/") else ""))
        return True
    n = total - k
    if n < 1 or a.last not in ("parent", "index", "dirname"):
        return False
    return _set_up(g, node, a, n)


def _set_up(g: Gatherer, root: ast.expr, a: _Anchor, n: int) -> bool:
    """Change how many folders the anchor goes up, in the construct the author used last."""
    delta = n - a.n
    data = g.data
    if a.last == "index" and a.index is not None:
        k = a.index.value
        assert isinstance(k, int)
        if k + delta < 0:
            return False
        g.edit(*g.span(a.index), str(k + delta).encode(), "py-relative", root)
        return True
    if a.last == "parent" and a.parents:
        outer = a.parents[-1]
        end = g.span(outer)[1]
        if delta > 0:
            g.edit(end - len("parent"), end, b"parent" + b".parent" * delta, "py-relative", root)
            return True
        if -delta >= len(a.parents):
            return False
        start = g.span(a.parents[len(a.parents) + delta - 1])[1]
        if not re.fullmatch(rb"(?:[ \t\f\r\n\\]*\.[ \t\f\r\n\\]*parent)+", data[start:end]):
            return False  # comments or other calls between them: not ours to squeeze
        g.edit(start, end, b"", "py-relative", root)
        return True
    if a.last == "dirname" and a.dirnames:
        call = a.dirnames[-1]
        lo, hi = g.span(call)
        if delta > 0:
            fn = data[slice(*g.span(call.func))]
            g.edit(lo, hi, (fn + b"(") * delta + data[lo:hi] + b")" * delta, "py-relative", root)
            return True
        if -delta >= len(a.dirnames):
            return False
        inner = a.dirnames[len(a.dirnames) + delta - 1]
        g.edit(lo, hi, data[slice(*g.span(inner))], "py-relative", root)
        return True
    return False


def _respell(g: Gatherer, root: ast.expr, run: list[_Seg], text: str, new: str | None) -> None:
    """The literal segments spell `new` instead of `text`, in the chain's style (None: no
    spelling reaches the target; the caller reports it)."""
    if new is None or new == text:
        return
    bounds = []
    pos = 0
    for s in run:
        bounds.append((pos, pos + len(s.text)))
        pos += len(s.text) + 1
    m = Match(0, bounds[-1][1], text, "")
    respell._rewrite_segments(g, root, run, bounds, list(range(len(run))), m, new)


# ---- Hydra ---------------------------------------------------------------------------------
def _hydra(g: Gatherer, st: State, call: ast.Call) -> None:
    """`@hydra.main(config_path=...)`, `hydra.initialize(config_path=...)`: relative to the file."""
    if _dotted(call.func) not in st.hydra:
        return
    given = [kw.value for kw in call.keywords if kw.arg == "config_path"] + call.args[:1]  # its first parameter
    for value in given:
        if isinstance(value, ast.Constant) and value.value is None:
            continue
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            if st.moves:
                g.review(value, "Hydra's config_path is computed here; check it is right from "
                                f"{posixpath.dirname(st.new_file) or '.'}/")
            continue
        toks = lex.tokens_in(g.data, *g.span(value))
        pc = toks[0].parts[0] if len(toks) == 1 and not toks[0].fstring else None
        text = "" if pc is None else g.data[pc.start:pc.end].decode("utf-8", "surrogateescape")
        if "://" in text or text.startswith("/"):
            continue  # `pkg://` and absolute paths do not depend on where the file is
        if pc is None or "\\" in text:
            if st.moves:
                g.review(value, "Hydra's config_path is spelled in pieces or with escapes; check it is right from "
                                f"{posixpath.dirname(st.new_file) or '.'}/")
            continue
        g.done.add(id(value))
        old_dir, new_dir = posixpath.dirname(st.old_file), posixpath.dirname(st.new_file)
        old = _join(old_dir, text)
        new = _translate(g, old)
        if _join(new_dir, text) != new:
            spelled = _relative(new, new_dir, text)
            if spelled is None:
                g.review(value, f"Hydra's config_path reaches {old or '.'}, which cannot be spelled from "
                                f"{new_dir or '.'}/; edit by hand")
                continue
            strings._string_edit(g, pc, (toks[0].start, toks[0].end), pc.start, pc.end, spelled, "py-relative", value)


def visit_JoinedStr(g: Gatherer, node: ast.JoinedStr) -> bool:
    """An f-string's fields are not walked (strings.visit_JoinedStr): `__file__` in one is a review."""
    if not g.here.active:
        return True
    st = _state(g)
    if st.moves and any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node)):
        g.review(node, f"__file__ is used in this f-string; check that the path it builds still reaches its "
                       f"target from {posixpath.dirname(st.new_file) or '.'}/")
    return True


VISIT: dict[str, Any] = {name: visit_expr for name in ("BinOp", "Call", "Attribute", "Subscript", "Name")}
VISIT["JoinedStr"] = visit_JoinedStr
