"""The shipped .pre-commit-hooks.yaml, run by the real pre-commit framework (SPEC §6).

A hook repository is made from this project's source at one commit (a local path, pinned
`rev`), a user repository uses it in its .pre-commit-config.yaml, and `git commit` runs it.
pre-commit installs the hook's Python environment from that repository, as it would for a
user (it needs the package index or pip's cache for the dependencies).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import pathmove
from pathmove import finders
from tests.conftest import BIN, git

PROJECT = Path(pathmove.__file__).resolve().parent.parent
MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"

pytestmark = pytest.mark.skipif(
    not (PROJECT / "pyproject.toml").is_file() or not (PROJECT / ".pre-commit-hooks.yaml").is_file(),
    reason="needs pathmove's source tree (an editable install)",
)


def _git(root: Path, *args: str) -> str:
    # module scope runs before the per-test environment: give git an identity and no user config
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This project's files at one commit, as a hook repository; and a pre-commit home shared by the
    tests of this module, so the hook's environment is built once per test process."""
    dest = tmp_path_factory.mktemp("pathmove-hook")
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=PROJECT,
                            capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        names = [n for n in listed.stdout.decode().split("\0") if n and (PROJECT / n).is_file()]
        for name in names:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, dest / name)
    else:  # not a git checkout: copy the tree minus build artefacts
        shutil.copytree(PROJECT, dest, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist",
                                                      ".pytest_cache", ".hypothesis"))
    _git(dest, "-c", "init.defaultBranch=main", "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "commit.gpgSign=false", "commit", "-q", "--no-verify", "-m", "pathmove hook repository")
    return dest, _git(dest, "rev-parse", "HEAD").strip(), tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def hooked_repo(git_repo, hook_repository) -> tuple[Path, dict[str, str]]:
    """A user repository after a migration, with pathmove-check installed through pre-commit."""
    hook_repo, rev, pre_commit_home = hook_repository
    config = (f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev}\n"
              "    hooks:\n      - id: pathmove-check\n")
    root = git_repo({
        "migrations.yaml": MAPPING,  # stays after the migration: the list of retired paths
        "outputs/HD/a.csv": "x\n",
        "outputs/hd_results_v2/b.csv": "y\n",
        ".pre-commit-config.yaml": config,
    })
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)}
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=root, env=env, check=True, capture_output=True)
    return root, env


def _commit(root: Path, env: dict[str, str], files: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", *files)
    return subprocess.run(["git", "commit", "-m", message], cwd=root, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def _commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def test_commit_bringing_back_a_retired_path_is_refused_and_a_clean_one_passes(hooked_repo) -> None:
    root, env = hooked_repo
    refused = _commit(root, env, {
        "scripts/load.py": 'import pandas as pd\n\nframe = pd.read_csv("outputs/hd_results/a.csv")\n',
        "notes/todo.txt": "rerun and copy into outputs/hd_results/ again\n",
    }, "bring back the old folder")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert "pathmove check (retired paths)" in out and "Failed" in out
    # each place: file:line:col, the old text and the new path to use
    assert "scripts/load.py:3:22: outputs/hd_results → outputs/HD" in out, out
    assert "notes/todo.txt:1:21: outputs/hd_results → outputs/HD" in out, out
    assert "pathmove check --fix" in out
    assert _commits(root) == 1

    passed = _commit(root, env, {
        "scripts/load.py": 'import pandas as pd\n\nframe = pd.read_csv("outputs/HD/a.csv")\n',
        "notes/todo.txt": "the v2 runs stay in outputs/hd_results_v2/\n",
        # the mapping itself names the retired paths and is never flagged (SPEC §4.5)
        "migrations.yaml": "# retired by the 2026 reorganisation\n" + MAPPING,
    }, "use the new folder")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"pathmove check \(retired paths\)\.+Passed", passed.stdout + passed.stderr)
    assert _commits(root) == 2


@pytest.mark.skipif("python" not in finders.REGISTRY, reason="needs the Python finder (split path segments)")
def test_commit_with_a_split_segment_path_is_refused(hooked_repo) -> None:
    root, env = hooked_repo
    refused = _commit(root, env, {
        "scripts/plot.py": 'from pathlib import Path\n\nRESULTS = Path("outputs") / "hd_results"\n',
    }, "split segments")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert re.search(r"scripts/plot\.py:3:\d+: .*hd_results.* → .*HD", out), out
    assert '    RESULTS = Path("outputs") / "hd_results"' in out  # the line that spells the old path
    assert _commits(root) == 1


def test_the_readme_snippet_works_as_written(git_repo, hook_repository) -> None:
    """The README's .pre-commit-config.yaml, with only its placeholders filled in (the clone's
    path for `repo:`, a real commit sha for `rev:`), installs and refuses a retired path."""
    hook_repo, rev, pre_commit_home = hook_repository
    readme = (PROJECT / "README.md").read_text()
    section = readme[readme.index("## The pre-commit hook"):]
    snippet = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", section, re.S)
    assert snippet, "the README's hook section has no .pre-commit-config.yaml block"
    config, n_repo = re.subn(r"(repo:\s*)\S+", lambda m: m.group(1) + hook_repo.as_posix(), snippet.group(1))
    config, n_rev = re.subn(r"(rev:\s*)[0-9a-f]{40}\b", lambda m: m.group(1) + rev, config)
    assert n_repo == 1 and n_rev == 1, "the README pins `rev:` to a full commit sha"
    root = git_repo({"migrations.yaml": MAPPING, "outputs/HD/a.csv": "x\n", ".pre-commit-config.yaml": config})
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)}
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=root, env=env, check=True, capture_output=True)
    refused = _commit(root, env, {"run.sh": "cat outputs/hd_results/a.csv\n"}, "bring back the old folder")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "run.sh:1:5: outputs/hd_results → outputs/HD" in out, out
    assert "args: [--fix]" in " ".join(out.split())  # what to do, in hook terms
    assert _commits(root) == 1
