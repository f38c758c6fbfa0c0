"""From a running `distlab.sim.Simulation` to a `ClusterPicture`.

The cluster drawing never looks at simulator objects itself; this adapter reads the kernel's
public state -- ``sim.processes`` (``up``, ``paused``), ``sim.network.blocked_pairs()`` and
``sim.network.in_flight`` (each `Envelope` knows ``sent_at`` and ``due``) -- and produces the plain
picture.  A chapter passes two small functions saying what role and label a node shows, e.g.
``role=lambda p: p.role`` and ``label=lambda p: f"term {p.current_term}"``.
"""

from __future__ import annotations

from collections.abc import Callable

from distlab.sim import Simulation

from .cluster_picture import ClusterPicture, MsgPic, NodePic


def message_progress(now: float, sent_at: float, due: float) -> float:
    """How far along its link a message is at time `now`: 0 when sent, 1 when due (clamped)."""
    if due <= sent_at:
        return 1.0
    return min(1.0, max(0.0, (now - sent_at) / (due - sent_at)))


def message_kind(payload: object) -> str:
    """A short label for a message: its ``type``/``kind`` field, else its class name."""
    for key in ("type", "kind"):
        if isinstance(payload, dict):
            found = payload.get(key)
            if isinstance(found, str):
                return found
        value = getattr(payload, key, None)
        if isinstance(value, str):
            return value
    if isinstance(payload, (str, int, float, tuple, list, dict)):
        return ""
    return type(payload).__name__


def picture_from_sim(sim: Simulation, *, role: Callable[[object], str] = lambda p: "node",
                     label: Callable[[object], str] = lambda p: "",
                     message_label: Callable[[object], str] = message_kind,
                     title: str | None = None) -> ClusterPicture:
    """The picture of `sim` at ``sim.now``."""
    procs = list(sim.processes.values())
    nodes = [NodePic(str(p.pid), str(role(p)), str(label(p)), up=bool(p.up),
                     paused=bool(getattr(p, "paused", False))) for p in procs]
    known = {str(p.pid) for p in procs}
    blocked = frozenset((str(a), str(b)) for a, b in sim.network.blocked_pairs())
    msgs = [MsgPic(str(e.src), str(e.dst), message_label(e.payload),
                   message_progress(sim.now, e.sent_at, e.due))
            for e in sim.network.in_flight.values()
            if str(e.src) in known and str(e.dst) in known]
    return ClusterPicture(nodes, blocked, msgs,
                          title=title if title is not None else f"cluster at t = {sim.now:.3f} s")
