#!/usr/bin/env python3
"""Runs dealsim's point-scoring job and the same job with scikit-learn, and prints the ratio.

    python3 benches/sklearn_compare.py [DEALS]        (default 1,000,000; needs scikit-learn)

dealsim evaluates 14 indicators at 24 landmarks for every deal and computes the Mann-Whitney
AUC per indicator x segment (and pooled) x landmark. The Rust example `panel_export` times
that whole job and exports the evaluated indicator values; scikit-learn then computes the
same AUCs (roc_auc_score, same risk sets, same orientation, same min-class rule) on exactly
those values. scikit-learn gets the indicator evaluation for free, so the ratio understates
dealsim's advantage. The script also checks that both give the same AUCs (to 1e-9).
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

deals = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
root = Path(__file__).resolve().parent.parent
out = root / "target" / "sklearn_compare"
subprocess.run(["cargo", "run", "--release", "--quiet", "--example", "panel_export", "--", str(deals), str(out)], cwd=root, check=True)
meta = json.loads((out / "panel.json").read_text())
n_ind = len(meta["indicators"])
row = np.dtype([("segment", "<u2"), ("label", "i1"), ("values", "<f4", (n_ind,))])
data = np.fromfile(out / "panel.bin", dtype=row)
segments = meta["segments"] + ["all"]
min_class = meta["min_class"]

started = time.perf_counter()
results = {}
offset = 0
for k, n in enumerate(meta["rows_per_landmark"]):
    block = data[offset:offset + n]
    offset += n
    for i, ind in enumerate(meta["indicators"]):
        sign = -1.0 if ind["direction"] == "higher_is_safer" else 1.0
        for s, seg in enumerate(segments):
            rows = block if seg == "all" else block[block["segment"] == s]
            values = rows["values"][:, i]
            keep = (rows["label"] >= 0) & ~np.isnan(values)
            y = rows["label"][keep]
            pos = int(y.sum())
            if pos < min_class or len(y) - pos < min_class:
                continue
            results[(ind["name"], seg, meta["landmarks"][k])] = roc_auc_score(y, sign * values[keep].astype(np.float64))
python_seconds = time.perf_counter() - started

worst = 0.0
for r in meta["scores"]:
    key = (r["indicator"], r["segment"], r["landmark_day"])
    if r["auc"] is not None:
        worst = max(worst, abs(results[key] - r["auc"]))
rust = meta["rust_seconds"]["evaluate_and_score"]
print(f"deals: {meta['deals']}, AUCs: {len(results)}, max |dealsim - sklearn| = {worst:.2e}")
print(f"scikit-learn (scoring only):      {python_seconds:8.2f} s")
print(f"dealsim (evaluation + scoring):   {rust:8.2f} s on {meta['rust_threads']} threads")
print(f"ratio: {python_seconds / rust:.1f}x")
assert worst < 1e-9, "dealsim and scikit-learn disagree"
