"""Benchmark: chapter 5's panels, control change -> finished PNG (`distlab.view.reliability`).

Prints ``bench view_reliability_<panel>_median_ms`` and ``..._p95_ms`` for the slider-driven panels
(budget 150 ms), and the same for the cascade-backed panels (bulkheads, shedding, retry storm), whose
sliders redraw on release because each change re-runs a cascade simulation.

The value lists revisit settings (a learner drags a slider back and forth), and the panels remember
the last few simulation results, so those lines include cache hits.  The ``..._first_visit_*``
lines empty every cache before each change: the cost of a setting never seen before.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from besttime import print_panel_timings
from distlab.view import reliability as rv
from distlab.view.reliability_axes import forget_all

FAST = [
    ("bucket", rv.bucket_panel, "rate", [3, 6, 9, 12, 15, 18, 21, 24, 27, 30] * 2),
    ("strategies", rv.strategies_panel, "amount", [5, 10, 15, 20, 25, 30, 35, 40] * 2),
    ("breaker", rv.breaker_panel, "threshold", [1, 3, 5, 7, 9, 11, 13, 15] * 2),
    ("backpressure", rv.backpressure_panel, "capacity", [10, 30, 50, 70, 90, 110, 130, 150] * 2),
    ("backoff", rv.backoff_panel, "clients", [20, 40, 60, 80, 100, 120, 140, 160, 180] * 2),
    ("chooser", rv.chooser_panel, "rps", [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6] * 2),
]
SLOW = [
    ("bulkheads", rv.bulkhead_panel, "bulkhead_size", [0, 2, 5, 10, 20, 5]),
    ("shedding", rv.shedding_panel, "shedding", [True, False, True, False, True]),
    ("storm", rv.storm_panel, "budget_tokens", [10, 0, 50, 0, 20]),
]


def main() -> None:
    for name, make, control, values in FAST + SLOW:
        print_panel_timings(f"view_reliability_{name}", make, control, values, forget_all)


if __name__ == "__main__":
    main()
