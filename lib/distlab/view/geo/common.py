"""What chapter 4's panels share: widget styling, verdict colours, and small formatting helpers."""
from __future__ import annotations

import functools
import gc
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, NullLocator

from .. import style
from ..panel import ConfigRender, Panel

__all__ = ["STYLE", "WIDE", "checker_words", "log_ms_axis", "ms", "outcome_bars", "percent", "remembered", "sparse_y",
           "wrapped_row"]

_Result = TypeVar("_Result")

#: widgets show their whole description
STYLE = {"description_width": "initial"}
#: a menu whose options are long
WIDE = {"width": "420px"}


def ms(value: float | None) -> str:
    """A latency in ms for a title: ``"108 ms"``, ``"0.4 ms"`` below 10 ms, or ``"none"``."""
    if value is None or math.isnan(value):
        return "none"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def checker_words(status: str) -> tuple[str, str]:
    """Chapter 1's verdict as (words, colour): ✓ linearizable, ✗ not linearizable, or ? undecided."""
    if status == "holds":
        return "chapter 1's checker: ✓ linearizable", style.GOOD
    if status == "violated":
        return "chapter 1's checker: ✗ NOT linearizable", style.BAD
    return f"chapter 1's checker: ? {status}", style.NEUTRAL


def sparse_y(ax: Axes, ticks: int = 4, *, integer: bool = False) -> None:
    """At most ``ticks`` labelled ticks on the y axis: every tick label is text to lay out and draw
    (about a millisecond each), and a bar's own label carries its value."""
    ax.yaxis.set_major_locator(MaxNLocator(ticks, integer=integer))


def wrapped_row(render: ConfigRender[object], controls: Mapping[str, Any], **options: Any) -> Panel:
    """A `Panel` whose row of controls wraps onto more lines: squeezed into one row, a slider's
    track can shrink until a drag gives the front end no value at all (seen in the browser suite)."""
    panel = Panel(render, controls, **options)
    panel.widget.children[0].layout.flex_flow = "row wrap"
    return panel


def log_ms_axis(ax: Axes, low: float = 0.1, high: float = 1000.0) -> None:
    """A log-scale y axis of milliseconds labelled 0.1, 1, 10, ... in plain digits: matplotlib's own
    log labels are mathtext ($10^{2}$), which costs tens of milliseconds a redraw."""
    ax.set_yscale("log")
    ax.set_ylim(low, high * 5)  # room above the bars for a legend
    ticks = [10.0 ** e for e in range(round(math.log10(low)), round(math.log10(high)) + 1)]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
    ax.yaxis.set_minor_locator(NullLocator())


def remembered(maxsize: int) -> Callable[[Callable[..., _Result]], functools._lru_cache_wrapper[_Result]]:
    """``functools.lru_cache`` for a panel's runs, which then live for the session: after computing
    one, collect the young generations and freeze what survives (as `distlab.view` does at import),
    so the periodic full garbage collection -- 50-75 ms once the runs pile up -- does not walk them
    inside a later redraw."""
    def decorate(compute: Callable[..., _Result]) -> functools._lru_cache_wrapper[_Result]:
        @functools.wraps(compute)
        def computed(*args: Any) -> _Result:
            result = compute(*args)
            gc.collect(1)
            gc.freeze()
            return result
        return functools.lru_cache(maxsize=maxsize)(computed)
    return decorate


def percent(fraction: float | None) -> float:
    """A fraction as a percentage; ``None`` (nothing to count) as NaN, which :func:`outcome_bars`
    labels "none"."""
    return math.nan if fraction is None else 100.0 * fraction


def outcome_bars(ax: Axes, writes_ok: float, reads_ok: float, stale: float) -> None:
    """Three bars in percent: writes answered, reads answered, stale reads (NaN: "none")."""
    values = [writes_ok, reads_ok, stale]
    ax.bar(range(3), [0.0 if math.isnan(v) else v for v in values], width=0.6,
           color=[style.GOOD, style.GOOD, style.BAD])
    for x, v in enumerate(values):
        ax.text(x, (0 if math.isnan(v) else v) + 2, "none" if math.isnan(v) else f"{v:.0f} %", ha="center",
                va="bottom", fontsize=7)
    ax.set_xticks(range(3), ["writes ok", "reads ok", "stale"], fontsize=8)
    ax.set_xlim(-0.6, 2.6)
    ax.set_ylim(0, 115)
    ax.set_ylabel("% of requests", fontsize=8)
    ax.set_yticks([0, 50, 100])
    ax.tick_params(axis="y", labelsize=7)
