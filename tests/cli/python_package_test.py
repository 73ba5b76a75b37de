"""End to end (SPEC §4.1 packages): a package moves and the repository's own tests still pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import git, run_pathmove

TREE: dict[str, bytes | str] = {
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "migrations.yaml": "moves:\n  - from: shop/legacy_io\n    to: shop/io/modern\n",
    "pyproject.toml": (
        '[project]\nname = "shop"\nversion = "1"\n\n'
        '[project.scripts]\nshop-read = "shop.legacy_io.reader:main"\nshop-compat = "shop.legacy_io_compat:main"\n'
    ),
    "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    shop-r = shop.legacy_io.reader:main\n",
    "shop/__init__.py": "",
    "shop/helpers.py": "def double(x):\n    return 2 * x\n",
    "shop/io/__init__.py": "",
    "shop/legacy_io/__init__.py": '"""Reading the shop tables."""\nfrom .reader import read_rows  # noqa: F401\n',
    "shop/legacy_io/reader.py": (
        "from pathlib import Path\n\nfrom ..helpers import double\n\n"
        'DATA = Path(__file__).parent / "rows.txt"\n\n\n'
        "def read_rows():\n    return [double(int(x)) for x in DATA.read_text().split()]\n\n\n"
        "def main():\n    print(read_rows())\n"
    ),
    "shop/legacy_io/rows.txt": "1 2 3\n",
    "shop/legacy_io_compat.py": '"""Decoy: a module whose name merely starts the same."""\n\n\ndef main():\n    return "compat"\n',
    "shop/app.py": (
        "import shop.legacy_io.reader as r\nfrom shop import legacy_io\nfrom . import legacy_io_compat\n"
        "from .legacy_io import reader\n\n\n"
        "def total():\n    return sum(r.read_rows()) + len(legacy_io.read_rows()) + len(reader.read_rows())\n"
    ),
    "tests/test_shop.py": (
        "import importlib\nfrom unittest import mock\n\nimport shop.legacy_io\nfrom shop import app, legacy_io_compat\n\n\n"
        "def test_total():\n    assert app.total() == 18\n\n\n"
        "def test_patch():\n"
        '    with mock.patch("shop.legacy_io.reader.read_rows", return_value=[1]):\n'
        "        assert shop.legacy_io.reader.read_rows() == [1]\n\n\n"
        "def test_import_module():\n"
        '    mod = importlib.import_module("shop.legacy_io.reader")\n'
        '    assert mod.DATA.name == "rows.txt"\n'
        '    assert legacy_io_compat.main() == "compat"\n'
    ),
}


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=root, capture_output=True, text=True, env=env)


def test_moved_package_keeps_its_suite_green(git_repo) -> None:
    root = git_repo(TREE)
    before = _pytest(root)
    assert before.returncode == 0, before.stdout + before.stderr

    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    kinds = {f["kind"] for f in plan["findings"]}
    assert {"py-import", "py-dotted", "entry-point"} <= kinds
    assert plan["review"] == []

    run_pathmove(root, "apply", check_rc=0)
    after = _pytest(root)
    assert after.returncode == 0, after.stdout + after.stderr

    assert not (root / "shop/legacy_io").exists()
    assert (root / "shop/io/modern/reader.py").is_file()
    app = (root / "shop/app.py").read_text()
    assert "import shop.io.modern.reader as r\n" in app
    assert "from shop.io import modern as legacy_io\n" in app
    assert "from . import legacy_io_compat\n" in app  # decoy untouched
    assert "from .io.modern import reader\n" in app
    # the moved package now sits one level deeper: its relative import reaches further up
    assert "from ...helpers import double\n" in (root / "shop/io/modern/reader.py").read_text()
    pyproject = (root / "pyproject.toml").read_text()
    assert 'shop-read = "shop.io.modern.reader:main"' in pyproject
    assert 'shop-compat = "shop.legacy_io_compat:main"' in pyproject
    assert "shop-r = shop.io.modern.reader:main" in (root / "setup.cfg").read_text()
    run_pathmove(root, "verify", check_rc=0)
    assert git(root, "status", "--porcelain", "--untracked-files=no")  # the migration is there to commit


def test_shared_base_is_reported_for_review(git_repo) -> None:
    """SPEC §4.1: a rewrite that needs a shared name changed is never skipped silently."""
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: data/raw\n    to: raw_data\n",
        "data/raw/a.csv": "1\n",
        "data/keep.csv": "2\n",
        "load.py": 'from pathlib import Path\n\nDATA = Path("data")\nKEEP = DATA / "keep.csv"\nRAW = DATA / "raw"\n',
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert [(r["path"], r["line"], r["kind"]) for r in plan["review"]] == [("load.py", 5, "py-review")]
    assert "DATA" in plan["review"][0]["message"]
    run_pathmove(root, "apply", check_rc=1)
    assert (root / "load.py").read_text().endswith('RAW = DATA / "raw"\n')
    verify = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    assert [(r["path"], r["line"]) for r in verify["review"]] == [("load.py", 5)]
