"""`pathmove demo`: migrate a copy of the bundled demo repository in a temporary folder."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from pathmove import repo
from pathmove.errors import PathmoveError


def materialise(dest: Path) -> Path:
    """Copy the demo repository to dest and commit it as a fresh git repository."""
    src = resources.files("pathmove") / "demo_repo"
    with resources.as_file(src) as src_path:
        shutil.copytree(src_path, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for p in dest.rglob("_dot_gitignore"):
        p.rename(p.with_name(".gitignore"))
    env = repo.git_env()
    env.update({"GIT_AUTHOR_NAME": "pathmove demo", "GIT_AUTHOR_EMAIL": "demo@example.org",
                "GIT_COMMITTER_NAME": "pathmove demo", "GIT_COMMITTER_EMAIL": "demo@example.org"})
    for args in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgSign=false", "commit", "-q", "-m", "demo: before"]):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)
    return dest


def run(where: str | None) -> int:
    """Copy, then plan, apply and verify there; print what happened and where the result is."""
    from pathmove import apply as apply_mod
    from pathmove import mapping as mapping_mod
    from pathmove import plan as plan_mod
    from pathmove import report

    if where is not None:
        dest = Path(where).resolve()
        if dest.exists():
            raise PathmoveError(f"{dest} exists; pass a new folder to --dir")
    else:
        dest = Path(tempfile.mkdtemp(prefix="pathmove-demo-")) / "repo"
    materialise(dest)
    out, err = report.consoles()
    out.rule("[bold]pathmove demo[/]")
    out.print(f"A small research repository was copied to [bold]{report.esc(str(dest))}[/] (a new git repo).")
    out.print("Its mapping, [bold]migrations.yaml[/]:")
    for line in (dest / "migrations.yaml").read_text().splitlines():
        out.print(f"  [cyan]{report.esc(line)}[/]")
    mapping = mapping_mod.load(dest / "migrations.yaml", dest)

    out.print("\n[bold]1. pathmove plan --diff[/] — what apply would change (nothing is written):\n")
    p = plan_mod.build(dest, mapping, mode="plan")
    report.print_moves(out, p)
    report.print_diff(out, p, show_all=True)

    out.print("\n[bold]2. pathmove apply[/] — git mv, rewrite every reference, then verify:\n")
    outcome = apply_mod.run(dest, mapping)
    report.print_summary(out, outcome.plan, "Applied", applied=True)
    v = outcome.verify
    stale = sum(len(c.edits) for c in v.changes) if v else 0
    out.print("[green bold]✓ verify: no stale references[/]" if not stale else f"[red]{stale} stale references[/]")

    guard = "notes/new_analysis.txt"
    out.print(f"\n[bold]3. pathmove check[/] — the pre-commit hook; a new file, {guard}, brings the old path back:\n")
    (dest / guard).parent.mkdir(parents=True, exist_ok=True)
    (dest / guard).write_text("Scores: outputs/hd_results/scores.csv\n")
    c = plan_mod.build(dest, mapping, mode="verify", only=[guard], use_git=False)
    report.print_check(out, c, checked=1, fixed=False)
    (dest / guard).unlink()
    (dest / guard).parent.rmdir()

    out.print(f"\nLook at the result:  cd {report.esc(str(dest))} && git status && git diff")
    out.print("[dim]`pathmove undo` there returns the tree to its state before the apply.[/]")
    return 0 if not stale else 1
