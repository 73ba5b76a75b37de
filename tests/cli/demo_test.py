"""`pathmove demo`: the bundled example migrates in a folder of its own and shows the hook."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, run_pathmove


def test_demo_migrates_a_copy_and_shows_plan_apply_verify_and_the_hook(tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    proc = run_pathmove(tmp_path, "demo", "--dir", str(dest), check_rc=0)
    out = proc.stdout
    for step in ("1. pathmove plan --diff", "2. pathmove apply", "3. pathmove check"):
        assert step in out
    assert "-results_dir: outputs/hd_results   # where the HD scores go" in out
    assert "+results_dir: outputs/HD   # where the HD scores go" in out
    assert "✓ verify: no stale references" in out
    assert "notes/new_analysis.txt:1:9: outputs/hd_results → outputs/HD" in out
    assert (dest / "outputs/HD/scores.csv").is_file() and not (dest / "outputs/hd_results").exists()
    assert (dest / "configs/run.yaml").read_text() == "results_dir: outputs/HD   # where the HD scores go\n"
    assert 'LEGACY = Path("outputs/hd_results_v2")' in (dest / "scripts/analyse.py").read_text()
    assert not (dest / "notes").exists()  # the hook's example file is gone again
    assert "R  outputs/hd_results/scores.csv -> outputs/HD/scores.csv" in git(dest, "status", "--short")
    assert proc.stderr == ""
