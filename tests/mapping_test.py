"""mapping.load / parse: every bad mapping is one MappingError naming the entry (SPEC §2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pathmove.errors import MappingError
from pathmove.mapping import Mapping, from_pairs, load, parse

ONE = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"


def entry(old: str, new: str) -> str:
    return f"  - from: {old}\n    to: {new}\n"


# (mapping text, fragments the one message must contain)
BAD = (
    pytest.param("moves: [\n", ("not valid YAML", "line 2"), id="bad YAML"),
    pytest.param("moves:\n  - from: a\n   to: b\n", ("not valid YAML", "line 3"), id="bad indentation"),
    pytest.param(ONE + "excludes:\n  - x/**\n", ("unknown top-level key", "'excludes'", "line 4"), id="unknown top-level key"),
    pytest.param("moves:\n  - from: a\n    to: b\n    force: true\n",
                 ("moves[0]", "line 2", "unknown key 'force'", "line 4"), id="unknown entry key"),
    pytest.param(ONE + "  - to: outputs/x\n", ("moves[1]", "line 4", "missing `from:`"), id="missing from"),
    pytest.param(ONE + "  - from: outputs/x\n", ("moves[1]", "line 4", "missing `to:`"), id="missing to"),
    pytest.param("moves:\n  - {}\n", ("moves[0]", "missing `from:`"), id="entry without keys"),
    pytest.param("moves:\n  - outputs/a\n", ("moves[0]", "line 2", "`from:` and `to:`"), id="entry not a mapping"),
    pytest.param("moves:\n  - from: a\n    to:\n", ("moves[0]", "`to` must be a path string"), id="null to"),
    pytest.param("moves:\n  - from: [a]\n    to: b\n", ("moves[0]", "`from` must be a path string"), id="list as from"),
    pytest.param("moves: outputs/a\n", ("`moves` must be a list", "line 1"), id="moves not a list"),
    pytest.param("moves:\n  from: a\n  to: b\n", ("`moves` must be a list", "line 2"), id="moves a mapping"),
    pytest.param("- from: a\n  to: b\n", ("top level must be a mapping",), id="top level a list"),
    pytest.param("archived:\n  - docs/**\n", ("no `moves:` list",), id="no moves"),
    pytest.param("moves: []\n", ("`moves` is empty",), id="empty moves"),
    pytest.param("", ("empty",), id="empty file"),
    pytest.param("# only a comment\n", ("empty",), id="only comments"),
    pytest.param("moves:\n" + entry("/data/outputs", "outputs/x"), ("moves[0]", "line 2", "'/data/outputs'", "absolute"),
                 id="absolute from"),
    pytest.param(ONE + entry("outputs/a", "/tmp/x"), ("moves[1]", "line 4", "'/tmp/x'", "absolute"), id="absolute to"),
    pytest.param("moves:\n" + entry("C:/outputs", "b"), ("moves[0]", "'C:/outputs'", "absolute"), id="drive letter"),
    pytest.param("moves:\n" + entry("'~/x'", "b"), ("moves[0]", "'~/x'", "absolute"), id="home"),
    pytest.param("moves:\n" + entry("a", "../outside"), ("moves[0]", "'../outside'", "'..'"), id="to escapes with .."),
    pytest.param("moves:\n" + entry("a/../../b", "c"), ("moves[0]", "'a/../../b'", "'..'"), id=".. inside from"),
    pytest.param("moves:\n" + entry("a/../b", "c"), ("moves[0]", "'a/../b'", "'..'"),
                 id=".. that stays inside is refused too"),
    pytest.param("moves:\n" + entry("'outputs\\hd'", "b"), ("moves[0]", "not a POSIX path"), id="backslash"),
    pytest.param("moves:\n" + entry("a", "'.'"), ("moves[0]", "names the root"), id="to is the root"),
    pytest.param("moves:\n" + entry("a", "./"), ("moves[0]", "names the root"), id="to is ./"),
    pytest.param("moves:\n" + entry("'  '", "b"), ("moves[0]", "empty path"), id="blank from"),
    pytest.param("moves:\n" + entry('""', "b"), ("moves[0]", "empty path"), id="empty from"),
    pytest.param("moves:\n" + entry(".git/hooks", "b"), ("moves[0]", "inside .git"), id="inside .git"),
    pytest.param(ONE + entry("outputs/hd_results", "outputs/other"),
                 ("moves[1]", "line 4", "duplicate `from`", "'outputs/hd_results'", "moves[0]"), id="duplicate from"),
    pytest.param(ONE + entry("./outputs/hd_results/", "outputs/other"),
                 ("moves[1]", "duplicate `from`", "'outputs/hd_results'"), id="duplicate from, other spelling"),
    pytest.param(ONE + entry("outputs/rm", "outputs/HD"),
                 ("moves[1]", "line 4", "duplicate `to`", "'outputs/HD'", "'outputs/rm'"), id="duplicate to"),
    pytest.param("moves:\n" + entry("outputs/a", "./outputs/a"), ("moves[0]", "same path", "'outputs/a'"),
                 id="from == to"),
    pytest.param(ONE + "exclude: vendor/**\n", ("`exclude` must be a list",), id="exclude not a list"),
    pytest.param(ONE + "archived:\n  - ''\n", ("`archived`", "non-empty"), id="empty archived pattern"),
    pytest.param(ONE + "moves: []\n", ("'moves' appears twice",), id="moves twice"),
)


@pytest.mark.parametrize(("text", "fragments"), BAD)
def test_bad_mapping_one_message_naming_the_entry(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    path = tmp_path / "migrations.yaml"
    path.write_text(text)
    with pytest.raises(MappingError) as info:
        load(path, tmp_path)
    message = str(info.value)
    assert "\n" not in message.strip()
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_path_escaping_through_a_symlink_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    os.symlink(outside, root / "data" / "ext")
    with pytest.raises(MappingError, match=r"moves\[1\].*'data/ext/runs'.*outside the root"):
        parse(ONE + entry("data/ext/runs", "data/runs"), root)
    # the same link target inside the root is fine
    os.unlink(root / "data" / "ext")
    (root / "inner").mkdir()
    os.symlink(root / "inner", root / "data" / "ext")
    assert parse(ONE + entry("data/ext/runs", "data/runs"), root).olds == ["outputs/hd_results", "data/ext/runs"]


def test_missing_file_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="mapping file not found") as info:
        load(tmp_path / "nope.yaml", tmp_path)
    assert "migrations.yaml.example" in info.value.hint
    with pytest.raises(MappingError, match="not a file"):
        load(tmp_path, tmp_path)
    bad = tmp_path / "m.yaml"
    bad.write_bytes(b"moves:\n  - from: caf\xe9\n    to: b\n")
    with pytest.raises(MappingError, match="not UTF-8"):
        load(bad, tmp_path)


# ---- good mappings -------------------------------------------------------------------------
def test_load_normalises_and_keeps_positions(tmp_path: Path) -> None:
    path = tmp_path / "meta" / "m.yaml"
    path.parent.mkdir()
    path.write_bytes(
        b"\xef\xbb\xbf# bom, comments and odd spellings are fine\n"
        b"moves:\n  - from: ./outputs/hd_results/\n    to: outputs//HD\n"
        b"  - {from: 'a b/c', to: \"d\"}\narchived:\n  - docs/archive/**\nexclude:\n"
    )
    m = load(path, tmp_path)
    assert [(e.old, e.new, e.index, e.line) for e in m.entries] == [
        ("outputs/hd_results", "outputs/HD", 0, 3), ("a b/c", "d", 1, 5)]
    assert m.archived == ("docs/archive/**",) and m.exclude == ()
    assert m.source == "meta/m.yaml"
    assert m.entries[1].where == "moves[1] (line 5)"
    assert load(path, tmp_path / "meta").source == "m.yaml"
    assert load(path, tmp_path).digest == m.digest != from_pairs([("a", "b")]).digest


def test_mapping_outside_root_has_no_source(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    path = tmp_path / "m.yaml"
    path.write_text(ONE)
    assert load(path, tmp_path / "root").source is None


TRANSLATE = from_pairs([
    ("outputs/hd_results", "outputs/HD"),
    ("ocean/runs", "simulations/ocean"),
    ("ocean/runs/spinup", "simulations/spinup"),
    ("m/north", "m/south"), ("m/south", "m/north"),
    ("g/next", "g/current"), ("g/current", "g/v2023"),
])


@pytest.mark.parametrize(("path", "expected"), (
    ("outputs/hd_results", "outputs/HD"),
    ("outputs/hd_results/", "outputs/HD"),
    ("outputs/hd_results/a/b.csv", "outputs/HD/a/b.csv"),
    ("outputs/hd_results_v2", None),
    ("outputs", None),
    ("myoutputs/hd_results", None),
    pytest.param("ocean/runs/spinup/x", "simulations/spinup/x", id="longest from wins"),
    pytest.param("ocean/runs/spinup_v0", "simulations/ocean/spinup_v0", id="no partial component"),
    pytest.param("ocean/runs", "simulations/ocean", id="shorter from alone"),
    pytest.param("m/north/a", "m/south/a", id="swap one way"),
    pytest.param("m/south/a", "m/north/a", id="swap other way"),
    pytest.param("g/next", "g/current", id="chain: once, not twice"),
    pytest.param("g/current", "g/v2023", id="chain second link"),
))
def test_translate(path: str, expected: str | None) -> None:
    assert TRANSLATE.translate(path) == expected


def test_rewrite_and_live_paths() -> None:
    m = from_pairs([("outputs/hd_results", "outputs/HD"), ("m/north", "m/south"), ("m/south", "m/north")])
    assert m.rewrite("outputs/hd_results") == "outputs/HD"
    assert m.rewrite("outputs/hd_results", "/a.csv") == "outputs/HD"  # only the matched `from` is replaced
    live = m.with_live(["m/south"])
    # verify mode: a reference at or under an existing destination is current (SPEC §2 swap)
    assert live.rewrite("m/south", "/x") is None and live.translate("m/south/x") is None
    assert live.rewrite("m/north", "/x") == "m/south"
    assert live.translate("outputs/hd_results/a") == "outputs/HD/a"
    assert live.is_live("m/south") and live.is_live("m/south/a/b") and not live.is_live("m/southern")
    assert isinstance(live, Mapping) and m.live == frozenset()


def test_needles_are_last_components() -> None:
    assert TRANSLATE.needles == (b"current", b"hd_results", b"next", b"north", b"runs", b"south", b"spinup")


def test_from_pairs_validates_like_a_file() -> None:
    with pytest.raises(MappingError, match="duplicate `from`"):
        from_pairs([("a", "b"), ("a", "c")])
    with pytest.raises(MappingError, match="'..'"):
        from_pairs([("a", "../b")])
