"""`plan --diff` is a patch git applies: on the demo, and on a swap with a nested move."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pathmove import demo
from tests.conftest import git, run_pathmove, tree_bytes


def _patch(root: Path) -> bytes:
    exe = subprocess.run(["which", "pathmove"], capture_output=True, text=True, check=True).stdout.strip()
    proc = subprocess.run([exe, "plan", "--diff"], cwd=root, capture_output=True, check=True)
    assert proc.stdout.startswith(b"diff --git ") and b"references" in proc.stderr  # summary on stderr only
    return proc.stdout


def _applies_like_apply(root: Path, tmp_path: Path, apply_rc: int = 0) -> bytes:
    """git apply --check accepts the patch; applied to a copy it gives what `pathmove apply` gives."""
    patch = _patch(root)
    (tmp_path / "x.patch").write_bytes(patch)
    subprocess.run(["git", "apply", "--check", str(tmp_path / "x.patch")], cwd=root, check=True)
    copy = tmp_path / "copy"
    subprocess.run(["git", "clone", "-q", str(root), str(copy)], check=True)
    subprocess.run(["git", "apply", str(tmp_path / "x.patch")], cwd=copy, check=True)
    run_pathmove(root, "apply", check_rc=apply_rc)
    got, want = tree_bytes(copy), tree_bytes(root)
    assert {k: v for k, v in got.items()} == want
    return patch


def test_the_demo_patch_applies_and_equals_apply(tmp_path: Path) -> None:
    root = demo.materialise(tmp_path / "demo")
    patch = _applies_like_apply(root, tmp_path, apply_rc=1)  # the demo keeps one place for review
    assert b"\nsimilarity index 100%\nrename from " in patch  # a moved, unedited file is a pure rename
    assert b"\nrename to " in patch and b"\n@@ " in patch


def test_a_swap_and_a_nested_move_apply(git_repo, tmp_path: Path) -> None:
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: a\n    to: b\n  - from: b\n    to: a\n"
                           "  - from: a/inner\n    to: deep/er/inner\n",
        "a/x.txt": "see b/y.txt and a/inner/z.md\n",
        "b/y.txt": "see a/x.txt\r\nno newline at the end: a/x.txt",
        "a/inner/z.md": "[x](../x.txt)\n",
        "a/plain.txt": "nothing to rewrite\n",
        "run.sh": "cat a/x.txt b/y.txt\n",
    })
    (root / "run.sh").chmod(0o755)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "modes")
    patch = _applies_like_apply(root, tmp_path)
    assert b"diff --git a/a/plain.txt b/b/plain.txt\nsimilarity index 100%\n" in patch
    assert b"rename from a/x.txt\nrename to b/x.txt\n" in patch  # moved and edited: rename, then hunks
    assert b"\\ No newline at end of file\n" in patch
    assert b" 100755\n" in patch  # the mode survives
