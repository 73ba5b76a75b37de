"""Documentation sites in the tree (SPEC §4.7): Sphinx source folders, MkDocs configs, own URLs.

Found once per scan, against the tree, and attached to the Mapping (like `packages`), so the
pure finders can resolve document names against a Sphinx source folder, page paths against
a `docs_dir`, and know which pages a plan moves (for redirects) and where the repository
is published (for links to its own files).
"""

from __future__ import annotations

import ast
import dataclasses
import os
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml

from pathmove import repo

if TYPE_CHECKING:
    from pathmove.mapping import Mapping

CONFIG_NAMES = ("conf.py", "mkdocs.yml", "mkdocs.yaml")
# Source suffixes a page may have; a document name spells none of them (Sphinx, MkDocs).
PAGE_SUFFIXES = (".rst", ".txt", ".md")
# A conf.py is Sphinx's when it sets one of Sphinx's own configuration values.
_SPHINX_CONF = re.compile(rb"^(?:extensions|html_theme|master_doc|root_doc|project|source_suffix|templates_path)\s*=",
                          re.M)


class MkdocsSite(NamedTuple):
    config: str  # the mkdocs.yml, relative to the root
    docs_dir: str  # relative to the root (SPEC §4.7: `docs_dir`, default `docs`, beside the config)
    redirects: bool  # mkdocs-redirects is enabled


class SphinxSite(NamedTuple):
    conf: str  # conf.py, relative to the root
    srcdir: str  # its folder: a leading "/" in a document name or image path means this folder
    redirects: bool  # sphinx-reredirects is configured (`redirects = {...}` in conf.py)


class OwnRepo(NamedTuple):
    host: str  # "github.com", "gitlab.com", ...
    owner: str  # "encode" (GitLab: "group/subgroup")
    name: str  # "httpx"


@dataclasses.dataclass(frozen=True)
class Sites:
    mkdocs: tuple[MkdocsSite, ...] = ()
    sphinx: tuple[SphinxSite, ...] = ()
    own: OwnRepo | None = None
    rewrite_own_urls: bool = False
    pages: tuple[tuple[str, str], ...] = ()  # (old, new) of every page file a plan moves (plan mode only)

    @property
    def configs(self) -> frozenset[str]:
        """Site configs that must reach their finder whatever they hold: they receive redirects."""
        found = {s.config for s in self.mkdocs if s.redirects} | {s.conf for s in self.sphinx if s.redirects}
        return frozenset(found) if self.pages else frozenset()

    def srcdir_of(self, path: str) -> str | None:
        """The Sphinx source folder holding path (the deepest), or None."""
        best: str | None = None
        for s in self.sphinx:
            if s.srcdir == "" or path.startswith(s.srcdir + "/"):
                if best is None or len(s.srcdir) > len(best):
                    best = s.srcdir
        return best

    def mkdocs_for(self, config: str) -> MkdocsSite | None:
        return next((s for s in self.mkdocs if s.config == config), None)


def needles(mapping: Mapping) -> tuple[bytes, ...]:
    """Extra prefilter needles: a moved page's name without its suffix, as a toctree spells it."""
    found = set()
    for e in mapping.entries:
        stem, ext = posixpath.splitext(e.old.rsplit("/", 1)[-1])
        if ext in PAGE_SUFFIXES and stem:
            found.add(stem.encode())
    return tuple(sorted(found))


def attach(root: Path, mapping: Mapping, use_git: bool, mode: str, rewrite_own_urls: bool = False) -> Mapping:
    """The mapping with the tree's documentation sites attached (unchanged when there are none)."""
    configs = _find_configs(root, use_git)
    mk: list[MkdocsSite] = []
    sx: list[SphinxSite] = []
    for rel in configs:
        base = posixpath.basename(rel)
        data = _read(root / rel)
        if data is None:
            continue
        if base == "conf.py":
            if _SPHINX_CONF.search(data):
                sx.append(SphinxSite(rel, posixpath.dirname(rel), _sphinx_redirects(data)))
        else:
            site = _mkdocs_site(rel, data)
            if site is not None:
                mk.append(site)
    own = own_repo(root) if use_git else None
    pages: tuple[tuple[str, str], ...] = ()
    if mode == "plan" and any(s.redirects for s in mk) or any(s.redirects for s in sx):
        pages = tuple(_moved_pages(root, mapping))
    if not mk and not sx and own is None:
        return mapping
    sites = Sites(tuple(mk), tuple(sx), own, rewrite_own_urls, pages)
    return dataclasses.replace(mapping, sites=sites)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _find_configs(root: Path, use_git: bool) -> list[str]:
    if use_git:
        specs = [f":(glob){p}{n}" for n in CONFIG_NAMES for p in ("", "**/")]
        # tracked configs only: listing untracked files walks the whole tree (0.3 s at 200,000
        # files, on every pre-commit `check`), and a site's config is committed with the site
        out = repo.git(root, "ls-files", "-z", "--cached", "--", *specs, check=False).stdout
        return sorted({os.fsdecode(p) for p in out.split(b"\0") if p})
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith(".") and d != "node_modules"]
        for f in filenames:
            if f in CONFIG_NAMES:
                found.append(Path(dirpath, f).relative_to(root).as_posix())
    return sorted(found)


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags: read them as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return None


_Loader.add_multi_constructor("", _any_tag)


def mkdocs_config(data: bytes) -> dict[str, object] | None:
    """mkdocs.yml as data (None when it does not load as a mapping)."""
    try:
        cfg = yaml.load(data, Loader=_Loader)  # noqa: S506 -- a SafeLoader subclass
    except (yaml.YAMLError, ValueError):
        return None
    return cfg if isinstance(cfg, dict) else None


def _mkdocs_site(rel: str, data: bytes) -> MkdocsSite | None:
    cfg = mkdocs_config(data)
    if cfg is None:
        return None
    docs_dir = cfg.get("docs_dir", "docs")
    if not isinstance(docs_dir, str):
        docs_dir = "docs"
    full = posixpath.normpath(posixpath.join(posixpath.dirname(rel), docs_dir))
    plugins = cfg.get("plugins")
    names: list[str] = []
    if isinstance(plugins, list):
        for p in plugins:
            if isinstance(p, str):
                names.append(p)
            elif isinstance(p, dict):
                names.extend(str(k) for k in p)
    elif isinstance(plugins, dict):
        names.extend(str(k) for k in plugins)
    return MkdocsSite(rel, "" if full == "." else full, "redirects" in names)


def _sphinx_redirects(data: bytes) -> bool:
    """conf.py enables sphinx_reredirects and sets `redirects` to a dict literal."""
    if b"sphinx_reredirects" not in data:
        return False
    return redirects_dict(data) is not None


def redirects_dict(data: bytes) -> ast.Dict | None:
    """The `redirects = {...}` dict literal of a conf.py, or None."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id == "redirects" for t in node.targets):
            return node.value
    return None


def _moved_pages(root: Path, mapping: Mapping) -> list[tuple[str, str]]:
    """(old, new) of every page file under a `from` that exists (SPEC §4.7: one redirect each)."""
    out = []
    for e in mapping.entries:
        full = root / e.old
        if full.is_file():
            if e.old.endswith(PAGE_SUFFIXES):
                out.append((e.old, e.new))
        elif full.is_dir():
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for f in sorted(filenames):
                    if f.endswith(PAGE_SUFFIXES):
                        rel = Path(dirpath, f).relative_to(root).as_posix()
                        new = mapping.translate(rel)
                        if new is not None:
                            out.append((rel, new))
    return out


# ---- the repository's own URLs ---------------------------------------------------------------
_REMOTE = (
    re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+?)(?:\.git)?/?$"),
    re.compile(r"^(?:[^@/]+@)?(?P<host>[^/:]+):(?P<path>[^/].*?)(?:\.git)?/?$"),  # scp-like: git@host:o/r.git
)


def parse_remote(url: str) -> OwnRepo | None:
    """OWNER/REPO from a remote URL, https or ssh, GitHub or GitLab (with subgroups) spelling."""
    for rx in _REMOTE:
        m = rx.match(url.strip())
        if m:
            parts = [p for p in m.group("path").split("/") if p]
            if len(parts) >= 2:
                return OwnRepo(m.group("host").lower(), "/".join(parts[:-1]), parts[-1])
    return None


def own_repo(root: Path) -> OwnRepo | None:
    proc = repo.git(root, "config", "--get", "remote.origin.url", check=False)
    if proc.returncode != 0:
        return None
    return parse_remote(os.fsdecode(proc.stdout))
