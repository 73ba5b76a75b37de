"""The typer app: options → one call → render → exit code. Errors are caught once, here."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
import functools
from typing import Any, Callable, List, Optional

import typer

from pathmove import __version__

app = typer.Typer(
    name="pathmove",
    help="Migrate paths in a repository: move folders with git history, rewrite every reference, verify none is left.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, object] = {"debug": False}

RootOpt = typer.Option(None, "--root", help="Repository root (default: the git top-level of the working directory).")
MappingOpt = typer.Option(None, "-m", "--mapping", help="Mapping file (default: migrations.yaml in the root).")


def command(fn: Callable[..., int]) -> Callable[..., None]:
    """Register fn as a command: its int result becomes the exit code; errors are caught here, once."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from pathmove import report
        from pathmove.errors import PathmoveError

        try:
            code = fn(*args, **kwargs)
        except PathmoveError as exc:
            _, err = report.consoles()
            report.print_error(err, str(exc), exc.hint)
            if _state.get("debug"):
                traceback.print_exc()
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _, err = report.consoles()
            report.print_error(err, "interrupted", "run `pathmove apply` again to finish, or `pathmove undo` to go back")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except typer.Exit:
            raise
        except Exception:  # a bug: show it whole (STYLE §5)
            traceback.print_exc()
            raise typer.Exit(2) from None
        raise typer.Exit(code or 0)

    return app.command()(wrapper)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pathmove {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and scan statistics."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    _state["root"] = root
    _state["mapping"] = mapping
    _state["debug"] = debug


def _context(root: Optional[str], mapping: Optional[str], required: bool = True):
    from pathmove import mapping as mapping_mod
    from pathmove import repo

    root = root if root is not None else _state.get("root")  # type: ignore[assignment]
    mapping = mapping if mapping is not None else _state.get("mapping")  # type: ignore[assignment]
    root_path = repo.find_root(root)
    if mapping is not None:
        mpath = Path(mapping)
        if not mpath.is_absolute():
            mpath = Path.cwd() / mpath
    else:
        mpath = mapping_mod.default_path(root_path)
    return root_path, mapping_mod.load(mpath, root_path)


def _git_flag(no_git: bool) -> Optional[bool]:
    return False if no_git else None


@command
def plan(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    diff: bool = typer.Option(False, "--diff", help="Show a unified diff of every file that would change."),
    show_all: bool = typer.Option(False, "--all", help="With --diff: no cut after the first files."),
    archived_bulk: bool = typer.Option(False, "--archived-bulk", help="Include archived files (plain-text rule)."),
    no_git: bool = typer.Option(False, "--no-git", help="Ignore git: list files by walking the tree."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """List the moves and every edit apply would make. Changes nothing."""
    from pathmove import plan as plan_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    with report.progress(err, not json_out) as prog:
        p = plan_mod.build(root_path, m, mode="plan", archived_bulk=archived_bulk, use_git=_git_flag(no_git),
                           progress=(lambda d, t: prog("scanning", d, t)) if prog else None)
    _debug_stats(err, p)
    if json_out:
        report.print_json(report.plan_document(p, "plan"))
        return 0
    report.print_moves(out, p)
    report.print_summary(out, p, "Plan")
    if diff:
        report.print_diff(out, p, show_all=show_all)
    else:
        report.print_findings(out, p.changes)
    report.print_reviews(out, p)
    report.print_notices(err, p)
    if p.changes or any(mv.status == "move" for mv in p.moves):
        out.print("[dim]Nothing was changed. Run [bold]pathmove apply[/bold] to migrate.[/]")
    else:
        out.print("Nothing to do: no moves and no references.")
    return 0


@command
def apply(
    archived_bulk: bool = typer.Option(False, "--archived-bulk", help="Also rewrite archived files, plain-text rule."),
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Run even with uncommitted changes."),
    no_git: bool = typer.Option(False, "--no-git", help="Plain renames instead of git mv."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Move, rewrite every reference, then verify. Journaled: interrupt-safe, undoable."""
    from pathmove import apply as apply_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    try:
        with report.progress(err, not json_out) as prog:
            outcome = apply_mod.run(root_path, m, archived_bulk=archived_bulk, allow_dirty=allow_dirty,
                                    use_git=_git_flag(no_git), progress=prog)
    except KeyboardInterrupt:
        report.print_error(err, "interrupted", "run `pathmove apply` again to finish, or `pathmove undo` to go back")
        return 130
    v = outcome.verify
    stale = bool(v and (v.changes or v.reviews))
    code = 1 if stale else 0
    if json_out:
        doc = report.plan_document(outcome.plan or v, "apply", extra={
            "status": outcome.status, "exit_code": code,
            "stale": report.plan_document(v, "verify")["findings"] if v else [],
        })
        report.print_json(doc)
        return code
    if outcome.plan is not None:
        report.print_moves(out, outcome.plan)
        report.print_summary(out, outcome.plan, "Applied")
        if outcome.plan.archived:
            out.print(f"[dim]{len(outcome.plan.archived)} archived file(s) hold old paths and were left as they are "
                      "(--archived-bulk rewrites them).[/]")
        bulk = [c for c in outcome.plan.changes if c.archived]
        for c in bulk[: report.LIMIT]:
            out.print(f"  archived {report.esc(c.new_path)}: {len(c.edits)} reference(s) rewritten")
    elif outcome.status == "already":
        out.print("Already applied: this mapping's last apply is in place; nothing changed.")
    elif outcome.status == "resumed":
        out.print("Resumed the interrupted apply and finished it.")
    if v is not None:
        _print_verify_result(out, v, include_archived=False)
    if outcome.plan is not None:
        report.print_notices(err, outcome.plan)
    if outcome.status in ("applied", "resumed"):
        out.print("[dim]`pathmove undo` restores the tree as it was before this apply.[/]")
    return code


def _print_verify_result(out, v, include_archived: bool) -> None:
    from pathmove import report

    n = sum(len(c.edits) for c in v.changes)
    if n or v.reviews:
        out.print(f"[red bold]✗ {n:,} stale reference(s) in {len(v.changes):,} file(s)[/]"
                  + (f", [yellow]{len(v.reviews)} need review[/]" if v.reviews else ""))
        report.print_findings(out, v.changes)
        report.print_reviews(out, v)
    else:
        out.print("[green bold]✓ verify: no stale references[/]")
    if v.archived:
        a = sum(len(c.edits) for c in v.archived)
        label = "[red]" if include_archived else "[dim]"
        out.print(f"{label}{a:,} stale reference(s) in {len(v.archived):,} archived file(s)"
                  + ("" if include_archived else " (not counted; --include-archived counts them)") + "[/]")
        if include_archived:
            report.print_findings(out, v.archived)


@command
def verify(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    include_archived: bool = typer.Option(False, "--include-archived", help="Fail on archived files' references too."),
    no_git: bool = typer.Option(False, "--no-git", help="Ignore git: list files by walking the tree."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Scan the repository for stale references. Exit 0 none, 1 found."""
    from pathmove import plan as plan_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    with report.progress(err, not json_out) as prog:
        v = plan_mod.build(root_path, m, mode="verify", use_git=_git_flag(no_git),
                           progress=(lambda d, t: prog("verifying", d, t)) if prog else None)
    _debug_stats(err, v)
    stale = bool(v.changes or v.reviews or (include_archived and v.archived))
    if json_out:
        report.print_json(report.plan_document(v, "verify", include_archived=include_archived,
                                               extra={"exit_code": int(stale)}))
        return int(stale)
    _print_verify_result(out, v, include_archived)
    report.print_notices(err, v)
    return int(stale)


@command
def check(
    files: List[str] = typer.Argument(None, help="Files to check (the pre-commit hook passes the staged ones)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite the stale references found in these files."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """verify for the named files only (the pre-commit hook). Exit 0 none, 1 found."""
    from pathmove import apply as apply_mod
    from pathmove import plan as plan_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    rels = []
    for f in files or []:
        p = Path(os.path.abspath(f))
        try:
            rels.append(p.relative_to(root_path).as_posix())
        except ValueError:
            try:
                rels.append(Path(os.path.realpath(p)).relative_to(os.path.realpath(root_path)).as_posix())
            except ValueError:
                report.print_error(err, f"{f} is outside the root {root_path}; skipped")
    v = plan_mod.build(root_path, m, mode="verify", only=rels, use_git=False)
    _debug_stats(err, v)
    # archived files are history: check, like verify, does not fail on them
    stale = bool(v.changes or v.reviews)
    fixed = 0
    if fix and v.changes:
        fixed = apply_mod.write_in_place(root_path, v.changes)
    if json_out:
        report.print_json(report.plan_document(v, "check", extra={"fixed": fixed, "exit_code": int(stale)}))
        return int(stale)
    if fix and fixed:
        n = sum(len(c.edits) for c in v.changes)
        out.print(f"[green]fixed {n:,} stale reference(s) in {fixed} file(s)[/]")
        report.print_findings(out, v.changes)
        report.print_reviews(out, v)
        return int(stale)
    if stale:
        for c in v.changes:
            for e in sorted(c.edits, key=lambda e: e.start):
                line, col = report.position(c.data, e.start)
                out.print(f"{report.esc(c.path)}:{line}:{col}: retired path [red]{report.esc(report._text(e.old))}[/]"
                          f" → use [green]{report.esc(report._text(e.new))}[/]")
        report.print_reviews(out, v)
        out.print("[dim]fix with: pathmove check --fix " + " ".join(report.esc(c.path) for c in v.changes) + "[/]")
    return int(stale)


def _debug_stats(err, p) -> None:
    if _state.get("debug"):
        from pathmove import report

        report.print_prefilter(err, p)


@command
def undo(
    force: bool = typer.Option(False, "--force", help="Restore even files that changed since apply."),
    no_git: bool = typer.Option(False, "--no-git", help="The apply ran with --no-git."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Return the tree byte-for-byte to its state before the last apply."""
    from pathmove import repo, report
    from pathmove.errors import JournalError
    from pathmove.journal import Journal

    root_path = repo.find_root(root if root is not None else _state.get("root"))  # type: ignore[arg-type]
    use_git = False if no_git else repo.is_git(root_path)
    j = Journal(root_path, use_git)
    if not j.load():
        raise JournalError("nothing to undo: no apply is recorded for this repository")
    out, _ = report.consoles()
    j.undo(force=force)
    out.print("[green]undone:[/] the tree is back to its state before the last apply")
    return 0


@command
def demo(
    keep: Optional[str] = typer.Option(None, "--dir", help="Create the demo repository here (must not exist)."),
) -> int:
    """Copy the bundled demo repository to a temporary folder and migrate it there."""
    from pathmove import demo as demo_mod

    return demo_mod.run(keep)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: run the app and return its exit code."""
    try:
        app(args=sys.argv[1:] if argv is None else argv, prog_name="pathmove")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0
