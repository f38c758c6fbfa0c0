"""The cluster drawing: who is up, who leads, which links are cut, which messages are in flight.

A chapter turns its simulation state into a plain `ClusterPicture` (no widgets, no simulator
objects) and `render_cluster` draws it with networkx on a circular layout, so the same nodes always
sit in the same places.  `update_cluster` draws the same picture into a figure redrawn frame after
frame (a replay), re-setting only what moved while the servers, roles and links stay the same.
Conventions (each carries a shape or a word, not only a colour):

* a node's role (leader / candidate / follower, or any other word) sets its marker and fill, and
  the role is printed under the node;
* a crashed node is grey with a ✗ and the word "crashed"; a paused node is faded, with ‖ and
  the word "paused";
* a link cut both ways (a partition) is a dashed vermillion line; a link cut one way only is a
  dashed vermillion arrow pointing in the direction whose messages are dropped;
* a message in flight is a dot on the line from sender to receiver, `progress` of the way along;
  with up to `MAX_MESSAGE_LABELS` messages each dot carries its label, with more the labels would
  pile up, so the legend counts them instead ("AppendEntries ×6").

The drawing follows RaftScope's picture of a Raft cluster (Ongaro, raft.github.io), redrawn here
with our own code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .style import BAD, CRASHED_FILL, OKABE_ITO, reuse_axes, role_style

MESSAGE_COLOR = OKABE_ITO["yellow"]
ONE_WAY_COLOR = BAD  # a cut is a cut; the arrow is what tells one-way from both ways
LINK_COLOR = "#BBBBBB"
MAX_MESSAGE_LABELS = 4


@dataclass(frozen=True)
class NodePic:
    """One node as drawn: `id`, `role` (any word), an optional `label` (e.g. ``"term 3"``)."""

    id: str
    role: str = "follower"
    label: str = ""
    up: bool = True
    paused: bool = False


@dataclass(frozen=True)
class MsgPic:
    """A message from `src` to `dst`, drawn `progress` (0 = just sent, 1 = arriving) of the way."""

    src: str
    dst: str
    label: str = ""
    progress: float = 0.5

    def __post_init__(self):
        if not 0.0 <= self.progress <= 1.0:
            raise ValueError(f"progress must be in [0, 1], got {self.progress!r}")


@dataclass(frozen=True)
class ClusterPicture:
    """Everything `render_cluster` needs.  ``blocked`` holds directed pairs ``(src, dst)`` whose
    messages are dropped; both directions blocked is a partition of that link."""

    nodes: list[NodePic]
    blocked: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    in_flight: list[MsgPic] = field(default_factory=list)
    title: str = "Cluster"

    def __post_init__(self):
        ids = [n.id for n in self.nodes]
        if not ids:
            raise ValueError("nodes must contain at least one node")
        if len(set(ids)) != len(ids):
            raise ValueError(f"nodes must have distinct ids, got {ids!r}")
        known = set(ids)
        for src, dst in self.blocked:
            if src not in known or dst not in known or src == dst:
                raise ValueError(f"blocked must hold pairs of distinct node ids from "
                                 f"{sorted(known)!r}, got {(src, dst)!r}")
        for m in self.in_flight:
            if m.src not in known or m.dst not in known:
                raise ValueError(f"in_flight messages must go between node ids {sorted(known)!r},"
                                 f" got {m.src!r} -> {m.dst!r}")
        object.__setattr__(self, "blocked", frozenset(self.blocked))


def classify_links(picture: ClusterPicture):
    """Split every pair of nodes into ``(open, partitioned, one_way)``; `one_way` holds the
    directed pair whose messages are dropped.  Pure, so tests can check the drawing's logic."""
    ids = [n.id for n in picture.nodes]
    open_, both, one_way = [], [], []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ab, ba = (a, b) in picture.blocked, (b, a) in picture.blocked
            if ab and ba:
                both.append((a, b))
            elif ab:
                one_way.append((a, b))
            elif ba:
                one_way.append((b, a))
            else:
                open_.append((a, b))
    return open_, both, one_way


def layout(picture: ClusterPicture) -> dict:
    """Circular positions, node order as given, so the same cluster is always drawn the same way."""
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in picture.nodes)
    return nx.circular_layout(graph)


def message_position(pos: dict, msg: MsgPic):
    """Where a message dot sits: `progress` of the way from its sender to its receiver."""
    (x0, y0), (x1, y1) = pos[msg.src], pos[msg.dst]
    return x0 + msg.progress * (x1 - x0), y0 + msg.progress * (y1 - y0)


def render_cluster(picture: ClusterPicture, fig: Figure | None = None) -> Figure:
    """Draw `picture` into `fig` (cleared) or a new figure; returns the figure."""
    return _draw_cluster(picture, fig).fig


def update_cluster(picture: ClusterPicture, fig: Figure) -> Figure:
    """`render_cluster` for a figure redrawn many times (a replay's frames): when `fig` last showed,
    through this function, the same servers in the same roles and states with the same cut links,
    only the parts that move are redrawn -- the labels under the servers, the messages in flight
    and, when its entries changed, the legend -- and the picture is the one `render_cluster` draws.
    Otherwise it is `render_cluster`.  Unlike `render_cluster`, the fast path leaves the figure's
    other texts and legends in place (a caller keeps its own and checks they are still there)."""
    drawn = getattr(fig, "_distlab_cluster", None)
    if (drawn is None or drawn.key != _structure(picture) or fig.axes != [drawn.ax]
            or drawn.legend not in fig.legends):  # e.g. render_cluster drew here since
        fig._distlab_cluster = _draw_cluster(picture, fig)
        return fig
    for text, n in zip(drawn.words, picture.nodes):
        text.set_text(_words(n))
    for artist in drawn.messages:
        artist.remove()
    drawn.messages = _draw_messages(drawn.ax, drawn.pos, picture.in_flight)
    handles = _legend_handles(picture, drawn.both, drawn.one_way)
    if [h.get_label() for h in handles] != drawn.legend_labels:
        at = fig.legends.index(drawn.legend)
        drawn.legend.remove()
        drawn.legend = _add_legend(fig, handles)
        fig.legends.remove(drawn.legend)
        fig.legends.insert(at, drawn.legend)  # the same drawing order as on a fresh figure
        drawn.legend_labels = [h.get_label() for h in handles]
    return fig


@dataclass
class _Drawn:
    """What `update_cluster` keeps between frames: the artists that move and what fixes the rest."""

    fig: Figure
    ax: object
    key: tuple
    pos: dict
    both: list
    one_way: list
    words: list
    messages: list
    legend: object
    legend_labels: list


def _structure(picture: ClusterPicture) -> tuple:
    """Everything but the node labels, the messages and the legend is fixed by this."""
    return (tuple((n.id, n.role, n.up, n.paused) for n in picture.nodes), picture.blocked,
            picture.title)


def _draw_cluster(picture: ClusterPicture, fig: Figure | None) -> _Drawn:
    fig, ax = reuse_axes(fig, (0.01, 0.02, 0.66, 0.88))
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
    messages = _draw_messages(ax, pos, picture.in_flight)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.35)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(picture.title)
    handles = _legend_handles(picture, both, one_way)
    legend = _add_legend(fig, handles)
    return _Drawn(fig, ax, _structure(picture), pos, both, one_way, words, messages, legend,
                  [h.get_label() for h in handles])


def _add_legend(fig, handles):
    return fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.9), fontsize=8,
                      frameon=False)


def _words(n: NodePic) -> str:
    """The line under a node: its role, crashed / paused, and its label."""
    state = "crashed" if not n.up else ("paused" if n.paused else "")
    return " · ".join(w for w in (role_style(n.role).word, state, n.label) if w)


def _draw_nodes(ax, graph, pos, nodes) -> list:
    """Draw the nodes; returns the text under each node (in node order)."""
    groups: dict[tuple, list[NodePic]] = {}
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


def _draw_messages(ax, pos, messages) -> list:
    """Draw the messages in flight above everything else; returns the artists drawn."""
    if not messages:
        return []
    points = [message_position(pos, m) for m in messages]
    artists = [ax.scatter([p[0] for p in points], [p[1] for p in points], s=70, c=MESSAGE_COLOR,
                          edgecolors="black", linewidths=1.0, zorder=5)]
    if len(messages) > MAX_MESSAGE_LABELS:
        return artists
    for (x, y), m in zip(points, messages):
        if m.label:
            artists.append(ax.text(x + 0.05, y + 0.05, m.label, fontsize=7, zorder=6))
    return artists


def message_legend(messages) -> str:
    """The legend entry for messages: per-label counts once there are too many to label."""
    if len(messages) <= MAX_MESSAGE_LABELS:
        return "message in flight"
    counts: dict[str, int] = {}
    for m in messages:
        counts[m.label or "unlabelled"] = counts.get(m.label or "unlabelled", 0) + 1
    return "in flight:\n" + "\n".join(f"{k} ×{v}" for k, v in counts.items())


def _legend_handles(picture, both, one_way) -> list:
    handles, seen = [], set()
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


EXAMPLE_FAULTS = ("none", "crash", "pause", "partition", "one-way partition")


def example_picture(n_nodes: int = 5, seed: int = 0, fault: str = "none",
                    n_messages: int | None = None) -> ClusterPicture:
    """A representative cluster for demos and the view benchmark: one leader, heartbeats in
    flight, and optionally a fault (``"crash"``, ``"partition"``, ``"one-way partition"``,
    ``"pause"``).  Deterministic in `seed`."""
    if not 1 <= n_nodes <= 26:
        raise ValueError(f"n_nodes must be in [1, 26], got {n_nodes!r}")
    if fault not in EXAMPLE_FAULTS:
        raise ValueError(f"fault must be one of {EXAMPLE_FAULTS!r}, got {fault!r}")
    rng = random.Random(seed)
    ids = [f"n{i + 1}" for i in range(n_nodes)]
    leader = rng.choice(ids)
    victim = rng.choice([i for i in ids if i != leader] or ids)
    down = {victim} if fault == "crash" else set()
    paused = {victim} if fault == "pause" else set()
    nodes = [NodePic(i, "leader" if i == leader else "follower", f"term {1 + seed % 5}",
                     up=i not in down, paused=i in paused) for i in ids]
    half = ids[: (n_nodes + 1) // 2]
    blocked: set = set()
    if fault in ("partition", "one-way partition"):
        for a in half:
            for b in ids:
                if b not in half:
                    blocked.add((a, b))
                    if fault == "partition":
                        blocked.add((b, a))
    count = n_nodes - 1 if n_messages is None else n_messages
    others = [i for i in ids if i != leader] or [leader]
    msgs = [MsgPic(leader, others[k % len(others)], "AppendEntries",
                   round(rng.uniform(0.3, 0.8), 3)) for k in range(count)]
    return ClusterPicture(nodes, frozenset(blocked), msgs,
                          title=f"{n_nodes}-node cluster, fault: {fault} (seed {seed})")


def render_example(config: dict, fig: Figure | None = None) -> Figure:
    """``render(config)`` for the demo panel: config keys ``nodes``, ``seed``, ``fault``."""
    return render_cluster(example_picture(config["nodes"], config.get("seed", 0),
                                          config.get("fault", "none")), fig=fig)


def cluster_panel(nodes: int = 5, seed: int = 0, fault: str = "none"):
    """The demo panel: a node-count slider (3..9), a seed box and a fault menu."""
    from .controls import fault_control, seed_control, size_control
    from .panel import Panel

    return Panel(render_example, {
        "nodes": size_control(nodes, min=3, max=9),
        "seed": seed_control(seed),
        "fault": fault_control(EXAMPLE_FAULTS, fault),
    })
