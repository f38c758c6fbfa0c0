"""Chapter 4, section 4: probabilistically bounded staleness (PBS) -- how often a partial quorum is
fresh, t milliseconds after a write commits (Bailis et al., VLDB 2012).

`pbs_panel` draws the probability of a consistent read against t for one of the paper's four
production latency fits, three ways: the WARS Monte Carlo as the paper runs it (writes keep reaching
the replicas outside the write quorum after commit), the same Monte Carlo with that propagation
switched off, and the closed form 1 − C(N−W, R) / C(N, R). The last two agree; the gap between them
and the first is the lesson. `published_table` sets the Monte Carlo beside the paper's numbers.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from distlab.geo.pbs import FITS, PUBLISHED, p_stale_closed_form, simulate

from .. import style
from ..controls import choice_control, seed_control, size_control
from ..panel import Panel, panel_render, settings_of
from ..settings import real, seed_of, whole
from .common import STYLE, remembered, wrapped_row

__all__ = ["PANEL_TRIALS", "Curve", "pbs_curve", "pbs_panel", "pbs_title", "published_table", "render_pbs"]

#: trials per curve in the panel (±0.7 points at 95 %; the tests and `make bench` use a million)
PANEL_TRIALS = 20_000
T_MAX_MS = 200.0
#: the times the t slider offers (ms): the paper's sweep, and a drag lands on one exactly
T_CHOICES = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
GRID = np.concatenate([np.linspace(0.0, 1.0, 11), np.geomspace(1.0, T_MAX_MS, 60)[1:]])
FRESH, QUORUM_ONLY = style.OKABE_ITO["blue"], style.OKABE_ITO["orange"]


def pbs_panel(fit: str = "LNKD-DISK", n: int = 3, r: int = 1, w: int = 1, t_ms: float = 0.0,
              seed: int = 0) -> Panel:
    """A menu of the paper's latency fits, sliders for N, R and W (R and W at most N) and for t (one
    of :data:`T_CHOICES`)."""
    controls = {
        "fit": choice_control(list(FITS), fit, name="fit", description="latency fit", style=STYLE),
        "n": size_control(n, min=1, max=5, name="n", description="N"),
        "r": size_control(r, min=1, max=n, name="r", description="R"),
        "w": size_control(w, min=1, max=n, name="w", description="W"),
        "t_ms": choice_control(T_CHOICES, t_ms, name="t_ms", kind=widgets.SelectionSlider,
                               description="t after commit (ms)", style=STYLE),
        "seed": seed_control(seed, name="seed")}

    def cap(change: Mapping[str, Any]) -> None:
        for name in ("r", "w"):
            controls[name].max = change["new"]
    controls["n"].observe(cap, names="value")
    return wrapped_row(render_pbs, controls, figsize=(7.2, 4.2))


class Curve(NamedTuple):
    """P(consistent read) on :data:`GRID` (and the sorted per-trial t needed) for one setting."""

    fit: str
    n: int
    r: int
    w: int
    propagate: bool
    needed: np.ndarray
    p: np.ndarray

    def at(self, t_ms: float) -> float:
        """The fraction of consistent reads ``t_ms`` after commit."""
        return float(np.searchsorted(self.needed, t_ms, side="right")) / len(self.needed)


@remembered(maxsize=128)
def pbs_curve(fit: str, n: int, r: int, w: int, propagate: bool, seed: int = 0,
              trials: int = PANEL_TRIALS) -> Curve:
    """One Monte Carlo (memoised): the curve on :data:`GRID`."""
    res = simulate(fit, n=n, r=r, w=w, t_ms=(0.0,), trials=trials, seed=seed, propagate=propagate)
    needed = np.sort(res.needed_ms)
    p = np.searchsorted(needed, GRID, side="right") / trials
    return Curve(fit, n, r, w, propagate, needed, p)


def pbs_title(config: Mapping[str, Any], fresh: Curve, quorum_only: Curve) -> str:
    """The title, from the same curves the lines are drawn from."""
    fit, n, r, w, t = config["fit"], fresh.n, fresh.r, fresh.w, float(config["t_ms"])
    closed = 100.0 * (1.0 - p_stale_closed_form(n, r, w))
    published = PUBLISHED.get((fit, t)) if (n, r, w) == (3, 1, 1) else None
    paper = f" (the paper: {published:.1f} %)" if published is not None else ""
    return (f"{fit}, N={n} R={r} W={w}: {100 * fresh.at(t):.1f} % of reads consistent {t:g} ms after commit{paper}\n"
            f"if only the write quorum ever got the write: {100 * quorum_only.at(t):.1f} % "
            f"(closed form 1 − C(N−W, R)/C(N, R) = {closed:.1f} %)")


@panel_render(defaults=settings_of(pbs_panel))
def render_pbs(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """P(consistent read) against t after commit for ``fit``, ``n``, ``r``, ``w``; ``t_ms`` marked;
    the Monte Carlo with and without propagation beyond the write quorum, and the closed form."""
    n = whole(config, "n", 1, 5)
    r, w, seed = whole(config, "r", 1, n), whole(config, "w", 1, n), seed_of(config)
    if not (r <= n and w <= n):
        raise ValueError(f"r and w must be at most n = {n}, got r={r}, w={w}")
    fresh = pbs_curve(config["fit"], n, r, w, True, seed)
    quorum_only = pbs_curve(config["fit"], n, r, w, False, seed)
    t = real(config, "t_ms", 0.0, max(T_CHOICES), "ms")
    fig, ax = style.reuse_axes(fig, rect=(0.1, 0.13, 0.87, 0.68), figsize=(7.2, 4.2))
    ax.plot(GRID, 100 * fresh.p, color=FRESH, lw=2, label="Monte Carlo")
    ax.plot(GRID, 100 * quorum_only.p, color=QUORUM_ONLY, lw=2, label="Monte Carlo, write quorum only")
    closed = 100.0 * (1.0 - p_stale_closed_form(n, r, w))
    ax.plot([0, T_MAX_MS], [closed, closed], color="black", lw=1, linestyle="--", label="closed form")
    ax.axvline(t, color=style.NEUTRAL, lw=1)
    ax.plot([t], [100 * fresh.at(t)], marker="o", color=FRESH, markersize=7)
    if (n, r, w) == (3, 1, 1):
        points = [(tt, p) for (f, tt), p in PUBLISHED.items() if f == config["fit"]]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="D", color="black", linestyle="none",
                markersize=6, label="published")
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_xlim(0, T_MAX_MS)
    ax.set_ylim(0, 105)
    style.label_axes(ax, title=pbs_title(config, fresh, quorum_only), xlabel="t after commit (ms)",
                     ylabel="consistent reads (%)")
    ax.title.set_fontsize(8)
    ax.legend(loc="lower right", fontsize=7)
    return fig


def published_table(trials: int = 200_000, seed: int = 0) -> str:
    """The paper's published probabilities (N = 3, R = W = 1) beside the Monte Carlo's, as text."""
    lines = ["% of reads consistent (fresh: they return the latest completed write), N = 3, R = W = 1,",
             "t ms after the write was acknowledged",
             f"{'fit':10} {'t (ms)':>6} {'published':>10} {'Monte Carlo':>12} {'only the quorum':>16}",
             f"{'':10} {'':>6} {'':>10} {f'({trials:,} trials)':>12} {'(closed form 33.3)':>16}"]
    for (fit, t), published in PUBLISHED.items():
        fresh = pbs_curve(fit, 3, 1, 1, True, seed, trials).at(t)
        only = pbs_curve(fit, 3, 1, 1, False, seed, trials).at(t)
        lines.append(f"{fit:10} {t:>6g} {published:>9.1f}% {100 * fresh:>11.1f}% {100 * only:>15.1f}%")
    return "\n".join(lines)
