#!/usr/bin/env python3
"""Generate tests/oracle/cdauc_cases.json: reference cumulative/dynamic AUC values.

Reference: sksurv.metrics.cumulative_dynamic_auc(y, y, risk, times) with
y = Surv.from_arrays(event, time) used as both survival_train and survival_test
(default tied_tol=1e-8, 1-D risk scores).  `times` is stored after np.unique
(sorted ascending, no duplicates) exactly as sksurv uses it, so `auc[k]`
corresponds to `times[k]`.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_cdauc.py
"""
import json
import os
import sys

import numpy as np
import sksurv
from sksurv.metrics import cumulative_dynamic_auc
from sksurv.util import Surv

SEED = 20240612
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cdauc_cases.json")

PUBLISHED = {
    "time": [30, 45, 45, 60, 60, 75, 90, 90, 100, 120, 130, 150],
    "event": [1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0],
    "risk": [0.6, 0.8, 0.7, 0.3, 0.9, 0.6, 0.2, 0.5, 0.4, 0.4, 0.1, 0.7],
    "times": [45, 60, 90, 120],
    "expected_auc": [0.809942, 0.668343, 0.565522, 0.566498],
    "expected_mean": 0.643433,
}


def run(time, event, risk, times):
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    y = Surv.from_arrays(event, time)  # bool event -> no "must be binary" check
    auc, mean = cumulative_dynamic_auc(y, y, np.asarray(risk, dtype=float), np.asarray(times, dtype=float))
    return np.unique(np.asarray(times, dtype=float)), auc, float(mean)


def make_case(name, time, event, risk, times):
    t_sorted, auc, mean = run(time, event, risk, times)
    if not (np.all(np.isfinite(auc)) and np.isfinite(mean)):
        raise ValueError("non-finite result")
    return {
        "name": name,
        "time": [float(x) for x in time],
        "event": [int(bool(x)) for x in event],
        "risk": [float(x) for x in risk],
        "times": [float(x) for x in t_sorted],
        "auc": [float(x) for x in auc],
        "mean_auc": mean,
    }


def pick_times(time, event, qs, offgrid=False):
    """Quantiles (10%..80%) of observed event times; strictly < max observed time."""
    ev = np.sort(time[event.astype(bool)])
    ts = np.quantile(ev, qs)
    if offgrid:
        ts = ts + 0.25
    ts = np.unique(np.round(ts, 6))
    ts = ts[(ts >= time.min()) & (ts < time.max())]
    return ts


def simulate(rng, n, cens_rate, int_times=None, risk_kind="float", risk_noise=1.0):
    """Proportional-hazards-like data.  x = true log-hazard; risk = noisy x.
    cens_rate is a target (approximate) censoring fraction (0 = no censoring).
    int_times: if given, times are ceil(T * int_times) (many ties)."""
    x = rng.normal(0.0, 1.0, n)
    t_ev = rng.exponential(1.0, n) * np.exp(-x)
    if cens_rate <= 0:
        t_obs, ev = t_ev, np.ones(n, dtype=bool)
    else:
        # crude calibration of censoring scale for the target rate
        lo, hi = 1e-3, 1e3
        u = rng.random(n)
        for _ in range(60):
            mid = np.sqrt(lo * hi)
            c = -np.log(u) * mid
            if np.mean(c < t_ev) > cens_rate:
                lo = mid
            else:
                hi = mid
        c = -np.log(u) * np.sqrt(lo * hi)
        t_obs = np.minimum(t_ev, c)
        ev = t_ev <= c
    if int_times:
        t_obs = np.ceil(t_obs * int_times)
    else:
        t_obs = np.round(t_obs, 6)
        t_obs = np.maximum(t_obs, 1e-6)
    r = x + rng.normal(0.0, risk_noise, n)
    if risk_kind == "float":
        r = np.round(r, 6)
    elif risk_kind == "coarse":  # 2 decimals -> ties
        r = np.round(r, 1)
    elif isinstance(risk_kind, tuple) and risk_kind[0] == "int":
        lo_, hi_ = risk_kind[1], risk_kind[2]
        z = (r - r.mean()) / r.std()
        r = np.clip(np.round((z + 2.0) / 4.0 * (hi_ - lo_) + lo_), lo_, hi_)
    return t_obs, ev.astype(int), r


def main():
    rng = np.random.default_rng(SEED)
    cases = []

    # ---- published check vector ------------------------------------------
    P = PUBLISHED
    c = make_case("published_check_vector", P["time"], P["event"], P["risk"], P["times"])
    print("published check vector:")
    print("  auc      =", c["auc"])
    print("  expected =", P["expected_auc"])
    print("  mean_auc =", c["mean_auc"], " expected", P["expected_mean"])
    assert np.allclose(c["auc"], P["expected_auc"], atol=5e-7), c["auc"]
    assert abs(c["mean_auc"] - P["expected_mean"]) < 5e-7
    cases.append(c)
    # single time point: mean_auc == auc[0]
    cases.append(make_case("published_single_time_90", P["time"], P["event"], P["risk"], [90]))
    # off-grid times (not equal to any observed time), and time == min observed time
    cases.append(make_case("published_offgrid_times", P["time"], P["event"], P["risk"], [30, 52.5, 99.9, 149.0]))

    # ---- small hand edge cases ---------------------------------------------
    # no censoring at all (G == 1 everywhere)
    cases.append(make_case("hand_no_censoring", [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1],
                           [0.9, 0.1, 0.8, 0.3, 0.2, 0.4], [2, 4]))
    # event and censoring tied at the same time, scores all tied -> 0.5
    cases.append(make_case("hand_all_risk_tied", [1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 0],
                           [1.0] * 6, [2, 3]))
    # near-ties within tied_tol=1e-8, chained (0, 6e-9, 1.2e-8 are one tie group
    # although 0 and 1.2e-8 differ by more than 1e-8)
    cases.append(make_case("edge_tied_tol_chain", [1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 0, 1, 1, 0, 1, 0],
                           [0.5, 0.5 + 6e-9, 0.5 + 1.2e-8, 0.3, 0.7, 0.5, 0.1, 0.5 - 5e-9], [2.5, 4.5]))

    # ---- random cases ------------------------------------------------------
    QS = [0.1, 0.25, 0.4, 0.55, 0.7, 0.8]
    specs = [
        # name, n, cens_rate, int_times, risk_kind, offgrid
        ("rand_n30_int_times_cens30_float_risk", 30, 0.3, 10, "float", False),
        ("rand_n30_int_times_cens50_int_risk", 30, 0.5, 8, ("int", 0, 5), False),
        ("rand_n30_float_times_nocens", 30, 0.0, None, "float", True),
        ("rand_n200_int_times_cens20_coarse_risk", 200, 0.2, 20, "coarse", False),
        ("rand_n200_int_times_cens50_int_risk", 200, 0.5, 30, ("int", 0, 5), False),
        ("rand_n200_float_times_cens80", 200, 0.8, None, "float", True),
        ("rand_n200_int_times_cens80_int_risk", 200, 0.8, 15, ("int", 0, 10), False),
        ("rand_n2000_int_times_cens10_float_risk", 2000, 0.1, 365, "float", False),
        ("rand_n2000_int_times_cens40_int_risk", 2000, 0.4, 50, ("int", 0, 10), False),
        ("rand_n2000_int_times_cens60_coarse_risk", 2000, 0.6, 100, "coarse", True),
        ("rand_n2000_float_times_cens30_float_risk", 2000, 0.3, None, "float", True),
    ]
    for name, n, cr, it, rk, off in specs:
        for attempt in range(50):
            t, e, r = simulate(rng, n, cr, it, rk)
            times = pick_times(t, e, QS, offgrid=off)
            if len(times) == 0:
                continue
            try:
                cases.append(make_case(name, t, e, r, times))
                break
            except ValueError as ex:  # e.g. G == 0 at an event time; redraw
                print(f"  {name}: attempt {attempt} rejected: {ex}")
        else:
            raise RuntimeError(f"could not generate {name}")

    out = {
        "generator": "tests/oracle/gen_cdauc.py (sksurv.metrics.cumulative_dynamic_auc, train=test, "
        "tied_tol=1e-8, numpy seed %d)" % SEED,
        "sksurv_version": sksurv.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    for c in cases:
        cens = 1 - np.mean(c["event"])
        print(f"{c['name']:42s} n={len(c['time']):5d} cens={cens:.2f} "
              f"distinct_risk={len(set(c['risk'])):5d} times={len(c['times'])} mean_auc={c['mean_auc']:.6f}")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
