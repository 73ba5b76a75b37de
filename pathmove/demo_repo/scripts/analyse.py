from pathlib import Path

RESULTS = Path("outputs/hd_results/scores.csv")
LEGACY = Path("outputs/hd_results_v2")  # a decoy: a different folder
