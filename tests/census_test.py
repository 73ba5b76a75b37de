"""SPEC §3: every occurrence of a needle in a scanned file ends in exactly one disposition."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import census, plan as plan_mod
from pathmove.edits import Disposition
from pathmove.mapping import from_pairs
from pathmove.scan import Source
from tests.conftest import run_pathmove
from tests.match_test import is_name_char_slow

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD"), ("data/raw", "data/ré")])
POST = MAPPING.with_live(e.new for e in MAPPING.entries)


def scan(path: str, kind: str, data: bytes, mode: str = "plan") -> plan_mod.FileResult:
    view = MAPPING if mode == "plan" else MAPPING.with_live(["outputs/HD"])
    job = plan_mod._Job(None, view, POST, False, False, mode=mode)  # type: ignore[arg-type]
    return plan_mod._scan_one(Source(path, path, data, kind), job)


def slow_count(text_: str, needles: list[str]) -> int:
    """Boundary occurrences of each needle, judged on decoded characters (SPEC §4)."""
    n = 0
    for needle in needles:
        i = text_.find(needle)
        while i >= 0:
            j = i + len(needle)
            k = j
            while k < len(text_) and text_[k] == ".":
                k += 1
            before = i == 0 or not is_name_char_slow(text_[i - 1], needle[0]) or text_[i - 1] in "/\\"
            after = k == len(text_) or not is_name_char_slow(text_[k], needle[-1])
            n += before and after
            i = text_.find(needle, i + 1)
    return n


piece = st.sampled_from([
    "outputs/hd_results", "outputs/hd_results/s.csv", "hd_results", "outputs/hd_results_v2", "myoutputs/hd_results",
    "data/raw", "raw", "rawdata", "data/raw.", "https://example.org/data/raw", "[x](data/raw/a.csv)",
    "<!-- pathmove: keep -->", "# pathmove: keep", " ", "\n", "- ", "key: ", '"', "'", "“", "”", "（", "中", "é",
    "/", ".", "#", ": ", "`", "outputs/HD", "x",
])


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(piece, max_size=14), kind=st.sampled_from([("n.txt", "text"), ("R.md", "markdown"),
                                                                  ("c.yaml", "yaml"), ("run.sh", "text")]),
       mode=st.sampled_from(["plan", "verify"]))
def test_every_occurrence_has_exactly_one_disposition(parts: list[str], kind: tuple[str, str], mode: str) -> None:
    text_ = "".join(parts)
    result = scan(kind[0], kind[1], text_.encode(), mode)
    counts = dict(result.census)
    assert counts.get("unaccounted", 0) == 0, (text_, counts, result.reviews)
    assert sum(counts.values()) == slow_count(text_, ["hd_results", "raw"]), (text_, counts)


@pytest.mark.parametrize(("path", "kind", "src", "expected"), [
    ("n.txt", "text", "outputs/hd_results hd_results_v2 data/hd_results hd_results", {"rewritten": 1, "not-a-reference": 2}),
    ("n.txt", "text", "outputs/hd_results  # pathmove: keep\noutputs/HD", {"kept": 1}),
    ("R.md", "markdown", "[a](https://x.org/outputs/hd_results) see outputs/hd_results", {"rewritten": 1, "not-a-reference": 1}),
    ("c.yaml", "yaml", "a: outputs/hd_results\nb: hd_results  # outputs/hd_results\n", {"rewritten": 2, "not-a-reference": 1}),
    pytest.param("c.yaml", "yaml", "a: outputs/hd_results  # was data/hd_results\n", {"rewritten": 1, "not-a-reference": 1},
                 id="yaml comment disposition beside a scalar edit"),
])
def test_census_table(path: str, kind: str, src: str, expected: dict[str, int]) -> None:
    assert dict(scan(path, kind, src.encode()).census) == expected


def test_verify_counts_stale_and_current() -> None:
    r = scan("n.txt", "text", b"outputs/hd_results outputs/HD", "verify")
    assert dict(r.census) == {"stale": 1}  # "outputs/HD" holds no needle


def test_unclaimed_occurrence_is_a_finding() -> None:
    data = b"p = outputs/hd_results\n"
    records = [Disposition("x", 0, 1, "current", "elsewhere")]  # a finder that forgot the path
    t = census.account("x", data, records, mapping=MAPPING, mode="plan", archived=False, kept_lines=[],
                       current_edits=[])
    assert dict(t.counts) == {"unaccounted": 1}
    assert [(r.start, r.end, r.kind) for r in t.unaccounted] == [(12, 22, "unaccounted")]


def test_every_finder_takes_part() -> None:
    assert all(census.takes_part(k) for k in ("python", "text", "yaml", "markdown", "notebook", "symlink", "pyconfig"))


def test_census_in_json_and_debug(git_repo) -> None:
    root = git_repo({"outputs/hd_results/a.csv": "x\n", "notes.md": "see outputs/hd_results and hd_results_v2 and data/hd_results\n",
                     "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"})
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert doc["summary"]["census"]["by_disposition"] == {"not-a-reference": 1, "rewritten": 1}
    assert doc["summary"]["census"]["not_a_reference"] == {"another path (a different parent)": 1}
    err = run_pathmove(root, "--debug", "plan", check_rc=0).stderr
    assert "census: 2 occurrences" in err


def test_a_one_word_from_spelled_as_python_code_is_no_reference(git_repo) -> None:  # type: ignore[no-untyped-def]
    """`configs` moving: a variable named `configs` is code, not a path (CompVis/latent-diffusion's
    main.py); the string is rewritten, and nothing is left unaccounted."""
    root = git_repo({
        "configs/a.yaml": "x: 1\n",
        "main.py": 'configs = [load(c) for c in opt.base]\nmerged = merge(*configs)\np = "configs/a.yaml"\n',
        "migrations.yaml": "moves:\n  - from: configs\n    to: cfg\n",
    })
    doc = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert doc["review"] == []
    assert doc["summary"]["census"]["by_disposition"] == {"not-a-reference": 2, "rewritten": 1}
    assert doc["summary"]["census"]["not_a_reference"] == {"a Python name (code, not a string)": 2}
