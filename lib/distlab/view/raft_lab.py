"""The live Raft cluster of chapter 2: settings, per-server faults, client requests, and a replay
with play / step / seek and "fork here".

`ClusterLab` drives a `distlab.consensus.raft.Cluster` in steps of `FRAME` simulated seconds and
records one plain-data frame per step (roles, terms, election timers, logs with their committed
prefix, messages in flight, cut links and the five safety verdicts).  The frames go to a
`distlab.view.Replay`, so a learner can play them back, step, seek -- and act at any frame:

* **settings** (servers 3/5/7, election timeout range, one-way latency, loss) rebuild the run from
  the seed, so the same settings always give the same picture;
* **actions** (crash / restart / isolate a server, a minority partition, heal, a client request,
  run on) happen *at the
  frame on screen*; if that is not the last frame, the later frames are dropped first -- the run
  forks there, as the "fork here" button does explicitly.

Forking is exact because the simulation is deterministic: the lab keeps a deep copy of the cluster
(`Simulation.fork` copies only the kernel; the `Cluster` wrapper holds the servers' bookkeeping
too) every `CHECKPOINT_EVERY` frames and at every action, and re-runs the frames in between.  The
start needs no copy: it is rebuilt from the settings and the seed.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

from matplotlib.figure import Figure

from distlab.consensus.raft import Cluster, RaftConfig
from distlab.sim import Uniform, ms

from .cluster_drawing import ClusterPicture, MsgPic, NodePic, update_cluster
from .consensus_logs import LogRow, draw_logs, log_legend_handles
from .style import reuse_axes

FRAME = ms(10)              #: simulated seconds between frames
STEP = 0.5                  #: simulated seconds an action runs on for
WARMUP = 1.0                #: simulated seconds recorded when the settings change
CHECKPOINT_EVERY = 100      #: frames between stored copies (a copy costs as much as ~40 frames)
FRAME_SIZE = (7.6, 6.4)     #: inches
NODE_CHOICES = (3, 5, 7)
TIMEOUT_BOUNDS_MS = (10, 1000)
LATENCY_BOUNDS_MS = (1, 100)
LOSS_BOUNDS = (0.0, 0.5)
MESSAGE_WORDS = {"RequestVote": "vote?", "RequestVoteReply": "vote", "AppendEntriesReply": "ack",
                 "InstallSnapshot": "snapshot", "InstallSnapshotReply": "ack"}


class Settings(NamedTuple):
    nodes: int = 5
    timeout_ms: tuple = (150, 300)
    latency_ms: float = 5.0
    loss: float = 0.0
    seed: int = 0


def check_settings(nodes=5, timeout_ms=(150, 300), latency_ms=5.0, loss=0.0, seed=0) -> Settings:
    """Validated settings; anything out of range is a `ValueError` naming the parameter."""
    if nodes not in NODE_CHOICES or isinstance(nodes, bool):
        raise ValueError(f"nodes must be one of {NODE_CHOICES}, got {nodes!r}")
    lo_b, hi_b = TIMEOUT_BOUNDS_MS
    if not isinstance(timeout_ms, (tuple, list)) or len(timeout_ms) != 2:
        raise ValueError(f"timeout_ms must be a (low, high) pair of milliseconds, got {timeout_ms!r}")
    low, high = timeout_ms
    if not lo_b <= low <= hi_b:
        raise ValueError(f"timeout_ms low must be in [{lo_b}, {hi_b}] ms, got {low!r}")
    if not low <= high <= hi_b:
        raise ValueError(f"timeout_ms high must be in [low={low}, {hi_b}] ms, got {high!r}")
    if not LATENCY_BOUNDS_MS[0] <= latency_ms <= LATENCY_BOUNDS_MS[1]:
        raise ValueError(f"latency_ms must be in {list(LATENCY_BOUNDS_MS)} ms, got {latency_ms!r}")
    if not LOSS_BOUNDS[0] <= loss <= LOSS_BOUNDS[1]:
        raise ValueError(f"loss must be in {list(LOSS_BOUNDS)}, got {loss!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return Settings(nodes, (int(low), int(high)), float(latency_ms), float(loss), seed)


def build_cluster(s: Settings) -> Cluster:
    """A cluster for these settings: latency Uniform(0.5, 1.5) x the mean one-way latency."""
    low, high = s.timeout_ms
    cfg = RaftConfig(election_timeout=(ms(low), ms(high)))
    c = Cluster(s.nodes, seed=s.seed, config=cfg,
                latency=Uniform(ms(s.latency_ms) * 0.5, ms(s.latency_ms) * 1.5))
    if s.loss:
        c.sim.network.configure(loss=s.loss)
    return c


def message_word(payload) -> str:
    name = type(payload).__name__
    if name == "AppendEntries":
        return "append" if getattr(payload, "entries", ()) else "heartbeat"
    return MESSAGE_WORDS.get(name, name)


def capture(c: Cluster, note: str = "", previous: dict | None = None) -> dict:
    """One frame: plain data only (no simulator objects), so frames never change afterwards.

    With the `previous` frame, every part equal to its counterpart there (a server's state, its
    log, the cut links, the verdicts) is that same object: a recording of hundreds of frames then
    holds each unchanged log once.  Sharing is safe because frames are never changed."""
    now = c.sim.now
    before = {n["pid"]: n for n in previous["nodes"]} if previous is not None else {}
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
    msgs = []
    for e in c.sim.network.in_flight.values():
        span = e.due - e.sent_at
        progress = 1.0 if span <= 0 else min(1.0, max(0.0, (now - e.sent_at) / span))
        msgs.append((e.src, e.dst, message_word(e.payload), round(progress, 3)))
    frame = {"time": now, "note": note, "nodes": nodes, "msgs": msgs,
             "blocked": sorted(c.sim.network.blocked_pairs()),
             "invariants": dict(c.sim.invariants.evaluate(c.sim))}
    if previous is not None:
        for part in ("blocked", "invariants"):
            if frame[part] == previous[part]:
                frame[part] = previous[part]
    return frame


def frame_picture(frame: dict) -> ClusterPicture:
    nodes = []
    for n in frame["nodes"]:
        label = f"T{n['term']}"
        if n["up"] and n["role"] != "leader":
            label += f" · timer {n['timer_ms']:.0f} ms"
        nodes.append(NodePic(str(n["pid"]), n["role"], label, up=n["up"]))
    return ClusterPicture(nodes, frozenset((str(a), str(b)) for a, b in frame["blocked"]),
                          [MsgPic(str(s), str(d), w, p) for s, d, w, p in frame["msgs"]],
                          title="")


def render_frame(frame: dict, fig: Figure | None = None) -> Figure:
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
    clock = f"t = {frame['time']:.2f} s" + (f"  ·  {frame['note']}" if frame["note"] else "")
    kept = getattr(top, "_distlab_frame_extras", None)
    if kept is not None and kept[0] in top.texts and kept[1] in top.legends:
        kept[0].set_text(clock)
    else:  # first frame, or the cluster was redrawn from scratch (which removes both)
        top._distlab_frame_extras = (
            top.text(0.01, 0.975, clock, fontsize=9, va="top"),
            top.legend(handles=log_legend_handles(), loc="lower right",
                       bbox_to_anchor=(0.99, 0.02), fontsize=7, frameon=False))
    rows = [LogRow(str(n["pid"]), n["log"], n["commit"], n["up"], n["base"]) for n in frame["nodes"]]
    if rows != getattr(bottom, "_distlab_rows", None) or len(bottom.axes) != 1:
        _, ax = reuse_axes(bottom, (0.13, 0.16, 0.84, 0.7))
        draw_logs(ax, rows, title="each server's log: solid = committed, pale = not yet committed")
        bottom._distlab_rows = rows
    return fig


class ClusterLab:
    """A recorded, forkable run of a Raft cluster (plain Python: tests drive it without widgets)."""

    def __init__(self, nodes=5, timeout_ms=(150, 300), latency_ms=5.0, loss=0.0, seed=0):
        self.configure(nodes=nodes, timeout_ms=timeout_ms, latency_ms=latency_ms, loss=loss,
                       seed=seed)

    # -- building --------------------------------------------------------------------------
    def configure(self, **settings) -> None:
        """New settings: rebuild the run from the seed and record `WARMUP` seconds."""
        base = self.settings._asdict() if hasattr(self, "settings") else {}
        self.settings = check_settings(**{**base, **settings})
        self.cluster = build_cluster(self.settings)
        self.requests = 0
        self.frames: list = []
        self.checkpoints: dict = {}
        self._record("start", checkpoint=True)
        self.run(WARMUP, note="")

    def _record(self, note: str, checkpoint: bool = False) -> None:
        index = len(self.frames)
        if checkpoint or index % CHECKPOINT_EVERY == 0:
            # frame 0 is the freshly built cluster: `fork` rebuilds it from the settings instead
            stored = copy.deepcopy(self.cluster) if index else None
            self.checkpoints[index] = (stored, self.requests)
        self.frames.append(capture(self.cluster, note, self.frames[-1] if self.frames else None))

    def run(self, duration: float = STEP, note: str = "") -> None:
        for _ in range(max(1, round(duration / FRAME))):
            self.cluster.run(FRAME)
            self._record(note)

    def fork(self, index: int) -> list:
        """Go back to frame `index`: later frames are dropped and the live cluster is the one
        shown there (re-created from the nearest copy and re-run: exact, the run is seeded)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.frames):
            raise ValueError(f"index must be a frame in [0, {len(self.frames) - 1}], got {index!r}")
        k = max(i for i in self.checkpoints if i <= index)
        cluster, requests = self.checkpoints[k]
        self.cluster = build_cluster(self.settings) if cluster is None else copy.deepcopy(cluster)
        self.requests = requests
        for _ in range(index - k):
            self.cluster.run(FRAME)
        self.frames = self.frames[:index + 1]
        self.checkpoints = {i: v for i, v in self.checkpoints.items() if i <= index}
        return self.frames

    # -- actions (at the last frame) ------------------------------------------------------------
    def act(self, action: str, pid=None, run: float = STEP) -> str:
        """Apply `action` (crash, restart, isolate, reconnect, heal, request, run) now, record it
        as a frame, then run on for `run` seconds. Returns what happened, in words."""
        c = self.cluster
        if action in ("crash", "restart", "isolate", "reconnect"):
            c.node(pid)  # refuses an unknown server with a message naming pid
        if action == "crash":
            c.crash(pid)
            what = f"server {pid} crashed"
        elif action == "restart":
            c.restart(pid)
            what = f"server {pid} restarted from its stable storage"
        elif action == "isolate":
            c.disconnect(pid)
            what = f"server {pid} cut off from the others"
        elif action == "reconnect":
            c.connect(pid)
            what = f"server {pid} reconnected"
        elif action == "split":
            what = self.split()
        elif action == "heal":
            c.heal()
            what = "network healed"
        elif action == "request":
            what = self.request()
        elif action == "run":
            what = ""
        else:
            raise ValueError(f"action must be one of crash, restart, isolate, reconnect, split, "
                             f"heal, request, run; got {action!r}")
        if what:
            self._record(what, checkpoint=True)
        self.run(run, note=what)
        return what

    def split(self) -> str:
        """A minority partition: the leader (or server 0) and the next server against the rest."""
        c = self.cluster
        first = c.leader() if c.leader() is not None else c.pids[0]
        minority = [first, c.pids[(c.pids.index(first) + 1) % len(c.pids)]]
        c.partition([minority, [p for p in c.pids if p not in minority]])
        return f"partition: {{{', '.join(map(str, minority))}}} | the other {len(c.pids) - 2}"

    def request(self) -> str:
        """A client command, tried on each server in turn (as MIT's clients do): a follower or
        a crashed server refuses it, the first server that believes it leads appends it."""
        self.requests += 1
        command = f"x{self.requests}"
        refused, down = [], []
        for p in self.cluster.pids:
            if not self.cluster.nodes[p].up:
                down.append(str(p))
                continue
            index, term, ok = self.cluster.start(p, command)
            if ok:
                tail = "".join(f"; {what} {', '.join(who)}" for what, who in
                               (("refused by follower", refused), ("down:", down)) if who)
                return f"{command} appended by leader {p} at index {index}, term {term}{tail}"
            refused.append(str(p))
        return f"{command} refused: no server believes it leads (retry later)"
