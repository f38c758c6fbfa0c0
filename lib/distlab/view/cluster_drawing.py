"""The cluster drawing: who is up, who leads, which links are cut, which messages are in flight.

A chapter turns its simulation state into a plain `ClusterPicture` (no widgets, no simulator
objects; the picture and its parts live in `cluster_picture` and are re-exported here) and
`render_cluster` draws it with networkx on a circular layout, so the same nodes always sit in the
same places.  `update_cluster` draws the same picture into a figure redrawn frame after
frame (a replay), re-setting only what moved while the servers, roles and links stay the same.
Conventions (each carries a shape or a word, not only a colour):

* a node's role (leader / candidate / follower, or any other word) sets its marker and fill, and
  the role is printed under the node;
* a crashed node is grey with a ✗ and the word "crashed"; a paused node is faded, with ‖ and
  the word "paused";
* a link cut both ways (a partition) is a dashed vermillion line; a link cut one way only is a
  dashed vermillion arrow pointing in the direction whose messages are dropped;
* a message in flight is a dot on the line from sender to receiver, `progress` of the way along;
  with up to `MAX_MESSAGE_LABELS` messages each dot carries its label where it clears the servers,
  their words and the other labels (`cluster_labels`); with more the labels would pile up, so the
  legend counts them instead ("AppendEntries ×6").

The drawing follows RaftScope's picture of a Raft cluster (Ongaro, raft.github.io), redrawn here
with our own code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from numpy.typing import NDArray

from .cluster_labels import MESSAGE_PT, XLIM, YLIM, data_per_point, label_spots, server_boxes
from .cluster_picture import (
    EXAMPLE_FAULTS,
    ClusterPicture,
    Link,
    MsgPic,
    NodePic,
    classify_links,
    example_picture,
)
from .panel import Panel, panel_render
from .style import BAD, CRASHED_FILL, OKABE_ITO, AnyFigure, Memo, new_figure, reuse_axes, role_style

__all__ = ["EXAMPLE_FAULTS", "MAX_MESSAGE_LABELS", "ClusterPicture", "MsgPic", "NodePic", "classify_links",
           "cluster_panel", "example_picture", "layout", "message_legend", "message_position",
           "render_cluster", "render_example", "update_cluster"]

MESSAGE_COLOR = OKABE_ITO["yellow"]
ONE_WAY_COLOR = BAD  # a cut is a cut; the arrow is what tells one-way from both ways
LINK_COLOR = "#BBBBBB"
MAX_MESSAGE_LABELS = 4
SERVER_RADIUS_PT = 19.5  #: a server marker's radius (a leader's star: node_size 1500 pt², halved root)

#: Node positions by id (networkx gives numpy pairs).
Positions = dict[str, NDArray[np.float64]]


def layout(picture: ClusterPicture) -> Positions:
    """Circular positions, node order as given, so the same cluster is always drawn the same way."""
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in picture.nodes)
    positions: Positions = nx.circular_layout(graph)
    return positions


def message_position(pos: Positions, msg: MsgPic) -> tuple[float, float]:
    """Where a message dot sits: `progress` of the way from its sender to its receiver."""
    (x0, y0), (x1, y1) = pos[msg.src], pos[msg.dst]
    return x0 + msg.progress * (x1 - x0), y0 + msg.progress * (y1 - y0)


def render_cluster(picture: ClusterPicture, fig: Figure | None = None) -> Figure:
    """Draw `picture` into `fig` (cleared) or a new figure; returns the figure."""
    if fig is None:
        fig = new_figure()
    _draw_cluster(picture, fig)
    return fig


def update_cluster(picture: ClusterPicture, fig: AnyFigure) -> AnyFigure:
    """`render_cluster` for a figure redrawn many times (a replay's frames): when `fig` last showed,
    through this function, the same servers in the same roles and states with the same cut links,
    only the parts that move are redrawn -- the labels under the servers, the messages in flight
    and, when its entries changed, the legend -- and the picture is the one `render_cluster` draws.
    Otherwise it is `render_cluster`.  Unlike `render_cluster`, the fast path leaves the figure's
    other texts and legends in place (a caller keeps its own and checks they are still there)."""
    drawn = _DRAWN.get(fig)
    if (drawn is None or drawn.key != _structure(picture) or fig.axes != [drawn.ax]
            or drawn.legend not in fig.legends):  # e.g. render_cluster drew here since
        _DRAWN.put(fig, _draw_cluster(picture, fig))
        return fig
    for text, n in zip(drawn.words, picture.nodes):
        text.set_text(_words(n))
    for artist in drawn.messages:
        artist.remove()
    drawn.messages = _draw_messages(drawn.ax, drawn.pos, picture)
    handles = _legend_handles(picture, drawn.both, drawn.one_way)
    if [h.get_label() for h in handles] != drawn.legend_labels:
        at = fig.legends.index(drawn.legend)
        drawn.legend.remove()
        drawn.legend = _add_legend(fig, handles)
        fig.legends.remove(drawn.legend)
        fig.legends.insert(at, drawn.legend)  # the same drawing order as on a fresh figure
        drawn.legend_labels = [h.get_label() for h in handles]
    return fig


#: What fixes everything but the node labels, the messages and the legend.
_Structure = tuple[tuple[tuple[str, str, bool, bool], ...], frozenset[Link], str]


@dataclass
class _Drawn:
    """What `update_cluster` keeps between frames: the artists that move and what fixes the rest."""

    ax: Axes
    key: _Structure
    pos: Positions
    both: list[Link]
    one_way: list[Link]
    words: list[Text]
    messages: list[Artist]
    legend: Legend
    legend_labels: list[object]  # the handles' labels (matplotlib types them as object)


_DRAWN: Memo[_Drawn] = Memo("_distlab_cluster")


def _structure(picture: ClusterPicture) -> _Structure:
    """Everything but the node labels, the messages and the legend is fixed by this."""
    return (tuple((n.id, n.role, n.up, n.paused) for n in picture.nodes), picture.blocked,
            picture.title)


def _draw_cluster(picture: ClusterPicture, fig: AnyFigure) -> _Drawn:
    _, ax = reuse_axes(fig, (0.01, 0.02, 0.66, 0.88))
    pos = layout(picture)
    graph = nx.DiGraph()
    graph.add_nodes_from(pos)
    open_, both, one_way = classify_links(picture)
    nx.draw_networkx_edges(graph, pos, edgelist=open_, ax=ax, edge_color=LINK_COLOR, width=1.0,
                           arrows=False)
    if both:
        nx.draw_networkx_edges(graph, pos, edgelist=both, ax=ax, edge_color=BAD, width=2.0,
                               style="dashed", arrows=False)
    if one_way:
        nx.draw_networkx_edges(graph, pos, edgelist=one_way, ax=ax, edge_color=ONE_WAY_COLOR,
                               width=2.0, style="dashed", arrows=True, arrowstyle="-|>",
                               arrowsize=18, node_size=900)
    words = _draw_nodes(ax, graph, pos, picture.nodes)
    messages = _draw_messages(ax, pos, picture)
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(picture.title)
    handles = _legend_handles(picture, both, one_way)
    legend = _add_legend(fig, handles)
    return _Drawn(ax, _structure(picture), pos, both, one_way, words, messages, legend,
                  [h.get_label() for h in handles])


def _add_legend(fig: FigureBase, handles: list[Line2D]) -> Legend:
    return fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.9), fontsize=8,
                      frameon=False)


def _words(n: NodePic) -> str:
    """The line under a node: its role, crashed / paused, and its label."""
    state = "crashed" if not n.up else ("paused" if n.paused else "")
    return " · ".join(w for w in (role_style(n.role).word, state, n.label) if w)


def _draw_nodes(ax: Axes, graph: Any, pos: Positions, nodes: Sequence[NodePic]) -> list[Text]:
    """Draw the nodes; returns the text under each node (in node order)."""
    groups: dict[tuple[str], list[NodePic]] = {}
    for n in nodes:
        style = role_style(n.role)
        groups.setdefault((style.marker,), []).append(n)
    for (marker,), members in groups.items():
        colors = [role_style(n.role).color if n.up else CRASHED_FILL for n in members]
        alphas = [0.45 if (n.paused and n.up) else 1.0 for n in members]
        nx.draw_networkx_nodes(graph, pos, nodelist=[n.id for n in members], ax=ax,
                               node_shape=marker, node_color=colors, alpha=alphas,
                               edgecolors="black", linewidths=1.2,
                               node_size=1500 if marker == "*" else 900)
    words = []
    for n in nodes:
        x, y = pos[n.id]
        mark = "✗" if not n.up else ("‖" if n.paused else "")
        ax.text(x, y, f"{n.id}{mark}", ha="center", va="center", fontsize=9, fontweight="bold")
        words.append(ax.text(x, y - 0.24, _words(n), ha="center", va="top", fontsize=7.5))
    return words


def _draw_messages(ax: Axes, pos: Positions, picture: ClusterPicture) -> list[Artist]:
    """Draw the messages in flight above everything else, each label where it overlaps nothing
    (`cluster_labels`); returns the artists drawn."""
    messages = picture.in_flight
    if not messages:
        return []
    points = [message_position(pos, m) for m in messages]
    artists: list[Artist] = [ax.scatter([p[0] for p in points], [p[1] for p in points], s=70,
                                        c=MESSAGE_COLOR, edgecolors="black", linewidths=1.0, zorder=5)]
    if len(messages) > MAX_MESSAGE_LABELS:
        return artists
    unit = data_per_point(ax)
    blocked = server_boxes(pos, {n.id: _words(n) for n in picture.nodes}, unit, SERVER_RADIUS_PT)
    for spot, m in zip(label_spots(points, [m.label for m in messages], blocked, unit), messages):
        if spot is not None:
            artists.append(ax.text(spot.x, spot.y, m.label, fontsize=MESSAGE_PT, zorder=6, ha=spot.ha,
                                   va=spot.va))
    return artists


def message_legend(messages: Sequence[MsgPic]) -> str:
    """The legend entry for messages: per-label counts once there are too many to label."""
    if len(messages) <= MAX_MESSAGE_LABELS:
        return "message in flight"
    counts: dict[str, int] = {}
    for m in messages:
        counts[m.label or "unlabelled"] = counts.get(m.label or "unlabelled", 0) + 1
    return "in flight:\n" + "\n".join(f"{k} ×{v}" for k, v in counts.items())


def _legend_handles(picture: ClusterPicture, both: list[Link], one_way: list[Link]) -> list[Line2D]:
    handles: list[Line2D] = []
    seen: set[str] = set()
    for n in picture.nodes:
        style = role_style(n.role)
        if style.word not in seen:
            seen.add(style.word)
            handles.append(Line2D([], [], marker=style.marker, color="none", markersize=10,
                                  markerfacecolor=style.color, markeredgecolor="black",
                                  label=style.word))
    if any(not n.up for n in picture.nodes):
        handles.append(Line2D([], [], marker="o", color="none", markersize=10,
                              markerfacecolor=CRASHED_FILL, markeredgecolor="black",
                              label="✗ crashed"))
    if any(n.paused and n.up for n in picture.nodes):
        handles.append(Line2D([], [], marker="o", color="none", markersize=10, alpha=0.45,
                              markerfacecolor="#999999", markeredgecolor="black",
                              label="‖ paused"))
    handles.append(Line2D([], [], color=LINK_COLOR, label="link"))
    if both:
        handles.append(Line2D([], [], color=BAD, linestyle="--", lw=2, label="partitioned link"))
    if one_way:
        handles.append(Line2D([], [], color=ONE_WAY_COLOR, linestyle="--", lw=2,
                              label="one-way cut\n(arrow: dropped direction)"))
    if picture.in_flight:
        handles.append(Line2D([], [], marker="o", color="none", markerfacecolor=MESSAGE_COLOR,
                              markeredgecolor="black", label=message_legend(picture.in_flight)))
    return handles


@panel_render(defaults=dict(nodes=5, seed=0, fault="none"))  # as cluster_panel
def render_example(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The demo panel's render: an `example_picture` for ``nodes``, ``seed`` (default 0) and
    ``fault`` (default ``"none"``), e.g. ``render_example(nodes=5, fault="crash")``."""
    return render_cluster(example_picture(config["nodes"], config.get("seed", 0),
                                          config.get("fault", "none")), fig=fig)


def cluster_panel(nodes: int = 5, seed: int = 0, fault: str = "none") -> Panel:
    """The demo panel: a node-count slider (3..9), a seed box and a fault menu."""
    from .controls import fault_control, seed_control, size_control

    return Panel(render_example, {
        "nodes": size_control(nodes, min=3, max=9, name="nodes"),
        "seed": seed_control(seed, name="seed"),
        "fault": fault_control(EXAMPLE_FAULTS, fault, name="fault"),
    })
