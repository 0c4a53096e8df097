#!/usr/bin/env python3
"""Generate tests/oracle/delong_cases.json: DeLong variances and logit-DeLong intervals of the AUC.

References, per case:
- AUC: sklearn.metrics.roc_auc_score(labels, scores).
- DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988): float64 numpy from the definition,
  every positive/negative pair scored 1, 1/2 (tie) or 0; placements V10 (per positive) and V01
  (per negative); variance = var(V10, ddof=1) / m + var(V01, ddof=1) / n. Cross-checked against
  the `confidenceinterval` package's fast DeLong (Sun & Xu 2014; it computes in float32, so to
  1e-5 relative) through the half-width of its symmetric 95% interval.
- The interval: logit(AUC) +- z * sqrt(variance) / (AUC (1 - AUC)), mapped back with the
  logistic function, z = scipy.stats.norm.ppf(0.975). null where a class holds a single row
  (variance undefined) and the classes overlap, and where every row ties (variance 0 at AUC
  1/2: a zero-width [0.5, 0.5] would claim certainty, so dealsim gives no interval).
- Where the classes do not overlap (AUC 1, or 0 mirrored), DeLong's variance is 0 and the
  interval is [bound, 1]: the smaller of the two Lehmann-family limits, the theta = k / (k + 1)
  at which `a` rows all lie above `b` rows with probability 0.025, P = (b/k) B(b/k, a + 1)
  (upper class's CDF the k-th power of the lower's) or (a/k) B(a/k, b + 1) (the lower's
  survival function the k-th power of the upper's), each solved with scipy.optimize.brentq on
  scipy.special.betaln. Each limit is also checked by simulating its model at that theta
  (200,000 draws: the share of samples with the classes apart within 4 standard errors of
  0.025).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_delong.py
(needs numpy, scipy, scikit-learn and confidenceinterval==1.0.5 in the venv)
"""
import importlib.metadata
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from confidenceinterval import roc_auc_score as ci_roc_auc
from scipy.optimize import brentq
from scipy.special import betaln
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

SEED = 20261128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "delong_cases.json")
Z = norm.ppf(0.975)


def delong(scores, labels):
    x, y = scores[labels == 1], scores[labels == 0]
    d = x[:, None] - y[None, :]
    psi = (d > 0) + 0.5 * (d == 0)
    auc = psi.mean()
    m, n = psi.shape
    if m < 2 or n < 2:
        return auc, None
    return auc, psi.mean(axis=1).var(ddof=1) / m + psi.mean(axis=0).var(ddof=1) / n


def lehmann_limit(a, b, alpha=0.025):
    """theta at which a rows all lie above b rows with probability alpha, F_upper = F_lower^k."""
    def excess(theta):
        k = theta / (1 - theta)
        return np.log(b / k) + betaln(b / k, a + 1) - np.log(alpha)

    if excess(1e-12) >= 0:
        return 0.0
    return brentq(excess, 1e-12, 1 - 1e-15, xtol=1e-15, rtol=1e-15)


def check_by_simulation(a, b, theta, upper_power, alpha=0.025, draws=200_000):
    """The share of simulated samples with all a rows above all b rows at theta."""
    rng = np.random.default_rng(SEED + a * 1000 + b)
    k = theta / (1 - theta)
    if upper_power:  # lower uniform, upper with CDF u^k
        lower = rng.random((draws, b)).max(axis=1)
        upper = (rng.random((draws, a)) ** (1 / k)).min(axis=1)
    else:  # upper uniform, lower with survival (1 - u)^k
        upper = rng.random((draws, a)).min(axis=1)
        lower = (1 - rng.random((draws, b)) ** (1 / k)).max(axis=1)
    share = (upper > lower).mean()
    se = np.sqrt(alpha * (1 - alpha) / draws)
    assert abs(share - alpha) < 4 * se, (a, b, theta, upper_power, share)


def separation_bound(above, below):
    first, second = lehmann_limit(above, below), lehmann_limit(below, above)
    check_by_simulation(above, below, first, upper_power=True)
    check_by_simulation(above, below, second, upper_power=False)
    return min(first, second)


def case(name, scores, labels):
    scores = np.asarray(scores, dtype=np.float32).astype(float)  # dealsim's values are f32
    labels = np.asarray(labels, dtype=int)
    auc, var = delong(scores, labels)
    assert abs(auc - roc_auc_score(labels, scores)) < 1e-12, name
    interval = None
    m, n = labels.sum(), len(labels) - labels.sum()
    if auc == 1:
        interval = [separation_bound(m, n), 1.0]
    elif auc == 0:
        interval = [0.0, 1 - separation_bound(n, m)]
    elif var == 0 and len(set(scores.tolist())) == 1:
        interval = None
    elif var is not None:
        _, (lo, hi) = ci_roc_auc(labels, scores, confidence_level=0.95, method="delong")
        fast = ((hi - lo) / 2 / Z) ** 2
        assert abs(fast - var) <= 1e-5 * var + 1e-9, (name, fast, var)
        logit = np.log(auc / (1 - auc))
        half = Z * np.sqrt(var) / (auc * (1 - auc))
        interval = [1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))]
    return {
        "name": name,
        "scores": scores.tolist(),
        "labels": labels.tolist(),
        "auc": auc,
        "variance": var,
        "interval": interval,
    }


def binormal(rng, m, n, auc):
    d = np.sqrt(2) * norm.ppf(auc)
    s = np.concatenate([rng.normal(d, 1, m), rng.normal(0, 1, n)])
    return s, np.r_[np.ones(m, int), np.zeros(n, int)]


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        # By hand (see the unit test in src/stats/ranked.rs): AUC 5/6, variance 5/144.
        case("hand: 3 lost 3, 2, 2 vs won 2, 1", [3, 2, 2, 2, 1], [1, 1, 1, 0, 0]),
        case("perfect separation", [5, 6, 7, 1, 2, 3], [1, 1, 1, 0, 0, 0]),
        case("perfect separation, 10 : 40", np.r_[np.arange(40, 50), np.arange(40)], np.r_[np.ones(10, int), np.zeros(40, int)]),
        case("reversed separation, 2 : 5", [1, 2, 3, 4, 5, 6, 7], [1, 1, 0, 0, 0, 0, 0]),
        case("one lost deal above 9", np.arange(10), np.r_[np.zeros(9, int), 1]),
        case("all tied", [2, 2, 2, 2, 2], [1, 0, 1, 0, 0]),
        case("one lost deal", [3, 1, 2, 0.5], [1, 0, 0, 0]),
    ]
    for m, n, auc in [(10, 40, 0.7), (20, 80, 0.7), (20, 80, 0.96), (60, 30, 0.55), (500, 1500, 0.8)]:
        s, y = binormal(rng, m, n, auc)
        cases.append(case(f"binormal {m} lost : {n} won, AUC {auc}", s, y))
    # Whole days (many ties) and a flag (two values).
    s, y = binormal(rng, 300, 700, 0.75)
    cases.append(case("whole days, 300 : 700", np.floor(3 * s + 10), y))
    y = (rng.random(400) < 0.3).astype(int)
    cases.append(case("a flag, 400 deals", (rng.random(400) < 0.2 + 0.4 * y).astype(float), y))
    with open(OUT, "w") as f:
        json.dump(
            {
                "generator": "tests/oracle/gen_delong.py",
                "seed": SEED,
                "versions": {
                    "python": sys.version.split()[0],
                    "numpy": np.__version__,
                    "scipy": scipy.__version__,
                    "scikit-learn": sklearn.__version__,
                    "confidenceinterval": importlib.metadata.version("confidenceinterval"),
                },
                "z": Z,
                "cases": cases,
            },
            f,
            indent=1,
        )
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
