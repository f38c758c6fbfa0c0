"""Benchmark: chapter 1's panels, control change -> finished PNG (`distlab.view.consistency`).

Prints ``bench view_consistency_<panel>_median_ms`` and ``..._p95_ms`` (budget 150 ms): the editable
timeline (classify on every move), the session stories, the store experiment (a simulator run plus
``classify`` of its history per change) and the chooser; and ``bench view_consistency_tradeoff_s``,
the five-policy sweep the notebook prints, at three seeds.
"""
from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

from distlab.view import consistency as cv
from distlab.view.timing import measure_updates

PANELS = [
    ("timeline", cv.timeline_panel, "read_start", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] * 2),
    ("timeline_result", cv.timeline_panel, "read_result", ["nothing", "1", "2"] * 4),
    ("scene", cv.scene_panel, "lag", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] * 2),
    ("store_lag", cv.store_panel, "lag_ms", [10.0, 50.0, 100.0, 200.0, 300.0, 400.0] * 2),
    ("store_policy", cv.store_panel, "policy", ["sticky", "token", "leader", "quorum", "any"] * 2),
    ("chooser", cv.chooser_panel, "own_writes", [True, False] * 6),
]


def main() -> None:
    for name, make, control, values in PANELS:
        panel = make()
        timing = measure_updates(panel.controls[control], values, warmup=2)
        print(f"bench view_consistency_{name}_median_ms {timing['median_ms']:.2f} ms")
        print(f"bench view_consistency_{name}_p95_ms {timing['p95_ms']:.2f} ms")
    start = time.perf_counter()
    cv.tradeoff(seeds=(0, 1, 2))
    print(f"bench view_consistency_tradeoff_s {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
