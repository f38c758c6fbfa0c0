"""Benchmark: time from a control change to a finished redraw (PNG ready) of a representative
panel -- the cluster drawing with a node-count slider 3..9, one leader and messages in flight.

Prints ``bench view_update_median_ms <v> ms`` and ``bench view_update_p95_ms <v> ms``
(goal: < 100 ms and < 150 ms).  Chapter benchmarks reuse `distlab.view.timing.measure_updates`.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from distlab.view.cluster_drawing import cluster_panel
from distlab.view.timing import measure_updates, percentile

SWEEPS = 8  # 8 sweeps up and down the slider: ~100 timed redraws


def slider_values(lo: int = 3, hi: int = 9, sweeps: int = SWEEPS) -> list[int]:
    """Drag the slider up and down: 3,4,...,9,8,...,3,4,... as a learner would."""
    up = list(range(lo, hi + 1))
    down = up[-2:0:-1]
    return (up + down) * sweeps + [lo]


def main() -> None:
    panel = cluster_panel(nodes=3, seed=1, fault="none")
    nodes = panel.controls["nodes"]
    result = measure_updates(nodes, slider_values(), warmup=3)
    # Also switch faults, so crashes, partitions and one-way arrows are timed too.
    faults = panel.controls["fault"]
    fault_cycle = ["crash", "partition", "one-way partition", "pause", "none"] * 4
    mixed = measure_updates(faults, fault_cycle, warmup=0)
    samples = result["samples_ms"] + mixed["samples_ms"]
    print(f"bench view_update_median_ms {percentile(samples, 50):.1f} ms")
    print(f"bench view_update_p95_ms {percentile(samples, 95):.1f} ms")
    print(f"bench view_update_samples {len(samples)} count")


if __name__ == "__main__":
    main()
