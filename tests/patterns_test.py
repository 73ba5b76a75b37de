"""SPEC §4.8: pattern lines select the same files after the moves (real git judges)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pathmove import patterns
from pathmove.mapping import parse as parse_mapping
from tests.conftest import git, run_pathmove, tree_bytes


@pytest.mark.parametrize(("pattern", "old", "new", "kind", "expected"), (
    pytest.param("outputs/*_results/", "outputs/hd_results", "outputs/HD", "gitignore", "outputs/HD/",
                 id="the issue's example"),
    ("/outputs/*_results/", "outputs/hd_results", "outputs/HD", "codeowners", "/outputs/HD/"),
    pytest.param("outputs/*_results/**/*.h5", "outputs/hd_results", "outputs/HD", "gitignore",
                 "outputs/HD/**/*.h5", id="the rest of the pattern is kept"),
    pytest.param("*_results/", "outputs/hd_results", "outputs/HD", "gitignore", "outputs/HD/",
                 id="unanchored: the new path, anchored"),
    pytest.param("*_raw", "raw", "data", "gitignore", "/data/", id="one component: anchored with /"),
    pytest.param("!*_results/", "outputs/hd_results", "outputs/HD", "gitignore", "!outputs/HD/",
                 id="a negation stays one"),
    pytest.param("outputs/*_results/**", "outputs/hd_results", "outputs/HD", "workflow", "outputs/HD/**",
                 id="Actions: full paths, no anchoring slash"),
    pytest.param("**/*_results/**", "outputs/hd_results", "outputs/HD", "workflow", "outputs/HD/**",
                 id="Actions: ** before the match: the folder's files"),
))
def test_added_pattern(pattern: str, old: str, new: str, kind: str, expected: str) -> None:
    assert patterns._added_pattern(pattern, old, new, "", "", kind) == expected


def test_added_pattern_for_a_moved_file() -> None:
    assert patterns._added_pattern("*.dat", "package_data.dat", "data/package_data.dat", "", "", "package-data",
                                   is_dir=False) == "data/package_data.dat"
    assert patterns._added_pattern("*_old", "a_old", "b", "", "", "gitignore", is_dir=False) == "/b"


def test_added_pattern_relative_to_a_nested_file() -> None:
    assert patterns._added_pattern("*_results/", "outputs/hd_results", "outputs/HD", "outputs", "outputs",
                                   "gitignore") == "/HD/"
    # the moved folder is not below the pattern file's folder: nothing this file can say
    assert patterns._added_pattern("*_results/", "other/hd_results", "other/HD", "outputs", "outputs",
                                   "gitignore") is None


@pytest.mark.parametrize(("kind", "path"), (
    ("gitignore", "a/b/.gitignore"), ("gitignore", ".git/info/exclude"), ("gitattributes", ".gitattributes"),
    ("codeowners", ".github/CODEOWNERS"), ("codeowners", "docs/CODEOWNERS"), ("workflow", ".github/workflows/ci.yml"),
))
def test_kind_of(kind: str, path: str) -> None:
    assert patterns.kind_of(path) == kind


@pytest.mark.parametrize("path", ("src/CODEOWNERS", "gitignore", "a/.gitignore.bak", ".github/ci.yml"))
def test_kind_of_noop(path: str) -> None:
    assert patterns.kind_of(path) is None


@pytest.mark.parametrize(("patterns_", "path", "selected"), (
    (["docs/**"], "docs/a/b.md", True),
    (["docs/*"], "docs/a/b.md", False),
    (["**.js"], "a/b/c.js", True),
    (["*.js"], "a/c.js", False),
    (["**/README.md"], "README.md", True),
    (["sub/**", "!sub/**.md"], "sub/x/a.md", False),
    (["sub/**", "!sub/**.md", "sub/keep.md"], "sub/keep.md", True),
    pytest.param(["*.jsx?"], "app.js", True, id="? makes the character before it optional"),
    (["*.jsx?"], "app.jsxx", False),
    (["v?1.txt"], "1.txt", True),
    (["v?1.txt"], "x1.txt", False),
))
def test_actions_filter_rules(patterns_: list[str], path: str, selected: bool) -> None:
    items = [patterns.Line("w.yml", 0, 0, p, "") for p in patterns_]
    assert patterns.actions_decide(items, path)[0] is selected


def test_judges_are_git_itself() -> None:
    files = {".gitignore": b"outputs/*_results/\n", "sub/.gitignore": b"*.csv\n!keep.csv\n",
             ".gitattributes": b"*.h5 filter=lfs diff=lfs merge=lfs -text\n"}
    v = patterns.judge_gitignore(files, ["outputs/hd_results/big.h5", "outputs/HD/big.h5",
                                         "sub/x/keep.csv", "sub/x/a.csv"])
    assert v["outputs/hd_results/big.h5"].outcome == ("ignored",)
    assert v["outputs/hd_results/big.h5"].line == patterns.Line(".gitignore", 0, 19, "outputs/*_results/", "")
    assert v["outputs/HD/big.h5"].outcome == ("kept",)
    assert v["sub/x/keep.csv"].outcome == ("kept",) and v["sub/x/keep.csv"].line is not None  # the negation
    assert v["sub/x/a.csv"].outcome == ("ignored",)
    a = patterns.judge_gitattributes(files, ["x/big.h5", "x/a.txt"])
    assert ("filter", "lfs") in a["x/big.h5"].outcome
    assert a["x/a.txt"].outcome == ()


MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n  - from: sub/data\n    to: sub/data2\n"

TREE: dict[str, bytes | str] = {
    "migrations.yaml": MAPPING,
    ".gitignore": "outputs/*_results/\n",
    "sub/.gitignore": "*.csv\r\n!keep.csv\r\n",  # nested, a negation, CRLF
    ".gitattributes": "*.h5 filter=lfs diff=lfs merge=lfs -text\noutputs/*_results/** linguist-generated\n",
    ".github/CODEOWNERS": "* @everyone\n/outputs/*_results/ @data-team\n",
    ".github/workflows/results.yml": (
        "name: results\n"
        "on:\n"
        "  push:\n"
        "    paths:\n"
        "      - 'outputs/*_results/**'\n"
        "      - '!**.md'\n"
        "  pull_request:\n"
        "    paths-ignore: [\"outputs/*_results/**\"]\n"  # flow style: no line to add after
        "jobs: {}\n"
    ),
    "outputs/note.txt": "n\n",
    "sub/data/keep.csv": "k\n",
}


def _repo(git_repo) -> Path:  # type: ignore[no-untyped-def]
    root: Path = git_repo(TREE)
    (root / "outputs/hd_results").mkdir(parents=True)
    (root / "outputs/hd_results/README.md").write_text("results\n")
    git(root, "add", "-f", "outputs/hd_results/README.md")
    git(root, "commit", "-qm", "tracked readme")
    (root / "outputs/hd_results/big.h5").write_bytes(b"\x89HDF" * 10)  # ignored data
    (root / "sub/data/a.csv").write_text("ignored\n")
    return root


def test_plan_apply_verify_undo_keep_every_selection(git_repo) -> None:  # type: ignore[no-untyped-def]
    root = _repo(git_repo)
    before = tree_bytes(root)
    assert "!! outputs/hd_results/big.h5" in git(root, "status", "--ignored", "--short")

    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    added = sorted((f["path"], f["kind"], f["new"]) for f in doc["findings"])
    assert added == [
        (".gitattributes", "pattern-line", "outputs/HD/** linguist-generated\n"),
        (".github/CODEOWNERS", "pattern-line", "/outputs/HD/ @data-team\n"),
        (".github/workflows/results.yml", "pattern-line", "      - 'outputs/HD/**'\n"),
        (".gitignore", "pattern-line", "outputs/HD/\n"),
    ]
    assert [(r["path"], r["line"]) for r in doc["review"]] == [(".github/workflows/results.yml", 8)] * 2
    assert tree_bytes(root) == before  # plan changes nothing

    out = run_pathmove(root, "apply", check_rc=1).stdout  # the flow-style filter is left for review
    assert "2 ignored files moved, still ignored" in out
    assert (root / ".gitignore").read_bytes() == b"outputs/*_results/\noutputs/HD/\n"
    assert (root / "sub/.gitignore").read_bytes() == b"*.csv\r\n!keep.csv\r\n"  # unchanged: still selects the same
    ignored = git(root, "status", "--ignored", "--short")
    assert "!! outputs/HD/big.h5" in ignored and "!! sub/data2/a.csv" in ignored
    assert "big.h5" not in git(root, "status", "--short")  # `git add -A` would not pick it up
    assert git(root, "check-ignore", "-v", "outputs/HD/big.h5").startswith(".gitignore:2:outputs/HD/")
    assert git(root, "check-ignore", "sub/data2/keep.csv", "sub/data2/a.csv").split() == ["sub/data2/a.csv"]
    attrs = git(root, "check-attr", "-a", "outputs/HD/big.h5", "outputs/HD/README.md")
    assert "outputs/HD/big.h5: filter: lfs" in attrs and "outputs/HD/README.md: linguist-generated: set" in attrs
    assert b"      - 'outputs/*_results/**'\n      - 'outputs/HD/**'\n      - '!**.md'\n" in \
        (root / ".github/workflows/results.yml").read_bytes()
    review = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)["review"]
    assert [(r["path"], r["line"], r["kind"]) for r in review] == [(".github/workflows/results.yml", 9, "pattern-review")] * 2  # one line added above
    after = tree_bytes(root)

    # the added line removed by hand: verify proves the selection changed, and says what to add
    (root / ".gitignore").write_bytes(b"outputs/*_results/\n")
    review = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)["review"]
    assert any(r["path"] == ".gitignore" and "'outputs/HD/'" in r["message"] for r in review), review
    (root / ".gitignore").write_bytes(after[".gitignore"][1])

    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before


def test_a_new_name_an_ignore_rule_catches_gets_a_negation(git_repo) -> None:  # type: ignore[no-untyped-def]
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: data/raw\n    to: data/raw_old\n",
        ".gitignore": "*_old/",  # no final newline
        "data/raw/a.csv": "a\n",
    })
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert [(f["path"], f["new"]) for f in doc["findings"]] == [(".gitignore", "\n!/data/raw_old/\n")]
    run_pathmove(root, "apply", check_rc=0)
    (root / "data/raw_old/b.csv").write_text("new\n")
    assert "?? data/raw_old/b.csv" in git(root, "status", "--short", "--untracked-files=all")


def test_a_selection_no_line_can_restore_is_a_review(git_repo) -> None:  # type: ignore[no-untyped-def]
    # git cannot re-include a file whose parent folder is excluded: no added line helps
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: data/raw\n    to: build/raw\n",
        ".gitignore": "build/\n",
        "data/raw/a.csv": "a\n",
    })
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    reviews = [f for f in doc["review"] if f["kind"] == "pattern-review"]
    assert reviews and "'build/raw/a.csv'" in reviews[0]["message"], doc["review"]
    assert doc["findings"] == []  # a negation was tried and proved useless: not proposed


@pytest.mark.parametrize(("src", "expected"), (
    (b'[tool.setuptools.package-data]\nmypkg = ["data/*.csv", "*.txt"]\n',
     [("mypkg", "package-data", "data/*.csv", '"'), ("mypkg", "package-data", "*.txt", '"')]),
    (b"[tool.setuptools.exclude-package-data]\n'mypkg' = [\n  'data/*.tmp',\n]\n",
     [("mypkg", "exclude-package-data", "data/*.tmp", "'")]),
    pytest.param(b'[tool.setuptools]\npackage-data = { "sample" = ["*.dat"] }\n',
                 [("sample", "package-data", "*.dat", '"')], id="inline table under [tool.setuptools]"),
))
def test_package_globs_pyproject(src: bytes, expected: list[tuple[str, str, str, str]]) -> None:
    found = patterns.package_globs("pyproject.toml", src)
    assert [(g.package, g.key, g.pattern, g.quote) for g in found] == expected
    assert all(src[:g.end].endswith(f"{g.quote}{g.pattern}{g.quote}".encode()) for g in found)


def test_package_globs_setup_cfg() -> None:
    src = b"[metadata]\nname = x\n[options.package_data]\nmypkg = data/*.csv, *.txt\n"
    assert [(g.package, g.pattern, src[:g.end][-len(g.pattern):]) for g in patterns.package_globs("setup.cfg", src)] \
        == [("mypkg", "data/*.csv", b"data/*.csv"), ("mypkg", "*.txt", b"*.txt")]


@pytest.mark.parametrize(("glob", "rel", "selected"), (
    ("data/*.csv", "data/a.csv", True),
    ("data/*.csv", "data/x/a.csv", False),
    pytest.param("data/**/*.csv", "data/a.csv", True, id="** is zero or more folders"),
    ("data/**/*.csv", "data/x/y/a.csv", True),
    pytest.param("data/*", "data/.hidden", False, id="glob skips hidden names"),
    ("*.[ct]sv", "a.tsv", True),
))
def test_setuptools_glob_rules(glob: str, rel: str, selected: bool) -> None:
    assert bool(patterns._glob_regex(glob).fullmatch(rel)) is selected


def test_package_data_follows_a_moved_folder_into_the_wheel(git_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess
    import sys
    import zipfile

    root = git_repo({
        "migrations.yaml": "moves:\n  - from: src/mypkg/data\n    to: src/mypkg/tables\n",
        "pyproject.toml": (
            '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "mypkg"\nversion = "1.0"\n\n'
            '[tool.setuptools.package-data]\nmypkg = ["data/*.csv", "data/sub/*.json"]\n'
        ),
        "src/mypkg/__init__.py": "",
        "src/mypkg/data/a.csv": "a\n",
        "src/mypkg/data/sub/b.json": "{}\n",
        "src/mypkg/data/skip.txt": "not package data\n",
    })
    run_pathmove(root, "apply", check_rc=0)
    assert (root / "pyproject.toml").read_text().endswith(
        'mypkg = ["data/*.csv", "tables/*.csv", "data/sub/*.json", "tables/sub/*.json"]\n')
    run_pathmove(root, "verify", check_rc=0)
    build = tmp_path / "build"
    shutil.copytree(root, build, ignore=shutil.ignore_patterns(".git"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(build)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("mypkg-*.whl")
    names = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("mypkg/")}
    assert names == {"mypkg/__init__.py", "mypkg/tables/a.csv", "mypkg/tables/sub/b.json"}


def test_dockerignore_and_manifest_in(git_repo) -> None:  # type: ignore[no-untyped-def]
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n  - from: data1\n    to: tables\n",
        ".dockerignore": "outputs/*_results/\n!outputs/*_results/keep.txt\n",
        "MANIFEST.in": "include data*/*.csv\nglobal-exclude *.pyc\n",
        "outputs/hd_results/a.h5": "a\n",
        "outputs/hd_results/keep.txt": "k\n",
        "data1/a.csv": "a\n",
    })
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert sorted((f["path"], f["new"]) for f in doc["findings"]) == [
        (".dockerignore", "!outputs/HD/keep.txt\n"),
        (".dockerignore", "outputs/HD/\n"),
        ("MANIFEST.in", "include tables/*.csv\n"),
    ]
    run_pathmove(root, "apply", check_rc=0)
    run_pathmove(root, "verify", check_rc=0)
    assert (root / ".dockerignore").read_bytes() == \
        b"outputs/*_results/\noutputs/HD/\n!outputs/*_results/keep.txt\n!outputs/HD/keep.txt\n"


# ---------------------------------------------------------------- the prefilter (fast)

SCOPE = patterns.scope_of(parse_mapping(MAPPING), {"outputs/hd_results/big.h5": "outputs/HD/big.h5",
                                                   "sub/data/keep.csv": "sub/data2/keep.csv"})


@pytest.mark.parametrize(("pattern", "base"), (
    ("/pkg17/build/", ""),
    ("outputs/cache/", ""),  # a sibling of the moved folder
    ("pkg03/**/cache_7/", ""),
    ("*.tmp", ""),  # unanchored, but no moved name ends so
    ("!pkg01/keep_4.txt", ""),
    ("data/", "other"),  # a file in a folder the moves do not touch
    ("[abc]x", ""),
))
def test_prefilter_noop(pattern: str, base: str) -> None:
    assert not patterns.can_match(pattern, base, SCOPE)


@pytest.mark.parametrize(("pattern", "base"), (
    ("outputs/*_results/", ""),  # the moved folder itself
    ("outputs/", ""),  # an unanchored folder name above it
    ("/outputs", ""),
    ("outputs/hd_results/**/*.h5", ""),
    ("outputs/HD/", ""),  # the new path
    ("*.h5", ""),  # unanchored: a moved file's name
    ("big.?5", ""),
    ("**/hd_results", ""),
    ("!keep.csv", "sub"),  # nested .gitignore above a moved folder
    ("*", "sub/data/deeper"),  # a pattern file inside a moved folder: every line counts
    ("outputs/h[a-e]_results", ""),
))
def test_prefilter_keeps(pattern: str, base: str) -> None:
    assert patterns.can_match(pattern, base, SCOPE)


def test_prefilter_drops_lines_and_files_keeping_offsets() -> None:
    many = "".join(f"/pkg{k % 50:02d}/build_{k}/\n*.tmp{k}\n" for k in range(250)).encode()
    owners = ("* @everyone\n" + "".join(f"/pkg{k % 50:02d}/sub{k}/ @team-{k}\n" for k in range(299))).encode()
    assert patterns.relevant_only("gitignore", {"a/.gitignore": many, ".gitignore": many}, SCOPE) == {}
    kept = patterns.relevant_only("codeowners", {".github/CODEOWNERS": owners}, SCOPE)[".github/CODEOWNERS"]
    assert len(kept) == len(owners) and kept.startswith(b"* @everyone\n#")  # only `*` can match a moved path
    assert [ln.pattern for ln in patterns.lines_of(".github/CODEOWNERS", kept, "codeowners")] == ["*"]
    mixed = b"/pkg01/x/\r\noutputs/*_results/\r\n"
    out = patterns.relevant_only("gitignore", {".gitignore": mixed}, SCOPE)[".gitignore"]
    assert out == b"#        \r\noutputs/*_results/\r\n"
    v = patterns.judge_gitignore({".gitignore": out}, ["outputs/hd_results/big.h5"])
    assert v["outputs/hd_results/big.h5"].line == patterns.Line(".gitignore", 11, 31, "outputs/*_results/", "")


# ---------------------------------------------------------------- without a journal: a fresh clone, the hook

def test_fresh_clone_verify_and_check_report_a_pattern_a_hand_move_broke(git_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = git_repo({
        ".gitignore": "outputs/*_results/\n/pkg01/build/\n*.pyc\n",
        ".github/CODEOWNERS": "/outputs/*_results/ @data-team\n/docs/ @writers\n",
        "outputs/hd_results/README.md": "results\n",
        "outputs/other/a.txt": "a\n",
    })
    git(root, "add", "-f", "outputs/hd_results/README.md")
    git(root, "commit", "-qm", "readme")
    git(root, "mv", "outputs/hd_results", "outputs/HD")  # moved by hand, in an earlier commit
    (root / "migrations.yaml").write_text("moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "move by hand")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)

    review = json.loads(run_pathmove(clone, "verify", "--json", check_rc=1).stdout)["review"]
    assert sorted((r["path"], r["line"], r["kind"]) for r in review) == [
        (".github/CODEOWNERS", 1, "pattern-review"), (".gitignore", 1, "pattern-review")]
    assert any("'outputs/HD/'" in r["message"] for r in review if r["path"] == ".gitignore"), review
    assert any("'/outputs/HD/ @data-team'" in r["message"] for r in review), review
    # the hook: a staged pattern file is judged; other files are not slowed down by it
    hook = run_pathmove(clone, "check", ".gitignore", "outputs/HD/README.md", check_rc=1).stdout
    assert ".gitignore:1:1" in hook and "outputs/HD/" in hook and "CODEOWNERS" not in hook
    run_pathmove(clone, "check", "outputs/HD/README.md", check_rc=0)

    # the lines added: clean; a line about other paths never is a finding
    (clone / ".gitignore").write_text("outputs/*_results/\noutputs/HD/\n/pkg01/build/\n*.pyc\n")
    (clone / ".github/CODEOWNERS").write_text("/outputs/*_results/ @data-team\n/outputs/HD/ @data-team\n/docs/ @writers\n")
    run_pathmove(clone, "verify", check_rc=0)
    run_pathmove(clone, "check", ".gitignore", ".github/CODEOWNERS", check_rc=0)
    # the ignored folder's data is gone from the clone: the probe still finds the lost rule
    (clone / ".gitignore").write_text("outputs/*_results/\n")
    git(clone, "rm", "-rq", "outputs/HD")
    assert json.loads(run_pathmove(clone, "verify", "--json", check_rc=1).stdout)["review"][0]["path"] == ".gitignore"


# ---------------------------------------------------------------- pytest's testpaths, --ignore, norecursedirs

def _collected(root: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q"], cwd=root / "tests",
                          capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return sorted(line for line in proc.stdout.splitlines() if "::" in line)


def test_pytest_keeps_collecting_the_moved_tests(git_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    test = "def test_x():\n    pass\n"
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: tests/unit\n    to: tests/unit_tests\n"
                           "  - from: tests/unit_tests_tmp/misc\n    to: tests/unit_tests_tmp/misc_old\n",
        # relative to the config's folder (the text rule cannot read them as the old path), CRLF
        "tests/pytest.ini": "[pytest]\r\ntestpaths = unit unit_tests_tmp\r\naddopts = --ignore=unit/slow "
                            "-p no:cacheprovider\r\nnorecursedirs = *_old .*\r\n",
        "tests/unit/test_a.py": test, "tests/unit/slow/test_s.py": test,
        "tests/unit_tests_tmp/misc/test_m.py": test,
    })
    before = _collected(root)
    assert before == ["unit/test_a.py::test_x", "unit_tests_tmp/misc/test_m.py::test_x"]
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert sorted((f["old"], f["new"]) for f in doc["findings"]) == [("unit", "unit_tests"), ("unit/slow", "unit_tests/slow")]
    # norecursedirs would skip the moved folder: no entry can keep it, a person decides
    assert [(r["path"], r["line"], r["kind"]) for r in doc["review"]] == [("tests/pytest.ini", 4, "pattern-review")]
    assert "'*_old'" in doc["review"][0]["message"]
    run_pathmove(root, "apply", check_rc=1)
    assert (root / "tests/pytest.ini").read_bytes() == (
        b"[pytest]\r\ntestpaths = unit_tests unit_tests_tmp\r\naddopts = --ignore=unit_tests/slow "
        b"-p no:cacheprovider\r\nnorecursedirs = *_old .*\r\n")
    assert _collected(root) == ["unit_tests/test_a.py::test_x"]  # the same, but the one left for review
    review = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)["review"]
    assert [(r["path"], r["line"]) for r in review] == [("tests/pytest.ini", 4)], review
    # the reviewed line fixed by hand: clean with the journal and in a fresh clone alike
    (root / "tests/pytest.ini").write_bytes((root / "tests/pytest.ini").read_bytes().replace(b"*_old ", b""))
    assert _collected(root) == ["unit_tests/test_a.py::test_x", "unit_tests_tmp/misc_old/test_m.py::test_x"]
    run_pathmove(root, "verify", check_rc=0)
    git(root, "commit", "-qam", "migrated")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    run_pathmove(clone, "verify", check_rc=0)


def _entries(**kw: list[str]) -> list[patterns.PyTestEntry]:
    return [patterns.PyTestEntry("pytest.ini", k.replace("_", "-"), v, -1, -1) for k, vs in kw.items() for v in vs]


@pytest.mark.parametrize(("entries", "path", "selected"), (
    pytest.param(_entries(), "tests/unit/test_a.py", True, id="no config: everything"),
    pytest.param(_entries(testpaths=["tests/unit"]), "tests/other/test_a.py", False, id="outside testpaths"),
    pytest.param(_entries(testpaths=["tests/*_suite"]), "tests/fast_suite/x/test_a.py", True, id="testpaths glob"),
    pytest.param(_entries(testpaths=["./tests/"]), "tests/test_a.py", True, id="./ and / spelled"),
    pytest.param(_entries(ignore=["tests/slow"]), "tests/slow/test_a.py", False, id="--ignore"),
    pytest.param(_entries(ignore_glob=["*_legacy/*"]), "tests/x_legacy/sub/test_a.py", False, id="--ignore-glob crosses /"),
    pytest.param(_entries(norecursedirs=["*_old"]), "tests/misc_old/test_a.py", False, id="norecursedirs"),
    pytest.param(_entries(testpaths=["misc_old"], norecursedirs=["*_old"]), "misc_old/test_a.py", True,
                 id="a testpath itself is not recursed into: norecursedirs spares it"),
    pytest.param(_entries(), "build/test_a.py", False, id="pytest's default norecursedirs"),
))
def test_pytest_selects(entries: list[patterns.PyTestEntry], path: str, selected: bool) -> None:
    assert patterns.pytest_selects(entries, "", path) is selected


def test_pytest_entries_are_placed_in_the_bytes() -> None:
    data = b'[tool.pytest.ini_options]\ntestpaths = ["tests/unit", "docs"]\naddopts = "--ignore=tests/unit/slow -q"\n'
    got = [(e.key, e.value, data[e.start:e.end]) for e in patterns.pytest_entries("pyproject.toml", data)]
    assert got == [("testpaths", "tests/unit", b"tests/unit"), ("testpaths", "docs", b"docs"),
                   ("ignore", "tests/unit/slow", b"tests/unit/slow")]
    assert patterns.pytest_selects(patterns.pytest_entries("sub/tox.ini", b"[pytest]\ntestpaths = t\n"), "sub",
                                   "other/test_a.py") is None  # not this config's folder
