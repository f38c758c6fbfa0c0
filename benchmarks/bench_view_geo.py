"""Benchmark: chapter 4's panels, control change -> finished PNG (`distlab.view.geo`).

Prints ``bench view_geo_<panel>_median_ms`` and ``..._p95_ms`` (budget: median < 100 ms, p95 < 150 ms
idle). The value lists revisit settings, as a learner dragging a slider back and forth does, and the
panels remember their runs, so these lines include cache hits; the ``..._first_visit_*`` lines clear
the panel's cache before every change (a setting never seen before: its simulation runs too).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from besttime import print_panel_timings
from distlab.view import geo as gv
from distlab.view.geo import cassandra, clocks, conflicts, crdts, pbs, placement, quorums, systems


def _nothing() -> None:
    """The chooser and the world map compute nothing worth caching."""


def _clear_options() -> None:
    """The three options are built from the placement runs and the multi-writer run, each memoised."""
    placement._run.cache_clear()
    placement._multi.cache_clear()


PANELS = [
    ("world", gv.world_panel, "around", ["tokyo", "sydney", "ireland", "virginia", "saopaulo", "oregon"] * 3,
     _nothing),
    ("placement", gv.placement_panel, "client", ["tokyo", "ireland", "virginia", "oregon", "sydney"] * 3,
     placement._run.cache_clear),
    ("options", gv.options_panel, "leader", ["virginia", "tokyo", "sydney", "oregon", "ireland"] * 3,
     _clear_options),
    ("dynamo", gv.dynamo_panel, "r", [1, 2, 3, 2, 1, 3] * 3, quorums._run.cache_clear),
    ("pbs", gv.pbs_panel, "t_ms", [0.0, 5.0, 10.0, 20.0, 50.0, 100.0, 2.0, 1.0] * 2, pbs.pbs_curve.cache_clear),
    ("conflicts", gv.conflicts_panel, "skew", [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] * 2, conflicts._run.cache_clear),
    ("crdt", gv.crdt_panel, "kind", list(crdts.KINDS) * 2, crdts._run.cache_clear),
    ("clocks", gv.clocks_panel, "skew", [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] * 2, clocks._run.cache_clear),
    ("spanner", gv.spanner_panel, "epsilon_ms", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0] * 2,
     systems._spanner.cache_clear),
    ("cockroach", gv.cockroach_panel, "max_offset_ms", [1.0, 5.0, 20.0, 100.0, 250.0, 500.0] * 2,
     systems._cockroach.cache_clear),
    ("cassandra", gv.cassandra_panel, "read_level", ["ONE", "QUORUM", "LOCAL_QUORUM", "EACH_QUORUM", "ALL"] * 2,
     cassandra._run.cache_clear),
    ("chooser", gv.chooser_panel, "write_budget_ms", [10.0, 50.0, 100.0, 200.0, 300.0, 500.0] * 2, _nothing),
]


def main() -> None:
    for name, make, control, values, clear in PANELS:
        print_panel_timings(f"view_geo_{name}", make, control, values, clear)


if __name__ == "__main__":
    main()
