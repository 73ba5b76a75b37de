"""End to end (SPEC §4.1 module names): modules move, and imports naming several of them in one
statement, configs, notebooks and Sphinx pages follow; the moved code still imports, its tests
still pass and its docs still build; what needs a person stays listed until it is edited."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.module_names_test import RESOLVE  # every config target imported and looked up
from tests.conftest import git, run_pathmove, tree_bytes


def _python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The repository's own Python, as its users run it: from the root, the root on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, env=env)


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _findings(root: Path) -> dict[str, object]:
    doc: dict[str, object] = json.loads(run_pathmove(root, "plan", "--json").stdout)
    return doc


# ---- a. a PEP 420 namespace package (CompVis/latent-diffusion) -----------------------------------
LDM: dict[str, bytes | str] = {
    ".gitignore": "__pycache__/\n",
    "migrations.yaml": "moves:\n  - from: ldm/modules/encoders\n    to: ldm/modules/conditioning\n",
    "ldm/util.py": (
        "import importlib\n\n\n"
        "def instantiate_from_config(config):\n"
        '    module, cls = config["target"].rsplit(".", 1)\n'
        '    return getattr(importlib.import_module(module), cls)(**config.get("params", {}))\n'
    ),
    "ldm/modules/attention.py": "class SpatialTransformer:\n    pass\n",
    "ldm/modules/encoders/__init__.py": "",
    "ldm/modules/encoders/modules.py": (
        "class ClassEmbedder:\n    def __init__(self, embed_dim=4, n_classes=10):\n        self.embed_dim = embed_dim\n\n\n"
        "class FrozenCLIPEmbedder(ClassEmbedder):\n    pass\n"
    ),
    "ldm/models/diffusion/ddpm.py": (
        "from ldm.modules.encoders.modules import ClassEmbedder, FrozenCLIPEmbedder  # noqa: F401\n"
        "from ldm.util import instantiate_from_config\n\n\n"
        "class LatentDiffusion:\n    def __init__(self, cond_stage_config):\n"
        "        self.cond = instantiate_from_config(cond_stage_config)\n"
        "        assert isinstance(self.cond, ClassEmbedder)\n"
    ),
    "scripts/sample_diffusion.py": (
        "import argparse\n\n"
        "from ldm.modules import attention, encoders\n"
        "from ldm.modules.encoders.modules import (\n"
        "    ClassEmbedder,  # class-conditional\n"
        "    FrozenCLIPEmbedder,\n"
        ")\n\n\n"
        "def main():\n"
        "    parser = argparse.ArgumentParser()\n"
        "    parser.parse_args([])\n"
        "    return ClassEmbedder(3).embed_dim, FrozenCLIPEmbedder, attention.SpatialTransformer, encoders.modules\n"
    ),
    "scripts/train.py": (
        "def encoder(name):\n"
        "    try:\n"
        "        from ldm.modules.encoders.modules import ClassEmbedder as CE, FrozenCLIPEmbedder as Clip\n"
        "    except ImportError:\n"
        "        raise SystemExit('ldm is not installed')\n"
        "    return {'class': CE, 'clip': Clip}[name]\n"
    ),
    "notebooks/conditioning.ipynb": json.dumps({
        "cells": [
            {"cell_type": "markdown", "id": "m0", "metadata": {}, "source": ["# Conditioning\n"]},
            {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
             "source": ["from ldm.modules import encoders, attention\n",
                        "from ldm.modules.encoders.modules import ClassEmbedder, FrozenCLIPEmbedder"]},
            {"cell_type": "code", "execution_count": None, "id": "c2", "metadata": {}, "outputs": [],
             "source": ["emb = ClassEmbedder(embed_dim=5)\n", "print(emb.embed_dim, encoders.__name__)"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }, indent=1) + "\n",
    "configs/latent-diffusion/cin-ldm-vq-f8.yaml": (
        "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n"
        "    cond_stage_config:\n      target: ldm.modules.encoders.modules.ClassEmbedder\n"
        "      params:\n        embed_dim: 512\n        n_classes: 1001\n"
    ),
    "configs/hydra/cond_stage.yaml": "_target_: ldm.modules.encoders.modules.FrozenCLIPEmbedder  # CLIP\nembed_dim: 8\n",
    "configs/lightning/model.yaml": (
        "model:\n  class_path: ldm.modules.encoders.modules.ClassEmbedder\n  init_args:\n    embed_dim: 2\n"
    ),
}
IMPORTERS = ["scripts.sample_diffusion", "scripts.train", "ldm.models.diffusion.ddpm"]
CONFIGS = ["configs/latent-diffusion/cin-ldm-vq-f8.yaml", "configs/hydra/cond_stage.yaml", "configs/lightning/model.yaml"]
RUN_NOTEBOOK = r"""
import json, sys
doc = json.load(open(sys.argv[1]))
code = "\n".join("".join(c["source"]) for c in doc["cells"] if c["cell_type"] == "code")
exec(compile(code, sys.argv[1], "exec"), {})
"""


def _ldm_works(root: Path) -> list[str]:
    """Every importer imports (and runs), the notebook runs, every config target resolves."""
    _ok(_python(root, "-c", "import " + ", ".join(IMPORTERS)))
    _ok(_python(root, "-c", "import scripts.sample_diffusion as s, scripts.train as t\n"
                            "assert s.main()[0] == 3 and t.encoder('clip').__name__ == 'FrozenCLIPEmbedder'"))
    assert _ok(_python(root, "-c", RUN_NOTEBOOK, "notebooks/conditioning.ipynb")).split()[0] == "5"
    _ok(_python(root, "-c", "import yaml\nfrom ldm.models.diffusion.ddpm import LatentDiffusion\n"
                            "c = yaml.safe_load(open('configs/latent-diffusion/cin-ldm-vq-f8.yaml'))\n"
                            "LatentDiffusion(c['model']['params']['cond_stage_config'])\n"))
    return list(json.loads(_ok(_python(root, "-c", RESOLVE, *CONFIGS))))


def test_namespace_package_importers_notebook_and_configs_follow(git_repo) -> None:
    root = git_repo(LDM)
    before = _ldm_works(root)
    assert len(before) == 4
    plan = _findings(root)
    assert plan["review"] == []

    run_pathmove(root, "apply", check_rc=0)
    after = _ldm_works(root)
    assert after == [t.replace(".encoders.", ".conditioning.") for t in before]
    assert (root / "scripts/sample_diffusion.py").read_text().startswith(
        "import argparse\n\n"
        "from ldm.modules import attention, conditioning as encoders\n"
        "from ldm.modules.conditioning.modules import (\n"
        "    ClassEmbedder,  # class-conditional\n"
        "    FrozenCLIPEmbedder,\n"
        ")\n")
    assert "        from ldm.modules.conditioning.modules import ClassEmbedder as CE, FrozenCLIPEmbedder as Clip\n" in \
        (root / "scripts/train.py").read_text()
    cell = json.loads((root / "notebooks/conditioning.ipynb").read_text())["cells"][1]["source"]
    assert cell == ["from ldm.modules import conditioning as encoders, attention\n",
                    "from ldm.modules.conditioning.modules import ClassEmbedder, FrozenCLIPEmbedder"]
    assert not (root / "ldm/modules/encoders").exists() and not (root / "ldm/__init__.py").exists()
    run_pathmove(root, "verify", check_rc=0)


# ---- b. a package's __init__ imports two modules that move (pypa/packaging) ------------------------
PACKAGING: dict[str, bytes | str] = {
    ".gitignore": "__pycache__/\n",
    "pyproject.toml": (
        '[project]\nname = "pkgtags"\nversion = "0.1"\n\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n\n'
        '[tool.pytest.ini_options]\npythonpath = ["src"]\ntestpaths = ["tests"]\n'
    ),
    "src/pkgtags/__init__.py": '"""Platform tags."""\n\nfrom . import _manylinux, _musllinux\n\n__all__ = ["tags"]\n',
    "src/pkgtags/_manylinux.py": 'def platform_tags(arch):\n    return [f"manylinux_2_17_{arch}"]\n',
    "src/pkgtags/_musllinux.py": 'def platform_tags(arch):\n    return [f"musllinux_1_2_{arch}"]\n',
    "src/pkgtags/tags.py": (
        "from . import (\n    _manylinux,  # glibc\n    _musllinux,  # musl\n)\n\n\n"
        'def platform_tags(arch="x86_64"):\n'
        "    return [*_manylinux.platform_tags(arch), *_musllinux.platform_tags(arch)]\n"
    ),
    "tests/test_tags.py": (
        "import pkgtags\n"
        "from pkgtags import _manylinux, _musllinux, tags\n\n\n"
        "def test_platform_tags():\n"
        '    assert tags.platform_tags("aarch64") == ["manylinux_2_17_aarch64", "musllinux_1_2_aarch64"]\n\n\n'
        "def test_the_package_holds_its_platform_modules():\n"
        "    assert pkgtags._manylinux is _manylinux and pkgtags._musllinux is _musllinux\n"
    ),
    "tests/test_manylinux.py": (
        "from pkgtags._manylinux import platform_tags\n\n\n"
        "def test_manylinux():\n"
        '    assert platform_tags("x86_64") == ["manylinux_2_17_x86_64"]\n'
    ),
}


def _pytest(root: Path) -> str:
    return _ok(_python(root, "-m", "pytest", "-q", "-p", "no:cacheprovider"))


@pytest.mark.parametrize(("musl_to", "init", "tags", "test"), (
    pytest.param(
        "src/pkgtags/_platforms/_musllinux.py",
        "from ._platforms import _manylinux, _musllinux\n",
        "from ._platforms import (\n    _manylinux,  # glibc\n    _musllinux,  # musl\n)\n",
        "from pkgtags import tags\nfrom pkgtags._platforms import _manylinux, _musllinux\n",
        id="one new parent: in place"),
    pytest.param(
        "src/pkgtags/_libc/musl.py",
        "from ._platforms import _manylinux\nfrom ._libc import musl as _musllinux\n",
        "from ._platforms import (\n    _manylinux,  # glibc\n    # musl\n)\nfrom ._libc import musl as _musllinux\n",
        "from pkgtags import tags\nfrom pkgtags._platforms import _manylinux\nfrom pkgtags._libc import musl as _musllinux\n",
        id="two new parents: split"),
))
def test_package_init_importing_moved_modules_keeps_its_suite_green(git_repo, musl_to: str, init: str,
                                                                     tags: str, test: str) -> None:
    root = git_repo({**PACKAGING, "migrations.yaml": (
        "moves:\n  - from: src/pkgtags/_manylinux.py\n    to: src/pkgtags/_platforms/_manylinux.py\n"
        f"  - from: src/pkgtags/_musllinux.py\n    to: {musl_to}\n")})
    assert "3 passed" in _pytest(root)
    assert _findings(root)["review"] == []
    before = tree_bytes(root)

    run_pathmove(root, "apply", check_rc=0)
    assert (root / "src/pkgtags/__init__.py").read_text() == f'"""Platform tags."""\n\n{init}\n__all__ = ["tags"]\n'
    assert (root / "src/pkgtags/tags.py").read_text().startswith(tags)
    assert (root / "tests/test_tags.py").read_text().startswith("import pkgtags\n" + test)
    assert (root / "tests/test_manylinux.py").read_text().startswith("from pkgtags._platforms._manylinux import")
    assert not (root / "src/pkgtags/_platforms/__init__.py").exists()
    _ok(_python(root / "src", "-c", "import pkgtags, pkgtags.tags; print(pkgtags._manylinux.__name__)"))
    assert "3 passed" in _pytest(root)
    run_pathmove(root, "verify", check_rc=0)
    assert git(root, "status", "--porcelain", "--untracked-files=all").count("\n") >= 4  # the migration to commit
    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before


# ---- c. Sphinx pages and docstrings name a module that moves (pallets/click) -----------------------
CLACK: dict[str, bytes | str] = {
    ".gitignore": "__pycache__/\n_build/\n",
    "migrations.yaml": "moves:\n  - from: clack/_compat.py\n    to: clack/_internal/compat.py\n",
    "clack/__init__.py": '"""A small click."""\n',
    "clack/_compat.py": (
        '"""Compatibility helpers."""\n\nWIN = False\n\n\n'
        "def term_len(x):\n"
        '    """Length of ``x`` on a terminal, see :func:`clack._compat.strip_ansi`."""\n'
        "    return len(strip_ansi(x))\n\n\n"
        "def strip_ansi(value):\n"
        '    """``value`` without ANSI escapes."""\n'
        '    return value.replace("\\x1b[0m", "")\n'
    ),
    "clack/utils.py": '"""Utilities."""\n\n\ndef echo(x):\n    """Print ``x``."""\n    print(x)\n',
    "clack/termui.py": (
        '"""Terminal UI."""\n\n'
        "from . import _compat, utils\n"
        "from ._compat import WIN, term_len\n\n\n"
        "def style(text):\n"
        '    """Style ``text``; its width is :func:`clack._compat.term_len` (:mod:`clack._compat`)."""\n'
        "    utils.echo(text)\n"
        "    return term_len(text), WIN, _compat.WIN\n"
    ),
    "docs/conf.py": (
        "import os\nimport sys\n\n"
        'sys.path.insert(0, os.path.abspath(".."))\n'
        'project = "clack"\n'
        'extensions = ["sphinx.ext.autodoc"]\n'
        "nitpicky = True\n"
    ),
    "docs/index.rst": "clack\n=====\n\n.. toctree::\n\n   api\n",
    "docs/api.rst": (
        "API\n===\n\n"
        ".. automodule:: clack.termui\n   :members:\n\n"
        ".. automodule:: clack._compat\n   :members:\n\n"
        "Widths come from :func:`clack._compat.term_len` (:func:`~clack._compat.strip_ansi` first).\n"
    ),
}


def _sphinx(root: Path, out: Path) -> None:
    exe = Path(sys.executable).parent / "sphinx-build"
    sphinx = str(exe) if exe.exists() else shutil.which("sphinx-build")
    assert sphinx, "sphinx-build is not installed (the test extra installs it)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sphinx, "-W", "-n", "-q", "-E", "-b", "html", str(root / "docs"), str(out)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sphinx_roles_and_docstrings_follow_the_module(git_repo, tmp_path: Path) -> None:
    root = git_repo(CLACK)
    _sphinx(root, tmp_path / "before")  # nitpicky: every role resolves before the move
    kinds = sorted(f["kind"] for f in _findings(root)["findings"])  # type: ignore[union-attr]
    assert {"sphinx-directive", "sphinx-role", "py-import"} <= set(kinds)

    run_pathmove(root, "apply", check_rc=0)
    assert (root / "docs/api.rst").read_text().endswith(
        ".. automodule:: clack._internal.compat\n   :members:\n\n"
        "Widths come from :func:`clack._internal.compat.term_len` (:func:`~clack._internal.compat.strip_ansi` first).\n")
    termui = (root / "clack/termui.py").read_text()
    assert termui.startswith(
        '"""Terminal UI."""\n\n'
        "from . import utils\n"
        "from ._internal import compat as _compat\n"
        "from ._internal.compat import WIN, term_len\n")
    assert ":func:`clack._internal.compat.term_len` (:mod:`clack._internal.compat`)" in termui
    assert ":func:`clack._internal.compat.strip_ansi`" in (root / "clack/_internal/compat.py").read_text()
    _sphinx(root, tmp_path / "after")  # and every role resolves after it: none was left behind
    assert (tmp_path / "after/api.html").read_text().count("clack._internal.compat.term_len") >= 1
    _ok(_python(root, "-c", "from clack import termui; assert termui.style('ab') == (2, False, False)"))
    run_pathmove(root, "verify", check_rc=0)


# ---- d. a place pathmove cannot rewrite stays listed until someone edits it ------------------------
def _reviews(root: Path, *args: str) -> list[tuple[str, int, int]]:
    doc = json.loads(run_pathmove(root, *args, "--json").stdout)
    return sorted((r["path"], r["line"], r["column"]) for r in doc["review"])


def test_an_import_that_cannot_be_split_stays_listed_until_edited(git_repo) -> None:
    # pip/_vendor: a vendored module becomes a top-level one, which `from . import` cannot name
    root = git_repo({
        "src/pkgtags/__init__.py": "",
        "src/pkgtags/tags.py": "X = 1\n",
        "src/pkgtags/_six.py": "PY3 = True\n",
        "src/pkgtags/cli.py": '"""Command line."""\nfrom . import tags, _six\n\nprint(tags.X, _six.PY3)\n',
        "migrations.yaml": "moves:\n  - from: src/pkgtags/_six.py\n    to: src/six.py\n",
    })
    expected = [("src/pkgtags/cli.py", 2, 21)]
    assert _reviews(root, "plan") == expected
    applied = run_pathmove(root, "apply", check_rc=1)
    assert "src/pkgtags/cli.py:2:21" in applied.stdout
    assert (root / "src/pkgtags/cli.py").read_text() == '"""Command line."""\nfrom . import tags, _six\n\nprint(tags.X, _six.PY3)\n'
    run_pathmove(root, "verify", check_rc=1)
    doc = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    assert [(r["path"], r["kind"]) for r in doc["review"]] == [("src/pkgtags/cli.py", "py-review")]
    assert "six" in doc["review"][0]["message"]
    assert _reviews(root, "verify") == expected
    run_pathmove(root, "check", "src/pkgtags/cli.py", check_rc=1)
    assert _reviews(root, "check", "src/pkgtags/cli.py") == expected
    # someone edits the import: nothing is left
    (root / "src/pkgtags/cli.py").write_text('"""Command line."""\nimport six as _six\n\nfrom . import tags\n\n'
                                             "print(tags.X, _six.PY3)\n")
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "check", "src/pkgtags/cli.py", check_rc=0)
    _ok(_python(root / "src", "-m", "pkgtags.cli"))
