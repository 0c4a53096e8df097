#!/usr/bin/env python3
"""Generate tests/oracle/ks_onesided_cases.json: the one-sided two-sample KS test.

What: for pairs of samples (a step's working-day durations in lost and in won deals, rounded
up to whole days as dealsim's deadlines are), scipy's
ks_2samp(lost, won, alternative="less", method=...): the statistic
max_x (F_won(x) - F_lost(x)) and Hodges' asymptotic p-value ("pvalue", method="asymp"); and,
up to 1,000,000 lost x won pairs, the exact p-value ("pvalue_exact"): the share of merged
orders (lattice paths) whose one-sided distance reaches the statistic, counted with Python's
integers and divided exactly (fractions), with the statistic rounded to a multiple of
1/lcm(n_lost, n_won) as scipy's method="exact" does, and checked against that method where
scipy's own computation succeeds (it gives up on some samples of a few hundred). It also
prints how far the asymptotic p-value is from the exact one on samples of 1,000 x 1,000 and
2,000 x 500, the size where dealsim switches from exact to asymptotic.

The exact p-value above assumes distinct values; the whole days are tied. Each exact case
also carries "pvalue_exact_ties", the exact p-value conditional on the ties (the permutation
p-value, which dealsim reports), from gen_ks_ties.py's lattice count (checked there against a
full enumeration), never above "pvalue_exact".

Why: dealsim proposes a step deadline only where lost deals take significantly longer
than won ones (src/tuning/deadlines.rs); the largest catch - false alarm over whole-day
deadlines is this statistic. The Rust test feeds the raw durations through the deadline
proposal and compares both numbers.

Each statistic is cross-checked here against a direct numpy evaluation of the empirical
CDFs (so the direction of `alternative` is the one meant).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_ks_onesided.py
"""
import json
import math
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import scipy
from scipy.stats import ks_2samp

from gen_ks_ties import blocks, lattice_p

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
    out = {"name": name, "lost": lost.tolist(), "won": won.tolist(),
           "statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    if len(lost) * len(won) <= 1_000_000:
        p = exact_p(len(lost), len(won), r.statistic)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                e = ks_2samp(np.ceil(lost), np.ceil(won), alternative="less", method="exact")
                assert abs(e.pvalue - p) <= 1e-9 * p, (name, e.pvalue, p)
            except RuntimeWarning:
                pass
        out["pvalue_exact"] = p
        tied = float(lattice_p(*blocks(np.ceil(lost).tolist(), np.ceil(won).tolist())[1:]))
        assert tied <= p * (1 + 1e-12), (name, tied, p)
        out["pvalue_exact_ties"] = tied
    return out


def exact_p(n_lost, n_won, d):
    """P(max (F_won - F_lost) >= d) over uniformly random merged orders, exactly.

    A merged order is a lattice path: i won values and j lost values seen so far; the
    distance reaches d at a point with i/n_won - j/n_lost >= d. Paths that never reach it are
    counted point by point (integers), and p = 1 - those / C(n_won + n_lost, n_lost).
    """
    g = math.gcd(n_lost, n_won)
    lcm = n_lost // g * n_won
    h = round(d * lcm)
    if h <= 0:
        return 1.0
    bound = h * g  # i/n_won - j/n_lost >= h/lcm  <=>  i*n_lost - j*n_won >= h*g
    row = [0] * (n_lost + 1)
    for i in range(n_won + 1):
        for j in range(n_lost + 1):
            if i * n_lost - j * n_won >= bound:
                row[j] = 0
            elif i == 0 and j == 0:
                row[j] = 1
            else:
                row[j] = row[j] + (row[j - 1] if j > 0 else 0) if i > 0 else row[j - 1]
    inside = row[n_lost]
    return float(1 - Fraction(inside, math.comb(n_won + n_lost, n_lost)))


def asymptotic_vs_exact(rng):
    """Relative distance of the asymptotic p-value from the exact one, at the switch size."""
    worst = 0.0
    for n_lost, n_won in [(1000, 1000), (2000, 500), (500, 2000)]:
        for shift in np.linspace(0.0, 0.25, 6):
            lost = rng.normal(shift, 1.0, n_lost)
            won = rng.normal(0.0, 1.0, n_won)
            r = ks_2samp(lost, won, alternative="less", method="asymp")
            e, a = exact_p(n_lost, n_won, r.statistic), r.pvalue
            if e > 1e-6:
                worst = max(worst, abs(a - e) / e)
            print(f"  {n_lost} x {n_won}, shift {shift:.3f}: exact {e:.4g}, asymptotic {a:.4g}")
    print(f"largest relative distance where the exact p > 1e-6: {worst:.4f}")


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
        case("three_each_separated", [6.5, 7.2, 9.0], [2.1, 3.4, 4.8]),
        case("two_against_five", [8.2, 9.9], [3.3, 4.1, 8.9, 5.2, 2.2]),
        case("long_tail", logn(20.0, 1.2, 500).clip(max=390), logn(15.0, 1.0, 400).clip(max=390)),
    ]
    out = {"generator": "tests/oracle/gen_ks_onesided.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "scipy_version": scipy.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: n_lost={len(c['lost'])} n_won={len(c['won'])} "
              f"statistic={c['statistic']:.4f} p={c['pvalue']:.4g} "
              f"exact={c.get('pvalue_exact', math.nan):.4g} "
              f"ties={c.get('pvalue_exact_ties', math.nan):.4g}")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
    asymptotic_vs_exact(np.random.default_rng(SEED + 1))


if __name__ == "__main__":
    main()
