"""One frame of chapter 2's cluster lab: what `capture` records of a `Cluster` at an instant
(plain data, shared between frames where unchanged) and how `render_frame` draws it -- the
cluster on top, every server's log with its committed prefix below -- into a figure reused from
frame to frame.  `raft_lab.ClusterLab` records the frames; a `distlab.view.Replay` shows them.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from distlab.consensus.raft import Cluster

from .cluster_drawing import ClusterPicture, MsgPic, NodePic, update_cluster
from .cluster_snapshot import message_progress
from .consensus_logs import LogRow, draw_logs, log_legend_handles
from .style import Memo, reuse_axes

FRAME_SIZE = (7.6, 6.4)     #: inches
MESSAGE_WORDS = {"RequestVote": "vote?", "RequestVoteReply": "vote", "AppendEntriesReply": "ack",
                 "InstallSnapshot": "snapshot", "InstallSnapshotReply": "ack"}

Frame = dict[str, Any]  #: one recorded frame: plain data (see `capture`), never changed afterwards
# what `render_frame` keeps between frames on its two subfigures (a new figure starts afresh)
_CLOCK: Memo[tuple[Text, Legend]] = Memo("_distlab_frame_extras")
_ROWS: Memo[list[LogRow]] = Memo("_distlab_rows")


def message_word(payload: object) -> str:
    """The word a message in flight carries in the picture (an empty AppendEntries: heartbeat)."""
    name = type(payload).__name__
    if name == "AppendEntries":
        return "append" if getattr(payload, "entries", ()) else "heartbeat"
    return MESSAGE_WORDS.get(name, name)


def _capture_nodes(c: Cluster, before: dict[Hashable, dict[str, Any]]) -> list[dict[str, Any]]:
    now = c.sim.now
    nodes = []
    for p, nd in c.nodes.items():
        node = {"pid": p, "role": nd.role, "term": nd.current_term, "up": nd.up,
                "isolated": p in c.disconnected,
                "timer_ms": max(0.0, (nd.election_deadline - now) * 1000.0),
                "log": tuple((e.term, e.command) for e in nd.log), "base": nd.base_index,
                "commit": nd.commit_index}
        old = before.get(p)
        if old is not None:
            if old == node:
                node = old
            elif old["log"] == node["log"]:
                node["log"] = old["log"]
        nodes.append(node)
    return nodes


def capture(c: Cluster, note: str = "", previous: Frame | None = None, note_at: float | None = None) -> Frame:
    """One frame: plain data only (no simulator objects), so frames never change afterwards. `note`
    tells the last action, taken at simulated time `note_at` (None: no action yet).

    With the `previous` frame, every part equal to its counterpart there (a server's state, its
    log, the cut links, the verdicts) is that same object: a recording of hundreds of frames then
    holds each unchanged log once.  Sharing is safe because frames are never changed."""
    now = c.sim.now
    before = {n["pid"]: n for n in previous["nodes"]} if previous is not None else {}
    msgs = []
    for e in c.sim.network.in_flight.values():
        progress = message_progress(now, e.sent_at, e.due)
        msgs.append((e.src, e.dst, message_word(e.payload), round(progress, 3)))
    frame = {"time": now, "note": note, "note_at": note_at, "nodes": _capture_nodes(c, before), "msgs": msgs,
             "blocked": sorted(c.sim.network.blocked_pairs()),
             "invariants": dict(c.sim.invariants.evaluate(c.sim))}
    if previous is not None:
        for part in ("blocked", "invariants"):
            if frame[part] == previous[part]:
                frame[part] = previous[part]
    return frame


def frame_picture(frame: Frame) -> ClusterPicture:
    """The cluster part of a frame as `update_cluster` draws it (a follower's label: its timer)."""
    nodes = []
    for n in frame["nodes"]:
        label = f"T{n['term']}"
        if n["up"] and n["role"] != "leader":
            label += f" · timer {n['timer_ms']:.0f} ms"
        nodes.append(NodePic(str(n["pid"]), n["role"], label, up=n["up"]))
    return ClusterPicture(nodes, frozenset((str(a), str(b)) for a, b in frame["blocked"]),
                          [MsgPic(str(s), str(d), w, p) for s, d, w, p in frame["msgs"]],
                          title="")


def render_frame(frame: Frame, fig: Figure | None = None) -> Figure:
    """The cluster (top) and every server's log with its committed prefix (bottom).

    Drawn into two subfigures that keep their artists between frames: the cluster through
    `update_cluster` (only labels, messages and legend change while roles and links stay), the log
    grid only when the logs or commit indices changed -- the picture is the one a fresh figure
    shows."""
    if fig is None:
        from .style import new_figure
        fig = new_figure(figsize=FRAME_SIZE)
    if tuple(fig.get_size_inches()) != FRAME_SIZE:
        fig.set_size_inches(*FRAME_SIZE)
    if len(getattr(fig, "subfigs", ())) != 2:
        fig.clear()
        fig.subfigures(2, 1, height_ratios=[0.64, 0.36])
    top, bottom = fig.subfigs
    update_cluster(frame_picture(frame), fig=top)
    clock = f"t = {frame['time']:.2f} s" + (f"  ·  {_when(frame)}{frame['note']}" if frame["note"] else "")
    kept = _CLOCK.get(top)
    if kept is not None and kept[0] in top.texts and kept[1] in top.legends:
        kept[0].set_text(clock)
    else:  # first frame, or the cluster was redrawn from scratch (which removes both)
        _CLOCK.put(top, (top.text(0.01, 0.975, clock, fontsize=9, va="top"),
                         top.legend(handles=log_legend_handles(), loc="lower right",
                                    bbox_to_anchor=(0.99, 0.02), fontsize=7, frameon=False)))
    rows = [LogRow(str(n["pid"]), n["log"], n["commit"], n["up"], n["base"]) for n in frame["nodes"]]
    if rows != _ROWS.get(bottom) or len(bottom.axes) != 1:
        _, ax = reuse_axes(bottom, (0.13, 0.16, 0.84, 0.7))
        draw_logs(ax, rows, title="each server's log: solid = committed, pale = not yet committed")
        _ROWS.put(bottom, rows)
    return fig


def _when(frame: Frame) -> str:
    """``at 3.00 s: `` before the note of an action taken before this frame's time (later frames
    carry the last action's note), nothing on the action's own frame."""
    at = frame.get("note_at")
    return f"at {at:.2f} s: " if at is not None and at < frame["time"] - 1e-9 else ""
