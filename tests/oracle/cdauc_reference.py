#!/usr/bin/env python3
"""Independent numpy re-implementation of sksurv.metrics.cumulative_dynamic_auc
(train == test, 1-D risk scores), written from CDAUC_ALGORITHM.md.

It deliberately does NOT use the trapezoid-over-ROC-points formulation of
sksurv; it uses the equivalent "tie-group" pair-counting formula, and builds
both Kaplan-Meier curves with explicit loops.  Running this file checks every
case of cdauc_cases.json against it (max abs error must be < 1e-12).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/cdauc_reference.py
(needs only numpy; sksurv is not imported)
"""
import json
import os
import sys

import numpy as np

TIED_TOL = 1e-8


def censoring_km_at_event_times(time, event):
    """G(T_i) for every sample (value only meaningful for events).

    Reverse Kaplan-Meier: at each distinct observed time u_k
      n_k = #{j : T_j >= u_k}           (everyone still under observation)
      d_k = #{j : T_j == u_k, event}     (events at u_k)
      c_k = #{j : T_j == u_k, censored}  (censorings at u_k)
      G(u_k) = prod_{l <= k} (1 - c_l / (n_l - d_l))   (factor 1 when c_l == 0)
    Events at a tied time leave the risk set before the censorings are counted.
    G is right-continuous: the weight of an event at T_i uses G(T_i), which
    already includes the censorings that happen at T_i itself.
    """
    uniq = np.unique(time)
    g = 1.0
    g_at = {}
    for u in uniq:
        n = int(np.sum(time >= u))
        at = time == u
        d = int(np.sum(at & event))
        c = int(np.sum(at & ~event))
        if c > 0:
            g *= 1.0 - c / (n - d)
        g_at[u] = g
    return np.array([g_at[t] for t in time])


def km_survival(time, event, t):
    """Ordinary KM S(t) = prod_{u_k <= t} (1 - d_k / n_k), right-continuous."""
    s = 1.0
    for u in np.unique(time):
        if u > t:
            break
        n = int(np.sum(time >= u))
        d = int(np.sum((time == u) & event))
        s *= 1.0 - d / n
    return s


def tie_groups(risk, tol=TIED_TOL):
    """Group id per sample: sort by risk descending; a sample starts a new group
    unless |risk - previous risk in sorted order| <= tol (chained).  Smaller id =
    higher risk."""
    order = np.argsort(-risk, kind="stable")
    r = risk[order]
    new_group = np.ones(len(r), dtype=bool)
    new_group[1:] = np.abs(np.diff(r)) > tol
    gid_sorted = np.cumsum(new_group) - 1
    gid = np.empty(len(r), dtype=int)
    gid[order] = gid_sorted
    return gid, gid_sorted[-1] + 1


def cdauc(time, event, risk, times):
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    risk = np.asarray(risk, dtype=float)
    times = np.unique(np.asarray(times, dtype=float))
    if times.max() >= time.max() or times.min() < time.min():
        raise ValueError("times outside [min T, max T)")

    G = censoring_km_at_event_times(time, event)
    if np.any(G[event] == 0.0):
        raise ValueError("censoring survival function is zero at an event time")
    w = np.where(event, 1.0 / np.where(event, G, 1.0), 0.0)

    gid, ng = tie_groups(risk)
    aucs = []
    for t in times:
        case = event & (time <= t)
        control = time > t
        W = np.bincount(gid, weights=w * case, minlength=ng)        # case weight per group
        C = np.bincount(gid, weights=control.astype(float), minlength=ng)  # control count per group
        # controls in strictly lower-risk groups (larger gid) + half of same group
        C_below = C[::-1].cumsum()[::-1] - C   # sum_{h > g} C_h
        num = np.sum(W * (C_below + 0.5 * C))
        aucs.append(num / (W.sum() * C.sum()))
    aucs = np.array(aucs)

    if len(times) == 1:
        mean = aucs[0]
    else:
        S = np.array([km_survival(time, event, t) for t in times])
        d = -np.diff(np.r_[1.0, S])
        mean = np.sum(aucs * d) / (1.0 - S[-1])
    return times, aucs, mean


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cdauc_cases.json")
    with open(path) as f:
        data = json.load(f)
    worst = 0.0
    for c in data["cases"]:
        times, aucs, mean = cdauc(c["time"], c["event"], c["risk"], c["times"])
        assert list(times) == c["times"], c["name"]
        err = max(np.max(np.abs(aucs - np.array(c["auc"]))), abs(mean - c["mean_auc"]))
        worst = max(worst, err)
        status = "ok" if err < 1e-12 else "MISMATCH"
        print(f"{c['name']:40s} n={len(c['time']):5d} k={len(times):2d} max_abs_err={err:.3e} {status}")
    print(f"worst abs error over {len(data['cases'])} cases: {worst:.3e}")
    if worst >= 1e-12:
        sys.exit(1)


if __name__ == "__main__":
    main()
