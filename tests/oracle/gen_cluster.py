#!/usr/bin/env python3
"""Generate tests/oracle/cluster_cases.json: cluster-robust variances of an AUC and of a share.

What: data sets of deals grouped in clusters (a rep's deals), each deal with a score (higher =
riskier), a label (1 = lost) and a flag (a rule fired), and
- the AUC (sklearn.metrics.roc_auc_score) and its cluster-robust variance by Obuchowski's
  (1997) nonparametric method for clustered ROC data, written here from the paper's
  formulas: with I clusters, cluster i holding m_i lost and n_i won deals, M and N in all,
  I10 and I01 the clusters holding a lost / a won deal,
  psi(x, y) = 1 if x > y, 1/2 if equal, 0 else,
      V10(x) = mean over won y of psi(x, y),   V01(y) = mean over lost x of psi(x, y),
      V10_i, V01_i = their sums over cluster i's lost / won deals,
      S10 = I10 / ((I10 - 1) M) * sum_i (V10_i - m_i A)^2
      S01 = I01 / ((I01 - 1) N) * sum_i (V01_i - n_i A)^2
      S11 = I / (I - 1)         * sum_i (V10_i - m_i A) (V01_i - n_i A)
      var(A) = S10 / M + S01 / N + 2 S11 / (M N)
  (as the FDA's iMRMC `doAUCcluster` computes it; with one deal per cluster it is DeLong's
  variance exactly, checked below);
- the share of lost deals flagged (a rule's recall) and its cluster-robust variance: the
  intercept-only least-squares fit of the flag over the lost deals with statsmodels'
  cluster-robust covariance (cov_type="cluster", which scales by G / (G - 1), G =
  `share_clusters`, the clusters with a lost deal), checked against the linearisation
  sum_i (f_i - p l_i)^2 / L^2 * G / (G - 1) (f_i flagged lost deals and l_i lost deals of
  cluster i, L = sum l_i);
- the 95% interval dealsim gives that share over reps: logit(p) +- q * sd / (p (1 - p)),
  mapped back, q = scipy's t quantile on G - 1 degrees of freedom (`share_ci95_logit_t`);
- the difference between that share and the share a second rule flags (scores strictly above
  their 75th percentile, `flag_b`; a different set of deals in every case, ties included)
  over the same lost deals, with statsmodels' t interval of the intercept-only
  cluster-robust fit of flag - flag_b (use_t=True: t on G - 1 degrees of freedom):
  `difference`, `difference_ci95_t`.

Why: under `dealsim --cluster rep` the scores' DeLong intervals compute Obuchowski's
variance and a tuned rule's shares and recall differences the share's cluster-robust one
(src/stats/cluster_ratio.rs), with the intervals above; tests/oracle_cluster.rs holds them to
these values. The bootstrap over reps (src/stats/bootstrap.rs; still the scores' with
`--interval bootstrap`, and the tuned median lead's) resamples reps with all their deals: its
variance over G resampled clusters estimates these cluster-robust variances times (G - 1) / G
(the bootstrap has no small-sample factor), so the same test checks the spread of dealsim's
replicate AUCs and recalls against them. The independent-deals (DeLong) variance of the AUC is stored too, to show that the
cases are clustered enough for the difference to matter.

With few clusters the two differ beyond first order (the statistics are ratios of cluster
totals), so for the 8-cluster case the ideal bootstrap's standard deviations (B = infinity:
all 6435 multisets of 8 clusters, each with its multinomial probability) are stored too:
`auc_sd_exact_bootstrap`, `share_sd_exact_bootstrap`.

Cases: a rep effect on both the score and the loss (strongly clustered), clusters without
any effect (the cluster variance near the independent one), unequal cluster sizes, few
(8) and many (60) clusters, tied scores.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_cluster.py
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy.stats import t as student_t
from sklearn.metrics import roc_auc_score

SEED = 20261128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_cases.json")


def psi_matrix(x_lost, y_won):
    d = x_lost[:, None] - y_won[None, :]
    return (d > 0) + 0.5 * (d == 0)


def obuchowski(score, lost, cluster):
    lost = lost.astype(bool)
    x, y = score[lost], score[~lost]
    cx, cy = cluster[lost], cluster[~lost]
    M, N = len(x), len(y)
    psi = psi_matrix(x, y)
    auc = psi.mean()
    v10 = psi.mean(axis=1)  # per lost deal
    v01 = psi.mean(axis=0)  # per won deal
    ids = np.unique(cluster)
    I, I10, I01 = len(ids), len(np.unique(cx)), len(np.unique(cy))
    s10 = s01 = s11 = 0.0
    for c in ids:
        a = v10[cx == c].sum() - (cx == c).sum() * auc
        b = v01[cy == c].sum() - (cy == c).sum() * auc
        s10 += a * a
        s01 += b * b
        s11 += a * b
    s10 *= I10 / ((I10 - 1) * M)
    s01 *= I01 / ((I01 - 1) * N)
    s11 *= I / (I - 1)
    return auc, s10 / M + s01 / N + 2 * s11 / (M * N)


def delong(score, lost):
    lost = lost.astype(bool)
    psi = psi_matrix(score[lost], score[~lost])
    M, N = psi.shape
    return psi.mean(axis=1).var(ddof=1) / M + psi.mean(axis=0).var(ddof=1) / N


def share_variance(flag, lost, cluster):
    f, c = flag[lost == 1].astype(float), cluster[lost == 1]
    ids = np.unique(c)
    G, L = len(ids), len(f)
    p = f.mean()
    lin = sum((f[c == g].sum() - p * (c == g).sum()) ** 2 for g in ids) / L**2 * G / (G - 1)
    fit = sm.OLS(f, np.ones(L)).fit(cov_type="cluster", cov_kwds={"groups": c})
    sm_var = float(fit.cov_params()[0, 0])
    assert abs(sm_var - lin) <= 1e-12 * max(1.0, lin), (sm_var, lin)
    return p, sm_var, G


def logit_t_interval(p, var, clusters):
    q = student_t.ppf(0.975, clusters - 1)
    logit, half = np.log(p / (1 - p)), q * np.sqrt(var) / (p * (1 - p))
    return [float(1 / (1 + np.exp(-(logit - half)))), float(1 / (1 + np.exp(-(logit + half))))]


def paired_difference(flag, flag_b, lost, cluster):
    d = (flag - flag_b)[lost == 1].astype(float)
    c = cluster[lost == 1]
    fit = sm.OLS(d, np.ones(len(d))).fit(cov_type="cluster", cov_kwds={"groups": c}, use_t=True)
    assert fit.df_resid_inference == len(np.unique(c)) - 1
    return float(fit.params[0]), [float(x) for x in fit.conf_int(0.05)[0]]


def compositions(total, parts):
    """Every way to write `total` as an ordered sum of `parts` non-negative integers."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first,) + rest


def exact_bootstrap_sds(score, lost, flag, cluster):
    """The standard deviations of the AUC and of the flagged share of lost deals over the
    ideal cluster bootstrap (B = infinity): every multiset of I clusters drawn from I, with
    its multinomial probability. With cluster multiplicities c, AUC(c) = c'Pc / ((c.L)(c.W))
    where P[a, b] sums psi over a's lost and b's won deals, and share(c) = (c.F) / (c.L)."""
    lost = lost.astype(bool)
    ids = np.unique(cluster)
    I = len(ids)
    P = np.zeros((I, I))
    L, W, F = np.zeros(I), np.zeros(I), np.zeros(I)
    for a, ca in enumerate(ids):
        xa = score[lost & (cluster == ca)]
        L[a] = len(xa)
        F[a] = flag[lost & (cluster == ca)].sum()
        W[a] = (~lost & (cluster == ca)).sum()
        for b, cb in enumerate(ids):
            P[a, b] = psi_matrix(xa, score[~lost & (cluster == cb)]).sum()
    log_fact = np.cumsum([0.0] + [np.log(k) for k in range(1, I + 1)])
    mom = np.zeros((2, 2))  # [statistic][first, second moment]
    total = 0.0
    for c in compositions(I, I):
        c = np.array(c, dtype=float)
        prob = np.exp(log_fact[I] - sum(log_fact[int(k)] for k in c) - I * np.log(I))
        if c @ L == 0 or c @ W == 0:
            raise ValueError("a multiset without a class: pick another case")
        stats = ((c @ P @ c) / ((c @ L) * (c @ W)), (c @ F) / (c @ L))
        for k, v in enumerate(stats):
            mom[k] += prob * np.array([v, v * v])
        total += prob
    assert abs(total - 1.0) < 1e-9, total
    return [float(np.sqrt(m[1] - m[0] ** 2)) for m in mom]


def make(rng, name, reps, sizes, rep_sd, decimals):
    """`reps` clusters of `sizes(rng)` deals; a rep effect u ~ N(0, rep_sd) raises both the
    score and the chance of a loss."""
    score, lost, cluster = [], [], []
    for r in range(reps):
        n = sizes(rng)
        u = rng.normal(0.0, rep_sd)
        e = rng.normal(0.0, 1.0, n)
        s = u + e
        p = 1 / (1 + np.exp(-(-1.2 + 1.5 * u + 0.8 * e)))
        score.extend(np.round(s, decimals))
        lost.extend(rng.random(n) < p)
        cluster.extend([3 * r + 7] * n)  # names need not be dense
    score, lost, cluster = np.array(score), np.array(lost, dtype=int), np.array(cluster)
    flag = (score >= np.quantile(score, 0.7)).astype(int)
    flag_b = (score > np.quantile(score, 0.75)).astype(int)
    auc, var = obuchowski(score, lost, cluster)
    assert abs(auc - roc_auc_score(lost, score)) < 1e-12
    p, share_var, G = share_variance(flag, lost, cluster)
    difference, difference_ci = paired_difference(flag, flag_b, lost, cluster)
    exact = {}
    if len(np.unique(cluster)) <= 8:
        auc_sd, share_sd = exact_bootstrap_sds(score, lost, flag, cluster)
        exact = {"auc_sd_exact_bootstrap": auc_sd, "share_sd_exact_bootstrap": share_sd}
    return exact | {
        "name": name,
        "score": [float(v) for v in score],
        "lost": [int(v) for v in lost],
        "cluster": [int(v) for v in cluster],
        "flag": [int(v) for v in flag],
        "clusters": int(len(np.unique(cluster))),
        "share_clusters": G,
        "auc": float(roc_auc_score(lost, score)),
        "auc_var_obuchowski": float(var),
        "auc_var_delong": float(delong(score, lost)),
        "share": float(p),
        "share_var_cluster": share_var,
        "share_ci95_logit_t": logit_t_interval(p, share_var, G),
        "flag_b": [int(v) for v in flag_b],
        "difference": difference,
        "difference_ci95_t": difference_ci,
    }


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        make(rng, "rep_effect_30_reps", 30, lambda g: 40, 1.0, 6),
        make(rng, "rep_effect_60_reps_unequal", 60, lambda g: int(g.integers(5, 80)), 0.8, 6),
        make(rng, "rep_effect_8_reps", 8, lambda g: 150, 1.0, 6),
        make(rng, "no_rep_effect_40_reps", 40, lambda g: 30, 0.0, 6),
        make(rng, "rep_effect_tied_scores", 25, lambda g: 50, 1.0, 0),
    ]
    # With singleton clusters Obuchowski's variance is DeLong's (I10 = M, I01 = N, so
    # S10 / M = sum (V10 - A)^2 / ((M - 1) M); S11 = 0, no cluster holds both classes): a
    # check of the implementation above.
    s = np.array(cases[0]["score"][:300])
    l = np.array(cases[0]["lost"][:300])
    _, v_single = obuchowski(s, l, np.arange(300))
    want = delong(s, l)
    assert abs(v_single - want) < 1e-12 * want, (v_single, want)
    for c in cases:
        print(
            f'{c["name"]}: n={len(c["lost"])} lost={sum(c["lost"])} I={c["clusters"]} G={c["share_clusters"]} '
            f'auc={c["auc"]:.4f} sd_obu={c["auc_var_obuchowski"] ** 0.5:.4f} '
            f'sd_delong={c["auc_var_delong"] ** 0.5:.4f} share={c["share"]:.4f} '
            f'sd_share={c["share_var_cluster"] ** 0.5:.4f} '
            f'exact={c.get("auc_sd_exact_bootstrap")} {c.get("share_sd_exact_bootstrap")}'
        )
    out = {
        "generator": "tests/oracle/gen_cluster.py",
        "python_version": sys.version.split()[0],
        "numpy_version": np.__version__,
        "sklearn_version": sklearn.__version__,
        "statsmodels_version": statsmodels.__version__,
        "scipy_version": scipy.__version__,
        "seed": SEED,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
