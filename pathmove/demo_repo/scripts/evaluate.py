"""Score every method on one data set and write the tables under outputs/."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = {
    "dlpfc": ROOT / "outputs/benchmark_results",
    "hd": ROOT / "outputs" / "hd_results",
    "rm_ideal": ROOT / "outputs" / "rm_ideal_benchmark",
}
LEGACY_HD = "outputs/hd_results_v2"  # the 2022 pipeline: another folder, left alone
SERVER_COPY = "/mnt/lab/myoutputs/hd_results"  # another project's folder, left alone


def table_path(dataset: str, method: str) -> Path:
    # one CSV per method, e.g. outputs/benchmark_results/BayesSpace.csv
    return OUTPUTS[dataset] / f"{method}.csv"


def section_labels(section: str) -> str:
    return f"outputs/rm_ideal_benchmark/{section}/labels.csv"


def hd_scores() -> Path:
    return Path("outputs") / "hd_results" / "scores.csv"


def raw_dir(dataset: str) -> str:
    return os.path.join("outputs", "benchmark_results", "raw", dataset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", choices=sorted(OUTPUTS), required=True)
    parser.add_argument("--out", default=None, help="default: outputs/benchmark_results for dlpfc")
    args = parser.parse_args()
    out = Path(args.out) if args.out else OUTPUTS[args.dataset]
    out.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    main()
