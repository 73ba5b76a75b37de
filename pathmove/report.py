"""Everything pathmove prints: summary tables, findings, diffs, JSON. The only printing module."""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import sys
from collections import Counter
from typing import IO, Any, Callable, Iterator

from pathmove.edits import Edit, Review
from pathmove.plan import FileChange, Plan

JSON_VERSION = 1
LIMIT = 50  # findings shown before "… and N more (use --json)"
DIFF_LIMIT = 20  # files shown by plan --diff before the cut


# ---- positions -----------------------------------------------------------------------
def position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    bol = data.rfind(b"\n", 0, offset) + 1
    col = len(data[bol:offset].decode("utf-8", "replace")) + 1
    return line, col


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape").encode("utf-8", "backslashreplace").decode("utf-8")


def finding(e: Edit, data: bytes, new_path: str | None = None) -> dict[str, Any]:
    line, col = position(data, e.start) if e.kind != "symlink" else (1, 1)
    d = {"path": e.path, "line": line, "column": col, "old": _text(e.old), "new": _text(e.new), "kind": e.kind}
    if new_path is not None and new_path != e.path:
        d["new_path"] = new_path
    return d


def review(r: Review, data: bytes | None) -> dict[str, Any]:
    line, col = position(data, r.start) if data is not None else (1, 1)
    return {"path": r.path, "line": line, "column": col, "message": r.message, "kind": r.kind}


# ---- JSON ------------------------------------------------------------------------------
def plan_document(plan: Plan, command: str, *, extra: dict[str, Any] | None = None,
                  include_archived: bool = False) -> dict[str, Any]:
    """The --json document (schema in the README): version, moves, findings, review, warnings, summary."""
    findings = [finding(e, c.data, c.new_path) for c in plan.changes for e in c.edits]
    archived = [dict(finding(e, c.data, c.new_path), archived=True) for c in plan.archived for e in c.edits]
    if include_archived:
        findings += archived
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "command": command,
        "root": str(plan.root),
        "moves": [{"from": m.old, "to": m.new, "status": m.status, "type": "dir" if m.is_dir else "file"}
                  for m in plan.moves],
        "findings": findings,
        "review": [review(r, plan.review_data.get(r.path)) for r in plan.reviews],
        "archived": [{"path": c.path, "references": len(c.edits)} for c in plan.archived],
        "warnings": [{"path": n.path, "message": n.message} for n in plan.notices]
        + [{"path": s.path, "message": f"skipped: {s.reason}"} for s in plan.skips],
        "summary": summary(plan),
    }
    if extra:
        doc.update(extra)
    return doc


def summary(plan: Plan) -> dict[str, Any]:
    kinds = Counter(e.kind for c in plan.changes for e in c.edits)
    return {
        "moves": sum(1 for m in plan.moves if m.status == "move"),
        "already_moved": sum(1 for m in plan.moves if m.status == "already"),
        "files_listed": plan.files_listed,
        "files_scanned": plan.files_scanned,
        "files_changed": len(plan.changes),
        "references": sum(kinds.values()),
        "by_kind": dict(sorted(kinds.items())),
        "review": len(plan.reviews),
        "archived_references": sum(len(c.edits) for c in plan.archived),
        "warnings": len(plan.notices),
        "prefilter": prefilter(plan),
    }


def prefilter(plan: Plan) -> dict[str, Any]:
    """Per kind: files listed, files holding a `from`'s last component, files a finder was given."""
    pf = plan.prefilter
    kinds = sorted(set(pf.listed) | set(pf.reached))
    by_kind = {k: {"listed": pf.listed.get(k, 0), "named": pf.named.get(k, 0), "reached": pf.reached.get(k, 0),
                   "fraction": round(pf.reached.get(k, 0) / pf.listed[k], 6) if pf.listed.get(k) else 0.0}
               for k in kinds}
    listed, reached = sum(pf.listed.values()), sum(pf.reached.values())
    return {"files_listed": listed, "files_reached": reached,
            "fraction": round(reached / listed, 6) if listed else 0.0, "by_kind": by_kind}


def print_prefilter(console: Any, plan: Plan) -> None:
    """--debug: what fraction of files reached each finder."""
    d = prefilter(plan)
    console.print(f"[dim]prefilter: {d['files_reached']:,} of {d['files_listed']:,} files listed reached a finder "
                  f"({d['fraction']:.2%})[/]")
    for kind, k in d["by_kind"].items():
        console.print(f"[dim]  {kind:>9}: {k['reached']:,} of {k['listed']:,} ({k['fraction']:.2%}); "
                      f"{k['named']:,} held a needle[/]")


def print_json(doc: dict[str, Any], out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


# ---- human output ------------------------------------------------------------------
def consoles() -> tuple[Any, Any]:
    """stdout and stderr consoles; rich is imported on first use (a clean `check` prints nothing)."""
    return _LazyConsole(stderr=False), _LazyConsole(stderr=True)


class _LazyConsole:
    """A rich Console made on first use: the pre-commit hook's clean run never pays for rich."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def real(self) -> Any:
        """The rich Console itself (for rich objects that take a console, such as Progress)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, no_color=bool(os.environ.get("NO_COLOR")),
                                    highlight=False, soft_wrap=True)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def print_moves(console: Any, plan: Plan) -> None:
    if not plan.moves:
        return
    from rich.table import Table

    table = Table(title="Moves", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("from")
    table.add_column("")
    table.add_column("to")
    table.add_column("status")
    for m in plan.moves:
        status = "move" if m.status == "move" else "[dim]already moved[/]"
        table.add_row(esc(m.old + ("/" if m.is_dir else "")), "→", esc(m.new + ("/" if m.is_dir else "")), status)
    console.print(table)


def print_summary(console: Any, plan: Plan, title: str) -> None:
    from rich.table import Table

    s = summary(plan)
    table = Table(title=title, title_justify="left", show_header=False, show_edge=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    if plan.mode == "plan":
        table.add_row("moves", str(s["moves"]) + (f" (+{s['already_moved']} already moved)" if s["already_moved"] else ""))
    table.add_row("files scanned", f"{s['files_scanned']:,} of {s['files_listed']:,}")
    table.add_row("files with references", f"{s['files_changed']:,}")
    by_kind = ", ".join(f"{k} {v:,}" for k, v in s["by_kind"].items())
    table.add_row("references", f"{s['references']:,}" + (f"  ({by_kind})" if by_kind else ""))
    if plan.archived:
        table.add_row("archived (not rewritten)", f"{s['archived_references']:,} in {len(plan.archived):,} files")
    if plan.reviews:
        table.add_row("[yellow]need review[/]", f"[yellow]{len(plan.reviews):,}[/]")
    if plan.notices:
        table.add_row("warnings", f"{len(plan.notices):,}")
    console.print(table)


def print_findings(console: Any, changes: list[FileChange], *, limit: int = LIMIT, archived: bool = False) -> None:
    """Findings grouped by file, line:col old → new, cut after limit."""
    shown = 0
    total = sum(len(c.edits) for c in changes)
    for c in changes:
        if shown >= limit:
            break
        moved = f"  [dim](→ {esc(c.new_path)})[/]" if c.new_path != c.path else ""
        console.print(f"[bold]{esc(c.path)}[/]{moved}")
        for e in sorted(c.edits, key=lambda e: e.start):
            if shown >= limit:
                break
            line, col = position(c.data, e.start) if c.kind != "symlink" else (1, 1)
            console.print(f"  {line}:{col}  [red]{esc(_text(e.old))}[/] → [green]{esc(_text(e.new))}[/]  [dim]{e.kind}[/]")
            shown += 1
    if total > shown:
        console.print(f"[dim]… and {total - shown:,} more (use --json)[/]")


def print_reviews(console: Any, plan: Plan, limit: int = LIMIT) -> None:
    if not plan.reviews:
        return
    console.print("[yellow bold]Needs review[/] (not rewritten; edit by hand):")
    for r in plan.reviews[:limit]:
        d = review(r, plan.review_data.get(r.path))
        console.print(f"  {esc(r.path)}:{d['line']}:{d['column']}  {esc(r.message)}")
    if len(plan.reviews) > limit:
        console.print(f"[dim]… and {len(plan.reviews) - limit:,} more (use --json)[/]")


def print_notices(console: Any, plan: Plan, limit: int = 10) -> None:
    items = [(n.path, n.message) for n in plan.notices] + [(s.path, f"skipped: {s.reason}") for s in plan.skips]
    if not items:
        return
    console.print(f"[yellow]{len(items)} warning(s)[/]:")
    for path, msg in items[:limit]:
        console.print(f"  {esc(path)}: {esc(msg)}")
    if len(items) > limit:
        console.print(f"[dim]… and {len(items) - limit:,} more (use --json)[/]")


def print_diff(console: Any, plan: Plan, *, show_all: bool = False) -> None:
    """A coloured unified diff of every file that would change."""
    changes = plan.changes if show_all else plan.changes[:DIFF_LIMIT]
    for c in changes:
        if c.kind == "symlink":
            console.print(f"[bold]symlink {esc(c.path)}[/]: {esc(_text(c.data))} → {esc(_text(c.new_data))}")
            continue
        a = c.data.decode("utf-8", "replace").splitlines(keepends=True)
        b = c.new_data.decode("utf-8", "replace").splitlines(keepends=True)
        for line in difflib.unified_diff(a, b, f"a/{c.path}", f"b/{c.new_path}", n=1):
            line = line.rstrip("\r\n")
            style = "bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@") else \
                "red" if line.startswith("-") else "green" if line.startswith("+") else ""
            console.print(f"[{style}]{esc(line)}[/]" if style else esc(line))
    if len(plan.changes) > len(changes):
        console.print(f"[dim]… and {len(plan.changes) - len(changes):,} more files (use --diff --all)[/]")


def print_error(err: Any, message: str, hint: str = "") -> None:
    err.print(f"[red bold]error:[/] {esc(message)}")
    if hint:
        err.print(f"[dim]hint: {esc(hint)}[/]")


# ---- progress ---------------------------------------------------------------------------
@contextlib.contextmanager
def progress(err: Any, enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient progress bar on stderr, only when stderr is a terminal."""
    if not enabled or not err.is_terminal:
        yield None
        return
    err = err.real() if isinstance(err, _LazyConsole) else err
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, transient=True)
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        # total 0: still listing (git grep is searching), a pulsing bar until the count is known
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total or None)
        bar.update(tasks[label], completed=done, total=total or None)

    with bar:
        yield update
