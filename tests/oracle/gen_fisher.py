#!/usr/bin/env python3
"""Generate tests/oracle/fisher_cases.json: Fisher's exact test, one-sided ("greater").

What: for 2 x 2 tables [[a, b], [c, d]] (rows lost / won deals, columns flagged / not
flagged by a rule), scipy.stats.fisher_exact(table, alternative="greater").pvalue: the
chance of a or more flagged lost deals when flags are independent of outcomes, margins fixed.

Why: dealsim checks each tuned rule on the held-out deals with this test
(src/stats/fisher.rs): small p means the held-out deals confirm that the rule's flagged deals
were lost more often than the others. Each p-value is cross-checked here against
scipy.stats.hypergeom.sf and, for small tables, against a sum of exact binomial
coefficients in Python integers (so the direction of `alternative` is the one meant).

Tables: hand-sized ones, empty rows/columns (one possible table), both tails, tables the
size of a segment's held-out deals (hundreds to thousands) and of a million-deal log, and
p-values from 1 down to about 1e-130.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_fisher.py
"""
import json
import os
import sys
from fractions import Fraction
from math import comb

import numpy as np
import scipy
from scipy.stats import fisher_exact, hypergeom

SEED = 20261127
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fisher_cases.json")


def exact(a, b, c, d):
    """P(X >= a) with integer arithmetic: X ~ hypergeometric(total, flagged, lost)."""
    lost, flagged, total = a + b, a + c, a + b + c + d
    lo, hi = max(0, lost + flagged - total), min(lost, flagged)
    num = sum(comb(flagged, x) * comb(total - flagged, lost - x) for x in range(max(a, lo), hi + 1))
    return float(Fraction(num, comb(total, lost)))


def case(name, a, b, c, d):
    p = float(fisher_exact([[a, b], [c, d]], alternative="greater").pvalue)
    lost, flagged, total = a + b, a + c, a + b + c + d
    sf = float(hypergeom.sf(a - 1, total, flagged, lost))
    assert abs(p - sf) <= 1e-12 * max(p, 1e-300), (name, p, sf)
    if total <= 3000:
        e = exact(a, b, c, d)
        assert abs(p - e) <= 1e-9 * max(e, 1e-300), (name, p, e)
    return {"name": name, "table": [[a, b], [c, d]], "pvalue": p}


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        case("hand_3_1_1_3", 3, 1, 1, 3),
        case("all_lost_flagged", 4, 0, 0, 4),
        case("none_flagged_lost", 0, 6, 5, 9),
        case("nothing_unflagged", 5, 0, 3, 0),
        case("no_lost_deal", 0, 0, 3, 4),
        case("one_deal", 1, 0, 0, 0),
        case("lower_tail", 2, 40, 30, 28),
        case("balanced", 12, 12, 12, 12),
        # A segment's held-out deals under a budget rule: recall ~20%, false alarms ~8%.
        case("holdout_segment", 290, 1160, 480, 5520),
        # Noise rules of a small real export: recall just above the false-alarm rate.
        case("noise_rule", 9, 211, 21, 519),
        case("flag_almost_all", 95, 5, 380, 20),
        # A million-deal log: a very small p-value.
        case("million_deals", 40_000, 160_000, 144_000, 656_000),
        case("far_tail_moderate", 300, 700, 100, 900),
        case("far_tail_extreme", 600, 400, 100, 900),
    ]
    for i in range(8):
        lost = int(rng.integers(20, 4000))
        won = int(rng.integers(20, 4000))
        recall = float(rng.uniform(0.02, 0.9))
        fa = float(np.clip(recall + rng.normal(0, 0.05), 0.0, 1.0))
        a = int(rng.binomial(lost, recall))
        c = int(rng.binomial(won, fa))
        cases.append(case(f"random_{i}", a, lost - a, c, won - c))
    out = {"generator": "tests/oracle/gen_fisher.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "scipy_version": scipy.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        print(f'{c["name"]:>20} {c["table"]} p={c["pvalue"]:.6g}')


if __name__ == "__main__":
    main()
