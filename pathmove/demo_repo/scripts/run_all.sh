#!/usr/bin/env bash
# Rebuild every table of the benchmark.
set -euo pipefail
python scripts/evaluate.py --dataset dlpfc --out outputs/benchmark_results
python scripts/evaluate.py --dataset hd --out outputs/hd_results/
python scripts/evaluate.py --dataset rm_ideal --out "outputs/rm_ideal_benchmark"
# compare with the 2022 tables
diff -r outputs/hd_results_v2 outputs/hd_results || true
