"""Which moved `from`s are importable modules (SPEC §4.1), detected on real trees."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pathmove import packages, plan
from pathmove.mapping import from_pairs
from tests.conftest import write_tree


def detect(root: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, str | None, str]]:
    return [tuple(m) for m in packages.detect(root, from_pairs(pairs)).moves]


@pytest.mark.parametrize(("tree", "pairs", "expected"), (
    pytest.param({"pkg/__init__.py": "", "pkg/old/__init__.py": ""}, [("pkg/old", "pkg/new")],
                 [("pkg.old", "pkg.new", "")], id="subpackage"),
    pytest.param({"pkg/__init__.py": "", "pkg/util.py": ""}, [("pkg/util.py", "pkg/tools.py")],
                 [("pkg.util", "pkg.tools", "")], id="module file"),
    pytest.param({"src/pkg/__init__.py": "", "src/pkg/old/__init__.py": ""}, [("src/pkg/old", "src/pkg/new")],
                 [("pkg.old", "pkg.new", "src")], id="src layout"),
    pytest.param({"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
                  "lib/pkg/__init__.py": "", "lib/pkg/old.py": ""}, [("lib/pkg/old.py", "lib/pkg/new.py")],
                 [("pkg.old", "pkg.new", "lib")], id="declared package root"),
    pytest.param({"setup.cfg": "[options]\npackage_dir =\n    =code\n", "code/pkg/__init__.py": "",
                  "code/pkg/old/__init__.py": ""}, [("code/pkg/old", "code/pkg/new")],
                 [("pkg.old", "pkg.new", "code")], id="setup.cfg package_dir"),
    pytest.param({"pkg/__init__.py": "", "pkg/old/__init__.py": ""}, [("pkg/old", "pkg/new-io")],
                 [("pkg.old", None, "")], id="destination not importable"),
    pytest.param({"pkg/__init__.py": ""}, [("pkg", "src/pkg")], [], id="into a new src layout: same name"),
    pytest.param({"data/old/a.csv": "x"}, [("data/old", "data/new")], [], id="data folder"),
    pytest.param({"scripts/old/run.py": ""}, [("scripts/old", "scripts/new")], [], id="folder without __init__"),
    pytest.param({"pkg/__init__.py": "", "pkg/new/__init__.py": ""}, [("pkg/old", "pkg/new")],
                 [("pkg.old", "pkg.new", "")], id="already moved"),
    # PEP 420 namespace packages: the repository's own imports show the folders are packages
    pytest.param({"ldm/modules/encoders/modules.py": "", "scripts/knn2img.py":
                  "from ldm.modules.encoders.modules import ClassEmbedder\n"},
                 [("ldm/modules/encoders", "ldm/modules/conditioning")],
                 [("ldm.modules.encoders", "ldm.modules.conditioning", "")], id="namespace: an import"),
    pytest.param({"ldm/modules/encoders/modules.py": "", "configs/a.yaml":
                  "model:\n  target: ldm.modules.encoders.modules.ClassEmbedder\n"},
                 [("ldm/modules/encoders", "ldm/modules/conditioning")],
                 [("ldm.modules.encoders", "ldm.modules.conditioning", "")], id="namespace: a config target"),
    pytest.param({"ldm/modules/encoders/modules.py": "", "nb.ipynb":
                  '{"cells": [{"source": ["import ldm.modules.encoders.modules as m\\n"]}]}'},
                 [("ldm/modules/encoders", "ldm/modules/conditioning")],
                 [("ldm.modules.encoders", "ldm.modules.conditioning", "")], id="namespace: a notebook"),
    pytest.param({"ldm/util.py": "", "main.py": "from ldm.util import instantiate\n"},
                 [("ldm/util.py", "ldm/helpers.py")], [("ldm.util", "ldm.helpers", "")],
                 id="namespace: a module file"),
    pytest.param({"tools/old/run.py": "", "main.py": "import tools.old.run\n"},
                 [("tools/old", "tools/new")], [("tools.old", "tools.new", "")], id="namespace: import statement"),
    pytest.param({"scripts/old/run.py": "", "README.md": "python -m scripts.old.run\n",
                  "a.py": "x = scripts.old.run\n", "b.yaml": "path: scripts/old/run.py\n"},
                 [("scripts/old", "scripts/new")], [], id="namespace: prose, attributes and paths are no evidence"),
    pytest.param({"scripts/old/run.py": "", "a.py": "from scripts.oldest import x\n"},
                 [("scripts/old", "scripts/new")], [], id="namespace: a name that only begins the same"),
    pytest.param({"vendor/lib/core/x.py": "", "a.py": "from lib.core.x import y\n"},
                 [("vendor/lib/core", "vendor/lib/kernel")], [("lib.core", "lib.kernel", "vendor")],
                 id="namespace: the folder an import shows is a root"),
    pytest.param({"ldm/models/old.py": "", "a.py": "from ldm.models.old import X\n"},
                 [("ldm/models/old.py", "ldm/models/new-1.py")], [("ldm.models.old", None, "")],
                 id="namespace: destination not importable"),
))
def test_detect(tmp_path: Path, tree: dict, pairs: list, expected: list) -> None:
    write_tree(tmp_path, tree)
    assert detect(tmp_path, pairs) == expected


def test_module_needles_pass_the_prefilter(tmp_path: Path) -> None:
    """`from tools import util` names neither `util.py` nor `tools/util.py`: the module name lets it in."""
    write_tree(tmp_path, {
        "tools/__init__.py": "",
        "tools/util.py": "X = 1\n",
        "app.py": "from tools import util\nfrom tools.util import X\n",
        "other.py": "import os\n",
    })
    mapping = from_pairs([("tools/util.py", "tools/helpers.py")])
    p = plan.build(tmp_path, mapping, mode="plan", use_git=False)
    edits = {(e.path, e.new) for e in p.edits}
    assert edits == {("app.py", b"helpers as util"), ("app.py", b"tools.helpers")}
    assert p.files_scanned == 2  # app.py and the moved module itself; other.py never read past the filter


# ---- rename_dotted: the one decision every dotted-name rule shares ---------------------
_MOVES = dataclasses.replace(
    from_pairs([("pkg/legacy_io", "pkg/modern_io"), ("legacy_io", "compat/legacy_io"), ("pkg/gone.py", "pkg/go-ne.py")]),
    packages=packages.Packages((packages.ModuleMove("pkg.legacy_io", "pkg.modern_io", ""),
                                packages.ModuleMove("pkg.gone", None, ""),
                                packages.ModuleMove("legacy_io", "compat.legacy_io", "")), ("",)),
)


@pytest.mark.parametrize(("value", "asked", "expected"), (
    ("pkg.legacy_io", False, "pkg.modern_io"),
    ("pkg.legacy_io.Reader.open", False, "pkg.modern_io.Reader.open"),
    ("pkg.legacy_io.cli:main", False, "pkg.modern_io.cli"),  # the `:attr` part never changes
    ("pkg.legacy_io : main", False, "pkg.modern_io"),
    ("legacy_io:main", False, "compat.legacy_io"),
    ("legacy_io.Reader", True, "compat.legacy_io.Reader"),
    ("pkg.gone.f", False, ""),
))
def test_rename_dotted(value: str, asked: bool, expected: str) -> None:
    r = packages.rename_dotted(value, _MOVES, asked)
    assert r is not None and r.new == expected and value[r.start:r.end] == r.old


@pytest.mark.parametrize(("value", "asked"), (
    ("legacy_io", True),  # one bare word never changes
    ("legacy_io.csv", False),  # a file name unless a module is asked for
    ("pkg.legacy_io_compat.f", True),  # only begins the same
    ("mypkg.legacy_io.f", True),
    ("pkg.legacy_io/x.py", True),
    ("pkg.legacy_io f", True),
    ("", True),
))
def test_rename_dotted_noop(value: str, asked: bool) -> None:
    assert packages.rename_dotted(value, _MOVES, asked) is None
