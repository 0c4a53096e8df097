#!/usr/bin/env python3
# Why src/tuning/rule.rs (FEW_FOR_PERCENTILES) gives a recall or false-alarm share with fewer
# than 10 deals on its smaller side Clopper-Pearson's interval, not the bootstrap's.
# A share's replicates stratified by outcome are Binomial(n, x/n) counts, so its percentile
# interval is (as the replicates grow) the 2.5% and 97.5% binomial quantiles at p = x/n. This
# prints that interval's exact coverage at n = 603 (smb's held-out won deals in the default run)
# against the expected count n*p. Needs numpy and scipy; not run by CI (nothing to compare).
import numpy as np
from scipy import stats
n = 603
def interval(x):
    ph = x / n
    lo = stats.binom.ppf(0.025, n, ph) / n
    hi = stats.binom.ppf(0.975, n, ph) / n
    return lo, hi
for p in [0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1]:
    xs = np.arange(0, n + 1)
    pmf = stats.binom.pmf(xs, n, p)
    cov = 0
    for x, w in zip(xs, pmf):
        if w < 1e-12: continue
        lo, hi = interval(x)
        if lo <= p <= hi: cov += w
    print(f"p={p} np={n*p:.1f} coverage={cov:.3f}")
