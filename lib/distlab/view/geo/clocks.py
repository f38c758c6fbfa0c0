"""Chapter 4, section 7a: Lamport, vector and hybrid logical clocks on skewed physical clocks.

`clocks_panel` runs `distlab.geo.clocks_sim.run_clocks` (three nodes exchanging messages, each
node's clock off by the skew times a seeded number in [-1, 1], node A's optionally stepped back
halfway) and places every event at the timestamp the chosen clock gave it. A message drawn
backwards -- received at an earlier timestamp than it was sent -- is the failure; the bars count
those for all three clocks on the same run, and the title reads the same counts.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.geo.clocks_sim import ClockEvent, ClocksRun, run_clocks

from .. import style
from ..controls import choice_control, fraction_control, seed_control
from ..panel import Panel, panel_render, settings_of
from ..settings import real, seed_of
from .common import STYLE, remembered, sparse_y, wrapped_row

__all__ = ["CLOCKS", "backwards", "clocks_panel", "clocks_title", "render_clocks", "stamp"]

CLOCKS = ("physical", "Lamport", "HLC")
FIGSIZE = (7.2, 3.8)
RECTS = [(0.11, 0.14, 0.60, 0.62), (0.80, 0.14, 0.18, 0.62)]
FORWARD, BACKWARD = "#999999", style.BAD


def clocks_panel(clock: str = "physical", skew: float = 0.1, step_back: float = 0.0, seed: int = 0) -> Panel:
    """Which clock places the events, the clocks' skew and a step back of node A's clock."""
    return wrapped_row(render_clocks, {
        "clock": choice_control(CLOCKS, clock, name="clock", description="timestamps from", style=STYLE),
        "skew": fraction_control(skew, min=0.0, max=0.3, step=0.01, name="skew", description="clock skew (s)",
                                 style=STYLE),
        "step_back": fraction_control(step_back, min=0.0, max=0.5, step=0.05, name="step_back",
                                      description="A's clock stepped back (s)", style=STYLE),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)


@remembered(maxsize=512)
def _run(skew: float, step_back: float, seed: int) -> ClocksRun:
    return run_clocks(nodes=3, events=24, skew=skew, step_back=step_back, seed=seed)


def stamp(event: ClockEvent, clock: str) -> float:
    """Where ``clock`` puts ``event``: physical and HLC in ms (HLC's logical counter as a hair's
    breadth, 0.001 ms per tick, so equal walls keep their order), Lamport as its counter."""
    if clock == "physical":
        return event.physical / 1000.0
    if clock == "Lamport":
        return float(event.lamport)
    return event.hlc.wall / 1000.0 + event.hlc.logical / 1000.0


def backwards(run: ClocksRun, clock: str) -> list[tuple[ClockEvent, ClockEvent]]:
    """The messages whose receipt ``clock`` stamps no later than their send (a cause after its effect)."""
    if clock == "physical":
        return run.physical_inversions()
    if clock == "Lamport":
        return [(s, r) for s, r in run.messages() if not s.lamport < r.lamport]
    return [(s, r) for s, r in run.messages() if not s.hlc < r.hlc]


def clocks_title(run: ClocksRun, clock: str) -> str:
    """What ``clock`` got right and wrong on ``run`` (the counts the bars show)."""
    bad, sent = len(backwards(run, clock)), len(run.messages())
    head = f"{clock} timestamps: {bad} of {sent} messages received 'before' they were sent"
    if clock == "physical" and bad:
        return head + "\n(clocks disagree; one running behind stamps an effect before its cause)"
    if clock == "physical":
        return head + "\n(the clocks agree closely enough here: raise the skew and some will)"
    if clock == "Lamport":
        return head + f"\nbut it also orders {run.concurrent_pairs()} pairs of events that were concurrent"
    lead = max((e.hlc.wall - e.physical for e in run.events), default=0) / 1000.0
    spread = run.epsilon / 1000.0
    return head + (f"\nand it runs at most {lead:.0f} ms ahead of a node's clock: within the clocks' spread "
                   f"({spread:.0f} ms here, steps back included)")


def _events(ax: Axes, run: ClocksRun, clock: str) -> None:
    rows = {name: len(run.nodes) - 1 - i for i, name in enumerate(run.nodes)}
    bad = {(s.id, r.id) for s, r in backwards(run, clock)}
    for color, wanted in ((FORWARD, False), (BACKWARD, True)):
        xs: list[float] = []
        ys: list[float] = []
        for s, r in run.messages():
            if ((s.id, r.id) in bad) == wanted:
                xs += [stamp(s, clock), stamp(r, clock), float("nan")]
                ys += [rows[s.node], rows[r.node], float("nan")]
        ax.plot(xs, ys, color=color, lw=1.8 if wanted else 0.9, zorder=2)
    for kind, marker in (("local", "o"), ("send", "^"), ("receive", "v")):
        chosen = [e for e in run.events if e.kind == kind]
        ax.plot([stamp(e, clock) for e in chosen], [rows[e.node] for e in chosen], marker=marker, linestyle="none",
                color=style.OKABE_ITO["blue"], markersize=5, zorder=3, label=kind)
    values = [stamp(e, clock) for e in run.events]
    span = max(values) - min(values) or 1.0
    ax.set_xlim(min(values) - 0.04 * span, max(values) + 0.04 * span)
    ax.set_ylim(-0.5, len(run.nodes) - 0.5)
    ax.set_yticks(list(rows.values()), [f"node {n}" for n in rows], fontsize=8)
    unit = "Lamport counter" if clock == "Lamport" else "ms"
    ax.set_xlabel(f"timestamp ({unit}); a red line: a message received 'before' it was sent", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.18), ncol=3, fontsize=7, frameon=False)


def _compare(ax: Axes, run: ClocksRun, clock: str) -> None:
    counts = [len(backwards(run, c)) for c in CLOCKS]
    ax.bar(range(3), counts, color=[BACKWARD] * 3, width=0.6)
    for x, c in enumerate(counts):
        ax.text(x, c + 0.1, str(c), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(3), [f"▶{c}" if c == clock else c for c in CLOCKS], fontsize=7, rotation=20)
    ax.set_xlim(-0.6, 2.6)
    ax.set_ylim(0, max(4, max(counts) * 1.3))
    ax.tick_params(axis="y", labelsize=7)
    sparse_y(ax, 3, integer=True)
    ax.set_title("messages drawn\nbackwards", fontsize=8)


@panel_render(defaults=settings_of(clocks_panel))
def render_clocks(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Every event at its ``clock`` timestamp (``"physical"``, ``"Lamport"`` or ``"HLC"``), messages
    between them, for ``skew`` and ``step_back`` (s) and ``seed``; beside it, each clock's count of
    messages drawn backwards on the same run."""
    if config["clock"] not in CLOCKS:
        raise ValueError(f"clock must be one of {list(CLOCKS)}, got {config['clock']!r}")
    run = _run(round(real(config, "skew", 0.0, 0.3, "s"), 6), round(real(config, "step_back", 0.0, 0.5, "s"), 6),
               seed_of(config))
    fig, (left, right) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    _events(left, run, config["clock"])
    _compare(right, run, config["clock"])
    fig.suptitle(clocks_title(run, config["clock"]), fontsize=8, y=0.99)
    return fig
