#!/usr/bin/env python3
"""Generate tests/oracle/ks_ties_cases.json: the one-sided two-sample KS test with ties.

What: for a step's whole-day durations in lost and in won deals, the one-sided statistic
S = max over the distinct days x of F_won(x) - F_lost(x) (0 at least) and its exact p-value
conditional on the ties: the share of the C(m + n, m) ways to say which of the pooled
m + n values are the m lost ones (the tied days stay where they are) whose statistic is at
least the observed one. That is the permutation test of the statistic, enumerated in full.

How, twice and independently:
  * `enumerated_p`: every assignment as an (m + n)-bit mask with m bits set (numpy), the
    statistic from the lost counts below each distinct day, counted in integers. Feasible
    up to m + n = 24 or so.
  * `lattice_p`: the merged order as a lattice path (i won and j lost values so far); the
    statistic only changes at the ends of tie blocks of the pooled sorted sample, so the
    path is stopped only at points with i + j equal to a block end where
    i*m - j*n >= the observed statistic times m*n. Paths never stopped are counted in
    Python integers and p = 1 - those / C(m + n, m), exactly (fractions). Without ties it is
    the path count of `gen_ks_onesided.py` (and SciPy's method="exact").
`lattice_p` is checked against `enumerated_p` on 400 random tie patterns (up to 24 values)
before anything is written, every enumerable fixture case carries the enumerated value, and
the larger cases (up to 1,000,000 lost x won pairs, where dealsim switches to the asymptotic
formula) carry `lattice_p`'s. On the enterprise pilot of a 3,000-deal run (44 lost x 32 won
deals) the value is also checked against
scipy.stats.permutation_test (Monte Carlo, 20,000 resamples, within 4 standard errors), so
that the tie convention of the permutation test is the one meant. Each statistic is
checked against scipy.stats.ks_2samp(lost, won, alternative="less").statistic.

Why: dealsim compares whole working days (src/tuning/deadlines.rs), heavily tied; the
classic exact p-value assumes distinct values and is then conservative (0.058 where the
permutation test gives 0.042 on a 3,000-deal run). The Rust test
`tuning::deadlines::tests::separation_with_ties_matches_enumeration` feeds these durations
through the deadline proposal and compares the statistic and p-value (to 1e-12, relative).

Format: {"cases": [{"name", "days": [int], "lost": [count], "won": [count],
"statistic": S, "pvalue": p, "method": "enumeration" | "lattice"}]}: per distinct day
(increasing), how many lost and won deals took it.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_ks_ties.py
"""
import json
import math
import os
import sys
from fractions import Fraction

import numpy as np
import scipy
from scipy.stats import ks_2samp, permutation_test

SEED = 20261129
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ks_ties_cases.json")
MAX_ENUMERATED = 24


def blocks(lost_days, won_days):
    """Distinct days (increasing) and the lost and won counts at each."""
    days = sorted(set(lost_days) | set(won_days))
    lost = [int(np.sum(np.asarray(lost_days) == d)) for d in days]
    won = [int(np.sum(np.asarray(won_days) == d)) for d in days]
    return days, lost, won


def observed(lost, won):
    """m*n times the statistic: max over block ends of i*m - j*n (i won, j lost so far), >= 0."""
    m, n = sum(lost), sum(won)
    s, i, j = 0, 0, 0
    for a, b in zip(lost, won):
        j, i = j + a, i + b
        s = max(s, i * m - j * n)
    return s


def enumerated_p(lost, won):
    """Share of all lost/won assignments of the pooled values whose statistic is >= observed."""
    m, n = sum(lost), sum(won)
    total = m + n
    assert total <= MAX_ENUMERATED
    masks = np.arange(1 << total, dtype=np.uint32)
    masks = masks[np.bitwise_count(masks) == m]  # bit k set: the k-th pooled value is lost
    assert len(masks) == math.comb(total, m)
    s = np.zeros(len(masks), dtype=np.int64)
    end = 0
    for a, b in zip(lost, won):
        end += a + b
        j = np.bitwise_count(masks & np.uint32((1 << end) - 1)).astype(np.int64)
        s = np.maximum(s, (end - j) * m - j * n)
    return Fraction(int(np.sum(s >= observed(lost, won))), len(masks))


def lattice_p(lost, won):
    """The same share by counting lattice paths, stopped only at tie-block ends."""
    m, n = sum(lost), sum(won)
    bound = observed(lost, won)
    if bound <= 0:
        return Fraction(1)
    ends = set(np.cumsum([a + b for a, b in zip(lost, won)]).tolist())
    row = [0] * (m + 1)  # row[j]: paths to (i, j) never stopped
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                row[j] = 1
                continue
            v = (row[j] if i > 0 else 0) + (row[j - 1] if j > 0 else 0)
            row[j] = 0 if (i + j) in ends and i * m - j * n >= bound else v
    return 1 - Fraction(row[m], math.comb(m + n, m))


def statistic(lost_days, won_days, lost, won):
    s = Fraction(observed(lost, won), sum(lost) * sum(won))
    r = ks_2samp(lost_days, won_days, alternative="less", method="asymp")
    assert abs(r.statistic - float(s)) < 1e-12, (r.statistic, s)
    return s


def case(name, lost_days, won_days):
    lost_days, won_days = [int(x) for x in lost_days], [int(x) for x in won_days]
    assert min(lost_days + won_days) >= 1 and max(lost_days + won_days) <= 400
    days, lost, won = blocks(lost_days, won_days)
    s = statistic(lost_days, won_days, lost, won)
    if len(lost_days) + len(won_days) <= MAX_ENUMERATED:
        p, method = enumerated_p(lost, won), "enumeration"
        assert lattice_p(lost, won) == p, name
    else:
        assert len(lost_days) * len(won_days) <= 1_000_000, name
        p, method = lattice_p(lost, won), "lattice"
    print(f"{name}: {len(lost_days)} lost x {len(won_days)} won, {len(days)} distinct days, "
          f"statistic {float(s):.4f}, p {float(p):.6g} ({method})")
    return {"name": name, "days": days, "lost": lost, "won": won,
            "statistic": float(s), "pvalue": float(p), "method": method}


# Lost and won deals per whole working day (1, 2, ...) of three steps of the tuning deals of
# `dealsim run --deals 3000` (default scenario, seed 1): the reviewer's examples, where the
# classic exact p-value read 0.0060, 0.0084 and 0.058.
RUN_3000 = {
    "run3000_enterprise_first_meeting": [
        (1, 1), (18, 7), (26, 7), (25, 7), (24, 7), (17, 6), (18, 3), (11, 0), (8, 0), (5, 0),
        (4, 0), (3, 0), (3, 0), (1, 0), (1, 0), (1, 0), (1, 0), (2, 0), (0, 0), (1, 0), (0, 0),
        (1, 0), (0, 0), (1, 0)] + [(0, 0)] * 12 + [(1, 0)],
    "run3000_mid_market_contract_draft": [
        (0, 0), (0, 0), (0, 7), (0, 16), (2, 24), (0, 28), (0, 21), (0, 13), (2, 15), (0, 13),
        (0, 5), (0, 3), (0, 7), (1, 3), (1, 0), (1, 1), (1, 1), (0, 1), (1, 0), (0, 2), (0, 1)],
    "run3000_enterprise_pilot": [(0, 0)] * 6 + [
        (2, 0), (2, 3), (2, 0), (4, 2), (0, 3), (1, 1), (2, 3), (3, 2), (1, 2), (3, 5), (2, 2),
        (2, 3), (3, 1), (2, 1), (0, 0), (2, 0), (0, 0), (1, 0), (0, 0), (0, 0), (1, 0), (2, 0),
        (0, 0), (0, 0), (2, 0), (1, 0), (1, 0)] + [(0, 0)] * 7 + [(0, 1), (1, 0)] + [(0, 0)] * 4
        + [(1, 0), (1, 0)] + [(0, 0)] * 6 + [(1, 0)] + [(0, 0)] * 6 + [(0, 1), (0, 0), (0, 0),
        (1, 0), (0, 0), (0, 1)] + [(0, 0)] * 18 + [(0, 1)],
}


def from_counts(counts):
    """Lost and won days from (lost, won) counts per day 1, 2, ..."""
    lost = [day for day, (a, _) in enumerate(counts, 1) for _ in range(a)]
    won = [day for day, (_, b) in enumerate(counts, 1) for _ in range(b)]
    return lost, won


def check_lattice_against_enumeration(rng):
    """lattice_p == enumerated_p, exactly, on random tie patterns up to 24 values."""
    for k in range(400):
        total = int(rng.integers(2, MAX_ENUMERATED + 1))
        m = int(rng.integers(1, total))
        span = int(rng.integers(1, total + 1))  # few distinct days: heavy ties
        lost_days = rng.integers(1, span + 1, m) + rng.integers(0, 3)
        won_days = rng.integers(1, span + 1, total - m)
        _, lost, won = blocks(lost_days.tolist(), won_days.tolist())
        e, l = enumerated_p(lost, won), lattice_p(lost, won)
        assert e == l, (k, lost, won, e, l)
    print("lattice_p == enumerated_p on 400 random tie patterns")


def check_against_permutation_test(lost_days, won_days, p, rng):
    """Monte Carlo permutation test of the same statistic: within 4 standard errors."""
    stat = lambda a, b: ks_2samp(a, b, alternative="less", method="asymp").statistic
    r = permutation_test((lost_days, won_days), stat, n_resamples=20_000,
                         alternative="greater", vectorized=False, rng=rng)
    se = math.sqrt(p * (1 - p) / 20_000)
    print(f"  permutation_test: {r.pvalue:.4g} against {p:.4g} (se {se:.2g})")
    assert abs(r.pvalue - p) < 4 * se + 1 / 20_000, (r.pvalue, p)


def main():
    rng = np.random.default_rng(SEED)
    check_lattice_against_enumeration(rng)
    days = lambda median, sigma, n: np.ceil(median * np.exp(sigma * rng.standard_normal(n))).clip(1, 400)
    cases = [
        # Two blocks: 3 won deals took 1 day, 3 lost ones 2 days; without ties it is 1/20 too.
        case("blocks_3_3", [2, 2, 2], [1, 1, 1]),
        # Ties across the samples hide the within-day order: 2 of the 3 lost days tie with won ones.
        case("ties_across", [2, 3, 3], [1, 2, 3]),
        case("all_tied", [4, 4, 4], [4, 4]),
        case("all_distinct", [5, 7, 8, 11], [1, 2, 4, 6, 9]),
        case("one_each", [3], [1]),
        case("one_lost_tied_with_won", [2], [1, 2, 2, 2, 3]),
        case("lost_faster", [1, 1, 2, 2], [3, 3, 4]),
        case("whole_days_12_10", days(6.0, 0.5, 12), days(4.0, 0.5, 10)),
        case("few_days_8_16", rng.integers(2, 5, 8), rng.integers(1, 4, 16)),
        case("heavy_ties_20_4", rng.integers(1, 4, 20), rng.integers(1, 3, 4)),
        case("one_lost_many_won", [4], rng.integers(1, 5, 21)),
        # Sizes of the default run's enterprise steps (38 won deals, up to 173 lost).
        case("enterprise_first_meeting_like", days(4.5, 0.6, 173), days(3.7, 0.6, 38)),
        case("enterprise_pilot_like", days(14.0, 0.6, 44), days(12.0, 0.6, 32)),
        case("same_distribution", days(6.0, 0.7, 400), days(6.0, 0.7, 300)),
        # At dealsim's switch to the asymptotic formula: 1000 x 1000 pairs.
        case("max_pairs_heavy_ties", rng.integers(1, 8, 1000), rng.integers(1, 7, 1000)),
        case("max_pairs_tiny_p", days(9.0, 0.4, 1000), days(5.0, 0.4, 1000)),
        case("unbalanced_10_100000", days(8.0, 0.5, 10), days(5.0, 0.5, 100_000)),
    ] + [case(name, *from_counts(counts)) for name, counts in RUN_3000.items()]
    pilot = next(c for c in cases if c["name"] == "run3000_enterprise_pilot")
    expand = lambda c, key: np.repeat(c["days"], c[key])
    check_against_permutation_test(expand(pilot, "lost"), expand(pilot, "won"), pilot["pvalue"], rng)
    out = {"generator": "tests/oracle/gen_ks_ties.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "scipy_version": scipy.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
