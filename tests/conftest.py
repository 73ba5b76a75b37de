"""Shared fixtures: real git repositories in tmp_path, isolated from the user's config."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import settings

# CI runs the same examples every time (a red CI must mean a regression, not a new draw);
# locally each run draws new ones, which is where new bugs are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests out of HOME and the user's git config; find the installed pathmove first."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.org")
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("PATHMOVE_CRASH_AFTER", raising=False)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return proc.stdout


def write_tree(root: Path, tree: dict[str, bytes | str]) -> None:
    """Create files from {path: bytes}; a str value starting with 'link:' makes a symlink."""
    for rel, data in tree.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str) and data.startswith("link:"):
            os.symlink(data[5:], p)
        else:
            p.write_bytes(data if isinstance(data, bytes) else data.encode())


def tree_bytes(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every file below root (not .git): kind, bytes or link target, permission bits."""
    out: dict[str, tuple[str, bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not (dirpath == str(root) and d == ".git")]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.islink(full):
                out[rel] = ("link", os.fsencode(os.readlink(full)), 0)
            else:
                with open(full, "rb") as fh:
                    out[rel] = ("file", fh.read(), stat.S_IMODE(os.stat(full).st_mode))
    return out


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[[dict[str, bytes | str]], Path]:
    """Make a committed git repository from a tree."""

    def make(tree: dict[str, bytes | str], commit: bool = True) -> Path:
        root = tmp_path / "repo"
        root.mkdir()
        write_tree(root, tree)
        git(root, "-c", "init.defaultBranch=main", "init", "-q")
        git(root, "config", "core.autocrlf", "false")
        git(root, "config", "commit.gpgSign", "false")
        if commit:
            git(root, "add", "-A")
            git(root, "commit", "-q", "--no-verify", "-m", "start")
        return root

    return make


def run_pathmove(root: Path, *args: str, check_rc: int | None = None, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed pathmove command as a user would."""
    exe = shutil.which("pathmove")
    assert exe, "the pathmove command is not installed"
    proc = subprocess.run([exe, *args], cwd=cwd or root, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    if check_rc is not None:
        assert proc.returncode == check_rc, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    if proc.returncode in (0, 1) and ("--json" in args or "--format=json" in args
                                      or any(a == "--format" and b == "json" for a, b in zip(args, args[1:]))):
        validate_json(proc.stdout)
    return proc


def validate_json(text: str) -> None:
    """Every --json document an end-to-end test sees matches the published schema."""
    import json

    import jsonschema

    jsonschema.Draft202012Validator(json_schema()).validate(json.loads(text))


def json_schema() -> dict[str, object]:
    import json
    from importlib import resources

    schema: dict[str, object] = json.loads((resources.files("pathmove") / "schema" / "plan.v1.json").read_text("utf-8"))
    return schema
