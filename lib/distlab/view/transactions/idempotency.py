"""Chapter 3's idempotency panel: one card charge, a client that retries after a crash, and how
many times the card is charged -- without a key, with a key in Redis (``SET NX``), with a key in
SQL committed with the charge.

The matrix shows every crash point for the three designs; the selected run's replies are listed
under it. Both come from :func:`~distlab.transactions.idempotency.retries.run_charge_retries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from distlab.transactions.idempotency.charge import CRASH_POINTS
from distlab.transactions.idempotency.retries import ChargeRetriesConfig, ChargeRetriesResult, run_charge_retries

from .. import style
from ..controls import choice_control, size_control
from ..panel import Panel, panel_render, settings_of

#: design label -> (backend, with_key)
DESIGNS: dict[str, tuple[str, bool]] = {
    "no key": ("sql", False),
    "key in Redis (SET NX)": ("redis", True),
    "key in SQL, same transaction": ("sql", True),
}
CRASHES = ("none", *CRASH_POINTS)
_STYLE = {"description_width": "initial"}


RETRY_DELAYS = (5.0, 15.0, 30.0, 45.0, 61.0, 90.0, 120.0)  # seconds; the key's lock expires after 60 s


@lru_cache(maxsize=2048)
def _run(crash: str, design: str, retries: int, delay: float) -> ChargeRetriesResult:
    backend, with_key = DESIGNS[design]
    return run_charge_retries(ChargeRetriesConfig(retries=retries, crash_point=crash, backend=backend,
                                                  with_key=with_key, retry_delay=delay))


def charge_run(config: Mapping[str, Any]) -> ChargeRetriesResult:
    """The run for the panel's ``crash``, ``design``, ``retries`` and ``retry_delay`` (memoised)."""
    crash, design = config.get("crash", "after_charged"), config.get("design", "key in SQL, same transaction")
    if crash not in CRASHES:
        raise ValueError(f"crash: one of {list(CRASHES)}, got {crash!r}")
    if design not in DESIGNS:
        raise ValueError(f"design: one of {list(DESIGNS)}, got {design!r}")
    return _run(crash, design, int(config.get("retries", 3)), float(config.get("retry_delay", 61.0)))


def charge_matrix(retries: int = 3, retry_delay: float = 61.0) -> list[list[int]]:
    """Charges per crash point (rows, :data:`CRASHES`) and design (columns, :data:`DESIGNS`)."""
    return [[_run(crash, design, retries, retry_delay).charges for design in DESIGNS] for crash in CRASHES]


def answered(run: ChargeRetriesResult) -> bool:
    """Did the client end with a success reply (charged, or the stored result replayed)?"""
    return run.replies[-1].startswith("2")


def verdict(run: ChargeRetriesResult) -> tuple[str, int]:
    """What a cell says and its colour class: 2 = charged twice (wrong), 1 = exactly once and the
    client knows it, 0 = the client is still without an answer (its retries all hit the lock)."""
    if run.charges >= 2:
        return f"✗ {run.charges} charges", 2
    if answered(run):
        return "✓ 1 charge", 1
    return f"… {run.charges} so far, no answer", 0


def charge_panel(crash: str = "after_charged", design: str = "key in Redis (SET NX)", retries: int = 3,
                 retry_delay: float = 61.0) -> Panel:
    """Where the server crashes, which design guards the charge, how often and how soon the client retries."""
    return Panel(render_charges, {
        "crash": choice_control(list(CRASHES), crash, name="crash", description="server crashes", style=_STYLE),
        "design": choice_control(list(DESIGNS), design, name="design", description="design", style=_STYLE),
        "retries": size_control(retries, min=1, max=5, name="retries", description="client retries"),
        "retry_delay": choice_control(RETRY_DELAYS, retry_delay, name="retry_delay", kind=widgets.SelectionSlider,
                                      description="retry every (s)", style=_STYLE)}, figsize=(6.8, 4.8))


@panel_render(defaults=settings_of(charge_panel))
def render_charges(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The crash-point x design matrix of charges, the selected cell outlined, its replies below;
    settings ``crash``, ``design``, ``retries``, ``retry_delay`` (as `charge_panel`)."""
    run = charge_run(config)
    retries, delay = int(config["retries"]), float(config["retry_delay"])
    cells = [[verdict(_run(crash, design, retries, delay)) for design in DESIGNS] for crash in CRASHES]
    fig, ax = style.reuse_axes(fig, rect=(0.3, 0.36, 0.66, 0.46), figsize=(6.8, 4.8))
    colors = ListedColormap([style.CRASHED_FILL, style.GOOD, style.BAD])
    ax.imshow([[kind for _, kind in row] for row in cells], cmap=colors, vmin=0, vmax=2, aspect="auto")
    for i, row in enumerate(cells):
        for j, (text, kind) in enumerate(row):
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if kind else "black")
    i, j = CRASHES.index(config["crash"]), list(DESIGNS).index(config["design"])
    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=3))
    ax.set_xticks(range(len(DESIGNS)), [d.replace(" (", "\n(").replace(", ", ",\n") for d in DESIGNS], fontsize=8)
    ax.set_yticks(range(len(CRASHES)), [f"crash: {c}" for c in CRASHES], fontsize=8)
    ax.set_xlim(-0.5, len(DESIGNS) - 0.5)
    ax.set_ylim(len(CRASHES) - 0.5, -0.5)
    charged = {0: "not charged", 1: "charged once"}.get(run.charges, f"charged {run.charges} times")
    style.label_axes(ax, title=f"server crashes at '{config['crash']}', {retries} retries every {delay:g} s:\n"
                     f"{charged}; the client's last reply: '{run.replies[-1]}'")
    ax.title.set_fontsize(9)
    replies = "   ".join(f"t={t:g}s: {reply}" for t, reply in zip(run.times, run.replies, strict=True))
    fig.text(0.02, 0.06, f"{config['design']}: {replies}", fontsize=8, wrap=True)
    return fig
