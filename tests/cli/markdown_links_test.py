"""SPEC §4.3 end to end: after `apply`, every relative link reaches the file it reached before."""

from __future__ import annotations

import posixpath
import re
import tempfile
import urllib.parse
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import git, run_pathmove, write_tree

DIRS = ["", "docs", "docs/guide", "outputs", "outputs/hd_results", "outputs/hd_results/sub", "notes"]
FILES = [posixpath.join(d, name) for d in DIRS for name in ("README.md", "data.csv")]
MDS = [f for f in FILES if f.endswith(".md")]
# Moves that fit this tree in any combination: nested `from`s, a file, folders gaining depth.
POOL = [
    ("outputs/hd_results", "outputs/HD"),
    ("outputs/hd_results/sub", "archive/sub"),
    ("docs/guide", "manual/guide"),
    ("notes/README.md", "docs/notes.md"),
    ("docs/README.md", "handbook/docs/README.md"),
]
STYLES = ["plain", "dot", "anchor", "query", "rooted", "angle", "ref", "html", "titled"]


def _link(k: int, md: str, target: str, style: str) -> str:
    rel = posixpath.relpath(target, posixpath.dirname(md) or ".")
    if style == "dot" and not rel.startswith(".."):
        rel = "./" + rel
    return {
        "anchor": f"[l{k}]({rel}#part)",
        "query": f"[l{k}]({rel}?plain=1)",
        "rooted": f"[l{k}](/{target})",
        "angle": f"[l{k}](<{rel}>)",
        "ref": f"[l{k}][r{k}]\n\n[r{k}]: {rel}",
        "html": f'<a href="{rel}">l{k}</a>',
        "titled": f'![l{k}]({rel} "the l{k} link")',
    }.get(style, f"[l{k}]({rel})")


_DEST = re.compile(r'^\[r\d+\]: (\S+)$|\]\(<([^>]+)>|\]\(([^)\s]+)|href="([^"]+)"', re.M)


def _dest_of(text: str, k: int) -> str:
    """The destination of link k (each link sits in its own paragraph, tagged L<k>)."""
    block = text.split(f"L{k}: ", 1)[1].split("\n\nL", 1)[0]
    m = _DEST.search(block)
    assert m, block
    return next(g for g in m.groups() if g is not None)


def _resolve(md: str, dest: str) -> str:
    path = urllib.parse.unquote(re.split(r"[?#]", dest, maxsplit=1)[0])
    if path.startswith("/"):
        return posixpath.normpath(path[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(md), path))


def _translate(path: str, moves: list[tuple[str, str]]) -> str:
    best = max((m for m in moves if path == m[0] or path.startswith(m[0] + "/")), key=lambda m: len(m[0]),
               default=None)
    return path if best is None else best[1] + path[len(best[0]):]


_links = st.lists(st.tuples(st.sampled_from(MDS), st.sampled_from(FILES), st.sampled_from(STYLES)),
                  min_size=1, max_size=14)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(links=_links, chosen=st.sets(st.sampled_from(range(len(POOL))), min_size=1))
def test_every_relative_link_reaches_the_same_file_after_apply(links: list[tuple[str, str, str]],
                                                               chosen: set[int]) -> None:
    moves = [POOL[i] for i in sorted(chosen)]
    tree: dict[str, bytes | str] = {f: f"id-{i}\n" for i, f in enumerate(FILES)}
    for k, (md, target, style) in enumerate(links):
        tree[md] = str(tree[md]) + f"\nL{k}: {_link(k, md, target, style)}\n"
    tree["migrations.yaml"] = "moves:\n" + "".join(f"  - from: {a}\n    to: {b}\n" for a, b in moves)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, tree)
        git(root, "-c", "init.defaultBranch=main", "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", "start")
        run_pathmove(root, "apply", check_rc=0)
        for k, (md, target, _style) in enumerate(links):
            new_md = _translate(md, moves)
            dest = _dest_of((root / new_md).read_text(), k)
            reached = root / _resolve(new_md, dest)
            assert reached.is_file(), f"L{k} in {new_md}: {dest!r} no longer reaches {target}"
            assert reached.read_text().splitlines()[0] == str(tree[target]).splitlines()[0], (k, dest)
        run_pathmove(root, "verify", check_rc=0)
