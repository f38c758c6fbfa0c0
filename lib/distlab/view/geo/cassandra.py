"""Chapter 4, section 7c: Cassandra's tunable consistency -- a level per request, two data centres.

`cassandra_panel` runs `distlab.geo.cassandra.run_cassandra` with three replicas in Virginia and
three in Ireland, clients in both, a consistency level for writes and one for reads, and optionally
a data centre down. It draws each data centre's median write and read latency (log scale: a local
quorum is a fraction of a millisecond, a cross-Atlantic one ~100 ms) beside how many requests were
answered and how many reads were stale. `level_table` lists which pairs of levels guarantee fresh reads.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from distlab.geo.cassandra import CassandraRun, run_cassandra
from distlab.geo.cassandra_levels import LEVELS, level_table as levels

from .. import style
from ..controls import choice_control, seed_control
from ..panel import Panel, panel_render, settings_of
from ..settings import seed_of
from .common import STYLE, log_ms_axis, outcome_bars, percent, remembered, wrapped_row
from .crdts import Table

__all__ = ["DATA_CENTRES", "cassandra_panel", "cassandra_title", "level_table", "render_cassandra"]

DATA_CENTRES = ("virginia", "ireland")
FAILED = ("none", *DATA_CENTRES)
FIGSIZE = (7.2, 3.8)
RECTS = [(0.09, 0.13, 0.46, 0.60), (0.66, 0.13, 0.32, 0.60)]
WRITE, READ = style.OKABE_ITO["blue"], style.OKABE_ITO["orange"]
LEGEND = [Patch(facecolor=WRITE, label="write"), Patch(facecolor=READ, label="read")]


def cassandra_panel(write_level: str = "LOCAL_QUORUM", read_level: str = "LOCAL_QUORUM", failed: str = "none",
                    seed: int = 0) -> Panel:
    """Menus for the write level, the read level and a data centre that is down."""
    return wrapped_row(render_cassandra, {
        "write_level": choice_control(LEVELS, write_level, name="write_level", description="writes at",
                                      style=STYLE),
        "read_level": choice_control(LEVELS, read_level, name="read_level", description="reads at", style=STYLE),
        "failed": choice_control(FAILED, failed, name="failed", description="data centre down", style=STYLE),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)


@remembered(maxsize=256)
def _run(write_level: str, read_level: str, failed: str, seed: int) -> CassandraRun:
    return run_cassandra(write_level=write_level, read_level=read_level, rf=tuple((dc, 3) for dc in DATA_CENTRES),
                         clients=DATA_CENTRES, failed=() if failed == "none" else (failed,), seed=seed,
                         ops_per_client=30)


def cassandra_title(run: CassandraRun) -> str:
    """The levels, whether they guarantee fresh reads across data centres, and what the run saw."""
    promise = ("every read is guaranteed to see every acknowledged write" if run.guaranteed
               else "a read is NOT guaranteed to see an acknowledged write")
    reads = sum(1 for r in run.records if r.f == "get" and r.status == "ok")
    down = f"; {run.failed[0]} down" if run.failed else ""
    writes = sum(1 for r in run.records if r.f == "put" and r.status == "ok")
    for count, what, level in ((reads, "read", run.read_level), (writes, "write", run.write_level)):
        if not count:  # a guarantee about nothing: say what failed instead
            why = f": {level} cannot gather its replicas with {run.failed[0]} down" if run.failed else ""
            return f"writes at {run.write_level}, reads at {run.read_level}{down}:\nno {what} was answered{why}"
    return (f"writes at {run.write_level}, reads at {run.read_level}{down}: {promise}\n"
            f"{run.stale_reads} of {reads} answered reads were stale")


def _latency(ax: Axes, run: CassandraRun) -> None:
    summary = run.summary()
    for i, dc in enumerate(DATA_CENTRES):
        for dx, f, color in ((-0.2, "write_latency_ms", WRITE), (0.2, "read_latency_ms", READ)):
            value = summary[f][dc][50]
            ax.bar([i + dx], [value if value is not None else math.nan], width=0.4, color=color)
            text = "none" if value is None else (f"{value:.1f}" if value < 10 else f"{value:.0f}")
            ax.text(i + dx, (value or 0.1) * 1.15, text, ha="center", va="bottom", fontsize=7)
    log_ms_axis(ax)
    ax.set_xlim(-0.6, len(DATA_CENTRES) - 0.4)
    ax.set_xticks(range(len(DATA_CENTRES)), list(DATA_CENTRES), fontsize=8)
    ax.set_ylabel("median latency (ms, log)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(handles=LEGEND, loc="upper left", fontsize=7, frameon=False, ncol=2)


def _outcomes(ax: Axes, run: CassandraRun) -> None:
    reads = sum(1 for r in run.records if r.f == "get" and r.status == "ok")
    outcome_bars(ax, percent(run.availability("put")), percent(run.availability("get")),
                 100.0 * run.stale_reads / reads if reads else math.nan)  # no answered read: "none"


@panel_render(defaults=settings_of(cassandra_panel))
def render_cassandra(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Latency per data centre and what was answered and stale, for ``write_level``, ``read_level``,
    ``failed`` (``"none"`` or a data centre) and ``seed``."""
    for name, options in (("write_level", LEVELS), ("read_level", LEVELS), ("failed", FAILED)):
        if config[name] not in options:
            raise ValueError(f"{name} must be one of {list(options)}, got {config[name]!r}")
    run = _run(config["write_level"], config["read_level"], config["failed"], seed_of(config))
    fig, (left, right) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    _latency(left, run)
    _outcomes(right, run)
    fig.suptitle(cassandra_title(run), fontsize=8, y=0.97)
    return fig


def level_table() -> Table:
    """Every (write, read) pair of levels with three replicas in each data centre: how many replicas
    each waits for, and whether a read is guaranteed fresh in the writer's data centre and in the other."""
    words = {True: "✓ fresh", False: "✗ may be stale", None: "-"}
    rows = [(row.write, row.read, str(row.write_acks), str(row.read_answers), words[row.same_dc], words[row.other_dc])
            for row in levels({dc: 3 for dc in DATA_CENTRES})]
    return Table(("write level", "read level", "write waits for", "read waits for", "read in the writer's DC",
                  "read in the other DC"), rows)
