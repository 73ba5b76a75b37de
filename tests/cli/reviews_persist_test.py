"""SPEC §3: plan, apply, verify and check report the same review places before and after an
apply, until the code changes, and each exits 1 while one remains."""

from __future__ import annotations

import json

from tests.conftest import run_pathmove


def _places(root, *args: str) -> list[tuple[str, int, int]]:
    doc = json.loads(run_pathmove(root, *args, "--json").stdout)
    return sorted((r["path"], r["line"], r["column"]) for r in doc["review"])


def _assert_persists(root, path: str, expected: list[tuple[str, int, int]]) -> None:
    assert _places(root, "plan") == expected
    applied = run_pathmove(root, "apply", check_rc=1)
    for _, line, column in expected:
        assert f"{path}:{line}:{column}" in applied.stdout, applied.stdout  # listed, not only counted
    assert "no stale references" not in applied.stdout
    run_pathmove(root, "verify", check_rc=1)
    assert _places(root, "verify") == expected
    assert json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)["exit_code"] == 1
    run_pathmove(root, "check", path, check_rc=1)
    assert _places(root, "check", path) == expected


# pypa/packaging: one module leaves the package for a folder without __init__.py; the import
# must be split, and the comment inside it belongs to the name that moves (a person decides)
IMPORT = "from . import (  # platform modules\n    _a,\n    _b,\n)\n"


def test_python_import_of_moved_modules_stays_listed_after_apply(git_repo) -> None:
    root = git_repo({
        "pkg/__init__.py": IMPORT,
        "pkg/_a.py": "A = 1\n",
        "pkg/_b.py": "B = 1\n",
        "migrations.yaml": "moves:\n  - from: pkg/_a.py\n    to: pkg/_platforms/_a.py\n",
    })
    doc = json.loads(run_pathmove(root, "plan", "--json").stdout)
    places = sorted((r["path"], r["line"], r["column"]) for r in doc["review"])
    assert places, "the plan lists the import for review"
    _assert_persists(root, "pkg/__init__.py", places)
    # the code changes: the review is gone, and everything is clean
    (root / "pkg/__init__.py").write_text("from . import _b\nfrom ._platforms import _a  # platform modules\n")
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "check", "pkg/__init__.py", check_rc=0)


def test_yaml_scalar_that_needs_requoting_stays_listed_after_apply(git_repo) -> None:
    root = git_repo({
        "outputs/hd_results/s.csv": "x\n",
        "conf/run.yaml": "# results\nsave: outputs/hd_results/s.csv\nother: outputs/hd_results\n",
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/H D\n",
    })
    expected = [("conf/run.yaml", 2, 7), ("conf/run.yaml", 3, 8)]
    _assert_persists(root, "conf/run.yaml", expected)
    (root / "conf/run.yaml").write_text('# results\nsave: "outputs/H D/s.csv"\nother: outputs/hd_results\n')
    assert _places(root, "verify") == [("conf/run.yaml", 3, 8)]  # one line fixed, one still listed
    (root / "conf/run.yaml").write_text('# results\nsave: "outputs/H D/s.csv"\nother: "outputs/H D"\n')
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "check", "conf/run.yaml", check_rc=0)


def test_moved_line_keeps_its_review(git_repo) -> None:
    root = git_repo({
        "pkg/__init__.py": IMPORT,
        "pkg/_a.py": "A = 1\n",
        "pkg/_b.py": "B = 1\n",
        "migrations.yaml": "moves:\n  - from: pkg/_a.py\n    to: pkg/_platforms/_a.py\n",
    })
    before = _places(root, "plan")
    assert before and all(line == 1 for _, line, _ in before)
    run_pathmove(root, "apply", check_rc=1)
    (root / "pkg/__init__.py").write_text('"""The package."""\n\n' + IMPORT)
    assert _places(root, "verify") == [(p, 3, c) for p, _, c in before]  # the same line, moved down


def test_entry_point_of_a_module_moved_out_of_reach_stays_listed_after_apply(git_repo) -> None:
    # a non-Python finder: after the move the module is no longer recognised as one
    root = git_repo({
        "pkg/__init__.py": "",
        "pkg/cli.py": "def main():\n    pass\n",
        "pyproject.toml": '[project]\nname = "x"\n\n[project.scripts]\nx = "pkg.cli:main"\n',
        "migrations.yaml": "moves:\n  - from: pkg/cli.py\n    to: tools/run-cli.py\n",
    })
    _assert_persists(root, "pyproject.toml", [("pyproject.toml", 5, 6)])
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n\n[project.scripts]\nx = "tools.cli:main"\n')
    run_pathmove(root, "verify", check_rc=0)
