"""Chapter 1's basic pictures: the ladder as a lattice, and a history as a timeline.

* :func:`draw_ladder` -- the implication order of :data:`distlab.consistency.IMPLIES` as a
  networkx lattice, each rung filled with its availability class (what survives a partition) and,
  given a classification, marked ✓ holds / ✗ violated / ? unknown;
* :func:`draw_history` -- one lane per process, one bar per operation from invocation to
  completion (an indeterminate operation trails off to the right), a failing window highlighted;
* :func:`classify_history` -- :func:`distlab.consistency.classify` with a deterministic step
  budget, and a workaround for a bug in the library's violation explainer (see below).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch

from distlab.consistency import AVAILABILITY, IMPLIES, RUNGS, Budget, Classification, classify
from distlab.consistency.specs import Model
from distlab.sim.history import History, Op

from .panel import panel_render
from .style import BAD, GOOD, NEUTRAL, OKABE_ITO

__all__ = ["ladder_graph", "ladder_positions", "draw_ladder", "render_ladder", "draw_history",
           "classify_history", "AVAILABILITY_COLOURS", "VERDICT_MARKS", "op_label"]

#: Fill colour per availability class (vermillion and green are kept for verdicts).
AVAILABILITY_COLOURS = {
    "unavailable": OKABE_ITO["reddish_purple"],
    "sticky-available": OKABE_ITO["orange"],
    "totally-available": OKABE_ITO["sky_blue"],
    "consistent-prefix": OKABE_ITO["yellow"],
}
AVAILABILITY_WORDS = {
    "unavailable": "unavailable under partition",
    "sticky-available": "sticky available",
    "totally-available": "totally available",
    "consistent-prefix": "writes unavailable, reads available",
}
#: symbol, colour and word per verdict: never colour alone.
VERDICT_MARKS = {"holds": ("✓", GOOD), "violated": ("✗", BAD), "unknown": ("?", NEUTRAL)}


def availability_class(rung: str) -> str:
    """The availability class a rung is drawn with (a key of :data:`AVAILABILITY_COLOURS`)."""
    a = AVAILABILITY[rung]
    return a if a in AVAILABILITY_COLOURS else "consistent-prefix"


def ladder_graph() -> nx.DiGraph:
    """The rungs and their implication edges (stronger -> weaker), straight from ``IMPLIES``."""
    g = nx.DiGraph()
    g.add_nodes_from(RUNGS)
    for strong, weaker in IMPLIES.items():
        for w in weaker:
            g.add_edge(strong, w)
    return g


def ladder_positions(g: nx.DiGraph | None = None) -> dict[str, tuple[float, float]]:
    """Layered layout: one row per topological generation, strongest at the top."""
    g = g or ladder_graph()
    pos = {}
    for depth, layer in enumerate(nx.topological_generations(g)):
        for node in layer:
            pos[node] = (_COLUMN.get(node, 0.0), -1.3 * depth)
    return pos


#: Horizontal place of each rung (rows come from the graph's topological generations).
_COLUMN = {"linearizable": 0.0, "sequential": 0.0, "causal": -1.6, "consistent-prefix": 2.2,
           "pram": -2.6, "writes-follow-reads": 0.0, "read-your-writes": -3.2,
           "monotonic-reads": -1.0, "monotonic-writes": 1.2}
#: Where a rung's data items go: to its right, left, or below.
_ITEM_SIDE = {"linearizable": "right", "sequential": "right", "causal": "left",
              "consistent-prefix": "below", "pram": "left", "writes-follow-reads": "right"}


def draw_ladder(ax: Axes, classification: Classification | None = None,
                items: Mapping[str, Sequence[str]] | None = None, title: str | None = None,
                compact: bool = False, edges: bool = True) -> None:
    """Draw the lattice into ``ax``. ``classification`` marks verdicts; ``items`` maps a rung (or
    ``"eventual"``) to a list of data names placed next to it. ``edges=False`` leaves out the
    implication arrows, for a redraw into axes that still hold them (they never change)."""
    g = ladder_graph()
    pos = ladder_positions(g)
    bottom = min(y for _, y in pos.values())
    if edges:
        _draw_arrows(ax, g, pos)
    size = 8 if compact else 9
    for rung, (x, y) in pos.items():
        colour = AVAILABILITY_COLOURS[availability_class(rung)]
        edge, text, lw = "#333333", rung, 1.0
        if classification is not None:
            mark, edge = VERDICT_MARKS[classification.rungs[rung]]
            text, lw = f"{mark} {rung}", 2.6
        ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=3,
                bbox=dict(boxstyle="round,pad=0.35", fc=colour, ec=edge, lw=lw))
    ax.text(0, bottom - 1.3, "eventual (replicas converge: a property of a run)", ha="center", va="center",
            fontsize=size - 1, style="italic",
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=NEUTRAL, ls="--"))
    if items:
        for rung, names in items.items():
            x, y = pos[rung] if rung in pos else (0, bottom - 1.3)
            side = _ITEM_SIDE.get(rung, "below")
            text = "\n".join(names)
            if side == "below":
                x, y, ha, va = x, y - 0.4, "center", "top"
            else:
                x, ha, va = (x + 1.25, "left", "center") if side == "right" else (x - 1.1, "right", "center")
            ax.text(x, y, text, ha=ha, va=va, fontsize=size - 1, color=OKABE_ITO["blue"],
                    weight="bold", zorder=4)
    handles = [_patch(c, AVAILABILITY_WORDS[k]) for k, c in AVAILABILITY_COLOURS.items()]
    if classification is not None:
        handles += [_patch("white", f"{m} {w}", edge=c) for w, (m, c) in VERDICT_MARKS.items()]
    ax.legend(handles=handles, loc="upper left", fontsize=size - 2, frameon=False,
              bbox_to_anchor=(0.0, 1.0) if not compact else (-0.02, 1.02))
    ax.set_xlim(-4.6, 4.6)
    ax.set_ylim(bottom - 1.8, 0.7)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)


#: Half a rung box's height in the ladder's data units (the boxes' text is 8-9 pt; the axes span ~300 pt).
_BOX_HALF_HEIGHT = 0.24


def _draw_arrows(ax: Axes, g: nx.DiGraph, pos: Mapping[str, tuple[float, float]]) -> None:
    """One arrow per implication, from the bottom of the stronger rung's box to the top of the weaker
    one's (networkx's arrows shrink by a circle's radius, which left short vertical arrows as bare
    arrowheads)."""
    for strong, weak in g.edges:
        (x0, y0), (x1, y1) = pos[strong], pos[weak]
        ax.add_patch(FancyArrowPatch((x0, y0 - _BOX_HALF_HEIGHT), (x1, y1 + _BOX_HALF_HEIGHT), arrowstyle="-|>",
                                     mutation_scale=12, color="#555555", lw=1.2, shrinkA=1, shrinkB=1, zorder=2))


def _patch(colour: str, label: str, edge: str = "#333333") -> Patch:
    return Patch(facecolor=colour, edgecolor=edge, label=label, linewidth=2 if edge != "#333333" else 1)


@panel_render(defaults=dict(classification=None, items=None,
                            title="The consistency ladder: stronger rungs imply the ones below"))
def render_ladder(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The ladder on its own; settings ``classification`` (verdicts to mark), ``items``
    (rung -> data names) and ``title``, e.g. ``render_ladder(items=chooser_items())``."""
    from .style import prepare

    classification, items, title = config["classification"], config["items"], config["title"]
    if classification is not None and not isinstance(classification, Classification):
        raise ValueError(f"classification must be a Classification (from classify) or None, got {classification!r}")
    _check_items(items)
    if not isinstance(title, str):
        raise ValueError(f"title must be a string, got {title!r}")
    fig = prepare(fig, figsize=(8.0, 5.6))
    ax = fig.add_subplot()
    draw_ladder(ax, classification, items, title=title)
    return fig


def _check_items(items: object) -> None:
    """``items`` of :func:`render_ladder`: None, or rung (or ``"eventual"``) -> a list of names (a
    misspelt rung would otherwise be drawn beside *eventual*)."""
    if items is None:
        return
    places = (*RUNGS, "eventual")
    ok = isinstance(items, Mapping) and all(
        rung in places and isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names)
        for rung, names in items.items())
    if not ok:
        raise ValueError(f"items must map a rung of {places} to a list of names, got {items!r}")


# ----------------------------------------------------------------------------------- histories
def op_label(op: Op) -> str:
    """The text on an operation's bar: ``read[x] → 1``, ``write[x] 2``, ``cas[x] 1→2``, plus its
    status when it did not complete ok."""
    key = "" if op.key is None else f"[{op.key}]"
    if op.is_read:
        if op.status != "ok":
            return f"{op.f}{key} ({op.status})"
        shown = "nothing" if op.result in (None, "") else op.result
        return f"{op.f}{key} → {shown}"
    if op.f == "cas" and isinstance(op.value, tuple):
        body = f"cas{key} {op.value[0]}→{op.value[1]}"
    else:
        body = f"{op.f}{key} {op.value}"
    return body if op.status == "ok" else f"{body} ({op.status})"


def draw_history(ax: Axes, history: History, highlight: Iterable[int] = (), names: Mapping[Any, str] | None = None,
                 notes: Mapping[int, str] | None = None, xmax: float | None = None,
                 title: str | None = None, unit: str = "time") -> None:
    """One lane per process (top to bottom in first-invocation order); ``highlight`` are operation
    indices drawn in vermillion; ``notes`` maps an operation index to a short annotation."""
    procs: list[Any] = []
    for op in history:
        if op.process not in procs:
            procs.append(op.process)
    marked = set(highlight)
    notes = notes or {}
    ends = [o.complete for o in history if o.complete is not None] + [o.invoke for o in history] + [1.0]
    right = xmax if xmax is not None else max(ends) * 1.08 + 0.5
    left = min([o.invoke for o in history] or [0.0]) - 0.3
    char = 0.0085 * (right - left)             # rough width of one label character, in data units
    last_right: dict[tuple[int, int], float] = {}  # (lane, level) -> right edge of its last label
    for op in sorted(history, key=lambda o: (o.invoke, o.index)):
        y = -procs.index(op.process)
        end = op.complete if op.complete is not None else right
        mid = (op.invoke + min(end, right)) / 2
        half = len(op_label(op)) * char / 2
        level = 0
        while last_right.get((y, level), -float("inf")) > mid - half and level < 2:
            level += 1                         # stagger a label that would overlap its neighbour
        last_right[(y, level)] = mid + half
        colour = BAD if op.index in marked else (OKABE_ITO["blue"] if not op.is_read else OKABE_ITO["bluish_green"])
        style = "-" if op.status == "ok" else "--"
        ax.plot([op.invoke, end], [y, y], style, color=colour, lw=6, solid_capstyle="butt", alpha=0.85)
        ax.plot([op.invoke], [y], "|", color="black", ms=12)
        if op.complete is not None:
            ax.plot([op.complete], [y], "|", color="black", ms=12)
        ax.text(mid, y + 0.16 + 0.2 * level, op_label(op), ha="center", va="bottom", fontsize=8,
                color=BAD if op.index in marked else "black")
        if op.index in notes:
            ax.text((op.invoke + min(end, right)) / 2, y - 0.16, notes[op.index], ha="center", va="top",
                    fontsize=7, color="#444444", style="italic")
    ax.set_yticks([-i for i in range(len(procs))])
    ax.set_yticklabels([str((names or {}).get(p, p)) for p in procs])
    ax.set_ylim(-len(procs) + 0.4, 0.7)
    ax.set_xlim(left, right)
    ax.set_xlabel(unit)
    ax.set_ylabel("process")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)


def classify_history(history: History, model: str | Model | None = None, max_steps: int = 400_000,
                     timeout: float = 20.0) -> Classification:
    """``classify`` with a step budget per rung (deterministic verdicts) and a time cap."""
    return classify(history, model,
                    budget_factory=lambda: Budget(timeout=timeout, max_steps=max_steps))
