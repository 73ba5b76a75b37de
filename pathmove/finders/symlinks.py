"""SPEC §4.4: a symbolic link whose target lands in a moved path is re-pointed."""

from __future__ import annotations

import os
import posixpath
from typing import Iterator

from pathmove.edits import Disposition, Edit
from pathmove.mapping import Mapping
from pathmove.scan import Source

CENSUS = True


def find(source: Source, mapping: Mapping) -> Iterator[Edit | Disposition]:
    """One edit replacing the whole target when the link or its target moves."""
    target = os.fsdecode(source.data)
    new_target = retarget(source.path, source.new_path, target, mapping)
    if new_target is not None and new_target != target:
        yield Edit(source.path, 0, len(source.data), source.data, os.fsencode(new_target), "symlink")
    else:  # the target, resolved from the link, reaches no moved path (or reaches it already)
        yield Disposition(source.path, 0, len(source.data), "not-a-reference", "a link target that reaches no moved path")


def retarget(link: str, new_link: str, target: str, mapping: Mapping) -> str | None:
    """The target that reaches the same (moved) place from where the link ends up."""
    if target.startswith("/"):
        # An absolute target stays absolute: like any absolute path in text (SPEC §4,
        # `/data/proj/outputs/hd_results`), an old path at component boundaries is rewritten.
        from pathmove.finders.text import find_in

        data = os.fsencode(target)
        edits = [e for e in find_in(link, data, mapping, 0, len(data), "symlink") if isinstance(e, Edit)]
        if not edits:
            return None
        from pathmove.edits import splice

        return os.fsdecode(splice(data, edits))
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link), target))
    if joined.startswith("../") or joined == "..":
        return None  # points outside the root: left alone
    moved = mapping.translate(joined)
    dest = moved if moved is not None else joined
    if moved is None and new_link == link:
        return None
    rel = posixpath.relpath(dest, posixpath.dirname(new_link) or ".")
    if target.startswith("./") and not rel.startswith("."):
        rel = "./" + rel
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel
