"""SPEC §4.4: a symbolic link whose target lands in a moved path is re-pointed."""

from __future__ import annotations

import pytest

from pathmove.edits import Edit
from pathmove.finders import symlinks
from pathmove.mapping import from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([("runs/checkpoints_old", "checkpoints/pi05"), ("eval/results_v1", "eval/results/v1")])


def repoint(link: str, target: str) -> str:
    """The link's target after the moves (unchanged when the finder has no edit)."""
    new_link = MAPPING.translate(link) or link
    edits = [e for e in symlinks.find(Source(link, new_link, target.encode(), "symlink"), MAPPING) if isinstance(e, Edit)]
    assert len(edits) <= 1
    if edits:
        (e,) = edits
        assert (e.start, e.end, e.old, e.kind) == (0, len(target.encode()), target.encode(), "symlink")
        return e.new.decode()
    return target


@pytest.mark.parametrize(("link", "target"), (
    pytest.param("runs/latest", "checkpoints_old_v2", id="decoy name"),
    pytest.param("runs/latest", "other/dir", id="unrelated target"),
    pytest.param("runs/latest", "/mnt/shared/myruns/checkpoints_old", id="absolute decoy"),
    pytest.param("runs/latest", "../../outside", id="pointing outside the root"),
    pytest.param("a/b", "../eval/results_v1_old", id="sibling decoy"),
))
def test_symlinks_unchanged(link: str, target: str) -> None:
    assert repoint(link, target) == target


@pytest.mark.parametrize(("link", "target", "expected"), (
    pytest.param("runs/latest", "checkpoints_old", "../checkpoints/pi05", id="target moves"),
    pytest.param("runs/latest", "checkpoints_old/", "../checkpoints/pi05/", id="trailing slash kept"),
    pytest.param("runs/latest", "./checkpoints_old/step_9", "../checkpoints/pi05/step_9", id="into the moved folder"),
    pytest.param("latest", "eval/results_v1", "eval/results/v1", id="from the root"),
    pytest.param("runs/latest", "/srv/proj/runs/checkpoints_old/step_9", "/srv/proj/checkpoints/pi05/step_9",
                 id="absolute stays absolute, re-pointed like an absolute path in text"),
    pytest.param("latest", "./eval/results_v1", "./eval/results/v1", id="./ kept"),
    pytest.param("runs/checkpoints_old/last", "step_9", "step_9", id="moves with its target: unchanged"),
    pytest.param("runs/checkpoints_old/cfg", "../../configs/a.yaml", "../../configs/a.yaml",
                 id="link moves, same depth"),
    pytest.param("eval/results_v1/cfg", "../../configs/a.yaml", "../../../configs/a.yaml",
                 id="link moves one level deeper"),
    pytest.param("eval/results_v1/ck", "../../runs/checkpoints_old", "../../../checkpoints/pi05",
                 id="both the link and its target move"),
))
def test_symlinks_repointed(link: str, target: str, expected: str) -> None:
    assert repoint(link, target) == expected
