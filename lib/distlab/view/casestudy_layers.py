"""What chapter 6's dashboard draws on its four axes, and the words above them.

:func:`draw_layers` draws the whole run once (:mod:`distlab.view.casestudy_board` then reveals it
frame by frame) and returns the artists a frame moves as :class:`Layers`. :func:`headline` states
the checker's verdict and what the reads show, in words that cannot contradict the lines;
:func:`frame_caption` says where the cursor is and what happened up to it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from distlab.casestudy.series import BankSeries, Mark

from .style import BAD, CYCLE, GOOD, NEUTRAL, OKABE_ITO

__all__ = ["BREAKER_COLORS", "WINDOW_COLORS", "Layers", "Placed", "dollars", "draw_layers", "fixed_ticks",
           "frame_caption", "headline", "place_labels"]

#: the breaker band's colour per state (the word is printed too where the breaker is not closed)
BREAKER_COLORS = {"closed": GOOD, "half-open": OKABE_ITO["orange"], "open": BAD}
#: the shading of each fault that lasts
WINDOW_COLORS = {"fraud slowdown": OKABE_ITO["reddish_purple"], "partition": OKABE_ITO["sky_blue"],
                 "spike": OKABE_ITO["yellow"], "duplicates": OKABE_ITO["orange"]}
_SMALL = 7
_ACCOUNT = "#B0B0B0"  #: the faint grey of each account's balance
Series = tuple[Sequence[float], Sequence[float]]


@dataclass(slots=True)
class Layers:
    """The artists a frame moves: lines over bins and over reads (each with its full data), the
    crosses of the reads off the bank total, artists shown once their time has come, and those
    that stay in front of the white mask over the future."""

    binned: list[tuple[Line2D, Series]] = field(default_factory=list)
    by_read: list[tuple[Line2D, Series]] = field(default_factory=list)
    bad_reads: Line2D | None = None
    bad_read_times: list[float] = field(default_factory=list)
    bad_read_totals: list[float] = field(default_factory=list)
    timed: list[tuple[Artist, float]] = field(default_factory=list)
    above: list[Artist] = field(default_factory=list)  # drawn over the mask of the future, every frame


def dollars(cents: int) -> str:
    """``1234567`` -> ``"$12,345.67"`` (whole cents, no float rounding)."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def headline(series: BankSeries) -> str:
    """The verdict on the whole run (stated as such: a frame may show a moment before the violation
    it names), and what its reads show -- in words that do not contradict the verdict."""
    bank, reads = dollars(series.total_cents), len(series.reads)
    off = sum(1 for r in series.reads if r.total_cents != series.total_cents)
    if not reads:
        money = f"no read of every balance was made (the bank holds {bank})"
    elif off:
        money = f"money NOT conserved: {off} of {reads} reads do not sum to the bank's {bank}"
    elif series.violations:
        money = f"every read sums to the bank's {bank} ({reads} reads), but the totals alone miss this violation"
    else:
        money = f"money conserved, total {bank} in every read ({reads} reads)"
    if not series.violations:
        return f"Whole run: {money}; the checker found no violation"
    first = series.violations[0]
    when = f"t={first.time:.2f} s" if math.isfinite(first.time) else "the end"
    message = first.message if len(first.message) <= 95 else first.message[:94] + "…"
    return (f"Whole run: VIOLATION: {len(series.violations)} found, the first: {first.kind} at {when}\n{message}\n"
            f"{money[:1].upper()}{money[1:]}")


def frame_caption(series: BankSeries, frame: int, now: float) -> str:
    """Where the cursor is, and the attempts, retries and refusals up to it."""
    shown = series.bins if frame >= series.bins - 1 else frame + 1
    done, ok = sum(series.completed[:shown]), sum(series.ok[:shown])
    turned = sum(series.rate_limited[:shown]) + sum(series.shed[:shown]) + sum(series.expired[:shown])
    rate = f"{ok / done:.0%} ok" if done else "none yet"
    return (f"t = {now:.2f} s (bin {frame + 1} of {series.bins}): {done} attempts completed, {rate}, "
            f"{sum(series.retries[:shown])} retries, {turned} turned away; breaker {series.breaker[shown - 1]}")


def _line(ax: Axes, layers: Layers, data: Series, label: str, color: str, **style: object) -> None:
    (line,) = ax.plot(data[0], data[1], label=label, color=color, linewidth=1.4, zorder=2, **style)  # type: ignore[arg-type]
    layers.binned.append((line, data))


def fixed_ticks(axis: Axis, low: float, high: float, count: int, fmt: str = "{:g}", *, labels: bool = True,
                integer: bool = False) -> None:
    """About ``count`` ticks from ``low`` to ``high`` (whole numbers only with ``integer``), located and
    labelled once: a fixed locator and formatter spare every frame the tick search and the formatting."""
    ticks = [t for t in MaxNLocator(count, integer=integer).tick_values(low, high) if low <= t <= high]
    axis.set_ticks(ticks, labels=[fmt.format(t) if labels else "" for t in ticks])


def _style(ax: Axes, ylabel: str, top: float, bottom: float = 0.0, fmt: str = "{:g}", *, counts: bool = False) -> None:
    ax.set_ylim(bottom, top)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=8)
    fixed_ticks(ax.yaxis, bottom, top, 3, fmt, integer=counts)


def _key(ax: Axes, entries: Sequence[tuple[str, str]]) -> None:
    """A legend of coloured words in a row just above ``ax`` (cheaper to draw than a `Legend`)."""
    x = 0.0
    for text, color in entries:
        ax.text(x, 1.015, text, transform=ax.transAxes, color=color, fontsize=_SMALL, va="bottom")
        x += 0.009 * (len(text) + 4)


def _top(values: Sequence[float], least: float) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return max([least, *finite])


def _money(ax: Axes, series: BankSeries, layers: Layers) -> None:
    """(a): every read's total against the bank total; the reads off it as red crosses."""
    bank = series.total_cents / 100
    times = [r.time for r in series.reads]
    totals = [r.total_cents / 100 for r in series.reads]
    layers.above.append(ax.axhline(bank, color=NEUTRAL, linestyle="--", linewidth=1.0, zorder=1.6,
                                   label=f"money in the bank {dollars(series.total_cents)}"))
    (line,) = ax.plot(times, totals, color=CYCLE[0], marker=".", markersize=3, linewidth=1.2,
                      label="total of each read", zorder=2)
    layers.by_read.append((line, (times, totals)))
    bad = [r for r in series.reads if r.total_cents != series.total_cents]
    layers.bad_read_times, layers.bad_read_totals = [r.time for r in bad], [r.total_cents / 100 for r in bad]
    (layers.bad_reads,) = ax.plot([], [], linestyle="none", marker="x", markersize=7, color=BAD,
                                  label="a read off the total", zorder=3)
    worst = max((abs(t - bank) for t in totals), default=0.0)
    half = max(bank * 0.01, worst * 1.3, 1.0)
    _style(ax, "total ($)", bank + half, bank - half, "{:,.0f}")
    _key(ax, [(f"- - money in the bank {dollars(series.total_cents)}", NEUTRAL), ("•— total of each read", CYCLE[0]),
              ("× a read off the total", BAD), ("— each account (right)", _ACCOUNT)])


def _accounts(ax: Axes, behind: Axes, series: BankSeries, layers: Layers) -> None:
    """(a), right axis: every account's balance at each read, faint, drawn behind the total."""
    behind.set_zorder(ax.get_zorder() - 0.5)  # the twin is drawn first: the accounts stay under the total
    ax.patch.set_visible(False)
    names = sorted({name for r in series.reads for name in r.balances}, key=lambda n: (len(n), n))
    times = [r.time for r in series.reads]
    low, high = 0.0, 1.0
    for name in names:
        balances = [r.balances.get(name, 0) / 100 for r in series.reads]
        (line,) = behind.plot(times, balances, color=_ACCOUNT, linewidth=0.6, zorder=1.8)
        layers.by_read.append((line, (times, balances)))
        low, high = min(low, *balances), max(high, *balances)
    _style(behind, "each account ($)", high * 1.1, low * 1.1, "{:,.0f}")


def _violation(ax: Axes, series: BankSeries, layers: Layers, span: float) -> None:
    """The checker's first violation: a red line at its time, with its kind (shown from then on)."""
    if not series.violations:
        return
    first = series.violations[0]
    at = first.time if math.isfinite(first.time) else span
    line = ax.axvline(at, color=BAD, linewidth=1.6, zorder=3)
    where = "" if math.isfinite(first.time) else " (found at the end)"
    text = ax.text(at, 0.06, f"✗ {first.kind}{where}", transform=ax.get_xaxis_transform(), color=BAD,
                   fontsize=8, fontweight="bold", ha="right" if at > span * 0.7 else "left", zorder=3)
    layers.timed += [(line, at), (text, at)]


def _service(axes: Sequence[Axes], series: BankSeries, layers: Layers) -> None:
    """(b) success rate and retries, (c) latency, (d) the gateway's refusals, per bin."""
    mid = [s + series.bin_s / 2 for s in series.starts]
    rate, retries, latency, gateway = axes
    _line(rate, layers, (mid, [r * 100 for r in series.success_rate]), "success rate", CYCLE[0], marker=".",
          markersize=3)
    _line(retries, layers, (mid, series.retries), "retries", CYCLE[1], drawstyle="steps-mid")
    _style(rate, "ok (%)", 105.0)
    _style(retries, "retries / bin", _top(series.retries, 1.0) * 1.25, counts=True)
    _key(rate, [("•— success rate (left)", CYCLE[0]), ("— retries (right)", CYCLE[1])])
    _line(latency, layers, (mid, series.p50_ms), "p50", CYCLE[0], marker=".", markersize=3)
    _line(latency, layers, (mid, series.p99_ms), "p99", CYCLE[1], marker=".", markersize=3)
    _style(latency, "latency (ms)", _top(series.p99_ms, 10.0) * 1.25)
    _key(latency, [("•— p50", CYCLE[0]), ("•— p99 of the successful attempts", CYCLE[1])])
    refusals = (("rate_limited", CYCLE[1]), ("shed", CYCLE[3]), ("expired", CYCLE[4]))
    for name, color in refusals:
        _line(gateway, layers, (mid, getattr(series, name)), name.replace("_", " "), color, drawstyle="steps-mid")
    most = max([1, *series.rate_limited, *series.shed, *series.expired])
    _style(gateway, "requests / bin", most * 1.45, counts=True)
    _key(gateway, [(f"— {name.replace('_', ' ')}", color) for name, color in refusals])


def _breaker_band(ax: Axes, series: BankSeries, layers: Layers, span: float) -> None:
    """The breaker's state as a band along the top of ``ax``, one rectangle per run of one state
    (the last state lasting to ``span``, through the settling after the customers were done)."""
    start = 0
    for i in range(1, series.bins + 1):
        if i < series.bins and series.breaker[i] == series.breaker[start]:
            continue
        state, left = series.breaker[start], series.starts[start]
        right = series.starts[i - 1] + series.bin_s if i < series.bins else max(span, series.end)
        ax.add_patch(Rectangle((left, 0.9), right - left, 0.1, transform=ax.get_xaxis_transform(),
                               facecolor=BREAKER_COLORS.get(state, NEUTRAL), alpha=0.55, edgecolor="none",
                               zorder=1))
        if state != "closed":
            word = ax.text(left, 0.95, f" breaker {state}", transform=ax.get_xaxis_transform(), va="center",
                           fontsize=_SMALL, zorder=3)
            layers.timed.append((word, left))
        start = i
    ax.text(1.005, 0.95, "breaker", transform=ax.transAxes, va="center", fontsize=_SMALL)


_SAME_CRASH_S = 0.5  #: a crash this soon after a crash fault is that fault's crash: labelled once, by the fault
_LABEL_SPAN = 0.025  #: the width of a vertical label, as a share of the time shown (about 11 pixels)


class Placed(NamedTuple):
    """A fault or crash label and the side of its line it is printed on ("right": the text ends at the line)."""

    mark: Mark
    side: str


def place_labels(marks: Sequence[Mark], span: float) -> list[Placed]:
    """The labels of ``marks`` that can be read. A crash ("notifier down") within 0.5 s of the fault
    that crashes the same process ("notifier crash") is left to the fault's label; every other label
    goes left of its line, or right when the left is taken, or is left out when both are (its line
    stays)."""
    width = _LABEL_SPAN * span
    faults = [(m.time, m.label.removesuffix(" crash")) for m in marks if m.kind == "fault"]
    taken: list[tuple[float, float]] = []
    placed = []
    for mark in marks:
        name = mark.label.removesuffix(" down")
        if mark.kind == "crash" and any(abs(mark.time - at) <= _SAME_CRASH_S and of == name for at, of in faults):
            continue
        for side, slot in (("right", (mark.time - width, mark.time)), ("left", (mark.time, mark.time + width))):
            if all(slot[1] <= low or slot[0] >= high for low, high in taken):
                taken.append(slot)
                placed.append(Placed(mark, side))
                break
    return placed


def _chaos(axes: Sequence[Axes], series: BankSeries, layers: Layers, span: float) -> None:
    """Fault windows shaded on every axes; faults and crashes as vertical lines, labelled on top
    where a label can be read (:func:`place_labels`)."""
    for window in series.windows:
        for ax in axes:
            ax.axvspan(window.start, window.end, color=WINDOW_COLORS.get(window.kind, NEUTRAL), alpha=0.18,
                       linewidth=0, zorder=0.5)
    for mark in series.marks:
        crash = mark.kind == "crash"
        for ax in axes:
            ax.axvline(mark.time, color=BAD if crash else NEUTRAL, linestyle=":" if crash else "--",
                       linewidth=0.9, zorder=1)
    for mark, side in place_labels(series.marks, span):
        crash = mark.kind == "crash"
        label = axes[0].text(mark.time, 0.97, f" {mark.label}", transform=axes[0].get_xaxis_transform(),
                             rotation=90, va="top", ha=side, fontsize=_SMALL, color=BAD if crash else "#404040",
                             zorder=3)
        layers.timed.append((label, mark.time))


def draw_layers(axes: Sequence[Axes], series: BankSeries, span: float) -> Layers:
    """Draw the whole run on the four ``axes`` (a)-(d) (see :mod:`distlab.view.casestudy_board`);
    (a) gets a twin axes on the right for each account's balance, (b) one for the retries."""
    layers = Layers()
    money, rate, latency, gateway = axes
    _money(money, series, layers)
    _accounts(money, money.twinx(), series, layers)
    _service((rate, rate.twinx(), latency, gateway), series, layers)
    _breaker_band(gateway, series, layers, span)
    _chaos(axes, series, layers, span)
    _violation(money, series, layers, span)
    return layers
