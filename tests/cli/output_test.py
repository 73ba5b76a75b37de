"""Human output as a person meets it (SPEC §3): in a terminal, through a pipe, on a big plan."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from pathmove import cli, report
from tests.conftest import run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9](;[0-9]+)*m")  # a foreground colour escape
BAR = "━"  # rich's progress bar


def _small_repo(git_repo) -> Path:
    return git_repo({
        "migrations.yaml": MAPPING,
        "outputs/hd_results/a.csv": "x\n",
        "run.sh": "cat outputs/hd_results/a.csv outputs/hd_results_v2/b.csv\n",
        "notes.md": "Results: outputs/hd_results/a.csv\n",
    })


def _pty(size: tuple[int, int] = (40, 120)) -> tuple[int, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    return master, slave


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as exc:  # EIO: the other side closed (Linux)
            if exc.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _run_in_terminal(root: Path, *args: str, stdout_tty: bool = True,
                     env: dict[str, str] | None = None, size: tuple[int, int] = (40, 120)) -> tuple[int, str, str]:
    """Run pathmove with stderr (and stdout unless told) on a pseudo terminal."""
    exe = shutil.which("pathmove")
    assert exe
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[1]), "LINES": str(size[0]), **(env or {})}
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CI"):
        env.pop(var, None)
    err_master, err_slave = _pty(size)
    if stdout_tty:
        out_master, out_slave = _pty(size)
        proc = subprocess.Popen([exe, *args], cwd=root, env=env, stdin=subprocess.DEVNULL,
                                stdout=out_slave, stderr=err_slave)
        os.close(out_slave)
        os.close(err_slave)
        # read both sides before waiting, so a full pty buffer cannot block the child
        out = _drain(out_master)
        err = _drain(err_master)
    else:
        proc = subprocess.Popen([exe, *args], cwd=root, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err_slave)
        os.close(err_slave)
        out = proc.stdout.read() if proc.stdout else b""
        err = _drain(err_master)
    rc = proc.wait(timeout=120)
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def test_terminal_gets_colour_and_a_progress_bar_on_stderr(git_repo) -> None:
    root = _small_repo(git_repo)
    rc, out, err = _run_in_terminal(root, "plan")
    assert rc == 0
    assert SGR_COLOUR.search(out), out
    assert "scanning" in err and BAR in err, err
    assert BAR not in out  # the bar never mixes into the result


def test_piped_stdout_has_no_colour_while_the_terminal_stderr_still_shows_progress(git_repo) -> None:
    root = _small_repo(git_repo)
    rc, out, err = _run_in_terminal(root, "verify", stdout_tty=False)
    assert rc == 1
    assert "\x1b" not in out and "run.sh" in out
    assert "verifying" in err and BAR in err


def test_no_color_turns_colour_off_in_a_terminal(git_repo) -> None:
    root = _small_repo(git_repo)
    rc, out, _ = _run_in_terminal(root, "plan", env={"NO_COLOR": "1"})
    assert rc == 0
    assert "outputs/hd_results" in out and not SGR_COLOUR.search(out), out


def test_pipes_get_only_the_result(git_repo) -> None:
    root = _small_repo(git_repo)
    for args, rc in ((["plan"], 0), (["plan", "--diff"], 0), (["verify"], 1), (["check", "run.sh"], 1)):
        proc = run_pathmove(root, *args, check_rc=rc)
        assert "\x1b" not in proc.stdout + proc.stderr, args
        assert "━" not in proc.stderr, args  # no bar
        if args == ["plan", "--diff"]:  # the patch alone on stdout, its summary on stderr
            assert proc.stdout.startswith("diff --git ") and "references" in proc.stderr
        else:
            assert proc.stderr == "", (args, proc.stderr)  # no noise
        assert "run.sh" in proc.stdout


def test_plan_diff_is_coloured_like_git_in_a_terminal(git_repo) -> None:
    root = _small_repo(git_repo)
    rc, out, _ = _run_in_terminal(root, "--no-pager", "plan", "--diff")
    assert rc == 0
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out)
    assert "--- a/run.sh\r\n+++ b/run.sh" in plain
    assert "-cat outputs/hd_results/a.csv outputs/hd_results_v2/b.csv" in plain
    assert "+cat outputs/HD/a.csv outputs/hd_results_v2/b.csv" in plain
    assert "\x1b[31m-cat outputs/hd_results/a.csv" in out and "\x1b[32m+cat outputs/HD/a.csv" in out


def _big_repo(git_repo, files: int, per_file: int) -> Path:
    """files × per_file references, alternating two moves, so rows cannot merge into one."""
    tree: dict[str, bytes | str] = {
        "migrations.yaml": MAPPING + "  - from: outputs/rm_ideal_benchmark\n    to: outputs/rm_ideal/cross_section\n",
        "outputs/hd_results/a.csv": "x\n",
        "outputs/rm_ideal_benchmark/b.csv": "y\n",
    }
    for i in range(files):
        tree[f"data/f{i:04d}.txt"] = "".join(
            f"{'outputs/hd_results' if j % 2 else 'outputs/rm_ideal_benchmark'}/{i}_{j}.csv\n" for j in range(per_file))
    return git_repo(tree)


def _finding_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"  \d+:\d+", line)]


@pytest.mark.parametrize("command", ["plan", "verify"])
def test_five_thousand_findings_are_cut_after_the_limit(git_repo, command: str) -> None:
    root = _big_repo(git_repo, files=500, per_file=10)
    proc = run_pathmove(root, command, check_rc=0 if command == "plan" else 1)
    lines = proc.stdout.splitlines()
    listed = [i for i, line in enumerate(lines) if line.startswith("data/") or re.match(r"  \d+:\d+", line)]
    assert 0 < len(listed) <= report.LIMIT
    more = [line for line in lines if line.startswith("… and ")]
    assert len(more) == 1 and more[0].endswith("(--all lists them)")
    hidden = int(re.match(r"… and ([\d,]+) more", more[0]).group(1).replace(",", ""))
    shown = sum(len(re.findall(r"\b\d+:\d+\b", row)) + sum(int(n) for n in re.findall(r" \+(\d+)\b", row))
                for row in _finding_rows(proc.stdout))
    assert shown + hidden == 5000
    assert len(lines) <= report.LIMIT + 25  # tables and footers around the cut list
    doc = json.loads(run_pathmove(root, command, "--json").stdout)
    assert len(doc["findings"]) == 5000


def test_check_lists_each_place_and_cuts_after_the_limit(git_repo) -> None:
    root = _big_repo(git_repo, files=2, per_file=100)
    proc = run_pathmove(root, "check", "data/f0000.txt", "data/f0001.txt", check_rc=1)
    places = [line for line in proc.stdout.splitlines() if re.match(r"data/f000[01]\.txt:\d+:1: ", line)]
    assert len(places) == report.LIMIT
    assert places[0] == "data/f0000.txt:1:1: outputs/rm_ideal_benchmark → outputs/rm_ideal/cross_section  text"
    assert f"… and {200 - report.LIMIT} more (--all lists them)" in proc.stdout
    assert "pathmove check --fix data/f0000.txt data/f0001.txt" in proc.stdout


def test_check_fix_rewrites_and_says_what_to_stage(git_repo) -> None:
    root = _small_repo(git_repo)
    proc = run_pathmove(root, "check", "--fix", "run.sh", "notes.md", "outputs/hd_results/a.csv", check_rc=0)
    assert "run.sh:1:5: outputs/hd_results → outputs/HD" in proc.stdout
    assert "✓ rewrote 2 references to retired paths in 2 files" in proc.stdout
    assert (root / "run.sh").read_text() == "cat outputs/HD/a.csv outputs/hd_results_v2/b.csv\n"
    clean = run_pathmove(root, "check", "run.sh", "notes.md", check_rc=0)
    assert clean.stdout == "✓ 2 files checked: no retired paths\n"


JSON_KEYS = {"version", "command", "moves", "findings", "review", "warnings", "summary"}
FINDING_KEYS = {"path", "line", "column", "old", "new", "kind"}


def test_every_json_document_has_the_documented_schema(git_repo) -> None:
    root = _small_repo(git_repo)
    before = tree_bytes(root)
    docs = {}
    for args in (["plan", "--json"], ["verify", "--json"], ["check", "--json", "run.sh", "notes.md"]):
        proc = run_pathmove(root, *args)
        assert proc.stderr == ""
        docs[args[0]] = json.loads(proc.stdout)
    assert tree_bytes(root) == before
    docs["apply"] = json.loads(run_pathmove(root, "apply", "--json", check_rc=0).stdout)
    for command, doc in docs.items():
        assert JSON_KEYS <= set(doc), command
        assert doc["version"] == report.JSON_VERSION and doc["command"] == command
        assert all(FINDING_KEYS <= set(f) for f in doc["findings"]), command
        assert {"files_changed", "references", "by_kind", "review", "warnings"} <= set(doc["summary"]), command
    plan = docs["plan"]
    assert plan["moves"] == [{"from": "outputs/hd_results", "to": "outputs/HD", "status": "move", "type": "dir"}]
    assert sorted((f["path"], f["line"], f["column"], f["old"], f["new"]) for f in plan["findings"]) == [
        ("notes.md", 1, 10, "outputs/hd_results", "outputs/HD"),
        ("run.sh", 1, 5, "outputs/hd_results", "outputs/HD"),
    ]
    assert plan["summary"]["references"] == 2 and plan["summary"]["moves"] == 1
    assert docs["check"]["exit_code"] == 1 and docs["check"]["fixed"] == 0
    assert docs["apply"]["status"] == "applied" and docs["apply"]["stale"] == []


def test_an_error_is_one_line_naming_the_problem_and_what_to_do(git_repo, tmp_path: Path) -> None:
    root = _small_repo(git_repo)
    proc = run_pathmove(root, "--root", str(tmp_path / "nowhere"), "plan", check_rc=2)
    assert proc.stderr.startswith("error: ") and "nowhere" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_a_bug_is_one_line_and_debug_shows_the_traceback(git_repo, monkeypatch, capsys) -> None:
    root = _small_repo(git_repo)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("pathmove.plan.build", broken)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli.main(["plan"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "--debug" in err
    assert "Traceback" not in err
    assert cli.main(["--debug", "plan"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" in err and "broken" in err


def test_a_usage_error_is_one_line_pointing_at_the_help(git_repo) -> None:
    root = _small_repo(git_repo)
    proc = run_pathmove(root, "plan", "--bogus", check_rc=2)
    assert proc.stderr == "error: No such option: --bogus → see `pathmove plan --help`\n"
    assert run_pathmove(root, check_rc=0).stdout.lstrip().startswith("Usage: pathmove")


def test_check_on_a_missing_or_outside_file_is_bad_input(git_repo, tmp_path: Path) -> None:
    root = git_repo({"migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
                     "outputs/hd_results/a.csv": "x\n", "n.txt": "outputs/hd_results\n"})
    proc = run_pathmove(root, "check", "n.txt", "no_such.txt", check_rc=2)
    assert "no such file: no_such.txt" in proc.stderr and proc.stdout == ""
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("outputs/hd_results\n")
    proc = run_pathmove(root, "check", str(outside), check_rc=2)
    assert "outside the root" in proc.stderr and "elsewhere.txt" in proc.stderr
