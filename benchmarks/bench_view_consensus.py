"""Benchmark: chapter 2's panels, control change -> finished PNG (`distlab.view.consensus`).

Prints ``bench view_consensus_<panel>_median_ms`` and ``..._p95_ms`` (budget 150 ms): the live
cluster's player (seek through recorded frames), its latency slider (rebuilds and re-records the
run from the seed, so it redraws on release), the split-vote panel (re-runs a 3 s cluster) and the
chooser; plus the headless cost of the notebook's heavier cells.
"""
from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

from distlab.view import consensus as cv
from distlab.view.timing import measure_updates


def _timed(name: str, fn) -> None:
    start = time.perf_counter()
    fn()
    print(f"bench view_consensus_{name}_s {time.perf_counter() - start:.3f} s")


def main() -> None:
    lab = cv.cluster_lab(seed=0)
    cases = [
        ("player_seek", lab.replay.player.slider, [5, 15, 25, 35, 45, 55, 65, 75, 85, 95] * 2),
        ("latency", lab.controls["latency_ms"], [5, 10, 20, 30, 40, 50, 40, 30, 20, 10, 5]),
        ("nodes", lab.controls["nodes"], [3, 5, 7, 5, 3, 5, 7, 5]),
    ]
    split = cv.split_panel(low=150, high=155)
    cases.append(("split_votes", split.controls["high"], [160, 200, 250, 300, 350, 300, 250, 200]))
    chooser = cv.chooser_panel()
    cases.append(("chooser", chooser.controls["writes_per_second"],
                  [10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e4, 100.0]))
    for name, control, values in cases:
        timing = measure_updates(control, values, warmup=2)
        print(f"bench view_consensus_{name}_median_ms {timing['median_ms']:.2f} ms")
        print(f"bench view_consensus_{name}_p95_ms {timing['p95_ms']:.2f} ms")
    counts = {}
    _timed("action_press", lambda: counts.setdefault("a", lab.press("request")))
    _timed("fig16_notebook_scale", lambda: cv.fig16_data(scale=0.05, seed=0))
    _timed("fencing_story", lambda: cv.fencing_story("", seed=0))


if __name__ == "__main__":
    main()
