"""The Python rewriter (SPEC §4.1): tables of snippets that must change, and decoys that must not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove.edits import Edit, Notice, Review, splice
from pathmove.finders import ParseFailed
from pathmove.finders import find as find_any
from pathmove.finders import python
from pathmove.finders.python import gather, strings
from pathmove.mapping import Mapping, from_pairs
from pathmove.packages import ModuleMove, Packages
from pathmove.scan import Source
from tests.conftest import run_pathmove

MAPPING = from_pairs([
    ("outputs/hd_results", "outputs/HD"),
    ("outputs/benchmark_results", "outputs/DLPFC"),
    ("runs/checkpoints_old", "checkpoints/pi05"),
    ("eval/results_v1", "eval/results/v1"),
    ("logs/wandb_export", "logs/wandb"),
    ("data/merge/parts", "merged"),
    ("moorings/north", "moorings/south"),
    ("moorings/south", "moorings/north"),
    ("handbook/protocols", "handbook/lab/protocols"),
    ("ocean/runs", "simulations/ocean"),
    ("ocean/runs/spinup", "simulations/spinup"),
])

PKG = dataclasses.replace(
    from_pairs([("pkg/legacy_io", "pkg/modern_io"), ("pkg/a/deep", "other/deep"), ("tools/util.py", "tools/helpers.py")]),
    packages=Packages(
        (ModuleMove("pkg.legacy_io", "pkg.modern_io", ""), ModuleMove("pkg.a.deep", "other.deep", ""),
         ModuleMove("tools.util", "tools.helpers", "")),
        ("",),
    ),
)


def records(src: bytes, mapping: Mapping = MAPPING, path: str = "m.py", new_path: str | None = None) -> list:
    return list(python.find(Source(path, new_path or path, src, "python"), mapping))


def rewrite(src: bytes, mapping: Mapping = MAPPING, path: str = "m.py", new_path: str | None = None) -> bytes:
    recs = records(src, mapping, path, new_path)
    assert not [r for r in recs if isinstance(r, Review)], recs
    return splice(src, [r for r in recs if isinstance(r, Edit)])


# ---- decoys: nothing changes --------------------------------------------------------------
@pytest.mark.parametrize("src", (
    b'p = "outputs/hd_results_v2"\n',
    b'p = "myoutputs/hd_results"\n',
    b'p = "outputs/hd_results.bak"\n',
    b'p = "logs/wandb_export.tar.gz"  # logs/wandb_export_2023\n',
    b'p = Path("outputs") / "hd_results_v2"\n',
    b'p = Path("eval") / "results_v1_old" / name\n',
    b'p = os.path.join("runs", "checkpoints_old.bak")\n',
    b'p = "/mnt/shared/myruns/checkpoints_old"\n',
    b'checkpoints_old = 3\nresults_v1 = checkpoints_old / 2\n',
    b'def f(wandb_export):\n    return wandb_export.name\n',
    b'p = r"outputs\\hd_results"\n',  # a Windows spelling is not the POSIX `from`
    b'x = "https://example.org/outputs/hd_results_old"\n',
    b'p = Path("outputs") + "hd_results"\n',  # not a path chain
    pytest.param(b'p = ", ".join(["outputs", "hd_results"])\n', id="str.join is no path join"),
    pytest.param(b'from shlex import join\np = join(["outputs", "hd_results"])\n', id="another join"),
    pytest.param(b'OUT = Path("outputs")\nOUT = Path("other")\np = OUT / "hd_results"\n', id="rebound name is no base"),
    pytest.param(b'p = f"{x:outputs/hd_results}"\n', id="format spec is no literal text"),
))
def test_python_noop(src: bytes) -> None:
    assert rewrite(src) == src


# ---- rewrites -------------------------------------------------------------------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'p = "outputs/hd_results/a.csv"\n', b'p = "outputs/HD/a.csv"\n', id="double quotes"),
    pytest.param(b"p = 'outputs/hd_results'\n", b"p = 'outputs/HD'\n", id="single quotes"),
    pytest.param(b'p = r"runs/checkpoints_old/step_(\\d+)"\n', b'p = r"checkpoints/pi05/step_(\\d+)"\n', id="raw"),
    pytest.param(b'p = b"source=runs/checkpoints_old %d"\n', b'p = b"source=checkpoints/pi05 %d"\n', id="bytes"),
    pytest.param(b'p = rb"runs/checkpoints_old"\n', b'p = rb"checkpoints/pi05"\n', id="raw bytes"),
    pytest.param(b'p = """\nsee outputs/hd_results.\n"""\n', b'p = """\nsee outputs/HD.\n"""\n', id="triple quoted"),
    pytest.param(b'def f():\n    """Return ``runs/checkpoints_old/x``."""\n',
                 b'def f():\n    """Return ``checkpoints/pi05/x``."""\n', id="docstring"),
    pytest.param(b'p = "\\toutputs/hd_results\\n"\n', b'p = "\\toutputs/HD\\n"\n', id="escapes are separators"),
    pytest.param(b'p = "./outputs/hd_results/"\n', b'p = "./outputs/HD/"\n', id="dot slash prefix"),
    pytest.param(b'x = 1  # see outputs/hd_results\n', b'x = 1  # see outputs/HD\n', id="comment"),
    pytest.param(b'p = ("outputs/"\n     "hd_results/x")\n', b'p = ("outputs/"\n     "HD/x")\n',
                 id="implicit concatenation, same prefix"),
    pytest.param(b'p = "runs/" "checkpoints_old/x"\n', b'p = "checkpoints/pi05" "/x"\n',
                 id="implicit concatenation across literals"),
    pytest.param(b'p = f"{ROOT}/outputs/hd_results/{name}"\n', b'p = f"{ROOT}/outputs/HD/{name}"\n', id="f-string"),
    pytest.param(b'p = f"outputs/hd_results/{x:>{w}}.csv"\n', b'p = f"outputs/HD/{x:>{w}}.csv"\n',
                 id="f-string with format spec"),
    pytest.param(b'p = f"{d[\'outputs/hd_results\']}/runs/checkpoints_old"\n',
                 b'p = f"{d[\'outputs/HD\']}/checkpoints/pi05"\n', id="f-string nested quotes"),
    pytest.param(b'p = f"{d["outputs/hd_results"]}/x"\n', b'p = f"{d["outputs/HD"]}/x"\n',
                 id="3.12 f-string reusing its quote"),
    pytest.param(b'p = f"{f"{x}/outputs/hd_results"}"\n', b'p = f"{f"{x}/outputs/HD"}"\n',
                 id="3.12 nested f-string"),
    pytest.param(b'p = f"{{outputs/hd_results}}"\n', b'p = f"{{outputs/HD}}"\n', id="f-string doubled braces"),
    pytest.param(b'p = "moorings/north", "moorings/south"\n', b'p = "moorings/south", "moorings/north"\n', id="swap"),
    # segment chains
    pytest.param(b'p = Path("outputs") / "hd_results"\n', b'p = Path("outputs") / "HD"\n', id="slash chain"),
    pytest.param(b'p = Path("runs") / "checkpoints_old" / name\n', b'p = Path("checkpoints") / "pi05" / name\n',
                 id="same count, segment by segment"),
    pytest.param(b'p = ROOT / "runs" / "checkpoints_old"\n', b'p = ROOT / "checkpoints" / "pi05"\n', id="after a name"),
    pytest.param(b'p = Path(root) / "runs" / "checkpoints_old" / "x"\n', b'p = Path(root) / "checkpoints" / "pi05" / "x"\n',
                 id="after a function argument"),
    pytest.param(b'p = os.path.join("runs", "checkpoints_old", f"s{n}")\n',
                 b'p = os.path.join("checkpoints", "pi05", f"s{n}")\n', id="os.path.join"),
    pytest.param(b'p = Path("runs", "checkpoints_old")\n', b'p = Path("checkpoints", "pi05")\n', id="Path arguments"),
    pytest.param(b'p = PurePath("runs/checkpoints_old") / x\n', b'p = PurePath("checkpoints/pi05") / x\n', id="PurePath"),
    pytest.param(b'p = pathlib.PosixPath("runs", "checkpoints_old")\n', b'p = pathlib.PosixPath("checkpoints", "pi05")\n',
                 id="pathlib.PosixPath"),
    pytest.param(b'from os.path import join as j\np = j("runs", "checkpoints_old")\n',
                 b'from os.path import join as j\np = j("checkpoints", "pi05")\n', id="join imported from os.path"),
    pytest.param(b'from pathlib import PurePosixPath as P\np = P("runs") / "checkpoints_old"\n',
                 b'from pathlib import PurePosixPath as P\np = P("checkpoints") / "pi05"\n', id="Path under another name"),
    pytest.param(b'import os.path as osp\np = osp.join("runs", "checkpoints_old")\n',
                 b'import os.path as osp\np = osp.join("checkpoints", "pi05")\n', id="osp.join"),
    pytest.param(b'p = ROOT.joinpath("runs", "checkpoints_old", x)\n', b'p = ROOT.joinpath("checkpoints", "pi05", x)\n',
                 id="joinpath"),
    pytest.param(b'p = Path("logs") / "wandb_export/sweeps" / f\n', b'p = Path("logs") / "wandb/sweeps" / f\n',
                 id="segment holding two components"),
    pytest.param(b'p = Path("eval") / "results_v1"\n', b'p = Path("eval") / "results" / "v1"\n',
                 id="more components: split segments"),
    pytest.param(b'p = Path("eval", "results_v1", name)\n', b'p = Path("eval", "results", "v1", name)\n',
                 id="more components: split arguments"),
    pytest.param(b'p = Path("eval") / ("results_v1")\n', b'p = Path("eval") / ("results/v1")\n',
                 id="parenthesised segment: one literal"),
    pytest.param(b'p = Path("handbook") / "protocols"\n', b'p = Path("handbook") / "lab" / "protocols"\n',
                 id="inserted component: split segments"),
    pytest.param(b'H = Path("handbook")\np = H / "protocols"\n', b'H = Path("handbook")\np = H / "lab" / "protocols"\n',
                 id="inserted component after a base"),
    pytest.param(b'p = Path("data") / "merge" / "parts" / x\n', b'p = Path("merged") / x\n',
                 id="fewer components: merged"),
    pytest.param(b'p = os.path.join("data", "merge", "parts", x)\n', b'p = os.path.join("merged", x)\n',
                 id="fewer components: merged arguments"),
    pytest.param(b'p = Path("data") / "merge" / ("parts")\n', b'p = Path("merged")\n',
                 id="merged away a parenthesised segment"),
    pytest.param(b'p = (Path("data")\n     / "merge"\n     / "parts"\n     / x)\n', b'p = (Path("merged")\n     / x)\n',
                 id="merged multi-line chain"),
    pytest.param(b'p = Path("data", "merge").joinpath("parts")\n', b'p = Path("merged")\n',
                 id="merged away a joinpath"),
    pytest.param(b'p = Path("ocean") / "runs" / "spinup" / x\n', b'p = Path("simulations") / "spinup" / x\n',
                 id="nested froms: longest wins, then merged"),
    pytest.param(b'p = Path("runs") / f"checkpoints_old/{x}"\n', b'p = Path("checkpoints") / f"pi05/{x}"\n',
                 id="chain continued by an f-string"),
    pytest.param(b'p = Path(f"{R}/runs") / "checkpoints_old"\n', b'p = Path(f"{R}/checkpoints") / "pi05"\n',
                 id="chain starting in an f-string"),
    pytest.param(b'p = Path("data") / f"merge/parts/{x}"\n', b'p = Path("merged") / f"{x}"\n',
                 id="merge into an f-string"),
    pytest.param(b'p = Path("moorings") / "north", Path("moorings") / "south"\n',
                 b'p = Path("moorings") / "south", Path("moorings") / "north"\n', id="swap in chains"),
    pytest.param(b'p = Path("outputs") / "hd_results"\r\nq = 1\r\n', b'p = Path("outputs") / "HD"\r\nq = 1\r\n', id="CRLF"),
    pytest.param('# é\np = Path("outputs") / "hd_results"  # ü\n'.encode(),
                 '# é\np = Path("outputs") / "HD"  # ü\n'.encode(), id="non-ASCII before"),
    pytest.param(b'\xef\xbb\xbfp = "outputs/hd_results"\n', b'\xef\xbb\xbfp = "outputs/HD"\n', id="BOM"),
    # module-level bases
    pytest.param(b'LOGS = ROOT / "logs"\np = LOGS / "wandb_export"\n', b'LOGS = ROOT / "logs"\np = LOGS / "wandb"\n',
                 id="base bound to a chain"),
    pytest.param(b'LOG_DIR = "logs"\np = os.path.join(LOG_DIR, "wandb_export", r)\n',
                 b'LOG_DIR = "logs"\np = os.path.join(LOG_DIR, "wandb", r)\n', id="base bound to a string"),
    pytest.param(b'EVAL: Path = Path("eval")\ndef f():\n    return EVAL / "results_v1" / "x"\n',
                 b'EVAL: Path = Path("eval")\ndef f():\n    return EVAL / "results" / "v1" / "x"\n',
                 id="annotated base, growth"),
    pytest.param(b'OUT = Path("logs/wandb_export")\np = OUT / "x"\n', b'OUT = Path("logs/wandb")\np = OUT / "x"\n',
                 id="base holding the whole path is rewritten at its definition"),
))
def test_python_rewrites(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


def test_two_chains_on_one_base_are_both_rewritten() -> None:
    """A joinpath chain and a `/` chain on one module-level base: each keeps its own segments
    (the base's segments are shared, never extended by the first chain's arguments). The
    module sits one folder below the root, so the base is the root (paths relative to the
    file itself)."""
    src = (b'REPO = Path(__file__).resolve().parent.parent\n'
           b'S = REPO.joinpath("eval", "results_v1", "summary.csv")\n'
           b'def f(section):\n    return REPO / "outputs" / "benchmark_results" / str(section) / "d.csv"\n')
    assert rewrite(src, path="pkg/a.py") == (b'REPO = Path(__file__).resolve().parent.parent\n'
                            b'S = REPO.joinpath("eval", "results", "v1", "summary.csv")\n'
                            b'def f(section):\n    return REPO / "outputs" / "DLPFC" / str(section) / "d.csv"\n')


# ---- packages -----------------------------------------------------------------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'import pkg.legacy_io\n', b'import pkg.modern_io\n', id="import a.b"),
    pytest.param(b'import pkg.legacy_io.reader as r\n', b'import pkg.modern_io.reader as r\n', id="import a.b.c as x"),
    pytest.param(b'import pkg.legacy_io\nx = pkg.legacy_io.reader.read()\n',
                 b'import pkg.modern_io\nx = pkg.modern_io.reader.read()\n', id="attribute chain follows the import"),
    pytest.param(b'from pkg.legacy_io import read\n', b'from pkg.modern_io import read\n', id="from a.b import c"),
    pytest.param(b'from pkg.legacy_io.reader import read as rd\n', b'from pkg.modern_io.reader import read as rd\n',
                 id="from a.b.c import d as e"),
    pytest.param(b'from pkg import legacy_io as io\n', b'from pkg import modern_io as io\n', id="from a import b as c"),
    pytest.param(b'from pkg import legacy_io\n', b'from pkg import modern_io as legacy_io\n',
                 id="from a import b keeps the bound name"),
    pytest.param(b'from .legacy_io import read\n', b'from .modern_io import read\n', id="relative import"),
    pytest.param(b'from . import legacy_io as io\n', b'from . import modern_io as io\n', id="from . import b"),
    pytest.param(b'def f():\n    from pkg.legacy_io import read\n', b'def f():\n    from pkg.modern_io import read\n',
                 id="import inside a function"),
    pytest.param(b'from pkg.a import deep\n', b'from other import deep\n', id="module moved to another parent"),
    pytest.param(b'from .a.deep import z\n', b'from other.deep import z\n', id="relative import leaving the package"),
    pytest.param(b'import tools.util\n', b'import tools.helpers\n', id="module file"),
    pytest.param(b'@mock.patch("pkg.legacy_io.reader.read")\ndef t(m): pass\n',
                 b'@mock.patch("pkg.modern_io.reader.read")\ndef t(m): pass\n', id="mock.patch"),
    pytest.param(b'm = importlib.import_module("pkg.legacy_io")\n', b'm = importlib.import_module("pkg.modern_io")\n',
                 id="import_module"),
    pytest.param(b'ep = "pkg.legacy_io.cli:main"\n', b'ep = "pkg.modern_io.cli:main"\n', id="entry point string"),
    pytest.param(b'eps = ["x = pkg.legacy_io.cli:main"]\n', b'eps = ["x = pkg.modern_io.cli:main"]\n',
                 id="setup.py console_scripts"),
    pytest.param(b'p = "pkg/legacy_io/data.txt"\n', b'p = "pkg/modern_io/data.txt"\n', id="path to a file in it"),
    pytest.param(b'log = logging.getLogger("pkg.legacy_io.reader")\n', b'log = logging.getLogger("pkg.modern_io.reader")\n',
                 id="logger named after the module"),
))
def test_python_package_rewrites(src: bytes, expected: bytes) -> None:
    assert rewrite(src, PKG, path="pkg/m.py") == expected


@pytest.mark.parametrize("src", (
    b'import pkg.legacy_io_compat\n',
    b'from pkg.legacy_io_compat import x\n',
    b'from pkg import legacy_io_compat\n',
    b'from .legacy_io_compat import x\n',
    b'mock.patch("pkg.legacy_io_compat.main")\n',
    b'x = "legacy_io"\n',  # one bare word is not read as a module name
    b'import pkg\nx = pkg.legacy_io_compat.f\n',
    b'import other\nx = self.pkg.legacy_io.f\n',  # not rooted at an imported name
    b'logger = logging.getLogger("pkg.legacy_io_compat")\n',
))
def test_python_package_noop(src: bytes) -> None:
    assert rewrite(src, PKG, path="pkg/m.py") == src


@pytest.mark.parametrize(("src", "path", "new_path", "expected"), (
    pytest.param(b'from .reader import read\n', "pkg/legacy_io/m.py", "pkg/modern_io/m.py",
                 b'from .reader import read\n', id="inside the moved package: untouched"),
    pytest.param(b'from ..util import x\nfrom . import sib\n', "pkg/a/deep/m.py", "other/deep/m.py",
                 b'from pkg.a.util import x\nfrom . import sib\n', id="moved file reaching outside: absolute"),
    pytest.param(b'from ..legacy_io import read\n', "pkg/a/m.py", "pkg/a/m.py",
                 b'from ..modern_io import read\n', id="two dots"),
))
def test_python_relative_imports(src: bytes, path: str, new_path: str, expected: bytes) -> None:
    assert rewrite(src, PKG, path=path, new_path=new_path) == expected


def test_python_import_needing_a_split_is_split() -> None:
    # the names that stay keep the statement; the moved one gets its own (python_imports_test.py)
    assert rewrite(b'from pkg.a import deep, other\n', PKG, path="pkg/m.py") == \
        b'from pkg.a import other\nfrom other import deep\n'


# ---- reviews --------------------------------------------------------------------------------
@pytest.mark.parametrize(("src", "says", "line"), (
    pytest.param(b'DATA = Path("data")\np = DATA / "merge" / "parts"\n', "DATA", 2, id="merge would change the base"),
    pytest.param(b'M = os.path.join("data", "merge")\np = os.path.join(M, "parts")\n', "M itself", 2,
                 id="base holds a moving part"),
    pytest.param(b'p = Path("data") / "merge" / (  # keep\n    "parts")\n', "empty", 2, id="merging would drop a comment"),
))
def test_python_needs_review(src: bytes, says: str, line: int) -> None:
    """SPEC §4.1: never skipped silently, and no half-done rewrite of the place."""
    recs = records(src)
    reviews = [r for r in recs if isinstance(r, Review)]
    assert not [r for r in recs if isinstance(r, Edit)]
    assert len(reviews) == 1 and reviews[0].kind == "py-review"
    assert says in reviews[0].message
    assert src[: reviews[0].start].count(b"\n") + 1 == line


def test_python_unrepresentable_raw_literal_is_reviewed() -> None:
    mapping = from_pairs([("outputs/hd_results", 'outputs/h"d')])
    recs = records(b'p = r"outputs/hd_results"\n', mapping)
    assert [r.kind for r in recs] == ["py-review"]
    assert rewrite(b'p = "outputs/hd_results"\n', mapping) == b'p = "outputs/h\\"d"\n'


# ---- parse failures and bytes ---------------------------------------------------------------
@pytest.mark.parametrize("src", (
    pytest.param(b'p = "outputs/hd_results"\nif x\n', id="syntax error"),
    pytest.param(b'# -*- coding: latin-1 -*-\np = "outputs/hd_results/\xe9"\n', id="not UTF-8"),
))
def test_python_parse_failure_falls_back_to_text(src: bytes) -> None:
    with pytest.raises(ParseFailed):
        records(src)
    recs = find_any(Source("m.py", "m.py", src, "python"), MAPPING)
    assert isinstance(recs[0], Notice) and "m.py" in recs[0].path
    edits = [r for r in recs if isinstance(r, Edit)]
    assert [e.new for e in edits] == [b"outputs/HD"]


def test_python_edit_spans_are_bytes_in_the_original() -> None:
    src = '\ufeffé = "ü"\r\np = "outputs/hd_results"  # outputs/hd_results\r\n'.encode()
    edits = [r for r in records(src) if isinstance(r, Edit)]
    assert [src[e.start:e.end] for e in edits] == [b"outputs/hd_results", b"outputs/hd_results"]
    assert all(e.old == b"outputs/hd_results" for e in edits)


# ---- the safety check -----------------------------------------------------------------------
def test_safety_check_refuses_a_broken_edit() -> None:
    src = b'p = "outputs/hd_results"\nq = 2\n'
    broken = Edit("m.py", 5, 23, b"outputs/hd_results", b'outputs/"HD', "py-string")
    assert python.check_edits(src, [broken], []) is not None
    good = Edit("m.py", 5, 23, b"outputs/hd_results", b"outputs/HD", "py-string")
    assert python.check_edits(src, [good], []) is None


def test_safety_check_refuses_a_changed_structure() -> None:
    src = b'p = "outputs/hd_results"\n'
    # still parses, but the string became an expression: not an edit of a literal
    sneaky = Edit("m.py", 4, 24, b'"outputs/hd_results"', b'"a" + "b"', "py-string")
    assert "node" in (python.check_edits(src, [sneaky], []) or "")


def test_broken_escaping_is_reported_not_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strings, "escape", lambda new, piece: new.encode())
    mapping = from_pairs([("outputs/hd_results", 'outputs/h"d')])
    recs = records(b'p = "outputs/hd_results"\n', mapping)
    assert [r.kind for r in recs] == ["unsafe-edit"]
    assert not [r for r in recs if isinstance(r, Edit)]


# ---- properties -----------------------------------------------------------------------------
FRAGMENTS = [
    'p = "outputs/hd_results/a.csv"', "q = 'outputs/hd_results_v2'", 'r = Path("runs") / "checkpoints_old" / n',
    'LOGS = ROOT / "logs"', 's = LOGS / "wandb_export"', "# outputs/benchmark_results and myoutputs/hd_results",
    't = os.path.join("eval", "results_v1", f"{x}.csv")', 'u = f"{ROOT}/moorings/north/{n:>3}"',
    'v = b"runs/checkpoints_old"', 'w = Path("data") / "merge" / "parts" / z', "x = 1 / 2",
    'def f():\n    """See outputs/hd_results."""\n    return "moorings/south"',
    'y = ("runs/"\n     "checkpoints_old")', "é = 'ü outputs/hd_results'",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_no_byte_outside_an_edit_changes(lines: list[str], newline: str, bom: bool) -> None:
    src = (b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).replace("\n", newline).encode() + newline.encode()
    recs = records(src)
    edits = sorted((r for r in recs if isinstance(r, Edit)), key=lambda e: e.start)
    out = splice(src, edits)
    # walk both files: outside the spans every byte is the same, in order
    pos = shift = 0
    for e in edits:
        assert src[pos:e.start] == out[pos + shift:e.start + shift]
        assert src[e.start:e.end] == e.old
        shift += len(e.new) - len(e.old)
        pos = e.end
    assert src[pos:] == out[pos + shift:]
    cst.parse_module(out.decode("utf-8-sig"))
    # apply twice equals apply once: nothing stale is left for the post-move view
    post = MAPPING.with_live(e.new for e in MAPPING.entries)
    assert not [r for r in records(out, post) if isinstance(r, Edit)]


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'p = "outputs/hd_results"', b'p = "outputs/HD"', id="no trailing newline"),
    pytest.param(b'# outputs/hd_results\n\nimport os\n# outputs/hd_results\n', b'# outputs/HD\n\nimport os\n# outputs/HD\n',
                 id="module header and footer comments"),
    pytest.param(b'# only outputs/hd_results\n', b'# only outputs/HD\n', id="comments only"),
    pytest.param(b'import os\n\n\ndef f():\n    return 1\n\n\np = "outputs/hd_results"\n',
                 b'import os\n\n\ndef f():\n    return 1\n\n\np = "outputs/HD"\n', id="after statements without needles"),
    pytest.param(b'x = 1\r\ny = 2\rp = "outputs/hd_results"\r\n', b'x = 1\r\ny = 2\rp = "outputs/HD"\r\n',
                 id="a lone CR line end"),
))
def test_python_layout(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


def test_an_internal_error_is_reported_and_leaves_the_file_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC §4.1: a bug inside a rule is not a parse failure; STYLE §5: it never stops the run."""
    def boom(g: object, node: object) -> bool:
        raise ValueError("odd node")

    monkeypatch.setitem(strings.VISIT, "Constant", boom)
    recs = find_any(Source("m.py", "m.py", b'p = "outputs/hd_results"\n', "python"), MAPPING)
    assert [(type(r).__name__, r.kind) for r in recs] == [("Review", "py-rule-error")]
    assert isinstance(recs[0], Review) and "ValueError: odd node" in recs[0].message


def test_a_rule_error_fails_plan_and_apply_leaves_the_file(git_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The installed tool with a rule that raises (loaded through sitecustomize): plan names
    the exception, apply and verify exit 1, the file keeps its bytes, the others are rewritten."""
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
        "outputs/hd_results/a.csv": "1\n",
        "m.py": 'p = "outputs/hd_results/a.csv"\n',
        "notes.txt": "see outputs/hd_results/a.csv\n",
    })
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import pathmove.finders.python.strings as s\n"
        "def boom(g, node):\n    raise ValueError('odd node')\n"
        "s.VISIT['Constant'] = boom\n")
    env = {"PYTHONPATH": str(hook)}
    plan = run_pathmove(root, "plan", env=env)
    assert "m.py:1:1" in plan.stdout and "ValueError: odd node" in plan.stdout
    apply = run_pathmove(root, "apply", env=env, check_rc=1)
    assert "ValueError: odd node" in apply.stdout
    verify = run_pathmove(root, "verify", "--json", env=env, check_rc=1)
    assert "py-rule-error" in verify.stdout
    assert (root / "m.py").read_bytes() == b'p = "outputs/hd_results/a.csv"\n'
    assert (root / "notes.txt").read_bytes() == b"see outputs/HD/a.csv\n"


# ---- chains keep their meaning -------------------------------------------------------------
CHAIN_MAPPING = from_pairs([("a/b", "x/y/z"), ("b/c", "q"), ("a/b/c", "m"), ("c/a", "a/c"), ("d", "e/f")])
SEGMENTS = ['"a"', '"b"', '"c"', '"d"', '"a/b"', '"b/c"', '"c/a"', "v", '("b")', 'f"{w}/a"', 'f"b/{w}"', "B", "C"]
BASES = 'B = "a"\nC = Path("c") / "a"\n'  # module-level bases the chains may start from


def _chain_source(form: str, segs: list[str]) -> str:
    if form == "slash":
        first = segs[0] if segs[0] == "v" else f"Path({segs[0]})"
        return " / ".join([first, *segs[1:]])
    if form == "path":
        return f"Path({', '.join(segs)})"
    if form == "join":
        return f"os.path.join({', '.join(segs)})"
    return f"Path({segs[0]}).joinpath({', '.join(segs[1:])})"


def _value(src: bytes) -> str:
    import os.path
    from pathlib import PurePosixPath

    scope = {"Path": PurePosixPath, "os": os, "v": PurePosixPath("V"), "w": "W"}
    exec(src.decode(), scope)  # noqa: S102 - our own generated snippet
    return str(scope["p"])


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["slash", "path", "join", "joinpath"]), st.lists(st.sampled_from(SEGMENTS), min_size=2, max_size=5))
def test_a_rewritten_chain_spells_the_new_path(form: str, segs: list[str]) -> None:
    """Property: the rewritten chain evaluates to the old value with every reference moved
    (SPEC §4 on the joined path), or the place is reported for review; nothing else."""
    if form in ("join", "path") and segs[0] == "v":
        segs = ['"a"', *segs]
    src = f"{BASES}p = {_chain_source(form, segs)}\n".encode()
    recs = records(src, CHAIN_MAPPING)
    if any(isinstance(r, Review) for r in recs):
        assert all(r.kind in ("py-review", "py-unresolved") for r in recs if isinstance(r, Review)), recs
        return
    before = _value(src)
    from pathmove.finders import text

    want = splice(before.encode(), list(text.find_in("v", before.encode(), CHAIN_MAPPING, 0, len(before), "t")))
    after = _value(splice(src, [r for r in recs if isinstance(r, Edit)]))
    assert after == want.decode(), (src, after)


# text built by `+` and "/".join keeps its meaning too; an unknown `w` is taken to
# start and end with a separator (what the string rule assumes of the text around a literal)
TEXT_SEGMENTS = ['"a"', '"b"', '"c"', '"/b"', '"a/"', '"/"', '"a/b"', '"b/c"', '"c/a"', "w", "B", 'f"{B}/c"',
                 'f"{w}a"', 'f"b/{B}"']


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["concat", "strjoin"]), st.lists(st.sampled_from(TEXT_SEGMENTS), min_size=2, max_size=5))
def test_rewritten_text_spells_the_new_path(form: str, segs: list[str]) -> None:
    if form == "concat":
        expr = " + ".join(segs)
    else:
        expr = '"/".join([' + ", ".join(segs) + "])"
    src = f'B = "a"\np = {expr}\n'.encode()
    recs = records(src, CHAIN_MAPPING)
    if any(isinstance(r, Review) for r in recs):
        assert all(r.kind in ("py-review", "py-unresolved") for r in recs if isinstance(r, Review)), recs
        return

    def value(code: bytes) -> str:
        scope: dict[str, object] = {"w": "/W/"}
        exec(code.decode(), scope)  # noqa: S102 - our own generated snippet
        return str(scope["p"])

    from pathmove.finders import text

    before = value(src)
    want = splice(before.encode(), list(text.find_in("v", before.encode(), CHAIN_MAPPING, 0, len(before), "t")))
    after = splice(src, [r for r in recs if isinstance(r, Edit)])
    assert value(after) == want.decode(), (src, after)


# ---- literals keep their meaning -------------------------------------------------------------
STRING_MAPPING = from_pairs([("a/b", "x/y"), ("b/c", "q'q"), ("c", 'c"{}'), ("a/b/c", "m é")])
TOKENS = ["a", "b", "c", "/", "a/b", "b/c", " ", "\\t", "\\\\", "\\n", "é", "{w}", "x"]


@st.composite
def string_literals(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "r", "b", "rb", "f", "rf", "u"]))
    quote = draw(st.sampled_from(['"', "'", '"""']))
    tokens = draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6))
    if "f" not in prefix:
        tokens = [t for t in tokens if t != "{w}"]
    if "b" in prefix:
        tokens = [t for t in tokens if t.isascii()]
    return f"{prefix}{quote}{''.join(tokens)}{quote}"


@settings(max_examples=200, deadline=None)
@given(st.lists(string_literals(), min_size=1, max_size=3))
def test_a_rewritten_literal_holds_the_moved_value(literals: list[str]) -> None:
    """Property: quoting, escapes, raw and bytes prefixes, f-string holes and implicit
    concatenation all keep their meaning; the value changes exactly as SPEC §4 says."""
    if len({"b" in lit.split(lit[-1])[0] for lit in literals}) > 1:
        literals = literals[:1]  # bytes and str do not concatenate
    src = f"p = {' '.join(literals)}\n".encode()
    scope: dict = {"w": " "}
    try:
        exec(src.decode(), scope)  # noqa: S102 - our own generated snippet
    except SyntaxError:
        return  # e.g. a raw literal ending in a backslash
    before = scope["p"]
    recs = records(src, STRING_MAPPING)
    if any(isinstance(r, Review) for r in recs):
        assert all(r.kind in ("py-review", "py-unresolved") for r in recs if isinstance(r, Review)), recs
        return
    from pathmove.finders import text

    raw = before if isinstance(before, bytes) else before.encode()
    want = splice(raw, list(text.find_in("v", raw, STRING_MAPPING, 0, len(raw), "t")))
    exec(splice(src, [r for r in recs if isinstance(r, Edit)]).decode(), scope)  # noqa: S102
    after = scope["p"]
    assert (after if isinstance(after, bytes) else after.encode()) == want, (src, after)


TOP = dataclasses.replace(from_pairs([("legacy_io", "modern_io")]),
                          packages=Packages((ModuleMove("legacy_io", "modern_io", ""),), ("",)))


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'import legacy_io\nlegacy_io.read()\n', b'import modern_io\nmodern_io.read()\n', id="top-level import"),
    pytest.param(b'm = importlib.import_module("legacy_io.reader")\n', b'm = importlib.import_module("modern_io.reader")\n',
                 id="import_module"),
    pytest.param(b'@patch("legacy_io.reader.read")\ndef t(m): pass\n', b'@patch("modern_io.reader.read")\ndef t(m): pass\n',
                 id="patch"),
    pytest.param(b'ep = "legacy_io.cli:main"\n', b'ep = "modern_io.cli:main"\n', id="entry point"),
    pytest.param(b'name = "legacy_io.csv"\n', b'name = "legacy_io.csv"\n', id="a file name stays"),
    pytest.param(b'p = "legacy_io/data.csv"\n', b'p = "modern_io/data.csv"\n', id="the path follows"),
))
def test_python_top_level_package(src: bytes, expected: bytes) -> None:
    assert rewrite(src, TOP, path="app.py") == expected


# ---- more forms resolved; what cannot be resolved is reported --------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'C = "outputs" + "/hd_results" + "/s.csv"\n', b'C = "outputs" + "/HD" + "/s.csv"\n', id="concatenation"),
    pytest.param(b'C = "outputs/" + "hd_results"\n', b'C = "outputs/" + "HD"\n', id="concatenation, separator left"),
    pytest.param(b'C = ("outputs"\n     + "/hd_results")  # two lines\n', b'C = ("outputs"\n     + "/HD")  # two lines\n',
                 id="concatenation over lines"),
    pytest.param(b'C = "eval" + "/results_v1"\n', b'C = "eval" + "/results/v1"\n', id="concatenation, growth"),
    pytest.param(b'C = "data" + "/merge/parts" + "/x"\n', b'C = "merged" + "" + "/x"\n',
                 id="concatenation, another parent: the first literal takes the new path"),
    pytest.param(b'OUT = "outputs"\nC = OUT + "/hd_results/" + name\n', b'OUT = "outputs"\nC = OUT + "/HD/" + name\n',
                 id="concatenation after a base"),
    pytest.param(b'D = "/".join(["outputs", "hd_results", "s.csv"])\n', b'D = "/".join(["outputs", "HD", "s.csv"])\n',
                 id="str.join of literals"),
    pytest.param(b'import os\nD = os.sep.join(("outputs", "hd_results"))\n', b'import os\nD = os.sep.join(("outputs", "HD"))\n',
                 id="os.sep.join of a tuple"),
    pytest.param(b"D = '/'.join(['eval', 'results_v1'])\n", b"D = '/'.join(['eval', 'results', 'v1'])\n",
                 id="str.join, growth in one element"),
    pytest.param(b'HD = "hd_results"\nE = os.path.join("outputs", HD, "s.csv")\n',
                 b'HD = "HD"\nE = os.path.join("outputs", HD, "s.csv")\n', id="string constant used as a segment"),
    pytest.param(b'HD = "hd_results"\nE = os.path.join("outputs", HD)\nG = Path("outputs") / HD / "x"\n',
                 b'HD = "HD"\nE = os.path.join("outputs", HD)\nG = Path("outputs") / HD / "x"\n',
                 id="string constant, every use agrees"),
    pytest.param(b'OUT2 = "outputs"\nF = f"{OUT2}/hd_results/s.csv"\n', b'OUT2 = "outputs"\nF = f"{OUT2}/HD/s.csv"\n',
                 id="f-string field naming a base"),
    pytest.param(b'OUT = Path("outputs")\nF = Path(f"{OUT}/hd_results")\n', b'OUT = Path("outputs")\nF = Path(f"{OUT}/HD")\n',
                 id="f-string in a chain, field naming a base"),
    pytest.param(b'OUT = "x"\nOUT = "outputs"\np = os.path.join(OUT, "hd_results")\n',
                 b'OUT = "x"\nOUT = "outputs"\np = os.path.join(OUT, "HD")\n', id="rebound name, module level, last binding"),
))
def test_python_rewrites_more_forms(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


@pytest.mark.parametrize(("src", "kind", "says", "line"), (
    pytest.param(b'from elsewhere import OUT\np = OUT / "hd_results"\n', "py-unresolved", "`OUT`", 2,
                 id="base imported from outside the repository"),
    pytest.param(b'def f(root):\n    return os.path.join(root, "hd_results")\n', "py-unresolved", "`root`", 2,
                 id="function parameter"),
    pytest.param(b'p = get_root() / "hd_results" / "x.csv"\n', "py-unresolved", "`get_root()`", 1, id="call result"),
    pytest.param(b'p = cfg.out_dir + "/hd_results"\n', "py-unresolved", "`cfg.out_dir`", 1, id="attribute of an unknown object"),
    pytest.param(b'def f(base):\n    return f"{base}/hd_results"\n', "py-unresolved", "(`{base}`) cannot be resolved", 2,
                 id="f-string field"),
    pytest.param(b'p = "/".join([root, "hd_results"])\n', "py-unresolved", "`root`", 1, id="str.join after an unknown"),
    pytest.param(b'p = Path(root).joinpath("hd_results")\n', "py-unresolved", "`root`", 1, id="joinpath"),
    pytest.param(b'p = f"{x}hd_results"\n', "py-unresolved", "outputs/hd_results", 1,
                 id="the unknown may end with a separator"),
    pytest.param(b'LOGS = "logs"\ndef f(LOGS):\n    return LOGS / "wandb_export"\n', "py-unresolved", "`LOGS`", 3,
                 id="parameter shadows the base"),
    pytest.param(b'OUT = "a"\nOUT = "outputs"\ndef f():\n    return os.path.join(OUT, "hd_results")\n',
                 "py-unresolved", "`OUT`", 4, id="rebound name inside a function"),
    pytest.param(b'R = "ocean"\np = R + "/runs/spinup"\n', "py-review", "through R", 2,
                 id="concatenation whose base would change"),
    pytest.param(b'HD = "hd_results"\nE = os.path.join("outputs", HD)\nprint(HD)\n', "py-review", 'HD = "HD"', 2,
                 id="string constant used elsewhere: the binding is suggested"),
))
def test_python_reports_what_it_cannot_resolve(src: bytes, kind: str, says: str, line: int) -> None:
    """SPEC §3: a needle in a path-building expression is rewritten, or proven no old path,
    or reported; never passed over silently, and no edit at the place."""
    recs = records(src)
    reviews = [r for r in recs if isinstance(r, Review)]
    assert not [r for r in recs if isinstance(r, Edit)], recs
    assert [r.kind for r in reviews] == [kind], recs
    assert says in reviews[0].message
    assert src[: reviews[0].start].count(b"\n") + 1 == line


@pytest.mark.parametrize("src", (
    pytest.param(b'p = os.path.join("data", "hd_results")\n', id="resolved, another parent"),
    pytest.param(b'DATA = "data"\np = DATA + "/hd_results"\n', id="concatenation, another parent"),
    pytest.param(b'p = "/".join(["data", "hd_results"])\n', id="str.join, another parent"),
    pytest.param(b'def f(root):\n    return os.path.join(root, "data", "hd_results")\n', id="unknown, then another parent"),
    pytest.param(b'X = "hd_results"\np = os.path.join("data", X)\n', id="constant under another parent"),
    pytest.param(b'p = "hd_results" + ext\n', id="the needle starts the path"),
    pytest.param(b'p = f"{n}_hd_results"\n', id="not at a component boundary"),
    pytest.param(b'p = os.path.join(root, "hd_results_v2")\n', id="another name"),
    pytest.param(b'p = " ".join([x, "hd_results"])\n', id="a join that builds no path"),
    pytest.param(b'n = count + 1\n"hd_results"\n', id="no path expression"),
))
def test_python_noop_more_forms(src: bytes) -> None:
    recs = records(src)
    assert not [r for r in recs if isinstance(r, (Edit, Review))], recs


def test_a_proven_decoy_in_a_path_is_disposed_of() -> None:
    from pathmove import census
    from pathmove.edits import Disposition

    src = b'def f(root):\n    return os.path.join(root, "data", "hd_results")\n'
    recs = records(src)
    t = census.account("m.py", src, recs, mapping=MAPPING, mode="plan", archived=False, kept_lines=[], current_edits=[])
    assert [d.state for d in recs if isinstance(d, Disposition)] == ["not-a-reference"]
    assert t.counts == {"not-a-reference": 1}
