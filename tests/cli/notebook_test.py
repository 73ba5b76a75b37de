"""End to end: notebooks migrated by the installed pathmove, byte-exact and still valid."""

from __future__ import annotations

import json

import nbformat

from tests.conftest import run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"


def _notebook(link: str, path: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"Scores: [table]({link})\n\nRaw: `outputs/hd_results_v2` stays.", id="m1"),
        nbformat.v4.new_code_cell(f'import pandas as pd\ndf = pd.read_csv("{path}")\n%matplotlib inline', id="c1"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text=f"read {path}\n")]
    return (nbformat.writes(nb) + "\n").encode()


def test_apply_rewrites_a_notebook_byte_exact(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING,
        "outputs/hd_results/s.csv": "a,b\n",
        "notebooks/scores.ipynb": _notebook("../outputs/hd_results/s.csv", "../outputs/hd_results/s.csv"),
        "notebooks/broken.ipynb": '{"cells": [ "outputs/hd_results/s.csv"\n',
    })
    run_pathmove(root, "verify", check_rc=1)
    proc = run_pathmove(root, "apply", check_rc=0)
    assert "broken.ipynb" in proc.stderr and "parse failed" in proc.stderr
    after = tree_bytes(root)
    expected = _notebook("../outputs/HD/s.csv", "../outputs/HD/s.csv")
    assert after["notebooks/scores.ipynb"][1] == expected
    assert after["notebooks/broken.ipynb"][1] == b'{"cells": [ "outputs/HD/s.csv"\n'
    nbformat.validate(nbformat.reads(expected.decode(), as_version=4))
    run_pathmove(root, "verify", check_rc=0)


def test_plan_json_points_into_the_cell(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING,
        "outputs/hd_results/s.csv": "a,b\n",
        "n.ipynb": _notebook("outputs/hd_results/s.csv", "outputs/hd_results/s.csv"),
    })
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    lines = (root / "n.ipynb").read_text().splitlines()
    found = [(f["line"], f["column"], f["old"]) for f in doc["findings"]]
    assert len(found) == 3
    for line, col, old in found:
        assert lines[line - 1][col - 1:].startswith(old)


def test_code_cells_take_part_in_the_census(git_repo) -> None:  # type: ignore[no-untyped-def]
    """Every occurrence in a code cell gets one disposition through the Python finder."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "!ls outputs/hd_results\n"                               # a magic: read as a comment
        "hd_results = 3\n"                                       # a name: not a reference
        "p = Path('outputs') / 'hd_results' / 'a.csv'\n"         # a chain: rewritten
        "q = os.path.join(base, 'hd_results')\n"                 # an unknown base: review
        "d = 'data/hd_results'\n", id="c1")]                      # another parent
    root = git_repo({"migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
                     "outputs/hd_results/a.csv": "x\n", "a.ipynb": nbformat.writes(nb)})
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert doc["summary"]["census"]["by_disposition"] == {"not-a-reference": 2, "review": 1, "rewritten": 2}
    assert [r["kind"] for r in doc["review"]] == ["py-unresolved"]
