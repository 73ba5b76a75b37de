"""Bases imported from the repository's own modules, and the census of path
expressions (every needle in one is rewritten, reported as py-unresolved, or proven no old path).

The per-pattern tables (rewritten, reported, no-op) are in python_test.py, so that the
pre-pass test checks them too; here: the imported forms (files on disk), the installed tool
end to end, and a property over generated files."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import census
from pathmove.edits import Disposition, Edit, Review, splice
from pathmove.finders import python
from pathmove.finders.python import index
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source
from tests.conftest import run_pathmove

HD = from_pairs([("outputs/hd_results", "outputs/HD"), ("data/merge/parts", "merged")])


def _records(root: Path, path: str, mapping: Mapping = HD) -> list:
    data = (root / path).read_bytes()
    return list(python.find(Source(path, path, data, "python"), dataclasses.replace(mapping, root=str(root))))


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


CONFIG = 'from pathlib import Path\nOUT = Path("outputs")\nDATA = Path("data")\nPLAIN = "outputs"\n'


# ---- imported bases: each import form, read from the module on disk ------------------------
@pytest.mark.parametrize(("use", "expected"), (
    pytest.param('from pkg.config import OUT\nA = OUT / "hd_results" / "s.csv"\n',
                 'from pkg.config import OUT\nA = OUT / "HD" / "s.csv"\n', id="from module import name"),
    pytest.param('from pkg.config import OUT as O\nA = O / "hd_results"\n',
                 'from pkg.config import OUT as O\nA = O / "HD"\n', id="import as"),
    pytest.param('import os\nfrom pkg import config\nB = os.path.join(config.OUT, "hd_results")\n',
                 'import os\nfrom pkg import config\nB = os.path.join(config.OUT, "HD")\n', id="from package import module"),
    pytest.param('import pkg.config as c\nB = c.PLAIN + "/hd_results"\n',
                 'import pkg.config as c\nB = c.PLAIN + "/HD"\n', id="import module as"),
    pytest.param('import pkg.config\nB = f"{pkg.config.PLAIN}/x" + "/" + pkg.config.PLAIN + "/hd_results"\n',
                 'import pkg.config\nB = f"{pkg.config.PLAIN}/x" + "/" + pkg.config.PLAIN + "/HD"\n', id="import dotted module"),
    pytest.param('from .config import OUT\nA = OUT / "hd_results"\n', 'from .config import OUT\nA = OUT / "HD"\n',
                 id="relative import"),
    pytest.param('from pkg.chain import HDIR\nA = HDIR / "s.csv"\n', 'from pkg.chain import HDIR\nA = HDIR / "s.csv"\n',
                 id="the other module holds the whole path: rewritten there"),
    pytest.param('from pkg.chain import BASE\nA = BASE / "hd_results"\n', 'from pkg.chain import BASE\nA = BASE / "HD"\n',
                 id="imported through a further module"),
))
def test_an_imported_base_is_read_from_its_module(tmp_path: Path, use: str, expected: str) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/config.py": CONFIG, "pkg/use.py": use,
                     "pkg/chain.py": 'from pkg.config import OUT\nHDIR = OUT / "hd_results"\nBASE = OUT\n'})
    recs = _records(tmp_path, "pkg/use.py")
    assert not [r for r in recs if isinstance(r, Review)], recs
    assert splice(use.encode(), [r for r in recs if isinstance(r, Edit)]).decode() == expected


def test_an_import_root_from_pyproject_is_followed(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
                     "lib/pkg/__init__.py": "", "lib/pkg/config.py": CONFIG,
                     "scripts/use.py": 'from pkg.config import OUT\nA = OUT / "hd_results"\n'})
    recs = _records(tmp_path, "scripts/use.py")
    assert [(r.kind, r.new) for r in recs if isinstance(r, Edit)] == [("py-chain", b"HD")]


@pytest.mark.parametrize(("files", "kind", "says"), (
    pytest.param({"pkg/use.py": 'from pkg.config import DATA\np = DATA / "merge" / "parts"\n'}, "py-review",
                 "DATA in pkg/config.py:3: 'data' →", id="the imported base itself would change: suggested"),
    pytest.param({"pkg/use.py": 'from pkg.nowhere import OUT\np = OUT / "hd_results"\n'}, "py-unresolved", "`OUT`",
                 id="no such module in the repository"),
    pytest.param({"pkg/use.py": 'from pkg.twice import OUT\np = OUT / "hd_results"\n',
                  "pkg/twice.py": 'OUT = "outputs"\nOUT = "data"\n'}, "py-unresolved", "`OUT`",
                 id="a name the other module binds twice"),
    pytest.param({"pkg/use.py": 'from pkg.a import X\np = X / "hd_results"\n',
                  "pkg/a.py": "from pkg.b import Y\nX = Y\n", "pkg/b.py": "from pkg.a import X\nY = X\n"},
                 "py-unresolved", "`X`", id="an import cycle"),
    pytest.param({"pkg/use.py": 'from pkg.broken import OUT\np = OUT / "hd_results"\n',
                  "pkg/broken.py": "OUT = (\n"}, "py-unresolved", "`OUT`", id="a module that does not parse"),
))
def test_an_imported_base_that_cannot_be_followed_is_reported(tmp_path: Path, files: dict[str, str], kind: str,
                                                              says: str) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/config.py": CONFIG, **files})
    recs = _records(tmp_path, "pkg/use.py")
    reviews = [r for r in recs if isinstance(r, Review)]
    assert not [r for r in recs if isinstance(r, Edit)], recs
    assert [r.kind for r in reviews] == [kind] and says in reviews[0].message, reviews


def test_an_imported_base_under_another_parent_is_no_finding(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/config.py": CONFIG,
                     "pkg/use.py": 'from pkg.config import DATA\np = DATA / "hd_results"\n'})
    recs = _records(tmp_path, "pkg/use.py")
    assert [type(r).__name__ for r in recs] == ["Disposition"]


def test_no_module_is_read_unless_a_chain_uses_an_imported_name(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"pkg/__init__.py": "", "pkg/config.py": CONFIG,
                     "pkg/use.py": 'from pkg.config import OUT\nP = "outputs/hd_results"\nQ = Path("data") / "x"\n'
                                   'def f():\n    return OUT / "x"\n'})
    read: list[str] = []
    real = index._load
    monkeypatch.setattr(index, "_load", lambda rel, *a: read.append(rel) or real(rel, *a))
    index._MODULES.clear()
    recs = _records(tmp_path, "pkg/use.py")
    assert [r.new for r in recs if isinstance(r, Edit)] == [b"outputs/HD"]
    assert read == []
    (tmp_path / "pkg/use.py").write_text('from pkg.config import OUT\nA = OUT / "hd_results"\nB = OUT / "hd_results"\n')
    _records(tmp_path, "pkg/use.py")
    _records(tmp_path, "pkg/use.py")
    assert read == ["pkg/config.py"]  # once per process


# ---- the installed tool ----------------------------------------------------------------------
def test_an_imported_base_is_rewritten_end_to_end(git_repo) -> None:  # type: ignore[no-untyped-def]
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
        "outputs/hd_results/s.csv": "1\n",
        "pkg/__init__.py": "",
        "pkg/config.py": 'from pathlib import Path\nOUT = Path("outputs")\n',
        "pkg/use.py": 'import os\nfrom pkg.config import OUT\nfrom pkg import config\n'
                      'A = OUT / "hd_results" / "s.csv"\nB = os.path.join(config.OUT, "hd_results")\n',
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert plan["review"] == []
    run_pathmove(root, "apply", check_rc=0)
    assert (root / "pkg/use.py").read_text() == (
        'import os\nfrom pkg.config import OUT\nfrom pkg import config\n'
        'A = OUT / "HD" / "s.csv"\nB = os.path.join(config.OUT, "HD")\n')
    assert (root / "pkg/config.py").read_text() == 'from pathlib import Path\nOUT = Path("outputs")\n'
    assert "no stale references" in run_pathmove(root, "verify", check_rc=0).stdout
    run_pathmove(root, "check", "pkg/use.py", check_rc=0)


def test_an_unresolved_place_keeps_verify_and_check_failing(git_repo) -> None:  # type: ignore[no-untyped-def]
    src = 'import os\n\ndef load(root):\n    return os.path.join(root, "hd_results", "s.csv")\n'
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
        "outputs/hd_results/s.csv": "1\n",
        "m.py": src,
        "notes.txt": "see outputs/hd_results/s.csv\n",
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert [(r["path"], r["line"], r["kind"]) for r in plan["review"]] == [("m.py", 4, "py-unresolved")]
    apply = run_pathmove(root, "apply", check_rc=1)
    assert "py-unresolved" in apply.stdout
    assert (root / "m.py").read_text() == src
    assert (root / "notes.txt").read_text() == "see outputs/HD/s.csv\n"
    verify = run_pathmove(root, "verify", "--json", check_rc=1)
    assert [r["kind"] for r in json.loads(verify.stdout)["review"]] == ["py-unresolved"]
    assert "no stale references" not in run_pathmove(root, "verify", check_rc=1).stdout
    assert "py-unresolved" in run_pathmove(root, "check", "m.py", check_rc=1).stdout + \
        run_pathmove(root, "check", "m.py", "--json", check_rc=1).stdout
    (root / "m.py").write_text(src.replace('"hd_results"', '"HD"'))  # someone edits the place
    run_pathmove(root, "verify", check_rc=0)


# ---- property: every needle in a generated file gets one disposition -------------------------
# (form, the disposition its one needle gets); `root` and `ext` are unknown (parameters)
FORMS = [
    ('os.path.join("outputs", "hd_results", "s.csv")', "rewritten"),
    ('"outputs" + "/hd_results" + "/s.csv"', "rewritten"),
    ('"/".join(["outputs", "hd_results", "s.csv"])', "rewritten"),
    ('f"{OUT2}/hd_results/s.csv"', "rewritten"),
    ('Path("outputs") / "hd_results"', "rewritten"),
    ('os.path.join(OUT2, HD, "s.csv")', "rewritten"),
    ('"outputs/hd_results"', "rewritten"),
    ('os.path.join(root, "hd_results")', "review"),
    ('root + "/hd_results/s.csv"', "review"),
    ('f"{root}/hd_results"', "review"),
    ('"/".join([root, "hd_results"])', "review"),
    ('Path(root) / "hd_results" / ext', "review"),
    ('os.path.join("data", "hd_results")', "not-a-reference"),
    ('"data" + "/hd_results"', "not-a-reference"),
    ('"/".join(["data", "hd_results"])', "not-a-reference"),
    ('os.path.join(root, "data", "hd_results")', "not-a-reference"),
    ('"hd_results" + ext', "not-a-reference"),
    ('os.path.join(root, "hd_results_v2")', None),
    ('"outputs/hd_results_old"', None),
    ("len(root) + 1", None),
]
ONLY_HD = from_pairs([("outputs/hd_results", "outputs/HD")])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(range(len(FORMS))), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_every_needle_in_a_path_expression_gets_one_disposition(picks: list[int], nested: bool, pad: bool) -> None:
    uses_hd = any("HD," in FORMS[k][0] for k in picks)
    head = 'import os\nfrom pathlib import Path\nOUT2 = "outputs"\n' + ('HD = "hd_results"\n\n' if uses_hd else "\n")
    body = "".join(f"    x{i} = {FORMS[k][0]}\n" for i, k in enumerate(picks))
    filler = "".join(f"def helper_{i}(rows):\n    return [r for r in rows if r]\n\n\n" for i in range(12)) if pad else ""
    func = f"def f(root, ext):\n{body}    return 0\n"
    if nested:
        func = "class C:\n" + "".join("    " + line + "\n" for line in func.splitlines())
    data = (head + filler + func).encode()
    recs = list(python.find(Source("m.py", "m.py", data, "python"), ONLY_HD))
    assert not [r for r in recs if isinstance(r, Review) and r.kind not in ("py-unresolved",)], recs
    tally = census.account("m.py", data, recs, mapping=ONLY_HD, mode="plan", archived=False, kept_lines=[],
                           current_edits=[])
    want: dict[str, int] = {}
    for k in picks:
        state = FORMS[k][1]
        if state is not None:
            want[state] = want.get(state, 0) + 1
    if uses_hd:  # the one `HD = "hd_results"` the chains rewrite at its binding, whatever the uses
        want["rewritten"] = want.get("rewritten", 0) - sum(1 for k in picks if "HD," in FORMS[k][0]) + 1
    assert {s: n for s, n in tally.counts.items() if n} == {s: n for s, n in want.items() if n}, (data, recs)
    # the rewritten file parses, and holds nothing more to rewrite
    after = splice(data, [r for r in recs if isinstance(r, Edit)])
    ast.parse(after)
    again = list(python.find(Source("m.py", "m.py", after, "python"), ONLY_HD))
    assert not [r for r in again if isinstance(r, Edit)], again
    assert len([r for r in again if isinstance(r, Review)]) == len([r for r in recs if isinstance(r, Review)])
    assert not [r for r in recs if isinstance(r, Disposition) and r.state != "not-a-reference"]
