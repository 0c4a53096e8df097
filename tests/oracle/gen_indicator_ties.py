#!/usr/bin/env python3
"""Generate tests/oracle/indicator_ties/: the indicator log with closes and events placed
exactly at landmark moments, and every indicator value on it.

What: tests/oracle/indicator_log/ (a simulated log, see gen_indicators.py) edited so that the
risk-set and history boundaries are exercised: for every third deal that closed (by its
position), the close and the events recording it move back to exactly `created + L` days,
L the last landmark before the close with no other event of the deal after it; for every
third deal from the second, a rep email at exactly `created + L` (L = 7 ... 42); for every
third from the third, a client reply there. The independent pandas/numpy implementation in
benches/whole_job_python.py then evaluates the 14 default indicators at landmarks 7 ... 168
and expected.json.gz records the deals at risk and every value as float32 bits.

Why: at landmark L a deal closing exactly at `created + L` is still at risk, and an event at
that moment is not yet known (dealsim's convention, matching `cut` and `flag --as-of` the day
before for date-only data). The simulated log has no such ties, so this fixture is what
checks the convention for every indicator (tests/oracle_indicators.rs).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_indicator_ties.py   (numpy, pandas)
"""
import gzip
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import gen_indicators  # noqa: E402 (beside this script; it puts benches/ on the path)
import whole_job_python as wj  # noqa: E402

ROOT = gen_indicators.ROOT
SRC = ROOT / "tests" / "oracle" / "indicator_log"
OUT = ROOT / "tests" / "oracle" / "indicator_ties"
DAY = pd.Timedelta(days=1)
FMT = "%Y-%m-%dT%H:%M:%S"


def main():
    events = pd.read_csv(SRC / "events.csv.gz", dtype=str, keep_default_na=False)
    deals = pd.read_csv(SRC / "deals.csv.gz", dtype=str, keep_default_na=False)
    t = pd.to_datetime(events["timestamp"], format=FMT)
    added = []
    moved_closes = touches = 0
    for k, d in deals.iterrows():
        created = pd.to_datetime(d["created"], format=FMT)
        mine = events["case_id"] == d["case_id"]
        if k % 3 == 0 and d["closed"]:
            closed = pd.to_datetime(d["closed"], format=FMT)
            age = (closed - created) / DAY
            at_close = mine & (t == closed)
            others = t[mine & ~at_close]
            for L in range(168, 6, -7):
                moment = created + L * DAY
                if L < age and (others.empty or others.max() < moment):
                    deals.loc[k, "closed"] = moment.strftime(FMT)
                    events.loc[at_close, "timestamp"] = moment.strftime(FMT)
                    moved_closes += 1
                    break
        elif k % 3 in (1, 2):
            L = 7 * (1 + k % 6)
            moment = created + L * DAY
            closed = pd.to_datetime(d["closed"], format=FMT) if d["closed"] else None
            before = events[mine & (t < moment)]
            if (closed is None or closed > moment + DAY) and not before.empty:
                last = before.iloc[-1]
                rep = k % 3 == 1
                added.append({
                    "case_id": d["case_id"], "activity": "email" if rep else "client_reply",
                    "timestamp": moment.strftime(FMT), "resource": d["rep"] if rep else "client",
                    "segment": d["segment"], "stage": last["stage"], "step": last["step"],
                    "lifecycle": "complete", "card_field": "", "forecast_probability": "",
                    "expected_close": ""})
                touches += 1
    events = pd.concat([events, pd.DataFrame(added)], ignore_index=True)
    events["_case"] = events["case_id"].astype(np.int64)
    events["_t"] = pd.to_datetime(events["timestamp"], format=FMT)
    events = events.sort_values(["_case", "_t"], kind="stable").drop(columns=["_case", "_t"])
    OUT.mkdir(parents=True, exist_ok=True)
    for name, frame in [("events.csv", events), ("deals.csv", deals)]:
        with gzip.GzipFile(OUT / f"{name}.gz", "wb", 9, mtime=0) as f:
            f.write(frame.to_csv(index=False).encode())
    with tempfile.TemporaryDirectory() as tmp:
        events.to_csv(Path(tmp) / "events.csv", index=False)
        deals.to_csv(Path(tmp) / "deals.csv", index=False)
        d, e = wj.read_inputs(Path(tmp))
    names, landmarks, _ = gen_indicators.expected(d, e)
    out = {"generator": "tests/oracle/gen_indicator_ties.py", "reference": "benches/whole_job_python.py",
           "python_version": sys.version.split()[0], "numpy_version": np.__version__,
           "pandas_version": pd.__version__, "deals": len(d), "events": len(e),
           "closes_at_a_landmark": moved_closes, "events_at_a_landmark": touches,
           "indicators": names, "landmarks": landmarks}
    with gzip.GzipFile(OUT / "expected.json.gz", "wb", 9, mtime=0) as f:
        f.write(json.dumps(out, separators=(",", ":")).encode())
    print(f"{len(d)} deals, {len(e)} events: {moved_closes} closes and {touches} events moved or "
          f"added at a landmark moment -> {OUT}")


if __name__ == "__main__":
    main()
