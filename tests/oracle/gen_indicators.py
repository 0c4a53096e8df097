#!/usr/bin/env python3
"""Generate tests/oracle/indicator_log/: a small simulated log and every indicator value on it.

What: `dealsim simulate --deals 400` (the embedded default scenario and seed) writes a log of
about 380 deals over 18 months, new-year holidays included; it is kept gzipped as
events.csv.gz and deals.csv.gz. The independent pandas/numpy implementation of the 14
default indicators in benches/whole_job_python.py (written from the indicator semantics,
not from the Rust code) evaluates them at landmarks 7, 14, ..., 168 days among the deals
at risk, and expected.json.gz records, per landmark, the case ids at risk and each
indicator's value as float32 bits (so NaN and the last bit compare exactly).

Why: the benchmark script holds dealsim's panel bitwise equal to that implementation on a
million deals, but needs Python and minutes; this fixture brings the same check into
`cargo test` (tests/oracle_indicators.rs) for every indicator on a log small enough to
commit. The log is data: later changes to the simulator do not change it.

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_indicators.py   (needs cargo, numpy,
pandas; run from anywhere)
"""
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "oracle" / "indicator_log"
DEALS = 400

sys.path.insert(0, str(ROOT / "benches"))
import whole_job_python as wj  # noqa: E402


def expected(deals, events):
    """The 14 default indicators on the log (as wj.read_inputs reads it) at wj.LANDMARKS: their
    names, per landmark the case ids at risk and each indicator's values as float32 bits, and
    the number of missing values."""
    spec, seg_maps = wj.load_scenario(ROOT / "scenarios" / "default.toml")
    indicators = tomllib.loads((ROOT / "scenarios" / "indicators.toml").read_text())["indicator"]
    panel = wj.evaluate(deals, events, spec, seg_maps, indicators)
    case_ids = deals["case_id"].to_numpy()
    names = [ind["name"] for ind in indicators]
    landmarks = []
    for k, day in enumerate(wj.LANDMARKS):
        rows = np.flatnonzero(panel["rk"] == k)
        landmarks.append({
            "day": day,
            "case_ids": [int(c) for c in case_ids[panel["rc"][rows]]],
            "values": {n: [int(b) for b in panel["values"][n][rows].astype(np.float32).view(np.uint32)]
                       for n in names},
        })
    nan = sum(int(np.isnan(panel["values"][n]).sum()) for n in names)
    return names, landmarks, nan


def main():
    with tempfile.TemporaryDirectory() as tmp:
        sim = Path(tmp)
        subprocess.run(["cargo", "run", "--release", "--quiet", "--", "simulate", "--deals", str(DEALS),
                        "--quiet", "--out", str(sim)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        OUT.mkdir(parents=True, exist_ok=True)
        for name in ["events.csv", "deals.csv"]:
            with open(sim / name, "rb") as src, gzip.GzipFile(OUT / f"{name}.gz", "wb", 9, mtime=0) as dst:
                shutil.copyfileobj(src, dst)
        deals, events = wj.read_inputs(sim)

    names, landmarks, nan = expected(deals, events)
    out = {"generator": "tests/oracle/gen_indicators.py", "reference": "benches/whole_job_python.py",
           "python_version": sys.version.split()[0], "numpy_version": np.__version__,
           "pandas_version": pd.__version__, "deals": len(deals), "events": len(events),
           "indicators": names, "landmarks": landmarks}
    with gzip.GzipFile(OUT / "expected.json.gz", "wb", 9, mtime=0) as f:
        f.write(json.dumps(out, separators=(",", ":")).encode())
    rows = sum(len(lm["case_ids"]) for lm in landmarks)
    print(f"{len(deals)} deals, {len(events)} events, {rows} risk-set rows x {len(names)} indicators "
          f"({nan} missing values) -> {OUT}")


if __name__ == "__main__":
    main()
