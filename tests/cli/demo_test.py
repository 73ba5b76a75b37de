"""`pathmove demo` as a newcomer runs it: from any folder, touching nothing there."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from tests.conftest import git, run_pathmove


def test_demo_migrates_a_copy_and_leaves_cwd_alone(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "mine.txt").write_text("outputs/hd_results\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = run_pathmove(cwd, "demo", "--keep", check_rc=0, env={"TMPDIR": str(tmp), "NO_COLOR": "1"})
    assert [p.name for p in cwd.iterdir()] == ["mine.txt"] and (cwd / "mine.txt").read_text() == "outputs/hd_results\n"
    found = re.search(r"The migrated repository is in (\S+)\. ", proc.stdout)
    assert found, proc.stdout
    result = Path(found.group(1))
    assert result.is_dir() and tmp in result.parents
    assert "✓ no stale references" in proc.stdout and "Traceback" not in proc.stderr
    # one review finding, shown with how it is resolved
    assert "1 place needs review" in proc.stdout and "configs/export.yaml:2:9" in proc.stdout
    assert "4. resolve the review" in proc.stdout
    # piped, the output is as wide as its lines need: no rule across the whole (unbounded) width
    assert max(len(line) for line in proc.stdout.splitlines()) < 300

    # the three folders moved, with their files; the decoy folder stayed
    assert sorted(p.name for p in (result / "outputs").iterdir()) == ["DLPFC", "HD", "hd_results_v2", "rm_ideal"]
    assert (result / "outputs/rm_ideal/cross_section/metrics.json").is_file()
    assert (result / "outputs/HD/scores.csv").is_file() and (result / ".gitignore").is_file()
    run_sh = (result / "scripts/run_all.sh")
    assert stat.S_IMODE(os.stat(run_sh).st_mode) == 0o755
    text = run_sh.read_text()
    assert "--out outputs/HD/" in text and "diff -r outputs/hd_results_v2 outputs/HD" in text
    assert "outputs/hd_results_v2" in (result / "configs/benchmark.yaml").read_text()
    # archived notes are history; the binary is byte-identical
    assert "outputs/hd_results/scores.csv" in (result / "docs/archive/2023-03-lab-notes.md").read_text()
    assert b"outputs/benchmark_results/summary.csv" in (result / "outputs/DLPFC/ari.png").read_bytes()

    # a real git repository with the moves staged as renames
    assert git(result, "log", "--format=%s").splitlines() == ["spatial-bench before the move"]
    assert "R  outputs/hd_results/scores.csv -> outputs/HD/scores.csv" in git(result, "status", "--short")
    run_pathmove(result, "verify", check_rc=0)
    run_pathmove(result, "verify", "--include-archived", check_rc=1)


def test_demo_dir_must_be_new(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    proc = run_pathmove(tmp_path, "demo", "--dir", "taken", check_rc=2)
    assert "exists" in proc.stderr and list((tmp_path / "taken").iterdir()) == []
    run_pathmove(tmp_path, "demo", "--dir", "new/demo", check_rc=0)
    assert (tmp_path / "new/demo/outputs/HD/scores.csv").is_file()


def test_demo_removes_its_temporary_folder_and_says_where_it_was(tmp_path: Path) -> None:
    proc = run_pathmove(tmp_path, "demo", check_rc=0, env={"TMPDIR": str(tmp_path), "NO_COLOR": "1"})
    found = re.search(r"The demo ran in (\S+), a temporary folder, now removed", proc.stdout)
    assert found, proc.stdout
    assert Path(found.group(1)).parent.parent == tmp_path and not Path(found.group(1)).exists()
    assert list(tmp_path.iterdir()) == [] and "demo --keep" in proc.stdout
