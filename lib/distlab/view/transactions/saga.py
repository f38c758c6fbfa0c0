"""Chapter 3's saga panel: one trip booking as a timeline of steps, failures, retries,
compensations, an orchestrator crash and what another reader saw in between.

The figure and its title come from one :class:`~distlab.transactions.saga.scenario.SagaResult`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from distlab.transactions.saga.crash_points import crash_points
from distlab.transactions.saga.scenario import SagaConfig, SagaResult, run_saga
from distlab.transactions.saga.travel import STEP_NAMES, travel_saga

from .. import style
from ..controls import choice_control, seed_control, switch_control
from ..panel import Panel, panel_render, settings_of

NO_FAILURE = "nothing fails"
NO_CRASH = "no crash"
FAIL_CHOICES = (NO_FAILURE, *STEP_NAMES)
CRASH_CHOICES = (NO_CRASH, *(p.name for p in crash_points(travel_saga())))
#: event -> (marker, colour, legend label)
MARKS = {
    "action_done": ("o", style.GOOD, "step done (local transaction)"),
    "action_failed": ("X", style.BAD, "step failed"),
    "retry": ("^", style.OKABE_ITO["orange"], "retried after backoff"),
    "compensation_done": ("s", style.OKABE_ITO["reddish_purple"], "compensation done"),
}
READER_ROW = "a reader"
_STYLE = {"description_width": "initial"}


def saga_config(config: Mapping[str, Any]) -> SagaConfig:
    """The experiment behind a panel's control values."""
    fail = config.get("fail_step", NO_FAILURE)
    crash = config.get("crash_point", NO_CRASH)
    if fail not in FAIL_CHOICES:
        raise ValueError(f"fail_step: one of {list(FAIL_CHOICES)}, got {fail!r}")
    if crash not in CRASH_CHOICES:
        raise ValueError(f"crash_point: one of {list(CRASH_CHOICES)}, got {crash!r}")
    return SagaConfig(fail_step=None if fail == NO_FAILURE else fail, crash_point=None if crash == NO_CRASH else crash,
                      semantic_lock=bool(config.get("semantic_lock", False)), seed=int(config.get("seed", 0)))


@lru_cache(maxsize=256)
def _run(config: SagaConfig) -> SagaResult:
    return run_saga(config)


def saga_run(config: Mapping[str, Any]) -> SagaResult:
    """One trip booking for the panel's settings (memoised: fixed by its config and seed)."""
    return _run(saga_config(config))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def saga_summary(result: SagaResult, crash_point: str | None = None) -> str:
    """The outcome, the compensations, the crash and the anomalies, from the result itself."""
    events = [e.event for e in result.timeline]
    undone = events.count("compensation_done")
    head = f"saga {result.outcome}"
    if undone:
        head += f": {_plural(undone, 'compensation')}" + (", newest step first" if undone > 1 else "")
    elif result.outcome == "compensated":
        head += ": nothing to undo (the first step failed)"
    tail = [f"orchestrator crashed {len(result.crashes)}x, resumed"] if result.crashes else []
    if crash_point and crash_point != NO_CRASH and not result.crashes:
        tail.append(f"no crash: '{crash_point}' was never reached")
    tail.append(f"a reader saw a half-done trip {result.anomalies}x" if result.anomalies
                else "no half-done trip seen")
    return head + "\n" + "; ".join(tail)


def saga_panel(fail_step: str = "charge_card", crash_point: str = NO_CRASH, semantic_lock: bool = False,
               seed: int = 0) -> Panel:
    """Which step fails, where the orchestrator crashes, and the semantic lock."""
    return Panel(render_saga, {
        "fail_step": choice_control(FAIL_CHOICES, fail_step, name="fail_step", description="failing step",
                                    style=_STYLE),
        "crash_point": choice_control(CRASH_CHOICES, crash_point, name="crash_point",
                                      description="orchestrator crash", style=_STYLE),
        "semantic_lock": switch_control(semantic_lock, name="semantic_lock",
                                        description="semantic lock (pending state)"),
        "seed": seed_control(seed, name="seed")}, figsize=(6.8, 5.0))


@panel_render(defaults=settings_of(saga_panel))
def render_saga(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The saga's timeline: rows are steps (plus a reader), x is simulated time; settings
    ``fail_step``, ``crash_point``, ``semantic_lock``, ``seed`` (as `saga_panel`)."""
    result = saga_run(config)
    fig, ax = style.reuse_axes(fig, rect=(0.22, 0.33, 0.74, 0.56), figsize=(6.8, 5.0))
    rows = [*STEP_NAMES, READER_ROW]
    y = {name: len(rows) - 1 - i for i, name in enumerate(rows)}
    end = max([e.time for e in result.timeline] + [0.1])
    for event in result.timeline:
        if event.event in MARKS and event.step in y:
            marker, color, _ = MARKS[event.event]
            ax.plot([event.time], [y[event.step]], marker=marker, color=color, markersize=9, linestyle="none")
        elif event.event == "crash":
            ax.axvline(event.time, color=style.NEUTRAL, linestyle="--")
        elif event.event == "resume":
            ax.axvline(event.time, color=style.NEUTRAL, linestyle=":")
    for obs in result.observations:
        ax.plot([obs.time], [y[READER_ROW]], marker="*" if obs.anomaly else ".", markersize=11 if obs.anomaly else 6,
                color=style.BAD if obs.anomaly else style.NEUTRAL, linestyle="none")
    ax.set_yticks(list(y.values()), list(y))
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_xlim(-0.02, end * 1.08 + 0.02)
    style.label_axes(ax, title=saga_summary(result, config["crash_point"]), xlabel="simulated time (s)")
    ax.title.set_fontsize(9)
    handles = [Line2D([], [], marker=m, color=c, linestyle="none", label=label) for m, c, label in MARKS.values()]
    handles.append(Line2D([], [], marker="*", color=style.BAD, linestyle="none", markersize=10,
                          label="a reader sees a seat held, card not charged"))
    handles.append(Line2D([], [], marker=".", color=style.NEUTRAL, linestyle="none", markersize=8,
                          label="a reader sees a consistent state"))
    handles.append(Line2D([], [], color=style.NEUTRAL, linestyle="--", label="orchestrator crashed"))
    handles.append(Line2D([], [], color=style.NEUTRAL, linestyle=":", label="resumed from the saga log"))
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0))
    return fig
