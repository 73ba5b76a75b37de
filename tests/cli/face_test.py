"""The conventions a user brings from git, black, ruff and pre-commit: width, pager, -q, colour,
completion, the JSON Schema, "did you mean", hints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.cli.output_test import _run_in_terminal
from tests.conftest import git, json_schema, run_pathmove

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")
LONG = "outputs/" + "/".join(f"level{i:02d}_with_a_rather_long_folder_name" for i in range(6))  # > 200 characters


def _repo(git_repo) -> Path:
    words = "the quick brown fox jumps over the lazy dog while reading outputs/hd_results/a.csv again".split()
    return git_repo({
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
                           f"  - from: {LONG}\n    to: outputs/short\n",
        "outputs/hd_results/a.csv": "x\n",
        f"{LONG}/b.csv": "y\n",
        "notes.md": "".join(f"{' '.join(words[i:] + words[:i])} [link](outputs/hd_results/a.csv)\n" for i in range(8)),
        "run.sh": f"cat {LONG}/b.csv outputs/hd_results/a.csv\n",
    })


@pytest.mark.parametrize("width", [80, 200])
def test_a_terminal_wraps_at_its_width_between_words(git_repo, width: int) -> None:
    root = _repo(git_repo)
    piped = run_pathmove(root, "plan", check_rc=0).stdout
    tokens = set(piped.split())
    assert LONG + "/" in tokens  # outside a terminal the long path is printed in full, never cut
    rc, out, _ = _run_in_terminal(root, "--no-pager", "plan", size=(200, width))
    assert rc == 0
    lines = ANSI.sub("", out).replace("\r\n", "\n").splitlines()
    assert max(len(line) for line in lines) <= width
    assert "References by mapping entry" in out and "outputs/hd_results → outputs/HD" in ANSI.sub("", out)
    broken = [t for t in " ".join(lines).split() if t not in tokens and not LONG.startswith(t.rstrip("/"))
              and not any(t in tok for tok in tokens if len(tok) > width - 10)]
    assert broken == []  # no word was cut in two ("md-li" / "nk")


def test_a_long_listing_is_paged_like_git_and_no_pager_prints_it(git_repo, tmp_path: Path) -> None:
    root = _repo(git_repo)
    pager = tmp_path / "pager.sh"
    pager.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {tmp_path}/env.txt\ncat > {tmp_path}/paged.txt\n')
    pager.chmod(0o755)
    rc, out, _ = _run_in_terminal(root, "plan", "--all", env={"PAGER": str(pager)}, size=(10, 120))
    assert rc == 0 and "References by mapping entry" not in out
    assert "References by mapping entry" in (tmp_path / "paged.txt").read_text()
    assert (tmp_path / "env.txt").read_text() == "LESS=FRX\n"
    (tmp_path / "paged.txt").unlink()
    rc, out, _ = _run_in_terminal(root, "--no-pager", "plan", env={"PAGER": str(pager)}, size=(10, 120))
    assert rc == 0 and "References by mapping entry" in out and not (tmp_path / "paged.txt").exists()
    rc, out, err = _run_in_terminal(root, "plan", env={"PAGER": str(pager)}, size=(200, 120))  # fits: no pager
    assert not (tmp_path / "paged.txt").exists(), (tmp_path / "paged.txt").read_text().count("\n")
    assert rc == 0 and "References by mapping entry" in out, (out, err)


def test_plan_all_lists_every_finding_and_summarises_by_entry(git_repo) -> None:
    root = _repo(git_repo)
    short = run_pathmove(root, "plan", check_rc=0).stdout
    assert re.search(r"outputs/hd_results → outputs/HD\s+17\s+2\s+md-text 8, md-link 8, text 1", short), short
    out = run_pathmove(root, "plan", "--all", check_rc=0).stdout
    assert out.count("[link](") == 0 and "notes.md" in out and "… and" not in out


def test_quiet_verbose_and_colour_options(git_repo) -> None:
    root = _repo(git_repo)
    quiet = run_pathmove(root, "-q", "plan", check_rc=0).stdout
    assert "References by mapping entry" not in quiet and "Moves" not in quiet and "notes.md" in quiet
    assert "\x1b[" in run_pathmove(root, "--color", "plan", check_rc=0).stdout
    assert "\x1b[" not in run_pathmove(root, "--no-color", "plan", check_rc=0, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in run_pathmove(root, "plan", check_rc=0, env={"FORCE_COLOR": "1"}).stdout
    patch = run_pathmove(root, "--color", "plan", "--diff", check_rc=0).stdout
    assert "\x1b[31m-" in patch and "\x1b[32m+" in patch
    verbose = run_pathmove(root, "-v", "plan", check_rc=0)
    assert "prefilter:" in verbose.stderr
    run_pathmove(root, "apply", check_rc=0)
    assert run_pathmove(root, "-q", "check", "notes.md", check_rc=0).stdout == ""


def test_shell_completion_is_typers(git_repo) -> None:
    root = _repo(git_repo)
    # typer detects the shell from the parent processes (shellingham), which fails without a
    # login shell above the test run; with detection off, `--show-completion` takes the shell
    proc = run_pathmove(root, "--show-completion", "bash", check_rc=0,
                        env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert "_PATHMOVE_COMPLETE" in proc.stdout and "complete" in proc.stdout


def test_json_schema_is_shipped_and_rejects_what_it_should(git_repo) -> None:
    root = _repo(git_repo)
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)  # validated by run_pathmove
    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid(doc)
    assert [e["entry"] for e in doc["summary"]["by_entry"]] == ["outputs/hd_results → outputs/HD",
                                                               f"{LONG} → outputs/short"]
    for broken in ({**doc, "version": 2}, {**doc, "findings": [{"path": "x"}]},
                   {k: v for k, v in doc.items() if k != "summary"}):
        assert not validator.is_valid(broken)


@pytest.mark.parametrize(("mapping", "expected"), [
    ("moves:\n  - form: outputs/hd_results\n    to: outputs/HD\n", "unknown key 'form' at line 2 (did you mean `from:`?)"),
    ("mvoes:\n  - from: outputs/hd_results\n    to: outputs/HD\n", "did you mean `moves:`?"),
    ("moves:\n  - from: outputs/hd_result\n    to: outputs/HD\n", "did you mean 'outputs/hd_results'?"),
])
def test_did_you_mean(git_repo, mapping: str, expected: str) -> None:
    root = git_repo({"migrations.yaml": mapping, "outputs/hd_results/a.csv": "x\n"})
    proc = run_pathmove(root, "plan", check_rc=2)
    assert expected in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("error:") == 1


def test_a_one_word_from_hints_at_the_keep_marker(git_repo) -> None:
    root = git_repo({"migrations.yaml": "moves:\n  - from: utils\n    to: helpers\n",
                     "utils/a.py": "x = 1\n", "run.sh": "python -m utils.a  # utils\n"})
    assert "pathmove: keep" in run_pathmove(root, "plan", check_rc=0).stdout
    assert "pathmove: keep" in run_pathmove(root, "check", "run.sh", check_rc=1).stdout


def test_infer_with_nothing_uncommitted_suggests_the_last_commit(git_repo) -> None:
    root = git_repo({"old/a.txt": "some content that git can pair\n" * 4})
    git(root, "mv", "old", "new")
    git(root, "commit", "-q", "-m", "move")
    proc = run_pathmove(root, "infer", check_rc=1)
    assert "pathmove infer HEAD~1" in proc.stderr
    assert "from: old" in run_pathmove(root, "infer", "HEAD~1", check_rc=0).stdout


def test_all_lists_what_the_default_cuts_in_plan_verify_and_check(git_repo) -> None:
    files = {f"d/f{i:02d}.txt": f"cat outputs/hd_results/a.csv\ncat outputs/hd_results/b{i}.csv\n" for i in range(40)}
    root = git_repo({"migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
                     "outputs/hd_results/a.csv": "x\n", **files})
    for args, rc in ((["plan"], 0), (["verify"], 1), (["check", *files], 1)):
        cut = run_pathmove(root, *args, check_rc=rc).stdout
        full = run_pathmove(root, *args, "--all", check_rc=rc).stdout
        assert "… and " in cut and "(--all lists them)" in cut, args
        assert "… and " not in full and all(name in full for name in files), args


def test_the_progress_bar_shows_its_total_from_the_start(git_repo) -> None:
    files = {f"d/f{i:03d}.txt": "cat outputs/hd_results/a.csv\n" for i in range(300)}
    root = git_repo({"migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
                     "outputs/hd_results/a.csv": "x\n", **files})
    rc, _, err = _run_in_terminal(root, "plan", stdout_tty=False)
    assert rc == 0 and "━" in err and "scanning" in err
    counts = re.findall(r"(\d+)/(\S+)", ANSI.sub("", err))
    assert counts and counts[0][1].isdigit() and len({total for _, total in counts}) == 1, counts  # never "0/?"


def test_a_path_that_fits_a_line_is_never_folded_at_80_columns(git_repo) -> None:
    """Moves and the summary by entry give a path its own line before folding it mid-name."""
    old, new = "src/packaging/_manylinux.py", "src/packaging/_platforms/_manylinux.py"
    root = git_repo({
        "migrations.yaml": f"moves:\n  - from: {old}\n    to: {new}\n"
                           "  - from: src/packaging/_musllinux.py\n    to: src/packaging/_platforms/_musllinux.py\n",
        old: "X = 1\n",
        "src/packaging/_musllinux.py": "Y = 1\n",
        "src/packaging/__init__.py": "",
        "docs/notes.md": f"see {old} and src/packaging/_musllinux.py, read by the text rule\n",
        "src/packaging/tags.py": "from . import _manylinux, _musllinux\n",
    })
    rc, out, _ = _run_in_terminal(root, "--no-pager", "plan", size=(200, 80))
    assert rc == 0
    lines = [line.rstrip() for line in ANSI.sub("", out).replace("\r\n", "\n").splitlines()]
    assert max(len(line) for line in lines) <= 80
    moves = lines[lines.index("Moves"):lines.index("Plan")]
    assert any(line.endswith(f"→ {new}") for line in moves), moves
    by_entry = lines[lines.index("References by mapping entry"):]
    assert any(line == new or line.startswith(new + " ") for line in by_entry), by_entry
