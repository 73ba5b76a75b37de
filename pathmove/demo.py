"""`pathmove demo`: migrate a copy of the bundled demo repository in a temporary folder."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from pathmove import fsio, repo
from pathmove.errors import PathmoveError
from pathmove.mapping import DEFAULT_NAME, Mapping

FINDINGS_SHOWN = 40  # the demo's references fit on one screen; the cut says how many more
LOOKALIKES_SHOWN = 8


def materialise(dest: Path) -> Path:
    """Copy the demo repository to dest and commit it as a fresh git repository."""
    if shutil.which("git") is None:
        raise PathmoveError("the demo needs git, which is not installed")
    src = resources.files("pathmove") / "demo_repo"
    with resources.as_file(src) as src_path:
        shutil.copytree(src_path, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for p in sorted(dest.rglob("*")):
        if p.name == "_dot_gitignore":  # shipped under another name so it does not act on this package
            p = p.rename(p.with_name(".gitignore"))
        if p.is_file():  # modes as in a fresh checkout, whatever the installer did to package data
            p.chmod(0o755 if p.suffix == ".sh" else 0o644)
    env = repo.git_env()
    env.update({"GIT_AUTHOR_NAME": "pathmove demo", "GIT_AUTHOR_EMAIL": "demo@example.org",
                "GIT_COMMITTER_NAME": "pathmove demo", "GIT_COMMITTER_EMAIL": "demo@example.org"})
    for args in (["-c", "init.defaultBranch=main", "init", "-q"], ["add", "-A"],
                 ["-c", "commit.gpgSign=false", "commit", "-q", "--no-verify", "-m", "spatial-bench before the move"]):
        repo.git(dest, *args, env=env)
    return dest


def run(where: str | None, keep: bool = False) -> int:
    """Copy, then plan, apply and verify there; print what happened and where the result is.

    A temporary folder (no --dir) is removed at the end unless keep; the output says where it was."""
    dest = _destination(where)
    temporary = where is None and not keep
    try:
        return _run(dest, removed=temporary)
    finally:
        if temporary:
            shutil.rmtree(dest.parent, ignore_errors=True)


def _run(dest: Path, *, removed: bool) -> int:
    from pathmove import apply as apply_mod
    from pathmove import mapping as mapping_mod
    from pathmove import plan as plan_mod
    from pathmove import report

    materialise(dest)
    out, err = report.consoles()
    mapping = mapping_mod.load(dest / DEFAULT_NAME, dest)
    _intro(out, dest, mapping)

    _step(out, "1", "pathmove plan", "what apply would do; nothing is written yet")
    p = plan_mod.build(dest, mapping, mode="plan")
    report.print_moves(out, p)
    out.print()
    report.print_findings(out, p.changes, limit=FINDINGS_SHOWN)
    report.print_reviews(out, p)
    out.print()
    report.print_summary(out, p, "Plan")

    _step(out, "2", "pathmove apply", "move with git mv, rewrite, verify")
    outcome = apply_mod.run(dest, mapping)
    done = outcome.plan.edits if outcome.plan is not None else []
    out.print(f"Moved {report.plural(outcome.moved, 'folder')} with git mv (history kept) and rewrote "
              f"{report.plural(len(done), 'reference')} "
              f"in {report.plural(outcome.written, 'file')},\neach file written atomically with every other byte kept.")

    _step(out, "3", "pathmove verify", "is any old path left?")
    v = outcome.verify
    stale = sum(len(c.edits) for c in v.changes) + len(v.reviews) if v else 0
    if stale and v is not None and not v.changes:
        out.print(f"[yellow bold]✗ {report.plural(len(v.reviews), 'place needs', 'places need')} review[/]")
        report.print_reviews(out, v)
    elif stale:
        out.print(f"[red bold]✗ {report.plural(stale, 'stale reference')} left[/]")
        if v is not None:
            report.print_findings(out, v.changes)
            report.print_reviews(out, v)
    else:
        out.print("[green bold]✓ no stale references[/]")
    if v is not None and v.reviews and not v.changes:
        stale = _resolve(out, dest, mapping, v)
    if v is not None and v.archived:
        n = sum(len(c.edits) for c in v.archived)
        out.print(f"[dim]{report.plural(n, 'old path')} in {report.plural(len(v.archived), 'archived file')} ("
                  + ", ".join(report.esc(c.path) for c in v.archived)
                  + ") are history: left as they are, counted apart (`verify --include-archived` fails on them).[/]")
    _lookalikes(out, dest, mapping)
    if outcome.plan is not None:
        report.print_notices(err, outcome.plan)
    _outro(out, dest, removed)
    return 1 if stale else 0


def _resolve(out: Any, dest: Path, mapping: Mapping, v: Any) -> int:
    """Step 4: each place listed for review, resolved as a person would: by editing the line.

    The review stays listed (by verify, check and the hook) until its line changes (SPEC §3);
    a line that must keep the old path would get a `pathmove: keep` comment instead.
    """
    from pathmove import plan as plan_mod
    from pathmove import report

    _step(out, "4", "resolve the review", "a place pathmove will not guess at")
    out.print("A path spelled with JSON escapes (\\/) is one pathmove will not rewrite on its own: it stays\n"
              "listed by verify, check and the pre-commit hook until the line changes. Edit it by hand\n"
              "(or add a `pathmove: keep` comment to a line that must keep the old path):")
    for r in v.reviews:
        path = dest / r.path
        data = path.read_bytes()
        old = data[r.start:r.end]
        value = old.replace(b"\\/", b"/").decode("utf-8", "surrogateescape")
        new_value = mapping.translate(value.strip('"')) or value.strip('"')
        new = b'"' + new_value.replace("/", "\\/").encode() + b'"' if old.startswith(b'"') else new_value.encode()
        fsio.write_atomic(path, data[:r.start] + new + data[r.end:])  # the person's edit, not pathmove's
        out.print(f"  {report.esc(r.path)}:  [red]{report.esc(old.decode())}[/]  →  [green]{report.esc(new.decode())}[/]")
    again = plan_mod.build(dest, mapping, mode="verify")
    left = sum(len(c.edits) for c in again.changes) + len(again.reviews)
    if left:
        out.print(f"[red bold]✗ {report.plural(left, 'stale reference')} left[/]")
        report.print_reviews(out, again)
    else:
        out.print("[green bold]✓ no stale references[/] (pathmove verify, after the edit)")
    return left


def _destination(where: str | None) -> Path:
    """A new folder: the one asked for, or one in the system's temporary directory (never the cwd)."""
    if where is None:
        return Path(tempfile.mkdtemp(prefix="pathmove-demo-")) / "spatial-bench"
    dest = Path(where).resolve()
    if dest.exists():
        raise PathmoveError(f"{dest} exists; pass a new folder to --dir")
    return dest


def _intro(out: Any, dest: Path, mapping: Mapping) -> None:
    from pathmove import report

    _rule(out, "[bold]pathmove demo[/]", align="center")
    out.print("A small research repository (Python, YAML, Markdown, a shell script, a notebook, a PNG)\n"
              f"was copied to [bold]{report.esc(str(dest))}[/] and committed as a fresh git repository.\n"
              f"Its {DEFAULT_NAME} renames three output folders:")
    width = max(len(e.old) for e in mapping.entries)
    for e in mapping.entries:
        out.print(f"  {report.esc(e.old.ljust(width))}  →  {report.esc(e.new)}")
    out.print("[dim]Your current directory is not touched.[/]")


def _step(out: Any, number: str, command: str, what: str) -> None:
    out.print()
    _rule(out, f"[bold]{number}. {command}[/] — {what}")


def _rule(out: Any, title: str, align: str = "left") -> None:
    if out.is_terminal:
        out.rule(title, align=align)
    else:  # a pipe gets a console as wide as a line needs: no rule across thousands of columns
        out.print(f"── {title} ──")


def _lookalikes(out: Any, dest: Path, mapping: Mapping) -> None:
    """Lines that still hold an old path as a substring: decoys, rightly left alone (SPEC §4)."""
    from pathmove import report

    found = list(_find_lookalikes(dest, mapping))
    if not found:
        return
    out.print(f"\nLeft alone on purpose: {report.plural(len(found), 'line')} where an old path is only part of another name")
    for path, line, text in found[:LOOKALIKES_SHOWN]:
        out.print(f"  [dim]{report.esc(path)}:{line}[/]  {report.esc(text)}")
    if len(found) > LOOKALIKES_SHOWN:
        out.print(f"  [dim]… and {len(found) - LOOKALIKES_SHOWN} more[/]")


def _find_lookalikes(dest: Path, mapping: Mapping) -> Iterator[tuple[str, int, str]]:
    from pathmove.scan import Scanner

    scanner = Scanner(dest, mapping, translate_moves=False)
    needles = [e.old.encode() for e in mapping.entries]
    for rel in repo.ls_files(dest):
        if scanner.is_excluded(rel) or scanner.is_archived(rel) or os.path.islink(dest / rel):
            continue
        data = fsio.read(dest / rel)
        if fsio.is_binary(data) or not any(n in data for n in needles):
            continue
        for number, line in enumerate(data.splitlines(), 1):
            if any(n in line for n in needles):
                yield rel, number, line.decode("utf-8", "replace").strip()[:100]


def _outro(out: Any, dest: Path, removed: bool = False) -> None:
    from pathmove import report

    d = report.esc(str(dest))
    out.print()
    _rule(out, "[bold]the result[/]")
    if removed:
        out.print(f"The demo ran in [bold]{d}[/], a temporary folder, now removed.\n"
                  f"To look around the migrated repository, run [bold]{report.esc(_command_name())} demo --keep[/] "
                  "(or --dir FOLDER), then:")
    else:
        out.print(f"The migrated repository is in [bold]{d}[/]. Look around:")
    out.print(f"  cd {d}")
    me = _command_name()
    rows = (("git status", "the moves are staged renames: history is kept"),
            ("git diff", "every rewritten line, and nothing else"),
            (f"{me} verify", "exit 0: no stale reference is left"),
            (f"{me} undo", "back to the start, byte for byte"))
    width = max(len(cmd) for cmd, _ in rows)
    for cmd, why in rows:
        out.print(f"  {report.esc(cmd.ljust(width))}  [dim]# {why}[/]")


def _command_name() -> str:
    """How to run this pathmove again from the demo folder: `pathmove` if that is on PATH."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "__main__.py":
        return f"{sys.executable} -m pathmove"
    on_path = shutil.which("pathmove")
    if not argv0 or os.path.basename(argv0) != "pathmove":
        return "pathmove"
    mine = os.path.abspath(argv0)
    if on_path and os.path.exists(mine) and os.path.samefile(on_path, mine):
        return "pathmove"
    return mine
