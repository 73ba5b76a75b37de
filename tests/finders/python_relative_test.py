"""Paths relative to a moved Python file (SPEC §4.1): `__file__` chains and Hydra's
config_path are re-based when the file moves and rewritten when their target moves."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pathmove.edits import Disposition, Edit, Review, splice
from pathmove.finders import python
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source

RUN = "scripts/run.py"
DEEPER = from_pairs([(RUN, "scripts/train/run.py")])
DEEPER_CONF = from_pairs([(RUN, "scripts/train/run.py"), ("configs", "conf")])
CONF = from_pairs([("configs", "conf")])
UP = from_pairs([("scripts/train/run.py", "scripts/run.py")])
FOLDER = from_pairs([("scripts", "tools/scripts")])
RENAME = from_pairs([(RUN, "scripts/main.py")])
SIBLING = from_pairs([(RUN, "scripts/train/run.py"), ("scripts/data.json", "scripts/train/data.json")])
WITH_OTHERS = from_pairs([(RUN, "scripts/train/run.py"), ("scripts/data", "data")])

HEAD = b"import os\nfrom pathlib import Path\n\n"


def records(src: bytes, mapping: Mapping, path: str) -> list[object]:
    new_path = mapping.translate(path) or path
    return list(python.find(Source(path, new_path, src, "python"), mapping))


def rewrite(src: bytes, mapping: Mapping, path: str = RUN) -> bytes:
    recs = records(src, mapping, path)
    assert not [r for r in recs if isinstance(r, Review)], recs
    return splice(src, [r for r in recs if isinstance(r, Edit)])


def case(src: bytes, expected: bytes, id: str, mapping: Mapping = DEEPER, path: str = RUN) -> object:
    return pytest.param(HEAD + src, mapping, path, HEAD + expected, id=id)


REWRITES = (
    # the file moves one folder deeper: the same targets, one more folder up, in the author's style
    case(b'CFG = Path(__file__).parent.parent / "configs" / "a.yaml"\n',
         b'CFG = Path(__file__).parent.parent.parent / "configs" / "a.yaml"\n', "parent chain"),
    case(b'CFG = os.path.join(os.path.dirname(__file__), "..", "configs", "a.yaml")\n',
         b'CFG = os.path.join(os.path.dirname(__file__), "..", "..", "configs", "a.yaml")\n', "dirname and .. segments"),
    case(b'ROOT = Path(__file__).resolve().parents[1]\nCFG = ROOT / "configs" / "a.yaml"\n',
         b'ROOT = Path(__file__).resolve().parents[2]\nCFG = ROOT / "configs" / "a.yaml"\n', "parents[n] base, re-based once"),
    case(b'@hydra.main(config_path="../configs", config_name="a")\ndef main(cfg):\n    pass\n',
         b'@hydra.main(config_path="../../configs", config_name="a")\ndef main(cfg):\n    pass\n', "hydra.main"),
    case(b'def f():\n    with hydra.initialize(config_path="../configs"):\n        pass\n',
         b'def f():\n    with hydra.initialize(config_path="../../configs"):\n        pass\n', "hydra.initialize"),
    case(b'from hydra import main as entry\n\n@entry(config_path="conf")\ndef main(cfg):\n    pass\n',
         b'from hydra import main as entry\n\n@entry(config_path="../conf")\ndef main(cfg):\n    pass\n',
         "hydra imported under another name, config folder beside the file"),
    case(b'D = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nX = os.path.join(D, "configs")\n',
         b'D = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\nX = os.path.join(D, "configs")\n',
         "nested dirname around abspath"),
    case(b'X = os.path.join(os.path.dirname(os.path.realpath(__file__)), "../configs/a.yaml")\n',
         b'X = os.path.join(os.path.dirname(os.path.realpath(__file__)), "../../configs/a.yaml")\n', "dots in one literal"),
    case(b'X = Path(__file__).absolute().parent.joinpath("..", "configs")\n',
         b'X = Path(__file__).absolute().parent.joinpath("..", "..", "configs")\n', "joinpath"),
    case(b'from os.path import dirname, join\nX = join(dirname(dirname(__file__)), "configs")\n',
         b'from os.path import dirname, join\nX = join(dirname(dirname(dirname(__file__))), "configs")\n',
         "imported dirname and join"),
    case(b'import sys\nsys.path.insert(0, str(Path(__file__).resolve().parents[1]))\n',
         b'import sys\nsys.path.insert(0, str(Path(__file__).resolve().parents[2]))\n', "sys.path entry"),
    case(b'HERE = Path(__file__).parent\n\n\ndef cfg():\n    return HERE / ".." / "configs"\n',
         b'HERE = Path(__file__).parent.parent\n\n\ndef cfg():\n    return HERE / ".." / "configs"\n',
         "base used in a function"),
    case(b'X = Path(__file__).parent.parent / "configs" / name\n',
         b'X = Path(__file__).parent.parent.parent / "configs" / name\n', "computed file name below"),
    case(b'# r\xc3\xa9sum\xc3\xa9\r\nX = Path(__file__).parents[1] / "configs"\r\n',
         b'# r\xc3\xa9sum\xc3\xa9\r\nX = Path(__file__).parents[2] / "configs"\r\n', "CRLF, non-ASCII before"),
    case(b'@hydra.main("../configs", "a")\ndef main(cfg):\n    pass\n',
         b'@hydra.main("../../configs", "a")\ndef main(cfg):\n    pass\n', "hydra.main, positional"),
    case(b'@hydra.main(config_path=".")\ndef main(cfg):\n    pass\n',
         b'@hydra.main(config_path="..")\ndef main(cfg):\n    pass\n', "hydra, the file\'s own folder"),
    case(b'from os.path import join as j\nfrom pathlib import Path as P\nUP = j(P(__file__).parent, "..")\n'
         b'X = j(UP, "configs")\n',
         b'from os.path import join as j\nfrom pathlib import Path as P\nUP = j(P(__file__).parent, "..", "..")\n'
         b'X = j(UP, "configs")\n', "aliased join and Path in a base"),
    # the target moves, the file stays: the segments follow it
    case(b'X = Path(__file__).parent.parent / "configs" / "a.yaml"\n',
         b'X = Path(__file__).parent.parent / "conf" / "a.yaml"\n', "target moves", CONF),
    case(b'@hydra.main(config_path="../configs")\ndef main(cfg):\n    pass\n',
         b'@hydra.main(config_path="../conf")\ndef main(cfg):\n    pass\n', "hydra target moves", CONF),
    case(b'C = Path(__file__).parent.parent / "configs"\nA = C / "a.yaml"\n',
         b'C = Path(__file__).parent.parent / "conf"\nA = C / "a.yaml"\n', "base naming the moved folder", CONF),
    # both move
    case(b'X = Path(__file__).parent.parent / "configs" / "a.yaml"\n',
         b'X = Path(__file__).parent.parent.parent / "conf" / "a.yaml"\n', "both move, parents", DEEPER_CONF),
    case(b'X = os.path.join(os.path.dirname(__file__), "..", "configs")\n',
         b'X = os.path.join(os.path.dirname(__file__), "..", "..", "conf")\n', "both move, dots", DEEPER_CONF),
    case(b'ROOT = Path(__file__).parents[1]\nC = ROOT / "configs"\nA = C / "a.yaml"\n',
         b'ROOT = Path(__file__).parents[2]\nC = ROOT / "conf"\nA = C / "a.yaml"\n', "base on a base", DEEPER_CONF),
    case(b'@hydra.main(config_path="./../configs/")\ndef main(cfg):\n    pass\n',
         b'@hydra.main(config_path="../../conf/")\ndef main(cfg):\n    pass\n', "hydra, both move", DEEPER_CONF),
    case(b'ROOT = Path(__file__).parents[1]\nC = ROOT / "configs"\n\n\ndef f():\n    return C / ".." / "data"\n',
         b'ROOT = Path(__file__).parents[1]\nC = ROOT / "conf"\n\n\ndef f():\n    return C / ".." / "data"\n',
         "a base on a base, used with dots", CONF),
    # the file moves up a folder: fewer parents, fewer dots
    case(b'X = Path(__file__).parent.parent.parent / "configs"\n',
         b'X = Path(__file__).parent.parent / "configs"\n', "fewer parents", UP, "scripts/train/run.py"),
    case(b'X = Path(__file__).parents[2] / "configs"\n',
         b'X = Path(__file__).parents[1] / "configs"\n', "smaller index", UP, "scripts/train/run.py"),
    case(b'X = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "configs")\n',
         b'X = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")\n', "one dirname less", UP,
         "scripts/train/run.py"),
    case(b'X = os.path.join(os.path.dirname(__file__), "..", "..", "configs")\n',
         b'X = os.path.join(os.path.dirname(__file__), "..", "configs")\n', "one .. less", UP, "scripts/train/run.py"),
    case(b'X = Path(__file__).parent / "../../configs"\n',
         b'X = Path(__file__).parent / "../configs"\n', "one ../ less", UP, "scripts/train/run.py"),
    case(b'X = Path(__file__).parent / "local.yaml"\n',
         b'X = Path(__file__).parent / "train" / "local.yaml"\n', "a target left behind below", UP,
         "scripts/train/run.py"),
    case(b'X = Path(__file__).parent.parent / "neighbour"\n', b'X = Path(__file__).parent.parent.parent / "neighbour"\n',
         "a folder beside the repository", from_pairs([("run.py", "tools/run.py")]), "run.py"),
    case(b'HERE = Path(__file__).parent\nX = HERE / "local.yaml"\n', b'HERE = Path(__file__).parent\nX = HERE / "train" / "local.yaml"\n',
         "a base going up cannot reach: its uses follow", UP, "scripts/train/run.py"),
    case(b'CFG = (\n    Path(__file__)\n    .parent\n    .parent\n    .parent\n    / "configs"\n)\n',
         b'CFG = (\n    Path(__file__)\n    .parent\n    .parent\n    / "configs"\n)\n', "one .parent less, on its own line",
         UP, "scripts/train/run.py"),
    case(b'X = Path(__file__).parent.parent / "scripts" / "x"\n', b'X = Path(__file__).parent.parent / "tools" / "x"\n',
         "a target in the file's own moving folder, spelled from above", from_pairs([("scripts", "tools")])),
    # the file's folder moves under another one
    case(b'ROOT = Path(__file__).parent.parent\n', b'ROOT = Path(__file__).parent.parent.parent\n', "folder moves",
         FOLDER),
)


@pytest.mark.parametrize(("src", "mapping", "path", "expected"), REWRITES)
def test_relative_rewrites(src: bytes, mapping: Mapping, path: str, expected: bytes) -> None:
    assert rewrite(src, mapping, path) == expected


NOOPS = (
    # nothing moves that these reach, from where the file is
    case(b'X = Path(__file__).parent.parent / "configs" / "a.yaml"\n', b"", "file and target stay",
         from_pairs([("other", "elsewhere")])),
    case(b'ROOT = Path(__file__).resolve().parents[1]\nX = ROOT / "configs"\n', b"", "rename in the folder", RENAME),
    case(b'@hydra.main(config_path="../configs")\ndef main(cfg):\n    pass\n', b"", "hydra, rename", RENAME),
    case(b'X = Path(__file__).parent / "data.json"\nY = Path(__file__).parent.parent / "configs"\n', b"",
         "a sibling that moves with it", from_pairs([("scripts", "tools")])),
    case(b'X = Path(__file__).parent / "data.json"\n', b"", "a sibling that moves with it, file mapped alone", SIBLING),
    # not a path relative to the file's folder, or not one that can change
    case(b'NAME = Path(__file__).stem\nprint(__file__, os.path.basename(__file__))\n', b"", "the file's own name"),
    case(b'X = Path(__file__).parent / "/etc/app.yaml"\n', b"", "an absolute segment"),
    case(b'log.info(f"__file__ is {name}")\n', b"", "__file__ as text in an f-string"),
    case(b'@hydra.main(config_path=None)\ndef main(cfg):\n    pass\n', b"", "hydra without a path"),
    case(b'@hydra.main(config_path="pkg://app.conf")\ndef main(cfg):\n    pass\n', b"", "hydra package path"),
    case(b'hydra.initialize_config_dir(config_dir="/srv/app/configs")\n', b"", "absolute config dir"),
    # a decoy: from scripts/, Path(__file__).parent / "configs" is scripts/configs, not configs
    case(b'X = Path(__file__).parent / "configs" / "a.yaml"\n', b"", "same name, another folder", CONF),
    case(b'@hydra.main(config_path="configs")\ndef main(cfg):\n    pass\n', b"", "hydra, same name, another folder", CONF),
)


@pytest.mark.parametrize(("src", "mapping", "path", "expected"), NOOPS)
def test_relative_noop(src: bytes, mapping: Mapping, path: str, expected: bytes) -> None:
    assert [r for r in records(src, mapping, path) if not isinstance(r, Disposition)] == []  # census dispositions only


REVIEWS = (
    case(b'X = Path(__file__).parents[i] / "configs"\n', b"not a number", "unknown index"),
    case(b'X = helper(__file__)\n', b"cannot re-base", "__file__ through a function"),
    case(b'X = os.path.splitext(__file__)[0] + ".yaml"\n', b"cannot re-base", "__file__ through splitext"),
    case(b'X = Path(__file__).with_suffix(".yaml")\n', b"beside the file", "a sibling of the file"),
    case(b'@hydra.main(config_path=f"../{NAME}")\ndef main(cfg):\n    pass\n', b"is computed", "hydra f-string"),
    case(b'@hydra.main(config_path="../" "configs")\ndef main(cfg):\n    pass\n', b"in pieces", "hydra in pieces"),
    case(b'X = f"{os.path.dirname(__file__)}/../configs"\n', b"f-string", "__file__ in an f-string"),
    case(b'@hydra.main(config_path=CONFIGS)\ndef main(cfg):\n    pass\n', b"config_path is computed", "hydra computed"),
    case(b'X = os.path.join(__file__, "..", "configs")\n', b"the file's own path", "joined to the file itself"),
    case(b'HERE = Path(__file__).parent\nA = HERE / "data.json"\nB = HERE / ".." / "configs"\n',
         b"HERE is used for paths that need it re-based", "one base, different outcomes", SIBLING),
    case(b'HERE = Path(__file__).parent\nX = HERE / "local.yaml"\nprint(HERE)\n', b"cannot re-spell",
         "a base that cannot be re-based, used bare", UP, "scripts/train/run.py"),
    case(b'X = (\n    Path(__file__)\n    .parent\n    .parent  # up\n    .parent\n    / "configs"\n)\n', b"cannot re-spell",
         "a comment between the parents, and no segment can reach above the root", UP, "scripts/train/run.py"),
    case(b'import sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), sub))\n', b"computed part",
         "sys.path entry with a computed part", WITH_OTHERS),
)


@pytest.mark.parametrize(("src", "mapping", "path", "says"), REVIEWS)
def test_relative_reviews(src: bytes, mapping: Mapping, path: str, says: bytes) -> None:
    recs = records(src, mapping, path)
    reviews = [r for r in recs if isinstance(r, Review)]
    assert len(reviews) == 1 and reviews[0].kind == "py-review", recs
    assert says[len(HEAD):].decode() in reviews[0].message
    assert src[reviews[0].start:reviews[0].end].strip(), reviews[0]  # it points at code


# every case above, for tests/finders/python_prepass_test.py (the shortcuts change no record)
CASES = (*REWRITES, *NOOPS, *REVIEWS)


def test_a_conflicting_base_changes_nothing() -> None:
    src = HEAD + b'HERE = Path(__file__).parent\nA = HERE / "data.json"\nB = HERE / ".." / "configs"\n'
    assert not [r for r in records(src, SIBLING, RUN) if isinstance(r, Edit)]


def test_a_rename_in_the_same_folder_is_not_parsed() -> None:
    data = HEAD + b'X = Path(__file__).parent / ".." / "configs"\n'
    assert not python._may_hold_reference(Source(RUN, "scripts/main.py", data, "python"), RENAME)
    assert python._may_hold_reference(Source(RUN, "scripts/train/run.py", data, "python"), DEEPER)


# ---- property: the rewritten expression, run from the new place, reaches the moved target ----
_FORMS = (
    lambda u, k, comps: "X = Path(__file__)" + ".parent" * (u + 1) + "".join(f' / "{c}"' for c in [".."] * k + comps),
    lambda u, k, comps: f"X = Path(__file__).resolve().parents[{u}]" + "".join(f' / "{c}"' for c in [".."] * k + comps),
    lambda u, k, comps: ("X = os.path.join(" + "os.path.dirname(" * (u + 1) + "os.path.abspath(__file__)" + ")" * (u + 1)
                         + "".join(f', "{c}"' for c in [".."] * k + comps) + ")"),
    lambda u, k, comps: "X = Path(__file__)" + ".parent" * (u + 1) + ' / "' + "/".join([".."] * k + comps) + '"',
    lambda u, k, comps: (f"ROOT = Path(__file__).parents[{u}]\nX = ROOT" + "".join(f' / "{c}"' for c in [".."] * k + comps)
                         + "\nY = ROOT"),
)


def _evaluate(src: bytes, path: str) -> str:
    import os
    from pathlib import Path as P

    space: dict[str, object] = {"__file__": "/R/" + path, "Path": P, "os": os}
    exec(compile(src, path, "exec"), space)  # noqa: S102 — the snippets are built just above
    return os.path.relpath(os.path.normpath(str(space["X"])), "/R")


@settings(max_examples=300, deadline=None)
@given(form=st.integers(0, len(_FORMS) - 1), old_dir=st.lists(st.sampled_from("ab"), max_size=3),
       new_dir=st.lists(st.sampled_from("abc"), max_size=3), data=st.data(),
       comps=st.lists(st.sampled_from(["a", "b", "cfg", "x.yaml"]), min_size=1, max_size=3),
       moved=st.integers(0, 3))
def test_a_rewritten_path_reaches_the_moved_target(form: int, old_dir: list[str], new_dir: list[str],
                                                  data: st.DataObject, comps: list[str], moved: int) -> None:
    """Whatever the move, the rewritten expression run from the new place reaches the (moved)
    target the original reached from the old place, or the place is a review."""
    u = data.draw(st.integers(0, len(old_dir)), label="u")  # folders up: inside the root
    k = data.draw(st.integers(0, len(old_dir) - u), label="k")  # ".." segments
    old_path = "/".join([*old_dir, "run.py"])
    new_path = "/".join([*new_dir, "tool.py"])
    src = HEAD + _FORMS[form](u, k, comps).encode() + b"\n"
    target = _evaluate(src, old_path)
    pairs = [(old_path, new_path)]
    tcomps = target.split("/")
    if moved and len(tcomps) >= moved:  # the target, or a folder above it, moves too
        old_t = "/".join(tcomps[:moved])
        if not (old_path + "/").startswith(old_t + "/") and not new_path.startswith(old_t + "/"):
            pairs.append((old_t, old_t + "_moved"))
    mapping = from_pairs(pairs)
    recs = records(src, mapping, old_path)
    assume(not [r for r in recs if isinstance(r, Review)])
    out = splice(src, [r for r in recs if isinstance(r, Edit)])
    assert _evaluate(out, new_path) == (mapping.translate(target) or target), out.decode()


@settings(max_examples=150, deadline=None)
@given(old_dir=st.lists(st.sampled_from("ab"), max_size=3), new_dir=st.lists(st.sampled_from("abc"), max_size=3),
       data=st.data(), comps=st.lists(st.sampled_from(["a", "conf", "cfg"]), max_size=2), moved=st.booleans())
def test_a_rewritten_config_path_reaches_the_moved_folder(old_dir: list[str], new_dir: list[str], data: st.DataObject,
                                                         comps: list[str], moved: bool) -> None:
    """Hydra's config_path, read like Hydra reads it (from the file's folder)."""
    import posixpath
    import re

    k = data.draw(st.integers(0, len(old_dir)), label="k")
    old_path, new_path = "/".join([*old_dir, "app.py"]), "/".join([*new_dir, "main.py"])
    spelled = "/".join([".."] * k + comps) or "."
    src = HEAD + b'@hydra.main(config_path="' + spelled.encode() + b'", config_name="x")\ndef main(cfg):\n    pass\n'

    def folder(src: bytes, path: str) -> str:
        m = re.search(rb'config_path="([^"]*)"', src)
        assert m is not None
        return posixpath.normpath(posixpath.join(posixpath.dirname(path), m.group(1).decode()))

    target = folder(src, old_path)
    pairs = [(old_path, new_path)]
    if moved and target != "." and not (old_path + "/").startswith(target + "/") and not new_path.startswith(target + "/"):
        pairs.append((target, target + "_moved"))
    mapping = from_pairs(pairs)
    out = rewrite(src, mapping, old_path)
    assert folder(out, new_path) == (mapping.translate(target) or target if target != "." else "."), out.decode()
