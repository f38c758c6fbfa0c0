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

For the same reason a run is shareable: the lab records its settings and every action with the
frame it was taken at (`raft_lab_inputs`), and `ClusterLab.to_json` / `ClusterLab.from_json` turn
those inputs into a short JSON string and back into the same frames.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, NamedTuple

from distlab.consensus import checks
from distlab.consensus.raft import Cluster, RaftConfig
from distlab.sim import Uniform, ms

from .raft_lab_frames import FRAME_SIZE, Frame, capture, frame_picture, message_word, render_frame
from .raft_lab_inputs import (
    ACTIONS,
    FRAME_MS,
    LATENCY_BOUNDS_MS,
    LOSS_BOUNDS,
    NODE_CHOICES,
    TIMEOUT_BOUNDS_MS,
    Action,
    RunFormatError,
    Settings,
    SharedRun,
    check_action,
    check_run,
    check_settings,
    dump_run,
    parse_run,
    settings_from,
)

__all__ = [
    "FRAME", "STEP", "WARMUP", "CHECKPOINT_EVERY", "ACTIONS", "SERVER_EFFECTS", "Checkpoint", "ClusterLab",
    "build_cluster",
    # the settings, actions and shared-run format (raft_lab_inputs) and frames (raft_lab_frames)
    "NODE_CHOICES", "TIMEOUT_BOUNDS_MS", "LATENCY_BOUNDS_MS", "LOSS_BOUNDS", "Settings", "check_settings",
    "Action", "SharedRun", "RunFormatError", "FRAME_SIZE", "Frame", "capture", "frame_picture", "message_word",
    "render_frame",
]

FRAME = ms(FRAME_MS)        #: simulated seconds between frames
STEP = 0.5                  #: simulated seconds an action runs on for
WARMUP = 1.0                #: simulated seconds recorded when the settings change
CHECKPOINT_EVERY = 100      #: frames between stored copies (a copy costs as much as ~40 frames)
#: what a server action does to the cluster, and how the status line says it
SERVER_EFFECTS: dict[str, tuple[Callable[[Cluster, int], None], str]] = {
    "crash": (Cluster.crash, "server {} crashed"),
    "restart": (Cluster.restart, "server {} restarted from its stable storage"),
    "isolate": (Cluster.disconnect, "server {} cut off from the others"),
    "reconnect": (Cluster.connect, "server {} reconnected"),
}


def _no_effect(c: Cluster, action: str, pid: int) -> str:
    """What to say instead of the action's usual words when they would not be true ("" when they
    are): crashing a server that is down, isolating one already cut off, reconnecting one that can
    reach every other, and reconnecting a server of a partition, which ends the whole partition
    (`Cluster.connect` keeps only the servers cut off one by one)."""
    if action == "crash" and not c.node(pid).up:
        return f"server {pid} is already down: nothing to crash"
    if action == "isolate" and pid in c.disconnected:
        return f"server {pid} is already cut off from the others"
    if action == "reconnect":
        if not any(pid in pair for pair in c.sim.network.blocked_pairs()):
            return f"server {pid} was not cut off: nothing to reconnect"
        if pid not in c.disconnected:
            return f"server {pid} reconnected, and the partition it was in is gone"
    return ""


def build_cluster(s: Settings) -> Cluster:
    """A cluster for these settings: latency Uniform(0.5, 1.5) x the mean one-way latency."""
    low, high = s.timeout_ms
    cfg = RaftConfig(election_timeout=(ms(low), ms(high)))
    c = Cluster(s.nodes, seed=s.seed, config=cfg,
                latency=Uniform(ms(s.latency_ms) * 0.5, ms(s.latency_ms) * 1.5))
    if s.loss:
        c.sim.network.configure(loss=s.loss)
    return c


class Checkpoint(NamedTuple):
    """A stored copy of the live cluster at a frame (None at frame 0: rebuilt from the settings),
    with the count of client requests made so far (which names the next command)."""

    cluster: Cluster | None
    requests: int


class ClusterLab:
    """A recorded, forkable, shareable run of a Raft cluster (plain Python: tests drive it without
    widgets).  Everything that changes the run goes through `configure`, `act` / `apply`, `run`
    and `fork`, which keep `actions` in step with `frames`.

    A change made to `cluster` directly (``lab.cluster.start(p, "cmd")``, ``lab.cluster.crash(p)``,
    ...) is not recorded: it is not part of the run, `to_json` does not export it, and a fork or a
    replay does not repeat it -- take it through `act` to keep it."""

    settings: Settings                 #: the run's settings (the seed included)
    cluster: Cluster                   #: the live cluster, at the last frame
    frames: list[Frame]                #: every recorded frame, frame 0 = the start
    actions: list[Action]              #: every action that led to the frames, in time order
    checkpoints: dict[int, Checkpoint]  #: stored copies, by frame
    requests: int                      #: client requests made so far
    note: str                          #: the note of the frames being recorded (the last action's)
    note_at: float | None              #: when that action was taken (simulated seconds), None before any
    shown: int                         #: the frame a viewer shows (the last, or a loaded run's)

    def __init__(self, nodes: int = 5, timeout_ms: tuple[int, int] = (150, 300), latency_ms: float = 5.0,
                 loss: float = 0.0, seed: int = 0) -> None:
        self.configure(nodes=nodes, timeout_ms=timeout_ms, latency_ms=latency_ms, loss=loss,
                       seed=seed)

    # -- building --------------------------------------------------------------------------
    def configure(self, **settings: Any) -> None:
        """New settings: rebuild the run from the seed and record `WARMUP` seconds.  A setting out
        of range, or one the lab does not know, is a `ValueError` naming it."""
        base = self.settings._asdict() if hasattr(self, "settings") else {}
        self._start(settings_from({**base, **settings}))
        self.run(WARMUP)

    def _start(self, settings: Settings) -> None:
        """Only the start: the cluster built from `settings`, and its frame 0."""
        self.settings = settings
        self.cluster = build_cluster(settings)
        self.requests = 0
        self.frames = []
        self.actions = []
        self.checkpoints = {}
        self.note, self.note_at = "", None
        self._record("start", checkpoint=True)

    def _record(self, note: str, checkpoint: bool = False) -> None:
        index = len(self.frames)
        if checkpoint or index % CHECKPOINT_EVERY == 0:
            # frame 0 is the freshly built cluster: `fork` rebuilds it from the settings instead
            stored = copy.deepcopy(self.cluster) if index else None
            self.checkpoints[index] = Checkpoint(stored, self.requests)
        self.frames.append(capture(self.cluster, note, self.frames[-1] if self.frames else None,
                                   self.note_at if note else None))
        self.shown = index

    def run(self, duration: float = STEP) -> None:
        """Let `duration` simulated seconds pass (at least one frame), recording a frame every
        `FRAME`; the frames carry the note of the last action.  At most 300 s a call (a run over
        300 s cannot be shared, and every frame is kept)."""
        checks.number("duration", duration, 0, 300.0, "seconds")
        self._run_to(len(self.frames) + max(1, round(duration / FRAME)))

    def _run_to(self, count: int) -> None:
        while len(self.frames) < count:
            self.cluster.run(FRAME)
            self._record(self.note)

    def fork(self, index: int) -> list[Frame]:
        """Go back to frame `index`: later frames and the actions taken in them are dropped and the
        live cluster is the one shown there (re-created from the nearest copy and re-run: exact,
        the run is seeded)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.frames):
            raise ValueError(f"index must be a frame in [0, {len(self.frames) - 1}], got {index!r}")
        k = max(i for i in self.checkpoints if i <= index)
        cluster, requests = self.checkpoints[k]
        self.cluster = build_cluster(self.settings) if cluster is None else copy.deepcopy(cluster)
        self.requests = requests
        for _ in range(index - k):
            self.cluster.run(FRAME)
        self.frames = self.frames[:index + 1]
        self.actions = [a for a in self.actions if a.frame <= index]
        self.checkpoints = {i: v for i, v in self.checkpoints.items() if i <= index}
        self.note = self.frames[index]["note"] if index else ""
        self.note_at = self.frames[index]["note_at"] if index else None
        self.shown = index
        return self.frames

    # -- actions (at the last frame) ------------------------------------------------------------
    def act(self, action: str, pid: int | None = None, run: float = STEP) -> str:
        """Apply `action` (crash, restart, isolate, reconnect, split, heal, request, run) now,
        record it as a frame, then run on for `run` seconds. Returns what happened, in words."""
        checks.number("run", run, 0, 300.0, "seconds")
        what = self.apply(action, pid)
        self.run(run)
        return what

    def apply(self, action: str, pid: int | None = None) -> str:
        """`act` without running on: take `action` (on server `pid` for crash, restart, isolate and
        reconnect) now and record its frame -- all but ``run``, which only runs on.  Returns what
        happened, in words.  An unknown action or server, a server action without a server, or a
        server given to an action on the whole cluster is a `ValueError` saying so (as `from_json`
        refuses it)."""
        pid = check_action(action, pid, len(self.cluster.pids))
        self.actions.append(Action(len(self.frames), action, pid))
        if pid is not None:
            effect, words = SERVER_EFFECTS[action]
            what = _no_effect(self.cluster, action, pid) or words.format(pid)
            effect(self.cluster, pid)
        else:
            cluster_actions: dict[str, Callable[[], str]] = {
                "split": self._split, "heal": self._heal, "request": self._request, "run": self._run_on}
            what = cluster_actions[action]()
        self.note, self.note_at = what, self.cluster.now
        if what:
            self._record(what, checkpoint=True)
        return what

    def _split(self) -> str:
        """A minority partition: the leader (or server 0) and the next server against the rest."""
        c = self.cluster
        leader = c.leader()
        at = next((i for i, p in enumerate(c.pids) if p == leader), 0)
        minority = [c.pids[at], c.pids[(at + 1) % len(c.pids)]]
        c.partition([minority, [p for p in c.pids if p not in minority]])
        return f"partition: {{{', '.join(map(str, minority))}}} | the other {len(c.pids) - 2}"

    def _heal(self) -> str:
        cut = bool(self.cluster.sim.network.blocked_pairs())
        self.cluster.heal()
        return "network healed" if cut else "nothing to heal: no partition and no cut-off server"

    def _run_on(self) -> str:
        return ""  # nothing happens, so no frame of its own: `act` runs on, with an empty note

    def _request(self) -> str:
        """A client command, tried on each server in turn (as MIT's clients do): a follower or
        a crashed server refuses it, the first server that believes it leads appends it."""
        self.requests += 1
        command = f"x{self.requests}"
        refused: list[str] = []
        down: list[str] = []
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

    # -- sharing ----------------------------------------------------------------------------------
    def inputs(self, frame: int | None = None) -> SharedRun:
        """What the run is made of -- settings, actions, the frame count -- and `frame`, the one on
        screen (default `shown`)."""
        return SharedRun(self.settings, tuple(self.actions), len(self.frames),
                         self.shown if frame is None else frame)

    def to_json(self, frame: int | None = None) -> str:
        """The run as a short JSON string (format: `raft_lab_inputs`): its inputs, not its frames,
        which `from_json` replays exactly; `frame` is the one on screen (default `shown`)."""
        return dump_run(self.inputs(frame))

    @classmethod
    def from_json(cls, text: str) -> ClusterLab:
        """The run a `to_json` string describes, replayed from its seed: the same frames, with
        `shown` the sender's frame.  A bad string is a `RunFormatError` naming what is wrong."""
        return cls.from_run(parse_run(text))

    @classmethod
    def from_run(cls, run: SharedRun) -> ClusterLab:
        """A new lab holding `run` (see `replay`)."""
        lab = cls.__new__(cls)
        lab.replay(run)
        return lab

    def replay(self, run: SharedRun) -> None:
        """Make this lab hold `run`: rebuilt from its settings, each action taken at its frame,
        then run on to its frame count; `shown` is its frame on screen."""
        check_run(run)
        self._start(run.settings)
        for action in run.actions:
            self._run_to(action.frame)
            self.apply(action.name, action.pid)
        self._run_to(run.frames)
        self.shown = run.frame
