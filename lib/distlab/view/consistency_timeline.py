"""The editable timeline: a small history whose operations you move and whose results you change,
with every rung's verdict redrawn on the ladder next to it.

It starts from the lecture's example: Alice's ``write 1`` completes at *t1*; Bob's read begins
after *t1*, so under linearizability it must return 1. Controls move *t1* and Bob's first read,
and change what Bob's two reads and Alice's read-back return; :func:`example_history` builds the
history, :func:`render_timeline` draws it with the ladder, :func:`timeline_verdicts` gives the
text (the strongest rungs and why the first failing rungs fail).
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.consistency import RUNGS
from distlab.consistency.ladder import Classification
from distlab.sim.history import History, Op

from .consistency_ladder import VERDICT_MARKS, classify_history, draw_history, draw_ladder
from .controls import choice_control, fraction_control
from .panel import Panel, fill_settings, panel_render
from .settings import number_setting
from .style import Memo, prepare

__all__ = ["EXAMPLE", "RESULTS", "TimelinePanel", "example_history", "timeline_classification",
           "timeline_verdicts", "render_timeline", "timeline_panel"]

#: The lecture's starting point: the read begins after t1 and returns 1 (linearizable).
EXAMPLE = {"t1": 2.0, "read_start": 3.0, "read_result": "1", "second_read": "2", "alice_reads": "2"}
RESULTS = ("nothing", "1", "2")
NAMES = {0: "Alice", 1: "Bob"}
_WRITE2 = (5.0, 6.0)        # Alice's write 2
_ALICE_READ = (7.0, 8.0)    # Alice reads her data back
_BOB_READ2 = (9.0, 10.0)    # Bob's second read
_READ_LEN = 1.0


def _result(config: Mapping[str, Any], read: str) -> int | None:
    """What the read `read` (a key of :data:`EXAMPLE`) returns, refused by name unless one of :data:`RESULTS`."""
    name = config[read]
    if name not in RESULTS:
        raise ValueError(f"{read} must be one of {RESULTS}, got {name!r}")
    return None if name == "nothing" else int(name)


def example_history(config: Mapping[str, Any]) -> History:
    """Alice writes 1 (ends at ``t1``) and 2, then reads back; Bob reads twice (the first at
    ``read_start``). Results are ``"nothing"`` (never written), ``"1"`` or ``"2"``."""
    t1 = number_setting(config, "t1", 0.5, _WRITE2[0] - 0.5, " s")
    start = number_setting(config, "read_start", 0.0, _BOB_READ2[0] - _READ_LEN - 0.25, " s")
    alice, bob = NAMES[0], NAMES[1]             # processes named as the plot names them (so do the verdicts)
    ops = [Op(alice, "write", 1, None, 0.0, t1, "ok"),
           Op(alice, "write", 2, None, *_WRITE2, "ok"),
           Op(alice, "read", None, None, *_ALICE_READ, "ok", result=_result(config, "alice_reads")),
           Op(bob, "read", None, None, start, start + _READ_LEN, "ok", result=_result(config, "read_result")),
           Op(bob, "read", None, None, *_BOB_READ2, "ok", result=_result(config, "second_read"))]
    return History.of(ops)


def timeline_classification(config: Mapping[str, Any]) -> Classification:
    """Every rung's verdict for the edited history (memoised: the panel's picture and its text
    both need it, and a learner often returns to a setting)."""
    return _classify(tuple(sorted((k, config[k]) for k in EXAMPLE)))


@lru_cache(maxsize=256)
def _classify(items: tuple[tuple[str, Any], ...]) -> Classification:
    return classify_history(example_history(dict(items)), "register")


_NEVER_WRITTEN = re.compile(r"\bNone\b")     # the checker's value of a register never written
#: Why Bob reading 2, then 1 fails monotonic writes, not monotonic reads (said on screen when it happens).
WHY_MONOTONIC_WRITES = (
    "Why monotonic writes fails and monotonic reads holds: Bob read 2, then 1. Nothing Bob saw puts write 1 "
    "before write 2, so an order with 2 first explains his reads without going back in time -- monotonic reads "
    "alone does not know the order in which Alice wrote. What no order can excuse is showing Alice's writes "
    "in a different order from the one she issued them (1, then 2): that is monotonic writes. (In section 3 "
    "Bob reads 1, then 2, then 1: his own reads put 1 before 2, so the third read does go back in time.)")


def timeline_verdicts(config: Mapping[str, Any], classification: Classification | None = None) -> list[str]:
    """Plain-text lines: the strongest rungs that hold, then each *directly* failing rung and why."""
    c = classification or timeline_classification(config)
    lines = [f"strongest: {', '.join(c.strongest) or 'none'}"]
    for rung in RUNGS:
        status = c.rungs[rung]
        mark = VERDICT_MARKS[status][0]
        why = c.explanations[rung]
        if status != "holds" and not why.startswith("violated because it implies"):
            lines.append(f"{mark} {rung}: {_NEVER_WRITTEN.sub('nothing', why)}")
    if c.rungs["monotonic-reads"] == "holds" and c.rungs["monotonic-writes"] == "violated":
        lines.append(WHY_MONOTONIC_WRITES)
    if len(lines) == 1:
        lines.append("✓ every rung holds: there is one real-time order in which every read returns "
                     "the latest write")
    return lines


@panel_render(defaults=EXAMPLE)
def render_timeline(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The history (left) and the ladder with every rung's verdict (right), for the settings of
    :data:`EXAMPLE` (``t1``, ``read_start``, ``read_result``, ``second_read``, ``alice_reads``):
    ``render_timeline(EXAMPLE)`` or ``render_timeline(EXAMPLE, read_result="nothing")``."""
    h = example_history(config)
    c = timeline_classification(config)
    v = c.verdicts.get("linearizable")
    window = {o.index for o in (v.window or [])} if v is not None and v.status == "violated" else set()
    fig, ax, right, has_edges = _two_axes(fig)
    t1 = float(config["t1"])
    ax.axvline(t1, color="#888888", ls=":", lw=1)
    ax.text(t1, -1.55, " t1", color="#555555", fontsize=8, va="bottom")
    draw_history(ax, h, highlight=window, names=NAMES, xmax=10.8, unit="time (s)",
                 title=f"Alice's write 1 ends at t1 = {t1:g} s; Bob reads from {float(config['read_start']):g} s")
    ax.set_ylim(-1.6, 0.7)
    draw_ladder(right, c, compact=True, title=f"strongest: {', '.join(c.strongest) or 'none'}",
                edges=not has_edges)
    return fig


_TIMELINE: Memo[tuple[Axes, Axes]] = Memo("_distlab_timeline")


def _two_axes(fig: Figure | None) -> tuple[Figure, Axes, Axes, bool]:
    """The timeline and ladder axes, and whether the ladder's arrows are already drawn: new axes, or
    a panel's previous ones emptied of their artists except those arrows (clearing and re-creating
    two axes costs more than drawing the picture; the arrows are the same every time)."""
    if fig is not None and _TIMELINE.get(fig) == tuple(fig.axes) and len(fig.axes) == 2:
        ax, right = fig.axes
        for artist in [*ax.lines, *ax.texts, *ax.patches, *ax.collections, *right.lines, *right.texts,
                       *right.collections]:
            artist.remove()
        for a in (ax, right):
            if a.legend_ is not None:
                a.legend_.remove()
            a.set_title("")
        return fig, ax, right, True
    fig = prepare(fig, figsize=(11.0, 4.4))
    ax = fig.add_axes((0.07, 0.13, 0.43, 0.75))
    right = fig.add_axes((0.52, 0.0, 0.48, 0.95))
    for a in (ax, right):
        # the title stays at the top of the axes (where matplotlib puts it above bottom ticks) instead
        # of being re-placed on every draw, which measures every tick label
        a.set_title("", y=1.0)
    _TIMELINE.put(fig, (ax, right))
    return fig, ax, right, False


def _explain_html(panel: Panel) -> str:
    if not isinstance(panel.last_config, Mapping):  # None: the last settings could not be drawn
        return ""
    lines = timeline_verdicts(panel.last_config)
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[1:])
    return (f'<div class="distlab-verdicts"><b>{html.escape(lines[0])}</b>'
            f'<ul style="margin:2px 0">{items}</ul></div>')


class TimelinePanel(Panel):
    """The timeline's `Panel`, with the verdicts as HTML under the controls (`explanation`)."""

    def __init__(self, controls: Mapping[str, widgets.ValueWidget]) -> None:
        self.explanation = widgets.HTML()
        super().__init__(render_timeline, controls, figsize=(11.0, 4.4), extra=self.explanation)
        self.widget.children[0].layout.flex_flow = "row wrap"
        self.on_redraw(self._explain)
        self._explain(self)

    def _explain(self, panel: Panel) -> None:
        self.explanation.value = _explain_html(panel)


def timeline_panel(**settings: Any) -> TimelinePanel:
    """Sliders move *t1* and Bob's first read; menus change what each read returns.  `settings`
    (the names of :data:`EXAMPLE`) set where they start; the others start at the lecture's example."""
    cfg = fill_settings("timeline_panel", EXAMPLE, settings)
    style = {"description_width": "initial"}
    controls = {
        "t1": fraction_control(cfg["t1"], min=0.5, max=4.5, step=0.5, name="t1", description="t1 (write 1 ends, s)",
                               continuous_update=False),
        "read_start": fraction_control(cfg["read_start"], min=0.0, max=7.5, step=0.5, name="read_start",
                                       description="Bob's read starts (s)", continuous_update=False),
        "read_result": choice_control(RESULTS, cfg["read_result"], name="read_result", description="it returns",
                                      style=style, layout=widgets.Layout(width="160px")),
        "second_read": choice_control(RESULTS, cfg["second_read"], name="second_read",
                                      description="Bob's 2nd read", style=style,
                                      layout=widgets.Layout(width="190px")),
        "alice_reads": choice_control(RESULTS, cfg["alice_reads"], name="alice_reads",
                                      description="Alice reads back", style=style,
                                      layout=widgets.Layout(width="200px")),
    }
    return TimelinePanel(controls)
