"""SPEC §4.7 end to end: a real MkDocs site and a real Sphinx project, moved by `apply`, still
build strictly, and a moved page's old URL is served by a redirect."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from tests.conftest import git, run_pathmove, tree_bytes


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    assert found, f"{name} is not installed (the test extra installs it)"
    return found


def _png() -> bytes:
    """A valid 1x1 PNG (Sphinx reads image headers)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _build(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{cmd[0]} failed:\n{proc.stdout}\n{proc.stderr}"


MKDOCS = {
    "mkdocs.yml": (
        "site_name: Demo\n"
        "nav:\n"
        "  - Home: index.md\n"
        "  - Advanced:\n"
        "      - advanced/clients.md\n"
        "      - 'Authentication': advanced/auth.md\n"
        "  - quickstart.md\n"
        "plugins:\n"
        "  - redirects:\n"
        "      redirect_maps:\n"
        "        legacy.md: index.md\n"
        "extra_css:\n"
        "  - css/site.css\n"
    ),
    "docs/index.md": "# Home\n\nSee [clients](advanced/clients.md) and [start](quickstart.md).\n\n![logo](img/logo.png)\n",
    "docs/advanced/clients.md": "# Clients\n\n[auth](auth.md), [home](../index.md), ![logo](../img/logo.png)\n",
    "docs/advanced/auth.md": "# Auth\n\nBack to [clients](clients.md#top).\n",
    "docs/quickstart.md": "# Quickstart\n\nNext: [clients](advanced/clients.md).\n",
    "docs/css/site.css": "body { margin: 0; }\n",
    "docs/img/logo.png": b"",
    "migrations.yaml": (
        "moves:\n"
        "  - from: docs/advanced\n    to: docs/guides/advanced\n"
        "  - from: docs/quickstart.md\n    to: docs/start/quickstart.md\n"
        "  - from: docs/css\n    to: docs/assets/css\n"
    ),
}


def test_mkdocs_site_builds_strictly_after_apply(git_repo, tmp_path: Path) -> None:
    root = git_repo({**MKDOCS, "docs/img/logo.png": _png()})
    mkdocs = _tool("mkdocs")
    _build([mkdocs, "build", "--strict", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(tmp_path / "before")])
    before = tree_bytes(root)
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert {f["kind"] for f in plan["findings"]} >= {"mkdocs-page", "mkdocs-redirect", "md-link"}
    run_pathmove(root, "apply", check_rc=0)
    cfg = (root / "mkdocs.yml").read_text()
    assert "      - guides/advanced/clients.md\n" in cfg and "  - assets/css/site.css\n" in cfg
    assert "        advanced/clients.md: guides/advanced/clients.md\n" in cfg
    assert "        quickstart.md: start/quickstart.md\n" in cfg
    out = tmp_path / "after"
    _build([mkdocs, "build", "--strict", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(out)])
    assert (out / "guides/advanced/clients/index.html").is_file()
    redirect = (out / "advanced/clients/index.html").read_text()  # the old URL still answers
    assert "../../guides/advanced/clients/" in redirect and "refresh" in redirect
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before


SPHINX = {
    "docs/conf.py": (
        'project = "demo"\n'
        'extensions = ["sphinx_reredirects"]\n'
        'exclude_patterns = ["snippets"]\n'
        "redirects = {\n"
        '    "legacy": "index.html",\n'
        "}\n"
    ),
    "docs/index.rst": (
        "Demo\n====\n\n"
        ".. toctree::\n   :maxdepth: 2\n\n   guide/index\n   Installing <install>\n\n"
        "Start with :doc:`guide/intro`.\n\n"
        ".. image:: img/logo.png\n\n"
        ".. include:: snippets/note.inc\n"
    ),
    "docs/guide/index.rst": (
        "Guide\n=====\n\n.. toctree::\n\n   intro\n\nSee :doc:`the install page <../install>`.\n\n"
        ".. figure:: ../img/logo.png\n\n   The logo.\n\n"
        ".. include:: ../snippets/note.inc\n\n"
        ".. literalinclude:: ../../src/example.py\n"
    ),
    "docs/guide/intro.rst": "Intro\r\n=====\r\n\r\nInstall first: :doc:`/install`; up: :doc:`index`.\r\n",
    "docs/install.rst": "\ufeffInstall\n=======\n\nThen read :doc:`guide/intro`.\n\n.. image:: /img/logo.png\n",
    "docs/snippets/note.inc": ".. note:: Shared text.\n",
    "src/example.py": "print('hello')\n",
    "README.md": "Docs: https://github.com/acme/demo/blob/main/docs/install.rst\n",
    "migrations.yaml": (
        "moves:\n"
        "  - from: docs/guide\n    to: docs/manual/guide\n"
        "  - from: docs/install.rst\n    to: docs/reference/install.rst\n"
        "  - from: docs/img\n    to: docs/assets/img\n"
    ),
}


def test_sphinx_project_builds_with_warnings_as_errors_after_apply(git_repo, tmp_path: Path) -> None:
    root = git_repo({**SPHINX, "docs/img/logo.png": _png()})
    git(root, "remote", "add", "origin", "git@github.com:acme/demo.git")
    sphinx = _tool("sphinx-build")
    _build([sphinx, "-W", "-q", "-b", "html", str(root / "docs"), str(tmp_path / "before")])
    before = tree_bytes(root)
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    own = [f for f in plan["review"] if f["kind"] == "own-url"]
    assert [f["path"] for f in own] == ["README.md"]
    assert "https://github.com/acme/demo/blob/main/docs/reference/install.rst" in own[0]["message"]
    redirects = [f["new"] for f in plan["findings"] if f["kind"] == "sphinx-redirect"]
    assert redirects == ['    "guide/index": "../manual/guide/index.html",\n'
                         '    "guide/intro": "../manual/guide/intro.html",\n'
                         '    "install": "reference/install.html",\n']
    run_pathmove(root, "apply", "--rewrite-own-urls", check_rc=0)
    assert (root / "README.md").read_text() == \
        "Docs: https://github.com/acme/demo/blob/main/docs/reference/install.rst\n"
    index = (root / "docs/index.rst").read_text()
    assert "   manual/guide/index\n   Installing <reference/install>\n" in index
    assert ".. image:: assets/img/logo.png\n" in index
    assert (root / "docs/manual/guide/intro.rst").read_bytes() == \
        b"Intro\r\n=====\r\n\r\nInstall first: :doc:`/reference/install`; up: :doc:`index`.\r\n"
    assert (root / "docs/reference/install.rst").read_bytes().startswith("\ufeffInstall".encode())
    out = tmp_path / "after"
    _build([sphinx, "-W", "-q", "-b", "html", str(root / "docs"), str(out)])
    assert (out / "manual/guide/intro.html").is_file()
    redirect = (out / "guide/intro.html").read_text()  # the old URL still answers
    assert "../manual/guide/intro.html" in redirect and "refresh" in redirect
    assert (out / "install.html").read_text().count("reference/install.html") >= 1
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before


def test_txt_is_rst_only_under_a_sphinx_source_folder(git_repo) -> None:
    root = git_repo({
        "docs/conf.py": 'project = "demo"\n',
        "docs/guide/a.rst": "A\n=\n",
        "docs/notes.txt": "See :doc:`guide/a`.\n",  # a Sphinx source (source_suffix may list .txt)
        "notes.txt": "See :doc:`guide/a` and docs/guide/a.rst.\n",  # plain text: the text rule only
        "migrations.yaml": "moves:\n  - from: docs/guide\n    to: docs/manual\n",
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    got = sorted((f["path"], f["old"], f["new"], f["kind"]) for f in plan["findings"])
    assert got == [("docs/notes.txt", "guide/a", "manual/a", "rst-doc"),
                   ("notes.txt", "docs/guide", "docs/manual", "text")]


INDEX_MD = """# Demo

```{toctree}
---
maxdepth: 2
caption: Start
---
quickstart
Installing <install>
/guide/usage
self
https://example.org/quickstart
```

:::{toctree}
:maxdepth: 1
:glob:

tutorials/*
:::

```python
quickstart = "a code block, not a toctree"
```

Read {doc}`quickstart` first, then {doc}`the usage guide </guide/usage>`.
"""


def test_myst_toctree_entries_and_doc_roles_follow_their_pages(git_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """MyST pages: toctree entries (plain, titled, rooted) and {doc} roles name pages without
    their suffix; a moved page's own names are re-based; globs (judged as in reST), code
    blocks and URLs stay. The real `sphinx-build -W` with myst-parser passes before and after."""
    root = git_repo({
        "docs/conf.py": 'project = "demo"\nextensions = ["myst_parser"]\nmyst_enable_extensions = ["colon_fence"]\n',
        "docs/index.md": INDEX_MD,
        "docs/quickstart.md": "# Quickstart\n\nSee {doc}`install` and {doc}`/guide/usage`.\n",
        "docs/install.md": "# Install\n",
        "docs/guide/usage.md": "# Usage\n\nBack to {doc}`../quickstart`.\n",
        "docs/tutorials/one.md": "# One\n",
        "migrations.yaml": "moves:\n  - from: docs/quickstart.md\n    to: docs/tutorials/quickstart.md\n",
    })
    sphinx = _tool("sphinx-build")
    _build([sphinx, "-W", "-q", "-b", "html", str(root / "docs"), str(tmp_path / "before")])
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert plan["review"] == [] and {f["path"] for f in plan["findings"]} == {
        "docs/index.md", "docs/quickstart.md", "docs/guide/usage.md"}
    run_pathmove(root, "apply", check_rc=0)
    index = (root / "docs/index.md").read_text()
    assert index == INDEX_MD.replace("\nquickstart\n", "\ntutorials/quickstart\n").replace(
        "{doc}`quickstart`", "{doc}`tutorials/quickstart`")
    assert (root / "docs/tutorials/quickstart.md").read_text() == \
        "# Quickstart\n\nSee {doc}`../install` and {doc}`/guide/usage`.\n"
    assert (root / "docs/guide/usage.md").read_text() == "# Usage\n\nBack to {doc}`../tutorials/quickstart`.\n"
    run_pathmove(root, "verify", check_rc=0)
    _build([sphinx, "-W", "-q", "-b", "html", str(root / "docs"), str(tmp_path / "after")])
    assert (tmp_path / "after/tutorials/quickstart.html").is_file()
