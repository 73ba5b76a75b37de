"""report.py's pure parts: positions, the summary by entry, "did you mean"."""

from __future__ import annotations


import pytest

from pathmove import report
from pathmove.edits import Edit
from pathmove.plan import FileChange


def _change(data: bytes, old: bytes = b"outputs/hd_results", new: bytes = b"outputs/HD") -> FileChange:
    edits, at = [], data.find(old)
    while at >= 0:
        edits.append(Edit("f", at, at + len(old), old, new, "text"))
        at = data.find(old, at + 1)
    return FileChange("f", "f", "text", data, edits)


@pytest.mark.parametrize(("data", "offset", "expected"), (
    (b"abc", 0, (1, 1)),
    (b"a\nbc", 3, (2, 2)),
    pytest.param("é outputs".encode(), 3, (1, 3), id="column counts characters, not bytes"),
    pytest.param(b"\xef\xbb\xbfx\r\ny", 6, (2, 1), id="BOM and CRLF"),
))
def test_position(data: bytes, offset: int, expected: tuple[int, int]) -> None:
    assert report.position(data, offset) == expected


def test_markup_in_paths_is_escaped() -> None:
    from rich.console import Console

    console = Console(record=True, width=200, no_color=True)
    data = b"[red]/outputs/hd_results\n"
    report.print_findings(console, [FileChange("[red]/x.txt", "[red]/x.txt", "text", data, _change(data).edits)])
    text = console.export_text()
    assert "[red]/x.txt" in text and "1:7" in text


def test_a_chain_s_segments_on_one_line_read_as_one_item() -> None:
    data = b'X = Path("runs") / "checkpoints_old" / name\nY = "runs" + "runs"\n'
    a, b = data.find(b"runs"), data.find(b"checkpoints_old")
    edits = [Edit("f", a, a + 4, b"runs", b"checkpoints", "py-chain"),
             Edit("f", b, b + 15, b"checkpoints_old", b"pi05", "py-chain")]
    c = FileChange("f", "f", "python", data, edits)
    assert report.items(c) == [report.Item(a - 1, b + 16, b'"runs") / "checkpoints_old"',
                                           b'"checkpoints") / "pi05"', "py-chain", 2)]
    text = [Edit("f", i, i + 4, b"runs", b"r", "text") for i in (data.find(b"runs", 50), data.rfind(b"runs"))]
    assert len(report.items(FileChange("f", "f", "text", data, text))) == 2  # separate references stay apart


_ENTRIES = [("src/pkg/_linux.py", "src/pkg/_plat/_linux.py"), ("outputs/hd_results", "outputs/HD"), ("docs", "documentation")]


@pytest.mark.parametrize(("path", "old", "new", "expected"), (
    ("run.sh", "outputs/hd_results/a.csv", "outputs/HD/a.csv", "outputs/hd_results → outputs/HD"),
    ("t.py", "pkg._linux", "pkg._plat._linux", "src/pkg/_linux.py → src/pkg/_plat/_linux.py"),
    ("README.md", "docs/index.md", "documentation/index.md", "docs → documentation"),
    pytest.param("src/pkg/_linux.py", "._elf", ".._elf", "src/pkg/_linux.py → src/pkg/_plat/_linux.py",
                 id="a relative reference fixed because its file moves belongs to that move"),
    pytest.param("t.py", "pkg", "pkg._plat", "other", id="spelled by no entry, in a file no entry moves"),
))
def test_entry_of(path: str, old: str, new: str, expected: str) -> None:
    from pathlib import Path

    from pathmove.mapping import from_pairs
    from pathmove.plan import Plan

    plan = Plan(Path("."), from_pairs(_ENTRIES), "plan", True)
    assert report.entry_of(plan, path, old.encode(), new.encode(), {}) == expected


@pytest.mark.parametrize(("word", "candidates", "expected"), (
    ("form", ("from", "to"), "from"),
    ("mvoes", ("moves", "archived", "exclude"), "moves"),
    ("hd_result", ("hd_results", "HD"), "hd_results"),
    ("exclud", ("exclude",), "exclude"),
    pytest.param("tx", ("to", "tt"), None, id="two candidates: no guess"),
    pytest.param("fxxm", ("from",), None, id="two edits away"),
    pytest.param("from", ("from",), None, id="the word itself is no typo"),
))
def test_did_you_mean(word: str, candidates: tuple[str, ...], expected: str | None) -> None:
    from pathmove.mapping import did_you_mean

    assert did_you_mean(word, candidates) == expected
