"""Chapter 4, section 5: conflicts on one schedule -- last-writer-wins, version vectors and CRDTs.

`conflicts_panel` runs `distlab.geo.conflicts.run_conflicts` (or Dynamo's shopping cart) and draws
the schedule: every write at its replica and true time, marked by what the chosen policy did with it
(kept, superseded by a write that saw it, lost while concurrent, lost although it came later), and
every state shipped between replicas. The bars beneath count each policy's lost writes on the same
schedule; the title is the chosen policy's own summary.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from distlab.geo.conflicts import POLICIES, ConflictRun, dynamo_cart, run_conflicts
from distlab.geo.conflicts_outcome import CONCURRENT, LATER
from distlab.geo.crdt_base import show
from distlab.geo.crdt_kinds import Update

from .. import style
from ..controls import choice_control, fraction_control, seed_control, size_control
from ..panel import Panel, panel_render, settings_of
from ..settings import real, seed_of, whole
from .common import STYLE, remembered, sparse_y, wrapped_row

__all__ = ["CART", "VERDICTS", "WORKLOADS", "conflicts_panel", "conflicts_run", "render_conflicts", "short"]

CART = "Dynamo's cart (B's clock ahead by the skew)"
WORKLOADS = ("register", "cart", "counter", CART)
FIGSIZE = (7.2, 5.0)
RECTS = [(0.20, 0.48, 0.77, 0.38), (0.20, 0.07, 0.77, 0.19)]


class Verdict(NamedTuple):
    """How a write's fate is drawn: colour, marker, and the word in the legend."""

    color: str
    marker: str
    word: str


VERDICTS = {
    "kept": Verdict(style.GOOD, "o", "kept"),
    "superseded": Verdict(style.NEUTRAL, "s", "superseded"),
    f"lost ({CONCURRENT})": Verdict(style.OKABE_ITO["orange"], "v", "lost: concurrent"),
    f"lost ({LATER})": Verdict(style.BAD, "X", "lost: later, yet lost"),
}
LEGEND = [Line2D([], [], color=v.color, marker=v.marker, linestyle="none", markersize=8, label=v.word)
          for v in VERDICTS.values()]


def conflicts_panel(workload: str = "register", policy: str = "lww", skew: float = 0.2, writes: int = 8,
                    seed: int = 4) -> Panel:
    """Menus for the data and the merge policy; sliders for the clocks' skew and the writes (Dynamo's
    cart is one fixed schedule: there the writes slider and the seed are disabled, and say why)."""
    panel = wrapped_row(render_conflicts, {
        "workload": choice_control(WORKLOADS, workload, name="workload", description="data", style=STYLE),
        "policy": choice_control(POLICIES, policy, name="policy", description="merge policy", style=STYLE),
        "skew": fraction_control(skew, min=0.0, max=0.5, step=0.05, name="skew", description="clock skew (s)",
                                 style=STYLE),
        "writes": size_control(writes, min=2, max=16, name="writes", description="writes"),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)
    panel.link("workload", lambda chosen: _fixed_schedule(panel, chosen == CART))
    _fixed_schedule(panel, workload == CART)
    return panel


def _fixed_schedule(panel: Panel, fixed: bool) -> None:
    """Disable the controls a fixed schedule ignores, with a tooltip that says so."""
    why = "Dynamo's cart is one fixed schedule (the paper's story): only the skew and the policy change it"
    for widget in (panel.controls["writes"], panel.controls["seed"], panel.reseed_button):
        if widget is not None:
            widget.disabled = fixed
            widget.tooltip = why if fixed else None


@remembered(maxsize=512)
def _run(workload: str, skew: float, writes: int, seed: int) -> ConflictRun:
    if workload == CART:
        return dynamo_cart(offsets=(0.0, skew, 0.0))
    return run_conflicts(workload=workload, skew=skew, writes=writes, seed=seed)


def conflicts_run(config: Mapping[str, Any]) -> ConflictRun:
    """The schedule behind a panel's settings (memoised)."""
    if config["workload"] not in WORKLOADS:
        raise ValueError(f"workload must be one of {list(WORKLOADS)}, got {config['workload']!r}")
    return _run(config["workload"], round(real(config, "skew", 0.0, 0.5, "s"), 6), whole(config, "writes", 2, 16),
                seed_of(config))


def short(update: Update) -> str:
    """A write as its label on the timeline: the value written (``C5``), ``+milk``, ``−eggs`` or ``+1``."""
    if update.kind == "write":
        return str(update.arg)
    return f"{'−' if update.kind == 'remove' else '+'}{update.arg}"


def _timeline(ax: Axes, run: ConflictRun, policy: str) -> None:
    rows = {name: len(run.replicas) - 1 - i for i, name in enumerate(run.replicas)}
    xs: list[float] = []
    ys: list[float] = []
    for m in run.messages:
        xs += [m.sent, m.delivered, float("nan")]
        ys += [rows[m.src], rows[m.dst], float("nan")]
    ax.plot(xs, ys, color="#BBBBBB", lw=0.8, zorder=1)
    outcome = run.outcome(policy)
    for w in run.writes:
        v = VERDICTS[outcome.status(w.seq)]
        y = rows[w.replica]
        ax.plot([w.time], [y], marker=v.marker, color=v.color, markersize=9, linestyle="none", zorder=3)
        ax.text(w.time, y + 0.18, short(w.update), ha="center", va="bottom", fontsize=7, rotation=30)
    end = max([m.delivered for m in run.messages] + [w.time for w in run.writes] + [0.1])
    labels = [f"{name} (clock {run.offsets[name] * 1000:+.0f} ms)" for name in run.replicas]
    ax.set_yticks([rows[n] for n in run.replicas], labels, fontsize=8)
    ax.set_ylim(-0.5, len(run.replicas) - 0.1)
    ax.set_xlim(-0.02, end * 1.03)
    ax.set_xlabel("true time (s); grey: a state shipped", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(handles=LEGEND, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4, fontsize=7, frameon=False)


def conflicts_title(run: ConflictRun, policy: str) -> str:
    """The chosen policy's summary and what every write together means (the intended value)."""
    return f"{run.outcome(policy).summary()}\nintended (every write's effect): {show(run.outcome(policy).intended)}"


def _losses(ax: Axes, run: ConflictRun, policy: str) -> None:
    xs = range(len(POLICIES))
    counter = run.outcome(policy).workload == "counter"
    if counter:  # increments, not writes: a surviving write need not carry the increments before it
        concurrent, later = [run.outcome(p).missing for p in POLICIES], [0] * len(POLICIES)
    else:
        concurrent = [len(run.outcome(p).lost_writes(CONCURRENT)) for p in POLICIES]
        later = [len(run.outcome(p).lost_writes(LATER)) for p in POLICIES]
    ax.bar(xs, concurrent, color=VERDICTS[f"lost ({CONCURRENT})"].color, width=0.6)
    ax.bar(xs, later, bottom=concurrent, color=VERDICTS[f"lost ({LATER})"].color, width=0.6)
    for x, p in zip(xs, POLICIES):
        reads = show(run.outcome(p).value)
        ax.text(x, concurrent[x] + later[x] + 0.15, f"reads {reads}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(xs), [f"▶ {p}" if p == policy else p for p in POLICIES], fontsize=8)
    ax.set_xlim(-0.6, len(POLICIES) - 0.4)
    ax.set_ylim(0, max(3, max(c + lat for c, lat in zip(concurrent, later))) * 1.5)
    ax.set_ylabel("increments lost" if counter else "writes lost", fontsize=8)
    sparse_y(ax, 3, integer=True)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title("the same schedule, each policy", fontsize=8)


@panel_render(defaults=settings_of(conflicts_panel))
def render_conflicts(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The schedule with each write's fate under ``policy``, and every policy's losses: settings
    ``workload`` (:data:`WORKLOADS`), ``policy``, ``skew`` (s), ``writes`` and ``seed``."""
    if config["policy"] not in POLICIES:
        raise ValueError(f"policy must be one of {list(POLICIES)}, got {config['policy']!r}")
    run = conflicts_run(config)
    fig, (top, bottom) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    _timeline(top, run, config["policy"])
    top.set_title(conflicts_title(run, config["policy"]), fontsize=8)
    _losses(bottom, run, config["policy"])
    return fig
