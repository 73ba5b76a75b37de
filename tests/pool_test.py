"""Chunked parallel scanning changes no result: 1 worker or N, chunks of 1 or 1,000."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pathmove import fsio, mapping, plan, pool, scan
from tests.conftest import git, run_pathmove

MAPPING = (
    "moves:\n"
    "  - from: outputs/hd_results\n    to: outputs/HD\n"
    "  - from: outputs/benchmark_results\n    to: outputs/DLPFC\n"
    "archived:\n  - docs/archive/**\n"
    "exclude:\n  - third_party/**\n"
)


def _tree() -> dict[str, bytes | str]:
    """A few hundred files: stale references, decoys, binaries, a symlink, archived and excluded files."""
    tree: dict[str, bytes | str] = {
        "migrations.yaml": MAPPING,
        "outputs/hd_results/a.csv": "x\n",
        "outputs/benchmark_results/b.csv": "y\n",
        "outputs/hd_results_v2/c.csv": "z\n",
        "link_to_hd": "link:outputs/hd_results/a.csv",
        "docs/archive/old.md": "see outputs/hd_results/a.csv\n",
        "third_party/vendored.txt": "outputs/hd_results\n",
        "blob.bin": b"\0outputs/hd_results\n",
        "crlf.txt": b"cat outputs/benchmark_results/b.csv\r\n",
        "odd/.py": "outputs/hd_results\n",  # names whose kind hangs on the dots
        "odd/..md": "outputs/hd_results\n",
        "odd/a..py": "x = 'outputs/hd_results'\n",
        "odd/UPPER.PY": "x = 'outputs/hd_results'\n",
        "odd/.hidden.yml": "a: outputs/hd_results\n",
        "odd/no_ext": "outputs/hd_results\n",
    }
    for i in range(240):
        if i % 3 == 0:
            body = f"line {i}\nread outputs/hd_results/s{i}.csv and outputs/benchmark_results\n"
        elif i % 3 == 1:
            body = f"decoy {i}: outputs/hd_results_v2 outputs/benchmark_results-old\n"
        else:
            body = f"nothing here {i}\n" * (i % 7 + 1)
        tree[f"src/d{i % 11}/f{i}.txt"] = body
    return tree


def _digest(p: plan.Plan) -> dict[str, Any]:
    """Everything a plan reports, in order, as plain values."""
    return {
        "moves": [(m.old, m.new, m.status) for m in p.moves],
        "changes": [(c.path, c.new_path, c.kind, c.data, c.edits, c.archived) for c in p.changes],
        "archived": [(c.path, c.edits) for c in p.archived],
        "reviews": p.reviews,
        "notices": p.notices,
        "skips": p.skips,
        "review_data": p.review_data,
        "listed": p.files_listed,
        "scanned": p.files_scanned,
        "prefilter": p.prefilter,
    }


@pytest.mark.parametrize("mode", ("plan", "verify"))
def test_workers_chunk_sizes_and_prefilters_give_identical_plans(git_repo, monkeypatch, mode: str) -> None:
    root = git_repo(_tree())
    (root / "untracked_note.txt").write_text("see outputs/hd_results/a.csv\n")
    (root / "untracked_link").symlink_to("outputs/benchmark_results/b.csv")
    m = mapping.load(root / "migrations.yaml", root)
    results = []
    for prefilter in ("git", "python"):  # the first stage in git grep, or all in Python
        monkeypatch.setenv(scan.PREFILTER_ENV, prefilter)
        for jobs, size in ((1, 1), (1, 1000), (2, 1), (2, 7), (2, 1000), (3, 5)):
            results.append(_digest(plan.build(root, m, mode=mode, jobs=jobs, chunk_size=size, pool_threshold=0)))
    walked = [_digest(plan.build(root, m, mode=mode, use_git=False, jobs=jobs, chunk_size=size, pool_threshold=0))
              for jobs, size in ((1, 1000), (2, 1), (2, 3))]  # --no-git: a walk, in its own order
    assert walked[1] == walked[0] and walked[2] == walked[0]
    assert sorted(c[0] for c in walked[0]["changes"]) == sorted(c[0] for c in results[0]["changes"])
    first = results[0]
    assert first["changes"], "the fixture must hold stale references"
    assert first["archived"] and first["listed"] > 240
    paths = {c[0] for c in first["changes"]}
    assert {"untracked_note.txt", "untracked_link", "link_to_hd", "crlf.txt"} <= paths
    for other in results[1:]:
        assert other == first


def test_pool_keeps_order_and_runs_small_inputs_in_process() -> None:
    items = [str(i) for i in range(50)]
    whole = list(pool.run(_pids_and_items, None, items, jobs=2, chunk_size=4, threshold=0))
    assert [x for _, chunk in whole for x in chunk] == items
    small = list(pool.run(_pids_and_items, None, items, jobs=2, chunk_size=4, threshold=1000))
    assert {pid for pid, _ in small} == {_pids_and_items(None, [])[0]}  # no worker process
    assert [x for _, chunk in small for x in chunk] == items


def _pids_and_items(_: object, chunk: list[str]) -> tuple[int, list[str]]:
    import os

    return os.getpid(), chunk


@pytest.mark.parametrize("data", (
    b"outputs/hd_results/a.csv",
    b'Path("outputs") / "hd_results"',
    b"from pkg.hd_results import x",
    b"see hd_results.",
    b'"C:\\\\data\\\\hd_results"',
    pytest.param(b'"outputs\\x2fhd_results"', id="escaped slash before the name"),
    pytest.param(b'"line\\nhd_results"', id="escaped newline before the name"),
    pytest.param(b"hd_results.bak", id="a dot after is kept: conservative"),
))
def test_prefilter_keeps(data: bytes) -> None:
    assert scan.Bounded([b"hd_results"]).search(data)


@pytest.mark.parametrize("data", (
    b"outputs/hd_results_v2/a.csv",
    b"outputs/hd_results-old",
    b"old_hd_results",
    b"hd_resultsX",
    "hd_resultsé".encode(),
    pytest.param(b"xhd_results", id="a name byte before"),
))
def test_prefilter_drops(data: bytes) -> None:
    assert not scan.Bounded([b"hd_results"]).search(data)


def test_read_follows_a_file_whose_size_changed(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"0123456789" * 1000)
    assert fsio.read(p) == b"0123456789" * 1000
    assert fsio.read(p, 3) == b"0123456789" * 1000  # grew since the stat
    assert fsio.read(p, 50_000) == b"0123456789" * 1000  # shrank since the stat


def test_json_summary_counts_files_reaching_finders(git_repo) -> None:
    root = git_repo(_tree())
    doc = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    pf = doc["summary"]["prefilter"]["by_kind"]["text"]
    # 80 stale files, crlf.txt and 3 odd names; 80 decoy-only files hold a needle but no reference
    assert pf["reached"] == 84 and pf["named"] == 164
    assert pf["listed"] > pf["named"] > pf["reached"]
    debug = run_pathmove(root, "--debug", "verify", check_rc=1)
    assert "prefilter: 89 of" in debug.stderr  # + the archived note, the symlink, 4 odd names of other kinds


def test_verify_after_apply_reaches_no_finder(git_repo) -> None:
    root = git_repo(_tree())
    run_pathmove(root, "apply", "--archived-bulk", check_rc=0)
    git(root, "add", "-A")
    doc = json.loads(run_pathmove(root, "verify", "--json", check_rc=0).stdout)
    assert doc["summary"]["prefilter"]["files_reached"] == 1  # only the (re-pointed) symlink


def test_clean_check_imports_no_parser_pool_or_rich(git_repo) -> None:
    """The pre-commit hook runs on every commit: a clean `check` must not load what it does not use."""
    root = git_repo({"migrations.yaml": MAPPING, "outputs/hd_results/a.csv": "x\n", "notes.txt": "nothing old\n",
                     "mod.py": "x = 1\n", "conf.yaml": "a: 1\n", "doc.md": "# hi\n"})
    proc = run_pathmove(root, "check", "notes.txt", "mod.py", "conf.yaml", "doc.md", check_rc=0,
                        env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "pathmove.plan" in imported  # the hook did load what it needs, and importtime works
    heavy = {m for m in imported if m.split(".")[0] in ("libcst", "mistune", "rich", "pydantic", "multiprocessing")}
    assert heavy == set()


def test_merge_conflict_entries_are_listed_once(git_repo, monkeypatch) -> None:
    root = git_repo({"migrations.yaml": MAPPING, "outputs/hd_results/a.csv": "x\n",
                     "c.md": "start\n", "z.txt": "see outputs/hd_results\n"})
    git(root, "checkout", "-q", "-b", "other")
    (root / "c.md").write_text("other outputs/hd_results\n")
    git(root, "commit", "-qam", "other")
    git(root, "checkout", "-q", "main")
    (root / "c.md").write_text("main outputs/hd_results\n")
    git(root, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)  # conflicts in c.md
    assert " 2\t" in git(root, "ls-files", "-s")
    m = mapping.load(root / "migrations.yaml", root)
    plans = []
    for prefilter in ("git", "python"):
        monkeypatch.setenv(scan.PREFILTER_ENV, prefilter)
        plans.append(_digest(plan.build(root, m, mode="verify", pool_threshold=0, jobs=2)))
    assert plans[0] == plans[1]
    assert plans[0]["listed"] == 4 and plans[0]["prefilter"].listed == {"markdown": 1, "text": 2, "yaml": 1}
    assert [c[0] for c in plans[0]["changes"]] == ["c.md", "z.txt"]


def test_progress_bar_on_a_terminal(git_repo) -> None:
    """stderr a terminal: the progress bar is drawn (rich gets a real console) and nothing breaks."""
    import os
    import pty
    import shutil

    root = git_repo(_tree())
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([shutil.which("pathmove"), "verify"], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
    assert proc.returncode == 1, drawn.decode(errors="replace")
    assert b"Traceback" not in drawn and b"Error" not in drawn
    assert "stale references in" in proc.stdout
