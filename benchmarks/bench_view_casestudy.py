"""Benchmark: chapter 6's dashboard, one Player step -> finished PNG (`distlab.view.casestudy`).

Prints ``bench view_casestudy_dashboard_median_ms`` and ``..._p95_ms`` (budget: median < 100 ms,
p95 < 150 ms): the chapter's chaos run (the notebook's seed-0 schedule, `chaos_for`) replayed one
time bin at a time, forwards through every bin and back over a stretch, as a learner steps or plays
it. The run and its series are made once, before the timing; each step only moves artists and
re-rasterises the figure. Also
``view_casestudy_dashboard_first_frame_ms``: the series and the first frame (the figure built),
the run excluded. And ``view_casestudy_toggles_median_ms`` / ``_p95_ms``: the safeguard panel moving
from one safeguard to the next (its runs made once, before the timing). The dashboard freezes what
never moves into a picture on its first frame
(`distlab.view.casestudy_board`), so a step draws only the moving artists.
"""
from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

from distlab.view import casestudy as cv
from distlab.view.timing import measure_updates


def main() -> None:
    run = cv.chaos_run(seed=0)
    start = time.perf_counter()
    board = cv.dashboard(run)
    first_ms = (time.perf_counter() - start) * 1000.0
    bins = board.series.bins
    steps = [*range(1, bins), *range(bins - 2, bins // 2, -1)]
    timing = measure_updates(board.player.slider, steps, warmup=2)
    print(f"bench view_casestudy_dashboard_median_ms {timing['median_ms']:.2f} ms")
    print(f"bench view_casestudy_dashboard_p95_ms {timing['p95_ms']:.2f} ms")
    print(f"bench view_casestudy_dashboard_first_frame_ms {first_ms:.2f} ms")
    panel = cv.toggles_panel(seed=0)  # its eight runs are made here, before the timing
    menu = panel.controls["off"]
    choices = [*menu.options] * 5
    toggling = measure_updates(menu, choices, warmup=2)
    print(f"bench view_casestudy_toggles_median_ms {toggling['median_ms']:.2f} ms")
    print(f"bench view_casestudy_toggles_p95_ms {toggling['p95_ms']:.2f} ms")


if __name__ == "__main__":
    main()
