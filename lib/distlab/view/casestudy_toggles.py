"""Chapter 6's safeguard panel: switch one safeguard off and see what the check catches.

:func:`toggles_panel` runs each safeguard's scenario twice (everything on; that safeguard off) once,
when it is made (:func:`distlab.casestudy.safeguards.toggle`: eight runs, a few seconds), so moving
between safeguards only redraws. Each view shows the measure the safeguard protects -- transfers
whose money moved twice, notifications lost, attempts per transfer in the spike, success in the
fraud slowdown -- for both runs side by side, with the check's finding in the title.
"""
from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from distlab.casestudy.config import SAFEGUARDS, BankConfig
from distlab.casestudy.engines import Engines
from distlab.casestudy.run import BankRun
from distlab.casestudy.safeguards import (
    FOCUS,
    OUTAGE_SUCCESS,
    PREDICTED,
    STORM_ATTEMPTS,
    Toggle,
    answered_share,
    toggle,
    window_stats,
)

from .controls import choice_control
from .panel import Panel
from .style import BAD, GOOD

__all__ = ["MEASURES", "measure", "render_toggle", "toggles", "toggles_panel"]

#: per safeguard: what is measured, and the line beyond which the check reports harm (None: any > 0)
MEASURES = {"idempotency": ("transfers whose money moved more than once", None),
            "outbox": ("applied transfers never notified", None),
            "retry_budget": ("attempts per transfer begun in the spike", STORM_ATTEMPTS),
            "bulkhead": ("share of attempts in the slowdown that succeeded", OUTAGE_SUCCESS)}
#: the dashed line's label
LINES = {"retry_budget": "retry storm at >= 2", "bulkhead": "outage below 50 %"}


def measure(safeguard: str, run: BankRun) -> float:
    """The value of ``safeguard``'s measure (:data:`MEASURES`) in ``run``."""
    if safeguard == "idempotency":
        keys = [a.key for a in run.record.applied]
        return float(len({k for k in keys if keys.count(k) > 1}))
    if safeguard == "outbox":
        return float(sum(v.kind == "notification" and "notified 0 times" in v.message for v in run.verdict.violations))
    focus = next(f for f in run.chaos if f.kind == FOCUS[safeguard])
    stats = window_stats(run.history, focus.time, focus.time + focus.duration)
    return stats.attempts_per_transfer if safeguard == "retry_budget" else stats.success_rate


def toggles(seed: int = 0, config: BankConfig | None = None) -> dict[str, Toggle]:
    """Every safeguard's :class:`~distlab.casestudy.safeguards.Toggle` at ``seed`` (eight runs)."""
    engines = Engines()
    try:
        return {name: toggle(name, seed, config, engines) for name in SAFEGUARDS}
    finally:
        engines.close()


def _words(name: str) -> str:
    return name.replace("_", " ")


def _note(result: Toggle) -> str:
    """What the bars leave out: for the retry budget, how many of the spike's transfers got an answer."""
    if result.safeguard != "retry_budget":
        return ""
    focus = next(f for f in result.on.chaos if f.kind == FOCUS["retry_budget"])
    on, off = (answered_share(run.history, focus.time, focus.time + focus.duration) for run in (result.on, result.off))
    return (f"; transfers begun in the spike answered in the end: {on:.0%} with the budget, {off:.0%} without "
            "(a refusal costs this gateway nothing)")


def render_toggle(result: Toggle, fig: Figure | None = None) -> Figure:
    """Two bars -- every safeguard on, and ``result.safeguard`` switched off -- of that safeguard's measure."""
    fig = fig if fig is not None else Figure(figsize=(8.0, 3.2))
    fig.clear()
    name = result.safeguard
    label, line = MEASURES[name]
    values = [measure(name, result.on), measure(name, result.off)]
    ax = fig.add_subplot(1, 1, 1)
    fig.subplots_adjust(left=0.2, right=0.95, top=0.66, bottom=0.17)  # fixed margins: no layout pass per redraw
    colours = [GOOD if result.found_on is None else BAD, GOOD if result.found_off is None else BAD]
    ax.barh([0, 1], values, color=colours)
    ax.set_yticks([0, 1], ["every safeguard on", f"{_words(name)} off"])
    share = name == "bulkhead"
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.0%}" if share else f" {value:.2f}" if line is not None else f" {value:.0f}",
                va="center")
    if line is not None:
        ax.axvline(line, color="#555", linestyle="--", linewidth=1)
        ax.text(line, 1.45, f" {LINES[name]}", fontsize=8, color="#555", va="center")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # a count
    if share:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(label)
    ax.set_xlim(0, max(max(values) * 1.25, (line or 0) * 1.25, 1.0))
    ax.set_ylim(-0.5, 1.7)
    found = f"the check finds {PREDICTED[name]!r}" if result.found_off else "the check finds nothing at this seed"
    on = "nothing with every safeguard on" if result.found_on is None else f"{result.found_on} even with all on"
    title = f"{_words(name)} off: {found}; {on}{_note(result)}"
    fig.suptitle("\n".join(textwrap.wrap(title, 100)), fontsize=10, color=BAD if result.found_off else GOOD)
    faults = "; ".join(str(f) for f in result.off.chaos)
    ax.set_title("\n".join(textwrap.wrap(f"seed {result.seed}: {faults}", 110)), fontsize=8)
    return fig


class _Render:
    """``render_toggle`` bound to precomputed results (a Panel's render takes the config and a figure)."""

    def __init__(self, results: Mapping[str, Toggle]) -> None:
        self.results = results

    def __call__(self, config: object, fig: Figure | None = None) -> Figure:
        name = config.get("off") if isinstance(config, Mapping) else None
        if name not in self.results:
            raise ValueError(f"off must be one of {', '.join(self.results)}, got {name!r}")
        return render_toggle(self.results[str(name)], fig)


def toggles_panel(seed: int = 0, off: str = "idempotency", results: Mapping[str, Toggle] | None = None,
                  options: Sequence[str] = SAFEGUARDS) -> Panel:
    """A menu of safeguards to switch off; the runs are made once, here (or passed in ``results``)."""
    made = results if results is not None else toggles(seed)
    return Panel(_Render(made), {"off": choice_control(list(options), off, name="off", description="switch off")},
                 figsize=(8.0, 3.2))
