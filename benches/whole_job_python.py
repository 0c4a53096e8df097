#!/usr/bin/env python3
"""The whole point-scoring job in Python (numpy + pandas + scikit-learn) against dealsim.

    python3 benches/whole_job_python.py DEALS        (needs numpy, pandas, scikit-learn)

The job: for every deal, evaluate the 14 default indicators (scenarios/indicators.toml) at
landmark ages 7, 14, ..., 168 days among the deals at risk (created + d <= window end, not
closed by created + d), then the Mann-Whitney AUC (scikit-learn `roc_auc_score`) per
indicator x segment (and pooled "all") x landmark; known censoring (open deals left out),
at least 20 deals per class, oriented by the indicator's direction.

1. `dealsim simulate --deals DEALS` writes events.csv + deals.csv (not timed as part of the job).
2. dealsim's job is timed by `examples/panel_export.rs` (same scenario, deal count and seed,
   so the same deals, simulated in memory; evaluation + scoring are timed; each run after a
   sync, the fastest of three).
3. Python does the whole job from the CSV files, re-implementing the indicator semantics of
   src/indicators/evaluate.rs (f32 values, same rounding), and the AUCs are compared with the
   ones dealsim reports in panel.json.

Both sides see the same input: the engine records the rep's forecast in whole percent, as
events.csv holds it, so the in-memory log panel_export evaluates equals the files (tested in
tests/kept_log.rs) and every indicator is held to the exact-match claim.
"""
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

DAY = 86_400
LANDMARKS = list(range(7, 169, 7))
MIN_CLASS = 20


# ----------------------------------------------------------------------------------------
# Scenario: calendar, step deadlines, stage norms (src/scenario, src/indicators/stage_map.rs)
# ----------------------------------------------------------------------------------------
def dist_mean(d):
    k = d["dist"]
    if k == "lognormal":
        return float(np.exp(d["mu"] + d["sigma"] * d["sigma"] / 2.0))
    if k == "gamma":
        return d["shape"] * d["scale"]
    if k == "normal":
        return d["mean"]
    if k == "uniform":
        return (d["low"] + d["high"]) / 2.0
    if k == "exponential":
        return d["mean"]
    if k == "triangular":
        return (d["min"] + d["max"] + d["mode"]) / 3.0
    if k == "beta":
        return d["alpha"] / (d["alpha"] + d["beta"])
    if k == "constant":
        return d["value"]
    raise ValueError(k)


def load_scenario(path):
    spec = tomllib.loads(Path(path).read_text())
    maps = {m["name"]: m for m in spec["stage_maps"]}
    segments = {}
    for seg in spec["segments"]:
        pace = seg["pace"]
        m = maps[seg["stage_map"]]
        steps, norms, norms_working = [], {}, {}
        for si, stage in enumerate(m["stages"]):
            working = 0.0
            for st in stage["steps"]:
                frm = st.get("deadline_from")
                if frm is None:
                    frm = len(steps) - 1 if steps else None
                elif frm == "created":
                    frm = None
                else:
                    frm = [s["name"] for s in steps].index(frm)
                skip = st.get("skip_probability", 0.0)
                steps.append({"name": st["name"], "deadline": st["deadline_days"] * pace, "from": frm})
                working += dist_mean(st["duration"]) * pace * (1.0 - skip)
            norms[stage["name"]] = np.float32(max(working * 7.0 / 5.0, 1.0))
            norms_working[stage["name"]] = np.float32(max(working, 1.0))
        segments[seg["name"]] = {"steps": steps, "norms": norms, "norms_working": norms_working}
    return spec, segments


def daynum(y, m, d):
    return int((np.datetime64(f"{y:04d}-{m:02d}-{d:02d}") - np.datetime64("1970-01-01")).astype(int))


def build_calendar(spec, first, last):
    """(first day, before[], is_working[]) like src/calendar.rs Calendar::new."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    wd = np.array([n in spec["calendar"]["working_days"] for n in names])
    days = np.arange(first, last + 1)
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    mday = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    md = month * 100 + mday
    works = wd[(days + 3) % 7]
    for h in spec["calendar"].get("holidays", []):
        f = int(h["from"][:2]) * 100 + int(h["from"][3:])
        t = int(h["to"][:2]) * 100 + int(h["to"][3:])
        inside = (md >= f) & (md <= t) if f <= t else (md >= f) | (md <= t)
        works &= ~inside
    before = np.concatenate([[0], np.cumsum(works)[:-1]]).astype(np.float64)
    return first, before, works


def working_time(cal, t):
    """Calendar::working_time for an int64 array of timestamps (seconds)."""
    first, before, works = cal
    day = t // DAY
    i = np.clip(day - first, 0, len(before) - 1)
    k = before[i]
    inside = (day - first >= 0) & (day - first < len(before))
    w = works[i] & inside
    secs = (t - day * DAY - 9 * 3600).astype(np.float64)
    return np.where(w, k + np.clip(secs / (9.0 * 3600.0), 0.0, 1.0), k)


WORKDAY = 9 * 3600


def working_seconds(cal, t):
    """Calendar::working_seconds: working time in whole seconds (9 h per working day)."""
    first, before, works = cal
    day = t // DAY
    i = np.clip(day - first, 0, len(before) - 1)
    inside = (day - first >= 0) & (day - first < len(before))
    within = np.clip(t - day * DAY - 9 * 3600, 0, WORKDAY)
    return before[i].astype(np.int64) * WORKDAY + np.where(works[i] & inside, within, 0)


def days32(seconds):
    return (seconds.astype(np.float64) / float(DAY)).astype(np.float32)


# ----------------------------------------------------------------------------------------
# The Python job
# ----------------------------------------------------------------------------------------
def read_inputs(sim_dir):
    deals = pd.read_csv(
        sim_dir / "deals.csv",
        usecols=["case_id", "segment", "value", "created", "closed", "outcome"],
        dtype={"case_id": np.int64, "segment": "category", "value": np.float64, "outcome": "category"},
    )
    events = pd.read_csv(
        sim_dir / "events.csv",
        usecols=["case_id", "activity", "timestamp", "resource", "stage", "lifecycle",
                 "card_field", "forecast_probability", "expected_close"],
        dtype={"case_id": np.int64, "activity": "category", "resource": "category", "stage": "category",
               "lifecycle": "category", "card_field": "category", "forecast_probability": np.float64,
               "expected_close": "category"},
    )
    return deals, events


def ts(col):
    return pd.to_datetime(col, format="%Y-%m-%dT%H:%M:%S").to_numpy().astype("datetime64[s]").astype(np.int64)


def evaluate(deals, events, spec, seg_maps, indicators):
    # --- deals ---
    D = len(deals)
    case_ids = deals["case_id"].to_numpy()
    order_ok = np.all(np.diff(case_ids) > 0)
    assert order_ok, "deals.csv is expected in case_id order"
    created = ts(deals["created"])
    closed_col = deals["closed"]
    has_closed = closed_col.notna().to_numpy()
    closed = np.full(D, np.iinfo(np.int64).max, dtype=np.int64)
    closed[has_closed] = ts(closed_col[has_closed])
    outcome = deals["outcome"].astype(str).to_numpy()
    label = np.where(outcome == "lost", 1, np.where(outcome == "won", 0, -1)).astype(np.int8)
    seg_names = list(dict.fromkeys(deals["segment"].astype(str)))  # order of first appearance
    deal_seg = pd.Categorical(deals["segment"].astype(str), categories=seg_names).codes.astype(np.int16)
    value = deals["value"].to_numpy().astype(np.float32)

    # --- events (already grouped by case and time-ordered within a case) ---
    ci = np.searchsorted(case_ids, events["case_id"].to_numpy())
    N = len(ci)
    t = ts(events["timestamp"])
    t0 = int(min(t.min(), created.min()))
    S = np.int64(1) << 40
    key = ci.astype(np.int64) * S + (t - t0)
    assert np.all(np.diff(key) >= 0), "events.csv is expected grouped by case, in time order"
    start = np.searchsorted(ci, np.arange(D), side="left")
    idx = np.arange(N, dtype=np.int32 if N < 2**31 - 1 else np.int64)

    act = events["activity"]
    act_codes = act.cat.codes.to_numpy()
    act_cats = list(act.cat.categories)

    def is_act(*names):
        lut = np.zeros(len(act_cats) + 1, dtype=bool)  # last slot: missing activity (code -1)
        for n in names:
            if n in act_cats:
                lut[act_cats.index(n)] = True
        return lut[act_codes]

    def event_filter(m):
        """Events matching a measure's `activities` (any, if empty) and `resource` filters."""
        mask = np.ones(N, dtype=bool)
        if m.get("activities"):
            mask &= is_act(*m["activities"])
        if m.get("resource"):
            r = m["resource"]
            mask &= res_codes == (res_cats.index(r) if r in res_cats else -2)
        return mask

    lc = events["lifecycle"]
    lc_codes = lc.cat.codes.to_numpy()
    lc_cats = list(lc.cat.categories)
    is_start = lc_codes == (lc_cats.index("start") if "start" in lc_cats else -2)
    is_complete = lc_codes == (lc_cats.index("complete") if "complete" in lc_cats else -2)

    # --- risk set rows (deal, landmark) ---
    window_end = (daynum(*map(int, spec["window"]["end"].split("-"))) + 1) * DAY
    L = np.array(LANDMARKS, dtype=np.int64)
    now_all = created[:, None] + L[None, :] * DAY
    at_risk = (now_all <= window_end) & ~(closed[:, None] < now_all)
    rk, rc = np.nonzero(at_risk.T)  # landmark-major, deals ascending
    now = now_all[rc, rk]
    R = len(rc)
    # prefix end (exclusive) of each row's events: time < now (what happens at the landmark's
    # moment is not yet known, as a deal closing then is still at risk)
    end = np.searchsorted(key, rc.astype(np.int64) * S + (now - t0), side="left")
    st = start[rc]

    def cum(mask_or_vals):
        return np.concatenate([[0], np.cumsum(mask_or_vals)])

    def count(mask):
        c = cum(mask.astype(np.int32 if N < 2**31 - 1 else np.int64))
        return c[end] - c[st]

    def last_index(mask):
        """Index of the last event with mask among the row's prefix, or -1."""
        acc = np.maximum.accumulate(np.where(mask, idx, -1))
        li = np.where(end > 0, acc[np.maximum(end - 1, 0)], -1)
        return np.where(li >= st, li, -1)

    INF = np.iinfo(np.int64).max

    def first_time(mask):
        """Per deal: time of the first event with mask (INF if none)."""
        out = np.full(D, INF, dtype=np.int64)
        ii = np.nonzero(mask)[0]
        c = ci[ii]
        first = np.concatenate([[True], c[1:] != c[:-1]])  # events are grouped by case
        out[c[first]] = t[ii[first]]
        return out

    # --- calendar ---
    last_day = int(max(t.max(), window_end) // DAY)
    cal = build_calendar(spec, int(created.min() // DAY) - 7, last_day + 400)
    created_w = working_time(cal, created)
    now_w = working_time(cal, now)

    values = {}
    resource = events["resource"]
    res_codes = resource.cat.codes.to_numpy()
    res_cats = list(resource.cat.categories)
    for ind in indicators:
        m = ind["measure"]
        kind = m["kind"]
        name = ind["name"]
        if kind == "days_between":
            assert m["from"] == "created"
            fc = first_time(is_act(m["to"]) & is_complete)
            if m.get("working_days", False):
                # Working days on the scenario calendar: the completion's working time once per
                # deal, creation's and the landmark's as for the deadlines; f64, then f32.
                fcw = np.full(D, np.nan)
                ok = fc != INF
                fcw[ok] = working_time(cal, fc[ok])
                sent = fc[rc] < now
                v = np.where(sent, fcw[rc], now_w) - created_w[rc]
                values[name] = v.astype(np.float32)
            else:
                fc = fc[rc]
                v = np.where(fc < now, fc - created[rc], now - created[rc])
                values[name] = days32(v)
        elif kind == "card_completeness":
            cf = events["card_field"]
            has = cf.notna().to_numpy()
            ii = np.nonzero(has)[0]
            k2 = ci[ii].astype(np.int64) * 64 + cf.cat.codes.to_numpy()[ii]
            _, first = np.unique(k2, return_index=True)
            new = np.zeros(N, dtype=bool)
            new[ii[first]] = True
            n = count(new).astype(np.float32)
            values[name] = np.minimum(n / np.float32(m.get("out_of", len(spec["card"]["fields"]))), np.float32(1.0))
        elif kind == "step_done":
            fc = first_time(is_act(m["step"]) & is_complete)[rc]
            values[name] = (fc < now).astype(np.float32)
        elif kind in ("overdue_steps", "on_time_ratio"):
            if "_deadlines" not in values:
                values["_deadlines"] = deadlines(seg_maps, seg_names, deal_seg, rc, now, now_w, created_w,
                                                 first_time, is_act, is_complete, cal, D)
            due, on_time, overdue, has_map = values["_deadlines"]
            if kind == "overdue_steps":
                values[name] = np.where(has_map, overdue.astype(np.float32), np.float32(np.nan))
            else:
                r = np.where(due == 0, np.float32(1.0),
                             on_time.astype(np.float32) / np.maximum(due, 1).astype(np.float32))
                values[name] = np.where(has_map, r, np.float32(np.nan)).astype(np.float32)
        elif kind == "stage_age_vs_norm":
            stage = events["stage"]
            sc = stage.cat.codes.to_numpy()
            has = sc >= 0
            ii = np.nonzero(has)[0]
            same_case = np.concatenate([[False], ci[ii][1:] == ci[ii][:-1]])
            same_stage = np.concatenate([[False], sc[ii][1:] == sc[ii][:-1]])
            change = np.zeros(N, dtype=bool)
            change[ii] = ~(same_case & same_stage)
            li = last_index(change)
            working = m.get("working_days", False)
            key = "norms_working" if working else "norms"
            table = np.full((len(seg_names), len(stage.cat.categories)), np.nan, dtype=np.float32)
            for g, sn in enumerate(seg_names):
                if sn in seg_maps:
                    for j, stn in enumerate(stage.cat.categories):
                        table[g, j] = seg_maps[sn][key].get(stn, np.nan)
            ok = li >= 0
            norm = np.full(R, np.nan, dtype=np.float32)
            norm[ok] = table[deal_seg[rc[ok]], sc[li[ok]]]
            entered = np.where(ok, t[np.maximum(li, 0)], created[rc])
            if working:
                # Working seconds in the stage, as working days (f64, then f32), over the
                # working-day norm.
                ws = working_seconds(cal, now) - working_seconds(cal, entered)
                in_stage = (ws.astype(np.float64) / float(WORKDAY)).astype(np.float32)
            else:
                in_stage = days32(now - entered)
            with np.errstate(invalid="ignore"):
                values[name] = (in_stage / norm).astype(np.float32)
        elif kind == "days_since_last":
            mask = event_filter(m)
            li = last_index(mask)
            if m.get("working_days", False):
                # Working seconds since the last event (creation if none), as dealsim counts.
                last = np.where(li >= 0, t[np.maximum(li, 0)], created[rc])
                ws = working_seconds(cal, now) - working_seconds(cal, last)
                values[name] = (ws.astype(np.float64) / float(WORKDAY)).astype(np.float32)
            else:
                last = np.where(li >= 0, t[np.maximum(li, 0)], created[rc])
                values[name] = days32(now - last)
        elif kind == "reply_latency":
            touch = is_act(*m["touches"])
            reply = is_act(m["reply"])
            rel = np.nonzero(touch | reply)[0]
            rci = ci[rel]
            rtouch = touch[rel]
            prev_same = np.concatenate([[False], rci[1:] == rci[:-1]])
            prev_touch = np.concatenate([[False], rtouch[:-1]]) & prev_same
            first_touch_r = rtouch & ~prev_touch  # first unanswered touch
            ft = np.zeros(N, dtype=bool)
            ft[rel[first_touch_r]] = True
            acc_ft = np.maximum.accumulate(np.where(ft, idx, -1))
            closing_r = ~rtouch & prev_touch  # a reply with a pending touch
            closing = rel[closing_r]
            ncl = np.zeros(N, dtype=np.int64)
            ncl[closing] = 1
            n_done = count(ncl.astype(bool))
            lr = last_index(touch | reply)
            pending = (lr >= 0) & touch[np.maximum(lr, 0)]
            a_idx = acc_ft[np.maximum(lr, 0)]
            # Waits in seconds, or in working seconds (whole numbers either way: exact sums).
            working = m.get("working_days", False)

            def clock(x):
                return working_seconds(cal, x) if working else x

            contrib = np.zeros(N, dtype=np.int64)
            contrib[closing] = clock(t[closing]) - clock(t[acc_ft[closing]])
            cs = cum(contrib)
            s_done = cs[end] - cs[st]
            pend = np.where(pending, clock(now) - clock(t[a_idx]), 0)
            per_day = float(WORKDAY if working else DAY)
            n = n_done + pending
            with np.errstate(invalid="ignore", divide="ignore"):
                v = (s_done + pend).astype(np.float64) / n.astype(np.float64) / per_day
            values[name] = np.where(n == 0, 0.0, v).astype(np.float32)
        elif kind == "count":
            mask = event_filter(m)
            values[name] = count(mask).astype(np.float32)
        elif kind == "close_date_pushes":
            ec = events["expected_close"]
            has = ec.notna().to_numpy()
            ii = np.nonzero(has)[0]
            cats = pd.to_datetime(pd.Series(ec.cat.categories), format="%Y-%m-%d").to_numpy().astype(
                "datetime64[D]").astype(np.int64)
            day = cats[ec.cat.codes.to_numpy()[ii]]
            same_case = np.concatenate([[False], ci[ii][1:] == ci[ii][:-1]])
            later = np.concatenate([[False], day[1:] > day[:-1]])
            push = np.zeros(N, dtype=bool)
            push[ii] = same_case & later
            values[name] = count(push).astype(np.float32)
        elif kind == "last_value":
            fp = events["forecast_probability"].to_numpy()
            li = last_index(~np.isnan(fp))
            values[name] = np.where(li >= 0, fp[np.maximum(li, 0)], np.nan).astype(np.float32)
        elif kind == "step_wait":
            s = first_time(is_act(m["step"]) & is_start)[rc]
            c = first_time(is_act(m["step"]) & is_complete)[rc]
            running = (s < now) & ~(c < now)
            values[name] = np.where(running, days32(now - np.where(running, s, now)), np.float32(np.nan))
        elif kind == "step_duration":
            s = first_time(is_act(m["step"]) & is_start)[rc]
            c = first_time(is_act(m["step"]) & is_complete)[rc]
            v = np.where(c < now, c - np.minimum(s, c), now - np.minimum(s, now))
            values[name] = np.where(s < now, days32(v), np.float32(np.nan))
        elif kind == "deal_value":
            values[name] = value[rc]
        else:
            raise NotImplementedError(kind)
    values.pop("_deadlines", None)
    return {"rk": rk, "rc": rc, "label": label[rc], "seg": deal_seg[rc], "segments": seg_names,
            "values": values}


def deadlines(seg_maps, seg_names, deal_seg, rc, now, now_w, created_w, first_time, is_act, is_complete, cal, D):
    R = len(rc)
    due = np.zeros(R, dtype=np.int64)
    on_time = np.zeros(R, dtype=np.int64)
    overdue = np.zeros(R, dtype=np.int64)
    has_map = np.zeros(R, dtype=bool)
    cache = {}
    for g, sn in enumerate(seg_names):
        if sn not in seg_maps:
            continue
        rows = np.nonzero(deal_seg[rc] == g)[0]
        has_map[rows] = True
        steps = seg_maps[sn]["steps"]
        r_c = rc[rows]
        r_now = now[rows]
        r_now_w = now_w[rows]
        cw = created_w[r_c]
        done_w = []
        furthest = np.full(len(rows), -1)
        for j, s in enumerate(steps):
            if s["name"] not in cache:
                fc = first_time(is_act(s["name"]) & is_complete)
                fe = first_time(is_act(s["name"]))
                fcw = np.full(D, np.nan)
                ok = fc != np.iinfo(np.int64).max
                fcw[ok] = working_time(cal, fc[ok])
                cache[s["name"]] = (fc, fe, fcw)
            fc, fe, fcw = cache[s["name"]]
            done_w.append(np.where(fc[r_c] < r_now, fcw[r_c], np.nan))
            furthest = np.where(fe[r_c] < r_now, j, furthest)  # steps in order: max j
        # latest completion among steps 0..=f (or creation): the clock of a skipped step
        latest = []
        run = cw
        for dw in done_w:
            run = np.fmax(run, dw)
            latest.append(run)
        for j, s in enumerate(steps):
            f = s["from"]
            if f is None:
                clock = cw
            else:
                skipped = latest[f]
                clock = np.where(~np.isnan(done_w[f]), done_w[f],
                                 np.where(furthest > f, skipped, np.nan))
            deadline = clock + s["deadline"]
            with np.errstate(invalid="ignore"):
                is_due = deadline < r_now_w
                ok = done_w[j] <= deadline
            due[rows] += is_due
            on_time[rows] += is_due & ok
            overdue[rows] += is_due & ~ok
    return due, on_time, overdue, has_map


def score(panel, indicators):
    out = {}
    rk, lab, seg = panel["rk"], panel["label"], panel["seg"]
    bounds = np.searchsorted(rk, np.arange(len(LANDMARKS) + 1))
    segs = panel["segments"] + ["all"]
    for ind in indicators:
        sign = -1.0 if ind["direction"] == "higher_is_safer" else 1.0
        col = panel["values"][ind["name"]]
        for k, d in enumerate(LANDMARKS):
            a, b = bounds[k], bounds[k + 1]
            v, y, s = col[a:b], lab[a:b], seg[a:b]
            keep = (y >= 0) & ~np.isnan(v)
            for g, sn in enumerate(segs):
                sel = keep if sn == "all" else keep & (s == g)
                yy = y[sel]
                pos = int(yy.sum())
                if pos < MIN_CLASS or len(yy) - pos < MIN_CLASS:
                    continue
                out[(ind["name"], sn, d)] = roc_auc_score(yy, sign * v[sel].astype(np.float64))
    return out


def main():
    deals_n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    root = Path(__file__).resolve().parent.parent
    sim = root / "target" / "whole_job" / "sim"
    panel_dir = root / "target" / "whole_job" / "panel"
    t = time.perf_counter()
    subprocess.run(["cargo", "run", "--release", "--quiet", "--", "simulate", "--deals", str(deals_n),
                    "--quiet", "--out", str(sim)], cwd=root, check=True, stdout=subprocess.DEVNULL)
    print(f"simulate (CSV, not part of the job): {time.perf_counter() - t:.1f} s", flush=True)

    # The simulation has just written gigabytes of CSV, and each run below writes its
    # half-gigabyte panel.bin for the verification: let the kernel flush them before each
    # timed run, then take dealsim's fastest of three (the usual benchmark practice; each run
    # is a fresh process evaluating the same in-memory log).
    runs = []
    for _ in range(3):
        os.sync()
        p = subprocess.run(["cargo", "run", "--release", "--quiet", "--example", "panel_export", "--",
                            str(deals_n), str(panel_dir)], cwd=root, check=True, capture_output=True,
                           text=True)
        sys.stderr.write(p.stderr)
        mt = re.search(r"evaluate ([0-9.]+) s, evaluate \+ point scoring ([0-9.]+) s", p.stderr)
        runs.append((float(mt.group(2)), float(mt.group(1))))
    rust_total, rust_eval = min(runs)
    meta = json.loads((panel_dir / "panel.json").read_text())

    spec, seg_maps = load_scenario(root / "scenarios" / "default.toml")
    indicators = tomllib.loads((root / "scenarios" / "indicators.toml").read_text())["indicator"]

    t0 = time.perf_counter()
    deals, events = read_inputs(sim)
    t1 = time.perf_counter()
    panel = evaluate(deals, events, spec, seg_maps, indicators)
    t2 = time.perf_counter()
    aucs = score(panel, indicators)
    t3 = time.perf_counter()
    assert len(deals) == meta["deals"], f"deal counts differ: CSV {len(deals)}, panel {meta['deals']}"
    rows_py = np.bincount(panel["rk"], minlength=len(LANDMARKS)).tolist()
    print(f"deals: {len(deals)}, events: {len(events)}, risk-set rows: {len(panel['rk'])} "
          f"(same per landmark as dealsim: {rows_py == meta['rows_per_landmark']})")

    # --- verification 1: every evaluated value against dealsim's panel.bin (same rows) ---
    n_ind = len(meta["indicators"])
    row = np.dtype([("segment", "<u2"), ("label", "i1"), ("values", "<f4", (n_ind,))])
    rust = np.fromfile(panel_dir / "panel.bin", dtype=row)
    if rows_py == meta["rows_per_landmark"]:
        print(f"{'indicator':30s} {'values equal to dealsim (bitwise, NaN = NaN)':>45s}")
        for i, ind in enumerate(meta["indicators"]):
            r = rust["values"][:, i]
            mine = panel["values"][ind["name"]]
            same = (mine == r) | (np.isnan(mine) & np.isnan(r))
            print(f"{ind['name']:30s} {int(same.sum()):>12d} of {len(same)}")
    del rust

    # --- verification 2: AUCs against dealsim's panel.json ---
    per = {}
    for r in meta["scores"]:
        key = (r["indicator"], r["segment"], r["landmark_day"])
        e = per.setdefault(r["indicator"], {"n": 0, "match": 0, "max": 0.0, "missing": 0, "extra": 0})
        if r["auc"] is None:
            if key in aucs:
                e["extra"] += 1
            continue
        e["n"] += 1
        if key not in aucs:
            e["missing"] += 1
            continue
        diff = abs(aucs[key] - r["auc"])
        e["max"] = max(e["max"], diff)
        e["match"] += diff <= 1e-9
    print(f"{'indicator':30s} {'AUCs':>5s} {'match':>6s} {'max |diff|':>11s}  status")
    exact_all = True
    for name, e in per.items():
        ok = e["match"] == e["n"] and e["missing"] == 0 and e["extra"] == 0
        status = "exact" if ok else "DIFFERS"
        if not ok:
            exact_all = False
        extra = f" missing {e['missing']} extra {e['extra']}" if e["missing"] or e["extra"] else ""
        print(f"{name:30s} {e['n']:5d} {e['match']:6d} {e['max']:11.2e}  {status}{extra}")
    worst = max(e["max"] for e in per.values())
    print(f"max |dealsim - python| over all indicators: {worst:.2e}"
          f" -> {'all equal to 1e-9' if exact_all and worst <= 1e-9 else 'MISMATCH'}")

    py_read, py_eval, py_score = t1 - t0, t2 - t1, t3 - t2
    py_job = py_eval + py_score
    py_whole = py_read + py_job
    print(f"python: read CSV {py_read:.2f} s, evaluate {py_eval:.2f} s, sklearn AUCs {py_score:.2f} s "
          f"({len(aucs)} AUCs), single thread")
    print(f"dealsim: evaluate {rust_eval:.3f} s, evaluate + point scoring {rust_total:.3f} s "
          f"on {meta['rust_threads']} threads (in-memory log; fastest of "
          f"{', '.join(f'{t:.3f}' for t, _ in runs)} s)")
    print(f"ratio, whole job incl. CSV reading (python {py_whole:.2f} s / dealsim {rust_total:.3f} s): "
          f"{py_whole / rust_total:.1f}x")
    print(f"ratio, evaluation + scoring only (python {py_job:.2f} s / dealsim {rust_total:.3f} s): "
          f"{py_job / rust_total:.1f}x")
    if not exact_all:
        sys.exit(1)


if __name__ == "__main__":
    main()
