"""Which moved `from`s are importable modules (SPEC §4.1), detected on real trees."""

from __future__ import annotations

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
