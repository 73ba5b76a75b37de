"""A package move in a repository of many importing modules: pathmove against `git mv` + sed.

    python benchmarks/package_move.py                  # 400 importing modules, 3 runs
    python benchmarks/package_move.py --modules 400 --runs 3 --out benchmarks/package_move.md

Builds (offline, once per run under --dir) a git repository: a package `app/legacy_io` that
moves to `app/io/modern`, and --modules importing modules, each a copy of a real module of
this environment (PyYAML's scanner.py, ~1,400 lines) with the imports, attribute chains and
dotted-name strings of the moved package a real codebase has. Then, run after run
interleaved so that both sides see the same machine load, each on a fresh copy of the tree:

    pathmove plan --json   vs  git mv + git grep -l | xargs sed -i
    pathmove apply         vs  git mv + git grep -l | xargs sed -i

and prints the wall-time ratios (min / median / max). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HEADER = '''"""Module {i}: a copy of a real module that uses the package being moved."""
from unittest import mock

import app.legacy_io.util
from app.legacy_io import reader
from app.legacy_io.reader import read_rows as _read_rows

LOADER = "app.legacy_io.reader:main"


def _use_legacy_io(path):
    with mock.patch("app.legacy_io.reader.read_rows"):
        return app.legacy_io.util.normalise(reader.read_rows(path)) + _read_rows(path)

'''

PACKAGE = {
    "app/__init__.py": "",
    "app/io/__init__.py": "",
    "app/legacy_io/__init__.py": '"""The package that moves."""\n',
    "app/legacy_io/reader.py": "def read_rows(path):\n    return []\n\n\ndef main():\n    return 0\n",
    "app/legacy_io/util.py": "def normalise(rows):\n    return rows\n",
    "migrations.yaml": "moves:\n  - from: app/legacy_io\n    to: app/io/modern\n",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def build(root: Path, modules: int) -> None:
    body = (Path(yaml.__file__).parent / "scanner.py").read_text()
    body = body.replace("from .error import", "from yaml.error import").replace("from .tokens import", "from yaml.tokens import")
    for rel, text in PACKAGE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for i in range(modules):
        (root / "app" / f"mod_{i:04d}.py").write_text(HEADER.format(i=i) + body)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "start", "--no-verify")


def baseline(root: Path) -> None:
    git(root, "mv", "app/legacy_io", "app/io/modern")
    subprocess.run("git grep -l -F app.legacy_io | xargs sed -i 's/app\\.legacy_io/app.io.modern/g'",
                   shell=True, cwd=root, check=True, capture_output=True)


def timed(fn: object, root: Path) -> float:
    t = time.perf_counter()
    fn(root)  # type: ignore[operator]
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=400)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pathmove", default=str(Path(sys.executable).parent / "pathmove"))
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pm-pkg-", dir=args.dir))
    template = work / "template"
    template.mkdir()
    build(template, args.modules)
    lines = sum(p.read_text().count("\n") for p in template.glob("app/mod_*.py")) // args.modules

    def pathmove(*cmd: str) -> object:
        def run(root: Path) -> None:
            p = subprocess.run([args.pathmove, *cmd], cwd=root, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"pathmove {' '.join(cmd)} exit {p.returncode}: {p.stderr}{p.stdout[-2000:]}")
        return run

    times: dict[str, list[float]] = {"plan": [], "apply": [], "base": []}
    for r in range(args.runs):
        for name, fn in (("base", baseline), ("plan", pathmove("plan", "--json")), ("apply", pathmove("apply"))):
            root = work / f"{name}-{r}"
            shutil.copytree(template, root, symlinks=True)
            times[name].append(timed(fn, root))
            if name == "apply":
                stale = subprocess.run(["git", "grep", "-l", "-F", "app.legacy_io"], cwd=root, capture_output=True, text=True)
                if stale.stdout:
                    raise SystemExit(f"apply left stale references: {stale.stdout[:500]}")
            shutil.rmtree(root)
    base = statistics.median(times["base"])
    out = [f"{args.modules} importing modules of {lines} lines, {args.runs} runs; "
           f"git mv + git grep -l | xargs sed -i: median {base:.2f} s", "",
           "| command | median s | ratio min / median / max |", "|---|---|---|"]
    for name in ("plan", "apply"):
        ratios = [t / b for t, b in zip(times[name], times["base"])]
        out.append(f"| pathmove {'plan --json' if name == 'plan' else 'apply'} | {statistics.median(times[name]):.2f} | "
                   f"{min(ratios):.1f}× / {statistics.median(ratios):.1f}× / {max(ratios):.1f}× |")
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
