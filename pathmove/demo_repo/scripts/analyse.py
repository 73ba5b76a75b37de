from pathlib import Path

RESULTS = Path("outputs/hd_results/scores.csv")
FIGURES = Path("outputs") / "hd_results" / "figures"  # split segments: rewritten by the Python finder
LEGACY = Path("outputs/hd_results_v2")  # a decoy: a different folder
