#!/usr/bin/env python3
"""Generate tests/oracle/auc_cases.json: independent-reference ROC AUC values.

Reference: sklearn.metrics.roc_auc_score(labels, scores, sample_weight=weights).
Labels: 1 = positive (lost), 0 = negative.  A higher score means "more likely
positive".  Ties in scores count 1/2 (trapezoidal ROC).

Every case is additionally cross-checked against a brute-force weighted
Mann-Whitney formula (sum over positive/negative pairs) before being written.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_auc.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

SEED = 20240611
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "auc_cases.json")


def mann_whitney_auc(scores, labels, weights):
    """Weighted pairwise AUC: sum_{i pos, j neg} w_i w_j [s_i > s_j] + 0.5 [s_i == s_j],
    normalised by (sum pos w) * (sum neg w).  O(n log n) via sorting."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=int)
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=float)
    uniq, inv = np.unique(s, return_inverse=True)  # ascending
    wp = np.bincount(inv, weights=w * (y == 1), minlength=len(uniq))
    wn = np.bincount(inv, weights=w * (y == 0), minlength=len(uniq))
    neg_below = np.cumsum(wn) - wn  # negatives with strictly smaller score
    num = np.sum(wp * (neg_below + 0.5 * wn))
    return num / (wp.sum() * wn.sum())


def make_case(name, scores, labels, weights=None):
    scores = [float(x) for x in scores]
    labels = [int(x) for x in labels]
    if weights is not None:
        weights = [float(x) for x in weights]
    assert len(scores) == len(labels)
    assert set(labels) <= {0, 1}
    auc = float(
        roc_auc_score(
            np.asarray(labels),
            np.asarray(scores),
            sample_weight=None if weights is None else np.asarray(weights),
        )
    )
    check = mann_whitney_auc(scores, labels, weights)
    assert abs(auc - check) < 1e-12, (name, auc, check)
    return {"name": name, "scores": scores, "labels": labels, "weights": weights, "auc": auc}


def main():
    rng = np.random.default_rng(SEED)
    cases = []

    # ---- tiny hand cases -------------------------------------------------
    cases.append(make_case("n2_correct", [0.1, 0.9], [0, 1]))
    cases.append(make_case("n2_wrong", [0.9, 0.1], [0, 1]))
    cases.append(make_case("n2_tie", [0.5, 0.5], [0, 1]))
    cases.append(make_case("n3_one_pos_middle", [0.1, 0.5, 0.9], [0, 1, 0]))
    cases.append(make_case("n3_two_pos", [0.2, 0.4, 0.3], [1, 1, 0]))
    cases.append(make_case("n3_tie_pos_neg", [0.4, 0.4, 0.1], [1, 0, 0]))
    cases.append(make_case("n4_no_ties", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]))  # 0.75
    cases.append(make_case("n4_tie_across_classes", [0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]))
    cases.append(make_case("n4_tie_within_class", [0.4, 0.4, 0.1, 0.8], [0, 0, 1, 1]))
    cases.append(make_case("n4_all_tied_pairs", [1.0, 1.0, 2.0, 2.0], [0, 1, 0, 1]))
    cases.append(make_case("n4_negative_scores", [-3.0, -1.5, -2.0, 0.0], [0, 1, 0, 1]))
    cases.append(make_case("n4_weighted_hand", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], [1, 2, 3, 1]))
    cases.append(make_case("n4_weighted_zero", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], [1, 0, 1, 1]))

    # ---- degenerate-ish --------------------------------------------------
    n = 20
    lab = np.array([0, 1] * (n // 2))
    cases.append(make_case("all_equal_scores_n20", [0.3] * n, lab))
    cases.append(make_case("all_equal_scores_weighted_n20", [7.0] * n, lab, rng.integers(1, 4, n)))
    s = np.arange(n, dtype=float)
    lab = (s >= 12).astype(int)
    cases.append(make_case("perfect_separation_n20", s, lab))
    cases.append(make_case("reversed_n20", s, 1 - lab))
    cases.append(make_case("single_positive_n20", s, (s == 10).astype(int)))
    cases.append(make_case("single_negative_n20", s, (s != 10).astype(int)))

    # ---- heavy ties on integer scores 0..5 -------------------------------
    for n in (30, 200):
        lab = rng.integers(0, 2, n)
        sc = np.clip(np.round(lab * 1.2 + rng.normal(2.0, 1.3, n)), 0, 5)
        cases.append(make_case(f"int_scores_0to5_n{n}", sc, lab))

    # ---- float scores ----------------------------------------------------
    def float_scores(n, sep=0.8):
        lab = (rng.random(n) < 0.35).astype(int)
        sc = rng.normal(0.0, 1.0, n) + sep * lab
        return np.round(sc, 6), lab

    def int_scores(n, hi=100):
        lab = (rng.random(n) < 0.35).astype(int)
        sc = np.clip(np.round(rng.normal(hi / 2, hi / 5, n) + lab * hi / 10), 0, hi)
        return sc, lab

    sc, lab = float_scores(50)
    cases.append(make_case("float_n50", sc, lab))
    sc, lab = float_scores(1000)
    cases.append(make_case("float_n1000", sc, lab))
    sc, lab = int_scores(1000)
    cases.append(make_case("int_n1000", sc, lab))
    sc, lab = float_scores(20000, sep=0.5)
    cases.append(make_case("float_n20000", sc, lab))
    sc, lab = int_scores(20000, hi=1000)
    cases.append(make_case("int_n20000", sc, lab))

    # ---- weighted --------------------------------------------------------
    # bootstrap-like multiplicities 0..3 (zero weight = sample absent)
    sc, lab = float_scores(50)
    cases.append(make_case("float_n50_w_int0to3", sc, lab, rng.integers(0, 4, 50)))
    sc, lab = int_scores(1000, hi=20)
    cases.append(make_case("int_n1000_w_int0to3", sc, lab, rng.integers(0, 4, 1000)))
    sc, lab = float_scores(1000)
    cases.append(make_case("float_n1000_w_int0to3", sc, lab, rng.integers(0, 4, 1000)))
    # positive float weights
    sc, lab = float_scores(50)
    cases.append(make_case("float_n50_w_float", sc, lab, np.round(rng.uniform(0.1, 3.0, 50), 6)))
    sc, lab = int_scores(1000, hi=10)
    cases.append(make_case("int_n1000_w_float", sc, lab, np.round(rng.uniform(0.1, 3.0, 1000), 6)))
    sc, lab = float_scores(5000)
    cases.append(make_case("float_n5000_w_float", sc, lab, np.round(rng.exponential(1.0, 5000) + 0.01, 6)))

    out = {
        "generator": "tests/oracle/gen_auc.py (sklearn.metrics.roc_auc_score, numpy seed %d)" % SEED,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    for c in cases:
        print(f"{c['name']:32s} n={len(c['scores']):6d} weighted={c['weights'] is not None!s:5s} auc={c['auc']!r}")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
