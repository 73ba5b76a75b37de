"""The Python rewriter's shortcuts change no result: the pre-pass that skips files
with nothing to change and the reduced parse that blanks top-level blocks without a needle
give the records of the full libcst parse, on a table of inputs and on every snippet of the
rewriter's own tables, bare and padded with functions so that the reduced parse applies."""

from __future__ import annotations

import pytest

from pathmove.edits import Disposition, Edit
from pathmove.finders import ParseFailed, python, text
from pathmove.scan import Source
from tests.finders import python_relative_test, python_test
from tests.finders.python_test import MAPPING, PKG

# A function and a class with nothing to change, long enough (> 2 KB) that the reduced parse
# blanks them.
FILLER = b"".join(
    b"def helper_%d(rows, width=80):\n"
    b"    \"\"\"Format rows into columns; nothing here names a moved path.\"\"\"\n"
    b"    out = []\n"
    b"    for row in rows:\n"
    b"        out.append(' | '.join(str(c).ljust(width // max(len(row), 1)) for c in row))\n"
    b"    return '\\n'.join(out)\n\n\n" % i for i in range(8)
) + b"class Table:\n    def __init__(self):\n        self.rows = []  # plain\n\n\n"

OWN = (
    # whole old paths in literals, comments, docstrings, f-strings, escapes
    b'P = "outputs/hd_results/a.csv"\n',
    b"# the scores live in outputs/hd_results\nX = 1\n",
    b'def f():\n    """Reads /data/outputs/hd_results."""\n    return 1\n',
    b'def f(name):\n    return f"outputs/hd_results/{name}.csv"\n',
    b'P = "\\toutputs/hd_results"\n',
    b'P = "outputs\\x2fhd_results"\n',
    b'P = "outputs/\\\nhd_results"\n',
    b'P = b"./outputs/benchmark_results/"\n',
    b'P = r"outputs\\hd_results"\n',
    # chains split across segments, bases, f-strings, implicit concatenation
    b'from pathlib import Path\nOUT = Path("outputs")\nHD = OUT / "hd_results"\n',
    b'from pathlib import Path\nOUT = Path("outputs")\n\ndef f():\n    return OUT / "hd_results" / "x.csv"\n',
    b'import os\nP = os.path.join("outputs", "hd_results", "x.csv")\n',
    b'import os\nP = os.path.join("outputs", "hd_results/x.csv")\n',
    b'import os\nBASE = "outputs"\n\nclass C:\n    P = os.path.join(BASE, "hd_results")\n',
    b'def f(base):\n    return f"{base}/hd_results"\n',
    b'OUT = "outputs"\nP = f"{OUT}/hd_results/x"\n',
    b'P = "outputs/" "hd_results"\n',
    b'P = "outputs" "/hd_results"\n',
    b'from pathlib import Path\nP = Path("outputs") / "./hd_results"\n',
    b'from pathlib import Path\nP = Path("outputs") / "/hd_results"\n',
    b'P = "%s/hd_results" % "outputs"\n',
    b'P = "{}/hd_results".format("outputs")\n',
    b'from pathlib import Path\nP = Path("data") / "merge" / "parts"\n',
    b'from pathlib import Path\nP = Path("data/merge") / "parts"\n',
    b'from pathlib import Path\nP = Path("data") / "merge/parts"\n',
    b'from pathlib import Path as P\nX = P("ocean") / "runs" / "spinup"\n',
    # bases the reduced parse must keep: transitive, rebound (ambiguous), augmented, unused
    b'from pathlib import Path\nROOT = Path(".")\nUNUSED = ROOT / "x"\n\ndef g():\n    return 1\n\n'
    b'OUT = ROOT / "outputs"\n\ndef f():\n    return OUT / "hd_results"\n',
    b'from pathlib import Path\nOUT = Path("outputs")\n\ndef g():\n    pass\n\nOUT = Path("other")\n'
    b'P = OUT / "hd_results"\n',
    b'import os\nOUT = "outputs"\n\nclass C:\n    pass\n\nOUT += ""\nP = os.path.join(OUT, "hd_results")\n',
    b'import os.path as osp\nA: str = "outputs"\nB, C = "x", "y"\nP = osp.join(A, "hd_results")\n',
    # a statement without a needle that uses a base whose value holds one, far
    # after it (the reduced parse keeps it and reads up to it), directly or transitively
    b'import os\nHD = "hd_results"\n\n\n' + FILLER + b'def late():\n    return os.path.join("outputs", HD)\n',
    b'import os\nHD = "hd_results"\n\n\n' + FILLER + b'print(os.path.join("outputs", HD, "s.csv"))\n',
    b'import os\nHD = "hd_results"\nE = os.path.join("outputs", HD)\n\n\n' + FILLER
    + b'T = E + "/x"\n\n\n' + FILLER + b'def late():\n    return os.path.join(T, "hd_results")\n',
    b'OUT2 = "outputs"\n\n\n' + FILLER + b'F = f"{OUT2}/hd_results/s.csv"\n',
    b'HD = "hd_results"\n\n\n' + FILLER + b'E = "/".join(["outputs", HD])\n' + FILLER + b'print(HD)\n',
    # decoys the pre-pass must rule out, and near misses
    b'P = "myoutputs/hd_results"\n',
    b'P = "outputs/hd_results.bak"\n',
    b'P = "outputs/hd_results_v2"\n',
    b'P = "my.outputs/hd_results"\n',
    b'P = "data/other/parts"\n',
    b'hd_results = 3\nprint(hd_results)\n',
    b"# see hd_results for the numbers\n",
    b'P = "x/hd_results"\n',
    b'P = "hd_results.csv"\n',
    b'P = "outputs/hd_results."\n',
    # moved packages (PKG mapping) and syntax libcst or CPython reject
    b"import pkg.legacy_io\nfrom pkg import legacy_io\n",
    b'from .legacy_io import read\nM = "pkg.legacy_io:main"\n',
    b"def f(:\n    pass\n",
    b'P = "outputs/hd_results"\n' + b"x = " + b"(" * 300 + b")" * 300 + b"\n",
)


def _snippets() -> list[bytes]:
    """Every bytes input of the rewriter's parametrized tables, and this file's own."""
    found: list[bytes] = list(OWN)
    for name in dir(python_test):
        for mark in getattr(getattr(python_test, name), "pytestmark", ()):
            if mark.name != "parametrize":
                continue
            for case in mark.args[1]:
                values = case.values if hasattr(case, "values") else case if isinstance(case, tuple) else (case,)
                found += [v for v in values if isinstance(v, bytes) and v.strip()]
    return list(dict.fromkeys(found))


def _forms(src: bytes) -> list[bytes]:
    """The snippet bare, between blocks with nothing to change, and indented in one."""
    body = b"".join(b"    " + line if line.strip() else line for line in src.splitlines(keepends=True))
    return [src, FILLER + src + b"\n\n" + FILLER, FILLER + b"def wrapped():\n" + body + b"    pass\n\n\n" + FILLER]


def _full(src: Source, mapping):  # type: ignore[no-untyped-def]
    """The records of the full parse, with the census dispositions find() adds to any records."""
    recs = python._guarded(src, mapping, reduce=False)
    return recs + list(python._disposed(src, mapping, recs))


def _outcome(fn, src: Source):  # type: ignore[no-untyped-def]
    try:
        return list(fn())
    except ParseFailed:
        return "parse failed"


SNIPPETS = _snippets()


def test_the_rewriters_tables_were_read() -> None:
    assert len(SNIPPETS) > 100


def test_the_reduced_parse_runs_on_most_padded_forms() -> None:
    reduced = sum(python._reduce(data, 0, MAPPING) is not None for s in SNIPPETS for data in _forms(s))
    assert reduced > 100


# one case per snippet and mapping, so that xdist spreads them
@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"s{i}" for i in range(len(SNIPPETS))])
@pytest.mark.parametrize("mapping", (MAPPING, PKG), ids=("paths", "packages"))
def test_shortcuts_change_no_record(mapping, snippet: bytes) -> None:  # type: ignore[no-untyped-def]
    for data in _forms(snippet):
        moved = ("pkg/legacy_io/m.py", "pkg/modern_io/m.py")  # relative imports follow
        deeper = ("scripts/m.py", "scripts/train/m.py")  # paths relative to the file are re-based
        for path, new_path in (moved,) if mapping is PKG else (("m.py", "m.py"), deeper):
            src = Source(path, new_path, data, "python")
            full = _outcome(lambda: _full(src, mapping), src)
            fast = _outcome(lambda: python.find(src, mapping), src)
            if fast != "parse failed" and not [r for r in fast if not isinstance(r, Disposition)] \
                    and full == "parse failed":
                # the pre-pass skipped a file libcst cannot parse: the text rule, which
                # took it before, must have had nothing to change either
                assert not [r for r in text.find(src, mapping) if isinstance(r, Edit)], data
                continue
            if full == "parse failed" and fast != full:
                # the syntax error lies in a statement the reduced parse blanked (it holds no
                # needle): the statements read are rewritten by the Python rules, and change
                # what the plain-text rule changed before (README: the reduced parse)
                plain = [r for r in text.find(src, mapping) if isinstance(r, Edit)]
                assert [(r.start, r.end, r.new) for r in fast if isinstance(r, Edit)] == \
                    [(r.start, r.end, r.new) for r in plain], data
                continue
            assert fast == full, (path, data.decode(errors="replace"))


@pytest.mark.parametrize(("src", "mapping", "path"), [
    pytest.param(*case.values[:3], id=case.id) for case in python_relative_test.CASES])
def test_shortcuts_change_no_record_relative_to_the_file(src: bytes, mapping, path: str) -> None:  # type: ignore[no-untyped-def]
    """The tables of paths relative to a moving file (python_relative_test), bare and padded."""
    for data in _forms(src):
        s = Source(path, mapping.translate(path) or path, data, "python")
        assert list(python.find(s, mapping)) == _full(s, mapping), data


@pytest.mark.parametrize(("data", "expected"), (
    (b'P = "myoutputs/hd_results"\n', False),
    (b'P = "outputs/hd_results.bak"\n', False),
    (b'P = "outputs/hd_results_v2"\n', False),
    (b"x = hd_results + 1  # hd_results\n", False),
    (b'P = "x/hd_results"\n', False),
    (b'P = "outputs/hd_results"\n', True),
    (b'P = "/srv/outputs/hd_results."\n', True),
    (b'P = OUT / "hd_results"\n', True),
    (b'P = f"{OUT}/hd_results/{x}"\n', True),
    (b'P = join(OUT, "hd_results/a.csv")\n', True),
    (b'P = "outputs\\\\hd_results"\n', True),
    (b'P = "\\noutputs/hd_results"\n', True),
    (b'P = Path("data") / "merge/parts"\n', True),
    (b'P = "other/merge/parts"\n', False),
))
def test_prepass_rules_out_only_what_cannot_match(data: bytes, expected: bool) -> None:
    assert python._may_hold_reference(Source("m.py", "m.py", data, "python"), MAPPING) is expected


def test_reduced_parse_keeps_every_offset() -> None:
    data = FILLER + b'from pathlib import Path\nOUT = Path("outputs")\n\ndef f():\n    return OUT / "hd_results"\n'
    reduced = python._reduce(data, 0, MAPPING)
    assert reduced is not None and len(reduced) == len(data)
    assert b"helper_0" not in reduced and b"class Table" not in reduced
    assert reduced.endswith(b'def f():\n    return OUT / "hd_results"\n')
