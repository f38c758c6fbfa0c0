"""Chapter 3 panels for two-phase commit: the in-doubt timeline, the slow participant, the Raft fix.

Every figure is computed from one :class:`~distlab.transactions.twopc.TwoPCResult`, and its title
from the same numbers as its bars, so the two cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from distlab.transactions.twopc import (
    SlowParticipantConfig,
    TwoPCConfig,
    TwoPCResult,
    run_replicated,
    run_slow_participant,
    run_twopc,
)

from .. import style
from ..controls import choice_control, fraction_control, seed_control, size_control, switch_control
from ..panel import Panel, panel_render, settings_of

#: what the crash dropdown offers (valid for any number of participants from 2 to 5); rows are
#: labelled p1..pn, the library's crash points count participants from 0
CRASHES: dict[str, str | None] = {
    "no crash": None,
    "coordinator, before PREPARE": "coordinator/before_prepare",
    "coordinator, after PREPARE reached p1 only": "coordinator/after_prepare/1",
    "coordinator, after all votes, decision not logged": "coordinator/after_votes",
    "coordinator, after logging the decision": "coordinator/after_decision_logged",
    "coordinator, after telling p1 only": "coordinator/after_decision_sent/1",
    "p2, on PREPARE (its work is lost)": "p1/on_prepare",  # the library counts participants from 0
    "p2, after voting yes": "p1/after_vote",
}
COORDINATOR_CRASHES = [label for label, name in CRASHES.items() if name and name.startswith("coordinator/")]
DOUBT = style.OKABE_ITO["sky_blue"]
BLOCKED = style.OKABE_ITO["vermillion"]
_STYLE = {"description_width": "initial"}


def twopc_config(config: Mapping[str, Any]) -> TwoPCConfig:
    """The simulation config behind a panel's control values (``crash`` is a :data:`CRASHES` label)."""
    crash = config.get("crash", "no crash")
    if crash not in CRASHES:
        raise ValueError(f"crash: one of {list(CRASHES)}, got {crash!r}")
    recovery = float(config.get("recovery_time", 1.0))
    return TwoPCConfig(participants=int(config.get("participants", 3)), crash_point=CRASHES[crash],
                       termination=bool(config.get("termination", False)), recovery_time=recovery,
                       horizon=max(2.0, recovery + 1.0))


@lru_cache(maxsize=256)
def _run(config: TwoPCConfig, seed: int, replicated: bool) -> TwoPCResult:
    # the panels draw no violations: the plain runs skip the per-step checks (~7x quicker; the
    # tests check every crash point); the Raft group's run keeps its raising safety checks
    return run_replicated(config, seed) if replicated else run_twopc(config, seed, check_invariants=False)


def twopc_run(config: Mapping[str, Any], *, replicated: bool = False) -> TwoPCResult:
    """One run for the panel's settings (memoised: a run is fixed by its config and seed)."""
    sim_config = twopc_config(config)
    if replicated:
        sim_config = dataclasses.replace(sim_config, prepare_timeout=1.0)  # time for the first election
    return _run(sim_config, int(config.get("seed", 0)), replicated)


def blocked_summary(result: TwoPCResult) -> str:
    """One line from the result: who was blocked and for how long, and the outcome."""
    spans = [sum(e - s for s, e in w) for w in result.blocking_windows]
    outcome = "/".join(sorted({o or "undecided" for o in result.outcomes}))
    blocked = [i for i, s in enumerate(spans) if s > 0]
    if not blocked:
        return f"nobody blocked; outcome {outcome}"
    return f"{len(blocked)} of {len(spans)} blocked, up to {max(spans):.2f} s; outcome {outcome}"


def twopc_summary(config: Mapping[str, Any], result: TwoPCResult) -> str:
    """The title: where the crash was and what it cost, from the result (two lines)."""
    crash = config.get("crash", "no crash")
    name = CRASHES.get(crash)
    if name is None:
        return f"no crash:\n{blocked_summary(result)}"
    if name.startswith("coordinator/"):
        termination = "with" if config.get("termination") else "without"
        return f"{crash}, {termination} termination:\n{blocked_summary(result)}"
    index = int(name.split("/")[0][1:])  # the library counts participants from 0
    back = float(config.get("recovery_time", 1.0))
    if result.in_doubt[index] > 0:
        what = f"p{index + 1} down {back:g} s, then asks: its rows locked {result.in_doubt[index]:.2f} s"
    else:
        what = f"p{index + 1} never voted; the coordinator gave up after {twopc_config(config).vote_timeout:g} s"
    return f"{crash}: {what}\n{blocked_summary(result)}"


def _draw_timeline(ax: Axes, result: TwoPCResult, horizon: float, coordinator: str = "coordinator") -> None:
    n = len(result.outcomes)
    rows = [coordinator] + [f"p{i + 1}" for i in range(n)]
    for start, end in result.coordinator_down:
        ax.broken_barh([(start, min(end, horizon) - start)], (n - 0.35, 0.7), facecolors=style.CRASHED_FILL,
                       edgecolors=style.NEUTRAL, hatch="xx")
    for i in range(n):
        y = n - 1 - i - 0.35
        doubt = [(s, min(e, horizon) - s) for s, e in result.doubt_windows[i]]
        blocked = [(s, min(e, horizon) - s) for s, e in result.blocking_windows[i]]
        ax.broken_barh(doubt, (y, 0.7), facecolors=DOUBT)
        ax.broken_barh(blocked, (y + 0.15, 0.4), facecolors=BLOCKED, hatch="//", edgecolors="white")
        outcome = result.outcomes[i]
        mark = {"commit": "✓ commit", "abort": "↺ abort"}.get(outcome or "", "? never learned")
        color = {"commit": style.GOOD, "abort": style.NEUTRAL}.get(outcome or "", style.BAD)
        ax.text(horizon * 1.01, n - 1 - i, mark, va="center", fontsize=9, color=color)
    ax.set_yticks(range(n + 1), list(reversed(rows)))
    ax.set_ylim(-0.6, n + 0.6)
    ax.set_xlim(0, horizon)


def _legend(fig: Figure) -> None:
    handles = [Patch(facecolor=DOUBT, label="in doubt: voted yes, outcome unknown, row locked"),
               Patch(facecolor=BLOCKED, hatch="//", edgecolor="white", label="blocked: nobody it can reach can decide"),
               Patch(facecolor=style.CRASHED_FILL, hatch="xx", edgecolor=style.NEUTRAL, label="coordinator down")]
    fig.legend(handles=handles, loc="lower center", ncol=1, fontsize=8, frameon=False)


def twopc_panel(participants: int = 3, crash: str = "coordinator, after all votes, decision not logged",
                termination: bool = False, recovery_time: float = 1.0, seed: int = 0) -> Panel:
    """Participants, where the crash happens, the termination protocol, and when the coordinator returns."""
    panel = Panel(render_twopc, {
        "participants": size_control(participants, min=2, max=5, name="participants", description="participants"),
        "crash": choice_control(list(CRASHES), crash, name="crash", description="crash", style=_STYLE,
                                layout=widgets.Layout(width="420px")),
        "termination": switch_control(termination, name="termination", description="cooperative termination"),
        "recovery_time": fraction_control(recovery_time, min=0.2, max=3.0, step=0.1, name="recovery_time",
                                          description="crashed process back after (s)", continuous_update=False),
        "seed": seed_control(seed, name="seed")}, figsize=(6.4, 4.6))
    _disable_without_crash(panel)
    return panel


@panel_render(defaults=settings_of(twopc_panel))
def render_twopc(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The 2PC timeline for ``participants``, ``crash`` (a :data:`CRASHES` label), ``termination``,
    ``recovery_time`` (s) and ``seed``: in-doubt windows, the blocked part shaded, outcomes."""
    result = twopc_run(config)
    horizon = twopc_config(config).horizon
    fig, ax = style.reuse_axes(fig, rect=(0.18, 0.3, 0.66, 0.6))
    _draw_timeline(ax, result, horizon)
    style.label_axes(ax, title=twopc_summary(config, result), xlabel="time (s)")
    ax.title.set_fontsize(10)
    _legend(fig)
    return fig


def _disable_without_crash(panel: Panel) -> None:
    """With no crash there is nothing to come back: the recovery slider is greyed out."""
    crash, recovery = panel.controls["crash"], panel.controls["recovery_time"]

    def update(_: object = None) -> None:
        recovery.disabled = crash.value == "no crash"

    crash.observe(update, names="value")
    update()


def fix_panel(crash: str = "coordinator, after all votes, decision not logged", recovery_time: float = 2.0,
              seed: int = 0) -> Panel:
    """A coordinator crash with and without a Raft-replicated coordinator."""
    return Panel(render_fix, {
        "crash": choice_control(COORDINATOR_CRASHES, crash, name="crash", description="crash", style=_STYLE,
                                layout=widgets.Layout(width="420px")),
        "recovery_time": fraction_control(recovery_time, min=0.2, max=3.0, step=0.1, name="recovery_time",
                                          description="crashed coordinator back after (s)", continuous_update=False),
        "seed": seed_control(seed, name="seed")}, figsize=(6.4, 5.8))


@panel_render(defaults=settings_of(fix_panel))
def render_fix(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The same coordinator crash twice: one coordinator, then a coordinator replicated by Raft;
    settings ``crash``, ``recovery_time``, ``seed`` (as `fix_panel`)."""
    fig, axes = style.reuse_axes_list(fig, [(0.2, 0.62, 0.64, 0.24), (0.2, 0.25, 0.64, 0.24)], figsize=(6.4, 5.8))
    horizon = twopc_config(config).horizon
    variants = ((False, "one coordinator", "coordinator"),
                (True, "coordinator replicated by Raft (3); starts after its first election", "old leader"))
    for index, (replicated, name, row) in enumerate(variants):
        result = twopc_run(config, replicated=replicated)
        ax = axes[index]
        _draw_timeline(ax, result, horizon, coordinator=row)
        ax.set_title(f"{name}:\n{blocked_summary(result)}", fontsize=9)
        ax.tick_params(labelbottom=index == 1)  # one time axis, labelled once
        if index == 1:
            ax.set_xlabel("time (s)")
    fig.suptitle(f"{config['crash']}, back after {float(config['recovery_time']):g} s", fontsize=10,
                 y=0.99)
    _legend(fig)
    return fig


SLOW_DELAYS = tuple(round(0.1 * i, 1) for i in range(11))


@lru_cache(maxsize=64)
def slow_sweep(participants: int, seed: int) -> tuple[tuple[float, float, int], ...]:
    """``(delay, fast participants' longest lock hold, later transactions blocked)`` per :data:`SLOW_DELAYS`."""
    return tuple(_slow_row(participants, delay, seed) for delay in SLOW_DELAYS)


def _slow_row(participants: int, delay: float, seed: int) -> tuple[float, float, int]:
    r = run_slow_participant(SlowParticipantConfig(participants=participants, delay=delay), seed,
                             check_invariants=False)
    return delay, max(r.lock_hold[:-1]), sum(r.blocked_txns)  # the slow participant is the last one


def slow_panel(participants: int = 3, delay: float = 0.3, seed: int = 0) -> Panel:
    """The slow participant's delay and the number of participants."""
    return Panel(render_slow, {
        "participants": size_control(participants, min=2, max=5, name="participants", description="participants"),
        "delay": fraction_control(delay, min=0.0, max=1.0, step=0.1, name="delay",
                                  description="slow participant's delay (s)", continuous_update=False),
        "seed": seed_control(seed, name="seed")}, figsize=(7.2, 3.6))


@panel_render(defaults=settings_of(slow_panel))
def render_slow(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The fast participants' lock hold time and the transactions blocked behind them, against the
    slow participant's delay (``delay`` marked); settings ``participants``, ``delay``, ``seed``."""
    participants, seed, delay = int(config["participants"]), int(config["seed"]), float(config["delay"])
    rows = slow_sweep(participants, seed)
    swept = {round(r[0], 6): r for r in rows}
    _, hold, blocked = swept.get(round(delay, 6)) or _slow_row(participants, delay, seed)
    fig, (left, right) = style.reuse_axes_list(fig, [(0.09, 0.17, 0.38, 0.62), (0.59, 0.17, 0.38, 0.62)],
                                               figsize=(7.2, 3.6))
    for ax, column, value, label in ((left, 1, hold, "fast participants' lock hold (s)"),
                                     (right, 2, blocked, "later transactions blocked (count)")):
        ax.plot([r[0] for r in rows], [r[column] for r in rows], marker="o", color=style.OKABE_ITO["blue"])
        ax.plot([delay], [value], marker="D", markersize=10, color=BLOCKED, label=f"delay {delay:.1f} s")
        style.label_axes(ax, title=label, xlabel="slow participant's delay (s)")
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(f"{participants} participants, one slow: the fast ones keep their rows locked until it votes\n"
                 f"(here {hold:.2f} s each, {blocked} later transactions kept waiting)", fontsize=9)
    return fig
