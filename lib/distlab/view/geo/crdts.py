"""Chapter 4, section 6: the CRDTs one by one, and Yjs (pycrdt) beside them.

`crdt_panel` replays a seeded random script of one CRDT kind (`distlab.geo.crdts.run_crdt`): each
replica's updates and the deliveries between them (a delivery ships the sender's whole state, and
the receiver merges it), each replica's value at the end, everything merged, and what the type's
specification says the value must be. `yjs_table` is the comparison with Yjs, run now.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from distlab.geo.crdt_base import show
from distlab.geo.crdt_laws import CrdtRun, Issue, run_crdt
from distlab.geo.crdts import KINDS

from .. import style
from ..controls import choice_control, seed_control, size_control
from ..panel import Panel, panel_render, settings_of
from ..settings import seed_of, whole
from .common import STYLE, remembered, wrapped_row

__all__ = ["Table", "crdt_panel", "crdt_title", "render_crdt", "yjs_table"]

FIGSIZE = (7.2, 3.6)
UPDATE_COLOR, SYNC_COLOR = style.OKABE_ITO["blue"], style.NEUTRAL


def crdt_panel(kind: str = "or-set", steps: int = 10, seed: int = 0) -> Panel:
    """A menu of the nine CRDT kinds and a slider for the script's length."""
    return wrapped_row(render_crdt, {
        "kind": choice_control(list(KINDS), kind, name="kind", description="CRDT", style=STYLE),
        "steps": size_control(steps, min=2, max=16, name="steps", description="steps"),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)


@remembered(maxsize=512)
def _run(kind: str, steps: int, seed: int) -> CrdtRun:
    return run_crdt(kind=kind, replicas=3, steps=steps, seed=seed)


def crdt_title(run: CrdtRun) -> str:
    """What the kind keeps, and the merged value against the specification's."""
    verdict = "✓ equal" if run.value == run.spec else "✗ different"
    return (f"{run.kind} keeps {KINDS[run.kind].keeps}\nall replicas merged (in any order): {show(run.value)}; "
            f"the specification says {show(run.spec)} ({verdict})")


@panel_render(defaults=settings_of(crdt_panel))
def render_crdt(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The script of ``kind`` (``steps`` long, ``seed``): updates at each replica, deliveries as
    arrows, each replica's final value, and the merged value against the specification."""
    if config["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {config['kind']!r}")
    run = _run(config["kind"], whole(config, "steps", 2, 16), seed_of(config))
    fig, ax = style.reuse_axes(fig, rect=(0.06, 0.12, 0.60, 0.68), figsize=FIGSIZE)
    names = run.script.replicas
    rows = {name: len(names) - 1 - i for i, name in enumerate(names)}
    xs: list[float] = []
    ys: list[float] = []
    for number, step in enumerate(run.script.steps, 1):
        if isinstance(step, Issue):
            ax.plot([number], [rows[step.replica]], marker="o", color=UPDATE_COLOR, markersize=6, linestyle="none")
            ax.text(number, rows[step.replica] + 0.15, str(step.update), ha="center", va="bottom", fontsize=6,
                    rotation=35)
        else:
            xs += [number, number, float("nan")]
            ys += [rows[step.src], rows[step.dst], float("nan")]
            ax.plot([number], [rows[step.dst]], marker="v" if rows[step.dst] < rows[step.src] else "^",
                    color=SYNC_COLOR, markersize=6, linestyle="none")
    ax.plot(xs, ys, color=SYNC_COLOR, lw=1)
    last = len(run.script.steps)
    for name in names:
        ax.text(last + 0.8, rows[name], f"{name} ends with {show(run.finals[name].value())}", va="center",
                fontsize=7)
    ax.set_yticks(list(rows.values()), list(rows), fontsize=8)
    ax.set_ylim(-0.5, len(names) - 0.2)
    ax.set_xlim(0.3, last + 0.7)
    ax.set_xticks(range(1, last + 1))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("step (dot: an update; arrow: a delivery of the whole state, merged)", fontsize=7)
    ax.set_title(crdt_title(run), fontsize=8, loc="left")
    return fig


class Table:
    """Rows with a header, shown as an HTML table in JupyterLab and as aligned text elsewhere."""

    def __init__(self, head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.head = tuple(head)
        self.rows = [tuple(r) for r in rows]

    def _repr_html_(self) -> str:
        cell = "<td style='text-align:left;vertical-align:top'>{}</td>"
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.head)
        body = "".join("<tr>" + "".join(cell.format(html.escape(c)) for c in r) + "</tr>" for r in self.rows)
        return f"<table class='distlab-table'><tr>{head}</tr>{body}</table>"

    def __repr__(self) -> str:
        return "\n".join(" | ".join(r) for r in [self.head, *self.rows])


def yjs_table() -> Table:
    """Where Yjs (pycrdt) and our CRDTs differ: each claim, and what each gave on the same edits."""
    from distlab.geo.yjs_table import table

    return Table(("situation", "Yjs", "ours", "Yjs gave", "ours gave"), list(table()))
