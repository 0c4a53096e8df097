#!/usr/bin/env python3
"""Generate tests/oracle/ks_onesided_cases.json: the one-sided two-sample KS test.

What: for pairs of samples (a step's working-day durations in lost and in won deals, rounded
up to whole days as dealsim's deadlines are), scipy's
ks_2samp(lost, won, alternative="less", method="asymp"): the statistic
max_x (F_won(x) - F_lost(x)) and Hodges' asymptotic p-value.

Why: dealsim proposes a step deadline only where lost deals take significantly longer
than won ones (src/tuning/deadlines.rs); the largest catch - false alarm over whole-day
deadlines is this statistic. The Rust test feeds the raw durations through the deadline
proposal and compares both numbers.

Each statistic is cross-checked here against a direct numpy evaluation of the empirical
CDFs (so the direction of `alternative` is the one meant).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_ks_onesided.py
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.stats import ks_2samp

SEED = 20261127
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ks_onesided_cases.json")


def direct_statistic(lost, won):
    """max over whole days x >= 0 of F_won(x) - F_lost(x), clipped at 0."""
    xs = np.union1d(lost, won)
    f_lost = np.searchsorted(np.sort(lost), xs, side="right") / len(lost)
    f_won = np.searchsorted(np.sort(won), xs, side="right") / len(won)
    return max(0.0, float(np.max(f_won - f_lost)))


def case(name, lost, won):
    lost = np.round(np.asarray(lost, dtype=float), 6)
    won = np.round(np.asarray(won, dtype=float), 6)
    assert lost.min() > 0 and won.min() > 0 and max(lost.max(), won.max()) < 400
    r = ks_2samp(np.ceil(lost), np.ceil(won), alternative="less", method="asymp")
    assert abs(r.statistic - direct_statistic(np.ceil(lost), np.ceil(won))) < 1e-12, name
    return {"name": name, "lost": lost.tolist(), "won": won.tolist(),
            "statistic": float(r.statistic), "pvalue": float(r.pvalue)}


def main():
    rng = np.random.default_rng(SEED)
    logn = lambda median, sigma, n: median * np.exp(sigma * rng.standard_normal(n))
    cases = [
        case("lost_slower_large", logn(7.0, 0.6, 1500), logn(5.0, 0.6, 600)),
        case("lost_slower_small", logn(9.0, 0.5, 25), logn(5.0, 0.5, 12)),
        case("same_distribution", logn(6.0, 0.7, 400), logn(6.0, 0.7, 300)),
        case("lost_faster", logn(4.0, 0.5, 200), logn(8.0, 0.5, 150)),
        case("more_won_than_lost", logn(6.5, 0.4, 80), logn(5.5, 0.4, 900)),
        case("slight_shift", logn(6.3, 0.6, 700), logn(6.0, 0.6, 700)),
        case("many_ties", rng.integers(1, 6, 300) - 0.5, rng.integers(1, 5, 250) - 0.5),
        case("one_each", [3.2], [1.5]),
        case("long_tail", logn(20.0, 1.2, 500).clip(max=390), logn(15.0, 1.0, 400).clip(max=390)),
    ]
    out = {"generator": "tests/oracle/gen_ks_onesided.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "scipy_version": scipy.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: n_lost={len(c['lost'])} n_won={len(c['won'])} "
              f"statistic={c['statistic']:.4f} p={c['pvalue']:.4g}")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
