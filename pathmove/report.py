"""Everything pathmove prints: summary tables, findings, diffs, JSON. The only printing module."""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import sys
from collections import Counter
from typing import IO, Any, Callable, Iterator, NamedTuple

from pathmove.edits import Edit, Review
from pathmove.plan import FileChange, Plan
from pathmove.words import plural as plural  # re-exported: cli and demo count through report

JSON_VERSION = 1
LIMIT = 50  # findings shown before "… and N more (use --json)"


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
        "warnings": [{"path": path, "message": message} for path, message in warnings(plan)],
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
        "by_entry": by_entry(plan),
        "review": len(plan.reviews),
        "archived_references": sum(len(c.edits) for c in plan.archived),
        "warnings": len(warnings(plan)),
        "prefilter": prefilter(plan),
        "census": census(plan),
    }


def census(plan: Plan) -> dict[str, Any]:
    """SPEC §3: occurrences of needles by disposition, and why the others are not references."""
    return {"by_disposition": dict(sorted(plan.census.items())),
            "not_a_reference": dict(sorted(plan.census_reasons.items())),
            "occurrences": sum(n for s, n in plan.census.items() if s != "uncounted")}


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
    c = census(plan)
    shown = ", ".join(f"{state} {n:,}" for state, n in c["by_disposition"].items()) or "none"
    console.print(f"[dim]census: {c['occurrences']:,} occurrences: {esc(shown)}[/]")
    for why, n in c["not_a_reference"].items():
        console.print(f"[dim]  not a reference, {esc(why)}: {n:,}[/]")


def print_json(doc: dict[str, Any], out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


# ---- human output ------------------------------------------------------------------
# Global output settings, set once by the cli's callback: --color/--no-color, -q, -v, --no-pager.
settings: dict[str, Any] = {"color": None, "quiet": False, "verbose": False, "pager": True}

WIDE = 100_000  # outside a terminal nothing wraps or cuts: a path is printed in full


def use_color(stream: IO[str]) -> bool:
    """--color/--no-color decide; else NO_COLOR, then FORCE_COLOR, then whether stream is a terminal."""
    if settings["color"] is not None:
        return bool(settings["color"])
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def consoles() -> tuple[Any, Any]:
    """stdout and stderr consoles; rich is imported on first use (a clean `check` prints nothing)."""
    return _LazyConsole(stderr=False), _LazyConsole(stderr=True)


def make_console(stream: IO[str], *, stderr: bool = False) -> Any:
    """A rich Console: in a terminal it wraps at word boundaries to its width; elsewhere it
    never wraps nor cuts (a CI log or a pipe gets every path in full)."""
    from rich.console import Console

    tty = _isatty(stream)
    color = use_color(stream)
    kw: dict[str, Any] = {} if tty else {"width": WIDE}
    return Console(file=stream if not stderr else None, stderr=stderr, no_color=not color, force_terminal=color or tty,
                   force_interactive=tty, color_system="auto" if color else None, highlight=False,
                   soft_wrap=not tty, **kw)


class _LazyConsole:
    """A rich Console made on first use: the pre-commit hook's clean run never pays for rich."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def real(self) -> Any:
        """The rich Console itself (for rich objects that take a console, such as Progress)."""
        if self._console is None:
            self._console = make_console(sys.stderr if self._stderr else sys.stdout, stderr=self._stderr)
        return self._console

    def plain(self, text: str) -> None:
        """Print text with no markup; before rich is loaded, without loading it (a clean hook run)."""
        if self._console is None:
            stream = sys.stderr if self._stderr else sys.stdout
            stream.write(text + "\n")
            stream.flush()
        else:
            from rich.markup import escape

            self._console.print(escape(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def print_moves(console: Any, plan: Plan) -> None:
    if not plan.moves:
        return
    from rich import box
    from rich.table import Table

    rows = []
    for m in plan.moves:
        status = ("git mv" if plan.use_git else "move") if m.status == "move" else "already moved"
        rows.append((m.old + ("/" if m.is_dir else ""), m.new + ("/" if m.is_dir else ""), status))
    # from, " → ", to, status and the gaps between the columns
    wide = max(len(a) for a, _, _ in rows) + max(len(b) for _, b, _ in rows) + max(len(c) for _, _, c in rows) + 12
    if wide > console.width:
        # one move per two lines rather than a table whose paths fold in the middle of a name
        console.print("[bold]Moves[/]")
        for old, new, status in rows:
            console.print(f"  {esc(old)}  [dim]{esc(status)}[/]", overflow="fold")
            console.print(f"    → {esc(new)}", overflow="fold")
        console.print()
        return
    table = Table(title="[bold]Moves[/]", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False, header_style="dim")
    table.add_column("from", overflow="fold")  # a path is folded, never cut
    table.add_column("", no_wrap=True)
    table.add_column("to", overflow="fold")
    table.add_column("status", no_wrap=True)
    for old, new, status in rows:
        table.add_row(esc(old), "→", esc(new), status if status != "already moved" else "[dim]already moved[/]")
    console.print(table)


def print_summary(console: Any, plan: Plan, title: str, *, applied: bool = False) -> None:
    """The summary table: moves; files and references per kind; review items; archived; warnings."""
    from rich import box
    from rich.table import Table

    s = summary(plan)
    table = Table(title=f"[bold]{esc(title)}[/]", title_justify="left", show_header=False, box=box.SIMPLE,
                  show_edge=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(style="dim")
    if plan.mode == "plan":
        table.add_row("moves", f"{s['moves']:,}", f"+{s['already_moved']} already moved" if s["already_moved"] else "")
    table.add_row("files scanned", f"{s['files_scanned']:,}", f"of {s['files_listed']:,} (the others hold no old path)"
                  if s["files_listed"] > s["files_scanned"] else "")
    table.add_row("files rewritten" if applied else "files to rewrite" if plan.mode == "plan" else "files with references",
                  f"{s['files_changed']:,}", "")
    table.add_row("references", f"{s['references']:,}", "by rewriter:" if len(s["by_kind"]) > 1 else
                  "".join(f"all {k}" for k in s["by_kind"]))
    if len(s["by_kind"]) > 1:
        for kind, count in s["by_kind"].items():
            table.add_row(f"[not bold]  {esc(kind)}[/]", f"{count:,}", "")
    if plan.archived:
        table.add_row("archived", f"{s['archived_references']:,}",
                      f"in {plural(len(plan.archived), 'archived file')}, kept (--archived-bulk rewrites)")
    if plan.reviews:
        table.add_row("[yellow]need review[/]", f"[yellow]{len(plan.reviews):,}[/]", "not rewritten; listed below")
    if s["warnings"]:
        table.add_row("[yellow]warnings[/]", f"[yellow]{s['warnings']:,}[/]", "listed on stderr")
    console.print(table)


class Item(NamedTuple):
    """A finding as a person reads it: one edit, or the segments of one split path joined."""

    start: int
    end: int
    old: bytes
    new: bytes
    kind: str
    times: int  # edits it stands for


def items(c: FileChange) -> list[Item]:
    """The file's edits in order; a chain's segments on one line (SPEC §4.1) become one item."""
    out: list[Item] = []
    for e in sorted(c.edits, key=lambda e: e.start):
        last = out[-1] if out else None
        if (last is not None and "chain" in e.kind and last.kind == e.kind and e.start - last.end <= 16
                and b"\n" not in c.data[last.end:e.start]):
            out[-1] = Item(last.start, e.end, last.old + c.data[last.end:e.start] + e.old,
                           last.new + c.data[last.end:e.start] + e.new, e.kind, last.times + 1)
        else:
            out.append(Item(e.start, e.end, e.old, e.new, e.kind, 1))
    return [_quoted(c.data, it) if it.times > 1 else it for it in out]


def _quoted(data: bytes, it: Item) -> Item:
    """Joined segments start and end inside string literals: show their quotes too."""
    if it.start > 0 and it.end < len(data) and data[it.start - 1:it.start] in (b'"', b"'") \
            and data[it.end:it.end + 1] == data[it.start - 1:it.start]:
        q = data[it.start - 1:it.start]
        return Item(it.start - 1, it.end + 1, q + it.old + q, q + it.new + q, it.kind, it.times)
    return it


def _rows(c: FileChange) -> dict[tuple[bytes, bytes, str], list[tuple[str, int]]]:
    """One file's findings grouped by (old, new, kind), in order of first appearance: line:col, edits."""
    rows: dict[tuple[bytes, bytes, str], list[tuple[str, int]]] = {}
    for it in items(c):
        line, col = position(c.data, it.start) if c.kind != "symlink" else (1, 1)
        rows.setdefault((it.old, it.new, it.kind), []).append((f"{line}:{col}", it.times))
    return rows


POSITIONS_PER_ROW = 6  # line:col shown on one row before "+N"


def print_findings(console: Any, changes: list[FileChange], *, limit: int | None = LIMIT,
                   archived: bool = False) -> None:
    """Findings grouped by file, one row per old → new with its line:col list; at most `limit` lines."""
    limit = sys.maxsize if limit is None else limit
    total = sum(len(c.edits) for c in changes)
    lines = shown = 0
    hidden_files = len(changes)
    for c in changes:
        if lines + 2 > limit:  # a file header needs at least one row under it
            break
        moved = f"  [dim]→ {esc(c.new_path)}[/]" if c.new_path != c.path else ""
        console.print(f"[bold]{esc(c.path)}[/]{moved}  [dim]{plural(len(c.edits), 'reference')}[/]")
        lines += 1
        cells = [(" ".join(at for at, _ in where[:POSITIONS_PER_ROW])
                  + (f" +{len(where) - POSITIONS_PER_ROW}" if len(where) > POSITIONS_PER_ROW else ""),
                  key, sum(n for _, n in where))
                 for key, where in _rows(c).items()]
        width = max(len(at) for at, _, _ in cells)
        done = 0
        for at, (old, new, kind), n in cells:
            if lines >= limit:
                break
            console.print(f"  [dim]{at:<{width}}[/]  [red]{esc(_text(old))}[/] → [green]{esc(_text(new))}[/]"
                          f"  [dim]{esc(kind)}[/]")
            lines += 1
            done += n
        shown += done
        hidden_files -= done == len(c.edits)
    if total > shown:
        console.print(f"[dim]… and {total - shown:,} more in {plural(hidden_files, 'file')} (--all lists them)[/]")


def print_reviews(console: Any, plan: Plan, limit: int = LIMIT) -> None:
    """Places a person must decide (SPEC §4.1): file:line:col and why; never rewritten."""
    if not plan.reviews:
        return
    console.print(f"[yellow bold]{plural(len(plan.reviews), 'place needs', 'places need')} review[/] "
                  "(not rewritten; edit by hand):")
    for r in plan.reviews[:limit]:
        d = review(r, plan.review_data.get(r.path))
        console.print(f"  {esc(r.path)}:{d['line']}:{d['column']}  {esc(r.message)}  [dim]{esc(r.kind)}[/]")
    if len(plan.reviews) > limit:
        console.print(f"[dim]… and {len(plan.reviews) - limit:,} more (use --json)[/]")


def warnings(plan: Plan, *, binaries: bool = True) -> list[tuple[str, str]]:
    """Every warning once: parse fallbacks, then skipped files (binaries only when asked)."""
    items = list(dict.fromkeys((n.path, n.message) for n in plan.notices))
    items += [(s.path, f"skipped: {s.reason}") for s in plan.skips if binaries or s.reason != "binary"]
    return items


def print_notices(console: Any, plan: Plan, limit: int = 10, *, binaries: bool = True) -> None:
    """Warnings, collected over the whole run, shown once with their count."""
    items = warnings(plan, binaries=binaries)
    if not items:
        return
    console.print(f"[yellow]{plural(len(items), 'warning')}:[/]")
    for path, msg in items[:limit]:
        console.print(f"  {esc(path)}: {esc(msg)}")
    if len(items) > limit:
        console.print(f"[dim]… and {len(items) - limit:,} more (use --json)[/]")


def print_verify(console: Any, v: Plan, *, include_archived: bool = False, limit: int | None = LIMIT) -> None:
    """verify's verdict first, then the stale references grouped by file, then the archived count."""
    n = sum(len(c.edits) for c in v.changes)
    if n or v.reviews:
        review = plural(len(v.reviews), 'place needs', 'places need') + " review"
        if n:
            console.print(f"[red bold]✗ {plural(n, 'stale reference')} in {plural(len(v.changes), 'file')}[/]"
                          + (f", [yellow]{review}[/]" if v.reviews else ""))
        else:
            console.print(f"[red bold]✗ {review}[/] (no other stale reference)")
        if len(v.mapping.entries) > 1:
            print_entries(console, v)
        print_findings(console, v.changes, limit=limit)
        print_reviews(console, v, limit=sys.maxsize if limit is None else limit)
    else:
        console.print("[green bold]✓ verify: no stale references[/]")
    if v.archived:
        a = sum(len(c.edits) for c in v.archived)
        what = f"{plural(a, 'stale reference')} in {plural(len(v.archived), 'archived file')}"
        if include_archived:
            console.print(f"[red bold]✗ {what}[/]")
            print_findings(console, v.archived, limit=limit)
        else:
            console.print(f"[dim]{what}, history left as it is (--include-archived fails on them)[/]")


def print_ignored(console: Any, moved: int, still: int) -> None:
    """SPEC §4.8: untracked ignored files that moved with their folder."""
    if not moved:
        return
    if still == moved:
        console.print(f"{plural(moved, 'ignored file')} moved, still ignored")
    else:
        console.print(f"[red]{plural(moved, 'ignored file')} moved, {moved - still} no longer ignored[/]")
    console.print()


def print_archived_bulk(console: Any, plan: Plan, limit: int = LIMIT) -> None:
    """apply --archived-bulk: one count per archived file (SPEC §4.6)."""
    bulk = [c for c in plan.changes if c.archived]
    if bulk:
        console.print(f"[bold]Archived files[/] rewritten in bulk with the plain-text rule ({len(bulk):,}):")
    for c in bulk[:limit]:
        console.print(f"  archived {esc(c.new_path)}: {plural(len(c.edits), 'reference')} rewritten")
    if len(bulk) > limit:
        console.print(f"[dim]… and {len(bulk) - limit:,} more archived files (use --json)[/]")


def _oneline(s: str) -> str:
    """A multi-line old or new text (a wrapped Python chain) on one display line."""
    return re.sub(r"\s*\n\s*", " ", s)


def _excerpt(data: bytes, offset: int, width: int = 100) -> str:
    """The source line around offset, stripped and cut to width characters."""
    bol = data.rfind(b"\n", 0, offset) + 1
    eol = data.find(b"\n", offset)
    text = _text(data[bol:eol if eol >= 0 else len(data)]).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def print_check(console: Any, plan: Plan, *, checked: int, fixed: bool, limit: int | None = LIMIT) -> None:
    """check (the pre-commit hook, SPEC §6): `file:line:col: old → new` per place, then what to do."""
    limit = sys.maxsize if limit is None else limit
    n = sum(len(c.edits) for c in plan.changes)
    if not n and not plan.reviews:
        verdict = f"✓ {plural(checked, 'file')} checked: no retired paths"
        if settings["quiet"]:
            return
        console.plain(verdict) if isinstance(console, _LazyConsole) else console.print(verdict)
        return
    lines = 0
    froms = {entry.old for entry in plan.mapping.entries}
    for c in plan.changes:
        for e in items(c):
            if lines < limit:
                line, col = position(c.data, e.start) if c.kind != "symlink" else (1, 1)
                console.print(f"{esc(c.path)}:{line}:{col}: [red]{esc(_oneline(_text(e.old)))}[/] → "
                              f"[green]{esc(_oneline(_text(e.new)))}[/]  [dim]{esc(e.kind)}[/]")
                if c.kind != "symlink" and _text(e.old) not in froms:
                    # a path segment or a relative link: show the line that spells the old path
                    console.print(f"    [dim]{esc(_excerpt(c.data, e.start))}[/]")
            lines += 1
    for r in plan.reviews:
        if lines < limit:
            d = review(r, plan.review_data.get(r.path))
            console.print(f"{esc(r.path)}:{d['line']}:{d['column']}: [yellow]needs review:[/] {esc(r.message)}")
        lines += 1
    if lines > limit:
        console.print(f"[dim]… and {lines - limit:,} more (--all lists them)[/]")
    files = " ".join(esc(c.path) for c in plan.changes)
    mapping = esc(plan.mapping.source or "the mapping")
    if fixed:
        console.print(f"[green]✓ rewrote {plural(n, 'reference')} to retired paths in {plural(len(plan.changes), 'file')}[/]"
                      " — review the change, then stage it again (git add " + files + ")")
    elif n:
        console.print(f"[red bold]✗ {plural(n, 'reference')} to retired paths in {plural(len(plan.changes), 'file')}[/]"
                      f" ({mapping} lists them): use the new path shown after →")
        console.print("  or let pathmove rewrite them: in .pre-commit-config.yaml give the pathmove hook "
                      "[bold]args: [--fix][/] and commit again (it rewrites, you review and stage), "
                      f"or, where pathmove is installed, run [bold]pathmove check --fix {files}[/]")
        hint = keep_hint(plan)
        if hint:
            console.print(f"  [dim]{esc(hint)}[/]")
    if plan.reviews:
        console.print(f"[yellow]{plural(len(plan.reviews), 'place needs', 'places need')} review "
                      "(pathmove cannot rewrite it safely); edit by hand[/]")


def print_error(err: Any, message: str, hint: str = "") -> None:
    """One line: what is wrong, then what to do (a list of conflicts keeps its lines, hint last)."""
    if "\n" in message:
        err.print(f"[red bold]error:[/] {esc(message)}")
        if hint:
            err.print(f"  [bold]→[/] {esc(hint)}")
        return
    err.print(f"[red bold]error:[/] {esc(message)}" + (f" [bold]→[/] {esc(hint)}" if hint else ""))


# ---- progress ---------------------------------------------------------------------------
@contextlib.contextmanager
def progress(err: Any, enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient progress bar on stderr, only when stderr is a terminal."""
    if not enabled or settings["quiet"] or not _isatty(sys.stderr):
        yield None
        return
    err = err.real() if isinstance(err, _LazyConsole) else err
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, transient=True)
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        # the bar appears once its total is known (never "0/?")
        if label not in tasks:
            if not total:
                return
            tasks[label] = bar.add_task(label, total=total)
        bar.update(tasks[label], completed=done, total=total)

    with bar:
        yield update


# ---- CI annotations (--format github) ----------------------------------------------------
def _gh_data(s: str) -> str:
    # GitHub workflow commands: %, CR and LF are escaped in the message …
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    # … and also : and , in a property value such as file=
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github_annotations(plan: Plan, include_archived: bool = False) -> list[str]:
    """One `::error` workflow command per stale reference (and per place needing review)."""
    lines = []
    changes = plan.changes + (plan.archived if include_archived else [])
    for c in changes:
        for e in sorted(c.edits, key=lambda e: e.start):
            d = finding(e, c.data)
            end = d["column"] + len(d["old"]) if "\n" not in d["old"] else None
            where = f"file={_gh_prop(c.path)},line={d['line']},col={d['column']}" + \
                (f",endColumn={end}" if end else "")
            lines.append(f"::error {where},title={_gh_prop('stale path')}::"
                         + _gh_data(f"{d['old']} was moved: use {d['new']} ({d['kind']})"))
    for r in plan.reviews:
        d = review(r, plan.review_data.get(r.path))
        lines.append(f"::error file={_gh_prop(r.path)},line={d['line']},col={d['column']},"
                     f"title={_gh_prop('needs review')}::" + _gh_data(r.message))
    return lines


def print_github(plan: Plan, include_archived: bool = False, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    for line in github_annotations(plan, include_archived):
        out.write(line + "\n")


# ---- plan --diff: a patch git can apply ------------------------------------------------
def _git_quote(path: str) -> str:
    """A path as git spells it in a patch header: C-quoted when it holds a quote, backslash,
    control or non-ASCII character (git's core.quotePath default), else as it is."""
    raw = path.encode("utf-8", "surrogateescape")
    if not any(b < 0x20 or b >= 0x7F or b in (0x22, 0x5C) for b in raw):
        return path
    names = {0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x22: '"', 0x5C: "\\"}
    out = "".join("\\" + names[b] if b in names else f"\\{b:03o}" if b < 0x20 or b >= 0x7F else chr(b)
                  for b in raw)
    return f'"{out}"'


def _blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's object id


def _mode(root: Any, path: str) -> str:
    import stat

    try:
        st = os.lstat(os.path.join(root, path))
    except OSError:
        return "100644"
    if stat.S_ISLNK(st.st_mode):
        return "120000"
    return "100755" if st.st_mode & 0o111 else "100644"


def _hunks(a: bytes, b: bytes, label_a: str, label_b: str) -> list[bytes]:
    """git's unified diff of a to b, byte-exact: CRLF kept, a missing last newline marked."""
    lines = list(difflib.diff_bytes(difflib.unified_diff, a.splitlines(keepends=True), b.splitlines(keepends=True),
                                    label_a.encode("utf-8", "surrogateescape"),
                                    label_b.encode("utf-8", "surrogateescape"), n=3, lineterm=b""))
    out = []
    for i, line in enumerate(lines):
        if i < 2 or line.startswith(b"@@"):
            out.append(line + b"\n")
        elif line.endswith(b"\n"):
            out.append(line)
        else:
            out.append(line + b"\n\\ No newline at end of file\n")
    return out


def renamed_files(plan: Plan, files: list[str]) -> dict[str, str]:
    """Every listed file a move of this plan carries: old path → new path (longest `from` wins)."""
    moving = {m.entry.old: m for m in plan.moves if m.status == "move"}
    out: dict[str, str] = {}
    for f in files:
        entry = plan.mapping.entry_for(f)
        if entry is not None and entry.old in moving:
            out[f] = entry.new + f[len(entry.old):]
    return out


def patch(plan: Plan, files: list[str]) -> list[tuple[str, bytes]]:
    """The plan as a git patch, one (path, section) per file in path order; `files` are the
    files listed in the tree (a moved file apply does not edit is a pure rename)."""
    root = str(plan.root)
    renames = renamed_files(plan, files)
    changes = {c.path: c for c in plan.changes}
    sections: list[tuple[str, bytes]] = []
    for path in sorted(set(renames) | set(changes)):
        c = changes.get(path)
        new_path = renames.get(path, c.new_path if c else path)
        a, b = _git_quote("a/" + path), _git_quote("b/" + new_path)
        head = [f"diff --git {a} {b}\n".encode("utf-8", "surrogateescape")]
        mode = _mode(root, path)
        if c is None:
            head += [b"similarity index 100%\n", f"rename from {_git_quote(path)}\n".encode("utf-8", "surrogateescape"),
                     f"rename to {_git_quote(new_path)}\n".encode("utf-8", "surrogateescape")]
            sections.append((path, b"".join(head)))
            continue
        if new_path != path:
            ratio = int(difflib.SequenceMatcher(None, c.data, c.new_data, autojunk=False).quick_ratio() * 100)
            head += [f"similarity index {ratio}%\n".encode(), f"rename from {_git_quote(path)}\n".encode("utf-8", "surrogateescape"),
                     f"rename to {_git_quote(new_path)}\n".encode("utf-8", "surrogateescape")]
        head.append(f"index {_blob_id(c.data)[:12]}..{_blob_id(c.new_data)[:12]} {mode}\n".encode())
        sections.append((path, b"".join(head + _hunks(c.data, c.new_data, a, b))))
    return sections


_PATCH_STYLE = {b"diff": b"\x1b[1m", b"@@": b"\x1b[36m", b"-": b"\x1b[31m", b"+": b"\x1b[32m"}


def write_patch(sections: list[tuple[str, bytes]], out: IO[bytes], *, color: bool) -> None:
    """Write the patch; with colour, git's colours (bold headers, cyan hunks, red and green lines)."""
    for _, text in sections:
        if not color:
            out.write(text)
            continue
        in_head = True
        for line in text.splitlines(keepends=True):
            body, end = (line[:-1], b"\n") if line.endswith(b"\n") else (line, b"")
            if line.startswith(b"@@"):
                in_head, style = False, _PATCH_STYLE[b"@@"]
            elif in_head:
                style = _PATCH_STYLE[b"diff"]
            else:
                style = _PATCH_STYLE.get(line[:1], b"")
            out.write(style + body + b"\x1b[m" + end if style else line)
    out.flush()


# ---- the pager ------------------------------------------------------------------------
@contextlib.contextmanager
def paged(out: Any) -> Iterator[None]:
    """Like git: when stdout is a terminal and what is printed is taller than it, show it in
    $PATHMOVE_PAGER, else $PAGER, else `less` (LESS=FRX unless LESS is set); --no-pager prints."""
    if not settings["pager"] or not _isatty(sys.stdout):
        yield
        return
    console = out.real() if isinstance(out, _LazyConsole) else out
    with console.capture() as captured:
        yield
    text = captured.get()
    command = os.environ.get("PATHMOVE_PAGER", os.environ.get("PAGER", "less -R")).strip()
    if text.count("\n") < console.height or command in ("", "cat"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        subprocess.run(command, shell=True, input=text.encode("utf-8", "surrogateescape"), env=env, check=False)
    except OSError:
        sys.stdout.write(text)
        sys.stdout.flush()


# ---- the summary by mapping entry -----------------------------------------------------------
def _forms(old: str, new: str) -> list[tuple[str, str]]:
    """How an entry's paths are spelled in references: as paths, as dotted modules (no `.py`,
    no `src/`), by last name (with and without its extension)."""
    def module(p: str) -> str:
        p = p[:-3] if p.endswith(".py") else p
        return (p[4:] if p.startswith("src/") else p).replace("/", ".")

    last_old, last_new = old.rsplit("/", 1)[-1], new.rsplit("/", 1)[-1]
    return [(old, new), (module(old), module(new)), (last_old, last_new),
            (last_old.rsplit(".", 1)[0], last_new.rsplit(".", 1)[0])]


def entry_of(plan: Plan, path: str, old: bytes, new: bytes, cache: dict[tuple[bytes, bytes], str]) -> str:
    """The `from → to` a rewrite belongs to: the entry whose spelling it replaces (longest
    first); else the entry that moves the file (a relative reference fixed because it moves)."""
    key = (old, new)
    if key not in cache:
        o, n = _text(old), _text(new)
        best, score = "", 0
        for e in plan.mapping.entries:
            for a, b in _forms(e.old, e.new):
                if a and len(a) > score and a in o and b in n:
                    best, score = f"{e.old} → {e.new}", len(a)
        cache[key] = best
    if cache[key]:
        return cache[key]
    mover = plan.mapping.entry_for(path)
    return f"{mover.old} → {mover.new}" if mover is not None else "other"


def by_entry(plan: Plan, changes: list[FileChange] | None = None) -> list[dict[str, Any]]:
    """References and files per mapping entry, and per rewriter, in the mapping's order."""
    cache: dict[tuple[bytes, bytes], str] = {}
    refs: dict[str, Counter[str]] = {f"{e.old} → {e.new}": Counter() for e in plan.mapping.entries}
    files: dict[str, set[str]] = {k: set() for k in refs}
    for c in plan.changes if changes is None else changes:
        for e in c.edits:
            k = entry_of(plan, c.path, e.old, e.new, cache)
            refs.setdefault(k, Counter())[e.kind] += 1
            files.setdefault(k, set()).add(c.path)
    return [{"entry": k, "references": sum(v.values()), "files": len(files[k]), "by_kind": dict(v.most_common())}
            for k, v in refs.items()]


def print_entries(console: Any, plan: Plan, changes: list[FileChange] | None = None) -> None:
    """One row per `from → to`: references, files, and how many each rewriter makes."""
    rows = by_entry(plan, changes)
    if not any(r["references"] for r in rows):
        return
    from rich import box
    from rich.table import Table

    table = Table(title="[bold]References by mapping entry[/]", title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, header_style="dim")
    # wide enough for the longest `from →` or `to` on a line of its own, when the terminal
    # allows: a path folds in the middle of a name only when it cannot fit at all
    sides = [len(side) + 2 for r in rows for side in str(r["entry"]).split(" → ")]
    first = min(max(sides, default=0), max(20, console.width - 36))  # 36: the other columns, kinds at 12
    table.add_column("from → to", overflow="fold", min_width=first)
    table.add_column("references", justify="right", no_wrap=True)
    table.add_column("files", justify="right", no_wrap=True)
    table.add_column("by rewriter", style="dim", overflow="fold")
    room = console.width - first - 24
    for r in rows:
        kinds = [f"{k} {n:,}" for k, n in r["by_kind"].items()]
        joined = ", ".join(kinds)
        # one kind per line when they do not fit beside the paths
        table.add_row(esc(r["entry"]), f"{r['references']:,}", f"{r['files']:,}",
                      esc(joined if len(joined) <= room else "\n".join(kinds)))
    console.print(table)
    console.print()


def keep_hint(plan: Plan) -> str:
    """When a `from` is one bare word, every standalone occurrence counts: say how to keep one."""
    words = [e.old for e in plan.mapping.entries if "/" not in e.old and "." not in e.old]
    if not words:
        return ""
    return (f"`{words[0]}` is a single word: every standalone occurrence counts as a reference. To keep one, "
            "put `pathmove: keep` in a comment on its line (SPEC §4), or list the file under `exclude:`")
