"""The typer app: options → one call → render → exit code. Errors are caught once, here."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
import functools
from enum import Enum
from typing import Any, Callable, List, Optional

import typer

from pathmove import __version__

app = typer.Typer(
    name="pathmove",
    help="Migrate paths in a repository: move folders with git history, rewrite every reference, verify none is left.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, object] = {"debug": False}

RootOpt = typer.Option(None, "--root", help="Repository root (default: the git top-level of the working directory).")
MappingOpt = typer.Option(None, "-m", "--mapping", help="Mapping file (default: migrations.yaml in the root).")


class Format(str, Enum):
    human = "human"
    json = "json"
    github = "github"


FormatOpt = typer.Option(Format.human, "--format",
                         help="human, json (same as --json), or github: one ::error annotation per stale reference.")


def command(fn: Callable[..., int]) -> Callable[..., None]:
    """Register fn as a command: its int result becomes the exit code; errors are caught here, once."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except typer.Exit:
            raise
        except BaseException as exc:  # noqa: BLE001 - every error ends here, once (STYLE §5)
            if isinstance(exc, (SystemExit, GeneratorExit)):
                raise
            raise typer.Exit(_fail(fn.__name__, exc)) from None
        raise typer.Exit(code or 0)

    return app.command()(wrapper)


def _debug() -> bool:
    return bool(_state.get("debug")) or bool(os.environ.get("PATHMOVE_DEBUG"))


def _fail(command_name: str, exc: BaseException) -> int:
    """One line naming the problem and what to do; the traceback only with --debug."""
    from pathmove import report
    from pathmove.errors import PathmoveError

    _, err = report.consoles()
    resume = "run `pathmove apply` again to finish, or `pathmove undo` to go back"
    if isinstance(exc, BrokenPipeError):  # `pathmove plan | head`: the reader left, not an error
        return 0
    if isinstance(exc, KeyboardInterrupt):  # apply and undo say more (steps.ctrl_c); here nothing began
        report.print_error(err, "interrupted", "")
        return 130
    if isinstance(exc, PathmoveError):
        report.print_error(err, str(exc), exc.hint)
        code = exc.exit_code
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        report.print_error(err, f"{exc.strerror or exc}{where}",
                           resume if command_name == "apply" else "check the path and its permissions, then retry")
        code = 2
    else:  # a bug (STYLE §5): say so in one line; --debug shows the traceback
        report.print_error(err, f"internal error: {type(exc).__name__}: {exc}",
                           "this is a bug in pathmove; run it again with `pathmove --debug ...` "
                           "to see the traceback, and please report it")
        code = 2
    if _debug():
        traceback.print_exception(exc)
    return code


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
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only findings and errors (no tables, hints, bar)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every finding and the scan statistics."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color",
                                         help="Colour or not (default: in a terminal, unless NO_COLOR; FORCE_COLOR forces)."),
    no_pager: bool = typer.Option(False, "--no-pager", help="Never page long output (default: like git, in a terminal)."),
) -> None:
    from pathmove import report

    _state["root"] = root
    _state["mapping"] = mapping
    _state["debug"] = debug or verbose
    report.settings.update(color=color, quiet=quiet and not verbose, verbose=verbose, pager=not no_pager)


def _root(root: Optional[str]) -> Path:
    """--root given after the command, else before it, else found (SPEC §2)."""
    from pathmove import repo

    return repo.find_root(root if root is not None else _state.get("root"))  # type: ignore[arg-type]


def _context(root: Optional[str], mapping: Optional[str]) -> tuple[Path, Any]:
    """The root (SPEC §2: --root, else git's top-level, else here) and its loaded mapping."""
    from pathmove import mapping as mapping_mod

    mapping = mapping if mapping is not None else _state.get("mapping")  # type: ignore[assignment]
    root_path = _root(root)
    return root_path, mapping_mod.load(_mapping_path(root_path, mapping), root_path)


def _git_flag(no_git: bool) -> Optional[bool]:
    return False if no_git else None


@command
def plan(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    diff: bool = typer.Option(False, "--diff", help="Print the plan as a patch (git's format) on stdout; summary on stderr."),
    show_all: bool = typer.Option(False, "--all", help="List every finding (no cut after the first 50 lines)."),
    archived_bulk: bool = typer.Option(False, "--archived-bulk", help="Include archived files (plain-text rule)."),
    no_git: bool = typer.Option(False, "--no-git", help="Ignore git: list files by walking the tree."),
    rewrite_own_urls: bool = typer.Option(False, "--rewrite-own-urls",
                                          help="Rewrite links to this repository's own files (GitHub/GitLab URLs)."),
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
                           progress=(lambda d, t: prog("scanning", d, t)) if prog else None,
                           rewrite_own_urls=rewrite_own_urls)
    _debug_stats(err, p)
    if json_out:
        report.print_json(report.plan_document(p, "plan"))
        return 0
    quiet = bool(report.settings["quiet"])
    show_all = show_all or bool(report.settings["verbose"])
    if diff:  # stdout: the patch alone (git apply reads it); everything else on stderr
        from pathmove import scan

        sections = report.patch(p, scan.list_files(root_path, p.use_git))
        with report.paged(out):
            report.write_patch(sections, sys.stdout.buffer, color=report.use_color(sys.stdout))
        if not quiet:
            report.print_summary(err, p, "Plan")
            err.print()
            report.print_entries(err, p)
        report.print_reviews(err, p, limit=len(p.reviews) if show_all else report.LIMIT)
        report.print_notices(err, p)
        return 0
    with report.paged(out):
        if not quiet:
            report.print_moves(out, p)
            out.print()
            report.print_summary(out, p, "Plan")
            out.print()
            report.print_entries(out, p)
        report.print_findings(out, p.changes, limit=None if show_all else report.LIMIT)
        report.print_reviews(out, p, limit=len(p.reviews) if show_all else report.LIMIT)
        if not quiet:
            hint = report.keep_hint(p)
            if hint and p.changes:
                out.print(f"[dim]hint: {report.esc(hint)}[/]")
            if p.changes or any(mv.status == "move" for mv in p.moves):
                out.print("[dim]Nothing was changed. Run [bold]pathmove apply[/bold] to migrate.[/]")
            else:
                out.print("Nothing to do: no moves and no references.")
    report.print_notices(err, p)
    return 0


@command
def apply(
    archived_bulk: bool = typer.Option(False, "--archived-bulk", help="Also rewrite archived files, plain-text rule."),
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="Run even with uncommitted changes."),
    no_git: bool = typer.Option(False, "--no-git", help="Plain renames instead of git mv."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    rewrite_own_urls: bool = typer.Option(False, "--rewrite-own-urls",
                                          help="Rewrite links to this repository's own files (GitHub/GitLab URLs)."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Move, rewrite every reference, then verify. Journaled: interrupt-safe, undoable."""
    from pathmove import apply as apply_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    with report.progress(err, not json_out) as prog:
        outcome = apply_mod.run(root_path, m, archived_bulk=archived_bulk, allow_dirty=allow_dirty,
                                use_git=_git_flag(no_git), progress=prog,
                                rewrite_own_urls=rewrite_own_urls)
    v = outcome.verify
    stale = bool(v and (v.changes or v.reviews))
    code = 1 if stale else 0
    if json_out:
        shown = outcome.plan or v
        assert shown is not None  # apply always verifies
        doc = report.plan_document(shown, "apply", extra={
            "status": outcome.status, "exit_code": code,
            "ignored_moved": outcome.ignored[0], "ignored_still": outcome.ignored[1],
            "stale": report.plan_document(v, "verify")["findings"] if v else [],
        })
        report.print_json(doc)
        return code
    if outcome.plan is not None:
        report.print_moves(out, outcome.plan)
        out.print()
        report.print_summary(out, outcome.plan, "Applied", applied=True)
        out.print()
        report.print_archived_bulk(out, outcome.plan)
        report.print_ignored(out, *outcome.ignored)
    elif outcome.status == "already":
        out.print("Already applied: this mapping's last apply is in place; nothing changed.")
    elif outcome.status == "resumed":
        out.print("Resumed the interrupted apply and finished it.")
    if v is not None:
        report.print_verify(out, v, include_archived=False)
    if outcome.plan is not None:
        report.print_notices(err, outcome.plan)
    if outcome.status in ("applied", "resumed"):
        out.print("[dim]`pathmove undo` restores the tree as it was before this apply.[/]")
    return code


@command
def verify(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    include_archived: bool = typer.Option(False, "--include-archived", help="Fail on archived files' references too."),
    no_git: bool = typer.Option(False, "--no-git", help="Ignore git: list files by walking the tree."),
    show_all: bool = typer.Option(False, "--all", help="List every stale reference (no cut after 50 lines)."),
    fmt: Format = FormatOpt,
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Scan the repository for stale references. Exit 0 none, 1 found."""
    json_out = json_out or fmt == Format.json
    from pathmove import plan as plan_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    with report.progress(err, fmt == Format.human and not json_out) as prog:
        v = plan_mod.build(root_path, m, mode="verify", use_git=_git_flag(no_git),
                           progress=(lambda d, t: prog("verifying", d, t)) if prog else None)
    _debug_stats(err, v)
    stale = bool(v.changes or v.reviews or (include_archived and v.archived))
    if fmt == Format.github:
        report.print_github(v, include_archived=include_archived)
        report.print_notices(err, v)
        return int(stale)
    if json_out:
        report.print_json(report.plan_document(v, "verify", include_archived=include_archived,
                                               extra={"exit_code": int(stale)}))
        return int(stale)
    with report.paged(out):
        report.print_verify(out, v, include_archived=include_archived,
                            limit=None if show_all or report.settings["verbose"] else report.LIMIT)
    report.print_notices(err, v)
    return int(stale)


@command
def check(
    files: List[str] = typer.Argument(None, help="Files to check (the pre-commit hook passes the staged ones)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite the stale references found in these files "
                             "(exit 0 when that fixed them all, like ruff --fix)."),
    show_all: bool = typer.Option(False, "--all", help="List every stale reference (no cut after 50 lines)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    fmt: Format = FormatOpt,
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """verify for the named files only (the pre-commit hook). Exit 0 none, 1 found."""
    json_out = json_out or fmt == Format.json
    from pathmove import apply as apply_mod
    from pathmove import plan as plan_mod
    from pathmove import report

    root_path, m = _context(root, mapping)
    out, err = report.consoles()
    rels, missing, outside = [], [], []
    for f in files or []:
        p = Path(os.path.abspath(f))
        if not os.path.lexists(p):
            missing.append(f)
            continue
        try:
            rels.append(p.relative_to(root_path).as_posix())
        except ValueError:
            try:
                rels.append(Path(os.path.realpath(p)).relative_to(os.path.realpath(root_path)).as_posix())
            except ValueError:
                outside.append(f)
    if missing or outside:  # bad input: say so, check nothing (exit 2)
        from pathmove.errors import PathmoveError

        problems = ([f"no such file: {', '.join(missing)}"] if missing else []) + \
            ([f"outside the root {root_path}: {', '.join(outside)}"] if outside else [])
        raise PathmoveError("; ".join(problems), hint="name files inside the repository, or pass --root")
    v = plan_mod.build(root_path, m, mode="verify", only=rels, use_git=False)
    _debug_stats(err, v)
    # archived files are history: check, like verify, does not fail on them
    stale = bool(v.changes or v.reviews)
    fixed = 0
    if fix and v.changes:
        fixed = apply_mod.write_in_place(root_path, v.changes, m)
        stale = bool(v.reviews)  # like ruff --fix: what was rewritten no longer fails
    if fmt == Format.github:
        report.print_github(v)  # what was found (and, with --fix, rewritten)
        return int(stale)
    if json_out:
        report.print_json(report.plan_document(v, "check", extra={"fixed": fixed, "exit_code": int(stale)}))
        return int(stale)
    with report.paged(out):
        report.print_check(out, v, checked=len(rels), fixed=bool(fixed),
                           limit=None if show_all or report.settings["verbose"] else report.LIMIT)
    report.print_notices(err, v, binaries=False)
    return int(stale)


def _debug_stats(err: Any, p: Any) -> None:
    if _state.get("debug"):
        from pathmove import report

        report.print_prefilter(err, p)


@command
def infer(
    rev: str = typer.Argument("HEAD", metavar="REV", help="Commit to compare with the index and working tree."),
    write: bool = typer.Option(False, "--write", help="Write the mapping file (migrations.yaml, or -m FILE)."),
    force: bool = typer.Option(False, "--force", help="With --write: replace an existing mapping file."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Print the mapping for moves already made (git's renames since REV), folded into folder moves."""
    from pathmove import infer as infer_mod
    from pathmove import report

    root_path = _root(root)
    result = infer_mod.infer(root_path, rev)
    out, err = report.consoles()
    if result.warning:  # git-lfs#4770: past its rename limit git drops renames without failing
        err.print(f"[yellow]warning:[/] {report.esc(infer_mod.GAVE_UP)} (git: {report.esc(result.warning)})")
    if not result.moves:
        from pathmove import repo

        committed = rev == "HEAD" and not repo.dirty_paths(root_path)
        report.print_error(err, f"no renames between {rev} and the working tree: nothing to infer",
                           "nothing is uncommitted: if the moves are in the last commit, run `pathmove infer HEAD~1` "
                           "(or name the commit before them)" if committed else
                           "infer reads moves git can pair by content (git mv, or a folder moved by hand); "
                           "a file emptied or rewritten beyond recognition is a delete and an add")
        return 1
    text = infer_mod.to_yaml(result)
    if not write:
        sys.stdout.write(text)
        return 0
    target = _mapping_path(root_path, mapping if mapping is not None else _state.get("mapping"))  # type: ignore[arg-type]
    infer_mod.write_mapping(target, text, force)
    files = sum(m.files for m in result.moves)
    out.print(f"wrote {report.esc(str(target))}: {report.plural(len(result.moves), 'entry', 'entries')} "
              f"explaining {report.plural(files, 'renamed file')}")
    out.print("[dim]next: `pathmove plan` to review, `pathmove apply` to rewrite the references[/]")
    return 0


def _mapping_path(root_path: Path, mapping: Optional[str]) -> Path:
    from pathmove import mapping as mapping_mod

    if mapping is None:
        return mapping_mod.default_path(root_path)
    mpath = Path(mapping)
    return mpath if mpath.is_absolute() else Path.cwd() / mpath


@command
def undo(
    force: bool = typer.Option(False, "--force", help="Restore even files that changed since apply."),
    no_git: bool = typer.Option(False, "--no-git", help="Accepted for old scripts: the journal records whether apply used git."),
    root: Optional[str] = RootOpt,
    mapping: Optional[str] = MappingOpt,
) -> int:
    """Return the tree byte-for-byte to its state before the last apply."""
    from pathmove import report
    from pathmove import undo as undo_mod

    root_path = _root(root)
    out, _ = report.consoles()
    done = undo_mod.undo(root_path, force=force)  # the journal knows whether apply used git
    if done == undo_mod.NOTHING:  # SPEC §5: a no-op, exit 0 (`apply || pathmove undo` must not fail)
        out.print("nothing to undo: no apply is recorded for this repository")
    elif done == undo_mod.UNSTARTED:
        out.print("nothing to undo: the interrupted apply had not changed anything; its journal is removed")
    else:
        out.print("[green]undone:[/] the tree is back to its state before the last apply")
    return 0


@command
def demo(
    where: Optional[str] = typer.Option(None, "--dir", help="Create the demo repository here (must not exist; kept)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the temporary folder (default: removed at the end)."),
) -> int:
    """Copy the bundled demo repository to a temporary folder, migrate it there, then remove it."""
    from pathmove import demo as demo_mod

    return demo_mod.run(where, keep)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point: run the app and return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        rv = app(args=args or ["--help"], prog_name="pathmove", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except typer.TyperException as exc:  # a usage error: one line, and where the help is
        return _usage_error(exc)
    except typer.Abort:
        return 130
    return rv if isinstance(rv, int) else 0


def _usage_error(exc: Any) -> int:
    from pathmove import report

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "pathmove"
    _, err = report.consoles()
    report.print_error(err, exc.format_message(), f"see `{where} --help`")
    return int(getattr(exc, "exit_code", 2))
