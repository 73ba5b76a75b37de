"""End to end (SPEC §4.1 module names): a namespace package moves, and the repository's
imports, its configs' class targets and its Sphinx and mkdocstrings pages follow it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_pathmove

# The shape of CompVis/latent-diffusion: `ldm/` and `ldm/modules/` have no __init__.py (PEP 420).
LDM: dict[str, bytes | str] = {
    ".gitignore": "__pycache__/\n",
    "migrations.yaml": "moves:\n  - from: ldm/modules/encoders\n    to: ldm/modules/conditioning\n",
    "ldm/util.py": (
        "import importlib\n\n\n"
        "def instantiate_from_config(config):\n"
        '    module, cls = config["target"].rsplit(".", 1)\n'
        '    return getattr(importlib.import_module(module), cls)(**config.get("params", {}))\n'
    ),
    "ldm/modules/encoders/__init__.py": "",
    "ldm/modules/encoders/modules.py": (
        "class ClassEmbedder:\n    def __init__(self, embed_dim=4):\n        self.embed_dim = embed_dim\n\n\n"
        "class FrozenCLIPEmbedder(ClassEmbedder):\n    pass\n"
    ),
    "ldm/modules/encoders_extra.py": "class Extra:\n    pass\n",  # only begins the same: never touched
    "ldm/models/diffusion/ddpm.py": (
        "from ldm.modules.encoders.modules import ClassEmbedder\n"
        "from ldm.util import instantiate_from_config\n\n\n"
        "class LatentDiffusion:\n    def __init__(self, cond_stage_config):\n"
        "        self.cond = instantiate_from_config(cond_stage_config)\n"
        "        assert isinstance(self.cond, ClassEmbedder)\n"
    ),
    "scripts/knn2img.py": (
        "import ldm.modules.encoders.modules\n"
        "from ldm.modules.encoders.modules import ClassEmbedder, FrozenCLIPEmbedder\n\n"
        'print(ClassEmbedder(3).embed_dim, ldm.modules.encoders.modules.__name__)\n'
    ),
    "configs/latent-diffusion/cin-ldm.yaml": (
        "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n"
        "    cond_stage_config:\n      target: ldm.modules.encoders.modules.ClassEmbedder\n"
        "      params:\n        embed_dim: 512\n"
        "    extra_config:\n      target: ldm.modules.encoders_extra.Extra\n"
    ),
    "configs/hydra/cond.yaml": "_target_: ldm.modules.encoders.modules.FrozenCLIPEmbedder  # CLIP\nembed_dim: 8\n",
    "configs/lightning.yaml": (
        "model:\n  class_path: 'ldm.modules.encoders.modules.ClassEmbedder'\n  init_args:\n    embed_dim: 2\n"
    ),
    "configs/encoders.json": '{"cond": {"target": "ldm.modules.encoders.modules.ClassEmbedder"}}\n',
}

# Every config target, imported and looked up in a fresh interpreter (the module file must
# exist and define the attribute), and every importer run.
RESOLVE = r"""
import importlib, json, sys, yaml
def targets(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("target", "_target_", "class_path"):
                yield v
            yield from targets(v)
    elif isinstance(node, list):
        for v in node:
            yield from targets(v)
found = []
for path in sys.argv[1:]:
    with open(path) as f:
        doc = json.load(f) if path.endswith(".json") else yaml.safe_load(f)
    for t in targets(doc):
        module, attr = t.rsplit(".", 1)
        mod = importlib.import_module(module)
        getattr(mod, attr)
        found.append(t)
print(json.dumps(found))
"""
CONFIGS = ["configs/latent-diffusion/cin-ldm.yaml", "configs/hydra/cond.yaml", "configs/lightning.yaml",
           "configs/encoders.json"]


def _python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, env=env)


def _works(root: Path) -> list[str]:
    """Run every importer and resolve every target; the targets resolved."""
    run = _python(root, "scripts/knn2img.py")
    assert run.returncode == 0, run.stderr
    ddpm = _python(root, "-c", "import yaml\nfrom ldm.models.diffusion.ddpm import LatentDiffusion\n"
                               "c = yaml.safe_load(open('configs/latent-diffusion/cin-ldm.yaml'))\n"
                               "LatentDiffusion(c['model']['params']['cond_stage_config'])\n")
    assert ddpm.returncode == 0, ddpm.stderr
    res = _python(root, "-c", RESOLVE, *CONFIGS)
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


def test_namespace_package_moves_with_its_config_targets(git_repo) -> None:
    root = git_repo(LDM)
    before = _works(root)
    assert "ldm.modules.encoders.modules.ClassEmbedder" in before

    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert plan["review"] == []
    by_kind: dict[str, int] = {}
    for f in plan["findings"]:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
    assert by_kind == {"py-import": 4, "yaml-dotted": 3, "config-dotted": 1}

    run_pathmove(root, "apply", check_rc=0)
    after = _works(root)
    new = "ldm.modules.conditioning.modules."
    assert after == [t.replace("ldm.modules.encoders.modules.", new) for t in before]
    assert sum(t.startswith(new) for t in after) == 4
    assert "ldm.modules.encoders_extra.Extra" in after
    assert (root / "ldm/modules/conditioning/modules.py").is_file()
    assert not (root / "ldm/modules/encoders").exists()
    assert (root / "configs/hydra/cond.yaml").read_text() == (
        "_target_: ldm.modules.conditioning.modules.FrozenCLIPEmbedder  # CLIP\nembed_dim: 8\n")
    assert "class_path: 'ldm.modules.conditioning.modules.ClassEmbedder'\n" in \
        (root / "configs/lightning.yaml").read_text()
    run_pathmove(root, "verify", check_rc=0)


def test_namespace_package_left_behind_is_found_by_verify(git_repo) -> None:
    """Moved by hand: the stale imports and targets are findings, never "no stale references"."""
    root = git_repo(LDM)
    subprocess.run(["git", "mv", "ldm/modules/encoders", "ldm/modules/conditioning"], cwd=root, check=True)
    out = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    stale = {(f["path"], f["kind"]) for f in out["findings"]}
    assert ("scripts/knn2img.py", "py-import") in stale
    assert ("configs/hydra/cond.yaml", "yaml-dotted") in stale


# A package with Sphinx and mkdocstrings pages.
DOCS: dict[str, bytes | str] = {
    "migrations.yaml": "moves:\n  - from: click/_compat.py\n    to: click/_internal/compat.py\n",
    "click/__init__.py": "",
    "click/_internal/__init__.py": "",
    "click/_compat.py": "def term_len(x):\n    return len(x)\n",
    "click/_compat_win.py": "",
    "docs/api.rst": (
        "API\n===\n\n.. automodule:: click._compat\n   :members:\n\n"
        ".. autofunction:: click._compat.term_len\n\n"
        "Use :func:`click._compat.term_len` (or :func:`~click._compat.term_len`, "
        ":py:func:`the length <click._compat.term_len>`); see :mod:`click._compat_win`.\n\n"
        ".. autosummary::\n   :toctree: generated\n\n   click._compat\n   click._compat_win\n"
    ),
    "docs/api.md": "# API\n\n::: click._compat\n    options:\n      members: true\n",
}


def test_sphinx_and_mkdocstrings_pages_follow_the_module(git_repo) -> None:
    root = git_repo(DOCS)
    run_pathmove(root, "apply", check_rc=0)
    assert (root / "docs/api.rst").read_text() == (
        "API\n===\n\n.. automodule:: click._internal.compat\n   :members:\n\n"
        ".. autofunction:: click._internal.compat.term_len\n\n"
        "Use :func:`click._internal.compat.term_len` (or :func:`~click._internal.compat.term_len`, "
        ":py:func:`the length <click._internal.compat.term_len>`); see :mod:`click._compat_win`.\n\n"
        ".. autosummary::\n   :toctree: generated\n\n   click._internal.compat\n   click._compat_win\n"
    )
    assert (root / "docs/api.md").read_text() == \
        "# API\n\n::: click._internal.compat\n    options:\n      members: true\n"
    run_pathmove(root, "verify", check_rc=0)
