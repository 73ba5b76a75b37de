"""Files parsed per second by the Python rewriter (SPEC §4.1), against the plain-text rule.

    .venv/bin/python benchmarks/python_finder.py [N_FILES]
    .venv/bin/python benchmarks/python_finder.py --corpus DIR FROM TO   # real files, e.g. site-packages

Builds N synthetic modules (~120 lines each, a few references, chains and bases in every
one), then times `finders.python.find` and `finders.text.find` over them in this process.
Only files that pass the byte prefilter reach libcst, so this is the worst case: every file
holds a reference. Results are recorded in benchmarks/python_finder.md.
"""

from __future__ import annotations

import sys
import time

from pathmove.finders import python, text
from pathmove.mapping import from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD"), ("eval/results_v1", "eval/results/v1")])

BLOCK = '''
OUT_{i} = Path("outputs")
EVAL_{i} = ROOT / "eval"


def load_{i}(name: str, step: int) -> Path:
    """Read ``outputs/hd_results/{{name}}`` or the legacy copy."""
    # the hd_results_v2 folder is a decoy: outputs/hd_results_v2
    a = Path("outputs") / "hd_results" / name
    b = os.path.join("eval", "results_v1", f"{{name}}_{{step:03d}}.csv")
    c = EVAL_{i} / "results_v1" / "summary.csv"
    d = f"{{ROOT}}/outputs/hd_results/{{name}}"
    e = [x * 2 for x in range(step) if x % 3]
    return a if e else Path(b, c, d)
'''


def module(n: int) -> bytes:
    head = "import os\nfrom pathlib import Path\n\nROOT = Path(__file__).parent\n"
    return (head + "".join(BLOCK.format(i=i) for i in range(n))).encode()


def corpus(root: str, old: str, new: str) -> int:
    """Every .py file under root through the byte prefilter, then the Python finder."""
    from pathlib import Path

    mapping = from_pairs([(old, new)])
    files = sorted(Path(root).rglob("*.py"))
    t0 = time.perf_counter()
    parsed = records = 0
    for f in files:
        data = f.read_bytes()
        if not any(n in data for n in mapping.needles):
            continue
        parsed += 1
        rel = f.relative_to(root).as_posix()
        try:
            records += len(list(python.find(Source(rel, rel, data, "python"), mapping)))
        except Exception:  # ParseFailed: the text rule would take it
            pass
    dt = time.perf_counter() - t0
    print(f"corpus {root}: {len(files)} files, {parsed} past the prefilter, {records} records, "
          f"{dt:.2f} s: {parsed / dt:.1f} parsed files/s, {len(files) / dt:.1f} listed files/s")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--corpus":
        return corpus(argv[2], argv[3], argv[4])
    count = int(argv[1]) if len(argv) > 1 else 200
    sources = [Source(f"m{i}.py", f"m{i}.py", module(8), "python") for i in range(count)]
    size = sum(len(s.data) for s in sources)
    for name, fn in (("python (libcst)", python.find), ("plain text rule", text.find)):
        t0 = time.perf_counter()
        edits = sum(len(list(fn(s, MAPPING))) for s in sources)
        dt = time.perf_counter() - t0
        print(f"{name:16} {count} files, {size / 1e6:.2f} MB, {edits} records: "
              f"{count / dt:7.1f} files/s, {size / dt / 1e6:6.2f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
