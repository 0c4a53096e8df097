"""PM4Py reads dealsim's exports and counts what dealsim counted (issue 7, acceptance 2).

Usage: python pm4py_check.py LOG.xes LOG.csv STATS.json

STATS.json is what `dealsim export --json` printed: the numbers of cases and events and the
start/end activity counts. The XES file is read with `pm4py.read_xes`, the CSV with pandas
and `pm4py.format_dataframe` (PM4Py's column conventions); for each, the cases, events and
`pm4py.get_start_activities` / `get_end_activities` must equal dealsim's. Exits 1 with the
differences on any mismatch. Run by .ci/run in a venv with a pinned pm4py.
"""

import json
import sys

import pandas as pd
import pm4py


def counts(df):
    return {
        "cases": int(df["case:concept:name"].nunique()),
        "events": int(len(df)),
        "start_activities": {k: int(v) for k, v in pm4py.get_start_activities(df).items()},
        "end_activities": {k: int(v) for k, v in pm4py.get_end_activities(df).items()},
    }


def main():
    xes_path, csv_path, stats_path = sys.argv[1:4]
    with open(stats_path) as f:
        stats = json.load(f)
    want = {k: stats[k] for k in ("cases", "events", "start_activities", "end_activities")}
    if want["cases"] == 0 or want["events"] == 0:
        sys.exit(f"dealsim reported an empty log: {want}")

    xes = pm4py.read_xes(xes_path)
    raw = pd.read_csv(csv_path, dtype={"case:concept:name": str})
    csv = pm4py.format_dataframe(
        raw,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    failed = False
    for name, df in (("XES", xes), ("CSV", csv)):
        got = counts(df)
        for key, value in want.items():
            if got[key] != value:
                failed = True
                print(f"MISMATCH {name} {key}: pm4py {got[key]} != dealsim {value}", file=sys.stderr)
        print(
            f"pm4py {pm4py.__version__} read the {name}: {got['cases']} cases, {got['events']} events, "
            f"{len(got['start_activities'])} start / {len(got['end_activities'])} end activities"
        )
    if failed:
        sys.exit(1)
    print("pm4py agrees with dealsim on cases, events, start and end activities")


if __name__ == "__main__":
    main()
