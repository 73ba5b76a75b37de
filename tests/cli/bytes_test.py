"""SPEC §5: only the matched bytes change; encodings, line endings, BOM and modes survive apply."""

from __future__ import annotations

import os
import stat

from tests.conftest import git, run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
BEFORE = {
    "latin1.txt": b"R\xe9sultats dans outputs/hd_results/a.csv (\xe9t\xe9 2023)\n",
    "crlf.sh": b"#!/bin/sh\r\nls outputs/hd_results\r\nls outputs/hd_results_v2\r\n",
    "bom.md": b"\xef\xbb\xbfoutputs/hd_results is where the scores are\n",
    "no_newline.cfg": b"dir=outputs/hd_results",
    "mixed.txt": b"a outputs/hd_results\r\nb outputs/hd_results\nc\r",
    "tabs.mk": b"run:\n\tcat outputs/hd_results/*.csv\t# tab\n",
    "data.bin": b"\x00\x01outputs/hd_results\x00",
    "utf16.txt": "outputs/hd_results\n".encode("utf-16"),
}
AFTER = {
    "latin1.txt": b"R\xe9sultats dans outputs/HD/a.csv (\xe9t\xe9 2023)\n",
    "crlf.sh": b"#!/bin/sh\r\nls outputs/HD\r\nls outputs/hd_results_v2\r\n",
    "bom.md": b"\xef\xbb\xbfoutputs/HD is where the scores are\n",
    "no_newline.cfg": b"dir=outputs/HD",
    "mixed.txt": b"a outputs/HD\r\nb outputs/HD\nc\r",
    "tabs.mk": b"run:\n\tcat outputs/HD/*.csv\t# tab\n",
    # binaries (a NUL in the first 8 KiB, UTF-16 included) are never touched (SPEC §4.5)
    "data.bin": BEFORE["data.bin"],
    "utf16.txt": BEFORE["utf16.txt"],
}


def test_bytes_and_modes_preserved(git_repo) -> None:
    root = git_repo({"migrations.yaml": MAPPING, "outputs/hd_results/a.csv": b"x\n", **BEFORE})
    (root / "crlf.sh").chmod(0o755)
    (root / "outputs/hd_results/a.csv").chmod(0o600)
    (root / "latin1.txt").chmod(0o640)
    git(root, "commit", "-qam", "modes")
    run_pathmove(root, "apply", check_rc=0)
    after = tree_bytes(root)
    for rel, data in AFTER.items():
        assert after[rel][1] == data, rel
    assert after["crlf.sh"][2] == 0o755 and after["latin1.txt"][2] == 0o640
    assert after["outputs/HD/a.csv"] == ("file", b"x\n", 0o600)
    assert stat.S_IMODE(os.stat(root / "bom.md").st_mode) == 0o644
    # nothing else appeared in the tree (temporary files, journal)
    assert sorted(after) == sorted(["migrations.yaml", "outputs/HD/a.csv", *BEFORE])
    assert git(root, "diff", "--numstat", "--", "crlf.sh").split()[:2] == ["1", "1"]
