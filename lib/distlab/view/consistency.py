"""Chapter 1's view: every widget and plot of ``notebooks/01_consistency_ladder.ipynb``.

One import for the notebook (``from distlab.view import consistency as cv``); the pieces live in:

* `consistency_ladder` -- the ladder as a networkx lattice with availability classes; history timelines;
* `consistency_timeline` -- the editable timeline of the lecture's example with live verdicts;
* `consistency_sessions` -- the three user-visible bugs, each failing and then fixed by a session guarantee;
* `consistency_store` -- the replicated-store experiment panel; `consistency_tradeoff` -- the measured trade-off;
* this module -- a real Jepsen history, the rule-of-thumb chooser, and the quiz.
"""
from __future__ import annotations

import html
import os
import pathlib
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from distlab.consistency import RUNGS, read_file
from distlab.consistency.chooser import ITEMS, NEEDS, choose_rung, place_all
from distlab.consistency.quiz import QUIZ
from distlab.consistency.verdict import plural

from .consistency_ladder import VERDICT_MARKS, classify_history, draw_history, draw_ladder, ladder_graph, render_ladder
from .consistency_sessions import (
    POLICIES,
    STORIES,
    play,
    render_scene,
    replication,
    scene_panel,
    scene_report,
    scene_verdicts,
)
from .consistency_store import SESSION_MODES, render_store, store_config, store_panel, store_run
from .consistency_timeline import EXAMPLE, example_history, render_timeline, timeline_panel, timeline_verdicts
from .consistency_tradeoff import LADDER_ORDER, coordination_table, render_tradeoff, tradeoff, tradeoff_table
from .controls import switch_control
from .panel import Panel, fill_settings, panel_render, settings_of
from .quiz import Quiz
from .style import GOOD, prepare

__all__ = ["EXAMPLE", "LADDER_ORDER", "POLICIES", "SESSION_MODES", "STORIES", "chooser_items", "coordination_table",
           "chooser_panel", "chooser_table", "classify_history", "describe_backend", "draw_history", "draw_ladder",
           "example_history", "jepsen_report", "ladder_graph", "play", "quiz",
           "render_choice", "render_jepsen", "render_ladder", "render_puzzles", "render_scene", "render_store",
           "render_timeline", "render_tradeoff", "replication", "scene_panel", "scene_report",
           "scene_verdicts", "store_config", "store_panel", "store_run", "timeline_panel",
           "timeline_verdicts", "tradeoff", "tradeoff_table"]


# ----------------------------------------------------------------------------------- a real history
def jepsen_report(path: str | os.PathLike[str]) -> str:
    """Read a Jepsen history (format recognised from the content) and classify it: every rung's
    verdict, and for linearizability the reason and the smallest failing window."""
    path = pathlib.Path(path)
    h = read_file(path)
    c = classify_history(h)
    ok = sum(o.status == "ok" for o in h)
    who = plural(len(h.processes()), "process", "processes")
    lines = [f"{path.name}: {plural(len(h), 'operation')} ({ok} ok) from {who}",
             f"strongest: {', '.join(c.strongest) or 'none'}"]
    for rung in RUNGS:
        lines.append(f"  {VERDICT_MARKS[c.rungs[rung]][0]} {rung:20} {c.rungs[rung]}")
    lin = c.verdicts["linearizable"]
    lines.append(f"linearizable: {lin.explanation}")
    return "\n".join(lines)


def render_jepsen(path: str | os.PathLike[str], fig: Figure | None = None) -> Figure:
    """The smallest failing window of a non-linearizable history (or its first operations)."""
    h = read_file(pathlib.Path(path))
    v = classify_history(h).verdicts["linearizable"]
    window = v.window or []
    if window:
        lo = min(o.invoke for o in window)
        hi = max(o.end for o in window if o.complete is not None)
        lo -= 14                               # the operations just before: what the read should have seen
        near = [o for o in h if o.invoke <= hi and (o.complete is None or o.complete >= lo)]
        shown, bad = near, {o.index for o in window}
    else:
        shown, bad = list(h)[:12], set()
    from distlab.sim.history import History

    sub = History(tuple(shown))
    fig = prepare(fig, figsize=(9.0, 0.5 * len(sub.processes()) + 1.8))
    ax = fig.add_subplot()
    right = max(o.complete for o in shown if o.complete is not None) + 2
    fig.subplots_adjust(bottom=0.18)
    draw_history(ax, sub, highlight=bad, xmax=right, unit="position in the log (line number)",
                 title=f"{pathlib.Path(path).name}: linearizable {v.status}"
                       + (f" -- smallest failing window, {plural(len(window), 'operation')} in vermillion"
                          if window else ""))
    return fig


# ----------------------------------------------------------------------------------- the chooser
def chooser_items() -> dict[str, list[str]]:
    """Rung -> the data items the rule of thumb places there (for :func:`render_ladder`)."""
    out: dict[str, list[str]] = {}
    for item, choice in place_all():
        out.setdefault(choice.rung, []).append(item.name)
    return out


def chooser_table() -> str:
    """One line per item: the rung, its availability class and the reason."""
    lines = []
    for item, choice in place_all():
        lines.append(f"{item.name:16} -> {choice.rung:19} ({choice.availability}): {item.why}")
    return "\n".join(lines)


@panel_render(defaults=settings_of(choose_rung))
def render_choice(config: Mapping[str, Any], fig: Figure | None = None) -> str:
    """The chooser's answer as HTML: the rung, its availability, why, and which question decided
    (settings: one bool per question of ``distlab.consistency.chooser.NEEDS``, default False)."""
    choice = choose_rung(**{k: config[k] for k in NEEDS})          # refuses a non-bool by the question's name
    rows = "".join(
        f"<li style=\"{'font-weight:bold;color:' + GOOD if k in choice.needs else 'color:#555'}\">"
        f"{'→ ' if k in choice.needs else ''}{html.escape(q)}</li>" for k, q in NEEDS.items())
    matches = [i.name for i in ITEMS if choose_rung(**{n: True for n in i.needs}).rung == choice.rung]
    like = f"<br>Like: {html.escape(', '.join(matches))}" if matches else ""
    return (f'<div class="distlab-choice"><b>Use: {html.escape(choice.rung)}</b> '
            f"({html.escape(choice.availability)})<br><i>{html.escape(choice.reason)}</i>{like}"
            f'<ol style="margin-top:6px">{rows}</ol></div>')


def chooser_panel(**needs: bool) -> Panel:
    """One checkbox per question of the rule of thumb (`needs` ticks some, by the names of
    `render_choice`'s settings); the weakest rung giving every "yes" wins."""
    start = fill_settings("chooser_panel", render_choice.settings, needs)
    return Panel(render_choice, {k: switch_control(start[k], name=k, description=q, indent=False,
                                                   layout=widgets.Layout(width="auto"))
                                 for k, q in NEEDS.items()})


# ----------------------------------------------------------------------------------- quiz
def quiz() -> Quiz:
    """The chapter's five questions (data in `distlab.consistency.quiz`)."""
    return Quiz.from_data(QUIZ, title="Chapter 1: quick check")


# ----------------------------------------------------------------------------------- exercise 2
def render_puzzles(fig: Figure | None = None) -> Figure:
    """The four histories of exercise 2 (``distlab.grading.consistency.puzzles``), one per row."""
    from distlab.grading.consistency import puzzles

    hs = puzzles()
    fig = prepare(fig, figsize=(10.0, 8.4))
    for i, (name, h) in enumerate(hs.items()):
        ax = fig.add_subplot(len(hs), 1, i + 1)
        draw_history(ax, h, unit="time (s)", title=f"history {name}")
    fig.subplots_adjust(hspace=1.0, left=0.1, right=0.98, top=0.95, bottom=0.07)
    return fig


def describe_backend() -> str:
    """Where this chapter's numbers come from (no external service: the simulated store)."""
    return ("backend: embedded -- the simulated replicated store (distlab.consistency.store_experiment) on the "
            "course's kernel; checkers run in-process")
