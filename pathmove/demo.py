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
    mapping = mapping_mod.load(dest / "migrations.yaml", dest)
    out.print("\n[bold]1. plan[/] — what apply would change (nothing is written):")
    p = plan_mod.build(dest, mapping, mode="plan")
    report.print_moves(out, p)
    report.print_findings(out, p.changes)
    out.print("\n[bold]2. apply[/] — git mv, rewrite every reference, verify:")
    outcome = apply_mod.run(dest, mapping)
    report.print_summary(out, outcome.plan, "Applied")
    out.print("\n[bold]3. verify[/]:")
    v = outcome.verify
    stale = sum(len(c.edits) for c in v.changes) if v else 0
    out.print("[green]✓ no stale references[/]" if not stale else f"[red]{stale} stale references[/]")
    out.print(f"\nLook at the result:  cd {report.esc(str(dest))} && git status && git diff")
    return 0 if not stale else 1
