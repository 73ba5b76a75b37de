"""pathmove against git grep, ripgrep and `git mv` + sed on generated repositories of real sources.

    python benchmarks/bench.py                      # 200,000 files, 3 runs each
    python benchmarks/bench.py --files 20000 --files 200000 --out benchmarks/RESULTS.md

For each size the script builds (once, cached under --dir) a git repository of copies of
real Python sources (the standard library and the packages of this environment), YAML and
Markdown documents built from their names and docstrings, shell scripts and notes. About
--stale files hold references to the three moved folders in every form of SPEC §4, twice
as many hold decoys (`outputs/hd_results_v2`, `myoutputs/hd_results` ...). Then it times,
run after run interleaved so that both sides see the same machine load:

    pathmove verify           vs git grep -l -F, rg -l -F     (the tree with stale references)
    pathmove plan --json      vs git grep -n -F
    pathmove apply            vs git mv + git grep -l | xargs sed -i
    pathmove verify           vs git grep -l -F               (the migrated tree)
    pathmove check (10 files) vs git grep on the same files

and writes a markdown table: wall-time ratios min/median/max over the runs, and peak RSS
(largest single process, from wait4; and the whole process tree, sampled every 20 ms).
Not a test: nothing here asserts. Ripgrep is installed with apt-get when it is missing.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, NamedTuple

GENERATOR_VERSION = "3"  # bump when the generated tree changes
MOVES = (
    ("outputs/benchmark_results", "outputs/DLPFC"),
    ("outputs/hd_results", "outputs/HD"),
    ("outputs/rm_ideal_benchmark", "outputs/rm_ideal/cross_section"),
)
OLDS = [o for o, _ in MOVES]
GOALS = {
    "verify vs git grep -l -F": "≤ 1.5×",
    "verify vs rg -l -F": "—",
    "verify, migrated tree vs git grep -l -F": "≤ 1.2×",
    "plan --json vs git grep -n -F": "≤ 2×",
    "apply vs git mv + git grep -l | xargs sed -i": "≤ 4×",
    "check, 10 files vs git grep on them": "≤ 0.3 s wall",
}


# ---- the corpus ----------------------------------------------------------------------
class Corpus(NamedTuple):
    python: list[bytes]  # every source below 200 KB
    parseable: list[bytes]  # sources that parse with this Python (stale references go there)
    markdown: list[bytes]
    yaml: list[bytes]
    text: list[bytes]


def load_corpus(rng: random.Random) -> Corpus:
    """Real sources from the standard library and the installed packages."""
    import sysconfig

    roots = {Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])}
    py: list[bytes] = []
    text: list[bytes] = []
    md: list[bytes] = []
    yml: list[bytes] = []
    for root in sorted(roots):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                ext = os.path.splitext(name)[1]
                if ext not in (".py", ".txt", ".rst", ".md", ".yaml", ".yml", ".cfg", ".toml"):
                    continue
                try:
                    if os.path.getsize(p) > 200_000 or os.path.islink(p):
                        continue
                    data = Path(p).read_bytes()
                except OSError:
                    continue
                if b"\0" in data:
                    continue
                {".py": py, ".md": md, ".yaml": yml, ".yml": yml}.get(ext, text).append(data)
    parseable = []
    for data in rng.sample(py, min(600, len(py))):
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        if b"\r" not in data and data.endswith(b"\n"):
            parseable.append(data)
    docs = _docstrings(parseable)
    md += [_markdown_doc(rng, docs) for _ in range(400)]
    yml += [_yaml_doc(rng, docs) for _ in range(400)]
    return Corpus(py, parseable, md, yml, text)


def _docstrings(sources: list[bytes]) -> list[str]:
    out = []
    for data in sources[:300]:
        tree = ast.parse(data)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)):
                doc = ast.get_docstring(node)
                if doc and 40 < len(doc) < 3000 and "outputs" not in doc:
                    out.append(doc)
    return out or ["A placeholder paragraph."]


def _markdown_doc(rng: random.Random, docs: list[str]) -> bytes:
    parts = [f"# {rng.choice(docs).splitlines()[0][:60]}\n"]
    for i in range(rng.randint(3, 12)):
        doc = rng.choice(docs)
        style = i % 4
        if style == 0:
            parts.append(f"## Section {i}\n\n{doc}\n")
        elif style == 1:
            parts.append("\n".join(f"- {line.strip()}" for line in doc.splitlines() if line.strip()) + "\n")
        elif style == 2:
            parts.append(f"```python\n{doc}\n```\n")
        else:
            parts.append(f"{doc} See [the notes](notes/section_{i}.md) and <https://example.org/{i}>.\n")
    return "\n".join(parts).encode()


def _yaml_doc(rng: random.Random, docs: list[str]) -> bytes:
    lines = ["# generated configuration", "experiment:"]
    for i in range(rng.randint(5, 40)):
        words = rng.choice(docs).split()
        key = "".join(c for c in (words[0] if words else "key") if c.isalnum()).lower() or "key"
        val = " ".join(words[1:6]).replace(":", "").replace("#", "").replace("'", "") or "x"
        form = i % 5
        if form == 0:
            lines.append(f"  {key}_{i}: {val!r}".replace('"', ""))
        elif form == 1:
            lines.append(f"  {key}_{i}: [{i}, {i + 1}, {i * 2}]")
        elif form == 2:
            lines.append(f"  {key}_{i}: |\n    " + "\n    ".join(rng.choice(docs).splitlines()[:4]))
        elif form == 3:
            lines.append(f"  {key}_{i}:\n    - data/input_{i}.csv\n    - data/input_{i + 1}.csv")
        else:
            lines.append(f"  {key}_{i}: {i * 0.5}  # tuned")
    return ("\n".join(lines) + "\n").encode()


# ---- planted references --------------------------------------------------------------
def stale_python(k: int) -> bytes:
    forms = [
        f'RESULTS_{k} = "outputs/hd_results/scores_{k}.csv"\n',
        f"# the tables are read from outputs/benchmark_results/run_{k}\n",
        f'BENCH_{k} = os.path.join("outputs", "benchmark_results", "run_{k}")\n',
        f'IDEAL_{k} = Path("outputs") / "rm_ideal_benchmark" / "table_{k}.csv"\n',
        f'def _path_{k}(name):\n    return f"outputs/hd_results/{{name}}_{k}.csv"\n',
        f'OUT_{k} = Path("outputs")\nHD_{k} = OUT_{k} / "hd_results"\n',
        f'RAW_{k} = r"./outputs/rm_ideal_benchmark/"\n',
        f'DOC_{k} = """Reads /data/proj/outputs/hd_results and writes a report."""\n',
    ]
    picked = [forms[k % len(forms)], forms[(k + 3) % len(forms)]]
    return b"\nimport os\nfrom pathlib import Path\n\n" + "".join(picked).encode()


def stale_yaml(k: int) -> bytes:
    forms = [
        f"pathmove_results_{k}: outputs/hd_results/scores_{k}.csv\n",
        f'pathmove_bench_{k}: "outputs/benchmark_results/run_{k}"\n',
        f"pathmove_ideal_{k}: 'outputs/rm_ideal_benchmark/table.csv'\n",
        f"pathmove_flow_{k}: [outputs/hd_results/a.csv, \"outputs/benchmark_results\"]\n",
        f"pathmove_notes_{k}: |\n  Scores are in outputs/hd_results/scores_{k}.csv.\n",
        f"# pathmove: inputs come from outputs/rm_ideal_benchmark ({k})\n",
        f"outputs/hd_results/run_{k}: a key that is a path\n",
    ]
    return b"\n" + (forms[k % len(forms)] + forms[(k + 2) % len(forms)]).encode()


def stale_markdown(k: int, rel_dir: str) -> bytes:
    def rel(p: str) -> str:
        return os.path.relpath(p, rel_dir or ".")

    forms = [
        f"See [scores {k}]({rel('outputs/hd_results/scores.csv')}) for the numbers.\n",
        f"![plot {k}](/outputs/benchmark_results/plot_{k}.png)\n",
        f"[ideal-{k}]: {rel('outputs/rm_ideal_benchmark/table.csv')}\n",
        f'<img src="{rel("outputs/hd_results/fig.png")}" alt="figure {k}">\n',
        f"Run `python analyse.py outputs/hd_results` first ({k}).\n",
        f"The benchmark wrote outputs/benchmark_results/run_{k}.\n",
    ]
    return b"\n" + (forms[k % len(forms)] + "\n" + forms[(k + 1) % len(forms)]).encode()


def stale_text(k: int) -> bytes:
    forms = [
        f"cat ./outputs/hd_results/s{k}.csv /data/proj/outputs/benchmark_results\n",
        "see outputs/rm_ideal_benchmark.\n",
        f'{{"path": "outputs/hd_results/a_{k}.csv"}}\n',
    ]
    return ("\n" + forms[k % len(forms)]).encode()


DECOYS = [
    "outputs/hd_results_v2/a.csv",
    "outputs/hd_results.bak",
    "myoutputs/hd_results",
    "outputs/benchmark_results_old",
    "rm_ideal_benchmark_v3",
]


def decoy(kind: str, k: int) -> bytes:
    d = DECOYS[k % len(DECOYS)]
    if kind == "python":
        return f'\nDECOY_{k} = "{d}"\n'.encode()
    if kind == "yaml":
        return f"\npathmove_decoy_{k}: {d}\n".encode()
    return f"\nThe old copy is in {d} ({k}).\n".encode()


# ---- the tree ------------------------------------------------------------------------
def generate(root: Path, n: int, stale: int, seed: int) -> None:
    """A committed repository of n files (cached: a stamp records what was built)."""
    stamp = root / ".git" / "pathmove-bench-stamp"
    want = json.dumps({"n": n, "stale": stale, "seed": seed, "v": GENERATOR_VERSION})
    if stamp.is_file() and stamp.read_text() == want:
        _git(root, "reset", "-q", "--hard")
        _git(root, "clean", "-fdq")
        shutil.rmtree(root / ".git" / "pathmove", ignore_errors=True)
        return
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    corpus = load_corpus(rng)
    log(f"corpus: {len(corpus.python)} python, {len(corpus.markdown)} markdown, {len(corpus.yaml)} yaml, "
        f"{len(corpus.text)} text files ({time.perf_counter() - t0:.1f} s)")
    fixed = {
        "migrations.yaml": "moves:\n" + "".join(f"  - from: {o}\n    to: {t}\n" for o, t in MOVES),
    }
    for old in OLDS + ["outputs/hd_results_v2"]:
        for i in range(30):
            fixed[f"{old}/sample_{i:02d}.csv"] = "".join(f"{i},{j},{i * j}\n" for j in range(20))
    body_count = n - len(fixed)
    stale_ids = set(rng.sample(range(body_count), min(stale, body_count)))
    rest = [i for i in range(body_count) if i not in stale_ids]
    decoy_ids = set(rng.sample(rest, min(2 * stale, len(rest))))
    for rel, text in fixed.items():
        _write(root / rel, text.encode())
    for i in range(body_count):
        rel, data = _body_file(rng, corpus, i, i in stale_ids, i in decoy_ids)
        _write(root / rel, data)
    log(f"wrote {n} files ({time.perf_counter() - t0:.1f} s); committing")
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")
    _git(root, "config", "core.autocrlf", "false")
    _git(root, "config", "commit.gpgSign", "false")
    _git(root, "config", "core.looseCompression", "1")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "generated tree")
    stamp.write_text(want)
    log(f"committed ({time.perf_counter() - t0:.1f} s)")


def _body_file(rng: random.Random, c: Corpus, i: int, is_stale: bool, is_decoy: bool) -> tuple[str, bytes]:
    d = f"pkg{i // 4000:02d}/sub{i // 200 % 20:02d}/m{i // 20 % 10}"
    r = rng.random()
    if r < 0.60:
        kind, name = "python", f"{d}/mod_{i}.py"
        data = rng.choice(c.parseable if is_stale else c.python)
    elif r < 0.72:
        kind, name = "markdown", f"{d}/doc_{i}.md"
        data = rng.choice(c.markdown)
    elif r < 0.82:
        kind, name = "yaml", f"{d}/conf_{i}.yaml"
        data = rng.choice(c.yaml[-400:] if is_stale else c.yaml)
    elif r < 0.995:
        kind, name = "text", f"{d}/{('notes_%d.txt', 'run_%d.sh', 'README_%d.rst')[i % 3] % i}"
        data = rng.choice(c.text)
    else:
        return f"{d}/img_{i}.png", b"\x89PNG\r\n\x1a\n\0\0" + rng.randbytes(2048)
    if is_stale:
        data = data + {"python": lambda: stale_python(i), "yaml": lambda: stale_yaml(i),
                       "markdown": lambda: stale_markdown(i, os.path.dirname(name)),
                       "text": lambda: stale_text(i)}[kind]()
    elif is_decoy:
        data = data + decoy(kind, i)
    return name, data


def _write(p: Path, data: bytes) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, stdout=subprocess.DEVNULL)


# ---- timing ----------------------------------------------------------------------------
class Run(NamedTuple):
    wall: float
    cpu: float  # user + system seconds of the command and every process it waited for
    rss: int  # KiB, the largest single process, git's included (wait4)
    own_rss: int  # KiB, the largest process that is not git (pathmove and its workers), sampled
    tree_rss: int  # KiB, the whole process tree at once, sampled
    code: int


def timed(cmd: list[str] | str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time, exit code and peak RSS of one command."""
    shell = isinstance(cmd, str)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, executable="/bin/bash" if shell else None)
    peak = [0, 0]
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, stop), daemon=True)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in (0, 1, 123):
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak[1], max(peak[0], usage.ru_maxrss),
               proc.returncode)


def _sample_tree(pid: int, peak: list[int], stop: threading.Event) -> None:
    """peak[0]: the whole tree's RSS at once; peak[1]: the largest process other than git."""
    while not stop.wait(0.02):
        total = 0
        for p in _descendants(pid):
            try:
                with open(f"/proc/{p}/status") as fh:
                    status = dict(line.split(":", 1) for line in fh if ":" in line)
            except OSError:
                continue
            kib = int(status.get("VmRSS", "0 kB").split()[0])
            total += kib
            if status.get("Name", "").strip() not in ("git", "bash", "xargs", "sed"):
                peak[1] = max(peak[1], kib)
        peak[0] = max(peak[0], total)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


class Row(NamedTuple):
    measure: str
    ours: list[Run]
    theirs: list[Run]


def compare(measure: str, runs: int, ours: Callable[[], Run], theirs: Callable[[], Run],
            reset: Callable[[], None] | None = None) -> Row:
    """Interleave the two sides run by run; reset (untimed) before each one when given."""
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(runs):
        for side, out in ((ours, a), (theirs, b)):
            if reset:
                reset()
            out.append(side())
    log(f"  {measure}: ours {fmt_times([r.wall for r in a])} s, theirs {fmt_times([r.wall for r in b])} s")
    return Row(measure, a, b)


def fmt_times(xs: list[float]) -> str:
    return f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"


def measure_size(root: Path, pathmove: str, runs: int) -> list[Row]:
    """Every comparison on one generated tree."""
    env = dict(os.environ, NO_COLOR="1")
    pm = [pathmove, "--root", str(root)]
    e_args = [a for o in OLDS for a in ("-e", o)]
    rows: list[Row] = []

    def ours(*args: str) -> Callable[[], Run]:
        return lambda: timed(pm + list(args), root, env)

    def theirs(cmd: list[str] | str) -> Callable[[], Run]:
        return lambda: timed(cmd, root, env)

    def reset() -> None:
        subprocess.run("git reset -q --hard && git clean -fdq", shell=True, cwd=root, check=True)
        shutil.rmtree(root / ".git" / "pathmove", ignore_errors=True)

    reset()
    timed(["git", "grep", "-l", "-F", *e_args], root)  # warm the page cache
    rows.append(compare("verify vs git grep -l -F", runs, ours("verify"),
                        theirs(["git", "grep", "-l", "-F", *e_args])))
    rows.append(compare("verify vs rg -l -F", runs, ours("verify"), theirs(["rg", "-l", "-F", *e_args])))
    rows.append(compare("plan --json vs git grep -n -F", runs, ours("plan", "--json"),
                        theirs(["git", "grep", "-n", "-F", *e_args])))
    sed = " ".join(f"-e 's#{o}#{n}#g'" for o, n in MOVES)
    pipeline = ("set -e; " + "; ".join(f"mkdir -p {os.path.dirname(n)} && git mv {o} {n}" for o, n in MOVES)
                + f"; git grep -l -z -F {' '.join(e_args)} | xargs -0 sed -i {sed}")
    rows.append(compare("apply vs git mv + git grep -l | xargs sed -i", runs, ours("apply"), theirs(pipeline),
                        reset=reset))
    reset()
    timed(pm + ["apply"], root, env)  # the migrated tree, journal and all, for the next rows
    rows.append(compare("verify, migrated tree vs git grep -l -F", runs, ours("verify"),
                        theirs(["git", "grep", "-l", "-F", *e_args])))
    reset()
    files = _check_files(root)
    rows.append(compare("check, 10 files vs git grep on them", runs, ours("check", *files),
                        theirs(["git", "grep", "-l", "-F", *e_args, "--", *files])))
    return rows


def _check_files(root: Path) -> list[str]:
    """Ten files as a commit would stage them: mostly Python, some with stale references."""
    listed = subprocess.run(["git", "grep", "-l", "-F", "outputs/hd_results/", "--", "*.py", "*.md", "*.yaml"],
                            cwd=root, capture_output=True, text=True).stdout.split()
    every = subprocess.run(["git", "ls-files", "--", "*.py"], cwd=root, capture_output=True, text=True).stdout.split()
    return listed[:3] + every[100:107]


# ---- the report ------------------------------------------------------------------------
def ratio_cells(row: Row) -> str:
    ratios = [a.wall / b.wall for a, b in zip(row.ours, row.theirs)]
    return f"{min(ratios):.2f} / {statistics.median(ratios):.2f} / {max(ratios):.2f}"


def cell(text: str) -> str:
    return text.replace("|", "\\|")  # a pipe inside a markdown table cell


def table(n: int, rows: list[Row]) -> str:
    out = [f"### {n:,} files\n",
           "| measure | pathmove wall s (min / med / max) | other wall s (min / med / max) "
           "| wall ratio (min / med / max) | goal | CPU s: pathmove / other (ratio) "
           "| pathmove peak RSS MiB: own process / any process (git's too) / whole tree |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        rss = max(x.rss for x in r.ours) / 1024
        own = max(x.own_rss for x in r.ours) / 1024
        tree = max(x.tree_rss for x in r.ours) / 1024
        ca = statistics.median(x.cpu for x in r.ours)
        cb = statistics.median(x.cpu for x in r.theirs)
        out.append(f"| {cell(r.measure)} | {fmt_times([x.wall for x in r.ours])} "
                   f"| {fmt_times([x.wall for x in r.theirs])} | {ratio_cells(r)} | {GOALS.get(r.measure, '')} | {ca:.2f} / {cb:.2f} ({ca / max(cb, 1e-3):.2f}×) "
                   f"| {own:.0f} / {rss:.0f} / {tree:.0f} |")
    return "\n".join(out) + "\n"


def growth(results: dict[int, list[Row]]) -> str:
    sizes = sorted(results)
    if len(sizes) < 2:
        return ""
    lo, hi = sizes[0], sizes[-1]
    out = [f"### Growth from {lo:,} to {hi:,} files ({hi / lo:.0f}× the files)\n",
           "| measure | pathmove median s | other median s | pathmove growth | other growth "
           "| peak RSS MiB, own process | growth | any process (git's too) | growth |",
           "|---|---|---|---|---|---|---|---|---|"]
    for a, b in zip(results[lo], results[hi]):
        ma, mb = (statistics.median(x.wall for x in r.ours) for r in (a, b))
        ta, tb = (statistics.median(x.wall for x in r.theirs) for r in (a, b))
        oa, ob = (max(x.own_rss for x in r.ours) / 1024 for r in (a, b))
        ra, rb = (max(x.rss for x in r.ours) / 1024 for r in (a, b))
        out.append(f"| {cell(a.measure)} | {ma:.2f} → {mb:.2f} | {ta:.2f} → {tb:.2f} | {mb / ma:.1f}× | {tb / ta:.1f}× "
                   f"| {oa:.0f} → {ob:.0f} | {ob / max(oa, 1):.2f}× | {ra:.0f} → {rb:.0f} | {rb / max(ra, 1):.2f}× |")
    return "\n".join(out) + "\n"


def machine() -> str:
    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"

    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, {version(['git', '--version'])}, "
            f"{version(['rg', '--version'])}, load average at start {os.getloadavg()[0]:.2f}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def ensure_ripgrep() -> None:
    if shutil.which("rg"):
        return
    log("installing ripgrep (apt-get install -y ripgrep)")
    subprocess.run(["apt-get", "install", "-y", "-q", "ripgrep"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("rg"):
        subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "ripgrep"], check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, action="append", help="tree size (repeatable; default 200000)")
    ap.add_argument("--stale", type=int, default=1000, help="files with stale references (default 1000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measure (default 3)")
    ap.add_argument("--dir", default="/tmp/pathmove-bench", help="where the trees are built and cached")
    beside = Path(sys.executable).parent / "pathmove"  # the venv this script runs in
    ap.add_argument("--pathmove", default=str(beside) if beside.exists() else shutil.which("pathmove"),
                    help="the pathmove command (default: the one beside this Python, else on PATH)")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", help="also write the markdown report here")
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    ensure_ripgrep()
    sizes = args.files or [200_000]
    head = machine()
    results: dict[int, list[Row]] = {}
    if args.generate_only:
        for n in sizes:
            generate(Path(args.dir) / f"tree-{n}", n, args.stale, args.seed)
        return 0
    for n in sizes:
        root = Path(args.dir) / f"tree-{n}"
        log(f"tree of {n:,} files in {root}")
        # built in a child process: a fork of this process must not inherit the corpus's
        # memory, or every command's peak RSS would start from it
        subprocess.run([sys.executable, __file__, "--generate-only", "--files", str(n), "--stale", str(args.stale),
                        "--seed", str(args.seed), "--dir", args.dir], check=True)
        results[n] = measure_size(root, os.path.abspath(args.pathmove), args.runs)
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
    report = [f"Measured with `{command}` on {head}; {args.stale:,} files with stale references; "
              f"{args.runs} runs each, interleaved; ratio = pathmove / other, run by run.\n"]
    report += [table(n, rows) for n, rows in results.items()]
    report.append(growth(results))
    text = "\n".join(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
