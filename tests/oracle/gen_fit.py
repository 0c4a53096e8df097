"""Fixtures for dealsim's maximum-likelihood fits and two-sample KS distance.

Writes tests/oracle/fit_cases.json (scipy.stats.<family>.fit on fixed samples) and
tests/oracle/ks_cases.json (scipy.stats.ks_2samp statistic). Deterministic: fixed numpy seed.

Fits use the parametrisation dealsim's engine uses:
  lognormal: lognorm.fit(x, floc=0) -> (s, 0, scale): mu = ln(scale), sigma = s
  gamma:     gamma.fit(x, floc=0)   -> (a, 0, scale): shape = a, scale
  exponential: expon.fit(x, floc=0) -> (0, scale): mean = scale
  normal:    norm.fit(x)            -> (loc, scale): mean, std_dev
  uniform:   uniform.fit(x)         -> (loc, scale): low = loc, high = loc + scale
  beta:      beta.fit(x, floc=0, fscale=1) -> (a, b, 0, 1)
  triangular: the endpoints are fixed by dealsim's rule (sample range extended by one average
             spacing, lower end floored at 0 for positive data), then
             triang.fit(x, floc=min, fscale=max-min) fits the mode c; mode = min + c * (max - min).
             scipy's optimiser over c is local, so the script also evaluates the exact
             likelihood at every order statistic and records that maximiser (`mode_exact`)
             and scipy's (`mode_scipy`) with both log-likelihoods.
Each case records scipy's log-likelihood (sum of logpdf) at its estimate.
"""
import json
import platform
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261126)
HERE = Path(__file__).resolve().parent


def as_list(x):
    return [float(v) for v in x]


def samples():
    out = []
    for n in (5, 40, 500, 2000):
        out.append(("lognormal", n, rng.lognormal(1.0, 0.7, n)))
        out.append(("gamma", n, rng.gamma(3.0, 2.0, n)))
        out.append(("exponential", n, rng.exponential(4.0, n)))
        out.append(("normal", n, rng.normal(10.0, 3.0, n)))
        out.append(("uniform", n, rng.uniform(2.0, 9.0, n)))
        out.append(("triangular", n, rng.triangular(1.0, 4.0, 12.0, n)))
        out.append(("beta", n, rng.beta(2.5, 1.5, n)))
    # durations rounded to minutes of a working day, as in a log
    out.append(("gamma", 800, np.round(rng.gamma(0.7, 5.0, 800) * 540) / 540 + 1 / 540))
    out.append(("lognormal", 800, np.round(rng.lognormal(2.5, 1.0, 800) * 540) / 540 + 1 / 540))
    return out


def triangular_case(x):
    s = np.sort(x)
    n = len(s)
    spacing = (s[-1] - s[0]) / (n - 1)
    a = s[0] - spacing
    if np.all(s > 0):
        a = max(a, 0.0)
    b = s[-1] + spacing

    def ll(mode):
        return float(np.sum(stats.triang.logpdf(s, (mode - a) / (b - a), loc=a, scale=b - a)))

    exact = max(s, key=ll)
    c, loc, scale = stats.triang.fit(s, floc=a, fscale=b - a)
    mode_scipy = loc + c * scale
    return {
        "min": a,
        "max": b,
        "mode_exact": float(exact),
        "log_likelihood_exact": ll(exact),
        "mode_scipy": float(mode_scipy),
        "log_likelihood_scipy": ll(mode_scipy),
    }


def fit_case(family, x):
    if family == "lognormal":
        s, _, scale = stats.lognorm.fit(x, floc=0)
        return {"mu": float(np.log(scale)), "sigma": float(s),
                "log_likelihood": float(np.sum(stats.lognorm.logpdf(x, s, 0, scale)))}
    if family == "gamma":
        a, _, scale = stats.gamma.fit(x, floc=0)
        return {"shape": float(a), "scale": float(scale),
                "log_likelihood": float(np.sum(stats.gamma.logpdf(x, a, 0, scale)))}
    if family == "exponential":
        _, scale = stats.expon.fit(x, floc=0)
        return {"mean": float(scale),
                "log_likelihood": float(np.sum(stats.expon.logpdf(x, 0, scale)))}
    if family == "normal":
        loc, scale = stats.norm.fit(x)
        return {"mean": float(loc), "std_dev": float(scale),
                "log_likelihood": float(np.sum(stats.norm.logpdf(x, loc, scale)))}
    if family == "uniform":
        loc, scale = stats.uniform.fit(x)
        return {"low": float(loc), "high": float(loc + scale),
                "log_likelihood": float(np.sum(stats.uniform.logpdf(x, loc, scale)))}
    if family == "beta":
        a, b, _, _ = stats.beta.fit(x, floc=0, fscale=1)
        return {"alpha": float(a), "beta": float(b),
                "log_likelihood": float(np.sum(stats.beta.logpdf(x, a, b)))}
    if family == "triangular":
        return triangular_case(x)
    raise ValueError(family)


def main():
    versions = {"scipy_version": scipy.__version__, "numpy_version": np.__version__,
                "python_version": platform.python_version()}
    cases = []
    for source, n, x in samples():
        # every family is fitted to every sample it can describe, not only its own
        fits = {}
        for family in ("lognormal", "gamma", "exponential", "normal", "uniform", "triangular", "beta"):
            positive = bool(np.all(x > 0))
            if family in ("lognormal", "gamma", "exponential") and not positive:
                continue
            if family == "beta" and not bool(np.all((x > 0) & (x < 1))):
                continue
            if family == "triangular" and n < 3:
                continue
            fits[family] = fit_case(family, x)
        cases.append({"name": f"{source}_{n}_{len(cases)}", "data": as_list(x), "fits": fits})
    (HERE / "fit_cases.json").write_text(json.dumps(
        {"generator": "gen_fit.py", **versions, "cases": cases}) + "\n")

    ks = []
    pairs = [
        ("equal_sizes", rng.normal(0, 1, 50), rng.normal(0.3, 1, 50)),
        ("unequal", rng.exponential(1, 17), rng.exponential(1.5, 230)),
        ("ties", np.round(rng.normal(0, 2, 300)), np.round(rng.normal(0.5, 2, 200))),
        ("identical", np.arange(10.0), np.arange(10.0)),
        ("disjoint", np.arange(5.0), np.arange(5.0) + 10),
        ("large", rng.gamma(3, 10, 4000), rng.gamma(3.1, 10, 5000)),
        ("single", np.array([3.0]), rng.uniform(0, 6, 9)),
    ]
    for name, a, b in pairs:
        ks.append({"name": name, "a": as_list(a), "b": as_list(b),
                   "statistic": float(stats.ks_2samp(a, b).statistic)})
    (HERE / "ks_cases.json").write_text(json.dumps(
        {"generator": "gen_fit.py", **versions, "cases": ks}) + "\n")


if __name__ == "__main__":
    main()
