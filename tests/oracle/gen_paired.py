#!/usr/bin/env python3
"""Generate tests/oracle/paired_cases.json: paired differences of two AUCs on the same deals.

For two indicators A and B scored on the same lost (positive) and won (negative) deals, the
difference AUC_A - AUC_B and its variance, per segment and pooled:

- AUCs: sklearn.metrics.roc_auc_score on the rows where both indicators have a value (the
  common set; a row whose value is missing, null in the JSON, takes no part in either AUC).
- Paired DeLong (DeLong, DeLong & Clarke-Pearson 1988, section 3), written from the paper's
  matrices: for modality r the structural components V10^r(X_i) = (1/n) sum_j psi(X_i^r, Y_j^r)
  over the m positives and V01^r(Y_j) = (1/m) sum_i psi(X_i^r, Y_j^r) over the n negatives
  (psi = 1, 1/2, 0 as the positive scores above, ties, below); S10 and S01 the 2 x 2 sample
  covariance matrices (numpy.cov, ddof 1) of (V10^A, V10^B) and (V01^A, V01^B);
  S = S10 / m + S01 / n; var(A - B) = c' S c with the contrast c = (1, -1).
  Cross-checked, to 1e-12, against the two-sample jackknife of sklearn's AUC difference
  (leave one positive out, then one negative: (m-1)/m sum (d_(i) - mean)^2 + (n-1)/n sum ...),
  which equals DeLong's estimator exactly, and, for a 300-deal case, against the spread of a
  40,000-replicate paired bootstrap (stratified by class; within 5%).
- Over reps (clusters): Obuchowski's (1997) cluster-robust covariance of the two AUCs,
  per modality pair (r, s): K10/(K10-1) sum_c a^r_c a^s_c + K01/(K01-1) sum_c b^r_c b^s_c +
  K/(K-1) sum_c (a^r_c b^s_c + b^r_c a^s_c) with a^r_c = (sum of cluster c's V10^r - m_c AUC^r)/m,
  b^r_c likewise over its negatives and n, K the clusters with a row in the group, K10 / K01
  those with a positive / negative; var(A - B) = c' Cov c. Checked to equal paired DeLong when
  every row is its own cluster. A rep in two segments is one cluster of the pool.
- Intervals: difference +- q * sqrt(var), clipped to [-1, 1]; q = scipy.stats.norm.ppf(0.975)
  over deals, scipy.stats.t.ppf(0.975, K - 1) over K reps. null where the variance is
  undefined (a class of one row; fewer than two reps holding a class) or zero.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_paired.py
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.stats import norm
from scipy.stats import t as student_t
from sklearn.metrics import roc_auc_score

SEED = 20261201
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "paired_cases.json")
Z = norm.ppf(0.975)


def components(x, y):
    """DeLong's structural components of one modality: V10 per positive, V01 per negative."""
    d = x[:, None] - y[None, :]
    psi = (d > 0) + 0.5 * (d == 0)
    return psi.mean(axis=1), psi.mean(axis=0), psi.mean()


def paired_delong(a, b, lost):
    """(auc_a, auc_b, variance of auc_a - auc_b) from the 2 x 2 covariance matrices."""
    v10a, v01a, auc_a = components(a[lost], a[~lost])
    v10b, v01b, auc_b = components(b[lost], b[~lost])
    m, n = lost.sum(), (~lost).sum()
    if m < 2 or n < 2:
        return auc_a, auc_b, None
    s10 = np.cov(np.vstack([v10a, v10b]), ddof=1)
    s01 = np.cov(np.vstack([v01a, v01b]), ddof=1)
    s = s10 / m + s01 / n
    c = np.array([1.0, -1.0])
    return auc_a, auc_b, float(c @ s @ c)


def jackknife(a, b, lost):
    """The two-sample jackknife variance of sklearn's AUC difference."""
    y = lost.astype(int)

    def diff(keep):
        return roc_auc_score(y[keep], a[keep]) - roc_auc_score(y[keep], b[keep])

    total = 0.0
    for cls in (True, False):
        idx = np.flatnonzero(lost == cls)
        k = len(idx)
        drops = []
        for i in idx:
            keep = np.ones(len(a), bool)
            keep[i] = False
            drops.append(diff(keep))
        drops = np.array(drops)
        total += (k - 1) / k * ((drops - drops.mean()) ** 2).sum()
    return total


def paired_bootstrap_sd(a, b, lost, replicates, rng):
    pos, neg = np.flatnonzero(lost), np.flatnonzero(~lost)
    diffs = np.empty(replicates)
    y = lost.astype(int)
    for r in range(replicates):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        diffs[r] = roc_auc_score(y[idx], a[idx]) - roc_auc_score(y[idx], b[idx])
    return diffs.std(ddof=1)


def obuchowski_cov(a, b, lost, rep):
    """Obuchowski's clustered 2 x 2 covariance matrix of (AUC_A, AUC_B); (cov, clusters)."""
    mods = []
    for s in (a, b):
        v10, v01, auc = components(s[lost], s[~lost])
        mods.append((v10, v01, auc))
    rx, ry = rep[lost], rep[~lost]
    m, n = lost.sum(), (~lost).sum()
    reps = np.unique(rep)
    k, k10, k01 = len(reps), len(np.unique(rx)), len(np.unique(ry))
    if k10 < 2 or k01 < 2:
        return None, k
    av = [np.array([v10[rx == r].sum() - (rx == r).sum() * auc for r in reps]) / m for v10, _, auc in mods]
    bv = [np.array([v01[ry == r].sum() - (ry == r).sum() * auc for r in reps]) / n for _, v01, auc in mods]
    cov = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            cov[i, j] = (
                k10 / (k10 - 1) * (av[i] @ av[j])
                + k01 / (k01 - 1) * (bv[i] @ bv[j])
                + k / (k - 1) * (av[i] @ bv[j] + bv[i] @ av[j])
            )
    return cov, k


def interval(diff, var, q):
    if var is None or not var > 0:
        return None
    half = q * np.sqrt(var)
    return [max(-1.0, diff - half), min(1.0, diff + half)]


def group(a, b, lost, rep):
    """The reference figures of one group's rows (those with both values)."""
    both = ~np.isnan(a) & ~np.isnan(b)
    a, b, lost, rep = a[both], b[both], lost[both], rep[both]
    m, n = int(lost.sum()), int((~lost).sum())
    out = {"lost": m, "won": n}
    if m == 0 or n == 0:
        return out
    auc_a, auc_b, var = paired_delong(a, b, lost)
    assert abs(auc_a - roc_auc_score(lost.astype(int), a)) < 1e-12
    assert abs(auc_b - roc_auc_score(lost.astype(int), b)) < 1e-12
    diff = auc_a - auc_b
    if var is not None and len(a) <= 400:
        jk = jackknife(a, b, lost)
        assert abs(jk - var) < 1e-12, (jk, var)
    cov, k = obuchowski_cov(a, b, lost, rep)
    var_rep = None if cov is None else float(np.array([1, -1]) @ cov @ np.array([1, -1]))
    # Every row its own cluster: Obuchowski's is DeLong's.
    own, _ = obuchowski_cov(a, b, lost, np.arange(len(a)))
    if own is not None and var is not None:
        assert abs(float(np.array([1, -1]) @ own @ np.array([1, -1])) - var) < 1e-12
    out.update(
        {
            "auc_a": auc_a,
            "auc_b": auc_b,
            "difference": diff,
            "variance": var,
            "interval": interval(diff, var, Z),
            "reps": int(k),
            "variance_reps": var_rep,
            "interval_reps": None if k < 2 else interval(diff, var_rep, student_t.ppf(0.975, k - 1)),
        }
    )
    return out


def case(name, a, b, lost, segment=None, rep=None):
    a = np.asarray([np.nan if v is None else v for v in a], dtype=np.float32).astype(float)
    b = np.asarray([np.nan if v is None else v for v in b], dtype=np.float32).astype(float)
    lost = np.asarray(lost, dtype=bool)
    segment = np.zeros(len(a), int) if segment is None else np.asarray(segment, int)
    rep = np.arange(len(a)) if rep is None else np.asarray(rep, int)
    segments = int(segment.max()) + 1
    groups = [group(a[segment == s], b[segment == s], lost[segment == s], rep[segment == s]) for s in range(segments)]
    groups.append(group(a, b, lost, rep))
    js = lambda v: [None if np.isnan(x) else float(x) for x in v]
    return {
        "name": name,
        "a": js(a),
        "b": js(b),
        "lost": lost.astype(int).tolist(),
        "segment": segment.tolist(),
        "rep": rep.tolist(),
        "groups": groups,
    }


def correlated(rng, m, n, auc_a, auc_b, rho):
    """Binormal scores of two indicators with correlation rho within each class."""
    cov = [[1, rho], [rho, 1]]
    da, db = np.sqrt(2) * norm.ppf(auc_a), np.sqrt(2) * norm.ppf(auc_b)
    x = rng.multivariate_normal([da, db], cov, m)
    y = rng.multivariate_normal([0, 0], cov, n)
    s = np.vstack([x, y])
    return s[:, 0], s[:, 1], np.r_[np.ones(m, bool), np.zeros(n, bool)]


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        # By hand (tests/scoring.rs): A lost 3, 5, 6 / won 1, 2, 4; B lost 2, 4, 4 / won 1, 4, 3.
        # AUC_A 8/9, AUC_B 2/3, difference 2/9, variance 17/324.
        case("hand: 3 lost, 3 won", [3, 5, 6, 1, 2, 4], [2, 4, 4, 1, 4, 3], [1, 1, 1, 0, 0, 0]),
        case("identical indicators", [3, 5, 6, 1, 2, 4], [3, 5, 6, 1, 2, 4], [1, 1, 1, 0, 0, 0]),
        case("a class of one", [3, 5, 1, 2, 4], [2, 4, 1, 4, 3], [1, 0, 0, 0, 0]),
    ]
    for m, n, aa, ab, rho in [(10, 40, 0.75, 0.65, 0.5), (60, 140, 0.7, 0.7, 0.8), (500, 1500, 0.8, 0.72, 0.3)]:
        a, b, lost = correlated(rng, m, n, aa, ab, rho)
        cases.append(case(f"binormal {m} : {n}, AUCs {aa} and {ab}, rho {rho}", a, b, lost))
    # Whole days against a flag (many ties), with values missing for some deals.
    a, b, lost = correlated(rng, 120, 280, 0.75, 0.68, 0.4)
    a, b = np.floor(3 * a + 10), (b > 0.8).astype(float)
    a[rng.random(400) < 0.1] = np.nan
    b[rng.random(400) < 0.05] = np.nan
    cases.append(case("whole days vs a flag, 10% and 5% missing", a, b, lost))
    # Two segments and reps: reps 0-11 in segment 0, 8-19 in segment 1 (8-11 work both, one
    # cluster each in the pool), a rep effect on both indicators.
    m_n = 900
    seg = (rng.random(m_n) < 0.4).astype(int)
    rep = np.where(seg == 0, rng.integers(0, 12, m_n), rng.integers(8, 20, m_n))
    effect = rng.normal(0, 0.6, 20)
    lost = rng.random(m_n) < 0.3 + 0.02 * (rep % 5)
    a = lost * 0.9 + effect[rep] + rng.normal(0, 1, m_n)
    b = lost * 0.6 + 0.5 * effect[rep] + 0.5 * a + rng.normal(0, 1, m_n)
    b = np.round(b * 4) / 4
    cases.append(case("two segments, 20 reps, a rep effect", a, b, lost, seg, rep))
    # Few reps: 6 in one segment.
    rep = rng.integers(0, 6, 300)
    lost = rng.random(300) < 0.35
    a = lost * 0.8 + rng.normal(0, 1, 300)
    b = lost * 0.5 + rng.normal(0, 1, 300)
    cases.append(case("6 reps, 300 deals", a, b, lost, None, rep))

    # The paired bootstrap's spread against DeLong's for a 300-deal case.
    a, b, lost = correlated(rng, 90, 210, 0.74, 0.66, 0.6)
    c = case("bootstrap check: 90 : 210, rho 0.6", a, b, lost)
    sd = paired_bootstrap_sd(np.asarray(c["a"]), np.asarray(c["b"]), lost, 40_000, rng)
    var = c["groups"][-1]["variance"]
    assert abs(sd / np.sqrt(var) - 1) < 0.05, (sd, np.sqrt(var))
    c["bootstrap_sd"] = sd
    cases.append(c)

    with open(OUT, "w") as f:
        json.dump(
            {
                "generator": "tests/oracle/gen_paired.py",
                "seed": SEED,
                "versions": {
                    "python": sys.version.split()[0],
                    "numpy": np.__version__,
                    "scipy": scipy.__version__,
                    "scikit-learn": sklearn.__version__,
                },
                "z": Z,
                "cases": cases,
            },
            f,
            indent=1,
        )
    print(f"wrote {len(cases)} cases to {OUT}")
    hand = cases[0]["groups"][-1]
    print("hand:", hand["auc_a"], hand["auc_b"], hand["difference"], hand["variance"], 17 / 324)
    print("bootstrap sd vs DeLong se:", sd, np.sqrt(var))


if __name__ == "__main__":
    main()
