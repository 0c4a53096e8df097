#!/usr/bin/env python3
"""Generate tests/oracle/holm_cases.json: Holm's step-down adjusted p-values.

What: statsmodels.stats.multitest.multipletests(p, method="holm")[1] for families of
p-values: a hand case, ties, ones, zeros, a single test, the default run's enterprise steps,
and random families of 2 to 40 tests (uniform, and mixtures with tiny p-values). Each is
cross-checked against a direct implementation of Holm (1979) from the definition (sort,
multiply the k-th smallest by m - k, running maximum, cap at 1).

Why: dealsim adjusts the "lost deals take longer" tests of a segment's steps with Holm
before proposing deadlines (src/stats/holm.rs, src/tuning/deadlines.rs).

Usage:  /tmp/oracle-venv/bin/python tests/oracle/gen_holm.py
"""
import json
import os
import sys

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests

SEED = 20261129
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "holm_cases.json")


def by_definition(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: (p[i], i))
    out, running = [0.0] * m, 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        out[i] = running
    return out


def case(name, p):
    p = [float(x) for x in p]
    h = [float(x) for x in multipletests(p, method="holm")[1]]
    d = by_definition(p)
    assert all(abs(a - b) <= 1e-15 * max(b, 1e-300) for a, b in zip(h, d)), (name, h, d)
    return {"name": name, "p": p, "holm": h}


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        case("hand", [0.01, 0.04, 0.03, 0.005]),
        case("single", [0.3]),
        case("ties", [0.02, 0.02, 0.02, 0.5]),
        case("ones_and_zeros", [1.0, 0.0, 1.0, 0.0]),
        case("capped", [0.3, 0.4, 0.5]),
        # The default run's enterprise steps (deadlines.csv separation_p_value).
        case("enterprise_steps", [1e-40, 1e-90, 1e-30, 1e-12, 0.39896646949103187, 0.0020745293771409156,
                                  1e-8, 0.00012292486323743667, 1e-20, 0.0765529598729555,
                                  0.668530503105538, 0.0014163526261840897]),
    ]
    for i in range(6):
        m = int(rng.integers(2, 41))
        cases.append(case(f"uniform_{i}", rng.uniform(0, 1, m)))
    for i in range(4):
        m = int(rng.integers(5, 30))
        p = rng.uniform(0, 1, m)
        p[: m // 3] = 10.0 ** -rng.uniform(2, 60, m // 3)
        cases.append(case(f"mixture_{i}", p))
    out = {"generator": "tests/oracle/gen_holm.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "statsmodels_version": statsmodels.__version__,
           "cases": cases}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
