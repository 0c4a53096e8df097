#!/usr/bin/env python3
"""Generate tests/oracle/cluster_groups_cases.json: AUCs with Obuchowski's clustered variance per
segment and pooled, and the logit intervals with Student's t built on them.

What: data sets of deals in several segments, each deal with a score, a label (1 = lost) and a
rep (the cluster); reps may work several segments. For every segment, and for all deals
pooled:
- the AUC (sklearn.metrics.roc_auc_score) of that group's deals;
- Obuchowski's (1997) variance over the group's reps, written from the paper's formulas (as in
  gen_cluster.py): with I reps in the group, I10 and I01 of them holding a lost / a won deal
  of it, rep i holding m_i lost and n_i won deals, M and N in all, psi(x, y) = 1, 1/2, 0 for
  x >, =, < y, V10_i and V01_i the sums of its lost deals' mean psi over the group's won deals
  and of its won deals' mean psi over the group's lost deals, a_i = (V10_i - m_i A)/M and
  b_i = (V01_i - n_i A)/N, var = I10/(I10-1) sum a_i^2 + I01/(I01-1) sum b_i^2 +
  2 I/(I-1) sum a_i b_i. In the pool a rep working two segments is one cluster;
- the interval logit(A) -/+ t * sqrt(var) / (A (1 - A)) mapped back with the logistic function,
  t = scipy.stats.t.ppf(0.975, I - 1).

Why: `dealsim score --cluster rep` (DeLong's intervals over reps, the default) computes these
in one sort per indicator and landmark (src/stats/mann_whitney.rs, clustered_aucs); ties
across segments and reps across segments are where a per-group bookkeeping error would show.

Cases: a hand-sized one with ties across segments (a stats review's), and random ones with
whole-number scores (many ties), non-dense rep names and reps crossing segments.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_cluster_groups.py
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.stats import t as student_t
from sklearn.metrics import roc_auc_score

SEED = 20261128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_groups_cases.json")


def obuchowski(score, lost, rep):
    lost = lost.astype(bool)
    x, y = score[lost], score[~lost]
    rx, ry = rep[lost], rep[~lost]
    d = x[:, None] - y[None, :]
    psi = (d > 0) + 0.5 * (d == 0)
    auc = psi.mean()
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    M, N = len(x), len(y)
    reps = np.unique(rep)
    I, I10, I01 = len(reps), len(np.unique(rx)), len(np.unique(ry))
    a = np.array([v10[rx == r].sum() - (rx == r).sum() * auc for r in reps]) / M
    b = np.array([v01[ry == r].sum() - (ry == r).sum() * auc for r in reps]) / N
    variance = I10 / (I10 - 1) * (a @ a) + I01 / (I01 - 1) * (b @ b) + 2 * I / (I - 1) * (a @ b)
    return auc, variance, I


def group(score, lost, rep):
    auc, var, reps = obuchowski(score, lost, rep)
    assert abs(auc - roc_auc_score(lost, score)) < 1e-12
    q = student_t.ppf(0.975, reps - 1)
    logit = np.log(auc / (1 - auc))
    half = q * np.sqrt(var) / (auc * (1 - auc))
    lo, hi = 1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))
    return {"auc": auc, "variance": var, "reps": int(reps), "interval": [lo, hi]}


def case(name, score, lost, segment, rep):
    score, lost = np.asarray(score, float), np.asarray(lost, int)
    segment, rep = np.asarray(segment, int), np.asarray(rep, int)
    segments = int(segment.max()) + 1
    groups = [group(score[segment == s], lost[segment == s], rep[segment == s]) for s in range(segments)]
    return {
        "name": name,
        "score": score.tolist(),
        "lost": lost.tolist(),
        "segment": segment.tolist(),
        "rep": rep.tolist(),
        "segments": groups,
        "pooled": group(score, lost, rep),
    }


def random_case(rng, name, segments, reps, deals, crossing):
    rep = rng.integers(0, reps, deals)
    # Each rep works one segment, or (crossing) any of them deal by deal.
    home = rng.integers(0, segments, reps)
    segment = rng.integers(0, segments, deals) if crossing else home[rep]
    u = rng.normal(0, 1, reps)
    e = rng.normal(0, 1, deals)
    lost = (rng.random(deals) < 1 / (1 + np.exp(-(-0.8 + 1.2 * u[rep] + 0.8 * e)))).astype(int)
    score = np.floor(2 * (u[rep] + e) + 5)
    return case(name, score, lost, segment, 11 * rep + 3)


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        case(
            "hand: ties across 2 segments",
            [1, 2, 2, 3, 2, 0, 3, 1, 1, 2, 2, 3, 0, 1, 2, 4, 3, 2, 1],
            [1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0],
            [0] * 9 + [1] * 10,
            [7, 7, 7, 7, 12, 12, 12, 40, 40, 3, 3, 3, 3, 25, 25, 25, 31, 31, 31],
        ),
        random_case(rng, "3 segments, reps in one segment each", 3, 24, 900, crossing=False),
        random_case(rng, "3 segments, reps working all of them", 3, 15, 900, crossing=True),
    ]
    for c in cases:
        for g in c["segments"] + [c["pooled"]]:
            assert g["reps"] >= 2
    with open(OUT, "w") as f:
        json.dump(
            {
                "generator": "tests/oracle/gen_cluster_groups.py",
                "seed": SEED,
                "versions": {
                    "python": sys.version.split()[0],
                    "numpy": np.__version__,
                    "scipy": scipy.__version__,
                    "scikit-learn": sklearn.__version__,
                },
                "cases": cases,
            },
            f,
            indent=1,
        )
    print(f"wrote {len(cases)} cases to {OUT}")
    for c in cases:
        print(c["name"], [(round(g["auc"], 4), g["reps"]) for g in c["segments"]], round(c["pooled"]["auc"], 4), c["pooled"]["reps"])


if __name__ == "__main__":
    main()
